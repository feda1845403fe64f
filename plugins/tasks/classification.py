"""Sentence-pair classification: XNLI and PAWS-X targets; MNLI, SNLI, ANLI, ANLI+ and QQP intermediates.

Every task here is one record of the public family
:class:`harness.families.PairClassificationTask` (whose module documents the row and feature
contract); only the release readers live here. Local readers follow the official releases byte
for byte (GLUE ``.tsv`` with header, ANLI/SNLI ``.jsonl``, XTREME's
processed ``{split}-{lang}.tsv``); Hub readers map each dataset's own schema onto the same
normalised rows: ``text_a``, ``text_b``, ``label`` (index into ``labels``; -1 = unlabelled).
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import harness
from harness._lazy import lazy_module
from harness.errors import HarnessError
from harness.families.classification import (  # PairClassificationTask: re-exported, old home
    HUB_SPLIT,
    HubReader,
    PairClassificationTask,
    Row,
    read_tsv,
)

__all__ = ["TASKS", "PairClassificationTask"]

datasets = lazy_module("datasets")

SAMPLE_ROOT = Path(__file__).parent / "data"
LOG = logging.getLogger(__name__)
XNLI_LANGUAGES = (
    "ar",
    "bg",
    "de",
    "el",
    "en",
    "es",
    "fr",
    "hi",
    "ru",
    "sw",
    "th",
    "tr",
    "ur",
    "vi",
    "zh",
)
PAWSX_LANGUAGES = ("de", "en", "es", "fr", "ja", "ko", "zh")
NLI_LABELS = ("contradiction", "entailment", "neutral")  # XTREME's get_labels() order


def _field(record: dict[str, Any], key: str, where: str) -> str:
    value = record.get(key)
    if not isinstance(value, str):
        raise HarnessError(f"{where}: missing text field '{key}'")
    return value


# --------------------------------------------------------------------------- XTREME layout
def _read_xtreme_tsv(task: PairClassificationTask, split: str, lang: str, root: Path) -> list[Row]:
    """XTREME's processed ``{split}-{lang}.tsv``: ``s1<TAB>s2<TAB>label``; test files have no label.

    XTREME strips labels from test files, so gold test labels are read, when present, from
    an evaluate.py label folder: ``labels/{task}/test-{lang}.tsv`` (one label per line).
    """
    folder = task.xtreme_name or task.name
    path = root / folder / f"{split}-{lang}.tsv"
    rows: list[Row] = []
    for n, fields in read_tsv(path):
        where = f"{path}:{n}"
        if len(fields) == 3:
            label = task.label_index(fields[2], where)
        elif len(fields) == 2 and split == "test":
            label = -1
        else:
            raise HarnessError(
                f"{where}: expected 3 tab-separated fields (sentence1, sentence2, label), "
                f"found {len(fields)}"
            )
        rows.append({"text_a": fields[0], "text_b": fields[1], "label": label})
    labels_file = root / "labels" / folder / f"{split}-{lang}.tsv"
    if labels_file.is_file():
        gold = [line.strip() for line in harness.read_text(labels_file).splitlines()]
        if len(gold) != len(rows):
            raise HarnessError(
                f"{labels_file}: {len(gold)} labels for {len(rows)} examples in {path}"
            )
        for n, (row, label) in enumerate(zip(rows, gold, strict=True), 1):
            row["label"] = task.label_index(label, f"{labels_file}:{n}")
    return rows


def _hub_per_language(a: str, b: str) -> HubReader:
    """Hub datasets with one config per language and train/validation/test splits
    (``facebook/xnli``: premise/hypothesis; ``google-research-datasets/paws-x``: sentence1/2)."""

    def read(task: PairClassificationTask, split: str, lang: str) -> datasets.Dataset:
        ds = datasets.load_dataset(task.hub_id, lang, split=HUB_SPLIT[split])
        return _from_hub_classlabel(task, ds, a, b)

    return read


def _from_hub_classlabel(
    task: PairClassificationTask, ds: datasets.Dataset, a: str, b: str | None
) -> datasets.Dataset:
    """Map a Hub ClassLabel column onto the task's label order (by name, never by position).

    The family's ``from_hub_classlabel`` does the same, but ``datasets`` fingerprints the
    mapped rows (the tokenisation cache key of Hub data) by the module and name of
    ``convert``: this copy stays here so the built-ins' cached Hub data stays valid.
    """
    names = ds.features["label"].names
    mapping = {
        i: task.label_index(name, f"{task.hub_id} label names") for i, name in enumerate(names)
    }

    def convert(batch: dict[str, list]) -> dict[str, list]:
        return {
            "text_a": batch[a],
            "text_b": batch[b] if b else [None] * len(batch[a]),
            "label": [mapping.get(x, -1) for x in batch["label"]],
        }

    return ds.map(convert, batched=True, remove_columns=ds.column_names)


# --------------------------------------------------------------------------- GLUE / NLI releases
def _read_glue_mnli(path: Path, task: PairClassificationTask) -> list[Row]:
    """GLUE ``MNLI/{train,dev_matched}.tsv``: header row; sentence1=col 8, sentence2=col 9, gold=last."""
    rows = []
    for n, fields in read_tsv(path)[1:]:
        if len(fields) < 11:
            raise HarnessError(
                f"{path}:{n}: expected at least 11 tab-separated GLUE MNLI columns, "
                f"found {len(fields)}"
            )
        rows.append(
            {
                "text_a": fields[8],
                "text_b": fields[9],
                "label": task.label_index(fields[-1], f"{path}:{n}"),
            }
        )
    return rows


def _read_glue_qqp(task: PairClassificationTask, split: str, lang: str, root: Path) -> list[Row]:
    """GLUE ``QQP/{train,dev}.tsv``: id qid1 qid2 question1 question2 is_duplicate (header row).

    The GLUE release has a few broken rows (a question cut by a stray newline leaves lines
    with fewer columns); GLUE's own processors skip rows they cannot index, so rows without
    exactly 6 columns are skipped here too, with their count logged. A file where every row
    is broken is not QQP and stops the run.
    """
    path = task.local_files(split, lang, root)[0]
    rows = []
    skipped: list[int] = []
    lines = read_tsv(path)
    if lines and len(lines[0][1]) != 6:
        raise HarnessError(
            f"{path}:{lines[0][0]}: expected the 6-column QQP header "
            f"(id qid1 qid2 question1 question2 is_duplicate), found {len(lines[0][1])} columns"
        )
    for n, fields in lines[1:]:
        if len(fields) != 6:
            skipped.append(n)
            continue
        rows.append(
            {
                "text_a": fields[3],
                "text_b": fields[4],
                "label": task.label_index(fields[5], f"{path}:{n}"),
            }
        )
    if skipped:
        if not rows:
            raise HarnessError(
                f"{path}:{skipped[0]}: no row has the 6 tab-separated QQP columns "
                "(id qid1 qid2 question1 question2 is_duplicate)"
            )
        shown = ", ".join(map(str, skipped[:5])) + (", ..." if len(skipped) > 5 else "")
        LOG.warning(
            "%s: skipped %d malformed row(s) without 6 tab-separated columns (lines %s), "
            "as GLUE's processors do; %d rows read",
            path,
            len(skipped),
            shown,
            len(rows),
        )
    return rows


def _read_snli_jsonl(path: Path, task: PairClassificationTask) -> list[Row]:
    """SNLI 1.0 ``.jsonl``: ``gold_label`` "-" (no annotator consensus) rows are dropped."""
    rows = []
    for n, record in harness.read_jsonl(path):
        where = f"{path}:{n}"
        gold = _field(record, "gold_label", where)
        if gold == "-":
            continue
        rows.append(
            {
                "text_a": _field(record, "sentence1", where),
                "text_b": _field(record, "sentence2", where),
                "label": task.label_index(gold, where),
            }
        )
    return rows


def _read_anli_jsonl(path: Path, task: PairClassificationTask) -> list[Row]:
    """ANLI v1.0 ``R{1,2,3}/{split}.jsonl``: ``context``, ``hypothesis``, ``label`` in e/n/c."""
    rows = []
    for n, record in harness.read_jsonl(path):
        where = f"{path}:{n}"
        rows.append(
            {
                "text_a": _field(record, "context", where),
                "text_b": _field(record, "hypothesis", where),
                "label": task.label_index(_field(record, "label", where), where),
            }
        )
    return rows


def _read_listed(task: PairClassificationTask, split: str, lang: str, root: Path) -> list[Row]:
    """Concatenate every file of the layout, each read by the reader of its release."""
    rows: list[Row] = []
    for path in task.local_files(split, lang, root):
        if path.parent.name == "MNLI":
            rows += _read_glue_mnli(path, task)
        elif path.parent.name == "snli_1.0":
            rows += _read_snli_jsonl(path, task)
        else:
            rows += _read_anli_jsonl(path, task)
    return rows


ANLI_ROUNDS = ("R1", "R2", "R3")


def _anli_files(split: str) -> list[str]:
    return [f"anli_v1.0/{r}/{split}.jsonl" for r in ANLI_ROUNDS]


def _glue_mnli_file(split: str) -> str:
    return "MNLI/train.tsv" if split == "train" else "MNLI/dev_matched.tsv"


def _snli_file(split: str) -> str:
    return f"snli_1.0/snli_1.0_{split}.jsonl"


_ANLI_HUB = "{0}_r1+{0}_r2+{0}_r3"


def _anli_hub_reader(with_mnli_snli: bool) -> HubReader:
    def read(task: PairClassificationTask, split: str, lang: str) -> datasets.Dataset:
        parts = [("facebook/anli", None, _ANLI_HUB.format(split), "premise", "hypothesis")]
        if with_mnli_snli and split == "train":
            parts += [
                ("nyu-mll/glue", "mnli", "train", "premise", "hypothesis"),
                ("stanfordnlp/snli", None, "train", "premise", "hypothesis"),
            ]
        return _load_hub_parts(task, parts)

    return read


def _load_hub_parts(task: PairClassificationTask, parts: list) -> datasets.Dataset:
    """Load and concatenate (repo, config, "split+split", text_a, text_b) Hub sources."""
    loaded = []
    for repo, config, splits, a, b in parts:
        for hub_split in splits.split("+"):
            loaded.append(
                _from_hub_classlabel(
                    task, datasets.load_dataset(repo, config, split=hub_split), a, b
                )
            )
    return datasets.concatenate_datasets(loaded).filter(lambda row: row["label"] >= 0)


def _glue_hub_reader(config: str, a: str, b: str, dev_split: str) -> HubReader:
    def read(task: PairClassificationTask, split: str, lang: str) -> datasets.Dataset:
        hub_split = "train" if split == "train" else dev_split
        return _load_hub_parts(task, [("nyu-mll/glue", config, hub_split, a, b)])

    return read


def _snli_hub(task: PairClassificationTask, split: str, lang: str) -> datasets.Dataset:
    return _load_hub_parts(
        task, [("stanfordnlp/snli", None, HUB_SPLIT[split], "premise", "hypothesis")]
    )


# --------------------------------------------------------------------------- the tasks
_NLI_ALIASES = (
    ("contradictory", "contradiction"),
    ("e", "entailment"),
    ("n", "neutral"),
    ("c", "contradiction"),
)

# shared by the English-only intermediate tasks below
_ENGLISH_INTERMEDIATE = {"languages": ("en",), "roles": ("intermediate",), "eval_splits": ("dev",)}
_NLI = {"labels": NLI_LABELS, "label_aliases": _NLI_ALIASES}

XNLI = PairClassificationTask(
    name="xnli",
    description="Cross-lingual NLI (Conneau et al. 2018): train on English MNLI, test zero-shot in 15 languages.",
    languages=XNLI_LANGUAGES,
    roles=("target",),
    labels=NLI_LABELS,
    label_aliases=_NLI_ALIASES,
    xtreme_name="xnli",
    hub_id="facebook/xnli",
    sample_root=SAMPLE_ROOT,
    homepage="https://github.com/facebookresearch/XNLI",
    local_layout="xnli/{split}-{lang}.tsv",
    local_reader=_read_xtreme_tsv,
    hub_reader=_hub_per_language("premise", "hypothesis"),
)

PAWSX = PairClassificationTask(
    name="pawsx",
    description="PAWS-X paraphrase adversaries (Yang et al. 2019): train on English PAWS, test in 7 languages.",
    languages=PAWSX_LANGUAGES,
    roles=("target",),
    labels=("0", "1"),
    xtreme_name="pawsx",
    hub_id="google-research-datasets/paws-x",
    sample_root=SAMPLE_ROOT,
    homepage="https://github.com/google-research-datasets/paws/tree/master/pawsx",
    local_layout="pawsx/{split}-{lang}.tsv",
    local_reader=_read_xtreme_tsv,
    hub_reader=_hub_per_language("sentence1", "sentence2"),
)

MNLI = PairClassificationTask(
    name="mnli",
    description="MultiNLI (Williams et al. 2018), GLUE release; validation = dev_matched.",
    **_ENGLISH_INTERMEDIATE,
    **_NLI,
    hub_id="nyu-mll/glue",
    sample_root=SAMPLE_ROOT,
    homepage="https://cims.nyu.edu/~sbowman/multinli/",
    local_layout=lambda split, lang: [_glue_mnli_file(split)],
    local_reader=lambda task, split, lang, root: _read_glue_mnli(
        root / _glue_mnli_file(split), task
    ),
    hub_reader=_glue_hub_reader("mnli", "premise", "hypothesis", "validation_matched"),
)

SNLI = PairClassificationTask(
    name="snli",
    description="SNLI 1.0 (Bowman et al. 2015); pairs without a gold label are dropped.",
    **_ENGLISH_INTERMEDIATE,
    **_NLI,
    hub_id="stanfordnlp/snli",
    sample_root=SAMPLE_ROOT,
    homepage="https://nlp.stanford.edu/projects/snli/",
    local_layout=lambda split, lang: [_snli_file(split)],
    local_reader=lambda task, split, lang, root: _read_snli_jsonl(root / _snli_file(split), task),
    hub_reader=_snli_hub,
)

ANLI = PairClassificationTask(
    name="anli",
    description="Adversarial NLI (Nie et al. 2020), rounds R1-R3 combined.",
    **_ENGLISH_INTERMEDIATE,
    **_NLI,
    hub_id="facebook/anli",
    sample_root=SAMPLE_ROOT,
    homepage="https://github.com/facebookresearch/anli",
    local_layout=lambda split, lang: _anli_files(split),
    local_reader=_read_listed,
    hub_reader=_anli_hub_reader(with_mnli_snli=False),
)

ANLI_PLUS = PairClassificationTask(
    name="anli+",
    description="ANLI+ as in Phang et al. 2020: ANLI R1-R3 training data combined with MNLI and SNLI; "
    "validated on ANLI dev (R1-R3).",
    **_ENGLISH_INTERMEDIATE,
    **_NLI,
    hub_id="facebook/anli",
    sample_root=SAMPLE_ROOT,
    homepage="https://github.com/facebookresearch/anli",
    local_layout=lambda split, lang: (
        _anli_files(split)
        + ([_glue_mnli_file("train"), _snli_file("train")] if split == "train" else [])
    ),
    local_reader=_read_listed,
    hub_reader=_anli_hub_reader(with_mnli_snli=True),
)

QQP = PairClassificationTask(
    name="qqp",
    description="Quora Question Pairs, GLUE release (duplicate-question detection).",
    **_ENGLISH_INTERMEDIATE,
    labels=("0", "1"),
    label_aliases=(("not_duplicate", "0"), ("duplicate", "1")),
    hub_id="nyu-mll/glue",
    sample_root=SAMPLE_ROOT,
    homepage="https://gluebenchmark.com/tasks",
    local_layout=lambda split, lang: [f"QQP/{split}.tsv"],
    local_reader=_read_glue_qqp,
    hub_reader=_glue_hub_reader("qqp", "question1", "question2", "validation"),
)

TASKS = (XNLI, PAWSX, MNLI, SNLI, ANLI, ANLI_PLUS, QQP)


@harness.hookimpl
def register_tasks(register):
    for task in TASKS:
        register(task)
