"""Leaderboards come from result records alone: idempotent, seeds aggregated, invalid files skipped."""

from __future__ import annotations

import json
import re
import statistics
from pathlib import Path

from harness.cli import main
from harness.results import RunDir


def record(**kw):
    base = {
        "suite": "xtreme-zs",
        "model": "minilm",
        "intermediate": None,
        "target": "xnli",
        "role": "target",
        "language": "en",
        "split": "test",
        "metric": "accuracy",
        "value": 50.0,
        "main": True,
        "seed": 0,
        "run_id": "r1",
        "n_examples": 10,
        "data": "sample",
    }
    return {**base, **kw}


def test_regenerate_from_records(capsys):
    run = RunDir(Path("runs"), "r1")
    run.add_records(
        [
            record(language="en", value=80.0),
            record(language="de", value=40.0),
            record(language="en", value=70.0, seed=1),
            record(language="de", value=50.0, seed=1),
            record(intermediate="mnli", language="en", value=90.0),
            record(intermediate="mnli", language="de", value=60.0),
            record(target="mnli", role="intermediate", split="dev", value=77.0),
            record(language="en", value=12.5, data="/data/xtreme"),  # real data: its own row
        ]
    )
    Path("runs/broken").mkdir()
    Path("runs/broken/results.json").write_text(
        json.dumps({"format": "harness.results/1", "run_id": "b", "records": [{"x": 1}]})
    )
    assert main(["leaderboard"]) == 0
    captured = capsys.readouterr()
    assert "skipped invalid results: runs/broken/results.json" in captured.err
    readme = re.sub(" +", " ", Path("leaderboards/README.md").read_text())
    avg = [statistics.mean([80, 40]), statistics.mean([70, 50])]
    expected = f"{statistics.mean(avg):.2f} ± {statistics.stdev(avg):.2f} (n=2)"
    assert expected in readme  # mean ± std over seeds of per-seed language averages
    assert "| minilm | mnli | sample | 75.00" in readme
    assert "77.00" in readme  # the intermediate task's own score
    assert "| minilm | none | /data/xtreme | 12.50" in readme
    xnli = Path("leaderboards/xnli.md").read_text()
    assert "75.00 ± 7.07 (n=2)" in xnli  # en over two seeds
    before = {p.name: p.read_bytes() for p in Path("leaderboards").iterdir()}
    assert main(["leaderboard"]) == 0
    assert before == {p.name: p.read_bytes() for p in Path("leaderboards").iterdir()}


def test_invalid_record_is_never_written(tmp_path):
    import pytest

    from harness.errors import HarnessError

    run = RunDir(tmp_path, "r")
    run.add_records([record()])
    with pytest.raises(HarnessError, match="invalid results file"):
        run.add_records([record(value="high")])
    assert len(json.loads(run.results_file.read_text())["records"]) == 1
