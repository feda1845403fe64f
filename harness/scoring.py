"""XTREME submissions: score a prediction folder against a label folder, export a run's.

``harness score`` reproduces google-research/xtreme ``evaluate.py`` to the last digit:
the same tasks and language lists (in the same order, because float sums depend on it),
the same file readers, the same per-task, group and overall averages. The metric itself
is never computed here: each task reads its files into what its evaluator plugin scores
(:meth:`harness.Task.read_submission`), so there is one implementation of every metric.

Behaviour that follows ``evaluate.py``:

- a task is scored only when its folder exists in *both* folders; a task folder present in
  one of them only is skipped (reported, not an error); folders of unknown tasks are ignored;
- a scored task needs every one of its XTREME languages (``evaluate.py`` crashes on a
  missing file; we raise a one-line error naming it);
- per-task average of each metric = plain ``sum`` over the languages in XTREME order,
  divided by their number; a task's score (``metric``) is (avg exact_match + avg f1) / 2 for
  QA, avg f1 where there is an f1, else avg accuracy;
- a group score exists when every task of the group was scored; the overall XTREME score
  only when all nine were. ``evaluate.py`` sums the nine task scores in the iteration order
  of a Python ``set`` (which varies with PYTHONHASHSEED, so its own last digit is not
  reproducible); we sum them in the fixed XTREME task order below.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from harness.errors import HarnessError

# evaluate.py's TASK2LANGS, order included (it is the summation order of the averages).
XTREME_LANGUAGES: dict[str, tuple[str, ...]] = {
    "pawsx": ("de", "en", "es", "fr", "ja", "ko", "zh"),
    "xnli": tuple("ar bg de el en es fr hi ru sw th tr ur vi zh".split()),
    "panx": tuple(
        "ar he vi id jv ms tl eu ml ta te af nl en de el bn hi mr ur fa fr it pt es bg ru "
        "ja ka ko th sw yo my zh kk tr et fi hu".split()
    ),
    "udpos": tuple(
        "af ar bg de el en es et eu fa fi fr he hi hu id it ja kk ko mr nl pt ru ta te th "
        "tl tr ur vi yo zh".split()
    ),
    "bucc2018": ("de", "fr", "ru", "zh"),
    "tatoeba": tuple(
        "ar he vi id jv tl eu ml ta te af nl de el bn hi mr ur fa fr it pt es bg ru ja ka "
        "ko th sw zh kk tr et fi hu".split()
    ),
    "xquad": tuple("en es de el ru tr ar vi th zh hi".split()),
    "mlqa": ("en", "es", "de", "ar", "hi", "vi", "zh"),
    "tydiqa": ("en", "ar", "bn", "fi", "id", "ko", "ru", "sw", "te"),
}
XTREME_TASKS: tuple[str, ...] = tuple(XTREME_LANGUAGES)

# evaluate.py's GROUP2TASK (its "tagging" group is the paper's "structured prediction").
GROUPS: dict[str, tuple[str, ...]] = {
    "classification": ("pawsx", "xnli"),
    "structured_prediction": ("udpos", "panx"),
    "qa": ("xquad", "mlqa", "tydiqa"),
    "retrieval": ("bucc2018", "tatoeba"),
}
GROUP_TITLES = {
    "classification": "Sentence classification",
    "structured_prediction": "Structured prediction",
    "qa": "Question answering",
    "retrieval": "Sentence retrieval",
}
QA_TASKS = GROUPS["qa"]


def submission_suffix(task: str) -> str:
    """File suffix of an XTREME submission file: ``.json`` for QA tasks, ``.tsv`` otherwise."""
    return ".json" if task in QA_TASKS else ".tsv"


def submission_file(folder: Path, task: str, language: str) -> Path:
    return Path(folder) / task / f"test-{language}{submission_suffix(task)}"


# --------------------------------------------------------------------------- official readers
# Task plugins use these in ``read_submission`` so every family reads files the way
# evaluate.py does (line splitting and stripping decide what counts as an example).


def _open(path: Path):
    try:
        return open(path, encoding="utf-8")
    except FileNotFoundError:
        raise HarnessError(f"{path}: no such file") from None
    except OSError as exc:
        raise HarnessError(f"{path}: cannot read ({exc.strerror})") from None


def read_lines(path: Path) -> list[str]:
    """One entry per line, surrounding whitespace stripped (evaluate.py ``read_label``).

    Used for XNLI/PAWS-X labels, Tatoeba indices and BUCC ``src<TAB>tgt`` pairs.
    """
    with _open(path) as handle:
        try:
            return [line.strip() for line in handle]
        except UnicodeDecodeError as exc:
            raise HarnessError(f"{path}: not UTF-8 text ({exc.reason})") from None


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
    with _open(path) as handle:
        try:
            document = json.load(handle)
        except json.JSONDecodeError as exc:
            raise HarnessError(f"{path}:{exc.lineno}: not valid JSON ({exc.msg})") from None
        except UnicodeDecodeError as exc:
            raise HarnessError(f"{path}: not UTF-8 text ({exc.reason})") from None
    if isinstance(document, dict) and "data" in document:
        return document["data"]
    return document


# --------------------------------------------------------------------------- aggregation
@dataclass
class TaskScore:
    """One task: every metric per language (XTREME language order) and their averages."""

    task: str
    languages: dict[str, dict[str, float]]
    averages: dict[str, float] = field(default_factory=dict)
    """``metric -> average over languages``, plus ``"metric"``: the task's XTREME score."""

    @property
    def score(self) -> float | None:
        return self.averages.get("metric")


def task_score(task: str, per_language: Mapping[str, Mapping[str, float]]) -> TaskScore:
    """Averages exactly as evaluate.py: per metric, ``sum`` in language order / count.

    ``per_language`` maps language -> {metric: value}; languages are taken in XTREME order
    for XTREME tasks (then any others in the order given).
    """
    order = [lg for lg in XTREME_LANGUAGES.get(task, ()) if lg in per_language]
    order += [lg for lg in per_language if lg not in order]
    by_metric: dict[str, dict[str, float]] = {}
    for lg in order:
        for metric, value in per_language[lg].items():
            by_metric.setdefault(metric, {})[lg] = value
    averages = {m: sum(values.values()) / len(values) for m, values in by_metric.items()}
    if task in QA_TASKS and {"exact_match", "f1"} <= set(averages):
        averages["metric"] = (averages["exact_match"] + averages["f1"]) / 2
    elif "f1" in averages:
        averages["metric"] = averages["f1"]
    elif "accuracy" in averages:
        averages["metric"] = averages["accuracy"]
    return TaskScore(task, {lg: dict(per_language[lg]) for lg in order}, averages)


def group_scores(scores: Mapping[str, float]) -> dict[str, float]:
    """Group -> mean of its tasks' scores, for every group whose tasks all have one."""
    out = {}
    for group, tasks in GROUPS.items():
        if all(t in scores for t in tasks):
            out[group] = sum(scores[t] for t in tasks) / len(tasks)
    return out


def overall_score(scores: Mapping[str, float]) -> float | None:
    """Mean of the nine task scores (XTREME task order), or None unless all nine exist."""
    if not all(t in scores for t in XTREME_TASKS):
        return None
    return sum(scores[t] for t in XTREME_TASKS) / len(XTREME_TASKS)


@dataclass
class Report:
    tasks: dict[str, TaskScore]
    groups: dict[str, float]
    overall: float | None
    skipped: list[str] = field(default_factory=list)

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


def _subfolders(folder: Path, what: str) -> set[str]:
    folder = Path(folder)
    if not folder.is_dir():
        raise HarnessError(
            f"{what} folder {folder} does not exist (expected {{task}}/test-{{lang}} files)"
        )
    return {p.name for p in folder.iterdir() if p.is_dir()}


def _tasks_by_xtreme_name(registry: Any) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for task in registry.tasks.values():
        name = task.xtreme_name
        if name is None:
            continue
        if name in found:
            raise HarnessError(
                f"tasks '{found[name].name}' and '{task.name}' both claim XTREME folder '{name}'; "
                "uninstall one of their plugins"
            )
        found[name] = task
    return found


def score_language(
    registry: Any, task: Any, predictions: Path, labels: Path, language: str
) -> dict[str, float]:
    """Scores of one submission file: the task reads it, its evaluator plugin scores it."""
    reader = getattr(task, "read_submission", None)
    if reader is None:
        raise HarnessError(
            f"task '{task.name}' cannot read XTREME submission files "
            "(its plugin does not implement read_submission)"
        )
    for path, what in ((predictions, "prediction"), (labels, "label")):
        if not Path(path).is_file():
            raise HarnessError(
                f"missing {what} file {path}: XTREME scores every language of a task "
                f"({task.xtreme_name}: {', '.join(XTREME_LANGUAGES.get(task.xtreme_name, ()))}); "
                "add it or remove the task folder"
            )
    preds, refs = reader(Path(predictions), Path(labels), language)
    evaluator = registry.evaluator(task.evaluator)
    try:
        values = evaluator.score(preds, refs, language=language)
    except HarnessError as exc:
        raise HarnessError(f"{predictions}: {exc}") from None
    return {metric: float(value) for metric, value in values.items()}


def score_folders(predictions: Path, labels: Path, registry: Any) -> Report:
    """Score an XTREME submission folder against a label folder (evaluate.py semantics)."""
    predicted = _subfolders(predictions, "prediction")
    labelled = _subfolders(labels, "label")
    tasks = _tasks_by_xtreme_name(registry)
    report = Report({}, {}, None)
    for name in XTREME_TASKS:
        if name in predicted and name not in labelled:
            report.skipped.append(f"{name}: predictions without a label folder")
            continue
        if name in labelled and name not in predicted:
            report.skipped.append(f"{name}: labels without a prediction folder")
            continue
        if name not in predicted:
            continue
        if name not in tasks:
            raise HarnessError(
                f"cannot score '{name}': no installed task plugin provides XTREME task '{name}' "
                "(see `harness plugins`)"
            )
        task = tasks[name]
        per_language = {
            lg: score_language(
                registry,
                task,
                submission_file(predictions, name, lg),
                submission_file(labels, name, lg),
                lg,
            )
            for lg in XTREME_LANGUAGES[name]
        }
        report.tasks[name] = task_score(name, per_language)
    for name in sorted((predicted | labelled) - set(XTREME_TASKS)):
        report.skipped.append(f"{name}: not an XTREME task")
    scores = {t: s.score for t, s in report.tasks.items() if s.score is not None}
    report.groups = group_scores(scores)
    report.overall = overall_score(scores)
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
    summary = []
    for group, tasks in GROUPS.items():
        for name in tasks:
            if name in report.tasks:
                ts = report.tasks[name]
                detail = ", ".join(f"{m} {v:.2f}" for m, v in ts.averages.items() if m != "metric")
                summary.append([GROUP_TITLES[group], name, _fmt(ts.score), detail])
        if group in report.groups:
            summary.append([GROUP_TITLES[group], "(group)", f"{report.groups[group]:.2f}", ""])
    overall = f"{report.overall:.2f}" if report.overall is not None else "– (needs all nine tasks)"
    summary.append(["XTREME", "(overall)", overall, ""])
    blocks.append(
        "Summary\n"
        + tabulate(summary, headers=["group", "task", "score", "averages"], disable_numparse=True)
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


def export_submission(
    run_dir: Path, dest: Path, intermediate: str | None = None, seed: int | None = None
) -> tuple[list[Path], list[str]]:
    """Copy a run's test predictions into an XTREME submission folder ``dest/{task}/test-{lang}.*``.

    The run writes ``predictions/<intermediate or none>/seed<N>/<task>/<split>-<lang><suffix>``
    in the official formats already, so export selects one (intermediate, seed) and copies
    its ``test-*`` files. Returns (files written, notes about missing XTREME languages).
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
    files = sorted(
        p for p in source.glob("*/test-*") if p.is_file() and p.suffix in (".tsv", ".json")
    )
    if not files:
        raise HarnessError(f"{source}: no test predictions (test-<lang>.tsv/.json files)")
    written = []
    for path in files:
        target = Path(dest) / path.parent.name / path.name
        _copy_atomically(path, target)
        written.append(target)
    notes = []
    tasks = sorted({p.parent.name for p in files})
    for task in tasks:
        if task not in XTREME_LANGUAGES:
            continue
        have = {p.stem.removeprefix("test-") for p in files if p.parent.name == task}
        missing = [lg for lg in XTREME_LANGUAGES[task] if lg not in have]
        if missing:
            notes.append(
                f"{task}: no predictions for {', '.join(missing)}; XTREME's evaluate.py needs "
                "every language of a task"
            )
    return written, notes
