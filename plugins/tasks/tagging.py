"""Token tagging: UD-POS and PAN-X (WikiANN) targets, CCG supertagging as an intermediate task.

Every task here is one :class:`TaggingTask` record. Rows are normalised to ``tokens``
(the words) and ``tags`` (one index into the task's tag list per word; -1 = unlabelled).

Local layouts (``--data PATH``; the bundled samples use the same ones: UD-POS as UD release
CoNLL-U files, PAN-X in XTREME's processed layout, CCG in jiant's):

* **UD-POS**, either of
  - XTREME's processed download, ``udpos/{split}-{lang}.tsv``: ``word<TAB>tag`` lines, a blank
    line between sentences; test files hold words only (XTREME strips test labels), gold
    tags are read, when present, from ``labels/udpos/test-{lang}.tsv`` (one tag per line, a
    blank line between sentences: the evaluate.py label layout);
  - the UD v2.5 release itself, ``ud-treebanks-v2.5/UD_*/{lang}_*-ud-{split}.conllu``, read
    the way XTREME's ``download_data.sh`` + ``utils_preprocess.py`` convert it: every treebank
    whose file name starts with ``{lang}_`` is used (files in name order); comments and empty
    nodes (``5.1``) are skipped; a multiword token (``1-2 del``) replaces its words by the fused
    form, tagged with the UPOS of the word highest in the dependency graph (HEAD and the
    integer heads of DEPS), ties broken by ud-conversion-tools' POS precedence list for the
    language; sentences whose words are all (but at most one) ``_`` are dropped (treebanks
    distributed without text); ZERO WIDTH NON-JOINER and spaces are removed from words.
    Where XTREME's converter would crash on a tie between tags missing from its precedence
    list, the first such word is chosen.
  ``--set udpos.format=xtreme|conllu`` forces one; ``auto`` (default) reads ``udpos/`` when that
  folder exists, else the release. No dev split exists for kk, th, tl, yo (UD v2.5 has none).
  The gold of both layouts is the same: XTREME's ``udpos/*.tsv`` are this conversion's output.
* **PAN-X**: XTREME's processed ``panx/{split}-{lang}.tsv`` (``token<TAB>tag``; test: tokens only,
  gold in ``labels/panx/test-{lang}.tsv``). IOB2 tags over PER/ORG/LOC.
* **CCG** (intermediate, English): jiant's CCGbank-derived files ``ccg/ccg.{train,dev,test}``,
  one sentence per line as ``space-tokenised text<TAB>space-separated supertags``, and the tag
  vocabulary ``ccg/tags_to_id.json`` (``{"tag": id}``; the ids define the label order). CCGbank is
  licensed, so only small samples ship; ``--data PATH`` (or ``--set ccg.data_dir=FOLDER`` holding
  those four files) points at a real copy.

Hub (``--data hub``): ``google/xtreme`` configs ``PAN-X.<lang>`` (``tokens``, ``ner_tags``,
ClassLabel names mapped by name), built from the same WikiANN archive as XTREME's ``panx/``.
UD-POS refuses the Hub: the ``udpos.<Language>`` configs take every treebank folder matching
``*_<Language>*`` (Greek pulls in Ancient Greek, Chinese Classical Chinese, ...), keep the
words of multiword tokens split and keep empty nodes, so they are not XTREME's UD-POS and
their scores are not comparable with XTREME's. Use XTREME's ``udpos/`` or the UD v2.5 release.

Model side: each word is tokenised on its own (as XTREME's ``utils_tag.py`` does); a word with
no sub-words, or more than a whole window holds, becomes the unknown token. The word's tag
sits on its first sub-word, other sub-words are ignored by the loss (-100). A sentence longer
than ``max_length`` is cut, between words, into consecutive windows (one feature each); every
word is predicted exactly once and the windows are merged back per sentence in ``decode``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import harness
from harness._lazy import lazy_module
from harness.errors import HarnessError

datasets = lazy_module("datasets")
np = lazy_module("numpy")
torch = lazy_module("torch")

SAMPLE_ROOT = Path(__file__).parent / "data"

UPOS_TAGS = (
    "ADJ",
    "ADP",
    "ADV",
    "AUX",
    "CCONJ",
    "DET",
    "INTJ",
    "NOUN",
    "NUM",
    "PART",
    "PRON",
    "PROPN",
    "PUNCT",
    "SCONJ",
    "SYM",
    "VERB",
    "X",
)
PANX_TAGS = ("O", "B-PER", "I-PER", "B-ORG", "I-ORG", "B-LOC", "I-LOC")

# XTREME evaluate.py TASK2LANGS
UDPOS_LANGUAGES = tuple(
    "af ar bg de el en es et eu fa fi fr he hi hu id it ja kk ko mr nl pt ru ta te th tl tr "
    "ur vi yo zh".split()
)
PANX_LANGUAGES = tuple(
    "ar he vi id jv ms tl eu ml ta te af nl en de el bn hi mr ur fa fr it pt es bg ru ja ka "
    "ko th sw yo my zh kk tr et fi hu".split()
)
UDPOS_NO_DEV = ("kk", "th", "tl", "yo")  # UD v2.5 ships no dev data for these
# config names of google/xtreme's udpos subsets
UD_HUB_NAMES = {
    "af": "Afrikaans",
    "ar": "Arabic",
    "bg": "Bulgarian",
    "de": "German",
    "el": "Greek",
    "en": "English",
    "es": "Spanish",
    "et": "Estonian",
    "eu": "Basque",
    "fa": "Persian",
    "fi": "Finnish",
    "fr": "French",
    "he": "Hebrew",
    "hi": "Hindi",
    "hu": "Hungarian",
    "id": "Indonesian",
    "it": "Italian",
    "ja": "Japanese",
    "kk": "Kazakh",
    "ko": "Korean",
    "mr": "Marathi",
    "nl": "Dutch",
    "pt": "Portuguese",
    "ru": "Russian",
    "ta": "Tamil",
    "te": "Telugu",
    "th": "Thai",
    "tl": "Tagalog",
    "tr": "Turkish",
    "ur": "Urdu",
    "vi": "Vietnamese",
    "yo": "Yoruba",
    "zh": "Chinese",
}
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
IGNORE = -100  # label id the loss ignores (transformers' convention)

Row = dict[str, Any]
LocalReader = Callable[["TaggingTask", str, str, Path], list[Row]]
LocalLayout = Callable[["TaggingTask", str, str, Path], list[Path]]
HubReader = Callable[["TaggingTask", str, str], "datasets.Dataset"]


# --------------------------------------------------------------------------- token/tag files
def _lines(path: Path) -> list[str]:
    with harness.open_text(path, encoding="utf-8-sig", newline="") as handle:
        return [line.rstrip("\r\n") for line in handle]


def _blocks(path: Path) -> list[list[tuple[int, str]]]:
    """Blank-line separated blocks of (line number, line); empty blocks never appear."""
    blocks: list[list[tuple[int, str]]] = [[]]
    for n, line in enumerate(_lines(path), 1):
        if line.strip():
            blocks[-1].append((n, line))
        elif blocks[-1]:
            blocks.append([])
    return [b for b in blocks if b]


def read_token_tag_file(
    task: TaggingTask, path: Path, *, tags_optional: bool
) -> list[tuple[list[str], list[int], int]]:
    """XTREME's processed ``token<TAB>tag`` layout -> (tokens, tag ids, first line) per sentence.

    A test file may hold tokens only (``tags_optional``): its tag ids are then -1.
    """
    sentences = []
    for block in _blocks(path):
        tokens, tags = [], []
        for n, line in block:
            fields = line.split("\t")
            where = f"{path}:{n}"
            if len(fields) == 2 and fields[0].strip():
                tokens.append(fields[0].strip())
                tags.append(task.tag_index(fields[1], where))
            elif len(fields) == 1 and tags_optional:
                tokens.append(fields[0].strip())
                tags.append(-1)
            else:
                raise HarnessError(
                    f"{where}: expected 'token<TAB>tag'"
                    + (" or a token alone" if tags_optional else "")
                    + f", found {len(fields)} tab-separated field(s)"
                )
        if -1 in tags and any(t >= 0 for t in tags):
            raise HarnessError(
                f"{path}:{block[0][0]}: sentence mixes tagged and untagged tokens; "
                "tag every token or none"
            )
        sentences.append((tokens, tags, block[0][0]))
    return sentences


def read_gold_tags(task: TaggingTask, path: Path) -> list[tuple[list[int], int]]:
    """evaluate.py's label layout: one tag per line, a blank line between sentences."""
    return [
        ([task.tag_index(line, f"{path}:{n}") for n, line in block], block[0][0])
        for block in _blocks(path)
    ]


def attach_gold(task: TaggingTask, rows: list[Row], path: Path, labels_path: Path) -> None:
    """Fill unlabelled rows from a gold label file; counts must agree sentence by sentence."""
    gold = read_gold_tags(task, labels_path)
    if len(gold) != len(rows):
        raise HarnessError(
            f"{labels_path}: {len(gold)} sentences of gold tags for {len(rows)} sentences in {path}"
        )
    for row, (tags, line) in zip(rows, gold, strict=True):
        if len(tags) != len(row["tokens"]):
            raise HarnessError(
                f"{labels_path}:{line}: {len(tags)} tags for a sentence of "
                f"{len(row['tokens'])} tokens ({path}:{row['line']})"
            )
        row["tags"] = tags


def _read_xtreme_tsv(task: TaggingTask, split: str, lang: str, root: Path) -> list[Row]:
    folder = task.xtreme_name or task.name
    path = root / folder / f"{split}-{lang}.tsv"
    rows = [
        {"tokens": tokens, "tags": tags, "line": line}
        for tokens, tags, line in read_token_tag_file(task, path, tags_optional=split == "test")
    ]
    labels = root / "labels" / folder / f"{split}-{lang}.tsv"
    if labels.is_file():
        attach_gold(task, rows, path, labels)
    return rows


# --------------------------------------------------------------------------- CoNLL-U (UD)
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


def ud_files(root: Path, split: str, lang: str, release: str = UD_RELEASE) -> list[Path]:
    """Every treebank file of ``lang`` for ``split``, in XTREME's (file name) order."""
    found = []
    for path in (root / release).glob("*/*.conllu"):
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


def read_ud_conllu(task: TaggingTask, path: Path, lang: str) -> list[Row]:
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


def _udpos_format(task: TaggingTask, root: Path) -> str:
    chosen = task.settings.get("format", "auto")
    if chosen not in ("auto", "xtreme", "conllu"):
        raise HarnessError(
            f"--set udpos.format={chosen}: expected auto, xtreme (udpos/*.tsv) or conllu"
        )
    if chosen != "auto":
        return chosen
    return "conllu" if (root / UD_RELEASE).is_dir() and not (root / "udpos").is_dir() else "xtreme"


def _udpos_files(task: TaggingTask, split: str, lang: str, root: Path) -> list[Path]:
    if _udpos_format(task, root) == "xtreme":
        labels = root / "labels" / "udpos" / f"{split}-{lang}.tsv"
        return [root / "udpos" / f"{split}-{lang}.tsv"] + ([labels] if labels.is_file() else [])
    files = ud_files(root, split, lang)
    # a pattern (never a file) makes the missing-file message say what is looked for
    return files or [root / UD_RELEASE / "UD_*" / f"{lang}_*-ud-{split}.conllu"]


def _read_udpos(task: TaggingTask, split: str, lang: str, root: Path) -> list[Row]:
    if _udpos_format(task, root) == "xtreme":
        return _read_xtreme_tsv(task, split, lang, root)
    return [row for path in ud_files(root, split, lang) for row in read_ud_conllu(task, path, lang)]


# --------------------------------------------------------------------------- CCG (jiant)
def _ccg_dir(task: TaggingTask, root: Path | None) -> Path:
    custom = task.settings.get("data_dir") or ""
    if custom:
        return Path(str(custom)).expanduser()
    if root is None:
        raise HarnessError(
            "task 'ccg': CCGbank is licensed and not on the Hub; use --data PATH (with ccg/) "
            "or --set ccg.data_dir=FOLDER holding ccg.{train,dev,test} and tags_to_id.json"
        )
    return root / "ccg"


def read_tag_vocabulary(path: Path) -> tuple[str, ...]:
    """jiant's ``tags_to_id.json``: tag -> id; ids must be 0..n-1 (they are the label order)."""
    try:
        mapping = json.loads(harness.read_text(path))
    except json.JSONDecodeError as exc:
        problem = harness.textfiles.json_problem(exc, with_line=False)
        raise HarnessError(f"{path}:{exc.lineno}: not valid JSON ({problem})") from None
    if not isinstance(mapping, dict) or not mapping:
        raise HarnessError(f"{path}: expected a non-empty JSON object mapping tag -> id")
    by_id: dict[int, str] = {}
    for tag, ident in mapping.items():
        try:
            number = int(ident)
        except (TypeError, ValueError):
            raise HarnessError(f"{path}: id of tag '{tag}' is not an integer: {ident!r}") from None
        if number in by_id:
            raise HarnessError(f"{path}: tags '{by_id[number]}' and '{tag}' share id {number}")
        by_id[number] = tag
    if sorted(by_id) != list(range(len(by_id))):
        raise HarnessError(f"{path}: tag ids must be 0..{len(by_id) - 1} without gaps")
    return tuple(by_id[i] for i in range(len(by_id)))


def _ccg_files(task: TaggingTask, split: str, lang: str, root: Path) -> list[Path]:
    folder = _ccg_dir(task, root)
    return [folder / f"ccg.{split}", folder / "tags_to_id.json"]


def _read_ccg(task: TaggingTask, split: str, lang: str, root: Path | None) -> list[Row]:
    folder = _ccg_dir(task, root)
    vocab_path = folder / "tags_to_id.json"
    task.state["labels"] = read_tag_vocabulary(vocab_path)
    path = folder / f"ccg.{split}"
    rows = []
    for n, line in enumerate(_lines(path), 1):
        if not line.strip():
            continue
        where = f"{path}:{n}"
        fields = line.split("\t")
        if len(fields) != 2:
            raise HarnessError(
                f"{where}: expected 'text<TAB>tags', found {len(fields)} tab-separated field(s)"
            )
        tokens, tags = fields[0].split(), fields[1].split()
        if len(tokens) != len(tags) or not tokens:
            raise HarnessError(
                f"{where}: {len(tokens)} tokens but {len(tags)} supertags; "
                "one supertag per space-separated token"
            )
        rows.append({"tokens": tokens, "tags": [task.tag_index(t, where) for t in tags], "line": n})
    return rows


def _ccg_hub(task: TaggingTask, split: str, lang: str) -> datasets.Dataset:
    return datasets.Dataset.from_list(_read_ccg(task, split, lang, None))


# --------------------------------------------------------------------------- Hub
_HUB_SPLIT = {"train": "train", "dev": "validation", "test": "test"}


def from_hub_schema(task: TaggingTask, ds: datasets.Dataset, column: str) -> datasets.Dataset:
    """``tokens`` + a tag column (ClassLabel ids or strings) -> normalised rows, by tag name."""
    feature = ds.features[column]
    inner = getattr(feature, "feature", None)
    if inner is None and isinstance(feature, list) and feature:
        inner = feature[0]
    names = getattr(inner, "names", None)
    where = f"{task.hub_id} column '{column}'"
    mapping = {i: task.tag_index(name, where) for i, name in enumerate(names)} if names else None

    def convert(batch: dict[str, list]) -> dict[str, list]:
        tags = []
        for n, (tokens, row) in enumerate(zip(batch["tokens"], batch[column], strict=True)):
            if len(tokens) != len(row):
                raise HarnessError(f"{where}: row {n}: {len(tokens)} tokens but {len(row)} tags")
            tags.append(
                [mapping[t] for t in row] if mapping else [task.tag_index(t, where) for t in row]
            )
        return {"tokens": batch["tokens"], "tags": tags, "line": [0] * len(tags)}

    ds = ds.filter(lambda row: len(row["tokens"]) > 0)
    return ds.map(convert, batched=True, remove_columns=ds.column_names)


def _udpos_hub(task: TaggingTask, split: str, lang: str) -> datasets.Dataset:
    """Refuse: google/xtreme's ``udpos.<Language>`` is not the UD-POS XTREME scores on."""
    raise HarnessError(
        f"task 'udpos': --data hub is not XTREME's UD-POS (google/xtreme's "
        f"udpos.{UD_HUB_NAMES[lang]} takes every treebank named *_{UD_HUB_NAMES[lang]}* "
        "(e.g. Ancient Greek with Greek, Classical Chinese with Chinese) and keeps multiword "
        "tokens split and empty nodes, so its scores are not comparable); use --data PATH "
        f"with XTREME's download folder (udpos/{split}-{lang}.tsv from download_data.sh) or "
        f"the UD v2.5 release ({UD_RELEASE}/UD_*/{lang}_*-ud-{split}.conllu)"
    )


def _hub_reader(config: Callable[[str], str], column: str) -> HubReader:
    def read(task: TaggingTask, split: str, lang: str) -> datasets.Dataset:
        # failures (network, auth, missing config) become one line in Task.load
        ds = datasets.load_dataset(task.hub_id, config(lang), split=_HUB_SPLIT[split])
        return from_hub_schema(task, ds, column)

    return read


# --------------------------------------------------------------------------- the task family
def special_tokens(tokenizer: Any) -> tuple[list[int], list[int]]:
    """Ids the tokenizer puts before and after a single sequence ([CLS] .. [SEP], <s> .. </s>)."""
    bare = tokenizer("a", add_special_tokens=False)["input_ids"]
    full = tokenizer("a", add_special_tokens=True)["input_ids"]
    for k in range(len(full) - len(bare) + 1):
        if full[k : k + len(bare)] == bare:
            return list(full[:k]), list(full[k + len(bare) :])
    raise HarnessError(f"cannot locate the special tokens of {type(tokenizer).__name__}")


def word_pieces(words: Sequence[str], tokenizer: Any, budget: int) -> list[list[int]]:
    """Sub-word ids of each word tokenised alone (as XTREME does); never empty, never > budget."""
    if not words:
        return []
    unk = tokenizer.unk_token_id
    pieces = tokenizer(list(words), add_special_tokens=False)["input_ids"]
    return [p if 0 < len(p) <= budget else [unk] for p in pieces]


@dataclass(frozen=True, kw_only=True)
class TaggingTask(harness.Task):
    """One tag per word, predicted on the word's first sub-word (token-classification head)."""

    tags: tuple[str, ...] = ()
    """The tag set in head order; empty when it is read with the data (CCG's vocabulary)."""
    local_reader: LocalReader
    local_layout: LocalLayout
    hub_reader: HubReader | None = None
    no_dev: tuple[str, ...] = ()
    """Languages without a dev split."""
    head: str = "token-classification"
    evaluator: str = "seqeval"
    main_metric: str = "f1"
    state: dict[str, Any] = field(default_factory=dict, init=False, repr=False, compare=False)
    """Read-time state: the tag vocabulary loaded from the data (CCG)."""

    # -- data --------------------------------------------------------------------------
    def splits_for(self, language: str) -> tuple[str, ...]:
        if language in self.no_dev:
            return tuple(s for s in self.eval_splits if s != "dev")
        return self.eval_splits

    def local_files(self, split: str, language: str, root: Path) -> list[Path]:
        return self.local_layout(self, split, language, root)

    def read_local(self, split: str, language: str, root: Path) -> list[Row]:
        return self.local_reader(self, split, language, root)

    def read_hub(self, split: str, language: str) -> datasets.Dataset:
        if self.hub_reader is None:
            raise HarnessError(
                f"task '{self.name}' has no Hugging Face Hub source; use --data PATH"
            )
        return self.hub_reader(self, split, language)

    @property
    def tag_names(self) -> tuple[str, ...]:
        names = self.tags or self.state.get("labels")
        if not names:
            raise HarnessError(
                f"task '{self.name}': its tag vocabulary is read with the data; load a split first"
            )
        return names

    def tag_index(self, tag: str, where: str) -> int:
        tag = tag.strip()
        names = self.tag_names
        index = self.state.get("_index")
        if index is None or index[0] is not names:
            index = (names, {t: i for i, t in enumerate(names)})
            self.state["_index"] = index
        try:
            return index[1][tag]
        except KeyError:
            shown = ", ".join(names[:20]) + (
                f", ... ({len(names)} tags)" if len(names) > 20 else ""
            )
            raise HarnessError(
                f"{where}: unknown tag '{tag}' for task '{self.name}' (expected one of: {shown})"
            ) from None

    # -- model interface ---------------------------------------------------------------
    @property
    def num_labels(self) -> int:
        return len(self.tag_names)

    def encode(self, batch: dict[str, list], tokenizer: Any, max_length: int) -> dict[str, list]:
        prefix, suffix = special_tokens(tokenizer)
        budget = max_length - len(prefix) - len(suffix)
        if budget < 1:
            raise HarnessError(f"max_length {max_length} leaves no room for words")
        with_types = "token_type_ids" in tokenizer.model_input_names
        out: dict[str, list] = {
            k: [] for k in ("input_ids", "attention_mask", "labels", "word_ids", "example_id")
        }
        if with_types:
            out["token_type_ids"] = []
        flat = [w for words in batch["tokens"] for w in words]
        pieces = word_pieces(flat, tokenizer, budget)
        start = 0
        for words, tags, example in zip(
            batch["tokens"], batch["tags"], batch["example_id"], strict=True
        ):
            row_pieces, start = pieces[start : start + len(words)], start + len(words)
            windows: list[tuple[list[int], list[int], list[int]]] = []
            ids: list[int] = []
            labels: list[int] = []
            word_ids: list[int] = []
            for i, (piece, tag) in enumerate(zip(row_pieces, tags, strict=True)):
                if ids and len(ids) + len(piece) > budget:
                    windows.append((ids, labels, word_ids))
                    ids, labels, word_ids = [], [], []
                ids += piece
                labels += [tag if tag >= 0 else IGNORE] + [IGNORE] * (len(piece) - 1)
                word_ids += [i] + [-1] * (len(piece) - 1)
            if ids:
                windows.append((ids, labels, word_ids))
            for ids, labels, word_ids in windows:
                n = len(prefix) + len(ids) + len(suffix)
                out["input_ids"].append(prefix + ids + suffix)
                out["attention_mask"].append([1] * n)
                out["labels"].append([IGNORE] * len(prefix) + labels + [IGNORE] * len(suffix))
                out["word_ids"].append([-1] * len(prefix) + word_ids + [-1] * len(suffix))
                out["example_id"].append(example)
                if with_types:
                    out["token_type_ids"].append([0] * n)
        return out

    def collator(self, tokenizer: Any) -> Any:
        from transformers import DataCollatorForTokenClassification

        return DataCollatorForTokenClassification(tokenizer, pad_to_multiple_of=8)

    def predict(self, model: Any, inputs: dict[str, torch.Tensor]) -> list[torch.Tensor]:
        """The best tag id per token (not the logits: a CCG head has >1000 outputs per token)."""
        best = model(**inputs).logits.argmax(-1)
        lengths = inputs["attention_mask"].sum(-1).tolist()
        return [row[:n] for row, n in zip(best, lengths, strict=True)]

    def decode(
        self,
        outputs: list[np.ndarray],
        features: datasets.Dataset,
        rows: datasets.Dataset,
        context: harness.EvalContext,
    ) -> list[list[str]]:
        names = self.tag_names
        position = {example: i for i, example in enumerate(rows["example_id"])}
        predicted: list[list[str | None]] = [[None] * len(words) for words in rows["tokens"]]
        for best, example, word_ids in zip(
            outputs, features["example_id"], features["word_ids"], strict=True
        ):
            sentence = predicted[position[example]]
            for tag, word in zip(np.asarray(best).tolist(), word_ids, strict=True):
                if word >= 0:
                    sentence[word] = names[int(tag)]
        for i, sentence in enumerate(predicted):
            if None in sentence:
                raise RuntimeError(f"task '{self.name}': no prediction for a word of row {i}")
        return predicted  # type: ignore[return-value]

    def references(self, rows: datasets.Dataset) -> list[list[str] | None]:
        names = self.tag_names
        return [
            None if any(t < 0 for t in tags) else [names[t] for t in tags] for tags in rows["tags"]
        ]

    def read_submission(
        self, predictions: Path, labels: Path, language: str
    ) -> tuple[list[list[str]], list[list[str]]]:
        """A prediction and a label file as evaluate.py reads them (``read_tag``), for scoring."""
        from harness.scoring import read_tag_blocks

        predicted, gold = read_tag_blocks(predictions), read_tag_blocks(labels)
        if len(predicted) != len(gold):
            raise HarnessError(
                f"{predictions}: {len(predicted)} sentences, but {labels} has {len(gold)}"
            )
        return predicted, gold

    def write_predictions(self, path: Path, predictions: Sequence[Sequence[str]]) -> None:
        """XTREME submission format: one tag per line, a blank line between sentences."""
        harness.atomic_write_text(
            path, "\n".join("".join(f"{t}\n" for t in s) for s in predictions)
        )


def _panx_files(task: TaggingTask, split: str, lang: str, root: Path) -> list[Path]:
    labels = root / "labels" / "panx" / f"{split}-{lang}.tsv"
    return [root / "panx" / f"{split}-{lang}.tsv"] + ([labels] if labels.is_file() else [])


UDPOS = TaggingTask(
    name="udpos",
    description="Universal Dependencies v2.5 POS tagging (17 UPOS tags) as in XTREME: train on "
    "English, test zero-shot in 33 languages; scored with seqeval F1 like XTREME's evaluate.py.",
    languages=UDPOS_LANGUAGES,
    roles=("target",),
    tags=UPOS_TAGS,
    no_dev=UDPOS_NO_DEV,
    xtreme_name="udpos",
    hub_id="google/xtreme",
    sample_root=SAMPLE_ROOT,
    homepage="https://universaldependencies.org/",
    settings={"format": "auto"},
    local_layout=_udpos_files,
    local_reader=_read_udpos,
    hub_reader=_udpos_hub,
)

PANX = TaggingTask(
    name="panx",
    description="PAN-X / WikiANN named entities (PER, ORG, LOC; IOB2) in XTREME's 40 languages: "
    "train on English, test zero-shot; seqeval entity F1.",
    languages=PANX_LANGUAGES,
    roles=("target",),
    tags=PANX_TAGS,
    xtreme_name="panx",
    hub_id="google/xtreme",
    sample_root=SAMPLE_ROOT,
    homepage="https://github.com/google-research/xtreme",
    local_layout=_panx_files,
    local_reader=_read_xtreme_tsv,
    hub_reader=_hub_reader(lambda lang: f"PAN-X.{lang}", "ner_tags"),
)

CCG = TaggingTask(
    name="ccg",
    description="CCG supertagging (CCGbank, jiant's format; Phang et al. 2020): one supertag per "
    "token from a vocabulary file (jiant's has 1363 tags); token accuracy. CCGbank is licensed: "
    "small samples ship, point --data or --set ccg.data_dir at your copy.",
    languages=("en",),
    roles=("intermediate",),
    eval_splits=("dev",),
    evaluator="tag-accuracy",
    main_metric="accuracy",
    sample_root=SAMPLE_ROOT,
    homepage="https://catalog.ldc.upenn.edu/LDC2005T13",
    settings={"data_dir": ""},
    local_layout=_ccg_files,
    local_reader=_read_ccg,
    hub_reader=_ccg_hub,
)

TASKS = (UDPOS, PANX, CCG)


@harness.hookimpl
def register_tasks(register):
    for task in TASKS:
        register(task)
