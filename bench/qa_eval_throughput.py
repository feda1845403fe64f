"""QA evaluation throughput: the harness's batching against naive fixed-length padding.

Both paths run the same model on the same encoded XQuAD features (question + context
windows from ``harness.data.encode``) and decode them the same way:

- **harness**: the runner's evaluation loader, ``PhaseDataModule.eval_dataloader``: features
  sorted by length (longest first) and padded per batch to a multiple of 8;
- **naive**: the features in file order, every batch padded to ``--max-length``.

Each path is timed end to end (collate, forward, cutting logits to length) after one warm-up
batch, alternating the two paths ``--rounds`` times on the same machine in one run; the best
round of each is reported, with the ratio. The decoded answers of both paths are compared, so
the speed-up is shown not to change predictions.

    python bench/qa_eval_throughput.py                       # embedded MiniLM, bundled XQuAD
    python bench/qa_eval_throughput.py --tiny --repeat 20    # a 2-layer model from config
    python bench/qa_eval_throughput.py --model xlm-roberta-base --max-length 384

The bundled XQuAD sample has short contexts, so most windows are far below ``--max-length``
(the script prints the mean length); real XQuAD paragraphs fill more of each 384-token
window and gain less.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import datasets
import torch
from torch.utils.data import DataLoader

from harness import DataSource, EvalContext
from harness.data import PhaseDataModule, _Collator, encode, model_view
from harness.registry import load_registry


def tiny_model(tokenizer_source: str, folder: Path) -> str:
    """A 2-layer, 64-dim BERT from config with the embedded tokenizer (no download)."""
    from transformers import AutoTokenizer, BertConfig, BertModel

    tokenizer = AutoTokenizer.from_pretrained(tokenizer_source)
    config = BertConfig(
        vocab_size=tokenizer.vocab_size,
        hidden_size=64,
        num_hidden_layers=2,
        num_attention_heads=2,
        intermediate_size=128,
        max_position_embeddings=512,
    )
    BertModel(config).save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    return str(folder)


MODEL_INPUTS = ("input_ids", "attention_mask", "token_type_ids")


def run_path(
    model: Any, task: Any, loader: DataLoader, n_features: int, device: str
) -> tuple[float, list]:
    """Seconds for one pass over ``loader`` (after a warm-up batch) and outputs by feature."""
    outputs: list = [None] * n_features

    def inputs(batch: dict) -> dict:
        return {k: batch[k].to(device) for k in MODEL_INPUTS if k in batch}

    with torch.inference_mode():
        task.predict(model, inputs(next(iter(loader))))
        _sync(device)
        started = time.perf_counter()
        for batch in loader:
            predicted = task.predict(model, inputs(batch))
            for i, out in zip(batch["feature_index"].tolist(), predicted, strict=True):
                outputs[i] = out.float().cpu().numpy()
        _sync(device)
        elapsed = time.perf_counter() - started
    return elapsed, outputs


def _sync(device: str) -> None:
    if device.startswith("cuda"):
        torch.cuda.synchronize()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", default="minilm", help="model name, Hub id or folder")
    parser.add_argument("--tiny", action="store_true", help="use a 2-layer model from config")
    parser.add_argument("--max-length", type=int, default=384, help="XTREME's max_seq_length")
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--repeat", type=int, default=4, help="copies of the XQuAD sample")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--threads", type=int, default=None, help="torch CPU threads")
    parser.add_argument("--device", default="cpu", help="cpu or cuda")
    args = parser.parse_args(argv)
    if args.threads:
        torch.set_num_threads(args.threads)
    datasets.disable_progress_bars()
    import transformers

    transformers.utils.logging.disable_progress_bar()
    transformers.utils.logging.set_verbosity_error()

    registry = load_registry()
    task = registry.task("xquad")
    tmp = Path(tempfile.mkdtemp(prefix="qa-bench-"))
    name = args.model
    if args.tiny:
        from harness_builtins.models.hf_encoders import embedded_model_dir

        name = tiny_model(embedded_model_dir(), tmp / "tiny")
    plugin = registry.model(name)
    tokenizer = plugin.tokenizer(name)
    model = plugin.build(name, task.head, task.num_labels, None).eval().to(args.device)

    source = DataSource("local", task.sample_root)
    parts = [task.load("test", lang, source) for lang in task.languages] * args.repeat
    rows = datasets.concatenate_datasets(parts)
    rows = rows.remove_columns("example_id").add_column("example_id", list(range(len(rows))))
    features = encode(task, rows, tokenizer, args.max_length, tmp / "cache", "bench")
    lengths = features["length"]

    harness_loader = PhaseDataModule(
        task.collator(tokenizer), None, args.batch_size, args.batch_size, seed=0
    ).eval_dataloader(features)
    from transformers import DataCollatorWithPadding

    naive_loader = DataLoader(
        model_view(features),
        batch_size=args.batch_size,
        shuffle=False,
        collate_fn=_Collator(
            DataCollatorWithPadding(tokenizer, padding="max_length", max_length=args.max_length)
        ),
    )

    best = {"harness": float("inf"), "naive": float("inf")}
    outputs = {}
    for _ in range(args.rounds):
        for label, loader in (("naive", naive_loader), ("harness", harness_loader)):
            seconds, outputs[label] = run_path(model, task, loader, len(features), args.device)
            best[label] = min(best[label], seconds)

    context = EvalContext("test", "all")
    answers = {label: task.decode(out, features, rows, context) for label, out in outputs.items()}
    agree = sum(a == b for a, b in zip(answers["harness"], answers["naive"], strict=True))
    device = args.device if args.device != "cpu" else f"cpu, {torch.get_num_threads()} threads"
    print(f"model {name} ({device}); {len(rows)} questions, {len(features)} windows")
    print(
        f"window length: mean {sum(lengths) / len(lengths):.0f}, max {max(lengths)} "
        f"tokens (max_length {args.max_length}); batch size {args.batch_size}"
    )
    for label in ("naive", "harness"):
        print(
            f"{label:8s} {len(rows) / best[label]:9.1f} examples/s "
            f"({len(features) / best[label]:.1f} windows/s, best of {args.rounds})"
        )
    print(f"speed-up (harness / naive): {best['naive'] / best['harness']:.2f}x")
    print(f"identical answers: {agree}/{len(rows)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
