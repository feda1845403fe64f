"""Mean average precision at k (XTREME-R: Mewsli-X and LAReQA mAP@20) (being written)."""
