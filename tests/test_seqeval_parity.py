"""seqeval scores equal XTREME evaluate.py's, derived by hand from the definitions.

evaluate.py (google-research/xtreme) reads prediction and label files with ``read_tag`` and
reports seqeval micro ``f1``/``precision``/``recall`` * 100. seqeval's default (conlleval) chunking
splits a tag into prefix = first character and type = the rest after ``-`` (whole rest for POS
tags), joins sentences with an ``O``, and counts exact (type, start, end) chunks. Each case
below lists the chunks by hand; the expected numbers follow from tp / predicted, tp / gold and
F1 = 2PR / (P + R) in the same float order seqeval uses.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from harness import HarnessError
from harness.registry import load_registry


@pytest.fixture(scope="module")
def registry():
    return load_registry()


def prf(tp: int, predicted: int, gold: int) -> dict[str, float]:
    p = tp / predicted if predicted else 0.0
    r = tp / gold if gold else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"f1": f * 100, "precision": p * 100, "recall": r * 100}


def accuracy(gold: list[list[str]], predicted: list[list[str]]) -> float:
    pairs = [
        (g, p) for gs, ps in zip(gold, predicted, strict=True) for g, p in zip(gs, ps, strict=True)
    ]
    return sum(g == p for g, p in pairs) / len(pairs) * 100


CASES = {
    # PAN-X, IOB2. gold: PER 0-1, LOC 3 | ORG 1-2; predicted: PER 0-1 | ORG 1 (B-ORG then O),
    # LOC 3. Only PER matches: tp 1 of 3 predicted, 3 gold.
    "panx": (
        [["B-PER", "I-PER", "O", "B-LOC"], ["O", "B-ORG", "I-ORG", "O"]],
        [["B-PER", "I-PER", "O", "O"], ["O", "B-ORG", "O", "B-LOC"]],
        (1, 3, 3),
    ),
    # an I- tag after O opens a chunk (conlleval): gold LOC 1-2, predicted LOC 0-2: no match
    "panx-i-after-o": ([["O", "I-LOC", "I-LOC"]], [["B-LOC", "I-LOC", "I-LOC"]], (0, 1, 1)),
    # UD-POS: equal neighbouring tags are one chunk. gold {OUN 0-1, ERB 2}, predicted
    # {OUN 0, ERB 1-2}: F1 0 while 2 of 3 tags are right (token accuracy 66.7).
    "udpos-runs": ([["NOUN", "NOUN", "VERB"]], [["NOUN", "VERB", "VERB"]], (0, 2, 2)),
    # distinct neighbours: every tag its own chunk, F1 = accuracy = 6/7
    "udpos-distinct": (
        [["DET", "NOUN", "VERB", "ADP", "DET", "NOUN", "PUNCT"]],
        [["DET", "NOUN", "VERB", "ADP", "DET", "ADJ", "PUNCT"]],
        (6, 7, 7),
    ),
    # CCONJ/SCONJ share type CONJ and S opens a chunk: gold {RON 0, CONJ 2, ERB 3} (the CCONJ
    # chunk is overwritten), predicted {RON 0, CONJ 1-2, ERB 3}: tp 2 of 3, accuracy 3/4
    "udpos-conj": (
        [["PRON", "CCONJ", "SCONJ", "VERB"]],
        [["PRON", "CCONJ", "CCONJ", "VERB"]],
        (2, 3, 3),
    ),
    # SYM (prefix S) is always a one-word chunk; X (type _) before the sentence-final O is never
    # closed: gold {YM 0, YM 1}, predicted {YM 0}
    "udpos-sym-x": ([["SYM", "SYM"]], [["SYM", "X"]], (1, 1, 2)),
    # two sentences: chunks never cross the boundary. gold {OUN 0-1} | {OUN 3-4};
    # predicted the same tags split differently: {OUN 0-1} | {OUN 3}, {ERB 4}
    "udpos-two-sentences": (
        [["NOUN", "NOUN"], ["NOUN", "NOUN"]],
        [["NOUN", "NOUN"], ["NOUN", "VERB"]],
        (1, 3, 2),
    ),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_hand_derived_values(registry, case):
    gold, predicted, (tp, n_pred, n_gold) = CASES[case]
    scores = registry.evaluator("seqeval").score(predicted, gold)
    assert scores == prf(tp, n_pred, n_gold)  # exact floats


def test_quirk_differs_from_token_accuracy(registry):
    gold, predicted, _ = CASES["udpos-runs"]
    assert registry.evaluator("seqeval").score(predicted, gold)["f1"] == 0.0
    assert accuracy(gold, predicted) == pytest.approx(66.6666667)
    gold, predicted, _ = CASES["udpos-conj"]
    assert registry.evaluator("seqeval").score(predicted, gold)["f1"] == pytest.approx(66.6666667)
    assert accuracy(gold, predicted) == 75.0


def official_read_tag(path: Path) -> list[list[str]]:
    """evaluate.py's read_tag, restated: stripped lines, blank line ends a sentence."""
    labels, example = [], []
    for line in open(path, encoding="utf-8"):
        line = line.strip()
        if line:
            example.append(line)
        else:
            labels.append(example)
            example = []
    if example:
        labels.append(example)
    return labels


@pytest.mark.parametrize("task_name", ["udpos", "panx"])
def test_submission_files_score_like_evaluate_py(registry, tmp_path, task_name):
    """Files written by the runner's writer read back to the same sentences and scores."""
    task = registry.task(task_name)
    evaluator = registry.evaluator(task.evaluator)
    for case in CASES.values():
        gold, predicted, _ = case
        if not set(t for s in gold for t in s) <= set(task.tag_names):
            continue
        pred_file, gold_file = tmp_path / "pred.tsv", tmp_path / "gold.tsv"
        task.write_predictions(pred_file, predicted)
        task.write_predictions(gold_file, gold)
        assert official_read_tag(pred_file) == predicted
        assert official_read_tag(gold_file) == gold
        read = task.read_submission(pred_file, gold_file, "de")  # what `harness score` scores
        assert read == (predicted, gold)
        assert evaluator.score(*read) == evaluator.score(predicted, gold)


def test_submission_format_is_xtreme(registry, tmp_path):
    path = tmp_path / "test-de.tsv"
    registry.task("panx").write_predictions(path, [["B-PER", "O"], ["O"]])
    assert path.read_text() == "B-PER\nO\n\nO\n"  # blank line between sentences, none at the end


def test_tag_accuracy_and_mismatches(registry):
    acc = registry.evaluator("tag-accuracy")
    assert acc.score([["N", "N/N"], ["."]], [["N", "N"], ["."]]) == {"accuracy": 2 / 3 * 100}
    seqeval = registry.evaluator("seqeval")
    with pytest.raises(HarnessError, match="sentence 0: 1 predicted tags for 2"):
        seqeval.score([["O"]], [["O", "O"]])
    with pytest.raises(HarnessError, match="2 predicted sentences for 1"):
        seqeval.score([["O"], ["O"]], [["O"]])
