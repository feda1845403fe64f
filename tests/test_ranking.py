"""harness rank: the predictors, their scoring against measured results, and auto:K runs."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from harness.cli import main
from harness.errors import HarnessError
from harness.planning import Planner, RunConfig
from harness.ranking.auto import parse_auto
from harness.ranking.scoring import ndcg, random_regret, regret, spearman
from harness.registry import load_registry
from harness.validation import errors


# --------------------------------------------------------------------------- metrics
def test_regret_is_the_relative_gap_to_the_best_measured_score():
    scores = {"a": 80.0, "b": 60.0, "c": 40.0}
    assert regret(["b", "a", "c"], scores, 1) == pytest.approx(25.0)  # (80 - 60) / 80
    assert regret(["b", "a", "c"], scores, 3) == 0.0
    assert regret(["c", "b", "a"], scores, 2) == pytest.approx(25.0)
    assert math.isnan(regret(["a"], {"a": 0.0}, 1))
    # random choice of one: mean of 0, 25, 50 percent
    assert random_regret(scores, 1) == pytest.approx(25.0)
    assert random_regret(scores, 2) == pytest.approx((0 + 0 + 25) / 3)


def test_spearman_and_ndcg_of_perfect_reversed_and_tied_rankings():
    assert spearman([3, 2, 1], [30, 20, 10]) == pytest.approx(1.0)
    assert spearman([1, 2, 3], [30, 20, 10]) == pytest.approx(-1.0)
    assert math.isnan(spearman([1, 1, 1], [3, 2, 1]))
    gains = {"a": 2.0, "b": 0.0, "c": -1.0}  # relevance 3, 1, 0
    assert ndcg(["a", "b", "c"], gains) == pytest.approx(1.0)
    worst = (0 + 1 / math.log2(3) + 3 / math.log2(4)) / (3 + 1 / math.log2(3))
    assert ndcg(["c", "b", "a"], gains) == pytest.approx(worst)


# --------------------------------------------------------------------------- auto:K plans
def test_auto_spec_is_parsed_and_checked():
    assert parse_auto(["none", "mnli"]) is None
    assert parse_auto(["auto:2"]) == (2, "semb", None)
    assert parse_auto(["auto:1:taskemb", "mnli", "squad"]) == (1, "taskemb", ["mnli", "squad"])
    for bad in (["auto:0"], ["auto:x"], ["auto:2:nope"], ["auto:1", "auto:2"]):
        with pytest.raises(HarnessError):
            parse_auto(bad)


def _chosen_plan(shard=None):
    choice = {
        "method": "semb",
        "k": 2,
        "candidates": None,
        "targets": {
            "xnli": {"chosen": ["mnli", "qqp"], "ranking": []},
            "udpos": {"chosen": ["ccg", "mnli"], "ranking": []},
        },
    }
    config = RunConfig(
        targets=["xnli", "udpos"], intermediates=["auto:2"], intermediate_choice=choice, shard=shard
    )
    planner = Planner(load_registry(), config)
    return planner, planner.plan()


def test_auto_plan_pairs_each_target_with_its_own_choice_and_shards_split_only_those():
    planner, plan = _chosen_plan()
    assert [t.name if t else None for t in plan.intermediates] == [None, "mnli", "qqp", "ccg"]
    cells = planner.units(plan)
    assert cells == {
        (0, "none", "xnli"), (0, "mnli", "xnli"), (0, "qqp", "xnli"),
        (0, "none", "udpos"), (0, "mnli", "udpos"), (0, "ccg", "udpos"),
    }  # fmt: skip
    parts = [_chosen_plan((i, 3)) for i in (1, 2, 3)]
    shards = [p.units(pl) for p, pl in parts]
    assert set().union(*shards) == cells and sum(map(len, shards)) == len(cells)


# --------------------------------------------------------------------------- rank
def _rank(*args: str) -> int:
    return main(["rank", *args])


def test_rank_puts_a_task_first_against_itself_and_writes_a_valid_record(tiny_model, capsys):
    code = _rank(
        "--target", "xnli", "--candidates", "udpos", "xnli", "squad_v2", "mnli@sw",
        "--model", str(tiny_model), "--max-examples", "12", "--taskemb-steps", "2",
        "--rank-id", "r1",
    )  # fmt: skip
    out, err = capsys.readouterr()
    assert code == 0, err
    document = json.loads(Path("runs/r1/ranking.json").read_text())
    assert errors(document, "ranking") == []
    assert {e["method"] for e in document["rankings"]} == {"textemb", "semb", "taskemb"}
    for entry in document["rankings"]:
        names = [c["name"] for c in entry["candidates"]]
        assert sorted(names) == ["mnli@sw", "squad_v2", "udpos", "xnli"]
        assert names[0] == "xnli" and entry["candidates"][0]["score"] == pytest.approx(1.0)
    assert document["tasks"]["mnli@sw"]["language"] == "sw"
    assert set(document["seconds"]) >= {"data", "textemb", "semb", "taskemb", "total"}
    assert "xnli - semb" in out and "wall time:" in out
    # the two dataset embeddings pool differently, so their similarities differ
    sims = {
        e["method"]: {c["name"]: c["score"] for c in e["candidates"]} for e in document["rankings"]
    }
    assert sims["textemb"]["udpos"] != pytest.approx(sims["semb"]["udpos"], abs=1e-6)


def test_rank_mistakes_are_one_line(capsys):
    assert _rank("--target", "nope") == 2
    assert "nope" in capsys.readouterr().err
    assert _rank("--method", "semb") == 2  # no target, nothing to evaluate
    assert "--target" in capsys.readouterr().err


def _grid_records(model: str, gains: dict[str, float]) -> dict:
    records = []
    for inter, gain in {"none": 0.0, **gains}.items():
        for lang in ("en", "de"):
            records.append({
                "suite": "xtreme-zs", "model": model,
                "intermediate": None if inter == "none" else inter, "target": "xnli",
                "role": "target", "language": lang, "split": "test", "metric": "accuracy",
                "value": 50.0 + gain, "main": True, "seed": 0, "run_id": "g",
                "n_examples": 10, "data": "sample",
            })  # fmt: skip
    return {"format": "harness.results/1", "run_id": "g", "records": records}


def test_evaluate_scores_each_method_against_measured_improvements(tiny_model, capsys):
    grid = Path("grid/g")
    grid.mkdir(parents=True)
    gains = {"mnli": 4.0, "udpos": 2.0, "squad_v2": -1.0}
    (grid / "results.json").write_text(json.dumps(_grid_records(str(tiny_model), gains)))
    code = _rank(
        "--evaluate", "grid", "--model", str(tiny_model), "--max-examples", "8",
        "--method", "semb", "--rank-id", "ev", "--report", "ranking.md",
    )  # fmt: skip
    out, err = capsys.readouterr()
    assert code == 0, err
    order = [
        c["name"]
        for c in json.loads(Path("runs/ev/ranking.json").read_text())["rankings"][0]["candidates"]
    ]
    scores = {c: 50.0 + g for c, g in gains.items()}
    report = Path("ranking.md").read_text()
    rows = [[c.strip() for c in line.strip("|").split("|")] for line in report.splitlines()]
    cells = next(r for r in rows if r[:2] == ["xnli", "semb"])
    assert cells[2] == order[0] and cells[3] == "mnli"  # top-ranked, best measured
    assert float(cells[4]) == pytest.approx(regret(order, scores, 1), abs=0.01)
    assert float(cells[5]) == pytest.approx(0.0)  # three candidates: the best is in the top 3
    assert "random" in report and report in out


def test_a_ranking_saved_before_the_grid_is_scored_later_without_ranking_again(tiny_model, capsys):
    """The workflow the predictors exist for: rank, train the grid, then score that ranking."""
    code = _rank(
        "--target", "xnli", "--candidates", "mnli", "udpos", "squad_v2", "qqp",
        "--model", str(tiny_model), "--max-examples", "8", "--method", "semb",
        "--rank-id", "before",
    )  # fmt: skip
    assert code == 0, capsys.readouterr().err
    saved = Path("runs/before/ranking.json")
    order = [c["name"] for c in json.loads(saved.read_text())["rankings"][0]["candidates"]]
    grid = Path("grid/g")
    grid.mkdir(parents=True)
    gains = {"mnli": 4.0, "udpos": 2.0, "squad_v2": -1.0, "hellaswag": 9.0}  # hellaswag: unranked
    (grid / "results.json").write_text(json.dumps(_grid_records(str(tiny_model), gains)))
    capsys.readouterr()
    code = _rank("--evaluate", "grid", "--ranking", str(saved), "--report", "later.md")
    out, err = capsys.readouterr()
    assert code == 0, err
    assert sorted(p.name for p in Path("runs").iterdir()) == ["before"]  # nothing ranked anew
    assert f"ranking: {saved}" in out
    report = Path("later.md").read_text()
    rows = [[c.strip() for c in line.strip("|").split("|")] for line in report.splitlines()]
    header = next(r for r in rows if r[:2] == ["target", "metric"])
    assert header[5:] == ["mnli", "squad_v2", "udpos"]  # measured and ranked: qqp, hellaswag out
    both = [c for c in order if c in gains]
    cells = next(r for r in rows if r[:2] == ["xnli", "semb"])
    assert cells[2] == both[0] and cells[3] == "mnli"
    scores = {c: 50.0 + gains[c] for c in both}
    assert float(cells[4]) == pytest.approx(regret(both, scores, 1), abs=0.01)


def test_saved_ranking_mistakes_are_one_line(tmp_path, capsys):
    bad = tmp_path / "ranking.json"
    bad.write_text("{not json")
    assert _rank("--ranking", str(bad)) == 2
    assert "--evaluate" in capsys.readouterr().err
    Path("grid/g").mkdir(parents=True)
    Path("grid/g/results.json").write_text(json.dumps(_grid_records("m", {"a": 1.0, "b": 2.0})))
    assert _rank("--evaluate", "grid", "--ranking", str(bad)) == 2
    err = capsys.readouterr().err
    assert str(bad) in err and "cannot read" in err and "Traceback" not in err
    bad.write_text(json.dumps({"format": "harness.ranking/1"}))
    assert _rank("--evaluate", "grid", "--ranking", str(bad)) == 2
    assert "invalid ranking file" in capsys.readouterr().err


# --------------------------------------------------------------------------- auto:K run
def test_auto_2_trains_each_targets_predicted_top_two_plus_the_baseline(tiny_model, capsys):
    code = main(
        [
            "run", "--model", str(tiny_model), "--intermediate", "auto:2",
            "--targets", "xnli", "udpos", "--data", "sample", "--languages", "en",
            "--epochs", "1", "--max-train-examples", "8", "--run-id", "auto", "--no-progress",
        ]
    )  # fmt: skip
    assert code == 0, capsys.readouterr().err
    run = Path("runs/auto")
    config = json.loads((run / "run.json").read_text())["config"]
    ranking = config["intermediate_ranking"]
    assert ranking["method"] == "semb" and ranking["k"] == 2
    chosen = {t: ranking["targets"][t]["chosen"] for t in ("xnli", "udpos")}
    for target, names in chosen.items():
        order = [c["name"] for c in ranking["targets"][target]["ranking"]]
        assert names == order[:2] and len(order) > 2  # every registered intermediate ranked
    assert config["intermediate_choice"] == chosen
    records = json.loads((run / "results.json").read_text())["records"]
    pairs = {(r["intermediate"], r["target"]) for r in records if r["role"] == "target"}
    assert pairs == {(i, t) for t in chosen for i in [None, *chosen[t]]}
    trained = {r["intermediate"] or r["target"] for r in records if r["role"] == "intermediate"}
    assert trained <= {n for names in chosen.values() for n in names}
    # re-running the run id reuses the recorded ranking and has nothing left to do
    assert main(["run", "--model", str(tiny_model), "--intermediate", "auto:2", "--targets",
                 "xnli", "udpos", "--languages", "en", "--epochs", "1",
                 "--max-train-examples", "8", "--run-id", "auto", "--no-progress"]) == 0  # fmt: skip
    again = json.loads((run / "run.json").read_text())["config"]["intermediate_ranking"]
    assert again == ranking


def test_a_dual_encoder_target_is_ranked_by_embeddings_and_taskemb_says_why_not(tiny_model, capsys):
    code = _rank(
        "--target", "mewslix", "--candidates", "mnli", "squad",
        "--model", str(tiny_model), "--max-examples", "8", "--taskemb-steps", "1",
        "--rank-id", "dual",
    )  # fmt: skip
    out, err = capsys.readouterr()
    assert code == 0, err
    document = json.loads(Path("runs/dual/ranking.json").read_text())
    assert errors(document, "ranking") == []
    by_method = {e["method"]: e for e in document["rankings"]}
    for method in ("textemb", "semb"):
        assert sorted(c["name"] for c in by_method[method]["candidates"]) == ["mnli", "squad"]
    assert by_method["taskemb"]["candidates"] == []
    assert "does not model a 'dual-encoder' head" in by_method["taskemb"]["note"]
