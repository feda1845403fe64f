"""Running a test plugin package through the command line, shared by the family tests."""

from __future__ import annotations

import json
from pathlib import Path

from harness.cli import main


def run(tmp_path: Path, target: str, plugin, *extra: str) -> int:
    """``harness run`` of one plugin target on ``tmp_path/data``, the embedded model, run id t."""
    return main(
        ["run", "--targets", target, "--intermediate", "none", "--data", str(tmp_path / "data"),
         "--model", "minilm", "--output", str(tmp_path / "runs"), "--run-id", "t",
         "--cache-dir", str(tmp_path / "cache"), "--epochs", "1", "--batch-size", "8",
         "--max-length", "64", "--accelerator", "cpu", *extra],
        plugins=[plugin],
    )  # fmt: skip


def main_records(tmp_path: Path) -> dict[tuple[str, str], dict]:
    doc = json.loads((tmp_path / "runs" / "t" / "results.json").read_text())
    return {(r["language"], r["split"]): r for r in doc["records"] if r["main"]}


def score_json(predictions: Path, labels: Path, plugin, capsys) -> dict:
    args = ["score", "--predictions", str(predictions), "--labels", str(labels), "--json"]
    assert main(args, plugins=[plugin]) == 0
    return json.loads(capsys.readouterr().out)
