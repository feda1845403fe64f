"""Where a family task's files are: one layout description shared by the families."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

Layout = str | Mapping[str, str | tuple[str, ...]] | Callable[[str, str], list[str]]
"""A task's files relative to the data root: a template with ``{split}`` and ``{lang}``
(``"toysent/{split}-{lang}.tsv"``), a mapping split -> template(s) (``{"dev":
"mc/{lang}/val.{lang}.jsonl", ...}``: only those splits exist), or a function
``(split, language) -> [paths]``."""


def layout_files(layout: Any, split: str, language: str) -> list[str] | None:
    """The paths of ``split`` in ``language``; None when a mapping lacks the split."""
    if callable(layout):
        return list(layout(split, language))
    if isinstance(layout, str):
        return [layout.format(split=split, lang=language)]
    if split not in layout:
        return None
    files = layout[split]
    files = (files,) if isinstance(files, str) else files
    return [rel.format(split=split, lang=language) for rel in files]


def layout_splits(layout: Any, splits: tuple[str, ...]) -> tuple[str, ...]:
    """``splits`` narrowed to those a mapping layout lists (others list every split)."""
    if isinstance(layout, Mapping):
        return tuple(s for s in splits if s in layout)
    return splits
