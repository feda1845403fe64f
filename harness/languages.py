"""Language metadata (name, family, script, Joshi et al. 2020 resource class) from data files.

``harness/languages.json`` is the single built-in source leaderboards and analyses read; it is
validated against ``schemas/languages.schema.json`` when first loaded. Plugins add languages
of their own with the ``register_languages`` hook (files in the same format, validated the
same way); a plugin cannot redefine a code that is already known.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Mapping
from dataclasses import dataclass, fields
from functools import cache
from importlib import resources
from pathlib import Path

from harness.errors import HarnessError
from harness.textfiles import json_problem
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
    source: str = ""
    """Where this entry's values come from, when not as its file's ``sources`` say."""
    provider: str = "harness"
    """``harness`` for the built-in file, else the plugin that registered the language."""


_FIELDS = {f.name for f in fields(Language)} - {"provider"}
_plugin_languages: dict[str, Language] = {}


def _checked(document: object, where: str) -> dict:
    validate(document, "languages", where)
    assert isinstance(document, dict)
    codes = [entry["code"] for entry in document["languages"]]
    duplicates = sorted({c for c in codes if codes.count(c) > 1})
    if duplicates:
        raise HarnessError(f"{where}: duplicate language codes {duplicates}; list each code once")
    return document


@cache
def _document() -> dict:
    text = resources.files("harness").joinpath(DATA_FILE).read_text("utf-8")
    return _checked(json.loads(text), f"harness/{DATA_FILE}")


@cache
def _builtin() -> dict[str, Language]:
    return {entry["code"]: Language(**entry) for entry in _document()["languages"]}


def builtin_languages() -> dict[str, Language]:
    """The languages of ``harness/languages.json`` alone (plugins may not redefine them)."""
    return dict(_builtin())


def load_language_file(path: Path, provider: str = "plugin") -> list[Language]:
    """The languages of a plugin's file in the ``harness/languages.json`` format, checked
    against the same schema; its resource class names must be the built-in file's."""
    path = Path(path)
    try:
        document = json.loads(path.read_text("utf-8"))
    except FileNotFoundError:
        raise HarnessError(f"language file {path} does not exist") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise HarnessError(f"{path}: cannot read ({exc})") from None
    except json.JSONDecodeError as exc:
        raise HarnessError(f"{path}: not valid JSON ({json_problem(exc)})") from None
    _checked(document, str(path))
    if document["classes"] != _document()["classes"]:
        raise HarnessError(
            f"{path}: classes differ from harness/{DATA_FILE}'s (Joshi et al.'s class names); "
            "copy them unchanged"
        )
    return [
        Language(**{k: v for k, v in entry.items() if k in _FIELDS}, provider=provider)
        for entry in document["languages"]
    ]


def use_plugin_languages(plugin_languages: Mapping[str, Language]) -> None:
    """Make the languages plugins registered (``Registry.languages``) part of every lookup,
    replacing those of an earlier registry; built-in codes always win."""
    _plugin_languages.clear()
    for code, entry in plugin_languages.items():
        if code in _builtin():
            print(
                f"warning: plugin '{entry.provider}' redefines language '{code}', which "
                f"harness/{DATA_FILE} defines; ignored",
                file=sys.stderr,
            )
            continue
        _plugin_languages[code] = entry


def languages() -> dict[str, Language]:
    """Every known language by ISO 639-1 code: the built-in file's in file order, then
    those plugins registered."""
    return {**_builtin(), **_plugin_languages} if _plugin_languages else _builtin()


def language(code: str) -> Language | None:
    """Metadata for ``code``, or None for a language no data file lists."""
    return _builtin().get(code) or _plugin_languages.get(code)


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
