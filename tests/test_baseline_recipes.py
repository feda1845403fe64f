"""A suite's baseline recipe (``baseline_intermediates``): the task its benchmark trains
before a target when a run has no intermediate task (XTREME-R: SIQA before XCOPA)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from harness.cli import main
from harness.errors import HarnessError
from harness.planning import Planner, RunConfig
from harness.registry import load_registry
from harness.reporting.records import Record
from harness.validation import errors

SUITES = Path(__file__).parents[1] / "plugins" / "suites"


def recipe_suite(tmp_path: Path, recipe: str = "mnli") -> Path:
    """xtreme-zs with pawsx trained after ``recipe`` in the baseline."""
    data = json.loads((SUITES / "xtreme_zs.json").read_text())
    data.update(name="recipe-test", baseline_intermediates={"pawsx": recipe})
    path = tmp_path / "recipe-test.json"
    path.write_text(json.dumps(data))
    return path


def plan(suite: Path, **kw):
    config = RunConfig(suite=str(suite), targets=["xnli", "pawsx"], data="sample", **kw)
    return Planner(load_registry(), config).plan()


def test_the_baseline_of_a_target_with_a_recipe_trains_the_recipe_first(tmp_path):
    planned = plan(recipe_suite(tmp_path))
    assert {t: task.name for t, task in planned.recipes.items()} == {"pawsx": "mnli"}
    # the recipe task is a phase of its own, with its hyper-parameters and data
    assert ("mnli", "intermediate") in [(t.name, r) for t, r in planned.phases()]
    assert "mnli" in planned.hparams and "mnli" in planned.sources


def test_no_recipe_without_a_baseline_or_when_turned_off(tmp_path):
    suite = recipe_suite(tmp_path)
    assert plan(suite, intermediates=["qqp"]).recipes == {}
    assert plan(suite, baseline_recipes=False).recipes == {}
    assert plan(SUITES / "xtreme_zs.json").recipes == {}


def test_a_recipe_that_is_no_intermediate_task_is_a_one_line_error(tmp_path):
    with pytest.raises(HarnessError, match=r"baseline_intermediates\.pawsx names 'xnli'"):
        plan(recipe_suite(tmp_path, "xnli"))
    with pytest.raises(HarnessError, match=r"baseline_intermediates\.pawsx: .*nosuch"):
        plan(recipe_suite(tmp_path, "nosuch"))


def test_xtreme_r_trains_xcopa_after_siqa_as_its_official_script():
    suite = load_registry().suite("xtreme-r")
    assert suite.baseline_intermediates == {"xcopa": "socialiqa"}


def test_a_recipe_run_records_it_and_reuses_one_checkpoint(tiny_model, tmp_path, capsys):
    suite = recipe_suite(tmp_path)
    args = ["run", "--suite", str(suite), "--model", str(tiny_model), "--targets", "xnli"]
    args += ["pawsx", "--languages", "en", "--epochs", "1", "--max-train-examples", "32"]
    assert main([*args, "--run-id", "recipe", "--no-progress"]) == 0, capsys.readouterr().err
    out = capsys.readouterr().err  # progress goes to stderr
    assert "target phase: pawsx (from mnli checkpoint: the suite's baseline recipe)" in out
    run = Path("runs/recipe")
    document = json.loads((run / "results.json").read_text())
    assert errors(document, "results") == []
    records = document["records"]
    by_target = {(r["role"], r["target"]): r.get("recipe") for r in records}
    assert by_target == {
        ("intermediate", "mnli"): None,
        ("target", "xnli"): None,
        ("target", "pawsx"): "mnli",
    }
    # the baseline row stays the baseline: no intermediate, the recipe named beside it
    pawsx = next(r for r in records if r["target"] == "pawsx")
    assert pawsx["intermediate"] is None
    assert Record.from_dict(pawsx, validate=True).to_dict() == pawsx
    manifest = json.loads((run / "run.json").read_text())
    assert manifest["config"]["baseline_recipes"] == {"pawsx": "mnli"}
    assert errors(manifest, "run") == []
    assert (run / "checkpoints" / "mnli-seed0").is_dir()

    # turned off: pawsx starts from the pretrained encoder and no record names a recipe
    off = [*args, "--run-id", "plain", "--no-baseline-recipes", "--no-progress"]
    assert main(off) == 0, capsys.readouterr().err
    records = json.loads(Path("runs/plain/results.json").read_text())["records"]
    assert {r["target"] for r in records} == {"xnli", "pawsx"}
    assert all("recipe" not in r for r in records)
