"""Mean average precision at k: XTREME-R's Mewsli-X and LAReQA ``map@20``.

``predictions`` holds one ranked list of candidate ids per query and ``references`` the
query's relevant (gold) ids, in the same order. Only the first ``k`` (20) predictions
count, and a candidate listed twice counts once (its first position). For a query with
relevant set ``R`` whose hits (relevant candidates) sit at ranks ``r_1 < r_2 < ...`` among
the first ``k``::

    AP@k = (1/r_1 + 2/r_2 + 3/r_3 + ...) / min(|R|, k)

``map@k`` is the mean of AP@k over the queries, times 100 (evaluate.py's percent scale).
The two official scorers compute this with different float operations, and we follow
each of them exactly:

- one relevant id per query (Mewsli-X; google-research/xtreme ``utils_mewslix.evaluate``
  via evaluate.py ``mewslix_map20``): AP@k is the reciprocal rank ``1.0 / r_1`` of the
  gold id (0.0 when it is not among the first k), with the gold id stripped of surrounding
  whitespace as that scorer does; the mean is the built-in ``sum`` in query order divided
  by the count, then ``* 100``;
- several relevant ids (LAReQA; ``utils_lareqa.average_precision_at_k`` and
  ``mean_avg_prec_at_k`` with k=20): the running sum above divided by ``min(|R|, k)``,
  averaged with ``numpy.mean`` (pairwise summation), then ``* 100``. The official LAReQA
  script averages over the questions of all languages at once; XQuAD-R has the same
  number of questions in every language, so the mean of our per-language scores is the
  same quantity.

For a single relevant id both definitions give the same per-query value; only the way
the mean is summed differs (in the last digit at most).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

import harness

TOP_K = 20
"""Mewsli-X and LAReQA score the first 20 candidates (utils_mewslix ``TOP_K``)."""


def _ids(value: Any, what: str, index: int) -> list[Any]:
    """A list of ids (a plain string is one id; None, a missing prediction, is none)."""
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    if isinstance(value, (list, tuple)) and all(isinstance(v, (str, int)) for v in value):
        return list(value)
    raise harness.HarnessError(
        f"{what} {index + 1} is not a list of ids (strings or integers): {value!r:.60}; "
        "give one list of candidate ids per query"
    )


def reciprocal_rank(gold: Any, ranked: Sequence[Any], k: int) -> float:
    """Mewsli-X's per-query value: ``1.0 / rank`` of the first hit in the top k, else 0.0."""
    for rank, candidate in enumerate(ranked[:k], start=1):
        if candidate == gold:
            return 1.0 / rank
    return 0.0


def average_precision(relevant: Sequence[Any], ranked: Sequence[Any], k: int) -> float:
    """LAReQA's AP@k: precision at each new hit in the top k, summed, over min(|R|, k)."""
    top = list(ranked[:k])
    wanted = set(relevant)
    seen: set[Any] = set()
    total = 0.0
    hits = 0.0
    for i, candidate in enumerate(top):
        if candidate in wanted and candidate not in seen:
            hits += 1.0
            total += hits / (i + 1.0)
        seen.add(candidate)
    return total / min(len(wanted), k)


def map_at_k(predictions: Sequence[Any], references: Sequence[Any], k: int = TOP_K) -> float:
    """``map@k`` in percent (see the module docstring for the exact arithmetic)."""
    if len(predictions) != len(references):
        raise harness.HarnessError(
            f"{len(predictions)} ranked lists for {len(references)} queries; "
            "give one ranked list per query, in the order of the gold file"
        )
    if not references:
        raise harness.HarnessError("no queries to score; the gold file holds none")
    golds = [_ids(r, "gold entry", i) for i, r in enumerate(references)]
    ranked = [_ids(p, "prediction", i) for i, p in enumerate(predictions)]
    for i, gold in enumerate(golds):
        if not gold:
            raise harness.HarnessError(
                f"query {i + 1} has no gold id; every query needs at least one relevant id"
            )
    if all(len(set(g)) == 1 for g in golds):
        ranks = [
            reciprocal_rank(g[0].strip() if isinstance(g[0], str) else g[0], p, k)
            for g, p in zip(golds, ranked, strict=True)
        ]
        return sum(ranks) / len(ranks) * 100
    precisions = [average_precision(g, p, k) for g, p in zip(golds, ranked, strict=True)]
    return float(np.mean(np.asarray(precisions, dtype=np.float64))) * 100


@dataclass(frozen=True, kw_only=True)
class MapAtK(harness.Evaluator):
    """``map@{k}``; register another instance with its own ``k`` for another cut-off."""

    k: int = TOP_K

    def score(
        self, predictions: Sequence[Any], references: Sequence[Any], language: str | None = None
    ) -> dict[str, float]:
        return {f"map@{self.k}": map_at_k(predictions, references, self.k)}


@harness.hookimpl
def register_evaluators(register):
    register(
        MapAtK(
            name="map_at_k",
            description="Mean average precision at 20 (XTREME-R Mewsli-X, LAReQA)",
            metrics=(f"map@{TOP_K}",),
        )
    )
