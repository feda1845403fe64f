"""Language metadata (name, family, script, Joshi et al. 2020 resource class) from one data file.

``harness/languages.json`` is the single source leaderboards and analyses read; it is
validated against ``schemas/languages.schema.json`` when first loaded.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from importlib import resources

from harness.errors import HarnessError
from harness.validation import validate

DATA_FILE = "languages.json"


@dataclass(frozen=True)
class Language:
    code: str
    name: str
    family: str
    genus: str
    script: str
    script_name: str
    resource_class: int
    """Joshi et al. (2020): 0 (The Left-Behinds) ... 5 (The Winners)."""
    joshi_name: str


@cache
def _document() -> dict:
    text = resources.files("harness").joinpath(DATA_FILE).read_text("utf-8")
    document = json.loads(text)
    validate(document, "languages", f"harness/{DATA_FILE}")
    codes = [entry["code"] for entry in document["languages"]]
    duplicates = sorted({c for c in codes if codes.count(c) > 1})
    if duplicates:
        raise HarnessError(f"harness/{DATA_FILE}: duplicate language codes {duplicates}")
    return document


@cache
def languages() -> dict[str, Language]:
    """Every known language by ISO 639-1 code, in file order."""
    return {entry["code"]: Language(**entry) for entry in _document()["languages"]}


def language(code: str) -> Language | None:
    """Metadata for ``code``, or None for a language the data file does not list."""
    return languages().get(code)


def class_name(resource_class: int) -> str:
    """``"The Winners"`` for 5, and so on (Joshi et al. 2020)."""
    return _document()["classes"][str(resource_class)]


def by_resource(codes: list[str] | set[str]) -> list[str]:
    """``codes`` ordered by resource class (richest first), then code; unknown codes last."""
    known = languages()
    return sorted(
        codes,
        key=lambda c: (-known[c].resource_class, c) if c in known else (1, c),
    )
