"""Phases on a tiny random model: intermediate once, carry-over, records, manifest, predictions."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import torch

from harness.cli import main
from harness.errors import HarnessError
from harness.registry import load_registry
from harness.validation import errors


def test_intermediate_then_targets(tiny_model, capsys):
    code = main(
        [
            "run",
            "--model",
            str(tiny_model),
            "--intermediate",
            "none",
            "mnli",
            "--targets",
            "xnli",
            "pawsx",
            "--languages",
            "en",
            "de",
            "--epochs",
            "1",
            "--run-id",
            "grid",
            "--max-train-examples",
            "64",
            "--no-progress",
        ]
    )
    assert code == 0, capsys.readouterr().err
    run = Path("runs/grid")
    records = json.loads((run / "results.json").read_text())["records"]
    assert errors(json.loads((run / "results.json").read_text()), "results") == []
    # the intermediate task's own validation score is a record like any other
    own = [r for r in records if r["role"] == "intermediate"]
    assert [(r["target"], r["split"], r["language"]) for r in own] == [("mnli", "dev", "en")]
    targets = {
        (r["intermediate"], r["target"], r["language"], r["split"])
        for r in records
        if r["role"] == "target"
    }
    assert targets == {
        (i, t, lg, s)
        for i in (None, "mnli")
        for t in ("xnli", "pawsx")
        for lg in ("en", "de")
        for s in ("dev", "test")
    }
    # trained once, reused by both targets
    assert [p.name for p in (run / "checkpoints").iterdir()] == ["mnli-seed0"]
    manifest = json.loads((run / "run.json").read_text())
    assert errors(manifest, "run") == [] and manifest["status"] == "finished"
    assert manifest["config"]["intermediates"] == [None, "mnli"]
    files = {Path(f["source"]).name for f in manifest["data_files"]}
    assert {"train.tsv", "dev_matched.tsv", "train-en.tsv", "test-de.tsv"} <= files
    assert all(len(f["sha256"]) == 64 for f in manifest["data_files"])
    assert "torch" in manifest["packages"] and "transformers" in manifest["packages"]
    # XTREME submission format: one label per line, as many lines as examples
    test_de = run / "predictions/mnli/seed0/xnli/test-de.tsv"
    lines = test_de.read_text().splitlines()
    assert len(lines) == 30 and set(lines) <= {"entailment", "neutral", "contradiction"}


def test_suite_targets_without_a_plugin_are_reported_not_scored(tmp_path):
    from harness.runner import RunConfig, Runner, summary_table

    suite = tmp_path / "s.json"
    suite.write_text(json.dumps({"name": "s", "description": "x", "targets": ["xnli", "nope"]}))
    plan = Runner(load_registry(), RunConfig(suite=str(suite))).plan()
    assert [t.name for t in plan.targets] == ["xnli"] and plan.unavailable == ["nope"]
    assert "nope: not yet available" in summary_table([], plan.unavailable)


def test_carry_over_keeps_encoder_and_resets_head(tiny_model, tmp_path):
    registry = load_registry()
    plugin = registry.model(str(tiny_model))
    first = plugin.build(str(tiny_model), "sequence-classification", 3, None)
    with torch.no_grad():
        for p in first.parameters():
            p.add_(0.5)
    plugin.save_encoder(first, tmp_path / "enc")
    second = plugin.build(str(tiny_model), "sequence-classification", 3, tmp_path / "enc")
    for (name, a), b in zip(
        first.base_model.state_dict().items(), second.base_model.state_dict().values(), strict=False
    ):
        assert torch.equal(a, b), name
    assert not torch.equal(first.classifier.weight, second.classifier.weight)
    assert not any(
        p.name == "model.safetensors" and "classifier" in p.read_bytes()[:4096].decode("latin-1")
        for p in (tmp_path / "enc").iterdir()
    )


def test_tokenised_data_is_cached_by_datasets(tiny_model, tmp_path):
    from harness.data import encode
    from harness.tasks import DataSource

    registry = load_registry()
    task = registry.task("xnli")
    tokenizer = registry.model(str(tiny_model)).tokenizer(str(tiny_model))
    rows = task.load("dev", "en", DataSource("local", task.sample_root))
    first = encode(task, rows, tokenizer, 64, tmp_path, "k1")
    cached = list(tmp_path.glob("encoded-*.arrow"))
    assert len(cached) == 1
    mtime = cached[0].stat().st_mtime_ns
    again = encode(task, rows, tokenizer, 64, tmp_path, "k1")
    assert list(tmp_path.glob("encoded-*.arrow")) == cached  # second call: read from cache
    assert cached[0].stat().st_mtime_ns == mtime and again["input_ids"] == first["input_ids"]
    encode(task, rows, tokenizer, 32, tmp_path, "k1")  # another length: another cache entry
    assert len(list(tmp_path.glob("encoded-*.arrow"))) == 2
    assert max(first["length"]) <= 64


def test_batches_are_dynamically_padded_and_length_grouped(tiny_model, tmp_path):
    from harness.data import PhaseDataModule, encode
    from harness.tasks import DataSource

    registry = load_registry()
    task = registry.task("xnli")
    tokenizer = registry.model(str(tiny_model)).tokenizer(str(tiny_model))
    train = encode(
        task,
        task.load("train", "en", DataSource("local", task.sample_root)),
        tokenizer,
        128,
        tmp_path,
        "t",
    )
    dm = PhaseDataModule(task.collator(tokenizer), train, batch_size=16, eval_batch_size=16, seed=0)
    widths = [b["input_ids"].shape[1] for b in dm.train_dataloader()]
    longest = max(train["length"])
    assert max(widths) <= longest + 7 and min(widths) < longest  # padded per batch, not globally
    ids = torch.cat([b["feature_index"] for b in dm.train_dataloader()]).tolist()
    assert sorted(ids) == list(range(len(train)))
    evals = list(dm.eval_dataloader(train))
    spread = [
        int(b["attention_mask"].sum(1).max() - b["attention_mask"].sum(1).min()) for b in evals
    ]
    assert max(spread) <= 3  # evaluation batches are sorted by length


def test_hparams_resolve_per_task(tmp_path):
    """defaults < suite < suite per task < sample < sample per task < command line."""
    from harness.runner import RunConfig, Runner

    suite = tmp_path / "s.json"
    suite.write_text(
        json.dumps(
            {
                "name": "s",
                "description": "x",
                "targets": ["xnli", "pawsx"],
                "hparams": {"epochs": 3, "max_length": 128},
                "task_hparams": {"pawsx": {"max_length": 256, "epochs": 4}},
                "sample_hparams": {"epochs": 5},
                "sample_task_hparams": {"xnli": {"learning_rate": 1e-3}},
            }
        )
    )
    config = RunConfig(suite=str(suite), hparams={"batch_size": 7})
    plan = Runner(load_registry(), config).plan()
    xnli, pawsx = plan.hparams["xnli"], plan.hparams["pawsx"]
    assert (xnli["epochs"], xnli["max_length"], xnli["learning_rate"]) == (5, 128, 1e-3)
    assert (pawsx["epochs"], pawsx["max_length"], pawsx["learning_rate"]) == (5, 256, 2e-5)
    assert xnli["batch_size"] == pawsx["batch_size"] == 7
    real = Runner(load_registry(), RunConfig(suite=str(suite), data=str(tmp_path))).plan()
    assert real.hparams["pawsx"]["epochs"] == 4 and real.hparams["xnli"]["epochs"] == 3


def test_bootstrap_replicates_are_paired_and_exact():
    """Same split -> same resamples for every system; each replicate is the metric on one."""
    import numpy as np

    from harness.runner import bootstrap

    accuracy = load_registry().evaluator("accuracy")
    gold = ["a", "b", "a", "b", "a", "a", "b", "b", "a", "b"]
    system_1 = ["a", "b", "b", "b", "a", "a", "a", "b", "a", "b"]
    system_2 = list(gold)
    reps_1 = bootstrap(accuracy, system_1, gold, "en", "accuracy", 50, key="t|test|en")
    reps_2 = bootstrap(accuracy, system_2, gold, "en", "accuracy", 50, key="t|test|en")
    assert reps_2 == [100.0] * 50
    assert reps_1 == bootstrap(accuracy, system_1, gold, "en", "accuracy", 50, key="t|test|en")
    assert reps_1 != bootstrap(accuracy, system_1, gold, "en", "accuracy", 50, key="t|test|de")
    # recompute replicate 0 by hand from the same index stream
    import hashlib

    seed = int(hashlib.sha256(b"t|test|en|10").hexdigest()[:12], 16)
    index = np.random.default_rng(seed).integers(0, 10, 10)
    expected = sum(system_1[i] == gold[i] for i in index) / 10 * 100
    assert reps_1[0] == expected
    assert 0 < np.mean(reps_1) < 100


def test_preset_applies_over_suite_and_below_flags(tmp_path, capsys):
    from harness.runner import RunConfig, Runner

    preset = tmp_path / "p.json"
    preset.write_text(
        json.dumps(
            {
                "name": "p",
                "description": "x",
                "hparams": {"learning_rate": 3e-6, "epochs": 9},
                "task_hparams": {"mnli": {"batch_size": 4}},
            }
        )
    )
    config = RunConfig(
        preset=str(preset), intermediates=["mnli@de"], hparams={"epochs": 1}, data=str(tmp_path)
    )
    with pytest.raises(HarnessError, match="no data in de"):  # no translated/de/ folder
        Runner(load_registry(), config).plan()
    config.intermediates = ["mnli"]
    plan = Runner(load_registry(), config).plan()
    assert plan.hparams["xnli"]["learning_rate"] == 3e-6 and plan.hparams["xnli"]["epochs"] == 1
    assert plan.hparams["mnli"]["batch_size"] == 4 and plan.hparams["xnli"]["batch_size"] == 32
    preset.write_text(json.dumps({"name": "p", "description": "x", "hparams": {"epochs": 0}}))
    code = main(["run", "--preset", str(preset)])
    assert code == 2 and "p.json: invalid preset file: hparams/epochs" in capsys.readouterr().err
    code = main(["run", "--preset", "papr"])
    assert code == 2 and "unknown preset 'papr'" in capsys.readouterr().err


def test_multitask_phases_let_any_ddp_strategy_skip_unused_heads():
    from harness.training import allowing_unused_parameters as _allowing_unused_parameters

    assert _allowing_unused_parameters("ddp") == "ddp_find_unused_parameters_true"
    assert _allowing_unused_parameters("ddp_spawn") == "ddp_spawn_find_unused_parameters_true"
    assert _allowing_unused_parameters("ddp_find_unused_parameters_true").endswith("_true")
    assert _allowing_unused_parameters("auto") == "auto"  # resolved once Lightning picks one
    assert _allowing_unused_parameters("fsdp") == "fsdp"
