"""QA scores equal the official scripts' (SQuAD v1.1/v2.0, MLQA) to the last bit.

Expected values are derived by hand from the official definitions (XTREME's
third_party/evaluate_squad.py and evaluate_mlqa.py, facebookresearch/MLQA
mlqa_evaluation_v1.py, SQuAD's evaluate-v2.0.py): per question the normalised strings and
token overlaps are worked out in the comments, and totals are written as the official
arithmetic (``100.0 * sum / total``), so equality is exact, not approximate.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from harness_builtins.evaluators.squad import (
    mixed_segmentation,
    mlqa_normalize,
    mlqa_scores,
    squad_normalize,
    squad_v1_scores,
    squad_v2_scores,
)

from harness import DataSource, HarnessError
from harness.registry import load_registry

SAMPLE = Path(__file__).resolve().parent.parent / "plugins" / "tasks" / "data"


def official_f1(same: int, n_pred: int, n_gold: int) -> float:
    """The official token F1 for ``same`` shared tokens, as the scripts compute it."""
    precision = 1.0 * same / n_pred
    recall = 1.0 * same / n_gold
    return (2 * precision * recall) / (precision + recall)


# --------------------------------------------------------------------------- SQuAD v1.1
@pytest.mark.parametrize(
    ("text", "normalised"),
    [
        ("The Eiffel Tower!", "eiffel tower"),  # lower, drop "!", drop "the"
        ("Gustave-Eiffel's", "gustaveeiffels"),  # ASCII punctuation goes, words join
        ("an apple a day", "apple day"),
        ("theatre", "theatre"),  # articles only as whole words
        ("¿Dónde?", "¿dónde"),  # v1.1 strips ASCII punctuation only
        ("«Nil»", "«nil»"),
        ("$5  and\t€5", "5 and €5"),  # $ is in string.punctuation, € is not
        ("A", ""),
    ],
)
def test_squad_normalisation(text, normalised):
    assert squad_normalize(text) == normalised


def test_squad_v1_totals_follow_the_official_arithmetic():
    predictions = ["Gustave Eiffel", "the Mediterranean Sea", "1903", None, "330", "A"]
    golds = [
        ["Gustave Eiffel"],  # EM 1, F1 1
        ["Mediterranean"],  # [mediterranean, sea] vs [mediterranean]: EM 0, F1 p=1/2 r=1
        ["1867", "in 1867"],  # no overlap: 0, 0
        ["x"],  # no prediction: counted, scores 0
        ["330 metres", "330"],  # best gold: EM 1, F1 1
        ["the"],  # both normalise to "": EM 1 but F1 0 (no tokens in common)
    ]
    scores = squad_v1_scores(predictions, golds)
    assert scores["exact_match"] == 100.0 * 3 / 6
    assert scores["f1"] == 100.0 * (1 + official_f1(1, 2, 1) + 0 + 0 + 1 + 0) / 6


def test_squad_evaluator_takes_decoded_pairs_and_checks_counts():
    evaluator = load_registry().evaluator("squad")
    scores = evaluator.score([("q1", "Warsaw"), ("q2", "Paris")], [["Warsaw"], ["Lyon"]])
    assert scores == {"exact_match": 50.0, "f1": 50.0}
    with pytest.raises(HarnessError, match="2 predictions for 1 questions"):
        evaluator.score(["a", "b"], [["a"]])
    with pytest.raises(HarnessError, match="no gold answer"):
        evaluator.score(["a"], [[]])


# --------------------------------------------------------------------------- MLQA
@pytest.mark.parametrize(
    ("language", "text", "normalised"),
    [
        # en: a/an/the
        ("en", "The Nile, a river.", "nile river"),
        # es: un/una/unos/unas/el/la/los/las; inverted marks are Unicode punctuation
        ("es", "¿Dónde está el mar Mediterráneo?", "dónde está mar mediterráneo"),
        ("es", "Unas islas, Los Ángeles y Unamuno", "islas ángeles y unamuno"),
        # de: ein/eine/einen/einem/eines/einer/der/die/das/den/dem/des
        ("de", "Die Mündung des Nils in das Mittelmeer", "mündung nils in mittelmeer"),
        ("de", "Eines Tages, einem Mann", "tages mann"),
        # vi: của/là/cái/chiếc/những
        ("vi", "Những chiếc xe của tôi là màu đỏ", "xe tôi màu đỏ"),
        # ar: every "ال" becomes a space, wherever it is; Arabic comma and question mark go
        ("ar", "البحر الأبيض المتوسط", "بحر أبيض متوسط"),
        ("ar", "قال، الرياضيات والفيزياء؟", "ق رياضيات و فيزياء"),
        # hi: no articles at all (not even English ones); the danda is punctuation
        ("hi", "भूमध्य सागर।", "भूमध्य सागर"),
        ("hi", "the सागर", "the सागर"),
        # zh: no articles; CJK ideographs U+4E00-U+9FA5 are tokens of their own
        ("zh", "古斯塔夫·埃菲尔", "古 斯 塔 夫 埃 菲 尔"),  # the middle dot is punctuation
        ("zh", "1903年", "1903 年"),
        ("zh", "ABC公司的CEO", "abc 公 司 的 ceo"),
        ("zh", "㐀㐁 \u9fa6", "㐀㐁 \u9fa6"),  # outside the range: not split
        # Unicode punctuation everywhere; symbols only where ASCII (string.punctuation)
        ("en", "«Hello» — $5 or €5", "hello 5 or €5"),
    ],
)
def test_mlqa_normalisation_per_language(language, text, normalised):
    assert mlqa_normalize(text, language) == normalised


def test_mixed_segmentation_splits_cjk_and_keeps_latin_runs():
    assert mixed_segmentation("北京 is 中国的首都 ok") == [
        "北",
        "京",
        "is",
        "中",
        "国",
        "的",
        "首",
        "都",
        "ok",
    ]


def test_mlqa_scores_depend_on_the_language():
    # "the सागर" vs "सागर": English drops "the" (EM 1); Hindi keeps it (EM 0, F1 p=1/2 r=1)
    assert mlqa_scores(["the सागर"], [["सागर"]], "en") == {"exact_match": 100.0, "f1": 100.0}
    hi = mlqa_scores(["the सागर"], [["सागर"]], "hi")
    assert hi == {"exact_match": 0.0, "f1": 100.0 * official_f1(1, 2, 1) / 1}
    # Arabic: "البحر" and "بحر" are the same answer once "ال" is gone
    assert mlqa_scores(["البحر"], [["بحر"]], "ar")["exact_match"] == 100.0
    # Chinese: character overlap; "地中海" vs "中海": 2 of 3 predicted characters, all gold ones
    zh = mlqa_scores(["地中海"], [["中海"]], "zh")
    assert zh == {"exact_match": 0.0, "f1": 100.0 * official_f1(2, 3, 2) / 1}
    # the same strings under SQuAD v1.1 rules: whole words, no overlap at all
    assert squad_v1_scores(["地中海"], [["中海"]]) == {"exact_match": 0.0, "f1": 0.0}
    with pytest.raises(HarnessError, match="no rules for language 'fr'"):
        mlqa_scores(["a"], [["a"]], "fr")
    with pytest.raises(HarnessError, match="needs the answer language"):
        load_registry().evaluator("mlqa").score(["a"], [["a"]])


# --------------------------------------------------------------------------- SQuAD v2.0
def test_squad_v2_null_answers_and_breakdown():
    predictions = ["", "", "", "Paris", "Curie"]
    golds = [
        [],  # unanswerable, predicted "": EM 1, F1 1 (both empty)
        ["Warsaw"],  # answerable, predicted "": 0, 0
        ["the"],  # answerable, but its only answer normalises to "": gold is "" -> 1, 1
        [],  # unanswerable, predicted "Paris": 0, 0
        ["Marie Curie"],  # [curie] vs [marie, curie]: EM 0, F1 p=1 r=1/2
    ]
    scores = squad_v2_scores(predictions, golds)
    f1_q4 = official_f1(1, 1, 2)
    assert scores == {
        "exact_match": 100.0 * (1 + 0 + 1 + 0 + 0) / 5,
        "f1": 100.0 * (1 + 0 + 1 + 0 + f1_q4) / 5,
        "has_ans_exact_match": 100.0 * (0 + 1 + 0) / 3,
        "has_ans_f1": 100.0 * (0 + 1 + f1_q4) / 3,
        "no_ans_exact_match": 100.0 * (1 + 0) / 2,
        "no_ans_f1": 100.0 * (1 + 0) / 2,
    }
    with pytest.raises(HarnessError, match="no prediction for question 0"):
        squad_v2_scores([None, "Warsaw"], [["Paris"], ["Warsaw"]])


# --------------------------------------------------------------------------- prediction files
def xtreme_file_scores(prediction_file: Path, label_file: Path, score) -> dict[str, float]:
    """evaluate.py's path: the label file's questions in file order, predictions by id."""
    predictions = json.loads(prediction_file.read_text("utf-8"))
    labels = json.loads(label_file.read_text("utf-8"))["data"]
    ordered, golds = [], []
    for article in labels:
        for paragraph in article["paragraphs"]:
            for qa in paragraph["qas"]:
                ordered.append(predictions.get(qa["id"]))
                golds.append([a["text"] for a in qa["answers"]])
    return score(ordered, golds)


def test_submission_files_score_like_the_run(tmp_path):
    """The run's in-memory scores equal those of its written test-{lang}.json against the
    label file, and match the hand-derived values."""
    registry = load_registry()
    mlqa = registry.task("mlqa")
    label_file = SAMPLE / "mlqa/MLQA_V1/test/test-context-zh-question-zh.json"
    rows = mlqa.load("test", "zh", DataSource("local", SAMPLE))
    # gold answers in file order: 古斯塔夫·埃菲尔, 330米, 华沙, 1903年
    texts = ["古斯塔夫·埃菲尔", "330", "北京", "1903年"]
    predictions = list(zip(rows["id"], texts, strict=True))
    prediction_file = tmp_path / "mlqa" / "test-zh.json"
    mlqa.write_predictions(prediction_file, predictions)
    in_run = registry.evaluator("mlqa").score(predictions, mlqa.references(rows), language="zh")
    from_files = xtreme_file_scores(
        prediction_file, label_file, lambda p, g: mlqa_scores(p, g, "zh")
    )
    assert in_run == from_files
    # exact; "330" vs "330 米": F1 p=1 r=1/2; no overlap; exact
    assert in_run == {
        "exact_match": 100.0 * 2 / 4,
        "f1": 100.0 * (1 + official_f1(1, 1, 2) + 0 + 1) / 4,
    }
    # XQuAD/TyDiQA use the SQuAD v1.1 scorer on the same kind of file
    xquad = registry.task("xquad")
    shutil.copy(SAMPLE / "xquad/xquad.de.json", tmp_path / "label.json")
    rows = xquad.load("test", "de", DataSource("local", SAMPLE))
    predictions = list(
        zip(rows["id"], ["Gustave Eiffel", "330", "", "1903", "Mittelmeer", "11"], strict=True)
    )
    xquad.write_predictions(tmp_path / "test-de.json", predictions)
    in_run = registry.evaluator("squad").score(predictions, xquad.references(rows))
    assert in_run == xtreme_file_scores(
        tmp_path / "test-de.json", tmp_path / "label.json", squad_v1_scores
    )
    # 330 vs "330 Meter": F1 p=1 r=1/2; "" vs Warschau: 0
    assert in_run == {
        "exact_match": 100.0 * 4 / 6,
        "f1": 100.0 * (1 + official_f1(1, 1, 2) + 0 + 1 + 1 + 1) / 6,
    }
