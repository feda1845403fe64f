"""XCOPA (Ponti et al. 2020), an XTREME-R target: choose the more plausible cause or effect
of a premise (2 choices), trained on English COPA, zero-shot in 11 languages. Registered by
:mod:`multiple_choice` (the family's built-in module); kept here for its size.

Local layout: what google-research/xtreme ``download_xcopa`` + ``utils_preprocess.py
xcopa_preprocess`` leave in ``xcopa/``: ``{train,val,test}-en.jsonl`` (SuperGLUE COPA,
renamed) and ``{val,test}-{lang}.jsonl`` (cambridgeltl/xcopa), JSON lines with ``premise``,
``choice1``, ``choice2``, ``question`` (``cause``/``effect``), ``label`` (0 = choice1), ``idx``
(and ``changed`` in XCOPA's files). As ``third_party/run_xcopa.py`` does, both pairs share the
first segment "{premise} What was the {question}?" and the second is the choice.

Test labels: the preprocessing writes ``"label": 0`` on every test record to hide the gold
labels. A test file whose labels are all 0 is therefore read as unlabelled: the run writes
its predictions (the submission) and reports "no gold labels; predictions written only"
instead of scoring against zeros. To score test in a run, put cambridgeltl/xcopa's labelled
``test.{lang}.jsonl`` at ``labels/xcopa/test-{lang}.jsonl`` under the data folder (evaluate.py's
label folder layout) or in place of ``xcopa/test-{lang}.jsonl``, or use ``--data hub``
(labelled); the bundled samples keep real test labels. ``dev`` (``val-{lang}``) is always
labelled. A submission (``xcopa/test-{lang}.jsonl``, ``{"label": n}`` per line, evaluate.py
``read_xcopa``) is scored by ``harness score``; an all-zero label file is refused there.

Hub: English from SuperGLUE COPA (``aps/super_glue`` config ``copa``, a script-only repository
read from its parquet conversion; test labels -1 = hidden), the other languages from
``cambridgeltl/xcopa``'s per-language config (validation and test, both labelled).
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import harness
from harness._lazy import lazy_module
from harness.errors import HarnessError
from harness.families._base import gold_file
from harness.families.multiple_choice import (
    HUB_SPLIT,
    PARQUET_EXPORT,
    MultipleChoiceTask,
    Record,
    Row,
)

datasets = lazy_module("datasets")

SAMPLE_ROOT = Path(__file__).parent / "data"


def _text(record: Record, key: str, where: str) -> str:
    value = record.get(key)
    if not isinstance(value, str):
        raise HarnessError(f"{where}: missing text field '{key}'")
    return value


# --------------------------------------------------------------------------- XCOPA
XCOPA_LANGUAGES = ("et", "ht", "id", "it", "qu", "sw", "ta", "th", "tr", "vi", "zh")
COPA_HUB = ("aps/super_glue", "copa")
"""English COPA on the Hub: a script-only repository, read from its parquet conversion."""


def copa_context(premise: str, question: str) -> str:
    """The first segment of both pairs, as google-research/xtreme ``run_xcopa.py`` builds it:
    the premise followed by "What was the cause?" / "What was the effect?"."""
    return f"{premise} What was the {question}?"


def _copa_record(
    task: MultipleChoiceTask, record: Record, where: str, *, missing_ok: bool = False
) -> Row:
    """One COPA/XCOPA record (``premise``, ``choice1``, ``choice2``, ``question``, ``label``
    0 = choice1) -> a row; the choices are the second segments."""
    question = _text(record, "question", where)
    if question not in ("cause", "effect"):
        raise HarnessError(f'{where}: \'question\' must be "cause" or "effect", found {question!r}')
    label = record.get("label")
    if isinstance(label, int) and not isinstance(label, bool) and label == -1 and missing_ok:
        label = None  # the Hub's hidden SuperGLUE test label
    return task.row(
        copa_context(_text(record, "premise", where), question),
        [_text(record, "choice1", where), _text(record, "choice2", where)],
        task.label_index(label, where, missing_ok=missing_ok),
        where,
        id=str(record.get("idx", "")),
    )


def _xcopa_gold(task: MultipleChoiceTask, gold: Path, rows: list[Row], path: Path) -> None:
    """Gold labels of a hidden test file from evaluate.py's label folder (same order)."""
    records = harness.read_jsonl(gold)
    if len(records) != len(rows):
        raise HarnessError(
            f"{gold}: {len(records)} labels for {len(rows)} records in {path}; "
            "the files must be from the same release"
        )
    for row, (n, record) in zip(rows, records, strict=True):
        row["label"] = task.label_index(record.get("label"), f"{gold}:{n}")


def _read_xcopa(task: MultipleChoiceTask, split: str, lang: str, root: Path) -> list[Row]:
    """XTREME's ``xcopa/{split}-{lang}.jsonl``. Its download overwrites every test label
    with 0 (``utils_preprocess.py xcopa_preprocess``): a test file whose labels are all 0 is
    read as unlabelled (predictions written, not scored) unless ``labels/xcopa/test-{lang}.jsonl``
    under the data folder holds the gold labels (cambridgeltl/xcopa's test file)."""
    path = task.local_files(split, lang, root)[0]
    rows = [
        _copa_record(task, r, f"{path}:{n}", missing_ok=split == "test")
        for n, r in harness.read_jsonl(path)
    ]
    if split == "test" and rows and all(row["label"] == 0 for row in rows):
        gold = gold_file(task, split, lang, root, ".jsonl")
        if gold.is_file():
            _xcopa_gold(task, gold, rows, path)
        else:
            for row in rows:
                row["label"] = -1
    return rows


def _xcopa_hub(task: MultipleChoiceTask, split: str, lang: str) -> datasets.Dataset:
    """English (training) from SuperGLUE COPA, the rest from ``cambridgeltl/xcopa``'s
    per-language config (validation and test, both labelled)."""
    if lang == task.train_language:
        repo, config = COPA_HUB
        ds = datasets.load_dataset(
            repo, data_dir=config, revision=PARQUET_EXPORT, split=HUB_SPLIT[split]
        )
    else:
        repo = str(task.hub_id)
        ds = datasets.load_dataset(repo, lang, split=HUB_SPLIT[split])
    rows = [
        _copa_record(
            task, dict(record), f"{repo} {lang} {HUB_SPLIT[split]} record {i}", missing_ok=True
        )
        for i, record in enumerate(ds)
    ]
    if not rows:
        raise HarnessError(f"task '{task.name}': {repo} {lang} {split} has no records")
    task.check_trainable(
        rows,
        split,
        f"{repo} {HUB_SPLIT[split]}",
        lambda row: row["label"] < 0,
        problem="has no gold label; every training record needs one",
    )
    return datasets.Dataset.from_list(rows)


def submission_label(value: Any, who: str) -> str:
    """A submission's ``label`` as a string that is equal exactly when evaluate.py's ``==``
    on the parsed JSON values is: ``1``, ``1.0`` and ``true`` are one value, ``"1"`` another,
    and NaN equals nothing (``who`` keeps a predicted NaN apart from a gold one)."""
    if isinstance(value, bool | int):
        return str(int(value))
    if isinstance(value, float):
        if math.isnan(value):
            return f"NaN ({who})"
        return str(int(value)) if value.is_integer() else repr(value)
    return json.dumps(value, sort_keys=True)


def _submission_labels(path: Path) -> list[str]:
    """evaluate.py ``read_xcopa``: the ``label`` of each JSON object, one per line."""
    labels = []
    with harness.open_text(path) as handle:
        for n, line in enumerate(handle, 1):
            try:
                record = json.loads(line)
            except json.JSONDecodeError as exc:
                raise HarnessError(f"{path}:{n}: not valid JSON ({exc.msg})") from None
            if not isinstance(record, dict) or "label" not in record:
                raise HarnessError(f'{path}:{n}: expected a JSON object with a "label" key')
            labels.append(record["label"])
    return labels


@dataclass(frozen=True, kw_only=True)
class XcopaTask(MultipleChoiceTask):
    """XCOPA's submission format: ``{"label": 0|1}`` per line in ``test-{lang}.jsonl``."""

    prediction_suffix: str = ".jsonl"

    def write_predictions(self, path: Path, predictions: Sequence[str]) -> None:
        from harness.results import atomic_write_text

        lines = [json.dumps({"label": self.choice_keys.index(p)}) + "\n" for p in predictions]
        atomic_write_text(Path(path), "".join(lines))

    def read_submission(
        self, predictions: Path, labels: Path, language: str
    ) -> tuple[list[str], list[str]]:
        preds, gold = _submission_labels(predictions), _submission_labels(labels)
        if len(preds) != len(gold):
            raise HarnessError(
                f"{predictions}: {len(preds)} predictions for {len(gold)} labels in {labels}; "
                'write one {"label": 0 or 1} per line, in test-set order'
            )
        if gold and all(submission_label(g, "gold") == "0" for g in gold) and len(gold) > 1:
            raise HarnessError(
                f"{labels}: every label is 0, as in XTREME's download, which hides the test "
                "labels; use cambridgeltl/xcopa's labelled test files as the label folder"
            )
        return (
            [submission_label(p, "prediction") for p in preds],
            [submission_label(g, "gold") for g in gold],
        )


XCOPA = XcopaTask(
    name="xcopa",
    description="XCOPA (Ponti et al. 2020): choose the more plausible cause or effect of a "
    "premise (2 choices); trained on English COPA, zero-shot in 11 languages.",
    languages=XCOPA_LANGUAGES,
    roles=("target",),
    xtreme_name="xcopa",
    num_choices=2,
    choice_keys=("0", "1"),
    label_base="0-based",
    hub_id="cambridgeltl/xcopa",
    sample_root=SAMPLE_ROOT,
    homepage="https://github.com/cambridgeltl/xcopa",
    local_layout={
        "train": "xcopa/train-{lang}.jsonl",
        "dev": "xcopa/val-{lang}.jsonl",
        "test": "xcopa/test-{lang}.jsonl",
    },
    local_reader=_read_xcopa,
    hub_reader=_xcopa_hub,
)
