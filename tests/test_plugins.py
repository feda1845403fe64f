"""Discovery: built-ins through entry points, third-party plugins in-process, broken plugins."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

import harness
from harness.cli import main
from harness.registry import load_registry

sys.path.insert(0, str(Path(__file__).parent / "toy_plugin"))


def test_builtins_register_through_entry_points():
    registry = load_registry()
    assert {"xnli", "pawsx", "mnli", "anli+", "qqp"} <= set(registry.tasks)
    assert "xtreme-zs" in registry.suites and "accuracy" in registry.evaluators
    assert registry.model("minilm").name == "minilm"
    by_name = {p.name: p for p in registry.plugins}
    assert by_name["classification"].package == "harness"
    assert by_name["classification"].module == "harness_builtins.tasks.classification"
    # the core imports no built-in plugin by name
    core = Path(harness.__file__).parent
    assert not any("harness_builtins" in p.read_text() for p in core.glob("*.py"))
    assert load_registry(entrypoints=False).tasks == {}


def test_any_hub_id_or_folder_is_served_by_the_hf_plugin(tiny_model):
    registry = load_registry()
    assert registry.model("xlm-roberta-large").name == "xlm-roberta-large"
    assert registry.model("FacebookAI/xlm-roberta-base").name == "hf"
    assert registry.model(str(tiny_model)).name == "hf"
    with pytest.raises(harness.HarnessError, match="unknown model 'no-such-model'"):
        registry.model("no-such-model")


def test_broken_plugin_is_reported_and_harness_keeps_working(monkeypatch, capsys):
    monkeypatch.setenv("HARNESS_PLUGINS", "broken_plugin")
    assert main(["plugins"]) == 0
    out = capsys.readouterr().out
    assert (
        "broken_plugin" in out and "FAILED: RuntimeError: this plugin is broken on purpose" in out
    )
    assert main(["list"]) == 0
    captured = capsys.readouterr()
    assert "xnli" in captured.out
    assert "warning: plugin 'broken_plugin'" in captured.err


def test_plugin_raising_while_registering_is_isolated():
    class Faulty:
        @harness.hookimpl
        def register_tasks(self, register):
            raise ValueError("bad metadata")

    registry = load_registry(extra_plugins=[Faulty()])
    faulty = next(p for p in registry.plugins if p.name == "Faulty")
    assert faulty.error == "in register_tasks: ValueError: bad metadata"
    assert "xnli" in registry.tasks


def test_duplicate_task_name_is_reported_against_the_newcomer():
    from harness_builtins.tasks.classification import XNLI

    class Clash:
        @harness.hookimpl
        def register_tasks(self, register):
            register(XNLI)

    registry = load_registry(extra_plugins=[Clash()])
    clash = next(p for p in registry.plugins if p.name == "Clash")
    assert "task 'xnli' is already registered by plugin 'classification'" in clash.error


def test_third_party_task_runs_end_to_end_without_touching_the_core(tiny_model, capsys):
    import toy_sentiment

    code = main(
        ["run", "--suite", "toy", "--model", str(tiny_model), "--run-id", "toy", "--no-progress"],
        plugins=[toy_sentiment],
    )
    assert code == 0, capsys.readouterr().err
    results = json.loads(Path("runs/toy/results.json").read_text())
    records = results["records"]
    assert {(r["target"], r["language"], r["split"]) for r in records} == {
        ("toy-sentiment", lang, split) for lang in ("en", "de") for split in ("dev", "test")
    }
    en_dev = next(r for r in records if (r["language"], r["split"]) == ("en", "dev"))
    assert en_dev["n_examples"] == 9 and en_dev["main"] and en_dev["intermediate"] is None
    assert (
        Path("runs/toy/predictions/none/seed0/toy-sentiment/test-de.tsv").read_text().count("\n")
        == 9
    )
    assert main(["list"], plugins=[toy_sentiment]) == 0
    assert "toy-sentiment" in capsys.readouterr().out
