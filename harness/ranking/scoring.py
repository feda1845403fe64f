"""How far to trust a predictor: its rankings against a grid's measured results.

Per target, the *measured* score of each intermediate is the target's main metric on its
report split (test where it has scored test records, else dev, as ``harness analyze``
reports), averaged over seeds and then over the languages every candidate and the
baseline were scored in; the *improvement* is that minus the no-intermediate baseline's.

- Regret@k (Poth et al. 2021): (best measured score - best measured score among the k
  top-ranked candidates) / best measured score, in percent; 0 when the best candidate is
  among the top k.
- Spearman's rho between the predicted similarities and the measured improvements (ties
  get their average rank).
- NDCG over the whole ranking, with each candidate's relevance its improvement minus the
  smallest improvement among the candidates (so the worst one counts 0) and the usual
  log2 discount.
- For scale, ``random`` is the expected Regret@k of choosing k candidates at random.
"""

from __future__ import annotations

import math
import statistics
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import combinations
from pathlib import Path
from typing import Any

from harness.errors import HarnessError

BASELINE = "none"


@dataclass
class Measured:
    """One target's measured scores per intermediate on one split and language set."""

    target: str
    metric: str
    split: str
    languages: list[str]
    baseline: float
    scores: dict[str, float]

    def improvement(self, name: str) -> float:
        return self.scores[name] - self.baseline


def measured(records: Iterable[Any], model: str, data: str) -> list[Measured]:
    """Per target with a baseline and at least two intermediates: their measured scores."""
    cells: dict[tuple[str, str, str, str], list[float]] = defaultdict(list)
    metric: dict[str, str] = {}
    seen = False
    for r in records:
        if r.role != "target" or not r.main or r.model != model or (r.data or "") != data:
            continue
        seen = True
        cells[r.target, r.intermediate or BASELINE, r.split, r.language].append(r.value)
        metric[r.target] = r.metric
    if not seen:
        raise HarnessError(
            f"--evaluate: no target scores of model '{model}' on data '{data}' in the given "
            "results; pass the --model and --data the grid was run with"
        )
    out = []
    for target in sorted(metric):
        splits = {s for (t, _, s, _) in cells if t == target}
        split = "test" if "test" in splits else "dev" if "dev" in splits else sorted(splits)[0]
        by_inter: dict[str, dict[str, float]] = defaultdict(dict)
        for (t, inter, s, lang), values in cells.items():
            if t == target and s == split:
                by_inter[inter][lang] = statistics.fmean(values)
        if BASELINE not in by_inter or len(by_inter) < 3:
            continue
        common = sorted(set.intersection(*(set(v) for v in by_inter.values())))
        if not common:
            continue
        means = {i: statistics.fmean(v[lang] for lang in common) for i, v in by_inter.items()}
        baseline = means.pop(BASELINE)
        out.append(Measured(target, metric[target], split, common, baseline, means))
    if not out:
        raise HarnessError(
            "--evaluate: no target has baseline scores and at least two intermediates "
            "scored in common languages; run a grid with --intermediate none A B ..."
        )
    return out


def regret(order: list[str], scores: dict[str, float], k: int) -> float:
    """Poth et al.'s Regret@k in percent (nan when the best score is not positive)."""
    best = max(scores.values())
    if best <= 0:
        return math.nan
    return 100.0 * (best - max(scores[c] for c in order[:k])) / best


def random_regret(scores: dict[str, float], k: int) -> float:
    """Expected Regret@k of k candidates drawn at random (exact)."""
    best = max(scores.values())
    if best <= 0:
        return math.nan
    values = list(scores.values())
    k = min(k, len(values))
    subsets = list(combinations(values, k))
    return statistics.fmean(100.0 * (best - max(s)) / best for s in subsets)


def _ranks(values: list[float]) -> list[float]:
    order = sorted(range(len(values)), key=lambda i: values[i])
    ranks = [0.0] * len(values)
    i = 0
    while i < len(order):
        j = i
        while j + 1 < len(order) and values[order[j + 1]] == values[order[i]]:
            j += 1
        for m in range(i, j + 1):
            ranks[order[m]] = (i + j) / 2 + 1
        i = j + 1
    return ranks


def spearman(predicted: list[float], actual: list[float]) -> float:
    """Spearman's rho (Pearson correlation of average ranks); nan when either is constant."""
    a, b = _ranks(predicted), _ranks(actual)
    ma, mb = statistics.fmean(a), statistics.fmean(b)
    num = sum((x - ma) * (y - mb) for x, y in zip(a, b, strict=True))
    den = math.sqrt(sum((x - ma) ** 2 for x in a) * sum((y - mb) ** 2 for y in b))
    return num / den if den > 0 else math.nan


def ndcg(order: list[str], improvements: dict[str, float]) -> float:
    """NDCG of ``order`` with relevance = improvement - the smallest improvement."""
    low = min(improvements.values())
    relevance = {c: improvements[c] - low for c in improvements}

    def dcg(names: list[str]) -> float:
        return sum(relevance[c] / math.log2(i + 2) for i, c in enumerate(names))

    ideal = dcg(sorted(relevance, key=lambda c: -relevance[c]))
    return dcg(order) / ideal if ideal > 0 else math.nan


@dataclass
class Score:
    target: str
    method: str
    regret1: float
    regret3: float
    spearman: float
    ndcg: float
    top: str
    best: str


def score(ranking: Any, truth: list[Measured]) -> list[Score]:
    """Every (target, method) of ``ranking`` against the measured results, plus
    ``random`` (expected regrets only)."""
    out = []
    for m in truth:
        for method in ranking.config.methods:
            try:
                ranked = ranking.order(m.target, method)
            except KeyError:  # a saved ranking without this target for this method
                continue
            order = [c for c in ranked if c in m.scores]
            if len(order) < 2:
                continue
            sims = {e["name"]: e["score"] for e in _entry(ranking, m.target, method)}
            sub = {c: m.scores[c] for c in order}
            gains = {c: m.improvement(c) for c in order}
            out.append(
                Score(
                    target=m.target,
                    method=method,
                    regret1=regret(order, sub, 1),
                    regret3=regret(order, sub, 3),
                    spearman=spearman([sims[c] for c in order], [gains[c] for c in order]),
                    ndcg=ndcg(order, gains),
                    top=order[0],
                    best=max(sorted(sub), key=lambda c: sub[c]),
                )
            )
        out.append(
            Score(
                target=m.target,
                method="random",
                regret1=random_regret(m.scores, 1),
                regret3=random_regret(m.scores, 3),
                spearman=math.nan,
                ndcg=math.nan,
                top="-",
                best=max(sorted(m.scores), key=lambda c: m.scores[c]),
            )
        )
    return out


def _entry(ranking: Any, target: str, method: str) -> list[dict[str, Any]]:
    for entry in ranking.rankings:
        if entry["target"] == target and entry["method"] == method:
            return entry["candidates"]
    return []


def _num(value: float, digits: int = 2) -> str:
    return "n/a" if math.isnan(value) else f"{value:.{digits}f}"


def _mean(values: list[float]) -> float:
    kept = [v for v in values if not math.isnan(v)]
    return statistics.fmean(kept) if kept else math.nan


def report(ranking: Any, truth: list[Measured], scores: list[Score], sources: list[Path]) -> str:
    """Markdown: measured improvements, per-target scores, averages and costs."""
    from tabulate import tabulate

    def md(headers: list[str], rows: list[list[Any]]) -> str:
        return tabulate(rows, headers=headers, tablefmt="github", disable_numparse=True)

    methods = [*ranking.config.methods, "random"]
    names = sorted(set().union(*(m.scores for m in truth)))
    lines = [
        "## Measured improvements over the no-intermediate baseline",
        "",
        md(
            ["target", "metric", "split", "languages", "baseline", *names],
            [
                [
                    m.target,
                    m.metric,
                    m.split,
                    str(len(m.languages)),
                    _num(m.baseline),
                    *[_num(m.improvement(c)) if c in m.scores else "" for c in names],
                ]
                for m in truth
            ],
        ),
        "",
        "## Per target",
        "",
        md(
            [
                "target",
                "method",
                "top-ranked",
                "best measured",
                "Regret@1 %",
                "Regret@3 %",
                "Spearman",
                "NDCG",
            ],
            [
                [
                    s.target,
                    s.method,
                    s.top,
                    s.best,
                    _num(s.regret1),
                    _num(s.regret3),
                    _num(s.spearman),
                    _num(s.ndcg),
                ]
                for s in scores
            ],
        ),  # fmt: skip
        "",
        "## Averages over targets",
        "",
        md(
            [
                "method",
                "targets",
                "Regret@1 %",
                "Regret@3 %",
                "Spearman",
                "NDCG",
                "top-1 = best",
                "wall seconds",
            ],
            [
                [
                    method,
                    str(len(group := [s for s in scores if s.method == method])),
                    _num(_mean([s.regret1 for s in group])),
                    _num(_mean([s.regret3 for s in group])),
                    _num(_mean([s.spearman for s in group])),
                    _num(_mean([s.ndcg for s in group])),
                    ""
                    if method == "random"
                    else f"{sum(s.top == s.best for s in group)}/{len(group)}",
                    _num(ranking.seconds.get(method, math.nan), 1),
                ]
                for method in methods
            ],
        ),  # fmt: skip
        "",
        f"Candidates: {', '.join(names)}. Data preparation (reading and "
        f"tokenising every sample): {ranking.seconds.get('data', 0):.1f}s; whole ranking "
        f"of {len(truth)} targets: {ranking.seconds.get('total', 0):.1f}s wall. Model "
        f"{ranking.config.model}, data {ranking.config.data}, up to "
        f"{ranking.config.max_examples} examples per task, TaskEmb-lite "
        f"{ranking.config.taskemb_steps} steps. Measured results: "
        f"{', '.join(str(p) for p in sources)}.",
    ]
    return "\n".join(lines) + "\n"
