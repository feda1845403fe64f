"""The README's main command on the real embedded model and bundled samples."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from harness.registry import load_registry

TARGETS = ("xnli", "pawsx", "udpos", "panx", "xquad", "mlqa", "tydiqa", "bucc2018", "tatoeba")


@pytest.mark.slow
def test_xtreme_zs_on_embedded_default(harness_cli):
    result = harness_cli(
        "run", "--suite", "xtreme-zs", "--run-id", "e2e", "--no-progress", timeout=1200
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert "not yet available" not in result.stderr
    records = json.loads(Path("runs/e2e/results.json").read_text())["records"]
    registry = load_registry()
    scoring = registry.suite("xtreme-zs").scoring
    for target in TARGETS:  # every target scored in every XTREME language (xtreme-r has more)
        scored = {r["language"] for r in records if r["target"] == target and r["main"]}
        assert scored == set(scoring.task(target).languages), target

    def english(target: str, split: str) -> float:
        return next(
            r["value"]
            for r in records
            if (r["target"], r["language"], r["split"], r["main"]) == (target, "en", split, True)
        )

    assert english("xnli", "dev") > 55.0  # chance 33.3
    assert english("pawsx", "dev") > 60.0  # chance 50
    assert english("udpos", "dev") > 50.0 and english("panx", "dev") > 30.0
    assert english("mlqa", "dev") > 0.0  # F1: some answers found
    assert harness_cli("leaderboard", "--runs", "runs").returncode == 0
    assert "xnli" in Path("leaderboards/README.md").read_text()
