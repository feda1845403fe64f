"""Accuracy equals XTREME evaluate.py's on the same prediction/label files, to the last bit.

The reference below restates the official definition (google-research/xtreme evaluate.py):
files are read as stripped lines, compared as strings, and scored as
``float(correct) / len(predictions) * 100``.
"""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from harness.registry import load_registry


def official_accuracy(prediction_file: Path, label_file: Path) -> float:
    predictions = [line.strip() for line in open(prediction_file, encoding="utf-8")]
    labels = [line.strip() for line in open(label_file, encoding="utf-8")]
    assert len(predictions) == len(labels)
    correct = sum([int(p == lab) for p, lab in zip(predictions, labels, strict=False)])
    return float(correct) / len(predictions) * 100


@pytest.mark.parametrize("task_name", ["xnli", "pawsx"])
@pytest.mark.parametrize("n", [1, 7, 10, 2490, 5010])
def test_accuracy_identical_to_official(tmp_path, task_name, n):
    registry = load_registry()
    task = registry.task(task_name)
    rng = random.Random(n)
    gold = [rng.choice(task.labels) for _ in range(n)]
    predicted = [g if rng.random() < 0.61 else rng.choice(task.labels) for g in gold]
    pred_file, label_file = tmp_path / "pred.tsv", tmp_path / "gold.tsv"
    task.write_predictions(pred_file, predicted)  # the submission writer the runner uses
    task.write_predictions(label_file, gold)
    ours = registry.evaluator(task.evaluator).score(predicted, gold)["accuracy"]
    assert ours == official_accuracy(pred_file, label_file)  # exact, not approx


def test_xtreme_mock_values():
    """Values XTREME's own evaluate_test.py expects from its 10-line mock files."""
    acc = load_registry().evaluator("accuracy")
    # 36 correct of 70 over seven languages averages to 51.42857142857143 in evaluate_test.py
    per_lang = [
        acc.score(["1"] * 10, ["1"] * k + ["0"] * (10 - k))["accuracy"]
        for k in (5, 5, 5, 5, 5, 5, 6)
    ]
    assert sum(per_lang) / len(per_lang) == 51.42857142857143
