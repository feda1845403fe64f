"""One phase under Lightning DDP on CPU with 2 processes: every example evaluated exactly once."""

from __future__ import annotations

import json
from pathlib import Path


def test_ddp_two_processes_counts_each_example_once(tiny_model, sample_copy, harness_cli):
    # odd sizes force the distributed sampler to split unevenly (a padded sampler would repeat one)
    for name in ("xnli/dev-en.tsv", "xnli/test-en.tsv", "labels/xnli/test-en.tsv"):
        path = sample_copy / name
        path.write_text("".join(path.read_text("utf-8").splitlines(keepends=True)[:29]), "utf-8")
    result = harness_cli(
        "run",
        "--model",
        str(tiny_model),
        "--data",
        str(sample_copy),
        "--targets",
        "xnli",
        "--languages",
        "en",
        "--epochs",
        "1",
        "--max-train-examples",
        "64",
        "--accelerator",
        "cpu",
        "--devices",
        "2",
        "--strategy",
        "ddp",
        "--eval-batch-size",
        "4",
        "--run-id",
        "ddp",
        "--no-progress",
    )
    assert result.returncode == 0, result.stderr[-3000:]
    records = json.loads(Path("runs/ddp/results.json").read_text())["records"]
    assert {(r["split"], r["n_examples"]) for r in records} == {("dev", 29), ("test", 29)}
    for split in ("dev", "test"):
        lines = (
            Path(f"runs/ddp/predictions/none/seed0/xnli/{split}-en.tsv").read_text().splitlines()
        )
        assert len(lines) == 29
    # both ranks ran the phase; only rank 0 wrote files
    manifest = json.loads(Path("runs/ddp/run.json").read_text())
    assert manifest["status"] == "finished" and manifest["config"]["trainer"]["devices"] == 2
    assert len(list(Path("runs").iterdir())) == 1


def test_ddp_multitask_phase_gives_each_rank_its_own_shard(tiny_model, harness_cli):
    """A+B intermediate under DDP: every member's data is split between the ranks."""
    result = harness_cli(
        "run",
        "--model",
        str(tiny_model),
        "--intermediate",
        "mnli+qqp",
        "--targets",
        "xnli",
        "--languages",
        "en",
        "--epochs",
        "1",
        "--batch-size",
        "16",
        "--max-train-examples",
        "64",
        "--accelerator",
        "cpu",
        "--devices",
        "2",  # strategy auto: Lightning picks DDP, which must tolerate the idle head
        "--run-id",
        "ddp-mt",
        "--no-progress",
    )
    assert result.returncode == 0, result.stderr[-3000:]
    # one process would take 64/16 = 4 batches per member; each of 2 ranks takes 2 per member
    assert "trained mnli+qqp: 4 steps" in result.stderr, result.stderr[-3000:]
    records = json.loads(Path("runs/ddp-mt/results.json").read_text())["records"]
    assert {(r["target"], r["role"]) for r in records} == {
        ("mnli", "intermediate"),
        ("qqp", "intermediate"),
        ("xnli", "target"),
    }
