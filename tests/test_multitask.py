"""Multi-task intermediate phases (shared encoder, per-task heads, sampling) and MLM co-training."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from harness.cli import main
from harness.multitask import MultiTaskLoader, sampling_probabilities, share_encoder
from harness.registry import load_registry


def test_sampling_shares():
    sizes = {"a": 100, "b": 25, "mlm": 400}
    assert sampling_probabilities(sizes, 1.0, {}) == pytest.approx(
        {"a": 100 / 525, "b": 25 / 525, "mlm": 400 / 525}
    )
    uniform_ish = sampling_probabilities(sizes, 1e9, {})
    assert max(uniform_ish.values()) - min(uniform_ish.values()) < 1e-6
    t2 = sampling_probabilities(sizes, 2.0, {})
    assert t2["a"] / t2["b"] == pytest.approx(2.0)  # sqrt(100 / 25)
    fixed = sampling_probabilities(sizes, 1.0, {"mlm": 0.2})
    assert fixed["mlm"] == pytest.approx(0.2)
    assert fixed["a"] / fixed["b"] == pytest.approx(4.0) and sum(fixed.values()) == pytest.approx(1)
    with pytest.raises(ValueError):
        sampling_probabilities(sizes, 1.0, {"mlm": 1.0})


def test_loader_draws_steps_by_share_and_cycles_small_tasks():
    loaders = {"a": [{"x": i} for i in range(30)], "b": [{"x": -i} for i in range(3)]}
    loader = MultiTaskLoader(loaders, {"a": 0.5, "b": 0.5}, seed=1)
    steps = list(loader)
    assert len(steps) == len(loader) == 33
    counts = {n: sum(s["task"] == n for s in steps) for n in loaders}
    assert 8 <= counts["b"] <= 25  # b is drawn about half the time, far more than 3 batches
    assert [s["x"] for s in steps if s["task"] == "b"][:6] == [0, -1, -2, 0, -1, -2]
    assert list(MultiTaskLoader(loaders, {"a": 0.5, "b": 0.5}, seed=1)) == steps  # seeded
    assert list(loader) != steps  # a new epoch draws a new order


def test_ranks_draw_the_same_tasks_from_disjoint_shards(monkeypatch):
    """Under DDP (simulated world of 2), each rank sees its own half of every member."""
    import torch
    from torch.utils.data import DataLoader, RandomSampler

    def loaders() -> dict[str, DataLoader]:
        def member(n: int, offset: int) -> DataLoader:
            generator = torch.Generator().manual_seed(7)  # every rank seeds alike
            data = [{"x": i} for i in range(offset, offset + n)]
            return DataLoader(data, batch_size=2, sampler=RandomSampler(data, generator=generator))

        return {"a": member(12, 0), "b": member(8, 100)}

    monkeypatch.setattr(torch.distributed, "is_initialized", lambda: True)
    monkeypatch.setattr(torch.distributed, "get_world_size", lambda: 2)
    seen = {}
    for rank in (0, 1):
        monkeypatch.setattr(torch.distributed, "get_rank", lambda rank=rank: rank)
        loader = MultiTaskLoader(loaders(), {"a": 0.5, "b": 0.5}, seed=3)
        assert len(loader) == 3 + 2  # half of 6 + 4 batches
        seen[rank] = [(step["task"], step["x"].tolist()) for step in loader]
    assert [t for t, _ in seen[0]] == [t for t, _ in seen[1]]  # same member at every step
    for name, size, offset, per_rank in (("a", 12, 0, 3), ("b", 8, 100, 2)):
        # the first pass through a member's shard (later draws cycle it again)
        passes = [[xs for t, xs in seen[r] if t == name][:per_rank] for r in (0, 1)]
        shards = [{x for xs in batches for x in xs} for batches in passes]
        assert not shards[0] & shards[1]
        if len(passes[0]) == per_rank:
            assert shards[0] | shards[1] == set(range(offset, offset + size))


def test_members_share_one_encoder(tiny_model):
    plugin = load_registry().model(str(tiny_model))
    cls = plugin.build(str(tiny_model), "sequence-classification", 3, None)
    mlm = plugin.build(str(tiny_model), "masked-lm", 0, None)
    share_encoder({"cls": cls, "mlm": mlm})
    assert mlm.base_model is cls.base_model
    shared = {id(p) for p in cls.base_model.parameters()}
    assert shared <= {id(p) for p in mlm.parameters()}
    assert id(cls.classifier.weight) not in {id(p) for p in mlm.parameters()}


def test_multitask_intermediate_with_mlm_end_to_end(tiny_model, capsys):
    args = ["run", "--model", str(tiny_model), "--intermediate", "mnli+mlm", "--targets", "xnli"]
    args += ["--languages", "en", "--epochs", "1", "--max-train-examples", "48"]
    args += ["--set", "mlm.mixing_weight=0.25", "--run-id", "mt", "--no-progress"]
    assert main(args) == 0
    err = capsys.readouterr().err
    assert "steps per task: mnli 75%, mlm 25%" in err
    records = json.loads(Path("runs/mt/results.json").read_text())["records"]
    own = [r for r in records if r["role"] == "intermediate"]
    assert {(r["intermediate"], r["target"], r["split"]) for r in own} == {
        ("mnli+mlm", "mnli", "dev")
    }
    targets = [r for r in records if r["role"] == "target"]
    assert {r["intermediate"] for r in targets} == {"mnli+mlm"}
    assert {r["intermediate_language"] for r in targets} == {"en+mul"}
    assert (Path("runs/mt/checkpoints/mnli+mlm-seed0") / "config.json").exists()
    manifest = json.loads(Path("runs/mt/run.json").read_text())
    assert manifest["config"]["settings"]["mlm"]["mixing_weight"] == 0.25
    assert "seed0/intermediate/mnli+mlm" in manifest["completed"]
