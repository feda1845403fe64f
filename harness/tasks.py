"""What a task is: one declarative record plus the few operations the runner needs.

Families (classification, tagging, QA, ...) subclass :class:`Task` once in their plugin
module; each concrete task is then a single instance of that subclass, so "where is XNLI
defined?" has one answer: the family module that instantiates it.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import datasets

from harness.errors import HarnessError

ROLES = ("intermediate", "target")


@dataclass(frozen=True)
class DataSource:
    """Where a run reads task data from.

    ``kind="local"``: ``root`` is a folder laid out as the task's official download
    (XTREME's ``download/`` folder, ``glue_data/``, ...); the bundled samples use that
    same layout. ``kind="hub"``: the Hugging Face Hub (or its local cache).
    """

    kind: str
    root: Path | None = None

    def describe(self) -> str:
        return "the Hugging Face Hub" if self.kind == "hub" else str(self.root)


@dataclass(frozen=True, kw_only=True)
class Task(ABC):
    """A dataset with a head, splits, languages and a scorer.

    Attributes are metadata (shown by ``harness list``, stored with results); the
    abstract methods are the data and head contract the phase runner relies on.
    """

    name: str
    description: str
    head: str
    """Which head the model plugin must build, e.g. ``"sequence-classification"``."""
    languages: tuple[str, ...]
    """Evaluation languages (zero-shot targets; ``("en",)`` for English-only tasks)."""
    evaluator: str
    main_metric: str
    roles: tuple[str, ...] = ROLES
    train_language: str = "en"
    train_split: str = "train"
    eval_splits: tuple[str, ...] = ("dev", "test")
    xtreme_name: str | None = None
    """Folder name in an XTREME submission, for tasks that are XTREME targets."""
    hub_id: str | None = None
    sample_root: Path | None = None
    """Folder with bundled sample files in the local layout, if the plugin ships any."""
    homepage: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    def splits_for(self, language: str) -> tuple[str, ...]:
        """Evaluation splits that exist for ``language`` (override for irregular tasks)."""
        return self.eval_splits

    @abstractmethod
    def local_files(self, split: str, language: str, root: Path) -> list[Path]:
        """Files under ``root`` holding ``split`` in ``language`` (they need not exist)."""

    @abstractmethod
    def read_local(self, split: str, language: str, root: Path) -> list[dict[str, Any]]:
        """Parse the local files into normalised rows; raise HarnessError naming file:line."""

    @abstractmethod
    def read_hub(self, split: str, language: str) -> datasets.Dataset:
        """Load the split from the Hub and return it with normalised columns."""

    @abstractmethod
    def encode(self, batch: dict[str, list], tokenizer: Any, max_length: int) -> dict[str, list]:
        """Tokenise a batch of normalised rows (``datasets.map(batched=True)`` contract)."""

    @property
    @abstractmethod
    def num_labels(self) -> int:
        """Output size of the task head."""

    @abstractmethod
    def decode(self, logits: Any) -> list[Any]:
        """Turn head outputs for a batch into predictions in the task's label space."""

    @abstractmethod
    def references(self, rows: datasets.Dataset) -> list[Any]:
        """Gold answers for ``rows`` in the same space as :meth:`decode` returns."""

    @abstractmethod
    def write_predictions(self, path: Path, predictions: Sequence[Any]) -> None:
        """Write predictions in the official submission format of the task."""

    def load(self, split: str, language: str, source: DataSource) -> datasets.Dataset:
        """Rows for one split/language as a ``datasets.Dataset`` (with ``example_id``)."""
        self.check_language(language, split)
        if source.kind == "hub":
            ds = self.read_hub(split, language)
        else:
            assert source.root is not None
            for path in self.local_files(split, language, source.root):
                if not path.is_file():
                    raise HarnessError(
                        f"task '{self.name}': missing data file {path} ({split}, {language}); "
                        f"download it into {source.root} in the official layout, or use "
                        "--data sample / --data hub"
                    )
            rows = self.read_local(split, language, source.root)
            if not rows:
                raise HarnessError(
                    f"task '{self.name}': no examples in "
                    f"{', '.join(map(str, self.local_files(split, language, source.root)))}"
                )
            ds = datasets.Dataset.from_list(rows)
        if "example_id" not in ds.column_names:
            ds = ds.add_column("example_id", list(range(len(ds))))
        return ds

    def check_language(self, language: str, split: str | None = None) -> None:
        allowed = set(self.languages) | {self.train_language}
        if language not in allowed:
            raise HarnessError(
                f"task '{self.name}' has no language '{language}'; "
                f"choose from: {', '.join(self.languages)}"
            )
