"""Submissions: score a prediction folder against a label folder, export a run's.

A submission holds ``{folder}/test-{language}{suffix}`` per task, where ``folder`` is the
task's ``xtreme_name`` (else its name) and ``suffix`` its ``prediction_suffix``: the layout
of XTREME's ``evaluate.py`` and of a run's ``predictions/`` folder. ``harness score`` scores
every folder that a registered task can read (:meth:`harness.Task.read_submission`): the
task reads its files into what its evaluator plugin scores, so there is one implementation
of every metric and the core names no task.

The benchmark score comes from the suite's ``scoring`` section (:class:`harness.suites.Scoring`;
``xtreme-zs`` holds evaluate.py's ``TASK2LANGS`` and ``GROUP2TASK``): which folders count,
their languages in summation order, how a task's metrics make its score, the groups and the
overall mean. For the nine XTREME tasks this reproduces ``evaluate.py`` to the last digit:

- a task is scored only when its folder exists in *both* folders; a task folder present in
  one of them only is skipped (reported, not an error); folders no task reads are ignored;
- a scored task needs every one of its languages (``evaluate.py`` crashes on a missing
  file; we raise a one-line error naming it): the suite's list for its tasks, else the
  task's languages that have a test split;
- per-task average of each metric = plain ``sum`` over the languages in the suite's order
  (then any others), divided by their number; the task's score (``metric``) is the mean of
  the averages of the suite's ``metrics`` for it (XTREME QA: exact_match and f1), else of
  its main metric, else f1, else accuracy;
- a group score exists when every task of the group was scored; the overall score only when
  every task of the suite's scoring was. ``evaluate.py`` sums the nine task scores in the
  iteration order of a Python ``set`` (which varies with PYTHONHASHSEED, so its own last
  digit is not reproducible); we sum them in the fixed order of the suite's list.

``--xtreme-version`` names the suite as ``evaluate.py --xtreme_version`` does
(:data:`XTREME_VERSIONS`): ``xtreme`` is ``xtreme-zs``, ``xtreme-r`` is the ``xtreme-r``
suite, whose scoring holds ``XTREME_R_TASK2LANGS`` and ``XTREME_R_GROUP2TASK`` (a task may
sit in two groups: XCOPA counts for classification and multiple choice; retrieval is
Tatoeba and Mewsli-X). The rules above then reproduce evaluate.py's XTREME-R numbers, task
and group scores alike, with one documented exception that the suite states in its
``note``: evaluate.py lists no LAReQA languages, so it gives LAReQA no score, and its
overall XTREME-R score never exists (it needs every task folder, and with all ten it fails,
KeyError, on LAReQA's missing score). We score LAReQA with LAReQA's own mAP@20 over its
languages and give the overall score as the mean of all ten task scores.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from harness.errors import HarnessError
from harness.suites import DEFAULT_SUITE, Scoring
from harness.textfiles import file_error, json_problem, open_text

if TYPE_CHECKING:
    from harness.registry import Registry
    from harness.tasks import Task


# --------------------------------------------------------------------------- the default suite
@cache
def default_scoring() -> Scoring:
    """The default suite's scoring (XTREME), for callers that score records without a
    registry of their own (the leaderboards)."""
    from harness.registry import load_registry

    scoring = load_registry().suite(DEFAULT_SUITE).scoring
    if scoring is None:
        raise HarnessError(f"suite '{DEFAULT_SUITE}' has no scoring section; reinstall the harness")
    return scoring


_DEFAULT_VIEWS = {
    "XTREME_LANGUAGES": lambda s: s.languages,
    "XTREME_TASKS": lambda s: s.order,
    "GROUPS": lambda s: {g.name: g.tasks for g in s.groups},
    "GROUP_TITLES": lambda s: {g.name: g.title for g in s.groups},
}


def __getattr__(name: str) -> Any:
    """``XTREME_TASKS``, ``XTREME_LANGUAGES``, ``GROUPS``, ``GROUP_TITLES``: views of
    :func:`default_scoring`, read from the installed suite on first use."""
    if name in _DEFAULT_VIEWS:
        return _DEFAULT_VIEWS[name](default_scoring())
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


XTREME_VERSIONS = {"xtreme": DEFAULT_SUITE, "xtreme-r": "xtreme-r"}
"""``evaluate.py --xtreme_version`` values -> the suite whose scoring reproduces them."""


def resolve_suite(suite: str | None, xtreme_version: str | None) -> str:
    """The suite of ``--suite`` and ``--xtreme-version`` (an alias); both must agree."""
    if xtreme_version is None:
        return suite or DEFAULT_SUITE
    if xtreme_version not in XTREME_VERSIONS:
        raise HarnessError(
            f"--xtreme-version {xtreme_version}: unknown; choose {' or '.join(XTREME_VERSIONS)}"
        )
    chosen = XTREME_VERSIONS[xtreme_version]
    if suite is not None and suite != chosen:
        raise HarnessError(
            f"--xtreme-version {xtreme_version} scores with suite '{chosen}', not "
            f"--suite {suite}; give one of the two"
        )
    return chosen


# --------------------------------------------------------------------------- tasks and files
def submission_folder(task: Task) -> str:
    """The folder of ``task`` in a submission and in a run's predictions."""
    return task.xtreme_name or task.name


def reads_submissions(task: Task) -> bool:
    """Whether the task's plugin implements :meth:`harness.Task.read_submission`."""
    from harness.tasks import Task

    return type(task).read_submission is not Task.read_submission


def submission_file(folder: Path, task: Task, language: str) -> Path:
    return Path(folder) / submission_folder(task) / f"test-{language}{task.prediction_suffix}"


def submission_languages(task: Task, scoring: Scoring | None) -> tuple[str, ...]:
    """Languages a submission of ``task`` must hold, in summation order: the suite's list
    for the tasks of its scoring, else the task's languages that have a test split."""
    spec = scoring.task(submission_folder(task)) if scoring else None
    if spec is not None:
        return spec.languages
    return tuple(lg for lg in task.languages if "test" in task.splits_for(lg))


# --------------------------------------------------------------------------- official readers
# Task plugins use these in ``read_submission`` so every family reads files the way
# evaluate.py does (line splitting and stripping decide what counts as an example), and
# ``write_lines`` in ``write_predictions`` for the one-item-per-line formats.
_FIX = "re-download or re-export it as UTF-8"


def read_lines(path: Path) -> list[str]:
    """One entry per line, surrounding whitespace stripped (evaluate.py ``read_label``).

    Used for XNLI/PAWS-X labels, Tatoeba indices and BUCC ``src<TAB>tgt`` pairs.
    """
    with open_text(path, fix=_FIX) as handle:
        return [line.strip() for line in handle]


def read_line_pairs(
    predictions: Path, labels: Path, fix: str = "write one label per line, in test-set order"
) -> tuple[list[str], list[str]]:
    """Both files with :func:`read_lines`, compared line by line: evaluate.py's reading of
    one-label-per-line tasks, with its count check as a one-line error (``fix`` says how)."""
    preds, gold = read_lines(predictions), read_lines(labels)
    if len(preds) != len(gold):
        raise HarnessError(
            f"{predictions}: {len(preds)} predictions for {len(gold)} labels in {labels}; {fix}"
        )
    return preds, gold


def write_lines(path: Path, items: Iterable[Any]) -> None:
    """``str(item)`` per line, every line ended by a newline, written atomically: the
    submission format of labels, retrieved indices, pair lines and choice keys."""
    from harness.results import atomic_write_text

    atomic_write_text(Path(path), "".join(f"{item}\n" for item in items))


def read_tag_blocks(path: Path) -> list[list[str]]:
    """Sentences of stripped tags, split on empty lines (evaluate.py ``read_tag``).

    Several empty lines in a row give empty sentences, as in evaluate.py.
    """
    sentences: list[list[str]] = []
    current: list[str] = []
    for line in read_lines(path):
        if line:
            current.append(line)
        else:
            sentences.append(current)
            current = []
    if current:
        sentences.append(current)
    return sentences


def read_squad(path: Path) -> Any:
    """A QA file: the ``data`` list of a SQuAD-format file, else the whole JSON document
    (a prediction file ``{question id: answer text}``), as evaluate.py ``read_squad``."""
    with open_text(path, fix=_FIX) as handle:
        try:
            document = json.load(handle)
        except json.JSONDecodeError as exc:
            raise HarnessError(
                f"{path}:{exc.lineno}: not valid JSON ({json_problem(exc, with_line=False)})"
            ) from None
    if isinstance(document, dict) and "data" in document:
        return document["data"]
    return document


# --------------------------------------------------------------------------- aggregation
@dataclass
class TaskScore:
    """One task: every metric per language (summation order) and their averages."""

    task: str
    languages: dict[str, dict[str, float]]
    averages: dict[str, float] = field(default_factory=dict)
    """``metric -> average over languages``, plus ``"metric"``: the task's score."""

    @property
    def score(self) -> float | None:
        return self.averages.get("metric")


def _task_score(
    task: str,
    per_language: Mapping[str, Mapping[str, float]],
    order: Sequence[str],
    metrics: Sequence[str],
) -> TaskScore:
    """Averages exactly as evaluate.py: per metric, ``sum`` in language order / count."""
    ordered = [lg for lg in order if lg in per_language]
    ordered += [lg for lg in per_language if lg not in ordered]
    by_metric: dict[str, dict[str, float]] = {}
    for lg in ordered:
        for metric, value in per_language[lg].items():
            by_metric.setdefault(metric, {})[lg] = value
    averages = {m: sum(values.values()) / len(values) for m, values in by_metric.items()}
    for choice in (tuple(metrics), ("f1",), ("accuracy",)):
        if choice and all(m in averages for m in choice):
            averages["metric"] = sum(averages[m] for m in choice) / len(choice)
            break
    return TaskScore(task, {lg: dict(per_language[lg]) for lg in ordered}, averages)


def task_score(
    task: str, per_language: Mapping[str, Mapping[str, float]], scoring: Scoring | None = None
) -> TaskScore:
    """One task's averages and score; ``per_language`` maps language -> {metric: value}.

    ``scoring`` (default: :func:`default_scoring`) gives the language order and the metrics
    of the task's score; a task outside it is scored by f1, else accuracy.
    """
    spec = (scoring or default_scoring()).task(task)
    if spec is None:
        return _task_score(task, per_language, (), ())
    return _task_score(task, per_language, spec.languages, spec.metrics)


def group_scores(scores: Mapping[str, float], scoring: Scoring | None = None) -> dict[str, float]:
    """Group -> mean of its tasks' scores, for every group whose tasks all have one."""
    out = {}
    for group in (scoring or default_scoring()).groups:
        if all(t in scores for t in group.tasks):
            out[group.name] = sum(scores[t] for t in group.tasks) / len(group.tasks)
    return out


def overall_score(scores: Mapping[str, float], scoring: Scoring | None = None) -> float | None:
    """Mean of the scoring's task scores (in its order), or None unless all of them exist."""
    order = (scoring or default_scoring()).order
    if not all(t in scores for t in order):
        return None
    return sum(scores[t] for t in order) / len(order)


@dataclass
class Report:
    tasks: dict[str, TaskScore]
    groups: dict[str, float]
    overall: float | None
    skipped: list[str] = field(default_factory=list)
    scoring: Scoring | None = None
    """The suite's scoring the groups and overall score follow (None: tasks only)."""

    def to_json(self) -> dict[str, Any]:
        """``{"tasks": {task: {lang: {metric: value}}}, "averages": {task: {metric: value}},
        "groups": {group: value}, "overall": value or null, "skipped": [reason, ...]}``."""
        return {
            "tasks": {t: s.languages for t, s in self.tasks.items()},
            "averages": {t: s.averages for t, s in self.tasks.items()},
            "groups": self.groups,
            "overall": self.overall,
            "skipped": self.skipped,
        }


# --------------------------------------------------------------------------- scoring folders
def _subfolders(folder: Path, what: str) -> set[str]:
    folder = Path(folder)
    try:
        if not folder.is_dir():
            raise HarnessError(
                f"{what} folder {folder} does not exist (expected {{task}}/test-{{lang}} files)"
            )
        return {p.name for p in folder.iterdir() if p.is_dir()}
    except OSError as exc:  # e.g. a folder we may not list
        raise file_error(exc, folder) or exc from None


def _tasks_by_folder(registry: Registry, folders: Iterable[str]) -> dict[str, Task]:
    """The registered task of each of ``folders`` that one claims; two claims are an error."""
    wanted = set(folders)
    found: dict[str, Task] = {}
    for task in registry.tasks.values():
        name = submission_folder(task)
        if name not in wanted:
            continue
        if name in found and found[name] is not task:
            raise HarnessError(
                f"tasks '{found[name].name}' and '{task.name}' both claim submission folder "
                f"'{name}'; uninstall one of their plugins"
            )
        found[name] = task
    return found


def score_language(
    registry: Registry,
    task: Task,
    predictions: Path,
    labels: Path,
    language: str,
    languages: Sequence[str] = (),
) -> dict[str, float]:
    """Scores of one submission file: the task reads it, its evaluator plugin scores it.

    ``languages`` (all the task's, for the message about a missing file) defaults to the
    task's own.
    """
    for path, what in ((predictions, "prediction"), (labels, "label")):
        try:
            present = Path(path).is_file()
        except OSError as exc:  # Python < 3.13: under a folder we may not enter
            raise file_error(exc, path) or exc from None
        if not present:
            raise HarnessError(
                f"missing {what} file {path}: a task is scored in every one of its languages "
                f"({submission_folder(task)}: {', '.join(languages or task.languages)}); "
                "add it or remove the task folder"
            )
    preds, refs = task.read_submission(Path(predictions), Path(labels), language)
    evaluator = registry.evaluator(task.evaluator)
    try:
        values = evaluator.score(preds, refs, language=language)
    except HarnessError as exc:
        raise HarnessError(f"{predictions}: {exc}") from None
    return {metric: float(value) for metric, value in values.items()}


def score_folders(
    predictions: Path, labels: Path, registry: Registry, suite: str | None = DEFAULT_SUITE
) -> Report:
    """Score a submission folder against a label folder (evaluate.py semantics).

    Every folder a registered task reads is scored; ``suite``'s scoring (None: none) adds
    its tasks' order and languages, the groups and the overall score.
    """
    scoring = registry.suite(suite).scoring if suite else None
    predicted = _subfolders(predictions, "prediction")
    labelled = _subfolders(labels, "label")
    present = predicted | labelled
    tasks = _tasks_by_folder(registry, present)
    ranked = scoring.order if scoring else ()
    order = [*ranked, *sorted(set(tasks) - set(ranked))]
    report = Report({}, {}, None, scoring=scoring)
    for name in order:
        if name in predicted and name not in labelled:
            report.skipped.append(f"{name}: predictions without a label folder")
            continue
        if name in labelled and name not in predicted:
            report.skipped.append(f"{name}: labels without a prediction folder")
            continue
        if name not in predicted:
            continue
        task = tasks.get(name)
        if task is None:
            raise HarnessError(
                f"cannot score '{name}': suite '{suite}' scores it, but no installed task "
                f"plugin provides submission folder '{name}' (see `harness plugins`)"
            )
        if name not in ranked and not reads_submissions(task):
            report.skipped.append(
                f"{name}: task '{task.name}' cannot read submission files (its plugin does "
                "not implement read_submission)"
            )
            continue
        languages = submission_languages(task, scoring)
        if not languages:
            report.skipped.append(f"{name}: task '{task.name}' has no test split to score")
            continue
        per_language = {
            lg: score_language(
                registry,
                task,
                submission_file(predictions, task, lg),
                submission_file(labels, task, lg),
                lg,
                languages,
            )
            for lg in languages
        }
        spec = scoring.task(name) if scoring else None
        metrics = spec.metrics if spec and spec.metrics else (task.main_metric,)
        report.tasks[name] = _task_score(name, per_language, languages, metrics)
    for name in sorted(present - set(order)):
        report.skipped.append(f"{name}: not an XTREME task")
    if scoring is not None:
        scores = {t: s.score for t, s in report.tasks.items() if s.score is not None}
        report.groups = group_scores(scores, scoring)
        report.overall = overall_score(scores, scoring)
    return report


def _fmt(value: float | None) -> str:
    return "–" if value is None else f"{value:.2f}"


def format_report(report: Report) -> str:
    """Readable tables: per task (language x metric, then the averages), then the summary."""
    from tabulate import tabulate

    blocks = []
    for name, ts in report.tasks.items():
        metrics = list(dict.fromkeys(m for v in ts.languages.values() for m in v))
        rows = [
            [lg, *(f"{v.get(m, float('nan')):.2f}" for m in metrics)]
            for lg, v in ts.languages.items()
        ]
        rows.append(["avg", *(f"{ts.averages[m]:.2f}" for m in metrics)])
        blocks.append(
            f"{name} (score {_fmt(ts.score)})\n"
            + tabulate(rows, headers=["language", *metrics], disable_numparse=True)
        )

    def row(group: str, name: str) -> list[str]:
        ts = report.tasks[name]
        detail = ", ".join(f"{m} {v:.2f}" for m, v in ts.averages.items() if m != "metric")
        return [group, name, _fmt(ts.score), detail]

    scoring = report.scoring
    summary, grouped = [], set()
    for group in scoring.groups if scoring else ():
        for name in group.tasks:
            if name in report.tasks:
                summary.append(row(group.title, name))
                grouped.add(name)
        if group.name in report.groups:
            summary.append([group.title, "(group)", f"{report.groups[group.name]:.2f}", ""])
    for name in report.tasks:
        if name not in grouped:
            summary.append(row(scoring.name if scoring and scoring.task(name) else "other", name))
    notes = [
        f"note: {name}: {spec.note}"
        for name in report.tasks
        if scoring is not None and (spec := scoring.task(name)) is not None and spec.note
    ]
    if scoring is not None:
        overall = (
            _fmt(report.overall)
            if report.overall is not None
            else f"– (needs all {len(scoring.tasks)} of its tasks)"
        )
        summary.append([scoring.name, "(overall)", overall, ""])
    blocks.append(
        "Summary\n"
        + tabulate(summary, headers=["group", "task", "score", "averages"], disable_numparse=True)
        + "".join(f"\n{note}" for note in notes)
    )
    return "\n\n".join(blocks)


# --------------------------------------------------------------------------- export
def _choose(options: list[str], wanted: str | None, what: str, flag: str, where: Path) -> str:
    if wanted is not None:
        if wanted not in options:
            raise HarnessError(
                f"{where}: no predictions for {what} '{wanted}'; available: {', '.join(options)}"
            )
        return wanted
    if len(options) == 1:
        return options[0]
    raise HarnessError(
        f"{where} holds predictions for several {what}s ({', '.join(options)}); choose one with {flag}"
    )


def _copy_atomically(src: Path, dest: Path) -> None:
    """Byte-for-byte copy through a temporary file: a reader never sees half a file."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{dest.name}.", suffix=".tmp", dir=dest.parent)
    os.close(fd)
    try:
        shutil.copyfile(src, tmp)
        os.replace(tmp, dest)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _test_files(source: Path, tasks: Mapping[str, Task]) -> list[Path]:
    """The ``{folder}/test-{lang}{suffix}`` files under ``source``, with each folder's task's
    suffix (any suffix for a folder no installed task writes)."""
    files = []
    for folder in sorted(p for p in source.iterdir() if p.is_dir()):
        task = tasks.get(folder.name)
        suffix = task.prediction_suffix if task else ""
        files += [p for p in folder.glob(f"test-*{suffix}") if p.is_file()]
    return sorted(files)


def export_submission(
    run_dir: Path,
    dest: Path,
    intermediate: str | None = None,
    seed: int | None = None,
    registry: Registry | None = None,
    suite: str | None = DEFAULT_SUITE,
) -> tuple[list[Path], list[str]]:
    """Copy a run's test predictions into a submission folder ``dest/{folder}/test-{lang}.*``.

    The run writes ``predictions/<intermediate or none>/seed<N>/<folder>/<split>-<lang><suffix>``
    in the official formats already, so export selects one (intermediate, seed) and copies
    its ``test-*`` files, for every task. ``registry`` (default: the installed plugins) and
    ``suite`` tell which languages ``harness score`` will need. Returns (files written,
    notes about missing languages).
    """
    root = Path(run_dir) / "predictions"
    if not root.is_dir():
        raise HarnessError(f"{run_dir}: no predictions/ folder; pass a run folder (runs/<run id>)")
    inters = sorted(p.name for p in root.iterdir() if p.is_dir())
    if not inters:
        raise HarnessError(f"{root}: no predictions yet")
    inter = _choose(inters, intermediate, "intermediate task", "--intermediate", Path(run_dir))
    seeds_found = sorted(
        (p.name for p in (root / inter).iterdir() if p.is_dir() and p.name.startswith("seed")),
        key=lambda s: int(s[4:]) if s[4:].lstrip("-").isdigit() else 0,
    )
    chosen = _choose(
        [s[4:] for s in seeds_found],
        None if seed is None else str(seed),
        "seed",
        "--seed",
        Path(run_dir),
    )
    source = root / inter / f"seed{chosen}"
    if registry is None:
        from harness.registry import load_registry

        registry = load_registry()
    scoring = registry.suite(suite).scoring if suite else None
    tasks: dict[str, Task] = {}
    for task in registry.tasks.values():
        tasks.setdefault(submission_folder(task), task)
    files = _test_files(source, tasks)
    if not files:
        raise HarnessError(f"{source}: no test predictions ({{task}}/test-<lang>.* files)")
    written = []
    for path in files:
        target = Path(dest) / path.parent.name / path.name
        _copy_atomically(path, target)
        written.append(target)
    notes = []
    for folder in sorted({p.parent.name for p in files}):
        task = tasks.get(folder)
        if task is None:
            continue
        suffix = task.prediction_suffix
        have = {
            p.name[len("test-") : len(p.name) - len(suffix)]
            for p in files
            if p.parent.name == folder
        }
        missing = [lg for lg in submission_languages(task, scoring) if lg not in have]
        if missing:
            notes.append(
                f"{folder}: no predictions for {', '.join(missing)}; `harness score` (as "
                "XTREME's evaluate.py) needs every language of a task"
            )
    return written, notes
