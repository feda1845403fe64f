"""BUCC 2018 precision/recall/F1 exactly as XTREME's evaluate.py (``bucc_f1``) computes them.

evaluate.py reads both files line by line (stripped), turns every line into a tuple of its
tab-separated fields, and compares the two *sets*: ``ncorrect = |gold & predicted|``,
precision over predicted pairs, recall over gold pairs, all three 0 when nothing matches.
The same arithmetic in the same order here gives the same floats.

Predictions and references may be given as lines (one ``src_id<TAB>en_id`` string per
item) or, as the ``bucc2018`` task does, as one list of such lines per sentence row.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import harness


def pair_lines(items: Iterable[Any]) -> list[str]:
    """Flatten per-row lists of pair lines (a plain string is one line)."""
    lines: list[str] = []
    for item in items:
        if item is None:
            continue
        lines.extend([item] if isinstance(item, str) else item)
    return lines


def bucc_scores(gold_lines: Sequence[str], predicted_lines: Sequence[str]) -> dict[str, float]:
    """evaluate.py's ``bucc_f1(labels, predictions)`` on the lines of the two files."""
    gold = {tuple(line.strip().split("\t")) for line in gold_lines}
    predicted = {tuple(line.strip().split("\t")) for line in predicted_lines}
    ncorrect = len(gold & predicted)
    if ncorrect > 0:
        precision = ncorrect / len(predicted)
        recall = ncorrect / len(gold)
        f1 = 2 * precision * recall / (precision + recall)
    else:
        precision = recall = f1 = 0.0
    return {"f1": f1 * 100, "precision": precision * 100, "recall": recall * 100}


class BuccF1(harness.Evaluator):
    def score(
        self, predictions: Sequence[Any], references: Sequence[Any], language: str | None = None
    ) -> dict[str, float]:
        return bucc_scores(pair_lines(references), pair_lines(predictions))


@harness.hookimpl
def register_evaluators(register):
    register(
        BuccF1(
            name="bucc_f1",
            description="F1 of mined sentence pairs against gold pairs (XTREME evaluate.py)",
            metrics=("f1", "precision", "recall"),
        )
    )
