"""UD CoNLL-U files read as XTREME's UD-POS data: its multiword-token conversion.

XTREME builds UD-POS from the UD v2.5 release (XTREME-R's lt, pl, uk, wo, ro: v2.7) with
``download_data.sh`` and ``utils_preprocess.py`` (via ud-conversion-tools);
:func:`read_ud_conllu` reproduces that conversion (see :mod:`harness_builtins.tasks.tagging` for the rules).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from harness.errors import HarnessError
from harness.families._base import Row
from harness.families.tagging import _lines

# ud-conversion-tools' POS precedence for picking the head of a multiword token (XTREME copy)
_DEFAULT_PRECEDENCE = tuple(
    "VERB NOUN PROPN PRON ADJ NUM ADV INTJ AUX ADP DET PART CCONJ SCONJ X PUNCT".split()
)
POS_PRECEDENCE = {
    "es": tuple("VERB AUX PRON ADP DET".split()),
    "fr": tuple("VERB AUX PRON NOUN ADJ ADV ADP DET PART SCONJ CONJ".split()),
    "it": tuple("VERB AUX ADV PRON ADP DET INTJ".split()),
}
UD_RELEASE = "ud-treebanks-v2.5"
UD_RELEASE_R = "ud-treebanks-v2.7"
XTREME_R_UD_LANGUAGES = ("lt", "pl", "uk", "wo", "ro")
"""XTREME-R's new UD-POS languages: download_data.sh converts them from UD v2.7 (the XTREME
languages stay on v2.5, so their scores remain comparable with XTREME's)."""


def ud_release(lang: str) -> str:
    """The UD release folder XTREME's download takes ``lang`` from."""
    return UD_RELEASE_R if lang in XTREME_R_UD_LANGUAGES else UD_RELEASE


_WORD_ID = re.compile(r"[1-9][0-9]*")
_RANGE_ID = re.compile(r"([1-9][0-9]*)-([1-9][0-9]*)")
_EMPTY_ID = re.compile(r"[0-9]+\.[1-9][0-9]*")


@dataclass
class UDWord:
    form: str
    upos: str
    heads: tuple[int | None, ...]
    """HEAD (None for ``_``) followed by the integer heads of the enhanced DEPS column."""
    line: int


@dataclass
class UDSentence:
    words: list[UDWord]
    multiword: list[tuple[int, int, str, int]]
    """(first word id, last word id, fused form, line) of each multiword token."""
    line: int


def read_conllu(path: Path) -> list[UDSentence]:
    """Parse a CoNLL-U file: word lines, multiword ranges, comments and empty nodes.

    Checks what the conversion relies on (10 fields, well-formed IDs in sequence, integer
    HEAD, ranges over existing words) and names ``file:line`` when something is broken.
    """
    sentences: list[UDSentence] = []
    words: list[UDWord] = []
    multiword: list[tuple[int, int, str, int]] = []
    start = 0

    def close(n: int) -> None:
        nonlocal words, multiword
        if words:
            for first, last, form, line in multiword:
                if last > len(words):
                    raise HarnessError(
                        f"{path}:{line}: multiword token {first}-{last} '{form}' covers word "
                        f"{last}, but the sentence ending at line {n} has {len(words)} words"
                    )
            sentences.append(UDSentence(words, multiword, start))
        elif multiword:
            raise HarnessError(f"{path}:{multiword[0][3]}: multiword token without words")
        words, multiword = [], []

    lines = _lines(path)
    for n, line in enumerate(lines, 1):
        if not line.strip():
            close(n)
            continue
        if line.startswith("#"):
            continue
        fields = line.split("\t")
        where = f"{path}:{n}"
        if len(fields) != 10:
            raise HarnessError(
                f"{where}: expected 10 tab-separated CoNLL-U fields, found {len(fields)}"
            )
        ident = fields[0]
        if not words and not multiword:
            start = n
        if _EMPTY_ID.fullmatch(ident):
            continue  # empty node of the enhanced graph: not a word of the sentence
        span = _RANGE_ID.fullmatch(ident)
        if span:
            first, last = int(span.group(1)), int(span.group(2))
            if first >= last or first != len(words) + 1:
                raise HarnessError(
                    f"{where}: multiword range '{ident}' must start at the next word "
                    f"({len(words) + 1}) and span at least two words"
                )
            multiword.append((first, last, fields[1], n))
            continue
        if not _WORD_ID.fullmatch(ident):
            raise HarnessError(f"{where}: bad ID '{ident}' (expected N, N-M or N.M)")
        if int(ident) != len(words) + 1:
            raise HarnessError(
                f"{where}: word ID {ident} out of sequence (expected {len(words) + 1}); "
                "is a blank line missing between sentences?"
            )
        head_field = fields[6]
        if head_field == "_":
            head: int | None = None
        elif head_field.isdigit():
            head = int(head_field)
        else:
            raise HarnessError(f"{where}: HEAD '{head_field}' is not a word ID")
        deps: list[int] = []
        if fields[8] != "_":
            for pair in fields[8].split("|"):
                target = pair.split(":")[0]
                if target.isdigit():  # heads that are empty nodes (8.1) are skipped, as XTREME does
                    deps.append(int(target))
        words.append(UDWord(fields[1], fields[3], (head, *deps), n))
    close(len(lines) + 1)
    return sentences


def _ancestors(parents: dict[Any, tuple], node: int) -> int:
    """How many nodes reach ``node`` through head links (networkx ``ancestors``, cycles too)."""
    seen: set = set()
    todo = list(parents.get(node, ()))
    while todo:
        current = todo.pop()
        if current in seen or current == node:
            continue
        seen.add(current)
        todo.extend(parents.get(current, ()))
    return len(seen)


def xtreme_words(sentence: UDSentence, lang: str) -> list[tuple[str, str, int]]:
    """(form, UPOS, line) of a sentence after XTREME's multiword-token replacement.

    The word of each multiword span with the fewest ancestors in the dependency graph (basic
    HEAD plus enhanced DEPS) takes the fused form; on a tie the precedence list of the
    language decides (tags missing from it rank last, the earliest word wins); the other
    words of the span are dropped. ud-conversion-tools, used by XTREME, does the same.
    """
    parents = {i: w.heads for i, w in enumerate(sentence.words, 1)}
    precedence = POS_PRECEDENCE.get(lang, _DEFAULT_PRECEDENCE)
    forms = {i: w.form for i, w in enumerate(sentence.words, 1)}
    dropped: set[int] = set()
    for first, last, fused, _line in sentence.multiword:
        span = list(range(first, last + 1))
        depth = {i: _ancestors(parents, i) for i in span}
        top = [i for i in span if depth[i] == min(depth.values())]

        def rank(i: int) -> int:
            upos = sentence.words[i - 1].upos
            return precedence.index(upos) if upos in precedence else len(precedence)

        head = top[0] if len(top) == 1 else min(top, key=rank)
        forms[head] = fused
        dropped.update(i for i in span if i != head)
    return [(forms[i], w.upos, w.line) for i, w in enumerate(sentence.words, 1) if i not in dropped]


def _clean_form(form: str) -> str:
    """XTREME's utils_preprocess: strip, drop ZERO WIDTH NON-JOINER, remove spaces inside."""
    return "".join(form.strip().replace("\u200c", "").split(" "))


def ud_files(root: Path, split: str, lang: str, release: str | None = None) -> list[Path]:
    """Every treebank file of ``lang`` for ``split``, in XTREME's (file name) order, from
    ``release`` (default: the release XTREME uses for ``lang``, see :func:`ud_release`)."""
    found = []
    for path in (root / (release or ud_release(lang))).glob("*/*.conllu"):
        name = path.name
        if name.split("_")[0] != lang:
            continue
        kind = (
            "train"
            if "train" in name
            else "dev"
            if "dev" in name
            else "test"
            if "test" in name
            else None
        )
        if kind == split:
            found.append(path)
    return sorted(found, key=lambda p: p.name)


def read_ud_conllu(task: Any, path: Path, lang: str) -> list[Row]:
    """Rows of one treebank file, tags mapped by ``task.tag_index``."""
    rows = []
    for sentence in read_conllu(path):
        words = [
            (_clean_form(form), upos, line) for form, upos, line in xtreme_words(sentence, lang)
        ]
        underscores = sum(form == "_" for form, _, _ in words)
        if underscores and underscores >= len(words) - 1:
            continue  # a treebank without text (forms withheld), skipped as XTREME does
        rows.append(
            {
                "tokens": [form for form, _, _ in words],
                "tags": [task.tag_index(upos, f"{path}:{line}") for _, upos, line in words],
                "line": sentence.line,
            }
        )
    return rows
