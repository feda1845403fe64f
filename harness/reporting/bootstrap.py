"""Paired-bootstrap and seed intervals for differences to the no-intermediate baseline.

Replicate i of two systems scored on the same split resamples the same examples (the
runner's ``--bootstrap-samples N``), so their difference is a paired bootstrap over test
examples. Seeds are resampled too: replicate i of a comparison averages the paired
differences of a resample (with replacement) of its seeds, so the interval covers
test-example and seed variance (with one seed it is the plain paired bootstrap). A group
(several languages or comparisons) averages its members' replicate differences replicate
by replicate. Without replicates the interval is Student's t over seeds (two or more).
"""

from __future__ import annotations

import hashlib
import math
import statistics
from dataclasses import dataclass, field

import numpy as np

LEVEL = 0.95

# Two-sided 95% Student t quantiles t(0.975, df) for df = 1..30.
_T975 = (
    12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228,
    2.201, 2.179, 2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086,
    2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042,
)  # fmt: skip


def t975(df: int) -> float:
    """Student's t quantile for a two-sided 95% interval with ``df`` degrees of freedom."""
    if df < 1:
        raise ValueError("df must be >= 1")
    if df <= len(_T975):
        return _T975[df - 1]
    z = 1.959964  # normal quantile, corrected for df (Cornish-Fisher; < 1e-4 off beyond 30)
    return z + (z**3 + z) / (4 * df) + (5 * z**5 + 16 * z**3 + 3 * z) / (96 * df**2)


@dataclass
class Comparison:
    """One intermediate vs. the baseline on one (target, split, language).

    ``diffs``: seed -> score(intermediate) - score(baseline), for seeds both have.
    ``replicates``: seed -> paired bootstrap replicate differences (where both have files).
    """

    key: str
    diffs: dict[int, float]
    replicates: dict[int, np.ndarray] = field(default_factory=dict)
    intermediate: float = math.nan
    baseline: float = math.nan

    @property
    def mean(self) -> float:
        return statistics.fmean(self.diffs.values())


@dataclass(frozen=True)
class Interval:
    low: float
    high: float
    method: str  # "bootstrap" or "seeds"


def _rng(key: str) -> np.random.Generator:
    return np.random.default_rng(int(hashlib.sha256(key.encode()).hexdigest()[:16], 16))


def replicate_means(members: list[Comparison]) -> np.ndarray | None:
    """Bootstrap distribution of the mean difference over ``members``.

    Uses the seeds every member has replicates for; replicate i draws that many seeds with
    replacement (one draw shared by all members, since they share the baseline's seeds)
    and averages the members' paired differences of replicate i over the drawn seeds.
    """
    if not members:
        return None
    seeds = sorted(set.intersection(*(set(m.replicates) for m in members)))
    if not seeds:
        return None
    count = min(len(m.replicates[s]) for m in members for s in seeds)
    if count < 1:
        return None
    # members x seeds x replicates
    stack = np.stack([np.stack([m.replicates[s][:count] for s in seeds]) for m in members])
    # the draw depends only on the members, so a group gets one interval wherever it is shown
    key = "\0".join(sorted(m.key for m in members))
    draw = _rng(key).integers(0, len(seeds), size=(count, len(seeds)))
    picked = stack[:, draw, np.arange(count)[:, None]]  # members x replicates x seeds
    return picked.mean(axis=(0, 2))


def interval(members: list[Comparison]) -> Interval | None:
    """95% interval for the mean difference of ``members`` (see the module docstring)."""
    means = replicate_means(members)
    if means is not None and len(means) >= 2:
        tail = (1 - LEVEL) / 2 * 100
        low, high = np.percentile(means, [tail, 100 - tail])
        return Interval(float(low), float(high), "bootstrap")
    seeds = sorted(set.intersection(*(set(m.diffs) for m in members))) if members else []
    if len(seeds) >= 2:
        per_seed = [statistics.fmean(m.diffs[s] for m in members) for s in seeds]
        centre = statistics.fmean(per_seed)
        half = t975(len(seeds) - 1) * statistics.stdev(per_seed) / math.sqrt(len(seeds))
        return Interval(centre - half, centre + half, "seeds")
    return None
