"""``harness compare RUN --reference NAME``: a run's scores beside published ones.

A reference is a result file (schema ``submission``) under ``references/``: usually of
kind ``published``, holding numbers copied from a paper with a citation per number
(``provenance.sources``, keyed by the records' ``run_id``: the document, table, row and,
per target task, column each number was read from). Papers often give only a task's average
over its languages; such a number is one record with language :data:`ALL`.

The comparison is per target task and language on each side's main metric: mean over
seeds, the reference's split (test where it has one), the run's same split where it has it
(else its other split, said in a note). A task average is compared only where both sides
cover the same languages; otherwise both averages are shown with the difference left out,
and the note says which languages differ, since an average over other languages is not
the same quantity.
"""

from __future__ import annotations

import json
import statistics
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from harness.errors import HarnessError

ALL = "all"  # the language of a published number that averages all of a task's languages
REFERENCES_DIR = Path("references")
BASELINE = "none"
TaskLanguages = Callable[[str], "tuple[str, ...] | None"]


# --------------------------------------------------------------------------- references
def reference_dirs() -> list[Path]:
    """Where reference names are looked up: ``references/`` here, then the one beside the
    installed ``harness`` package (a source checkout), so the bundled files are found from
    any folder."""
    beside = Path(__file__).resolve().parent.parent / REFERENCES_DIR.name
    return [REFERENCES_DIR] + ([beside] if beside.resolve() != REFERENCES_DIR.resolve() else [])


def available_references() -> list[str]:
    """Names (file stems) of the reference files that ``--reference`` accepts."""
    return sorted({p.stem for d in reference_dirs() if d.is_dir() for p in d.glob("*.json")})


def reference_path(name: str) -> Path:
    """The file of reference ``name``: a path, or a name (with or without ``.json``) under
    one of :func:`reference_dirs`."""
    given = Path(name)
    if given.is_file():
        return given
    if given.name == name:  # a bare name, not a path
        stem = name.removesuffix(".json")
        for folder in reference_dirs():
            if (folder / f"{stem}.json").is_file():
                return folder / f"{stem}.json"
    known = ", ".join(available_references()) or "none found"
    raise HarnessError(
        f"--reference {name}: no such reference file; give a path to a result file or one of "
        f"the names in references/ ({known})"
    )


def citation_problem(document: dict[str, Any]) -> str | None:
    """Why a published document's numbers are not each cited (None when they are, or when
    it has no per-number ``sources``: older files cite the whole file only)."""
    prov = document["provenance"]
    sources = prov.get("sources") if prov.get("kind") == "published" else None
    if sources is None:
        return None
    for i, record in enumerate(document["records"]):
        source = sources.get(record["run_id"])
        if source is None:
            return (
                f"records/{i}: run_id {record['run_id']!r} names none of provenance/sources "
                f"({', '.join(sorted(sources))}); every number must name the table it is from"
            )
        if record["target"] not in source["columns"]:
            return (
                f"records/{i}: target {record['target']!r} has no column in provenance/sources/"
                f"{record['run_id']}/columns; say which column of the table holds it"
            )
    return None


def citation(document: dict[str, Any], record: dict[str, Any]) -> tuple[str, str | None]:
    """Where one number of a result file comes from: (document, table and row with its
    address; the column, or None where the file cites only itself as a whole)."""
    prov = document["provenance"]
    if prov.get("kind") != "published":
        return f"run {record['run_id']}", None
    source = prov.get("sources", {}).get(record["run_id"])
    if source is None:
        return prov["reference"] + (f" ({prov['url']})" if prov.get("url") else ""), None
    where = f"{source['reference']}, {source['table']}, row {source['row']} ({source['url']})"
    return where, source["columns"][record["target"]]


def read_reference(name: str) -> tuple[Path, dict[str, Any]]:
    """(path, validated document) of a reference; a one-line HarnessError when it is
    unknown, unreadable, invalid or a number in it lacks its citation."""
    from harness.reporting.sources import read_result_file

    path = reference_path(name)
    document = read_result_file(path)
    problem = citation_problem(document)
    if problem:
        raise HarnessError(f"{path}: {problem}")
    return path, document


# --------------------------------------------------------------------------- runs
def read_run(path: Path) -> list[dict[str, Any]]:
    """Score records of a run folder (its ``results.json``), a ``results.json`` or a result
    file written by ``harness submit``."""
    from harness.reporting.sources import FORMAT, read_result_file
    from harness.results import RESULTS_FORMAT, read_results

    path = Path(path)
    if not path.exists():
        raise HarnessError(
            f"{path}: no such run folder or result file; pass runs/<run id>, its results.json "
            "or a file written by `harness submit`"
        )
    file = path / "results.json" if path.is_dir() else path
    if not file.is_file():
        raise HarnessError(
            f"{path}: not a run folder (no results.json); pass a folder `harness run` wrote"
        )
    try:
        document = json.loads(file.read_text("utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise HarnessError(
            f"{file}: unreadable ({exc}); re-run that run or restore the file"
        ) from None
    kind = document.get("format") if isinstance(document, dict) else None
    if kind == RESULTS_FORMAT:
        records, problems = read_results(file)
        if problems:
            raise HarnessError(f"{problems[0]}; re-run that run or restore the file")
        return records
    if kind == FORMAT:
        return read_result_file(file)["records"]
    raise HarnessError(
        f'{file}: neither a run\'s results.json ("format": "{RESULTS_FORMAT}") nor a result '
        f'file ("format": "{FORMAT}"); pass runs/<run id> or a file written by `harness submit`'
    )


# --------------------------------------------------------------------------- comparison
@dataclass(frozen=True)
class Cell:
    """One task and language: each side's main score (mean over seeds) and split."""

    task: str
    language: str
    metric: str | None
    run: float | None
    reference: float | None
    run_split: str | None
    reference_split: str | None
    run_seeds: int = 0
    same_metric: bool = True

    @property
    def diff(self) -> float | None:
        if self.run is None or self.reference is None or not self.same_metric:
            return None
        return self.run - self.reference


@dataclass(frozen=True)
class Average:
    """One task's averages over languages; ``diff`` only where the languages are the same."""

    task: str
    metric: str | None
    run: float | None
    reference: float | None
    run_languages: tuple[str, ...]
    reference_languages: tuple[str, ...] | None  # None: a published average over unknown ones
    same_languages: bool
    same_metric: bool = True
    note: str = ""

    @property
    def diff(self) -> float | None:
        ok = self.same_languages and self.same_metric
        if not ok or self.run is None or self.reference is None:
            return None
        return self.run - self.reference


@dataclass
class Comparison:
    run: str
    reference: str
    reference_file: str
    run_models: list[str]
    reference_models: list[str]
    run_setting: str
    reference_setting: str
    cells: list[Cell] = field(default_factory=list)
    averages: list[Average] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    # task -> (document, table, row; column): where the reference's numbers are from
    citations: dict[str, tuple[str, str | None]] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        def cell(c: Cell) -> dict[str, Any]:
            return {
                "task": c.task, "language": c.language, "metric": c.metric,
                "run": c.run, "reference": c.reference, "diff": c.diff,
                "run_split": c.run_split, "reference_split": c.reference_split,
                "run_seeds": c.run_seeds,
            }  # fmt: skip

        def average(a: Average) -> dict[str, Any]:
            return {
                "task": a.task, "metric": a.metric, "run": a.run, "reference": a.reference,
                "diff": a.diff, "same_languages": a.same_languages,
                "run_languages": list(a.run_languages),
                "reference_languages": (
                    None if a.reference_languages is None else list(a.reference_languages)
                ),
                "note": a.note or None,
            }  # fmt: skip

        return {
            "run": self.run,
            "reference": self.reference,
            "reference_file": self.reference_file,
            "run_models": self.run_models,
            "reference_models": self.reference_models,
            "run_intermediate": self.run_setting,
            "reference_intermediate": self.reference_setting,
            "cells": [cell(c) for c in self.cells],
            "averages": [average(a) for a in self.averages],
            "citations": {
                task: {"source": where, "column": column}
                for task, (where, column) in self.citations.items()
            },
            "notes": self.notes,
        }


# task -> split -> language -> (metric, values over seeds)
Scores = dict[str, dict[str, dict[str, tuple[str, list[float]]]]]


def _settings(records: Iterable[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    """Target main-metric records by intermediate setting ("none" for the baseline)."""
    out: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for r in records:
        if r.get("role") == "target" and r.get("main"):
            out[r["intermediate"] or BASELINE].append(r)
    return dict(out)


def _pick(settings: dict[str, Any], wanted: str | None, prefer: str, what: str, flag: str) -> str:
    names = sorted(settings)
    if not names:
        raise HarnessError(f"{what}: no target scores (main metric) to compare")
    if wanted is not None:
        if wanted not in settings:
            raise HarnessError(
                f"{flag} {wanted}: {what} has no scores after that intermediate; it has "
                f"{', '.join(names)}"
            )
        return wanted
    if prefer in settings:
        return prefer
    if len(names) == 1:
        return names[0]
    raise HarnessError(
        f"{what} holds several intermediate settings ({', '.join(names)}); choose one with {flag}"
    )


def _scores(records: list[dict[str, Any]]) -> Scores:
    out: Scores = defaultdict(lambda: defaultdict(dict))
    for r in records:
        metric, values = out[r["target"]][r["split"]].get(r["language"], (r["metric"], []))
        values.append(float(r["value"]))
        out[r["target"]][r["split"]][r["language"]] = (metric, values)
    return out


def _split(available: Iterable[str], prefer: str | None = None) -> str | None:
    splits = sorted(available)
    for choice in (prefer, "test", "dev"):
        if choice in splits:
            return choice
    return splits[0] if splits else None


def _mean(values: list[float]) -> float:
    return statistics.fmean(values)


def default_task_languages(task: str) -> tuple[str, ...] | None:
    """The languages the default suite's scoring averages for ``task`` (XTREME's)."""
    try:
        from harness.scoring import default_scoring

        spec = default_scoring().task(task)
    except HarnessError:
        return None
    return spec.languages if spec is not None else None


def compare(
    run: Path,
    reference: str,
    intermediate: str | None = None,
    reference_intermediate: str | None = None,
    task_languages: TaskLanguages = default_task_languages,
) -> Comparison:
    """Compare the run (folder or result file) ``run`` with reference ``reference``.

    ``intermediate`` picks the run's setting (default: the baseline, else its only one);
    ``reference_intermediate`` the reference's (default: the run's, else its only one).
    """
    ref_path, ref_doc = read_reference(reference)
    run_settings = _settings(read_run(run))
    ref_settings = _settings(ref_doc["records"])
    mine = _pick(run_settings, intermediate, BASELINE, str(run), "--intermediate")
    theirs = _pick(ref_settings, reference_intermediate, mine, str(ref_path),
                   "--reference-intermediate")  # fmt: skip
    run_records, ref_records = run_settings[mine], ref_settings[theirs]
    out = Comparison(
        run=str(run),
        reference=reference,
        reference_file=str(ref_path),
        run_models=sorted({r["model"] for r in run_records}),
        reference_models=sorted({r["model"] for r in ref_records}),
        run_setting=mine,
        reference_setting=theirs,
    )
    if out.run_models != out.reference_models:
        out.notes.append(
            f"the models differ: run {', '.join(out.run_models)}, reference "
            f"{', '.join(out.reference_models)}"
        )
    for record in ref_records:
        out.citations.setdefault(record["target"], citation(ref_doc, record))
    run_scores, ref_scores = _scores(run_records), _scores(ref_records)
    only_run = sorted(set(run_scores) - set(ref_scores))
    only_ref = sorted(set(ref_scores) - set(run_scores))
    if only_run:
        out.notes.append(f"tasks only in the run (not compared): {', '.join(only_run)}")
    if only_ref:
        out.notes.append(f"tasks only in the reference (not in the run): {', '.join(only_ref)}")
    for task in sorted(ref_scores):  # a task the reference lacks has nothing to compare
        ref_split = _split(ref_scores.get(task, {}))
        run_split = _split(run_scores.get(task, {}), ref_split)
        if ref_split and run_split and run_split != ref_split:
            out.notes.append(
                f"{task}: the run has no {ref_split} scores; its {run_split} scores are shown "
                f"beside the reference's {ref_split} scores"
            )
        mine_l = run_scores.get(task, {}).get(run_split, {}) if run_split else {}
        theirs_l = ref_scores.get(task, {}).get(ref_split, {}) if ref_split else {}
        _task(out, task, mine_l, theirs_l, run_split, ref_split, task_languages)
    return out


def _task(
    out: Comparison,
    task: str,
    mine: dict[str, tuple[str, list[float]]],
    theirs: dict[str, tuple[str, list[float]]],
    run_split: str | None,
    ref_split: str | None,
    task_languages: TaskLanguages,
) -> None:
    run_metrics = {m for m, _ in mine.values()}
    ref_metrics = {m for m, _ in theirs.values()}
    same_metric = not run_metrics or not ref_metrics or run_metrics == ref_metrics
    if not same_metric:
        out.notes.append(
            f"{task}: the main metrics differ (run {', '.join(sorted(run_metrics))}, reference "
            f"{', '.join(sorted(ref_metrics))}); no differences shown"
        )
    metric = next(iter(sorted(run_metrics or ref_metrics)), None)
    for lang in sorted((set(mine) | set(theirs)) - {ALL}):
        run_value = _mean(mine[lang][1]) if lang in mine else None
        ref_value = _mean(theirs[lang][1]) if lang in theirs else None
        out.cells.append(
            Cell(
                task,
                lang,
                metric,
                run_value,
                ref_value,
                run_split if lang in mine else None,
                ref_split if lang in theirs else None,
                len(mine[lang][1]) if lang in mine else 0,
                same_metric,
            )  # fmt: skip
        )
    run_avg, run_langs = _average(task, mine, task_languages)
    ref_avg, ref_langs = _average(task, theirs, task_languages)
    same = bool(run_langs) and ref_langs is not None and set(run_langs or ()) == set(ref_langs)
    note = ""
    if run_avg is not None and ref_avg is not None and not same:
        if ref_langs is None or run_langs is None:
            note = (
                f"a published average over {task}'s languages, which the default suite does "
                "not list: not comparable"
            )
        else:
            missing = sorted(set(ref_langs) - set(run_langs))
            extra = sorted(set(run_langs) - set(ref_langs))
            parts = [f"run covers {len(set(run_langs) & set(ref_langs))} of the reference's "
                     f"{len(ref_langs)} languages"]  # fmt: skip
            if missing:
                parts.append(f"missing {', '.join(missing)}")
            if extra:
                parts.append(f"extra {', '.join(extra)}")
            note = "; ".join(parts) + ": averages over different languages, no difference"
    out.averages.append(
        Average(task, metric, run_avg, ref_avg, run_langs or (), ref_langs, same, same_metric, note)
    )


def _average(
    task: str, scores: dict[str, tuple[str, list[float]]], task_languages: TaskLanguages
) -> tuple[float | None, tuple[str, ...] | None]:
    """(average over languages, those languages) of one side; a published average
    (language ``all``) covers the languages the suite lists for the task (None: unknown)."""
    langs = tuple(sorted(set(scores) - {ALL}))
    if ALL in scores:
        listed = task_languages(task)
        return _mean(scores[ALL][1]), langs or (tuple(sorted(listed)) if listed else None)
    if not langs:
        return None, ()
    return _mean([_mean(scores[lg][1]) for lg in langs]), langs


# --------------------------------------------------------------------------- text
def _number(value: float | None) -> str:
    return "—" if value is None else f"{value:.2f}"


def _signed(value: float | None) -> str:
    return "—" if value is None else f"{value:+.2f}"


def format_comparison(c: Comparison) -> str:
    """The comparison as text: a header, per-language table, task averages, notes."""
    from tabulate import tabulate

    head = [
        f"run:       {c.run} ({', '.join(c.run_models)}, intermediate {c.run_setting})",
        f"reference: {c.reference} ({', '.join(c.reference_models)}, intermediate "
        f"{c.reference_setting}) from {c.reference_file}",
    ]
    rows = [
        [x.task, x.language, x.metric, x.run_split or "—", _number(x.run),
         x.reference_split or "—", _number(x.reference), _signed(x.diff)]
        for x in c.cells
    ]  # fmt: skip
    parts = ["\n".join(head)]
    if rows:
        headers = ["task", "language", "metric", "run split", "run", "ref split", "reference",
                   "diff"]  # fmt: skip
        parts.append(
            "Per language (mean over seeds):\n"
            + tabulate(rows, headers, "github", disable_numparse=True)
        )
    avg_rows = []
    for a in c.averages:
        ref_n = "published avg" if a.reference_languages is None else len(a.reference_languages)
        avg_rows.append([a.task, a.metric, _number(a.run), len(a.run_languages),
                         _number(a.reference), ref_n, _signed(a.diff),
                         "yes" if a.same_languages else "no"])  # fmt: skip
    if avg_rows:
        headers = ["task", "metric", "run avg", "langs", "reference avg", "langs", "diff",
                   "same languages"]  # fmt: skip
        parts.append(
            "Task averages over languages:\n"
            + tabulate(avg_rows, headers, "github", disable_numparse=True)
        )
    notes = c.notes + [f"{a.task}: {a.note}" for a in c.averages if a.note]
    if notes:
        parts.append("\n".join(f"note: {n}" for n in notes))
    by_source: dict[str, list[str]] = defaultdict(list)
    for task, (where, column) in sorted(c.citations.items()):
        by_source[where].append(f"{task} = column {column}" if column else task)
    for where, tasks in by_source.items():
        parts.append(f"Reference numbers from {where}:\n  " + "; ".join(tasks))
    return "\n\n".join(parts)
