"""Validation during training: best weights kept, early stopping, dev subsets (jiant's protocol)."""

from __future__ import annotations

import csv
import json
import warnings
from pathlib import Path

import pytest

from harness.cli import main


def _validations(run: Path, label: str) -> list[tuple[int, float]]:
    """(step, val_score) rows Lightning's CSV logger wrote for one phase, in order."""
    (metrics,) = (run / "logs" / "csv" / label).glob("version_*/metrics.csv")
    with open(metrics, newline="") as handle:
        return [
            (int(row["step"]), float(row["val_score"]))
            for row in csv.DictReader(handle)
            if row.get("val_score")
        ]


def _run(capsys, *extra: str) -> dict:
    code = main(
        [
            "run",
            "--targets",
            "xnli",
            "--languages",
            "en",
            "--batch-size",
            "16",
            "--run-id",
            "val",
            "--no-progress",
            *extra,
        ]
    )
    captured = capsys.readouterr()
    assert code == 0, captured.err
    return {
        "out": captured.out + captured.err,
        "records": json.loads(Path("runs/val/results.json").read_text()),
    }


def test_best_validated_weights_are_kept_and_training_stops_early(capsys):
    """On the embedded model, whose dev accuracy rises and falls between validations."""
    epochs, every, patience = 5, 2, 2
    result = _run(
        capsys,
        "--max-train-examples",
        "96",
        "--learning-rate",
        "5e-5",  # dev accuracy rises, then falls (trajectory depends on exact CPU padding)
        "--epochs",
        str(epochs),
        "--val-every-steps",
        str(every),
        "--early-stopping-patience",
        str(patience),
    )
    validations = _validations(Path("runs/val"), "none-xnli-seed0")
    *during, final = validations  # the last row validates the weights training ended with
    assert [step for step, _ in during] == [every * (i + 1) - 1 for i in range(len(during))]
    # Lightning's EarlyStopping: stop once `patience` validations in a row fail to improve
    best, waited, stop_at = float("-inf"), 0, None
    for i, (_, score) in enumerate(during):
        best, waited = (score, 0) if score > best else (best, waited + 1)
        if waited >= patience:
            stop_at = i
            break
    assert stop_at is not None, f"no early stop in {during}"
    assert len(during) == stop_at + 1 < epochs * 6 // every  # 6 batches per epoch
    # the dev record (the same full dev set) scores the best validated weights
    dev = [
        r["value"]
        for r in result["records"]["records"]
        if r["split"] == "dev" and r["main"] and r["language"] == "en"
    ]
    assert dev == [pytest.approx(max(score for _, score in validations), abs=1e-4)]
    assert "kept the best validated weights" in result["out"]  # not the last ones
    assert not Path("runs/val/state").exists() or not any(Path("runs/val/state").iterdir())


def test_validation_on_the_first_n_dev_examples(tiny_model, capsys):
    _run(
        capsys,
        "--model",
        str(tiny_model),
        "--max-train-examples",
        "64",
        "--epochs",
        "1",
        "--val-every-steps",
        "1",
        "--val-max-examples",
        "4",
    )
    scores = [score for _, score in _validations(Path("runs/val"), "none-xnli-seed0")]
    assert len(scores) == 5  # 4 steps + the final weights
    assert all(round(score / 25, 6).is_integer() for score in scores)  # accuracy over 4 rows


def test_patience_without_interval_is_one_clear_error(capsys):
    code = main(["run", "--targets", "xnli", "--early-stopping-patience", "3", "--no-progress"])
    err = capsys.readouterr().err.strip().splitlines()
    assert code != 0 and len(err) == 1
    assert "early_stopping_patience needs val_every_steps" in err[0]
    assert not Path("runs").exists() or not list(Path("runs").rglob("results.json"))


def test_phases_without_validation_stay_quiet(tiny_model, capsys):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        _run(capsys, "--model", str(tiny_model), "--max-train-examples", "32", "--epochs", "1")
    # Lightning's "validation_step but no val_dataloader" is not for our users
    assert not [w for w in caught if "validation_step" in str(w.message)]
    assert not list(Path("runs/val").rglob("best.ckpt"))
