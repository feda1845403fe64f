"""Suites are data: a JSON file naming target tasks, default intermediates and hyper-parameters."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from harness.errors import HarnessError
from harness.textfiles import json_problem
from harness.validation import validate

DEFAULT_SUITE = "xtreme-zs"
"""The suite ``harness run`` and ``harness score`` use unless told otherwise."""


@dataclass(frozen=True)
class ScoredTask:
    """One task of a benchmark score: its submission folder, languages and task score."""

    task: str
    """Submission folder (a task's ``xtreme_name``, else its name)."""
    languages: tuple[str, ...]
    """Every language a submission must hold, in the order their scores are summed (float
    sums depend on it, so this is the official scorer's order)."""
    metrics: tuple[str, ...] = ()
    """The metrics whose language averages, averaged, give the task score (XTREME QA:
    exact_match and f1); empty: the task's main metric."""
    note: str = ""
    """Where this score departs from the official scorer, said beside it in reports."""


@dataclass(frozen=True)
class ScoreGroup:
    name: str
    title: str
    tasks: tuple[str, ...]


@dataclass(frozen=True)
class Scoring:
    """How a suite turns per-language scores into one benchmark score.

    Task scores average the languages of :attr:`tasks`; a group score (the mean of its
    tasks) exists when all its tasks were scored, the overall score (mean of all tasks, in
    the order of :attr:`tasks`) when every task was.
    """

    name: str
    tasks: tuple[ScoredTask, ...]
    groups: tuple[ScoreGroup, ...] = ()

    @property
    def order(self) -> tuple[str, ...]:
        return tuple(t.task for t in self.tasks)

    @property
    def languages(self) -> dict[str, tuple[str, ...]]:
        return {t.task: t.languages for t in self.tasks}

    def task(self, name: str) -> ScoredTask | None:
        return next((t for t in self.tasks if t.task == name), None)


def _scoring(data: dict[str, Any], path: Path) -> Scoring:
    tasks = tuple(
        ScoredTask(t["task"], tuple(t["languages"]), tuple(t.get("metrics", ())), t.get("note", ""))
        for t in data["tasks"]
    )
    names = [t.task for t in tasks]
    if len(set(names)) != len(names):
        raise HarnessError(f"{path}: scoring.tasks lists a task twice; list each task once")
    groups = []
    for g in data.get("groups", ()):
        unknown = [t for t in g["tasks"] if t not in names]
        if unknown:
            raise HarnessError(
                f"{path}: scoring group '{g['name']}' names {', '.join(unknown)}, which "
                "scoring.tasks does not list; add them there or remove them from the group"
            )
        groups.append(ScoreGroup(g["name"], g["title"], tuple(g["tasks"])))
    return Scoring(data["name"], tasks, tuple(groups))


@dataclass(frozen=True)
class Suite:
    name: str
    description: str
    targets: tuple[str, ...]
    intermediates: tuple[str, ...] = ()
    hparams: dict[str, Any] = field(default_factory=dict)
    sample_hparams: dict[str, Any] = field(default_factory=dict)
    """Overrides used with the bundled sample data (tiny sets need more epochs)."""
    task_hparams: dict[str, dict[str, Any]] = field(default_factory=dict)
    sample_task_hparams: dict[str, dict[str, Any]] = field(default_factory=dict)
    baseline_intermediates: dict[str, str] = field(default_factory=dict)
    """Per target: a task trained before it when a run has no intermediate task, because
    the benchmark's own recipe does so (XTREME-R: SIQA before XCOPA)."""
    scoring: Scoring | None = None
    """How ``harness score`` and the leaderboards aggregate this suite's scores, if defined."""
    path: Path | None = None
    scoring_from: str | None = None
    """The suite whose scoring this one uses (``"scoring": "xtreme-r"`` in its file); the
    registry resolves it into :attr:`scoring` once every suite is registered."""

    def hparams_for(self, task: str, sample: bool) -> dict[str, Any]:
        """This suite's hyper-parameters for ``task``: general, then per task, sample last."""
        merged = {**self.hparams, **self.task_hparams.get(task, {})}
        if sample:
            merged.update(self.sample_hparams)
            merged.update(self.sample_task_hparams.get(task, {}))
        return merged


def _read_validated(path: Path, schema: str) -> dict[str, Any]:
    """A JSON config file checked against ``schemas/<schema>.schema.json``; errors in one line."""
    try:
        data = json.loads(Path(path).read_text("utf-8"))
    except FileNotFoundError:
        raise HarnessError(f"{schema} file {path} does not exist") from None
    except json.JSONDecodeError as exc:
        raise HarnessError(f"{path}: not valid JSON ({json_problem(exc)})") from None
    validate(data, schema, str(path))
    return data


def load_suite(path: Path) -> Suite:
    data = _read_validated(path, "suite")
    scoring = data.get("scoring")
    return Suite(
        name=data["name"],
        description=data["description"],
        targets=tuple(data["targets"]),
        intermediates=tuple(data.get("intermediates", [])),
        hparams=dict(data.get("hparams", {})),
        sample_hparams=dict(data.get("sample_hparams", {})),
        task_hparams=dict(data.get("task_hparams", {})),
        sample_task_hparams=dict(data.get("sample_task_hparams", {})),
        baseline_intermediates=dict(data.get("baseline_intermediates", {})),
        scoring=_scoring(data["scoring"], Path(path)) if isinstance(scoring, dict) else None,
        path=Path(path),
        scoring_from=scoring if isinstance(scoring, str) else None,
    )


def resolve_scoring(suite: Suite, suites: Mapping[str, Suite]) -> Suite:
    """``suite`` with the scoring of the suite its file names (``"scoring": "NAME"``)."""
    if suite.scoring_from is None:
        return suite
    other = suites.get(suite.scoring_from)
    if other is None or other.scoring is None:
        raise HarnessError(
            f"suite '{suite.name}' ({suite.path}): scoring names suite '{suite.scoring_from}', "
            f"which is {'not installed' if other is None else 'without a scoring section'}; "
            "name an installed suite with one (`harness list`) or write the scoring out"
        )
    return replace(suite, scoring=other.scoring)


@dataclass(frozen=True)
class Preset:
    """Hyper-parameters of a named protocol (``--preset``), over any suite."""

    name: str
    description: str
    hparams: dict[str, Any] = field(default_factory=dict)
    task_hparams: dict[str, dict[str, Any]] = field(default_factory=dict)
    source: str = ""
    path: Path | None = None

    def hparams_for(self, task: str) -> dict[str, Any]:
        return {**self.hparams, **self.task_hparams.get(task, {})}


def load_preset(path: Path) -> Preset:
    data = _read_validated(path, "preset")
    return Preset(
        name=data["name"],
        description=data["description"],
        hparams=dict(data["hparams"]),
        task_hparams=dict(data.get("task_hparams", {})),
        source=data.get("source", ""),
        path=Path(path),
    )
