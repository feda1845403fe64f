"""What the classification, multiple-choice, tagging, QA and retrieval families share: where
a task's files are, how its rows are read, and task settings with defaults.

A family task takes its per-language file layout and its row reader as plain functions, so a
plugin declares a new multilingual target without subclassing:

* ``local_layout`` names the task's files relative to the data folder (``--data PATH``, or
  ``sample_root``), as in every family (:mod:`harness.families._layout`): a template with
  ``{split}`` and ``{lang}`` (``"toyner/{split}-{lang}.tsv"``), a mapping split ->
  template(s) (only the splits it lists are evaluated), or a function ``(split, language)
  -> [paths]``; an entry a function returns may be a tuple of the names different releases
  give one file (the first that exists is used, the first one reported when none does).
* ``local_reader(task, split, language, root)`` returns the normalised rows (a list of dicts
  with the family's row keys). ``task.local_files(split, language, root)`` gives it the
  resolved paths. Without a reader, the family reads the layout's files in its standard
  format.
* ``hub_reader(task, split, language)`` returns a ``datasets.Dataset`` with the same columns
  for ``--data hub`` (optional).

A layout that depends on what the data folder holds or on a setting is written by overriding
``local_files`` in a subclass instead.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

import harness
from harness._lazy import lazy_module
from harness.errors import HarnessError
from harness.families._layout import Layout, layout_files, layout_splits

datasets = lazy_module("datasets")

Row = dict[str, Any]
LocalReader = Callable[[Any, str, str, Path], list[Row]]
HubReader = Callable[[Any, str, str], "datasets.Dataset"]


def resolve_layout(
    entries: Sequence[str | tuple[str, ...]], root: Path, where: str = "local_layout"
) -> list[Path]:
    """Paths under ``root`` for layout entries; a tuple picks its first existing name."""
    paths = []
    for entry in entries:
        names = (entry,) if isinstance(entry, str) else tuple(entry)
        if not names or not all(isinstance(n, str) and n for n in names):
            raise HarnessError(
                f"{where}: expected paths relative to the data folder (strings, or tuples of "
                f"alternative names), got {entry!r}"
            )
        found = [root / name for name in names if (root / name).is_file()]
        paths.append(found[0] if found else root / names[0])
    return paths


def gold_file(task: harness.Task, split: str, language: str, root: Path, suffix: str) -> Path:
    """Where evaluate.py's label folder keeps hidden gold labels under the data root:
    ``labels/<xtreme_name or name>/<split>-<lang><suffix>``."""
    return root / "labels" / (task.xtreme_name or task.name) / f"{split}-{language}{suffix}"


@dataclass(frozen=True, kw_only=True)
class FamilyTask(harness.Task):
    """A task whose files come from ``local_layout`` and whose rows from ``local_reader``."""

    local_layout: Layout | None = None
    """Files per split and language relative to the data folder (see the module doc)."""
    local_reader: LocalReader | None = None
    """(task, split, language, root) -> rows; None: the family's standard file format."""
    hub_reader: HubReader | None = None
    """(task, split, language) -> ``datasets.Dataset`` with the row keys, for ``--data hub``."""
    language_splits: dict[str, tuple[str, ...]] = field(default_factory=dict)
    """Evaluation splits of languages that differ from the rest, e.g. ``{"yo": ("test",)}``."""

    default_settings: ClassVar[dict[str, Any]] = {}
    """Settings every task of the family has; a task's ``settings`` override some of them."""
    layout_name: ClassVar[str] = "layout"
    """What the error for a split the layout lacks calls the layout."""

    def __post_init__(self) -> None:
        if any(key not in self.settings for key in self.default_settings):
            object.__setattr__(self, "settings", {**self.default_settings, **self.settings})
        if self.local_layout is None and type(self).local_files is FamilyTask.local_files:
            raise HarnessError(
                f"task '{self.name}': no local_layout; give local_layout=\"folder/{{split}}-"
                '{lang}.ext" (paths relative to the data folder), a mapping split -> paths '
                "or a function (split, language) -> paths"
            )

    # -- data --------------------------------------------------------------------------
    def splits_for(self, language: str) -> tuple[str, ...]:
        """``language_splits[language]``, else the ``eval_splits`` that the layout has."""
        if language in self.language_splits:
            return self.language_splits[language]
        return layout_splits(self.local_layout, self.eval_splits)

    def layout_for(self, root: Path, language: str = "en") -> Layout:
        """The layout to read under ``root``: ``local_layout`` (a family may pick another)."""
        assert self.local_layout is not None  # checked in __post_init__
        return self.local_layout

    def local_files(self, split: str, language: str, root: Path) -> list[Path]:
        layout = self.layout_for(root, language)
        entries = layout_files(layout, split, language)
        if entries is None:
            raise HarnessError(
                f"task '{self.name}' has no '{split}' split in its {self.layout_name} "
                f"(has: {', '.join(layout)})"
            )
        return resolve_layout(entries, root, f"task '{self.name}' local_layout")

    def read_local(self, split: str, language: str, root: Path) -> list[Row]:
        if self.local_reader is None:
            return self.read_files(split, language, root)
        try:
            return self.local_reader(self, split, language, root)
        except KeyError as exc:  # a reader looking up a field its record lacks
            files = ", ".join(map(str, self.local_files(split, language, root)))
            raise HarnessError(
                f"task '{self.name}': a record of {files} has no field {exc}; "
                "check the file against the task's format"
            ) from None

    def read_files(self, split: str, language: str, root: Path) -> list[Row]:
        """Rows of the layout's files in the family's standard format (the default reader)."""
        raise HarnessError(
            f"task '{self.name}': no local_reader; give local_reader=(task, split, language, "
            "root) -> rows"
        )

    def rows_of_files(
        self,
        split: str,
        language: str,
        root: Path,
        records: Callable[[Path], Iterable[tuple[int, Any]]],
        to_row: Callable[[Any, str], Row],
    ) -> list[Row]:
        """``to_row(record, "path:line")`` for each (line, record) ``records`` finds in each
        of the split's files: a per-record reader that names where a bad record is."""
        return [
            to_row(record, f"{path}:{n}")
            for path in self.local_files(split, language, root)
            for n, record in records(path)
        ]

    def check_trainable(
        self,
        rows: list[Row],
        split: str,
        where: str,
        unlabelled: Callable[[Row], bool],
        item: str = "example",
        problem: str = "has no gold label; every training example needs one",
    ) -> None:
        """Training needs gold on every row (a -1 would reach the loss): the first row of the
        training split that is ``unlabelled`` is one error line naming it and ``where``."""
        if split != self.train_split:
            return
        missing = next((i for i, row in enumerate(rows, 1) if unlabelled(row)), None)
        if missing is not None:
            raise HarnessError(
                f"task '{self.name}': training {item} {missing} of {where} {problem}"
            )

    def read_hub(self, split: str, language: str) -> datasets.Dataset:
        if self.hub_reader is None:
            raise HarnessError(
                f"task '{self.name}' has no Hugging Face Hub source; use --data PATH"
            )
        return self.hub_reader(self, split, language)  # Task.load explains failures
