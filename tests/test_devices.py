"""The global batch: one protocol on any number of devices, refused when it cannot hold."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from harness.cli import main
from harness.devices import split_global_batch
from harness.errors import HarnessError


def _has_gpu() -> bool:
    import torch

    return torch.cuda.is_available()


PRESET = Path(__file__).resolve().parent.parent / "plugins" / "suites" / "presets" / "paper.json"


def _layout(batch: int, accumulation: int, world: int) -> tuple[int, int, int]:
    _, plans = split_global_batch({"t": batch}, accumulation, world)
    plan = plans["t"]
    assert plan.per_device_batch * plan.accumulation * plan.world_size == plan.global_batch
    return plan.global_batch, plan.per_device_batch, plan.accumulation


@pytest.mark.parametrize(
    ("batch", "accumulation", "world", "expected"),
    [
        (4, 8, 1, (32, 4, 8)),  # paper xnli on one GPU: as jiant ran it
        (4, 8, 2, (32, 4, 4)),
        (4, 8, 8, (32, 4, 1)),
        (4, 4, 8, (16, 2, 1)),  # paper QA: the per-device batch shrinks, never grows
        (32, 1, 8, (32, 4, 1)),
        (6, 4, 8, (24, 3, 1)),
        (16, 1, 2, (16, 8, 1)),
        (5, 2, 2, (10, 5, 1)),
    ],
)
def test_global_batch_is_kept_and_per_device_batch_never_exceeds_the_declared_one(
    batch, accumulation, world, expected
):
    assert _layout(batch, accumulation, world) == expected
    assert expected[1] <= batch


@pytest.mark.parametrize(("batch", "accumulation", "world"), [(4, 8, 64), (4, 1, 8), (5, 1, 2)])
def test_a_global_batch_the_devices_do_not_divide_is_refused(batch, accumulation, world):
    with pytest.raises(HarnessError, match=f"cannot be split evenly over {world} devices"):
        split_global_batch({"t": batch}, accumulation, world)


def test_multitask_members_share_one_accumulation():
    steps, plans = split_global_batch({"a": 8, "b": 4}, 2, 4)
    assert steps == 1
    assert {n: (p.global_batch, p.per_device_batch) for n, p in plans.items()} == {
        "a": (16, 4),
        "b": (8, 2),
    }


def test_readme_states_the_paper_presets_layouts():
    """README's table of per-device values for 1, 8 and 64 GPUs is what the runner resolves."""
    preset = json.loads(PRESET.read_text("utf-8"))
    readme = (PRESET.parents[3] / "README.md").read_text("utf-8")
    base = preset["hparams"]
    task_hparams = preset["task_hparams"]
    cases = {
        "intermediate tasks": base,
        "xnli, pawsx, udpos, panx": base | task_hparams["xnli"],
        "xquad, mlqa, tydiqa": base | task_hparams["xquad"],
    }
    for group in ("xnli, pawsx, udpos, panx", "xquad, mlqa, tydiqa"):
        for task in group.split(", "):  # the tasks of a row share the batch values
            for key in ("batch_size", "accumulate_grad_batches"):
                assert (base | task_hparams[task]).get(key) == cases[group].get(key), task
    for name, hp in cases.items():
        cells = []
        for world in (1, 8, 64):
            try:
                _, per_device, accumulation = _layout(
                    hp["batch_size"], hp["accumulate_grad_batches"], world
                )
                cells.append(f"{per_device} × {accumulation}")
            except HarnessError:
                cells.append("refused")
        global_batch = hp["batch_size"] * hp["accumulate_grad_batches"]
        row = f"| {name} | {global_batch} | " + " | ".join(cells) + " |"
        assert row in readme, row


@pytest.mark.parametrize(
    ("args", "needles"),
    [
        (["--precision", "bogus"], ["--precision bogus", "Precision 'bogus' is invalid"]),
        (["--strategy", "bogus"], ["--strategy bogus", "invalid strategy"]),
        pytest.param(
            ["--accelerator", "gpu"],
            ["--accelerator gpu", "gpu"],
            marks=pytest.mark.skipif(_has_gpu(), reason="valid on a machine with a GPU"),
        ),
        (["--devices", "0"], ["--devices 0"]),
        (["--num-nodes", "0"], ["num_nodes"]),
        (
            ["--accelerator", "cpu", "--devices", "3", "--strategy", "ddp", "--batch-size", "16"],
            ["hyper-parameters of xnli", "global batch (xnli 16)", "over 3 devices"],
        ),
    ],
)
def test_trainer_options_are_checked_before_the_run_folder_exists(capsys, args, needles):
    code = main(["run", "--targets", "xnli", "--languages", "en", *args])
    err = capsys.readouterr().err
    assert code == 2, err
    lines = [line for line in err.splitlines() if line.startswith("error:")]
    assert len(lines) == 1 and "Traceback" not in err, err
    for needle in needles:
        assert needle in lines[0], lines[0]
    assert not Path("runs").exists()


def test_training_shard_takes_its_rank_when_iterating(monkeypatch):
    """Spawned/forked DDP workers receive a loader built in the parent (rank 0): the shard
    must come from the worker's own rank, read when iterating."""
    import datasets
    import torch

    from harness.data import PhaseDataModule

    train = datasets.Dataset.from_dict(
        {
            "input_ids": [[1] * (i % 7 + 1) for i in range(16)],
            "length": [i % 7 + 1 for i in range(16)],
        }
    ).add_column("feature_index", list(range(16)))
    data = PhaseDataModule(lambda rows: rows, train, 4, 4, seed=0, group_size=8)
    one = list(iter(data.train_dataloader(1).sampler))
    monkeypatch.setattr(torch.distributed, "is_initialized", lambda: True)
    shards = []
    for rank in (0, 1):  # each worker process: a copy of the loader built "in the parent"
        loader = data.train_dataloader(2)
        monkeypatch.setattr(torch.distributed, "get_rank", lambda rank=rank: rank)
        shards.append(list(iter(loader.sampler)))
    assert shards[0] == one[0::2] and shards[1] == one[1::2]  # one global order, split


def test_multitask_members_are_laid_out_within_their_phase_only(tmp_path):
    """A member's own accumulation does not apply inside a multi-task phase."""
    from harness.registry import load_registry
    from harness.runner import RunConfig, Runner

    suite = {
        "name": "mt",
        "description": "multi-task layout",
        "targets": ["xnli"],
        "intermediates": ["mnli+qqp"],
        "hparams": {"batch_size": 3, "accumulate_grad_batches": 1},
        "task_hparams": {"mnli+qqp": {"accumulate_grad_batches": 2}},
    }
    path = tmp_path / "mt.json"
    path.write_text(json.dumps(suite), "utf-8")
    config = RunConfig(
        suite=str(path),
        targets=["xnli"],
        languages=["en"],
        trainer={"accelerator": "cpu", "devices": 2, "strategy": "ddp"},
    )
    runner = Runner(load_registry(), config)
    with pytest.raises(HarnessError, match="hyper-parameters of xnli: global batch \\(xnli 3\\)"):
        runner.plan()  # xnli alone (3 x 1) cannot be split over 2: refused, named
    suite["task_hparams"]["xnli"] = {"batch_size": 4}
    path.write_text(json.dumps(suite), "utf-8")
    plan = runner.plan()
    layout = {n: (b.global_batch, b.per_device_batch, b.accumulation)
              for n, b in plan.multitask_batches["mnli+qqp"].items()}  # fmt: skip
    assert layout == {"mnli": (6, 3, 1), "qqp": (6, 3, 1)}
    assert set(plan.batches) == {"xnli"}  # members have no layout of their own


def test_world_size_counts_nodes():
    from harness.devices import world_size

    options = {"accelerator": "cpu", "devices": 2, "strategy": "ddp", "num_nodes": 2}
    assert world_size(options) == 4
