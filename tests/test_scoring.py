"""``harness score`` / ``harness export``: XTREME's evaluate.py, to the last digit.

Expected values are derived by hand from the official definitions (evaluate.py, the SQuAD
v1.1 and MLQA v1 scripts, seqeval) and written with the same float operations in the
same order, so equality is exact.

Two layers:

- the aggregation (task averages in XTREME language order, groups, overall, skipped
  folders, missing files) runs on in-process "echo" tasks whose evaluator returns the
  values written in the prediction files, so every number is controlled;
- the nine real XTREME tasks are scored from submission folders in the official formats.
  Those tests need each family's ``Task.read_submission`` and evaluator: xnli/pawsx
  (classification + accuracy), udpos/panx (tagging + seqeval), xquad/mlqa/tydiqa (QA +
  squad/mlqa), bucc2018/tatoeba (retrieval + bucc_f1/accuracy). A task whose family is not
  installed yet, or does not implement read_submission, is skipped with that reason.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

import harness
from harness.cli import main
from harness.registry import load_registry
from harness.scoring import (
    GROUPS,
    XTREME_LANGUAGES,
    XTREME_TASKS,
    export_submission,
    read_lines,
    read_squad,
    read_tag_blocks,
    score_folders,
)

XTREME_SUITE = load_registry().suite("xtreme-zs").path


def average(values: list[float]) -> float:
    """evaluate.py's average: built-in sum over the values in order, then divide."""
    return sum(values) / len(values)


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


# --------------------------------------------------------------------------- echo tasks
@dataclass(frozen=True, kw_only=True)
class EchoTask(harness.Task):
    """Reads ``metric=value`` lines; its evaluator returns them (aggregation tests only)."""

    head: str = "sequence-classification"
    evaluator: str = "echo"
    main_metric: str = "accuracy"

    def local_files(self, split, language, root):
        return []

    def read_local(self, split, language, root):
        return []

    def read_hub(self, split, language):
        raise NotImplementedError

    def encode(self, batch, tokenizer, max_length):
        raise NotImplementedError

    @property
    def num_labels(self) -> int:
        return 2

    def decode(self, outputs, features, rows, context):
        raise NotImplementedError

    def references(self, rows):
        return []

    def write_predictions(self, path, predictions):
        raise NotImplementedError

    def read_submission(self, predictions: Path, labels: Path, language: str):
        return read_lines(predictions), read_lines(labels)


class Echo(harness.Evaluator):
    def score(self, predictions: Sequence[Any], references: Sequence[Any], language=None):
        return {k: float(v) for k, v in (line.split("=") for line in predictions)}


class EchoPlugin:
    @harness.hookimpl
    def register_tasks(self, register):
        for name in XTREME_TASKS:
            register(
                EchoTask(
                    name=f"echo-{name}",
                    description="echo",
                    languages=XTREME_LANGUAGES[name],
                    xtreme_name=name,
                    prediction_suffix=".json" if name in GROUPS["qa"] else ".tsv",
                )
            )

    @harness.hookimpl
    def register_evaluators(self, register):
        register(Echo(name="echo", description="echo", metrics=()))

    @harness.hookimpl
    def register_suites(self, register):
        register(XTREME_SUITE)  # its scoring section defines the XTREME score


def echo_registry():
    return load_registry([EchoPlugin()], entrypoints=False)


def metrics_for(task: str, i: int) -> dict[str, float]:
    """Awkward values (thirds, sevenths) so the summation order shows in the last digit."""
    base = 100 / 3 + i * 100 / 7
    if task in GROUPS["qa"]:
        return {"exact_match": base, "f1": base + 100 / 9}
    if task in ("panx", "udpos", "bucc2018"):
        return {"f1": base, "precision": base + 1 / 3, "recall": base - 1 / 7}
    return {"accuracy": base}


def echo_folders(root: Path, tasks=XTREME_TASKS) -> tuple[Path, Path, dict]:
    preds, labels, expected = root / "pred", root / "gold", {}
    for task in tasks:
        suffix = ".json" if task in GROUPS["qa"] else ".tsv"
        expected[task] = {}
        for i, lg in enumerate(XTREME_LANGUAGES[task]):
            values = metrics_for(task, i)
            expected[task][lg] = values
            lines = "".join(f"{k}={v!r}\n" for k, v in values.items())
            write(preds / task / f"test-{lg}{suffix}", lines)
            write(labels / task / f"test-{lg}{suffix}", "gold\n")
    return preds, labels, expected


def official_task_metric(task: str, per_language: dict[str, dict[str, float]]) -> float:
    langs = XTREME_LANGUAGES[task]
    if task in GROUPS["qa"]:
        em = average([per_language[lg]["exact_match"] for lg in langs])
        f1 = average([per_language[lg]["f1"] for lg in langs])
        return (em + f1) / 2
    key = "f1" if "f1" in per_language[langs[0]] else "accuracy"
    return average([per_language[lg][key] for lg in langs])


def test_aggregation_follows_evaluate_py(tmp_path):
    preds, labels, expected = echo_folders(tmp_path)
    write(preds / "notatask" / "test-en.tsv", "x\n")  # unknown folders are ignored
    report = score_folders(preds, labels, echo_registry())
    doc = report.to_json()
    assert doc["tasks"] == expected
    assert list(doc["tasks"]["panx"]) == list(XTREME_LANGUAGES["panx"])  # official order
    for task in XTREME_TASKS:
        langs = XTREME_LANGUAGES[task]
        for metric in expected[task][langs[0]]:
            assert doc["averages"][task][metric] == average(
                [expected[task][lg][metric] for lg in langs]
            )
        assert doc["averages"][task]["metric"] == official_task_metric(task, expected[task])
    task_metric = {t: official_task_metric(t, expected[t]) for t in XTREME_TASKS}
    assert doc["groups"] == {g: average([task_metric[t] for t in ts]) for g, ts in GROUPS.items()}
    assert doc["overall"] == average([task_metric[t] for t in XTREME_TASKS])
    assert doc["skipped"] == ["notatask: not an XTREME task"]
    # the order of the sum matters in the last digit: our expectation is not order-blind
    panx = [expected["panx"][lg]["f1"] for lg in XTREME_LANGUAGES["panx"]]
    assert average(panx) != average(panx[::-1])


def test_tasks_in_one_folder_only_are_skipped_and_groups_need_all_their_tasks(tmp_path):
    preds, labels, expected = echo_folders(tmp_path, tasks=("xnli", "pawsx", "panx", "mlqa"))
    shutil.rmtree(labels / "mlqa")  # predictions only
    write(labels / "tatoeba" / "test-de.tsv", "1\n")  # labels only
    report = score_folders(preds, labels, echo_registry())
    assert set(report.tasks) == {"xnli", "pawsx", "panx"}
    assert report.skipped == [  # in XTREME task order
        "tatoeba: labels without a prediction folder",
        "mlqa: predictions without a label folder",
    ]
    assert set(report.groups) == {"classification"}  # udpos missing: no structured prediction
    assert report.overall is None


def test_missing_language_file_is_a_one_line_error(tmp_path, capsys, monkeypatch):
    preds, labels, _ = echo_folders(tmp_path, tasks=("xnli",))
    (preds / "xnli" / "test-sw.tsv").unlink()
    with pytest.raises(harness.HarnessError, match=r"missing prediction file .*xnli/test-sw.tsv"):
        score_folders(preds, labels, echo_registry())
    _echo_cli(monkeypatch)
    code = main(["score", "--predictions", str(preds), "--labels", str(labels)])
    assert code == 2
    err = capsys.readouterr().err
    assert err.startswith("error: missing prediction file") and err.count("\n") == 1


def _echo_cli(monkeypatch):
    """Make the CLI load only the echo plugin (the real tasks claim the same folders)."""
    import harness.registry

    real = harness.registry.load_registry
    monkeypatch.setattr(
        harness.registry,
        "load_registry",
        lambda plugins=(), entrypoints=True: real([EchoPlugin()], entrypoints=False),
    )


def test_score_cli_prints_tables_or_json(tmp_path, capsys, monkeypatch):
    preds, labels, expected = echo_folders(tmp_path)
    _echo_cli(monkeypatch)
    assert main(["score", "--predictions", str(preds), "--labels", str(labels), "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert set(doc) == {"tasks", "averages", "groups", "overall", "skipped"}
    assert doc["tasks"] == expected  # JSON round-trips floats exactly
    assert main(["score", "--predictions", str(preds), "--labels", str(labels)]) == 0
    out = capsys.readouterr().out
    assert "xnli (score" in out and "Summary" in out
    assert f"{doc['overall']:.2f}" in out and f"{doc['groups']['qa']:.2f}" in out


def test_readers_follow_evaluate_py(tmp_path):
    path = write(tmp_path / "a.tsv", "  entailment \r\nneutral\n\ncontradiction")
    assert read_lines(path) == ["entailment", "neutral", "", "contradiction"]
    tags = write(tmp_path / "t.tsv", "B-PER\nI-PER\n\n\nO\n \nB-LOC\n")
    assert read_tag_blocks(tags) == [["B-PER", "I-PER"], [], ["O"], ["B-LOC"]]
    squad = write(tmp_path / "s.json", json.dumps({"data": [{"paragraphs": []}], "version": "1.1"}))
    assert read_squad(squad) == [{"paragraphs": []}]
    bad = write(tmp_path / "bad.json", '{\n  "q1": "x",\n}')
    with pytest.raises(harness.HarnessError, match=r"bad.json:3: not valid JSON"):
        read_squad(bad)


# --------------------------------------------------------------------------- where XTREME is defined
# evaluate.py's TASK2LANGS and GROUP2TASK, as google-research/xtreme writes them: the
# suite's scoring section must hold exactly these (the order of each list is a summation order)
EVALUATE_PY_TASK2LANGS = {
    "pawsx": "de,en,es,fr,ja,ko,zh",
    "xnli": "ar,bg,de,el,en,es,fr,hi,ru,sw,th,tr,ur,vi,zh",
    "panx": "ar,he,vi,id,jv,ms,tl,eu,ml,ta,te,af,nl,en,de,el,bn,hi,mr,ur,fa,fr,it,pt,es,bg,ru,"
    "ja,ka,ko,th,sw,yo,my,zh,kk,tr,et,fi,hu",
    "udpos": "af,ar,bg,de,el,en,es,et,eu,fa,fi,fr,he,hi,hu,id,it,ja,kk,ko,mr,nl,pt,ru,ta,te,th,"
    "tl,tr,ur,vi,yo,zh",
    "bucc2018": "de,fr,ru,zh",
    "tatoeba": "ar,he,vi,id,jv,tl,eu,ml,ta,te,af,nl,de,el,bn,hi,mr,ur,fa,fr,it,pt,es,bg,ru,ja,"
    "ka,ko,th,sw,zh,kk,tr,et,fi,hu",
    "xquad": "en,es,de,el,ru,tr,ar,vi,th,zh,hi",
    "mlqa": "en,es,de,ar,hi,vi,zh",
    "tydiqa": "en,ar,bn,fi,id,ko,ru,sw,te",
}
EVALUATE_PY_GROUP2TASK = {
    "classification": ("pawsx", "xnli"),
    "structured_prediction": ("udpos", "panx"),  # evaluate.py's "tagging"
    "qa": ("xquad", "mlqa", "tydiqa"),
    "retrieval": ("bucc2018", "tatoeba"),
}


def test_the_xtreme_suite_holds_evaluate_py_definitions():
    from harness.scoring import default_scoring

    scoring = load_registry().suite("xtreme-zs").scoring
    assert scoring == default_scoring() and scoring.name == "XTREME"
    assert {t: ",".join(langs) for t, langs in XTREME_LANGUAGES.items()} == EVALUATE_PY_TASK2LANGS
    assert list(XTREME_TASKS) == list(EVALUATE_PY_TASK2LANGS)
    assert GROUPS == EVALUATE_PY_GROUP2TASK
    qa = {t.task for t in scoring.tasks if t.metrics == ("exact_match", "f1")}
    assert qa == set(GROUPS["qa"])  # evaluate.py: (EM + F1) / 2 for the QA group only


def test_every_xtreme_folder_has_a_task_that_reads_it(xtreme_registry):
    """The suite's languages are those of the installed tasks, and its metrics theirs."""
    from harness.scoring import default_scoring

    for spec in default_scoring().tasks:
        task = _task_or_skip(xtreme_registry, spec.task)
        assert set(spec.languages) <= set(task.languages), spec.task  # XTREME-R adds some
        evaluator = xtreme_registry.evaluator(task.evaluator)
        assert set(spec.metrics) <= set(evaluator.metrics), spec.task


def test_the_core_names_no_task():
    """Task names live in plugins and suites: no string in the scoring code names one."""
    import ast

    import harness.scoring

    names = set(load_registry().tasks)
    tree = ast.parse(Path(harness.scoring.__file__).read_text("utf-8"))
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, (ast.Module, ast.FunctionDef, ast.ClassDef))
        and node.body
        and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
    }
    strings = {
        word
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str)
        and id(node) not in docstrings
        for word in node.value.replace("'", " ").split()
    }  # fmt: skip
    assert not strings & names


def test_line_helpers_write_and_compare_one_item_per_line(tmp_path):
    from harness.scoring import read_line_pairs, write_lines

    write_lines(tmp_path / "sub" / "p.tsv", ["entailment", 1, "x\ty"])
    assert (tmp_path / "sub" / "p.tsv").read_bytes() == b"entailment\n1\nx\ty\n"
    write(tmp_path / "g.tsv", " entailment\r\n1\nx\ty")
    assert read_line_pairs(tmp_path / "sub" / "p.tsv", tmp_path / "g.tsv") == (
        ["entailment", "1", "x\ty"],
        ["entailment", "1", "x\ty"],
    )
    write(tmp_path / "g.tsv", "a\n")
    with pytest.raises(harness.HarnessError) as info:
        read_line_pairs(tmp_path / "sub" / "p.tsv", tmp_path / "g.tsv", "write one per line")
    assert str(info.value) == (
        f"{tmp_path / 'sub' / 'p.tsv'}: 3 predictions for 1 labels in {tmp_path / 'g.tsv'}; "
        "write one per line"
    )


# --------------------------------------------------------------------------- export
def test_export_picks_test_predictions_of_one_setup(tmp_path, capsys):
    run = tmp_path / "runs" / "r1"
    for inter in ("none", "mnli"):
        for seed in (0, 1):
            base = run / "predictions" / inter / f"seed{seed}"
            write(base / "xnli" / "test-de.tsv", f"{inter}-{seed}\r\n")
            write(base / "xnli" / "dev-de.tsv", "dev\n")
            write(base / "mlqa" / "test-en.json", '{"q": "a"}')
            write(base / "mnli" / "dev-en.tsv", "x\n")
    with pytest.raises(harness.HarnessError, match="several intermediate tasks .*--intermediate"):
        export_submission(run, tmp_path / "sub")
    with pytest.raises(harness.HarnessError, match="several seeds .*--seed"):
        export_submission(run, tmp_path / "sub", intermediate="mnli")
    with pytest.raises(harness.HarnessError, match="no predictions for seed '7'"):
        export_submission(run, tmp_path / "sub", intermediate="mnli", seed=7)
    dest = tmp_path / "sub"
    code = main(["export", str(run), "--to", str(dest), "--intermediate", "mnli", "--seed", "1"])
    assert code == 0
    files = sorted(str(p.relative_to(dest)) for p in dest.rglob("*") if p.is_file())
    assert files == ["mlqa/test-en.json", "xnli/test-de.tsv"]
    assert (dest / "xnli" / "test-de.tsv").read_bytes() == b"mnli-1\r\n"  # byte for byte
    err = capsys.readouterr().err
    assert "note: xnli: no predictions for ar, bg," in err and "note: mlqa: no predictions" in err
    assert main(["export", str(tmp_path), "--to", str(dest)]) == 2
    assert "no predictions/ folder" in capsys.readouterr().err


# --------------------------------------------------------------------------- nine real tasks
def squad_file(questions: list[tuple[str, str, list[str]]], title: str = "t") -> str:
    """A SQuAD v1.1 file: one paragraph per question (id, context, gold answers)."""
    paragraphs = [
        {
            "context": context,
            "qas": [
                {
                    "id": qid,
                    "question": "?",
                    "answers": [{"text": a, "answer_start": context.index(a)} for a in answers],
                }
            ],
        }
        for qid, context, answers in questions
    ]
    return json.dumps(
        {"data": [{"title": title, "paragraphs": paragraphs}], "version": "1.1"},
        ensure_ascii=False,
    )


def squad_f1(same: int, n_pred: int, n_gold: int) -> float:
    """SQuAD/MLQA token F1 with the official operation order."""
    precision = 1.0 * same / n_pred
    recall = 1.0 * same / n_gold
    return (2 * precision * recall) / (precision + recall)


def prf(correct: int, n_pred: int, n_gold: int) -> dict[str, float]:
    """seqeval / evaluate.py bucc_f1: micro P, R, F1 (x100) from counts."""
    p, r = correct / n_pred, correct / n_gold
    return {"f1": 2 * p * r / (p + r) * 100, "precision": p * 100, "recall": r * 100}


PERFECT = {"f1": 100.0, "precision": 100.0, "recall": 100.0}
PERFECT_QA = {"exact_match": 100.0, "f1": 100.0}


def build_xtreme_submission(root: Path) -> tuple[Path, Path, dict[str, dict[str, dict]]]:
    """Prediction and label folders for all nine tasks in the official formats, and the
    scores evaluate.py gives for them (derived by hand; see the comments)."""
    P, L = root / "predictions", root / "labels"
    exp: dict[str, dict[str, dict]] = {t: {} for t in XTREME_TASKS}

    def both(task: str, lang: str, pred: str, gold: str, scores: dict) -> None:
        suffix = ".json" if task in GROUPS["qa"] else ".tsv"
        write(P / task / f"test-{lang}{suffix}", pred)
        write(L / task / f"test-{lang}{suffix}", gold)
        exp[task][lang] = scores

    # classification: accuracy = correct / n * 100 on stripped lines
    for lg in XTREME_LANGUAGES["xnli"]:
        both("xnli", lg, "neutral\n", "neutral\n", {"accuracy": 100.0})
    both("xnli", "ar", "entailment\nneutral\nneutral\n", "entailment\nneutral\ncontradiction\n",
         {"accuracy": 2 / 3 * 100})  # fmt: skip
    gold7 = [
        "entailment",
        "neutral",
        "contradiction",
        "neutral",
        "entailment",
        "neutral",
        "neutral",
    ]
    pred7 = ["entailment  ", "contradiction", "contradiction", "entailment", "neutral",
             "entailment", "neutral"]  # fmt: skip
    both("xnli", "en", "\n".join(pred7) + "\n", "\n".join(gold7) + "\n", {"accuracy": 3 / 7 * 100})
    for lg in XTREME_LANGUAGES["pawsx"]:
        both("pawsx", lg, "1\n", "1\n", {"accuracy": 100.0})
    both("pawsx", "de", "1\n1\n1\n1\n", "0\n1\n0\n0\n", {"accuracy": 1 / 4 * 100})

    # structured prediction: seqeval chunks; a sentence per blank-line block
    for lg in XTREME_LANGUAGES["panx"]:
        both("panx", lg, "B-LOC\nO\n", "B-LOC\nO\n", PERFECT)
    # gold PER, LOC | ORG; predicted PER, ORG | ORG (I- opens a chunk), MISC -> 2 of 4 right, 3 gold
    both(
        "panx",
        "de",
        "B-PER\nI-PER\nO\nB-ORG\n\nI-ORG\nB-MISC\n",
        "B-PER\nI-PER\nO\nB-LOC\n\nB-ORG\nO\n",
        prf(2, 4, 3),
    )
    for lg in XTREME_LANGUAGES["udpos"]:
        both("udpos", lg, "NOUN\nVERB\n", "NOUN\nVERB\n", PERFECT)
    # seqeval reads POS tags as chunks that end where the tag changes: gold NOUN NOUN is one
    # chunk (5 in all), the prediction ADJ NOUN two (6 in all); PRON, VERB, DET, PUNCT match
    both(
        "udpos",
        "en",
        "PRON\nVERB\nDET\nADJ\nNOUN\nPUNCT\n",
        "PRON\nVERB\nDET\nNOUN\nNOUN\nPUNCT\n",
        prf(4, 6, 5),
    )

    # retrieval: BUCC pair sets (duplicates collapse), empty prediction file scores 0
    for lg in XTREME_LANGUAGES["bucc2018"]:
        pair = f"{lg}-000001\ten-000001\n"
        both("bucc2018", lg, pair, pair, PERFECT)
    gold_pairs = "de-000001\ten-000001\nde-000002\ten-000002\nde-000003\ten-000003\n"
    pred_pairs = (
        "de-000001\ten-000001\nde-000002\ten-000009\nde-000003\ten-000003\n"
        "de-000004\ten-000004\nde-000001\ten-000001\n"
    )
    both("bucc2018", "de", pred_pairs, gold_pairs, prf(2, 4, 3))
    both(
        "bucc2018", "fr", "", "fr-000001\ten-000001\n", {"f1": 0.0, "precision": 0.0, "recall": 0.0}
    )
    for lg in XTREME_LANGUAGES["tatoeba"]:
        both("tatoeba", lg, "0\n", "0\n", {"accuracy": 100.0})
    both("tatoeba", "ar", "5\n1\n2\n", "0\n1\n3\n", {"accuracy": 1 / 3 * 100})
    both("tatoeba", "de", "0\n1\n2\n9\n", "0\n1\n2\n3\n", {"accuracy": 3 / 4 * 100})

    # QA: {id: answer} against SQuAD-format labels; unanswered questions score 0
    def one_q(task, lg, answer, context, gold, scores, preds=None):
        qid = f"{task}-{lg}-1"
        both(task, lg, json.dumps(preds if preds is not None else {qid: answer}, ensure_ascii=False),
             squad_file([(qid, context, gold)]), scores)  # fmt: skip

    for task in GROUPS["qa"]:
        for lg in XTREME_LANGUAGES[task]:
            one_q(task, lg, "1889", "Built in 1889.", ["1889"], PERFECT_QA)
    # XQuAD en, SQuAD v1.1 rules: q1 exact after lowercasing and dropping "the" and ".";
    # q2 best of two answers: "paris france" shares 2 of 3 tokens; q3 unanswered; an
    # extra prediction id is ignored
    both(
        "xquad",
        "en",
        json.dumps({"q1": "The Eiffel Tower.", "q2": "in Paris France", "zzz": "x"}),
        squad_file(
            [
                ("q1", "The Eiffel Tower is tall.", ["Eiffel Tower"]),
                ("q2", "It is in Paris, France.", ["Paris", "Paris, France"]),
                ("q3", "Built in 1889.", ["1889"]),
            ]
        ),
        {
            "exact_match": 100.0 * 1 / 3,
            "f1": 100.0 * (0 + 1.0 + max(squad_f1(1, 3, 1), squad_f1(2, 3, 2))) / 3,
        },
    )
    # MLQA language rules: per-language articles, Unicode punctuation, Chinese characters
    both(
        "mlqa",
        "en",
        json.dumps({"m1": "the Nile"}),
        squad_file([("m1", "It is the Nile.", ["Nile"]), ("m2", "Built in 1889.", ["1889"])]),
        {"exact_match": 100.0 * 1 / 2, "f1": 100.0 * 1.0 / 2},
    )
    one_q(
        "mlqa",
        "es",
        "ciudad de México",
        "Vive en la ciudad de México.",
        ["la ciudad de México"],
        PERFECT_QA,
    )
    one_q("mlqa", "de", "Vulkan", "Das ist der Vulkan.", ["der Vulkan"], PERFECT_QA)
    one_q("mlqa", "ar", "كتاب", "هذا الكتاب جميل", ["الكتاب"], PERFECT_QA)  # every "ال" goes
    one_q("mlqa", "vi", "cuốn sách", "Tôi đọc những cuốn sách.", ["những cuốn sách"], PERFECT_QA)
    one_q("mlqa", "hi", "दिल्ली", "राजधानी दिल्ली। है", ["दिल्ली।"], PERFECT_QA)  # danda is P*
    one_q("mlqa", "zh", "北京", "他在北京大学学习。", ["北京大学"],
          {"exact_match": 100.0 * 0 / 1, "f1": 100.0 * squad_f1(2, 2, 4) / 1})  # fmt: skip
    # TyDiQA uses SQuAD rules: no Arabic article or danda stripping; empty predictions
    one_q("tydiqa", "ar", "الكتاب", "هذا الكتاب جميل", ["كتاب"], {"exact_match": 0.0, "f1": 0.0})
    one_q("tydiqa", "bn", "ঢাকা", "রাজধানী ঢাকা। শহর", ["ঢাকা।"], {"exact_match": 0.0, "f1": 0.0})
    one_q("tydiqa", "fi", "Helsingissä", "Pääkaupunki on Helsinki.", ["Helsinki"],
          {"exact_match": 0.0, "f1": 0.0})  # fmt: skip
    one_q("tydiqa", "sw", None, "Mji mkuu ni Dodoma.", ["Dodoma"], {"exact_match": 0.0, "f1": 0.0},
          preds={})  # fmt: skip
    return P, L, exp


FAMILY = {
    "xnli": "classification",
    "pawsx": "classification",
    "udpos": "tagging",
    "panx": "tagging",
    "xquad": "qa",
    "mlqa": "qa",
    "tydiqa": "qa",
    "bucc2018": "retrieval",
    "tatoeba": "retrieval",
}


def _reads_submissions(task) -> bool:
    method = getattr(type(task), "read_submission", None)
    return method is not None and method is not getattr(harness.Task, "read_submission", None)


@pytest.fixture(scope="module")
def xtreme_registry():
    return load_registry()


def _task_or_skip(registry, name):
    task = next((t for t in registry.tasks.values() if t.xtreme_name == name), None)
    if task is None:
        pytest.skip(f"{name}: the {FAMILY[name]} family is not installed yet")
    if not _reads_submissions(task):
        pytest.skip(f"{name}: the {FAMILY[name]} family does not implement read_submission yet")
    return task


@pytest.mark.parametrize("task_name", XTREME_TASKS)
def test_real_task_scores_match_evaluate_py(task_name, tmp_path, xtreme_registry):
    _task_or_skip(xtreme_registry, task_name)
    preds, labels, expected = build_xtreme_submission(tmp_path)
    for other in XTREME_TASKS:  # score this task alone
        if other != task_name:
            shutil.rmtree(preds / other)
    report = score_folders(preds, labels, xtreme_registry)
    assert report.tasks[task_name].languages == expected[task_name]
    langs = XTREME_LANGUAGES[task_name]
    for metric in expected[task_name][langs[0]]:
        assert report.tasks[task_name].averages[metric] == average(
            [expected[task_name][lg][metric] for lg in langs]
        )
    assert report.tasks[task_name].score == official_task_metric(task_name, expected[task_name])


def test_all_nine_tasks_give_the_xtreme_score(tmp_path, xtreme_registry, capsys):
    for name in XTREME_TASKS:
        _task_or_skip(xtreme_registry, name)
    preds, labels, expected = build_xtreme_submission(tmp_path)
    assert main(["score", "--predictions", str(preds), "--labels", str(labels), "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["tasks"] == expected
    task_metric = {t: official_task_metric(t, expected[t]) for t in XTREME_TASKS}
    assert doc["groups"] == {g: average([task_metric[t] for t in ts]) for g, ts in GROUPS.items()}
    assert doc["overall"] == average([task_metric[t] for t in XTREME_TASKS])


@pytest.mark.parametrize(
    ("task_name", "lang", "pred", "gold"),
    [
        ("xnli", "en", "", "neutral\n"),  # empty predictions: evaluate.py's count assertion
        ("pawsx", "en", "1\n1\n", "1\n"),
        ("udpos", "en", "NOUN\n", "NOUN\n\nVERB\n"),
        ("tatoeba", "de", "", "0\n"),
    ],
)
def test_count_mismatch_is_a_one_line_error(task_name, lang, pred, gold, tmp_path, xtreme_registry):
    from harness.scoring import score_language

    task = _task_or_skip(xtreme_registry, task_name)
    p = write(tmp_path / "p" / f"test-{lang}{task.prediction_suffix}", pred)
    g = write(tmp_path / "g" / f"test-{lang}{task.prediction_suffix}", gold)
    with pytest.raises(harness.HarnessError) as info:
        score_language(xtreme_registry, task, p, g, lang)
    assert "\n" not in str(info.value) and str(p) in str(info.value)


def test_exported_run_scores_equal_its_records(tiny_model, xtreme_registry, capsys):
    """run -> export -> score against the bundled label folder gives the run's own numbers."""
    from conftest import SAMPLE

    _task_or_skip(xtreme_registry, "pawsx")
    code = main(
        ["run", "--model", str(tiny_model), "--targets", "pawsx", "--epochs", "1",
         "--max-train-examples", "32", "--run-id", "s", "--no-progress"]
    )  # fmt: skip
    assert code == 0, capsys.readouterr().err
    assert main(["export", "runs/s", "--to", "submission"]) == 0
    report = score_folders(Path("submission"), SAMPLE / "labels", xtreme_registry)
    assert set(report.tasks) == {"pawsx"}  # other bundled label folders: skipped, as evaluate.py
    assert "xnli: labels without a prediction folder" in report.skipped
    records = json.loads(Path("runs/s/results.json").read_text())["records"]
    test = {r["language"]: r["value"] for r in records if r["split"] == "test"}
    assert report.tasks["pawsx"].languages == {lg: {"accuracy": v} for lg, v in test.items()}
    assert report.tasks["pawsx"].score == average([test[lg] for lg in XTREME_LANGUAGES["pawsx"]])
