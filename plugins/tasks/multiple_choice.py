"""Multiple-choice tasks: the XCOPA target and the intermediates HellaSwag, CosmosQA,
CommonsenseQA and SocialIQA.

Phang et al. (2020) found HellaSwag and CosmosQA among the most useful intermediate tasks
for zero-shot cross-lingual transfer; all four are English-only, intermediate-only records
of the public family :class:`harness.families.MultipleChoiceTask` (whose module documents
the row, feature and collator contract); only the release readers live here.

Local layout under the data root (each folder is the release as distributed):

============== ==========================================================================
HellaSwag      ``hellaswag/hellaswag_{train,val,test}.jsonl`` (rowanz/hellaswag ``data/``):
               ``ctx_a``, ``ctx_b``, ``endings`` (4), ``label`` 0-based int; no label in test
CosmosQA       ``cosmosqa/{train,valid}.csv`` + ``test.jsonl`` (wilburOne/cosmosqa ``data/``):
               ``id,context,question,answer0..answer3,label``; 0-based labels
CommonsenseQA  ``commonsenseqa/{train,dev}_rand_split.jsonl`` +
               ``test_rand_split_no_answers.jsonl``: ``question.stem``, ``question.choices``
               (5 × ``{"label": "A".."E", "text"}``), lettered ``answerKey``
SocialIQA      AI2's ``socialiqa/socialiqa-train-dev/{train,dev}.jsonl`` +
               ``{train,dev}-labels.lst``: ``context``, ``question``, ``answerA..answerC``;
               labels 1-based in a separate file, one per line; no test split; or XTREME's
               download (``download_siqa``: the authors' socialIQa_v1.4.tgz unpacked in
               ``siqa/``): ``siqa/socialIQa_v1.4_{trn,dev,tst}.jsonl``, the gold answer as a
               letter A-C in each record's ``correct`` (read as keys 1-3). The first layout
               whose folder exists is read (AI2's when both are there).
============== ==========================================================================

Hub readers map ``Rowan/hellaswag``, ``allenai/cosmos_qa``, ``tau/commonsense_qa`` and
``allenai/social_i_qa`` (whose labels are strings, ``""`` when hidden) onto the same rows.
HellaSwag, CosmosQA and SocialIQA ship only a loading script, which ``datasets`` 4 no longer
runs: they are read from the Hub's parquet conversion of that script's output (branch
``refs/convert/parquet``, folder ``default/{split}/``), the same rows the script gave.

Normalised rows: ``context`` (first segment), ``choices`` (second segment per choice),
``keys`` (each choice's name in the release's own convention: ``"0"``-``"3"``, ``"A"``-``"E"``,
``"1"``-``"3"``), ``label`` (index into ``choices``, -1 = unlabelled) and ``id``. As in jiant,
HellaSwag pairs ``ctx_a`` with ``ctx_b + " " + ending``; for CosmosQA and SocialIQA the
question travels with each answer (not with the passage) so that truncating a long passage
never cuts the question. Predictions and references are choice keys, scored by the
``accuracy`` evaluator; predictions are written one key per line (the AI2 leaderboards'
``.lst`` format).

XCOPA (Ponti et al. 2020), an XTREME-R target, is registered here and written in
:mod:`.xcopa` (its layout, hidden test labels, Hub reader and ``.jsonl`` submissions).

Only ``dev`` of the intermediates is evaluated: every release hides its test labels
(SocialIQA has no test set).
Each task has a fixed number of choices and the readers reject records with another count:
the encoding, collator and prediction handle any count (missing choices are padded and
never predicted), but a padded choice would still enter the training loss, which the
``transformers`` head computes over every choice it is given.
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import harness
from harness.errors import HarnessError
from harness.families.multiple_choice import (  # re-exported: the names' old home
    PARQUET_EXPORT,
    MultipleChoiceCollator,
    MultipleChoiceTask,
    Record,
    Row,
)

from .xcopa import XCOPA, XcopaTask

__all__ = [
    "TASKS",
    "MultipleChoiceCollator",
    "MultipleChoiceTask",
    "PARQUET_EXPORT",
    "XcopaTask",
]

SAMPLE_ROOT = Path(__file__).parent / "data"
_ENGLISH_INTERMEDIATE = {"languages": ("en",), "roles": ("intermediate",), "eval_splits": ("dev",)}


# --------------------------------------------------------------------------- file readers
def _csv(path: Path, required: Sequence[str]) -> list[tuple[int, Record]]:
    """(line number where the record starts, row) of a CSV file with a header row."""
    with harness.open_text(path, encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        missing = [c for c in required if c not in (reader.fieldnames or [])]
        if missing:
            raise HarnessError(
                f"{path}:1: header lacks column(s) {', '.join(missing)} "
                f"(expected {','.join(required)})"
            )
        out = []
        start = reader.line_num + 1
        for record in reader:
            if None in record or any(record.get(c) is None for c in required):
                raise HarnessError(
                    f"{path}:{start}: expected {len(reader.fieldnames or [])} comma-separated "
                    "fields as in the header"
                )
            out.append((start, record))
            start = reader.line_num + 1
        return out


def _text(record: Record, key: str, where: str) -> str:
    value = record.get(key)
    if not isinstance(value, str):
        raise HarnessError(f"{where}: missing text field '{key}'")
    return value


def _where(path: Path | str, line: int | None, record: Record, id_key: str | None) -> str:
    place = f"{path}:{line}" if line is not None else str(path)
    if id_key and record.get(id_key) not in (None, ""):
        place += f" ({id_key} {record[id_key]})"
    return place


# --------------------------------------------------------------------------- HellaSwag
def _hellaswag_record(
    task: MultipleChoiceTask, record: Record, where: str, *, missing_ok: bool = False
) -> Row:
    """``ctx_a`` is the context; each choice is ``ctx_b`` (often the subject) + the ending."""
    endings = record.get("endings")
    if not isinstance(endings, list) or not all(isinstance(e, str) for e in endings):
        raise HarnessError(f"{where}: 'endings' must be a list of strings")
    ctx_b = record.get("ctx_b") or ""
    return task.row(
        _text(record, "ctx_a", where),
        [f"{ctx_b} {ending}".strip() for ending in endings],
        task.label_index(record.get("label"), where, missing_ok=missing_ok),
        where,
        id=str(record.get("ind", "")),
    )


def _read_hellaswag(task: MultipleChoiceTask, split: str, lang: str, root: Path) -> list[Row]:
    path = task.local_files(split, lang, root)[0]
    return [
        _hellaswag_record(task, r, _where(path, n, r, "ind"), missing_ok=split == "test")
        for n, r in harness.read_jsonl(path)
    ]


def _hellaswag_hub(task: MultipleChoiceTask, record: Record, where: str) -> Row:
    return _hellaswag_record(task, record, where, missing_ok=True)  # test: label ""


# --------------------------------------------------------------------------- CosmosQA
_COSMOS_ANSWERS = ("answer0", "answer1", "answer2", "answer3")


def _cosmos_record(task: MultipleChoiceTask, record: Record, where: str, missing_ok: bool) -> Row:
    answers = [k for k in record if k.startswith("answer") and record[k] is not None]
    if sorted(answers) != list(_COSMOS_ANSWERS):
        raise HarnessError(
            f"{where}: expected {task.num_choices} answers "
            f"({', '.join(_COSMOS_ANSWERS)}), found {len(answers)}"
        )
    label = record.get("label")
    if isinstance(label, int) and label == -1 and missing_ok:  # the Hub's hidden test label
        label = None
    question = _text(record, "question", where)
    return task.row(
        _text(record, "context", where),
        [f"{question} {_text(record, k, where)}" for k in _COSMOS_ANSWERS],
        task.label_index(label, where, missing_ok=missing_ok),
        where,
        id=str(record.get("id", "")),
    )


def _read_cosmosqa(task: MultipleChoiceTask, split: str, lang: str, root: Path) -> list[Row]:
    path = task.local_files(split, lang, root)[0]
    if path.suffix == ".jsonl":  # the released test file: JSON lines without labels
        return [
            _cosmos_record(task, r, _where(path, n, r, "id"), True)
            for n, r in harness.read_jsonl(path)
        ]
    required = ("id", "context", "question", *_COSMOS_ANSWERS, "label")
    return [
        _cosmos_record(task, r, _where(path, n, r, "id"), False) for n, r in _csv(path, required)
    ]


def _cosmos_hub(task: MultipleChoiceTask, record: Record, where: str) -> Row:
    return _cosmos_record(task, record, where, missing_ok=True)


# --------------------------------------------------------------------------- CommonsenseQA
def _csqa_record(task: MultipleChoiceTask, record: Record, where: str, missing_ok: bool) -> Row:
    """Released form (``question: {stem, choices: [{label, text}]}``) or the Hub's flat one."""
    question = record.get("question")
    if isinstance(question, dict):
        stem = _text(question, "stem", where)
        raw = question.get("choices")
        if not isinstance(raw, list) or not all(isinstance(c, dict) for c in raw):
            raise HarnessError(f"{where}: 'question.choices' must be a list of objects")
        labels = [c.get("label") for c in raw]
        texts = [c.get("text") for c in raw]
    else:
        stem = _text(record, "question", where)
        raw = record.get("choices")
        if not isinstance(raw, dict):
            raise HarnessError(f"{where}: 'choices' must be {{'label': [...], 'text': [...]}}")
        labels, texts = list(raw.get("label") or []), list(raw.get("text") or [])
    if not all(isinstance(x, str) for x in labels + texts) or len(labels) != len(texts):
        raise HarnessError(f"{where}: every choice needs a string 'label' and 'text'")
    if len(set(labels)) != len(labels):
        raise HarnessError(f"{where}: repeated choice labels {labels}")
    answer = record.get("answerKey")
    if answer is None or not str(answer).strip():
        if not missing_ok:
            raise HarnessError(f"{where}: missing gold label 'answerKey'")
        label = -1
    elif str(answer).strip() in labels:
        label = labels.index(str(answer).strip())
    else:
        raise HarnessError(
            f"{where}: answerKey '{answer}' is not one of the choice labels ({', '.join(labels)})"
        )
    return task.row(stem, texts, label, where, keys=labels, id=str(record.get("id", "")))


def _read_csqa(task: MultipleChoiceTask, split: str, lang: str, root: Path) -> list[Row]:
    path = task.local_files(split, lang, root)[0]
    return [
        _csqa_record(task, r, _where(path, n, r, "id"), missing_ok=split == "test")
        for n, r in harness.read_jsonl(path)
    ]


def _csqa_hub(task: MultipleChoiceTask, record: Record, where: str) -> Row:
    return _csqa_record(task, record, _where(where, None, record, "id"), missing_ok=True)


# --------------------------------------------------------------------------- SocialIQA
_SIQA_ANSWERS = ("answerA", "answerB", "answerC")


def _siqa_record(task: MultipleChoiceTask, record: Record, label: Any, where: str) -> Row:
    answers = [k for k in record if k.startswith("answer") and record[k] is not None]
    if sorted(answers) != list(_SIQA_ANSWERS):
        raise HarnessError(
            f"{where}: expected {task.num_choices} answers "
            f"({', '.join(_SIQA_ANSWERS)}), found {len(answers)}"
        )
    question = _text(record, "question", where)
    return task.row(
        _text(record, "context", where),
        [f"{question} {_text(record, k, where)}" for k in _SIQA_ANSWERS],
        label,
        where,
        id="",
    )


_SIQA_LETTERS = {"A": "1", "B": "2", "C": "3"}


def _read_siqa_v14(task: MultipleChoiceTask, split: str, path: Path) -> list[Row]:
    """The authors' ``socialIQa_v1.4_*.jsonl`` (XTREME's ``siqa/``): gold letter in ``correct``."""
    rows = []
    for n, record in harness.read_jsonl(path):
        where = f"{path}:{n}"
        letter = record.get("correct")
        if letter is None or (isinstance(letter, str) and not letter.strip()):
            label = task.label_index(None, where, missing_ok=split == "test")
        elif isinstance(letter, str) and letter.strip() in _SIQA_LETTERS:
            label = task.label_index(_SIQA_LETTERS[letter.strip()], where)
        else:
            raise HarnessError(
                f"{where}: 'correct' must be the letter A, B or C of the right answer, "
                f"found {letter!r}"
            )
        rows.append(_siqa_record(task, record, label, where))
    return rows


def _read_socialiqa(task: MultipleChoiceTask, split: str, lang: str, root: Path) -> list[Row]:
    """AI2's release: records in ``{split}.jsonl``; gold labels (1-based) line by line in
    ``{split}-labels.lst``. XTREME's ``siqa/`` copy is read by :func:`_read_siqa_v14`."""
    files = task.local_files(split, lang, root)
    if len(files) == 1:
        return _read_siqa_v14(task, split, files[0])
    path, labels_path = files
    records = harness.read_jsonl(path)
    with harness.open_text(labels_path) as handle:
        labels = [(n, line.strip()) for n, line in enumerate(handle, 1) if line.strip()]
    if len(labels) != len(records):
        raise HarnessError(
            f"{labels_path}: {len(labels)} labels for {len(records)} records in {path}; "
            "the files must be from the same release"
        )
    return [
        _siqa_record(
            task,
            record,
            task.label_index(label, f"{labels_path}:{ln} (label of {path}:{n})"),
            f"{path}:{n}",
        )
        for (n, record), (ln, label) in zip(records, labels, strict=True)
    ]


def _siqa_hub(task: MultipleChoiceTask, record: Record, where: str) -> Row:
    label = task.label_index(record.get("label"), where, missing_ok=True)  # "1\n" on the Hub
    return _siqa_record(task, record, label, where)


# --------------------------------------------------------------------------- the tasks
HELLASWAG = MultipleChoiceTask(
    name="hellaswag",
    description="HellaSwag (Zellers et al. 2019): pick the most plausible continuation of an "
    "ActivityNet or WikiHow context (4 endings).",
    **_ENGLISH_INTERMEDIATE,
    num_choices=4,
    choice_keys=("0", "1", "2", "3"),
    label_base="0-based",
    hub_id="Rowan/hellaswag",
    hub_parquet_config="default",
    sample_root=SAMPLE_ROOT,
    homepage="https://rowanzellers.com/hellaswag/",
    local_layout={
        "train": ("hellaswag/hellaswag_train.jsonl",),
        "dev": ("hellaswag/hellaswag_val.jsonl",),
        "test": ("hellaswag/hellaswag_test.jsonl",),
    },
    local_reader=_read_hellaswag,
    hub_record=_hellaswag_hub,
)

COSMOSQA = MultipleChoiceTask(
    name="cosmosqa",
    description="Cosmos QA (Huang et al. 2019): commonsense reading comprehension over "
    "everyday narratives (4 answers).",
    **_ENGLISH_INTERMEDIATE,
    num_choices=4,
    choice_keys=("0", "1", "2", "3"),
    label_base="0-based",
    hub_id="allenai/cosmos_qa",
    hub_parquet_config="default",
    sample_root=SAMPLE_ROOT,
    homepage="https://wilburone.github.io/cosmos/",
    local_layout={
        "train": ("cosmosqa/train.csv",),
        "dev": ("cosmosqa/valid.csv",),
        "test": ("cosmosqa/test.jsonl",),
    },
    local_reader=_read_cosmosqa,
    hub_record=_cosmos_hub,
)

COMMONSENSEQA = MultipleChoiceTask(
    name="commonsenseqa",
    description="CommonsenseQA (Talmor et al. 2019), random split: ConceptNet-based questions "
    "with 5 lettered choices.",
    **_ENGLISH_INTERMEDIATE,
    num_choices=5,
    choice_keys=("A", "B", "C", "D", "E"),
    label_base="letters",
    hub_id="tau/commonsense_qa",
    sample_root=SAMPLE_ROOT,
    homepage="https://www.tau-nlp.sites.tau.ac.il/commonsenseqa",
    local_layout={
        "train": ("commonsenseqa/train_rand_split.jsonl",),
        "dev": ("commonsenseqa/dev_rand_split.jsonl",),
        "test": ("commonsenseqa/test_rand_split_no_answers.jsonl",),
    },
    local_reader=_read_csqa,
    hub_record=_csqa_hub,
)

SOCIALIQA = MultipleChoiceTask(
    name="socialiqa",
    description="Social IQa (Sap et al. 2019): reasoning about people's motivations and "
    "reactions (3 answers, 1-based labels).",
    **_ENGLISH_INTERMEDIATE,
    num_choices=3,
    choice_keys=("1", "2", "3"),
    label_base="1-based",
    hub_id="allenai/social_i_qa",
    hub_parquet_config="default",
    sample_root=SAMPLE_ROOT,
    homepage="https://leaderboard.allenai.org/socialiqa",
    local_layout={
        split: (
            f"socialiqa/socialiqa-train-dev/{split}.jsonl",
            f"socialiqa/socialiqa-train-dev/{split}-labels.lst",
        )
        for split in ("train", "dev")
    },
    alt_layouts=(
        {
            split: (f"siqa/socialIQa_v1.4_{part}.jsonl",)
            for split, part in (("train", "trn"), ("dev", "dev"), ("test", "tst"))
        },
    ),
    local_reader=_read_socialiqa,
    hub_record=_siqa_hub,
)

TASKS = (XCOPA, HELLASWAG, COSMOSQA, COMMONSENSEQA, SOCIALIQA)


@harness.hookimpl
def register_tasks(register):
    for task in TASKS:
        register(task)
