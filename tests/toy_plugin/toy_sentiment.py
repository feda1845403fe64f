"""A third-party task plugin that lives only in the test folder.

It subclasses ``harness.Task`` directly (single-sentence classification in its own
``text<TAB>label`` format), ships its own sample data and its own suite.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

import harness

DATA = Path(__file__).parent / "data"
WORDS = {"en": ("good", "bad"), "de": ("gut", "schlecht")}


def write_sample(root: Path) -> None:
    for lang, (pos, neg) in WORDS.items():
        for split, n in (("train", 40), ("dev", 9), ("test", 9)):
            if split == "train" and lang != "en":
                continue
            lines = [f"this is {pos}\tpos" if i % 2 else f"this is {neg}\tneg" for i in range(n)]
            path = root / "toysent" / f"{split}-{lang}.tsv"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text("\n".join(lines) + "\n", encoding="utf-8")


class ToySentiment(harness.Task):
    labels = ("neg", "pos")

    def local_files(self, split, language, root):
        return [root / "toysent" / f"{split}-{language}.tsv"]

    def read_local(self, split, language, root):
        rows = []
        path = self.local_files(split, language, root)[0]
        for n, line in enumerate(path.read_text("utf-8").splitlines(), 1):
            text, _, label = line.partition("\t")
            if label not in self.labels:
                raise harness.HarnessError(f"{path}:{n}: label must be neg or pos")
            rows.append({"text": text, "label": self.labels.index(label)})
        return rows

    def read_hub(self, split, language):
        raise harness.HarnessError("toy-sentiment is local only")

    def encode(self, batch, tokenizer, max_length):
        enc = tokenizer(batch["text"], truncation=True, max_length=max_length)
        return {**enc, "labels": batch["label"]}

    @property
    def num_labels(self):
        return 2

    def decode(self, outputs, features, rows, context):
        return [self.labels[i] for i in np.stack(outputs).argmax(-1)]

    def references(self, rows):
        return [self.labels[i] for i in rows["label"]]

    def write_predictions(self, path, predictions):
        harness.atomic_write_text(path, "".join(f"{p}\n" for p in predictions))


@harness.hookimpl
def register_tasks(register):
    register(
        ToySentiment(
            name="toy-sentiment",
            description="Toy sentiment (test plugin)",
            head="sequence-classification",
            languages=("en", "de"),
            evaluator="accuracy",
            main_metric="accuracy",
            sample_root=DATA,
        )
    )


@harness.hookimpl
def register_suites(register):
    path = DATA / "toy-suite.json"
    DATA.mkdir(parents=True, exist_ok=True)
    write_sample(DATA)
    path.write_text(
        json.dumps(
            {
                "name": "toy",
                "description": "toy suite",
                "targets": ["toy-sentiment"],
                "sample_hparams": {"epochs": 3, "batch_size": 8, "learning_rate": 1e-3},
            }
        )
    )
    register(path)
