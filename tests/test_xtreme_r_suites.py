"""The XTREME-R suites: ``xtreme-r`` and the intermediate grid over its targets, which
names xtreme-r's scoring instead of repeating it (``"scoring": "xtreme-r"``)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from harness.cli import main
from harness.errors import HarnessError
from harness.planning import Planner, RunConfig
from harness.registry import load_registry

SUITES = Path(__file__).parents[1] / "plugins" / "suites"
XTREME_R_TASKS = {"xnli", "xcopa", "udpos", "panx", "xquad", "mlqa", "tydiqa", "tatoeba"}
XTREME_R_TASKS |= {"mewslix", "lareqa"}


@pytest.fixture(scope="module")
def registry():
    return load_registry()


def test_the_grid_uses_xtreme_r_scoring_and_recipe(registry):
    grid, plain = registry.suite("xtreme-r-intermediate"), registry.suite("xtreme-r")
    assert grid.scoring is plain.scoring and grid.scoring.name == "XTREME-R"
    assert set(grid.targets) == XTREME_R_TASKS == set(plain.scoring.order)
    assert grid.baseline_intermediates == plain.baseline_intermediates
    assert grid.intermediates[0] == "none" and len(grid.intermediates) == 10


def test_the_grid_plans_every_xtreme_r_target_in_its_languages(registry):
    plan = Planner(registry, RunConfig(suite="xtreme-r-intermediate")).plan()
    assert plan.unavailable == []
    assert {t.name for t in plan.targets} == XTREME_R_TASKS
    for task in plan.targets:  # the languages evaluate.py --xtreme_version xtreme-r scores
        spec = plan.suite.scoring.task(task.xtreme_name or task.name)
        assert set(plan.languages[task.name]) == set(spec.languages), task.name
    assert [t.name if t else None for t in plan.intermediates][:2] == [None, "anli+"]
    assert plan.recipes["xcopa"].name == "socialiqa"


def test_a_scoring_that_names_a_missing_suite_is_a_one_line_error(tmp_path, capsys):
    data = json.loads((SUITES / "xtreme-r-intermediate.json").read_text())
    data["scoring"] = "xtreme-q"
    path = tmp_path / "grid.json"
    path.write_text(json.dumps(data))
    with pytest.raises(
        HarnessError, match="scoring names suite 'xtreme-q', which is not installed"
    ):
        load_registry().suite(str(path))
    assert main(["plan", "--suite", str(path), "--data", "sample"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and err.count("\n") == 1


def test_the_leaderboard_shows_an_xtreme_r_table_beside_xtreme(registry, tmp_path):
    """Records of an XTREME-R run give an XTREME-R score table (its ten tasks, its groups:
    xcopa in two of them) computed over XTREME-R's languages."""
    from harness.leaderboard import regenerate
    from harness.results import RunDir

    scoring = registry.suite("xtreme-r").scoring
    common = {"suite": "xtreme-r", "model": "m", "intermediate": None, "role": "target",
              "split": "test", "seed": 0, "run_id": "r", "n_examples": 4, "data": "sample"}  # fmt: skip
    records, scores = [], {}
    for number, spec in enumerate(scoring.tasks):
        value = 10.0 + number
        metrics = spec.metrics
        for lg in spec.languages:
            for metric in metrics:  # QA: f1 = exact_match + 2, so the task score is value + 1
                shift = 2.0 if metric == "f1" and len(metrics) == 2 else 0.0
                records.append({**common, "target": spec.task, "language": lg, "metric": metric,
                                "value": value + shift, "main": metric == metrics[-1]})  # fmt: skip
        scores[spec.task] = value + (1.0 if len(metrics) == 2 else 0.0)
    RunDir(tmp_path / "runs", "r").add_records(records)
    regenerate([tmp_path / "runs"], tmp_path / "board", html=False, suites=registry.suites)
    text = (tmp_path / "board" / "README.md").read_text()
    assert "## XTREME-R score (evaluate.py definition)" in text
    table = text.split("## XTREME-R score")[1].split("\n## ")[0]
    header = next(line for line in table.splitlines() if line.startswith("| model"))
    assert "multi_choice" in header and "XTREME-R" in header
    overall = sum(scores[t] for t in scoring.order) / len(scoring.order)
    classification = (scores["xnli"] + scores["xcopa"]) / 2
    row = next(line for line in table.splitlines() if line.startswith("| m "))
    cells = [c.strip() for c in row.strip("|").split("|")]
    assert cells[-1] == f"{overall:.2f}"
    assert f"{classification:.2f}" in cells and f"{scores['xcopa']:.2f}" in cells
