"""``harness.resume`` without the command line: what a re-run of a run id keeps, on a run
folder written by the test (sample data, nothing trained)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from harness.errors import HarnessError
from harness.planning import Planner, RunConfig, checked_config
from harness.registry import load_registry
from harness.results import RunDir, read_results
from harness.resume import lost_encoder, owed, resume, run_manifest

FINISHED = ["seed0/none/xnli", "seed0/intermediate/mnli", "seed0/mnli/xnli", "seed0/mnli/pawsx"]


@pytest.fixture(scope="module")
def registry():
    return load_registry()


def _setup(registry, completed: list[str]):
    config = checked_config(
        RunConfig(
            intermediates=["none", "mnli"], targets=["xnli", "pawsx"], data="sample", run_id="r"
        )
    )
    plan = Planner(registry, config).plan()
    run = RunDir(Path("runs"), "r")
    run.path.mkdir(parents=True)
    manifest = run_manifest(plan, config, registry, [], "r")
    run.write_manifest({**manifest, "completed": completed, "status": "interrupted"})
    run.add_records([_record(key) for key in completed])
    return config, plan, run


def _record(key: str) -> dict:
    seed, inter, task = key.split("/")
    return {
        "suite": "xtreme-zs", "model": "minilm", "target": task,
        "role": "intermediate" if inter == "intermediate" else "target",
        "intermediate": None if inter in ("none", "intermediate") else inter,
        "language": "en", "split": "dev", "metric": "accuracy", "value": 50.0, "main": True,
        "seed": int(seed.removeprefix("seed")), "run_id": "r", "n_examples": 10,
    }  # fmt: skip


def _rows(task, split, language, source):
    return task.load(split, language, source)


def test_a_phase_whose_records_are_gone_reruns_with_the_targets_trained_from_it(registry):
    config, plan, run = _setup(registry, FINISHED)
    kept = [r for r in read_results(run.results_file)[0] if r["target"] != "mnli"]
    run.results_file.unlink()
    RunDir(Path("runs"), "r").add_records(kept)  # mnli's records lost
    said: list[str] = []
    manifest = run_manifest(plan, config, registry, [], "r")
    done = resume(run, manifest, plan, config, _rows, said.append)
    assert done == {"seed0/none/xnli"}
    assert [r["target"] for r in run.records] == ["xnli"] and run.records[0]["intermediate"] is None
    assert manifest["created"] == json.loads(run.manifest_file.read_text())["created"]
    assert "recomputing 3 phases run.json lists as finished" in said[0]
    assert said[-1] == "resuming run r: 1 finished phases are kept"


def test_every_phase_of_the_sample_grid_owes_records(registry):
    config, plan, _ = _setup(registry, [])
    assert owed(plan, [0, 1], _rows) == {
        f"seed{s}/{k}": True
        for s in (0, 1)
        for k in ("none/xnli", "none/pawsx", "intermediate/mnli", "mnli/xnli", "mnli/pawsx")
    }


def test_a_missing_encoder_forgets_its_intermediate_and_the_targets_from_it(registry):
    _, plan, run = _setup(registry, FINISHED)
    run.records = [_record(k) for k in FINISHED]
    mnli = next(i for i in plan.intermediates if i is not None)
    done, said = set(FINISHED), []
    assert lost_encoder(run, mnli, 0, done, said.append)
    assert done == {"seed0/none/xnli"} and [r["target"] for r in run.records] == ["xnli"]
    assert "retraining mnli and recomputing the 2 finished target phases" in said[0]
    checkpoint = run.checkpoint_dir("mnli-seed0")
    checkpoint.mkdir(parents=True)
    (checkpoint / "model.safetensors").write_bytes(b"x")
    done = set(FINISHED)
    assert not lost_encoder(run, mnli, 0, done, said.append) and done == set(FINISHED)


def test_results_without_a_manifest_or_an_unreadable_manifest_refuse_to_resume(registry):
    config, plan, run = _setup(registry, [])
    manifest = run_manifest(plan, config, registry, [], "r")
    run.manifest_file.write_text("{not json")
    with pytest.raises(HarnessError, match=r"run\.json: unreadable .*use another --run-id"):
        resume(run, manifest, plan, config, _rows, print)
    run.manifest_file.unlink()
    with pytest.raises(HarnessError, match="exists without run.json; use another --run-id"):
        resume(run, manifest, plan, config, _rows, print)
    run.results_file.unlink()
    assert resume(run, manifest, plan, config, _rows, print) == set()
