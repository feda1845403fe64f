"""Sentence(-pair) classification: one label of a fixed set per example, in any language.

A task is one :class:`PairClassificationTask` record: its labels, its languages, its files
per split and language (``local_layout``, paths with ``{split}``/``{lang}`` placeholders)
and how one line of those tab-separated files becomes a row (``from_fields``), or a reader
of its own (``local_reader``). The family encodes, decodes, writes and reads submissions,
identically for the built-in tasks and for a plugin's.

Contract, for a plugin that reuses or replaces parts of it:

- **Rows** (what a reader returns): ``text_a``, ``text_b`` (``None`` for single-sentence
  tasks) and ``label`` (index into ``labels``; -1 for an unlabelled row, never in the
  training split). :meth:`PairClassificationTask.row` builds and checks one.
- **Features**: one per row, flat token lists (``input_ids``, ``attention_mask``, ...) and
  ``labels``; the default collator pads them.
- **Head**: ``sequence-classification`` with ``num_labels = len(labels)`` outputs.
- **Predictions** are label strings, one per line in the submission file (XTREME's
  ``evaluate.py`` format), which :meth:`PairClassificationTask.read_submission` reads back
  so ``harness score`` scores it.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import harness
from harness._lazy import lazy_module
from harness.errors import HarnessError
from harness.families._base import FamilyTask
from harness.families._layout import Layout

datasets = lazy_module("datasets")
np = lazy_module("numpy")

Row = dict[str, Any]
LocalReader = Callable[["PairClassificationTask", str, str, Path], list[Row]]
FieldsReader = Callable[["PairClassificationTask", list[str], str], Row]
"""(task, the tab-separated fields of one line, where it is for errors) -> a row."""
HubReader = Callable[["PairClassificationTask", str, str], "datasets.Dataset"]
HUB_SPLIT = {"train": "train", "dev": "validation", "test": "test"}


def read_tsv(path: Path) -> list[tuple[int, list[str]]]:
    """(line number, fields) of a TSV read as XTREME/GLUE readers do: tab-split, quotes
    literal, blank lines skipped; file problems are one :class:`HarnessError`."""
    with harness.open_text(path, encoding="utf-8-sig", newline="") as handle:
        return [
            (n, row)
            for n, row in enumerate(csv.reader(handle, delimiter="\t", quotechar=None), 1)
            if row
        ]


@dataclass(frozen=True, kw_only=True)
class PairClassificationTask(FamilyTask):
    """A (single sentence or) sentence-pair task with a fixed label set.

    Defaults suit a zero-shot target: train on ``train`` in ``train_language``, evaluate
    ``dev`` and ``test`` in every one of ``languages`` (when ``local_layout`` is a mapping,
    only the splits it lists; ``language_splits`` overrides single languages).
    """

    labels: tuple[str, ...]
    local_layout: Layout
    """Files of a split in a language, relative to the data root: a template such as
    ``"toysent/{split}-{lang}.tsv"``, a mapping split -> template(s), or a function
    ``(split, language) -> [paths]``. The runner checks and fingerprints them."""
    from_fields: FieldsReader | None = None
    """Turns the tab-separated fields of one line of those files into a row."""
    label_aliases: tuple[tuple[str, str], ...] = ()
    """(as written in a release, label) pairs, e.g. ``("e", "entailment")``."""
    head: str = "sequence-classification"
    evaluator: str = "accuracy"
    main_metric: str = "accuracy"

    def __post_init__(self) -> None:
        super().__post_init__()
        if self.from_fields is None and self.local_reader is None:
            raise HarnessError(
                f"task '{self.name}': give from_fields (tab-separated fields -> task.row(...)) "
                "or local_reader (split files -> rows)"
            )

    # -- data --------------------------------------------------------------------------
    def read_local(self, split: str, language: str, root: Path) -> list[Row]:
        rows = super().read_local(split, language, root)
        if split == self.train_split:
            files = ", ".join(map(str, self.local_files(split, language, root)))
            self.check_trainable(rows, split, files, lambda row: row["label"] < 0)
        return rows

    def read_files(self, split: str, language: str, root: Path) -> list[Row]:
        """Rows of the layout's tab-separated files, one per line, from ``from_fields``."""
        assert self.from_fields is not None  # checked in __post_init__
        reader = self.from_fields
        return self.rows_of_files(
            split,
            language,
            root,
            read_tsv,
            lambda fields, where: self._fields_row(reader, fields, where),
        )

    def _fields_row(self, reader: FieldsReader, fields: list[str], where: str) -> Row:
        """``reader``'s row, a line with too few fields for it being one line naming it."""
        try:
            return reader(self, fields, where)
        except IndexError:
            raise HarnessError(
                f"{where}: {len(fields)} tab-separated field(s) are too few for task '{self.name}'"
            ) from None

    def label_index(self, label: str, where: str) -> int:
        """Index of ``label`` (or of its alias) in ``labels``; an unknown one is an error."""
        label = dict(self.label_aliases).get(label.strip(), label.strip())
        try:
            return self.labels.index(label)
        except ValueError:
            raise HarnessError(
                f"{where}: unknown label '{label}' for task '{self.name}' "
                f"(expected one of: {', '.join(self.labels)})"
            ) from None

    def row(self, text_a: str, text_b: str | None, label: str | None, where: str) -> Row:
        """A checked row; ``label`` as written in the file (aliases apply), or None or ""
        for an unlabelled example (a test file without labels: predictions only)."""
        if not isinstance(text_a, str) or not isinstance(text_b, (str, type(None))):
            raise HarnessError(f"{where}: expected text, found {text_a!r}, {text_b!r}")
        index = -1 if label is None or not label.strip() else self.label_index(label, where)
        return {"text_a": text_a, "text_b": text_b, "label": index}

    # -- model interface ---------------------------------------------------------------
    @property
    def num_labels(self) -> int:
        return len(self.labels)

    def encode(self, batch: dict[str, list], tokenizer: Any, max_length: int) -> dict[str, list]:
        """Single sentences when no row of the batch has a ``text_b``; pairs otherwise."""
        pair = batch["text_b"] if any(b is not None for b in batch["text_b"]) else None
        enc = tokenizer(batch["text_a"], pair, truncation=True, max_length=max_length)
        enc["labels"] = batch["label"]
        return dict(enc)

    def decode(
        self,
        outputs: list[np.ndarray],
        features: datasets.Dataset,
        rows: datasets.Dataset,
        context: harness.EvalContext,
    ) -> list[str]:
        return [self.labels[i] for i in np.stack(outputs).argmax(-1).tolist()]

    def references(self, rows: datasets.Dataset) -> list[str | None]:
        return [self.labels[i] if i >= 0 else None for i in rows["label"][:]]

    def write_predictions(self, path: Path, predictions: Sequence[str]) -> None:
        """XTREME submission format: one label per line (what evaluate.py compares)."""
        from harness.scoring import write_lines

        write_lines(path, predictions)

    def read_submission(
        self, predictions: Path, labels: Path, language: str
    ) -> tuple[list[str], list[str]]:
        """One label per line in both files (evaluate.py ``read_label``), compared in order."""
        from harness.scoring import read_line_pairs

        return read_line_pairs(predictions, labels)


def from_hub_classlabel(
    task: PairClassificationTask, ds: datasets.Dataset, a: str, b: str | None
) -> datasets.Dataset:
    """Rows from a Hub dataset with text columns ``a`` (and ``b``) and a ClassLabel ``label``,
    mapped onto the task's label order by name, never by position (unknown names: -1)."""
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


def hub_per_language(a: str, b: str | None) -> HubReader:
    """A ``hub_reader`` for Hub datasets with one config per language and
    train/validation/test splits, texts in columns ``a`` and ``b`` and a ClassLabel ``label``."""

    def read(task: PairClassificationTask, split: str, lang: str) -> datasets.Dataset:
        ds = datasets.load_dataset(task.hub_id, lang, split=HUB_SPLIT[split])
        return from_hub_classlabel(task, ds, a, b)

    return read
