"""``harness plan``: the phases a run would run after resume and sharding, with their sizes
and projected time; nothing trained, no run folder created."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from harness.cli import main
from harness.devices import BatchPlan
from harness.plan_report import format_plan, optimizer_steps, plan_report
from harness.planning import Planner, RunConfig, checked_config, manifest_config
from harness.registry import load_registry
from harness.results import RunDir
from harness.resume import lost_encoder, resume, run_manifest

GRID = ["--intermediate", "none", "mnli", "--targets", "xnli", "pawsx", "--data", "sample"]
ALL_KEYS = {
    "seed0/none/xnli",
    "seed0/none/pawsx",
    "seed0/intermediate/mnli",
    "seed0/mnli/xnli",
    "seed0/mnli/pawsx",
}


@pytest.fixture(scope="module")
def registry():
    return load_registry()


def config(**kw) -> RunConfig:
    return RunConfig(intermediates=["none", "mnli"], targets=["xnli", "pawsx"], data="sample", **kw)


def plan_json(capsys, *args: str) -> dict:
    assert main(["plan", *GRID, "--json", *args]) == 0
    return json.loads(capsys.readouterr().out)


def keys(report: dict) -> list[str]:
    return [p["key"] for p in report["phases"]]


def fake_run(registry, run_id: str, completed: list[str], checkpoint: bool = True) -> RunDir:
    """A run folder as the runner leaves it after finishing ``completed`` (records included)."""
    cfg = checked_config(config(run_id=run_id))
    plan = Planner(registry, cfg).plan()
    run = RunDir(Path("runs"), run_id)
    run.path.mkdir(parents=True)
    manifest = {
        "format": "harness.run/1",
        "run_id": run_id,
        "created": "2026-01-01T00:00:00+00:00",
        "status": "interrupted",
        "completed": completed,
        "config": {**manifest_config(plan, cfg), "trainer": {}},
        "packages": {},
        "plugins": [],
        "data_files": [],
    }
    run.write_manifest(manifest)
    records = []
    for key in completed:
        seed, inter, task = key.split("/")
        role = "intermediate" if inter == "intermediate" else "target"
        records.append(
            {
                "suite": "xtreme-zs", "model": "minilm", "target": task, "role": role,
                "intermediate": None if inter in ("none", "intermediate") else inter,
                "language": "en", "split": "dev", "metric": "accuracy", "value": 50.0,
                "main": True, "seed": int(seed.removeprefix("seed")), "run_id": run_id,
                "n_examples": 10,
            }
        )  # fmt: skip
    run.add_records(records)
    if checkpoint and "seed0/intermediate/mnli" in completed:
        (run.checkpoint_dir("mnli-seed0") / "model.safetensors").parent.mkdir(parents=True)
        (run.checkpoint_dir("mnli-seed0") / "model.safetensors").write_bytes(b"x")
    return run


def test_plan_of_a_new_grid_lists_every_phase_with_its_sizes(capsys):
    report = plan_json(capsys)
    # run order: the baseline's targets, then the intermediate and the targets trained from it
    assert keys(report) == [
        "seed0/none/xnli",
        "seed0/none/pawsx",
        "seed0/intermediate/mnli",
        "seed0/mnli/xnli",
        "seed0/mnli/pawsx",
    ]
    assert not Path("runs").exists()  # no run folder, not even the runs folder
    mnli, xnli = report["phases"][2], report["phases"][3]
    assert mnli["role"] == "intermediate" and mnli["intermediate"] is None
    assert xnli["intermediate"] == "mnli" and xnli["role"] == "target"
    # rows counted from the bundled files
    sample = Path(__file__).resolve().parent.parent / "plugins/tasks/data"
    train_lines = (sample / "xnli" / "train-en.tsv").read_text("utf-8").splitlines()
    assert xnli["train_rows"] == {"xnli": len(train_lines)}
    evals = {(e["split"], e["language"]): e["rows"] for e in xnli["eval"]}
    test_de = (sample / "xnli" / "test-de.tsv").read_text("utf-8").splitlines()
    assert evals[("test", "de")] == len(test_de) and ("dev", "sw") in evals
    assert [(e["split"], e["language"]) for e in mnli["eval"]] == [("dev", "en")]
    batch = xnli["batch"]["xnli"]
    steps = optimizer_steps(xnli["train_rows"]["xnli"], BatchPlan(**batch), xnli["epochs"])
    assert xnli["optimizer_steps"] == steps > 0
    # no earlier run measured this model: the time is unknown, not guessed
    assert xnli["projected_seconds"] is None and report["projected_seconds"] is None


def test_optimizer_steps_follow_the_batch_layout():
    one = BatchPlan(global_batch=32, per_device_batch=32, accumulation=1, world_size=1,
                    protocol_batch=32)  # fmt: skip
    four = BatchPlan(global_batch=32, per_device_batch=4, accumulation=2, world_size=4,
                     protocol_batch=32)  # fmt: skip
    assert optimizer_steps(100, one, 2) == 8  # ceil(100 / 32) per epoch
    assert optimizer_steps(100, four, 2) == 8  # 25 per rank, 7 batches, 4 steps per epoch
    assert optimizer_steps(64, one, 1) == 2


def test_plan_after_a_partial_run_skips_what_resume_keeps(registry, capsys):
    fake_run(registry, "r1", ["seed0/none/xnli", "seed0/intermediate/mnli"])
    report = plan_json(capsys, "--run-id", "r1")
    assert report["resuming"] and report["run_dir"] == str(Path("runs/r1"))
    # the finished target is skipped, the saved mnli encoder is reused
    assert keys(report) == ["seed0/none/pawsx", "seed0/mnli/xnli", "seed0/mnli/pawsx"]
    assert report["skipped"] == ["seed0/intermediate/mnli", "seed0/none/xnli"]
    assert sorted(Path("runs/r1").iterdir()) == sorted(
        Path("runs/r1") / n for n in ("run.json", "results.json", "checkpoints")
    )  # nothing written


def test_plan_retrains_an_intermediate_whose_checkpoint_is_gone(registry, capsys):
    fake_run(registry, "r2", ["seed0/intermediate/mnli", "seed0/mnli/xnli"], checkpoint=False)
    report = plan_json(capsys, "--run-id", "r2")
    assert set(keys(report)) == ALL_KEYS  # mnli and the target trained from it run again
    # the runner's own words (harness.resume.lost_encoder), as ``harness run`` would say them
    assert any("mnli-seed0 is missing: retraining mnli" in note for note in report["notes"])


def test_plan_reruns_finished_phases_whose_records_are_gone(registry, capsys):
    run = fake_run(registry, "r3", ["seed0/none/xnli", "seed0/none/pawsx"])
    run.records = []
    run.add_records([])  # results.json without the records of the listed phases
    report = plan_json(capsys, "--run-id", "r3")
    assert set(keys(report)) == ALL_KEYS
    assert any("recomputing 2 phases run.json lists as finished" in n for n in report["notes"])


def test_plan_notes_are_what_the_runners_resume_says(registry, capsys):
    """One set of skip rules: the plan's notes and kept phases are harness.resume's."""
    fake_run(registry, "r6", ["seed0/none/xnli", "seed0/intermediate/mnli"], checkpoint=False)
    report = plan_json(capsys, "--run-id", "r6")
    cfg = checked_config(config(run_id="r6"))
    plan = Planner(registry, cfg).plan()
    run = RunDir(Path("runs"), "r6")
    said: list[str] = []
    manifest = run_manifest(plan, cfg, registry, [], "r6")
    done = resume(
        run, manifest, plan, cfg, lambda t, s, lang, src: t.load(s, lang, src), said.append
    )
    assert lost_encoder(run, plan.intermediates[1], 0, done, said.append)
    assert report["notes"] == said and done == {"seed0/none/xnli"}
    assert report["skipped"] == ["seed0/none/xnli"]
    assert json.loads(run.manifest_file.read_text())["completed"] == [
        "seed0/none/xnli",
        "seed0/intermediate/mnli",
    ]  # neither the plan nor resume wrote run.json


def test_plan_with_auto_k_shows_what_each_target_trains_from(registry):
    choice = {
        "method": "semb", "k": 1, "candidates": ["mnli", "squad"], "seconds": 1.5,
        "targets": {
            "xnli": {"chosen": ["mnli"],
                     "ranking": [{"name": "mnli", "score": 0.9}, {"name": "squad", "score": 0.2}]},
            "pawsx": {"chosen": ["squad"],
                      "ranking": [{"name": "squad", "score": 0.7}, {"name": "mnli", "score": 0.4}]},
        },
    }  # fmt: skip
    cfg = RunConfig(
        intermediates=["auto:1", "mnli", "squad"],
        targets=["xnli", "pawsx"],
        data="sample",
        intermediate_choice=choice,
    )
    report = plan_report(registry, cfg)
    assert report["intermediate_choice"] == {"xnli": ["mnli"], "pawsx": ["squad"]}
    assert report["intermediate_ranking"] == choice
    assert keys(report) == [
        "seed0/none/xnli",
        "seed0/none/pawsx",
        "seed0/intermediate/mnli",
        "seed0/mnli/xnli",
        "seed0/intermediate/squad",
        "seed0/squad/pawsx",
    ]  # each target only after its own choice
    text = format_plan(report)
    assert "auto:1: ranked by semb in 1.5s" in text
    assert "  xnli: trains from mnli  [ranking: mnli 0.900, squad 0.200]" in text.splitlines()
    assert "  pawsx: trains from squad  [ranking: squad 0.700, mnli 0.400]" in text.splitlines()
    plain = plan_report(registry, config())
    assert plain["intermediate_ranking"] is None and "auto:" not in format_plan(plain)


def test_plan_refuses_a_run_id_started_with_another_configuration(registry, capsys):
    fake_run(registry, "r4", ["seed0/none/xnli"])
    assert main(["plan", *GRID, "--run-id", "r4", "--seed", "1"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: run 'r4' was started with another seeds") and "\n" not in err[:-1]


def test_plan_and_run_refuse_a_run_json_that_is_not_text(registry, capsys):
    run = fake_run(registry, "r7", ["seed0/none/xnli"])
    run.manifest_file.write_bytes(b"\xff\xfe{")
    assert main(["plan", *GRID, "--run-id", "r7"]) == 2
    err = capsys.readouterr().err
    last = err.splitlines()[-1]  # one line, no traceback
    assert last.startswith("error: ") and "run.json: unreadable" in last
    assert "Traceback" not in err


def test_shards_partition_the_grid(capsys):
    first = plan_json(capsys, "--shard", "1/2")
    second = plan_json(capsys, "--shard", "2/2")
    targets = [{k for k in keys(r) if "/intermediate/" not in k} for r in (first, second)]
    assert targets[0].isdisjoint(targets[1])
    assert targets[0] | targets[1] == {k for k in ALL_KEYS if "/intermediate/" not in k}
    # contiguous blocks in run order: the baseline in part 1, mnli and its targets in part 2
    assert keys(first) == ["seed0/none/xnli", "seed0/none/pawsx"]
    assert keys(second) == ["seed0/intermediate/mnli", "seed0/mnli/xnli", "seed0/mnli/pawsx"]
    assert first["outside_shard"] == 2 and second["outside_shard"] == 2


def test_a_shard_resumes_its_own_run_folder(registry, capsys):
    """``--run-id r --shard 2/2`` is the run folder r-shard2of2, as the runner names it."""
    report = plan_json(capsys, "--run-id", "r5", "--shard", "2/2")
    assert report["run_dir"] == str(Path("runs/r5-shard2of2")) and not report["resuming"]


def test_projected_time_uses_earlier_measured_throughput(registry, capsys):
    earlier = RunDir(Path("runs"), "earlier")
    earlier.add_timing(
        {"phase": "none-xnli-seed0", "task": "xnli", "model": "minilm", "features": 1000,
         "seconds": 10.0, "world_size": 1}
    )  # fmt: skip
    earlier.add_timing(
        {"phase": "mnli-seed0", "task": "mnli", "model": "other", "features": 10,
         "seconds": 10.0, "world_size": 1}
    )  # fmt: skip
    report = plan_json(capsys)
    by_key = {p["key"]: p for p in report["phases"]}
    xnli = by_key["seed0/none/xnli"]
    assert xnli["features_per_second"] == 100.0
    rows = xnli["train_rows"]["xnli"] * xnli["epochs"]
    assert xnli["projected_seconds"] == pytest.approx(rows / 100.0, abs=0.1)
    # pawsx was never measured for minilm: the model's other tasks give the estimate;
    # the other model's measurement is never used
    assert by_key["seed0/none/pawsx"]["features_per_second"] == 100.0
    assert report["projected_seconds"] == pytest.approx(
        sum(p["projected_seconds"] for p in report["phases"]), abs=0.5
    )
    assert not Path("runs/earlier/run.json").exists()


def test_plan_text_fits_a_terminal(registry):
    text = format_plan(plan_report(registry, config(shard=(2, 2))))
    lines = text.splitlines()
    assert all(len(line) <= 100 for line in lines), max(lines, key=len)
    assert lines[0].startswith("plan: a new run folder (new); model minilm, data sample")
    assert "shard 2/2: 2 grid cells belong to other shards" in text
    assert any(line.split()[:4] == ["0", "mnli", "xnli", "target"] for line in lines)
    assert "projected training time: unknown" in text


def test_a_multitask_intermediate_counts_every_members_rows(registry):
    cfg = RunConfig(intermediates=["mnli+squad"], targets=["xnli"], languages=["en"])
    report = plan_report(registry, cfg)
    multi = report["phases"][0]
    assert multi["task"] == "mnli+squad" and set(multi["train_rows"]) == {"mnli", "squad"}
    batches = sum(
        -(-multi["train_rows"][m] // multi["batch"][m]["per_device_batch"])
        for m in ("mnli", "squad")
    )
    assert multi["optimizer_steps"] == batches * multi["epochs"]  # one step per member batch
    assert {e["task"] for e in multi["eval"]} == {"mnli", "squad"}
    assert report["phases"][1]["intermediate"] == "mnli+squad"
