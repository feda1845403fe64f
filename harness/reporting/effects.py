"""The comparisons behind ``harness analyze``: target scores per setting, the baseline
comparison of every (intermediate, target, split, language), the best intermediate per
target, and groups by the resource class of the languages involved.

Replicate files come from the run folders (``RunDir.bootstrap_file``) or from result
files; a comparison whose baseline comes from another run that trained the target with
other hyper-parameters (run.json or the result file's provenance) is remembered, for the
report to warn about.
"""

from __future__ import annotations

import json
import math
import statistics
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from harness.errors import HarnessError
from harness.reporting.bootstrap import Comparison, Interval, interval
from harness.reporting.records import BASELINE, Record, latest
from harness.reporting.sources import Sources, read_sources
from harness.reporting.tables import task_order
from harness.results import bootstrap_path

UNKNOWN_CLASS = -1
ModelData = tuple[str, str]  # model, data source
Cell = tuple[str, str, str, str]  # intermediate, target, split, language


# --------------------------------------------------------------------------- loading
@dataclass(frozen=True)
class Score:
    """One seed's main-metric score of a cell, with what pairing its replicates needs."""

    value: float
    n_examples: int
    run_id: str
    metric: str


class Replicates:
    """Bootstrap replicates of each score (the run folder's files, read once each, or the
    result file's entries); also the target hyper-parameters of each run (run.json or the
    result file's provenance), to flag baselines trained differently."""

    IGNORED = frozenset({"bootstrap_samples", "eval_batch_size"})  # do not change the model

    def __init__(self, sources: Sources | None = None):
        self.files = sources or Sources()  # result files: their runs' hparams and replicates
        self.run_dirs = self.files.run_dirs
        self.cache: dict[Path, np.ndarray | None] = {}
        self.manifests: dict[str, dict[str, Any]] = {}
        self.mismatched: set[tuple[str, str, str, str]] = set()  # target, inter, run, base run

    def hparams(self, run_id: str, target: str) -> dict[str, Any] | None:
        """``target``'s resolved hyper-parameters in ``run_id`` (None if unknown)."""
        if run_id not in self.run_dirs and run_id in self.files.runs:
            hparams = self.files.hparams(run_id, target)
            return {k: v for k, v in hparams.items() if k not in self.IGNORED} if hparams else None
        if run_id not in self.manifests:
            root = self.run_dirs.get(run_id)
            try:
                manifest = json.loads((root / "run.json").read_text("utf-8")) if root else {}
            except (OSError, UnicodeDecodeError, json.JSONDecodeError):
                manifest = {}
            self.manifests[run_id] = manifest if isinstance(manifest, dict) else {}
        config = self.manifests[run_id].get("config")
        hparams = config.get("hparams", {}).get(target) if isinstance(config, dict) else None
        if not isinstance(hparams, dict):
            return None
        return {k: v for k, v in hparams.items() if k not in self.IGNORED}

    def path(self, score: Score, seed: int, cell: Cell) -> Path | None:
        root = self.run_dirs.get(score.run_id)
        if root is None:
            return None
        inter, target, split, lang = cell
        return bootstrap_path(root, inter, seed, target, split, lang)

    def get(self, score: Score, seed: int, cell: Cell) -> np.ndarray | None:
        path = self.path(score, seed, cell)
        if path is None:
            inter, target, split, lang = cell
            entry = self.files.bootstrap(score.run_id, inter, seed, target, split, lang)
            if entry is None or entry["metric"] != score.metric:
                return None
            return np.asarray(entry["replicates"], dtype=float)
        if path not in self.cache:
            self.cache[path] = self._read(path, score)
        return self.cache[path]

    @staticmethod
    def _read(path: Path, score: Score) -> np.ndarray | None:
        if not path.is_file():
            return None
        fix = "delete it (or re-run that phase with --bootstrap-samples N)"
        try:
            document = json.loads(path.read_text("utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise HarnessError(f"{path}: unreadable bootstrap file ({exc}); {fix}") from None
        replicates = document.get("replicates") if isinstance(document, dict) else None
        if (
            not isinstance(replicates, list)
            or not all(isinstance(v, int | float) and not isinstance(v, bool) for v in replicates)
            or not isinstance(document.get("metric"), str)
        ):
            raise HarnessError(
                f"{path}: not a bootstrap file (expected {{metric, value, replicates: "
                f"[numbers]}}); {fix}"
            )
        if document["metric"] != score.metric:
            raise HarnessError(
                f"{path}: replicates of metric '{document['metric']}' but the record's main "
                f"metric is '{score.metric}'; {fix}"
            )
        return np.asarray(replicates, dtype=float)


@dataclass
class TargetScores:
    """Main-metric target scores of one (model, data) setup."""

    scores: dict[Cell, dict[int, Score]] = field(default_factory=lambda: defaultdict(dict))
    languages: dict[str, str | None] = field(default_factory=dict)  # intermediate -> language

    def cells(self, inter: str, target: str, split: str) -> dict[str, dict[int, Score]]:
        return {
            lang: seeds
            for (i, t, s, lang), seeds in self.scores.items()
            if (i, t, s) == (inter, target, split)
        }

    def intermediates(self) -> list[str]:
        return sorted({c[0] for c in self.scores} - {BASELINE})

    def targets(self) -> list[str]:
        return task_order(c[1] for c in self.scores)

    def splits(self, target: str) -> set[str]:
        return {c[2] for c in self.scores if c[1] == target}


def by_setting(records: Iterable[Record]) -> dict[ModelData, TargetScores]:
    """Main-metric target scores per (model, data source), sorted."""
    setups: dict[ModelData, TargetScores] = defaultdict(TargetScores)
    for r in records:
        if not r.is_main_target:
            continue
        data = setups[(r.model, r.data_source)]
        inter = r.intermediate_name
        cell = (inter, r.target, r.split, r.language)
        data.scores[cell][r.seed] = Score(float(r.value), int(r.n_examples), r.run_id, r.metric)
        if inter != BASELINE:
            data.languages.setdefault(inter, r.training_language)
    return dict(sorted(setups.items()))


def load(
    paths: Iterable[Path], results: Iterable[Path] = ()
) -> tuple[dict[ModelData, TargetScores], Replicates, list[str]]:
    """Main-metric target scores per (model, data source) of the latest records under the run
    folders ``paths`` and in the result files ``results``, the replicate reader, and the
    problems of run records that were skipped (failed validation)."""
    sources = read_sources(paths, results)
    return by_setting(latest(sources.records)), Replicates(sources), sources.problems


def compare(
    data: TargetScores, loader: Replicates, inter: str, target: str, split: str, lang: str
) -> Comparison | None:
    """``inter`` vs. the baseline on one cell over the seeds both have (None without any),
    with paired replicate differences where both scored the same examples."""
    mine = data.scores.get((inter, target, split, lang), {})
    base = data.scores.get((BASELINE, target, split, lang), {})
    seeds = sorted(set(mine) & set(base))
    if not seeds:
        return None
    comparison = Comparison(
        key=f"{inter}|{target}|{split}|{lang}",
        diffs={s: mine[s].value - base[s].value for s in seeds},
        intermediate=statistics.fmean(mine[s].value for s in seeds),
        baseline=statistics.fmean(base[s].value for s in seeds),
    )
    for s in seeds:
        if mine[s].run_id != base[s].run_id:
            a, b = (loader.hparams(x.run_id, target) for x in (mine[s], base[s]))
            if a is not None and b is not None and a != b:
                loader.mismatched.add((target, inter, mine[s].run_id, base[s].run_id))
        if mine[s].n_examples != base[s].n_examples:
            continue  # not the same examples: replicates would not be paired
        a = loader.get(mine[s], s, (inter, target, split, lang))
        b = loader.get(base[s], s, (BASELINE, target, split, lang))
        if a is not None and b is not None and min(len(a), len(b)) > 0:
            n = min(len(a), len(b))  # the first n resamples are the same in both
            comparison.replicates[s] = a[:n] - b[:n]
    return comparison


# --------------------------------------------------------------------------- resource classes
def resource_class(code: str | None) -> int:
    """Joshi et al. (2020) class of ``code`` from harness/languages.json; -1 if unknown."""
    from harness.languages import language

    meta = language(code) if code else None
    return meta.resource_class if meta else UNKNOWN_CLASS


def class_label(level: int) -> str:
    from harness.languages import class_name

    if level == UNKNOWN_CLASS:
        return "? (unknown)"
    return f"{level} {class_name(level).removeprefix('The ')}"


# --------------------------------------------------------------------------- analyses
@dataclass
class BestIntermediate:
    """Phang et al.'s selection for one target: best dev average, reported on test."""

    target: str
    selected_on: str  # split used to choose
    languages_selection: int
    candidates: dict[str, float]  # intermediate -> selection-split average
    baseline_selection: float
    chosen: str | None
    split: str  # split reported
    languages: list[str]
    score: float
    baseline: float
    delta: float
    interval: Interval | None
    note: str = ""


def _report_split(data: TargetScores, target: str) -> str:
    """Test where the target has scored test records (labels), else dev (as XTREME does)."""
    splits = data.splits(target)
    return "test" if "test" in splits else ("dev" if "dev" in splits else sorted(splits)[0])


def _average(cells: dict[str, dict[int, Score]], languages: list[str]) -> float:
    return statistics.fmean(
        statistics.fmean(s.value for s in cells[lang].values()) for lang in languages
    )


def best_intermediates(data: TargetScores, loader: Replicates) -> list[BestIntermediate]:
    """Per target: the intermediate with the best mean dev score over languages (mean over
    seeds), and its report-split scores vs. the baseline.

    Candidates scored in fewer languages than the others are left out (noted); if no
    candidate has every language, all are compared on the languages they share.
    """
    out = []
    for target in data.targets():
        report = _report_split(data, target)
        splits = data.splits(target)
        select = "dev" if "dev" in splits else report
        note = "" if select == "dev" else f"no dev split: chosen on {select}"
        candidates = {
            i: data.cells(i, target, select)
            for i in data.intermediates()
            if data.cells(i, target, select)
        }
        if not candidates:
            continue
        union = set().union(*candidates.values())
        complete = {i: c for i, c in candidates.items() if set(c) == union}
        if complete:  # a candidate missing languages (an unfinished shard) is left out
            skipped = sorted(set(candidates) - set(complete))
            if skipped:
                note = "; ".join(filter(None, [note, f"not all languages: {', '.join(skipped)}"]))
            candidates, common = complete, sorted(union)
        else:
            common = sorted(set.intersection(*(set(c) for c in candidates.values())))
            note = "; ".join(filter(None, [note, "chosen on the languages all candidates have"]))
        if not common:
            out.append(
                BestIntermediate(
                    target=target,
                    selected_on=select,
                    languages_selection=0,
                    candidates={},
                    baseline_selection=math.nan,
                    chosen=None,
                    split=report,
                    languages=[],
                    score=math.nan,
                    baseline=math.nan,
                    delta=math.nan,
                    interval=None,
                    note="the candidates share no language",
                )
            )
            continue
        averages = {i: _average(c, common) for i, c in candidates.items()}
        chosen = max(sorted(averages), key=lambda i: averages[i])
        base_cells = data.cells(BASELINE, target, select)
        baseline_selection = (
            _average(base_cells, common) if set(common) <= set(base_cells) else math.nan
        )
        comparisons = {
            lang: c
            for lang in sorted(data.cells(chosen, target, report))
            if (c := compare(data, loader, chosen, target, report, lang)) is not None
        }
        members = list(comparisons.values())
        if members:
            score = statistics.fmean(c.intermediate for c in members)
            base = statistics.fmean(c.baseline for c in members)
            delta = statistics.fmean(c.mean for c in members)
            iv = interval(members)
        else:
            score = base = delta = math.nan
            iv = None
            note = "; ".join(filter(None, [note, f"no baseline {report} scores to compare"]))
        out.append(
            BestIntermediate(
                target=target,
                selected_on=select,
                languages_selection=len(common),
                candidates=averages,
                baseline_selection=baseline_selection,
                chosen=chosen,
                split=report,
                languages=sorted(comparisons),
                score=score,
                baseline=base,
                delta=delta,
                interval=iv,
                note=note,
            )
        )
    return out


@dataclass
class Effect:
    """One comparison, labelled with languages and resource classes."""

    intermediate: str
    intermediate_language: str | None
    intermediate_class: int
    target: str
    split: str
    language: str
    target_class: int
    comparison: Comparison


def effects(data: TargetScores, loader: Replicates) -> list[Effect]:
    """Every (intermediate, target, language) that has a baseline on the target's report split."""
    out = []
    for target in data.targets():
        split = _report_split(data, target)
        for inter in data.intermediates():
            for lang in sorted(data.cells(inter, target, split)):
                c = compare(data, loader, inter, target, split, lang)
                if c is None:
                    continue
                inter_lang = data.languages.get(inter)
                out.append(
                    Effect(
                        intermediate=inter,
                        intermediate_language=inter_lang,
                        intermediate_class=resource_class(inter_lang),
                        target=target,
                        split=split,
                        language=lang,
                        target_class=resource_class(lang),
                        comparison=c,
                    )
                )
    return out


@dataclass(frozen=True)
class Group:
    mean: float
    interval: Interval | None
    count: int


def group(items: list[Effect]) -> Group:
    members = [e.comparison for e in items]
    return Group(statistics.fmean(m.mean for m in members), interval(members), len(members))


def class_grid(
    found: list[Effect],
) -> tuple[list[int], list[int], dict[tuple[int, int], Group]]:
    """(intermediate-language classes, target-language classes, cell -> Group), richest first."""
    cells: dict[tuple[int, int], list[Effect]] = defaultdict(list)
    for e in found:
        cells[(e.intermediate_class, e.target_class)].append(e)
    rows = sorted({k[0] for k in cells}, reverse=True)
    cols = sorted({k[1] for k in cells}, reverse=True)
    groups = {k: group(v) for k, v in sorted(cells.items())}
    return rows, cols, groups
