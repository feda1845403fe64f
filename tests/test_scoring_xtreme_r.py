"""``harness score --xtreme-version xtreme-r``: XTREME's evaluate.py ``--xtreme_version
xtreme-r``, to the last digit, and the ``map_at_k`` evaluator (Mewsli-X, LAReQA mAP@20).

Expected values are derived by hand from the official definitions (evaluate.py,
third_party/utils_mewslix.py, third_party/utils_lareqa.py) with the same float operations
in the same order, so equality is exact. The Mewsli-X fixture in tests/data/xtreme_mock is
the official mock submission; evaluate_test.py expects ``avg_map@20 == 14.39025156130419``.

The aggregation runs on "echo" tasks (values written in the prediction files) and is
checked against :func:`evaluate_py`, a restatement of evaluate.py's ``evaluate()``; the
real XCOPA, Mewsli-X and LAReQA tasks are scored from folders in their submission formats.
"""

from __future__ import annotations

import collections
import json
import re
import shutil
from pathlib import Path

import numpy as np
import pytest
from harness_builtins.evaluators.map_at_k import TOP_K, MapAtK, map_at_k
from test_scoring import Echo, EchoTask, average, write

import harness
from harness.cli import main
from harness.registry import load_registry
from harness.scoring import format_report, resolve_suite, score_folders

REGISTRY = load_registry()
R_SCORING = REGISTRY.suite("xtreme-r").scoring
R_SUITE, ZS_SUITE = REGISTRY.suite("xtreme-r").path, REGISTRY.suite("xtreme-zs").path
R_TASKS = R_SCORING.order
R_LANGUAGES = R_SCORING.languages
MOCK = Path(__file__).parent / "data" / "xtreme_mock"

# evaluate.py (google-research/xtreme) XTREME_R_TASK2LANGS and XTREME_R_GROUP2TASK
EVALUATE_PY_R_TASK2LANGS = {
    "xnli": "ar,bg,de,el,en,es,fr,hi,ru,sw,th,tr,ur,vi,zh",
    "panx": "ar,he,vi,id,jv,ms,tl,eu,ml,ta,te,af,nl,en,de,el,bn,hi,mr,ur,fa,fr,it,pt,es,bg,ru,"
    "ja,ka,ko,th,sw,yo,my,zh,kk,tr,et,fi,hu,qu,pl,uk,az,lt,pa,gu,ro",
    "udpos": "af,ar,bg,de,el,en,es,et,eu,fa,fi,fr,he,hi,hu,id,it,ja,kk,ko,mr,nl,pt,ru,ta,te,th,"
    "tl,tr,ur,vi,yo,zh,lt,pl,uk,wo,ro",
    "tatoeba": "ar,he,vi,id,jv,tl,eu,ml,ta,te,af,nl,de,el,bn,hi,mr,ur,fa,fr,it,pt,es,bg,ru,ja,"
    "ka,ko,th,sw,zh,kk,tr,et,fi,hu,az,lt,pl,uk,ro",
    "xcopa": "et,ht,id,it,qu,sw,ta,th,tr,vi,zh",
    "lareqa": "",
    "mewslix": "ar,de,en,es,fa,ja,pl,ro,ta,tr,uk",
    "xquad": "en,es,de,el,ru,tr,ar,vi,th,zh,hi,ro",
    "mlqa": "en,es,de,ar,hi,vi,zh",
    "tydiqa": "en,ar,bn,fi,id,ko,ru,sw,te",
}
EVALUATE_PY_R_GROUP2TASK = {
    "classification": ("xnli", "xcopa"),
    "tagging": ("udpos", "panx"),
    "qa": ("xquad", "mlqa", "tydiqa"),
    "retrieval": ("tatoeba", "mewslix"),
    "multi_choice": ("xcopa",),
}
XQUAD_R_LANGUAGES = ("ar", "de", "el", "en", "es", "hi", "ru", "th", "tr", "vi", "zh")
MEWSLIX_MOCK_AVG = 14.39025156130419  # evaluate_test.py XTREME_R_TASK2AVG_SCORES


# --------------------------------------------------------------------------- map_at_k
def test_one_gold_id_is_mewslix_reciprocal_rank():
    """utils_mewslix: 1.0 / rank of the gold id in the top 20, sum in order / count, x100."""
    preds = [["a", "b", "c"], ["x", "y"], ["q", "g", "g"], []]
    gold = [[" b "], ["z"], ["g"], ["a"]]  # the gold id is stripped, predictions are not
    assert map_at_k(preds, gold) == sum([1.0 / 2, 0.0, 1.0 / 2, 0.0]) / 4 * 100
    # a missing prediction (None) is an empty ranking, as predictions.get(id, [])
    assert map_at_k([None, ["a"]], [["a"], ["a"]]) == sum([0.0, 1.0 / 1]) / 2 * 100
    assert map_at_k([["b ", "b"]], [["b"]]) == 1.0 / 2 * 100  # predictions are not stripped


def test_only_the_top_k_count():
    ranking = [f"c{i}" for i in range(1, 31)]
    assert map_at_k([ranking], [["c20"]]) == 1.0 / 20 * 100
    assert map_at_k([ranking], [["c21"]]) == 0.0
    assert map_at_k([ranking], [["c21"]], k=25) == 1.0 / 21 * 100


def test_several_relevant_ids_is_lareqa_average_precision():
    """utils_lareqa.average_precision_at_k: hits/(i+1) at each new hit in the top k, over
    min(|relevant|, k); mean_avg_prec_at_k: numpy's mean of the per-query values."""
    # hits at ranks 1 and 3 (c repeated at rank 4 counts once); 3 relevant
    ap1 = (0.0 + 1.0 / (0 + 1.0) + 2.0 / (2 + 1.0)) / 3
    # no hit in the top 20 although relevant further down
    ap2 = 0.0 / 2
    # 25 relevant, the first 20 ranked all relevant: divided by min(25, 20)
    many = [f"r{i}" for i in range(25)]
    ap3 = sum(float(i + 1) / (i + 1.0) for i in range(20)) / 20
    preds = [["a", "x", "c", "c", "y"], [f"n{i}" for i in range(20)] + ["a"], many]
    gold = [["a", "b", "c"], ["a", "b"], many[::-1]]
    assert map_at_k(preds, gold) == float(np.mean(np.array([ap1, ap2, ap3]))) * 100
    assert ap3 == 1.0 and ap1 == (1.0 + 2.0 / 3.0) / 3


def test_lareqa_mean_is_numpys_pairwise_sum():
    """Many queries: numpy's pairwise summation, not the built-in sum, decides the last digit."""
    rng = np.random.default_rng(0)
    preds, gold, aps = [], [], []
    for _ in range(300):
        relevant = [f"c{i}" for i in rng.choice(60, size=int(rng.integers(2, 12)), replace=False)]
        ranking = [f"c{i}" for i in rng.permutation(60)]
        total, hits = 0.0, 0.0
        for i, c in enumerate(ranking[:20]):
            if c in relevant:
                hits += 1.0
                total += hits / (i + 1.0)
        aps.append(total / min(len(relevant), 20))
        preds.append(ranking)
        gold.append(relevant)
    assert map_at_k(preds, gold) == float(np.mean(np.array(aps))) * 100
    assert float(np.mean(np.array(aps))) * 100 != sum(aps) / len(aps) * 100  # order matters


@pytest.mark.parametrize(
    ("preds", "gold", "message"),
    [
        ([], [], "no queries to score"),
        ([["a"]], [["a"], ["b"]], "1 ranked lists for 2 queries"),
        ([["a"]], [[]], "query 1 has no gold id"),
        ([["a"], ["b"]], [["a"], None], "query 2 has no gold id"),
        ([{"a": 1}], [["a"]], "prediction 1 is not a list of ids"),
        ([["a"]], [[["a"]]], "gold entry 1 is not a list of ids"),
    ],
)
def test_user_errors_are_one_line(preds, gold, message):
    with pytest.raises(harness.HarnessError) as info:
        REGISTRY.evaluator("map_at_k").score(preds, gold, language="en")
    assert message in str(info.value) and "\n" not in str(info.value)


def test_the_evaluator_is_registered_and_k_is_a_field():
    evaluator = REGISTRY.evaluator("map_at_k")
    assert evaluator.metrics == ("map@20",) and evaluator.k == TOP_K == 20
    assert evaluator.score([["b", "a"]], [["a"]]) == {"map@20": 50.0}
    at5 = MapAtK(name="map_at_5", description="mAP@5", metrics=("map@5",), k=5)
    assert at5.score([["x"] * 5 + ["a"]], [["a"]]) == {"map@5": 0.0}


def _mock(kind: str, lang: str) -> dict[str, list[str]]:
    return json.loads((MOCK / kind / "mewslix" / f"test-{lang}.json").read_text("utf-8"))


def test_official_mewslix_mock_submission_gives_evaluate_test_number():
    """evaluate.py: utils_mewslix.evaluate per language (gold-file order), then the mean."""
    per_language = []
    for lang in R_LANGUAGES["mewslix"]:
        gold, pred = _mock("labels", lang), _mock("predictions", lang)
        per_language.append(
            map_at_k([pred.get(qid, []) for qid in gold], [ids[:1] for ids in gold.values()])
        )
    assert sum(per_language) / len(per_language) == MEWSLIX_MOCK_AVG
    assert per_language[1] == 1.0 / 2 * 100  # de: the gold entity ranked second


# --------------------------------------------------------------------------- the suite
def test_the_xtreme_r_suite_holds_evaluate_py_definitions():
    assert R_SCORING.name == "XTREME-R"
    assert list(R_TASKS) == list(EVALUATE_PY_R_TASK2LANGS)  # the same order
    for task, langs in EVALUATE_PY_R_TASK2LANGS.items():
        if task != "lareqa":
            assert ",".join(R_LANGUAGES[task]) == langs, task
            assert not R_SCORING.task(task).note, task
    assert {g.name: g.tasks for g in R_SCORING.groups} == EVALUATE_PY_R_GROUP2TASK
    metrics = {t.task: t.metrics for t in R_SCORING.tasks}
    assert {t for t, m in metrics.items() if m == ("exact_match", "f1")} == {
        "xquad",
        "mlqa",
        "tydiqa",
    }
    assert metrics["mewslix"] == metrics["lareqa"] == ("map@20",)
    # the one departure: evaluate.py lists no LAReQA language; we score XQuAD-R's eleven
    lareqa = R_SCORING.task("lareqa")
    assert lareqa.languages == XQUAD_R_LANGUAGES and "no LAReQA languages" in lareqa.note


def test_xtreme_version_selects_the_suite():
    assert resolve_suite(None, None) == "xtreme-zs"
    assert resolve_suite(None, "xtreme") == "xtreme-zs"
    assert resolve_suite(None, "xtreme-r") == resolve_suite("xtreme-r", "xtreme-r") == "xtreme-r"
    assert resolve_suite("my-suite", None) == "my-suite"
    with pytest.raises(harness.HarnessError, match="not --suite xtreme-zs; give one of the two"):
        resolve_suite("xtreme-zs", "xtreme-r")
    with pytest.raises(harness.HarnessError, match="unknown; choose xtreme or xtreme-r"):
        resolve_suite(None, "xtreme-s")


# --------------------------------------------------------------------------- echo tasks
def suffix(task: str) -> str:
    """evaluate.py ``get_suffix`` for XTREME-R (LAReQA: the dual encoders' .json)."""
    if task in EVALUATE_PY_R_GROUP2TASK["qa"] or task in ("mewslix", "lareqa"):
        return ".json"
    return ".jsonl" if task in EVALUATE_PY_R_GROUP2TASK["multi_choice"] else ".tsv"


class EchoPluginR:
    @harness.hookimpl
    def register_tasks(self, register):
        for name in R_TASKS:
            register(
                EchoTask(
                    name=f"echo-{name}",
                    description="echo",
                    languages=R_LANGUAGES[name],
                    xtreme_name=name,
                    prediction_suffix=suffix(name),
                )
            )

    @harness.hookimpl
    def register_evaluators(self, register):
        register(Echo(name="echo", description="echo", metrics=()))

    @harness.hookimpl
    def register_suites(self, register):
        register(R_SUITE)
        register(ZS_SUITE)


def echo_registry():
    return load_registry([EchoPluginR()], entrypoints=False)


def metrics_for(task: str, i: int) -> dict[str, float]:
    """Awkward values so that the summation order shows in the last digit."""
    base = 10 / 7 + i * 5 / 3
    if task in EVALUATE_PY_R_GROUP2TASK["qa"]:
        return {"exact_match": base, "f1": base + 100 / 9}
    if task in ("panx", "udpos"):
        return {"f1": base, "precision": base + 1 / 3, "recall": base - 1 / 7}
    if task in ("mewslix", "lareqa"):
        return {"map@20": base / 3}
    return {"accuracy": base}


def echo_folders(root: Path, tasks=R_TASKS) -> tuple[Path, Path, dict]:
    preds, labels, expected = root / "pred", root / "gold", {}
    for task in tasks:
        expected[task] = {}
        for i, lg in enumerate(R_LANGUAGES[task]):
            values = expected[task][lg] = metrics_for(task, i)
            lines = "".join(f"{k}={v!r}\n" for k, v in values.items())
            write(preds / task / f"test-{lg}{suffix(task)}", lines)
            write(labels / task / f"test-{lg}{suffix(task)}", "gold\n")
    return preds, labels, expected


def evaluate_py(per_task: dict[str, dict[str, dict[str, float]]], task2langs=None):
    """evaluate.py ``evaluate()`` (XTREME-R dictionaries) on per-language scores: returns
    (overall_scores, detailed_scores) as it does, KeyError included."""
    task2langs = task2langs or {
        t: ls.split(",") if ls else [] for t, ls in EVALUATE_PY_R_TASK2LANGS.items()
    }
    detailed = {}
    for task, langs in task2langs.items():
        if task not in per_task:
            continue
        score = collections.defaultdict(dict)
        for lg in langs:
            for metric, value in per_task[task][lg].items():
                score[metric][lg] = value
        score.update({f"avg_{m}": sum(score[m].values()) / len(score[m]) for m in list(score)})
        if task in EVALUATE_PY_R_GROUP2TASK["qa"]:
            score["avg_metric"] = (score["avg_exact_match"] + score["avg_f1"]) / 2
        elif "avg_f1" in score:
            score["avg_metric"] = score["avg_f1"]
        elif "avg_accuracy" in score:
            score["avg_metric"] = score["avg_accuracy"]
        elif "avg_map@20" in score:
            score["avg_metric"] = score["avg_map@20"]
        detailed[task] = dict(score)
    overall = {}
    if set(task2langs) == set(detailed):
        overall["all_task"] = sum(detailed[t]["avg_metric"] for t in task2langs) / len(task2langs)
    for group, tasks in EVALUATE_PY_R_GROUP2TASK.items():
        if not set(tasks) - set(detailed):
            overall[group] = sum(detailed[t]["avg_metric"] for t in tasks) / len(tasks)
    return overall, detailed


def test_nine_tasks_match_evaluate_py_groups_and_scores(tmp_path):
    """Without LAReQA, every number evaluate.py gives is ours; neither gives an overall."""
    nine = [t for t in R_TASKS if t != "lareqa"]
    preds, labels, expected = echo_folders(tmp_path, nine)
    report = score_folders(preds, labels, echo_registry(), "xtreme-r")
    groups, detailed = evaluate_py(expected)
    assert report.to_json()["tasks"] == expected
    for task in nine:
        assert list(report.tasks[task].languages) == list(R_LANGUAGES[task])  # official order
        assert report.tasks[task].score == detailed[task]["avg_metric"], task
        for metric in expected[task][R_LANGUAGES[task][0]]:
            assert report.tasks[task].averages[metric] == detailed[task][f"avg_{metric}"]
    assert report.groups == groups  # all five groups, xcopa in two of them
    assert set(groups) == set(EVALUATE_PY_R_GROUP2TASK) and "all_task" not in groups
    assert report.groups["multi_choice"] == report.tasks["xcopa"].score
    assert report.overall is None
    panx = [expected["panx"][lg]["f1"] for lg in R_LANGUAGES["panx"]]
    assert average(panx) != average(panx[::-1])  # the expectation is not order-blind


def test_ten_tasks_give_the_overall_score_where_evaluate_py_fails(tmp_path):
    """All ten folders: evaluate.py stops on LAReQA's missing score (KeyError); we score
    LAReQA and give the mean of the ten task scores in the suite's order."""
    preds, labels, expected = echo_folders(tmp_path)
    with pytest.raises(KeyError, match="avg_metric"):
        evaluate_py(expected)
    report = score_folders(preds, labels, echo_registry(), "xtreme-r")
    groups, detailed = evaluate_py({t: v for t, v in expected.items() if t != "lareqa"})
    assert report.groups == groups  # LAReQA is in no group
    lareqa = average([expected["lareqa"][lg]["map@20"] for lg in XQUAD_R_LANGUAGES])
    assert report.tasks["lareqa"].score == lareqa
    scores = [lareqa if t == "lareqa" else detailed[t]["avg_metric"] for t in R_TASKS]
    assert report.overall == sum(scores) / 10
    text = format_report(report)
    assert re.search(rf"\nXTREME-R +\(overall\) +{report.overall:.2f}\n", text)
    assert "note: lareqa: evaluate.py --xtreme_version xtreme-r lists no LAReQA languages" in text
    assert text.count("xcopa ") >= 3  # its table, and a row under both of its groups


@pytest.mark.parametrize(
    ("missing", "groups_left"),
    [
        ("xcopa", {"tagging", "qa", "retrieval"}),
        ("mewslix", {"classification", "tagging", "qa", "multi_choice"}),
        ("lareqa", set(EVALUATE_PY_R_GROUP2TASK)),
    ],
)
def test_a_missing_task_drops_its_groups_and_the_overall(missing, groups_left, tmp_path):
    preds, labels, expected = echo_folders(tmp_path)
    shutil.rmtree(labels / missing)
    report = score_folders(preds, labels, echo_registry(), "xtreme-r")
    assert report.skipped == [f"{missing}: predictions without a label folder"]
    assert set(report.groups) == groups_left and report.overall is None
    if missing != "lareqa":
        del expected[missing]
        assert report.groups == evaluate_py(expected)[0]


def test_missing_language_file_names_the_xtreme_r_language(tmp_path):
    preds, labels, _ = echo_folders(tmp_path, ("udpos",))
    (labels / "udpos" / "test-wo.tsv").unlink()  # a language XTREME-R adds
    with pytest.raises(harness.HarnessError, match=r"missing label file .*udpos/test-wo.tsv"):
        score_folders(preds, labels, echo_registry(), "xtreme-r")
    # XTREME's scoring does not ask for it
    report = score_folders(preds, labels, echo_registry(), "xtreme-zs")
    assert "wo" not in report.tasks["udpos"].languages


def _echo_cli(monkeypatch):
    import harness.registry

    real = harness.registry.load_registry
    monkeypatch.setattr(
        harness.registry,
        "load_registry",
        lambda plugins=(), entrypoints=True: real([EchoPluginR()], entrypoints=False),
    )


def test_score_cli_xtreme_version(tmp_path, capsys, monkeypatch):
    preds, labels, _ = echo_folders(tmp_path)
    _echo_cli(monkeypatch)
    base = ["score", "--predictions", str(preds), "--labels", str(labels), "--json"]
    assert main([*base, "--xtreme-version", "xtreme-r"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert main([*base, "--suite", "xtreme-r"]) == 0
    assert json.loads(capsys.readouterr().out) == doc
    assert set(doc["groups"]) == set(EVALUATE_PY_R_GROUP2TASK) and doc["overall"] is not None
    assert main([*base, "--xtreme-version", "xtreme"]) == 0  # XTREME's scoring
    xtreme = json.loads(capsys.readouterr().out)
    assert "multi_choice" not in xtreme["groups"] and xtreme["overall"] is None
    assert xtreme["tasks"]["udpos"] != doc["tasks"]["udpos"]  # XTREME's 33 languages
    for bad, message in [
        (["--suite", "xtreme-zs", "--xtreme-version", "xtreme-r"], "give one of the two"),
        (["--xtreme-version", "xtreme-x"], "unknown; choose xtreme or xtreme-r"),
    ]:
        assert main([*base, *bad]) == 2
        err = capsys.readouterr().err
        assert err.startswith("error: --xtreme-version") and message in err
        assert err.count("\n") == 1


def test_export_notes_follow_the_xtreme_version_or_the_runs_suite(tmp_path, capsys):
    run = tmp_path / "runs" / "r1"
    write(run / "predictions" / "none" / "seed1" / "udpos" / "test-en.tsv", "NOUN\n")
    dest = tmp_path / "sub"

    def notes(*extra: str) -> str:
        assert main(["export", str(run), "--to", str(dest), *extra]) == 0
        return capsys.readouterr().err

    assert ", wo," in notes("--xtreme-version", "xtreme-r")  # XTREME-R's UD-POS languages
    assert ", wo," not in notes("--xtreme-version", "xtreme")
    assert ", wo," not in notes()  # no run.json: XTREME
    write(run / "run.json", json.dumps({"config": {"suite": "xtreme-r"}}))
    assert ", wo," in notes()  # the run's suite
    assert ", wo," not in notes("--suite", "xtreme-zs")
    assert (
        main(["export", str(run), "--to", str(dest), "--suite", "x", "--xtreme-version", "xtreme"])
        == 2
    )
    assert "give one of the two" in capsys.readouterr().err


# --------------------------------------------------------------------------- real tasks
def _task_or_skip(name: str):
    task = next((t for t in REGISTRY.tasks.values() if (t.xtreme_name or t.name) == name), None)
    if task is None:
        pytest.skip(f"{name}: its task plugin is not installed yet")
    return task


def xcopa_submission(root: Path) -> dict[str, dict[str, float]]:
    """XCOPA files (one {"label": 0|1} per line); accuracy = correct / n * 100."""
    expected = {}
    for i, lg in enumerate(R_LANGUAGES["xcopa"]):
        gold = [0, 1, 1, 0, 1, 0, 1][: 2 + i % 6]
        pred = [1 - g if j < i % 3 else g for j, g in enumerate(gold)]
        gold_lines = [json.dumps({"idx": j, "label": g}) + "\n" for j, g in enumerate(gold)]
        write(root / "labels" / "xcopa" / f"test-{lg}.jsonl", "".join(gold_lines))
        pred_lines = [json.dumps({"label": p}) + "\n" for p in pred]
        write(root / "predictions" / "xcopa" / f"test-{lg}.jsonl", "".join(pred_lines))
        correct = sum(int(p == g) for p, g in zip(pred, gold, strict=True))
        expected[lg] = {"accuracy": float(correct) / len(pred) * 100}
    return expected


def mewslix_submission(root: Path) -> None:
    for kind in ("labels", "predictions"):
        shutil.copytree(MOCK / kind / "mewslix", root / kind / "mewslix")


def lareqa_submission(root: Path) -> dict[str, dict[str, float]]:
    """LAReQA files as the dual-encoder family writes them: query id -> ranked candidate
    ids, labels query id -> relevant ids (one answer sentence per XQuAD-R language)."""
    expected = {}
    for i, lg in enumerate(XQUAD_R_LANGUAGES):
        gold = {f"{lg}-q{q}": [f"{other}-a{q}" for other in XQUAD_R_LANGUAGES] for q in range(3)}
        preds = {}
        aps = []
        for q, (qid, relevant) in enumerate(gold.items()):
            noise = [f"{lg}-n{j}" for j in range(i + q)]
            ranking = (noise + relevant[: 4 + q])[:25]
            preds[qid] = ranking
            total, hits = 0.0, 0.0
            for j, c in enumerate(ranking[:20]):
                if c in relevant:
                    hits += 1.0
                    total += hits / (j + 1.0)
            aps.append(total / min(len(relevant), 20))
        write(root / "labels" / "lareqa" / f"test-{lg}.json", json.dumps(gold))
        write(root / "predictions" / "lareqa" / f"test-{lg}.json", json.dumps(preds))
        expected[lg] = {"map@20": float(np.mean(np.array(aps))) * 100}
    return expected


@pytest.mark.parametrize("name", R_TASKS)
def test_every_xtreme_r_folder_has_a_task_with_its_languages_and_suffix(name):
    task = _task_or_skip(name)
    assert set(R_LANGUAGES[name]) == set(task.languages)
    assert set(R_SCORING.task(name).metrics) <= set(REGISTRY.evaluator(task.evaluator).metrics)
    assert task.prediction_suffix == suffix(name)  # evaluate.py get_suffix (xcopa: jsonl)


def test_real_xcopa_folder(tmp_path):
    _task_or_skip("xcopa")
    expected = xcopa_submission(tmp_path)
    report = score_folders(tmp_path / "predictions", tmp_path / "labels", REGISTRY, "xtreme-r")
    assert report.tasks["xcopa"].languages == expected
    assert report.tasks["xcopa"].score == evaluate_py({"xcopa": expected})[1]["xcopa"]["avg_metric"]
    assert report.groups == {"multi_choice": report.tasks["xcopa"].score}


def test_real_mewslix_folder_gives_evaluate_test_number(tmp_path, capsys):
    _task_or_skip("mewslix")
    mewslix_submission(tmp_path)
    args = ["score", "--predictions", str(tmp_path / "predictions"), "--labels"]
    assert main([*args, str(tmp_path / "labels"), "--xtreme-version", "xtreme-r", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["averages"]["mewslix"] == {"map@20": MEWSLIX_MOCK_AVG, "metric": MEWSLIX_MOCK_AVG}


def test_real_lareqa_folder(tmp_path):
    _task_or_skip("lareqa")
    expected = lareqa_submission(tmp_path)
    report = score_folders(tmp_path / "predictions", tmp_path / "labels", REGISTRY, "xtreme-r")
    assert report.tasks["lareqa"].languages == expected
    assert report.tasks["lareqa"].score == average(
        [expected[lg]["map@20"] for lg in XQUAD_R_LANGUAGES]
    )
    assert report.groups == {}  # LAReQA is in no evaluate.py group


def test_all_ten_real_tasks_give_the_xtreme_r_score(tmp_path, capsys):
    """Real files for every task; the seven XTREME tasks in their simplest official form."""
    for name in R_TASKS:
        _task_or_skip(name)
    P, L = tmp_path / "predictions", tmp_path / "labels"
    expected = {"xcopa": xcopa_submission(tmp_path), "lareqa": lareqa_submission(tmp_path)}
    mewslix_submission(tmp_path)
    simple = {
        "xnli": ("neutral\n", "neutral\n", {"accuracy": 100.0}),
        "tatoeba": ("0\n", "0\n", {"accuracy": 100.0}),
        "panx": ("B-LOC\nO\n", "B-LOC\nO\n", {"f1": 100.0, "precision": 100.0, "recall": 100.0}),
        "udpos": ("NOUN\n", "NOUN\n", {"f1": 100.0, "precision": 100.0, "recall": 100.0}),
    }
    for task, (pred, gold, scores) in simple.items():
        expected[task] = {}
        for lg in R_LANGUAGES[task]:
            write(P / task / f"test-{lg}.tsv", pred)
            write(L / task / f"test-{lg}.tsv", gold)
            expected[task][lg] = scores
    write(P / "xnli" / "test-en.tsv", "neutral\nneutral\nneutral\n")
    write(L / "xnli" / "test-en.tsv", "neutral\nentailment\nneutral\n")
    expected["xnli"]["en"] = {"accuracy": float(2) / 3 * 100}
    for task in EVALUATE_PY_R_GROUP2TASK["qa"]:
        expected[task] = {}
        for lg in R_LANGUAGES[task]:
            qid = f"{task}-{lg}"
            squad = {"data": [{"title": "t", "paragraphs": [{"context": "Built in 1889.", "qas": [
                {"id": qid, "question": "?", "answers": [{"text": "1889", "answer_start": 9}]}
            ]}]}], "version": "1.1"}  # fmt: skip
            answer = "1889" if lg != "ro" else "Built"  # XQuAD's new Romanian scores 0
            write(P / task / f"test-{lg}.json", json.dumps({qid: answer}))
            write(L / task / f"test-{lg}.json", json.dumps(squad))
            right = 100.0 if answer == "1889" else 0.0
            expected[task][lg] = {"exact_match": right, "f1": right}
    assert main(["score", "--predictions", str(P), "--labels", str(L), "--xtreme-version",
                 "xtreme-r", "--json"]) == 0  # fmt: skip
    doc = json.loads(capsys.readouterr().out)
    for task, per_language in expected.items():
        assert doc["tasks"][task] == per_language, task
    assert doc["averages"]["mewslix"]["map@20"] == MEWSLIX_MOCK_AVG
    per_task = {t: doc["tasks"][t] for t in R_TASKS}
    groups, detailed = evaluate_py({t: v for t, v in per_task.items() if t != "lareqa"})
    assert doc["groups"] == groups
    lareqa = average([expected["lareqa"][lg]["map@20"] for lg in XQUAD_R_LANGUAGES])
    scores = [lareqa if t == "lareqa" else detailed[t]["avg_metric"] for t in R_TASKS]
    assert doc["overall"] == sum(scores) / 10
