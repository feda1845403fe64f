"""Sentence breaks of a SQuAD paragraph as XTREME computes them for LAReQA training
(``third_party/processors/sb_sed.py``): regular-expression rules that insert line breaks
(split after sentence-final punctuation, then rejoin abbreviations and initials, resplit
common sentence openers, apply SQuAD-specific fixes). The rules must match upstream's
exactly, since they decide which sentence is a training pair's positive answer.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

_CLOSE, _OPEN = "\u201d", "\u201c"

# (pattern, replacement), applied in order to the text with its newlines made spaces
_RULES: tuple[tuple[str, str], ...] = (
    # split: end punctuation, closing marks, whitespace, opening mark?, capital or digit
    (rf"""([.?!][)'" {_CLOSE}]*)\s(\s*[\['"({_OPEN}]?[A-Z0-9])""", r"\1\n\2"),
    # split after wiki editorial notes ending a sentence (".[citation needed] X")
    (r"""([.?!]['"]?)((\[[a-zA-Z0-9 ?]+\])+)\s(\s*['"(]?[A-Z0-9])""", r"\1\2\n\4"),
    (r"(\[\.\.\.\]\s*)\s(\[?[A-Z])", r"\1\n\2"),
    # rejoin titles, literary, month and place abbreviations
    (r"\b(Mrs?|Ms|Dr|Prof|Fr|Rev|Msgr|Sta?)\.\n", r"\1. "),
    (r"\b(Lt|Gen|Col|Maj|Adm|Capt|Sgt|Rep|Gov|Sen|Pres)\.\n", r"\1. "),
    (r"\b(e\.g|i\.?e|vs?|pp?|cf|a\.k\.a|approx|app|es[pt]|tr)\.\n", r"\1. "),
    (r"\b(Jan|Aug|Oct|Nov|Dec)\.\n", r"\1. "),
    (r"\b(Mt|Ft)\.\n", r"\1. "),
    (r"\b([ap]\.m)\.\n(Eastern|EST)\b", r"\1. \2"),
    # rejoin names with up to three initials
    (r'\b([A-Z]\.)[ \n]([A-Z]\.)[ \n]([A-Z]\.)[ \n]("?[A-Z][a-z])', r"\1 \2 \3 \4"),
    (r'\b([A-Z]\.)[ \n]([A-Z]\.)[ \n]("?[A-Z][a-z])', r"\1 \2 \3"),
    (r'\b([A-Z]\.[A-Z]\.)\n("?[A-Z][a-z])', r"\1 \2"),
    (r'\b([A-Z]\.)\n("?[A-Z][a-z])', r"\1 \2"),
    # resplit before common sentence openers
    (r"""([.!?]['")]*) (The|This|That|These|It) """, r"\1\n\2 "),
    (r"(\.) (Meanwhile|However)", r"\1\n\2"),
    (
        r"(\.) (In|On|By|During|After|Under|Although|Yet|As |Several|According to) ",
        r"\1\n\2 ",
    ),
    # rejoin numbered parts, dates of life, citations, bills
    (r"\b([Aa]rt|[Nn]o|Opp?|ch|Sec|cl|Rec|Ecl|Cor|Lk|Jn|Vol)\.\n([0-9IVX]+)\b", r"\1. \2"),
    (r"\b([bdrc]|ca|fl)\.\n([A-Z0-9])", r"\1. \2"),
    (r"\b(et al)\.\n(\(?[0-9]{4}\b)", r"\1. \2"),
    (r"\b(H\.R\.)\n([0-9])", r"\1 \2"),
    # SQuAD-specific joins
    (r"(I Am\.\.\.)\n(Sasha Fierce|World Tour)", r"\1 \2"),
    (r"(Warner Bros\.)\n(Records|Entertainment)", r"\1 \2"),
    (r"(U\.S\.)\n(\(?\d\d+)", r"\1 \2"),
    (r"\b(Rs\.)\n(\d)", r"\1 \2"),
    # SQuAD-specific splits
    (r"\b(Jay Z\.) ([A-Z])", r"\1\n\2"),
    (r"\b(Washington, D\.C\.) ([A-Z])", r"\1\n\2"),
    (r"\b(for 4\.\)) ([A-Z])", r"\1\n\2"),
    (r"\b(Wii U\.) ([A-Z])", r"\1\n\2"),
    (r"\. (iPod|iTunes)", r".\n\1"),
    (r" (\[\.\.\.\]\n)", r"\n\1"),
    (r"(\.Sc\.)\n", r"\1 "),
    (" (\u2022 [A-Z])", r"\n\1"),
)
_COMPILED = tuple((re.compile(p), r) for p, r in _RULES)


def sentence_breaks(text: str) -> Iterator[tuple[int, int]]:
    """``(start, end)`` character offsets of each sentence of ``text`` (end exclusive)."""
    marked = text.replace("\n", " ")
    for pattern, replacement in _COMPILED:
        marked = pattern.sub(replacement, marked)
    lines = marked.split("\n")
    starts = [m.end() for m in re.finditer(r"^\s*", marked, re.M)]
    for start, line in zip(starts, lines, strict=False):
        yield start, start + len(line.strip())
