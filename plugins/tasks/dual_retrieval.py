"""Fine-tuned dual-encoder retrieval targets of XTREME-R: Mewsli-X and LAReQA (being written)."""
