"""The README's main command on the real embedded model and bundled samples."""

from __future__ import annotations

import json
from pathlib import Path

import pytest


@pytest.mark.slow
def test_xtreme_zs_on_embedded_default(harness_cli):
    result = harness_cli(
        "run", "--suite", "xtreme-zs", "--run-id", "e2e", "--no-progress", timeout=900
    )
    assert result.returncode == 0, result.stderr[-3000:]
    records = json.loads(Path("runs/e2e/results.json").read_text())["records"]
    xnli_langs = {r["language"] for r in records if r["target"] == "xnli" and r["split"] == "test"}
    pawsx_langs = {
        r["language"] for r in records if r["target"] == "pawsx" and r["split"] == "test"
    }
    assert len(xnli_langs) == 15 and len(pawsx_langs) == 7
    en_dev = next(
        r["value"]
        for r in records
        if (r["target"], r["language"], r["split"]) == ("xnli", "en", "dev")
    )
    assert en_dev > 55.0  # chance is 33.3
    assert "tatoeba: not yet available" in result.stderr
    assert not any(r["target"] in ("udpos", "tatoeba") for r in records)
    assert harness_cli("leaderboard").returncode == 0
    assert "xnli" in Path("leaderboards/README.md").read_text()
