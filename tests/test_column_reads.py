"""Evaluation reads dataset columns whole, never row by row.

The paper-scale rehearsal (bench/paper_scale.py) found BUCC's evaluation spending a fifth of
its time in ``list(dataset["column"])``: in datasets 4 a column is a lazy ``Column`` whose
iteration formats one row at a time (about 6x slower than ``dataset["column"][:]``, one
Arrow conversion). Every family's decoding, references, samplers and the runner's
evaluation must take the whole column; this test makes row-by-row column iteration fail.
"""

from __future__ import annotations

import json
from pathlib import Path

import datasets
import pytest

from harness.cli import main


@pytest.fixture
def no_row_by_row_columns(monkeypatch):
    column = getattr(datasets.arrow_dataset, "Column", None)
    if column is None:  # datasets < 4 returns plain lists
        pytest.skip("this datasets release has no lazy Column")

    def refuse(self):
        raise AssertionError(f"column {self.column_name!r} iterated row by row; use [:]")

    monkeypatch.setattr(column, "__iter__", refuse)


def test_every_family_evaluates_without_row_by_row_column_reads(
    tiny_model, tmp_path, no_row_by_row_columns, monkeypatch
):
    monkeypatch.chdir(tmp_path)
    targets = ["xnli", "udpos", "xquad", "bucc2018", "tatoeba"]
    code = main(
        ["run", "--targets", *targets, "--intermediate", "hellaswag", "--model", str(tiny_model)]
        + ["--languages", "en", "de", "--epochs", "1", "--max-train-examples", "16"]
        + ["--run-id", "cols", "--no-progress", "--cache-dir", str(tmp_path / "cache")]
    )
    assert code == 0
    records = json.loads(Path("runs/cols/results.json").read_text())["records"]
    assert {r["target"] for r in records} == {"hellaswag", *targets}
