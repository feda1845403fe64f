"""The end-of-run summary: one compact table in the terminal, the full tables in a file.

Per phase (intermediate x target) the terminal shows the average over languages of the
target's main metric and, per intermediate, the suite's benchmark score (XTREME's) when
every task of its scoring ran in all its languages; the per-language tables go to
``runs/<id>/summary.md``. Everything fits in ``WIDTH`` columns; models appear as
:func:`harness.results.model_label` shows them (the records keep the name as given).
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from harness.results import model_label
from harness.suites import Scoring

WIDTH = 100
MISSING = "–"
_FIRST = 14  # width of the row-label column
_CELL = 9  # width of a score column


def _cells(values: list[float]) -> str:
    return f"{statistics.mean(values):.1f}" if values else MISSING


def _main_averages(
    records: list[dict[str, Any]],
) -> tuple[list[str], list[str], dict[tuple[str, str], list[float]], dict[str, str]]:
    """(intermediates, targets, (intermediate, target) -> per-seed language averages of the
    main metric, target -> split used): test where a phase has test scores, else dev."""
    rows = [r for r in records if r["role"] == "target" and r["main"]]
    inters = list(dict.fromkeys(r["intermediate"] or "none" for r in rows))
    targets = list(dict.fromkeys(r["target"] for r in rows))
    by_phase: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
    for r in rows:
        by_phase[(r["intermediate"] or "none", r["target"])].append(r)
    averages, splits = {}, {}
    for key, rs in by_phase.items():
        split = "test" if any(r["split"] == "test" for r in rs) else "dev"
        splits.setdefault(key[1], split)
        if splits[key[1]] != split:
            splits[key[1]] = "test/dev"
        seeds: dict[int, list[float]] = defaultdict(list)
        for r in rs:
            if r["split"] == split:
                seeds[r["seed"]].append(r["value"])
        averages[key] = [statistics.mean(v) for v in seeds.values()]
    return inters, targets, averages, splits


def benchmark_scores(
    records: list[dict[str, Any]], scoring: Scoring, folders: Mapping[str, str]
) -> dict[str, float | None]:
    """Per intermediate: the suite's overall score (mean over seeds), or None unless every
    task of ``scoring`` has test scores in all its languages. ``folders`` maps a target to
    its name in the scoring (its ``xtreme_name``)."""
    from harness.scoring import overall_score, task_score

    nested: dict[str, dict[int, dict[str, dict[str, dict[str, float]]]]] = defaultdict(
        lambda: defaultdict(lambda: defaultdict(dict))
    )
    for r in records:
        if r["role"] == "target" and r["split"] == "test":
            task = folders.get(r["target"], r["target"])
            per_language = nested[r["intermediate"] or "none"][r["seed"]][task]
            per_language.setdefault(r["language"], {})[r["metric"]] = r["value"]
    out: dict[str, float | None] = {}
    for inter, seeds in nested.items():
        overall = []
        for tasks in seeds.values():
            scores = {}
            for task, per_language in tasks.items():
                spec = scoring.task(task)
                if spec is not None and set(spec.languages) <= set(per_language):
                    value = task_score(task, per_language, scoring).score
                    if value is not None:
                        scores[task] = value
            value = overall_score(scores, scoring)
            if value is not None:
                overall.append(value)
        out[inter] = statistics.mean(overall) if overall else None
    return out


def compact_summary(
    records: list[dict[str, Any]],
    unavailable: list[str],
    scoring: Scoring | None = None,
    folders: Mapping[str, str] | None = None,
    tables: Path | None = None,
) -> str:
    """The terminal summary (at most ``WIDTH`` columns): targets as rows, intermediates as
    columns (in blocks when many), the benchmark score row, intermediates' own scores, and
    where the per-language tables are."""
    inters, targets, averages, splits = _main_averages(records)
    lines: list[str] = []
    if targets:
        seeds = sorted({r["seed"] for r in records})
        over = f", mean of {len(seeds)} seeds" if len(seeds) > 1 else ""
        lines.append(
            f"task averages over languages of the main metric (test; dev where no test{over})"
        )
        score = benchmark_scores(records, scoring, folders or {}) if scoring else {}
        per_block = max(1, (WIDTH - _FIRST) // _CELL)
        for start in range(0, len(inters), per_block):
            block = inters[start : start + per_block]
            lines.append(
                "after".ljust(_FIRST) + "".join(_fit(i, _CELL).rjust(_CELL) for i in block)
            )
            for target in targets:
                label = target if splits.get(target) == "test" else f"{target} ({splits[target]})"
                lines.append(
                    _fit(label, _FIRST).ljust(_FIRST)
                    + "".join(_cells(averages.get((i, target), [])).rjust(_CELL) for i in block)
                )
            if scoring is not None:
                values = [score.get(i) for i in block]
                lines.append(
                    _fit(scoring.name, _FIRST).ljust(_FIRST)
                    + "".join(
                        (f"{v:.1f}" if v is not None else MISSING).rjust(_CELL) for v in values
                    )
                )
        if scoring is not None and not any(v is not None for v in score.values()):
            lines.append(
                f"({scoring.name} needs test scores of all {len(scoring.tasks)} of its tasks "
                "in all their languages)"
            )
    own = _intermediate_scores(records)
    if own:
        lines.append(_wrap("intermediate tasks, own dev score: " + ", ".join(own)))
    lines += [
        f"{n}: not yet available (no installed plugin provides this task)" for n in unavailable
    ]
    if tables is not None:
        lines.append(f"per-language tables: {tables}")
    return "\n".join(lines)


def _intermediate_scores(records: list[dict[str, Any]]) -> list[str]:
    scores: dict[str, list[float]] = defaultdict(list)
    for r in records:
        if r["role"] == "intermediate" and r["main"]:
            scores[r["target"]].append(r["value"])
    return [f"{task} {statistics.mean(v):.1f}" for task, v in scores.items()]


def _fit(text: str, width: int) -> str:
    """``text`` in ``width - 1`` characters (a space separates columns)."""
    return text if len(text) < width else text[: width - 2] + "…"


def _wrap(text: str) -> str:
    import textwrap

    return "\n".join(textwrap.wrap(text, WIDTH, subsequent_indent="  "))


def summary_markdown(
    records: list[dict[str, Any]],
    unavailable: list[str],
    run_id: str,
    scoring: Scoring | None = None,
    folders: Mapping[str, str] | None = None,
) -> str:
    """summary.md: the compact summary, then every per-language table of the run."""
    from harness.leaderboard import intermediate_table, target_table

    shown = [{**r, "model": model_label(r["model"])} for r in records]
    blocks = [
        f"# Run {run_id}",
        "```\n" + compact_summary(records, unavailable, scoring, folders) + "\n```",
    ]
    if any(r["role"] == "intermediate" for r in shown):
        blocks.append(
            "## Intermediate tasks (own validation score)\n\n" + intermediate_table(shown)
        )
    targets = [r for r in shown if r["role"] == "target"]
    for target in dict.fromkeys(r["target"] for r in targets):
        blocks.append(f"## {target}\n\n{target_table(targets, target)}")
    return "\n\n".join(blocks) + "\n"
