"""Regenerate ``leaderboards/`` from result records alone (Markdown tables via tabulate).

Output is a pure function of the valid records found, so regenerating twice gives
byte-identical files; invalid result files are listed and skipped, never mixed in.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from tabulate import tabulate

from harness.results import atomic_write_text, read_results

Key = tuple[str, str, str, str, str]  # model, intermediate, data, split, metric


def _data(record: dict[str, Any]) -> str:
    """Scores on the bundled samples must never sit in one row with real-data scores."""
    return record.get("data", "?")


def _setup(record: dict[str, Any]) -> tuple[str, str, str]:
    """What a leaderboard row compares: (model, intermediate or "none", data source)."""
    return record["model"], record["intermediate"] or "none", _data(record)


def mean_std(values: list[float]) -> str:
    """``80.10`` for one seed; ``80.10 ± 1.23 (n=3)`` for several."""
    if not values:
        return "–"
    if len(values) == 1:
        return f"{values[0]:.2f}"
    return f"{statistics.mean(values):.2f} ± {statistics.stdev(values):.2f} (n={len(values)})"


def collect(paths: Iterable[Path]) -> tuple[list[dict[str, Any]], list[str]]:
    """Valid records from every ``results.json`` under ``paths``; problems of the others."""
    records, problems = [], []
    files = []
    for path in paths:
        path = Path(path)
        files += [path] if path.is_file() else sorted(path.rglob("results.json"))
    for file in files:
        found, bad = read_results(file)
        records += found
        problems += bad
    # a re-run of the same configuration supersedes older runs (run ids sort by time)
    latest: dict[tuple, dict[str, Any]] = {}
    for r in sorted(records, key=lambda r: r["run_id"]):
        key = (
            r["model"],
            r["intermediate"],
            r["target"],
            r["role"],
            r["language"],
            r["split"],
            r["metric"],
            r["seed"],
            _data(r),
        )
        latest[key] = r
    return list(latest.values()), problems


def _by_seed(records: list[dict[str, Any]]) -> dict[int, dict[str, float]]:
    out: dict[int, dict[str, float]] = defaultdict(dict)
    for r in records:
        out[r["seed"]][r["language"]] = r["value"]
    return out


def target_table(records: list[dict[str, Any]], target: str) -> str:
    rows = [r for r in records if r["target"] == target and r["main"]]
    languages = sorted({r["language"] for r in rows})
    groups: dict[Key, list[dict[str, Any]]] = defaultdict(list)
    for r in rows:
        groups[(*_setup(r), r["split"], r["metric"])].append(r)
    table = []
    for (model, inter, data, split, metric), rs in sorted(groups.items()):
        seeds = _by_seed(rs)
        cells = [mean_std([s[lg] for s in seeds.values() if lg in s]) for lg in languages]
        complete = [s for s in seeds.values() if len(s) == len(languages)]
        avg = mean_std([statistics.mean(s.values()) for s in complete])
        table.append([model, inter, data, split, metric, avg, *cells])
    headers = ["model", "intermediate", "data", "split", "metric", "avg", *languages]
    return tabulate(table, headers=headers, tablefmt="github", disable_numparse=True)


def summary_table(records: list[dict[str, Any]]) -> str:
    """Average over languages of each target's main metric, test split (dev where no test)."""
    targets = sorted({r["target"] for r in records if r["role"] == "target"})
    setups = sorted({_setup(r) for r in records if r["role"] == "target"})
    table = []
    for setup in setups:
        row = list(setup)
        for target in targets:
            rs = [
                r
                for r in records
                if _setup(r) == setup
                and r["target"] == target
                and r["main"]
                and r["role"] == "target"
            ]
            split = "test" if any(r["split"] == "test" for r in rs) else "dev"
            seeds = _by_seed([r for r in rs if r["split"] == split])
            row.append(mean_std([statistics.mean(s.values()) for s in seeds.values()]))
        table.append(row)
    return tabulate(
        table,
        headers=["model", "intermediate", "data", *targets],
        tablefmt="github",
        disable_numparse=True,
    )


def intermediate_table(records: list[dict[str, Any]]) -> str:
    rows = [r for r in records if r["role"] == "intermediate" and r["main"]]
    groups: dict[tuple, list[float]] = defaultdict(list)
    for r in rows:
        groups[(r["model"], r["target"], _data(r), r["split"], r["metric"])].append(r["value"])
    return tabulate(
        [[*k, mean_std(v)] for k, v in sorted(groups.items())],
        headers=["model", "intermediate task", "data", "split", "metric", "score"],
        tablefmt="github",
        disable_numparse=True,
    )


def regenerate(sources: Iterable[Path], out: Path) -> tuple[list[Path], list[str]]:
    """Write ``out/README.md`` and ``out/<target>.md``; return (files written, problems)."""
    records, problems = collect(sources)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    targets = sorted({r["target"] for r in records if r["role"] == "target"})
    lines = [
        "# Leaderboard",
        "",
        "Regenerated by `harness leaderboard` from result records; do not edit by hand.",
        "Scores are the main metric of each task (percent), averaged over languages; "
        "test split where it has labels, else dev. Several seeds show mean ± std (n).",
        "",
    ]
    if records:
        lines += ["## Zero-shot transfer (average over languages)", "", summary_table(records), ""]
        if any(r["role"] == "intermediate" for r in records):
            lines += [
                "## Intermediate tasks (own validation score)",
                "",
                intermediate_table(records),
                "",
            ]
        lines += ["## Per target", ""] + [f"- [{t}]({t}.md)" for t in targets] + [""]
    else:
        lines += ["No valid result records found.", ""]
    for target in targets:
        path = out / f"{target}.md"
        atomic_write_text(
            path, f"# {target}\n\nMain metric per language.\n\n{target_table(records, target)}\n"
        )
        written.append(path)
    readme = out / "README.md"
    atomic_write_text(readme, "\n".join(lines))
    written.insert(0, readme)
    return written, problems
