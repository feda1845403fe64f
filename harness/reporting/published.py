"""Published reference rows on the leaderboard: how they are labelled and cited.

A publication often gives one average per task and no per-language scores (stored with
language ``all``); such a cell is shown as given and marked, never as a partial score. Its
rows name their publication (``sources.short_citation``) in the data column, so rows of
two publications never share a setup, and the heat maps compare a publication only with
itself.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping

from harness.reporting.records import Record, Setup
from harness.reporting.tables import MISSING

AVERAGE = "all"  # the language of a published task average (no per-language scores given)
AVERAGE_ONLY = "‡"
AVERAGE_NOTE = (
    f"{AVERAGE_ONLY} = the publication gives only this task average (in its own metric: F1 "
    "for QA, not evaluate.py's mean of exact match and F1), no per-language scores, so "
    f"per-language cells stay {MISSING} and it is left out of group and overall scores."
)


def citation_lines(records: list[Record], citations: Mapping[str, str]) -> list[str]:
    """One line per published row (model, intermediate, data label): its full source."""
    rows: dict[Setup, set[str]] = defaultdict(set)
    for r in records:
        if r.run_id in citations:
            rows[r.setup].add(citations[r.run_id])
    return [f"{', '.join(k)}: {'; '.join(sorted(v))}" for k, v in sorted(rows.items())]


def target_notes(records: list[Record], citations: Mapping[str, str]) -> list[str]:
    """Lines under a per-target table: what ‡ means, the source of each published row."""
    notes = [AVERAGE_NOTE] if any(r.language == AVERAGE for r in records) else []
    return notes + [f"Source: {line}" for line in citation_lines(records, citations)]


def unpaired(records: list[Record]) -> list[str]:
    """Published intermediate rows without a baseline of the same publication: the heat map
    compares a publication only with itself, so these get no cell."""
    setups = {r.setup for r in records if r.role == "target" and r.kind == "published"}
    return [
        f"{s.model}, intermediate {s.intermediate}, {s.data}: no heat-map cell, as that "
        "publication gives no no-intermediate baseline of its own (a baseline from another "
        "publication is not compared with it)"
        for s in sorted(setups)
        if s.intermediate != "none" and Setup(s.model, "none", s.data) not in setups
    ]
