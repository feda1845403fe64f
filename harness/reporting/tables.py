"""Table helpers shared by the leaderboard and the analysis: Markdown, cells, names, order."""

from __future__ import annotations

import hashlib
import math
import re
import statistics
from collections.abc import Iterable, Sequence

from tabulate import tabulate

MISSING = "–"  # a cell with no score
Table = tuple[list[str], list[list[str]]]  # headers, rows


def markdown(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """A GitHub Markdown table; cells are shown as given (already formatted)."""
    return tabulate(rows, headers=headers, tablefmt="github", disable_numparse=True)


def mean_std(values: list[float]) -> str:
    """``80.10`` for one seed; ``80.10 ± 1.23 (n=3)`` for several."""
    if not values:
        return MISSING
    if len(values) == 1:
        return f"{values[0]:.2f}"
    return f"{statistics.mean(values):.2f} ± {statistics.stdev(values):.2f} (n={len(values)})"


def number(value: float | None) -> str:
    """Two decimals, or the missing marker."""
    return MISSING if value is None or math.isnan(value) else f"{value:.2f}"


def signed(value: float) -> str:
    """A difference with its sign, or the missing marker."""
    return MISSING if math.isnan(value) else f"{value:+.2f}"


def safe_name(part: str) -> str:
    """``part`` with every run of characters unsafe in a file name as one '_'."""
    return re.sub(r"[^A-Za-z0-9.+_-]+", "_", part).strip("_.") or "x"


def slug(*parts: str) -> str:
    """A file-name-safe, deterministic name for (model, intermediate, data) parts; a short
    hash of the originals is added where making them safe changed them, so two setups never
    share a file."""
    safe = [safe_name(p) for p in parts]
    name = "-".join(safe)
    if safe != list(parts):
        name += "-" + hashlib.sha1("\0".join(parts).encode()).hexdigest()[:6]
    return name


def task_order(tasks: Iterable[str]) -> list[str]:
    """XTREME tasks in XTREME order, then any others alphabetically."""
    from harness.scoring import XTREME_TASKS

    present = set(tasks)
    return [t for t in XTREME_TASKS if t in present] + sorted(present - set(XTREME_TASKS))
