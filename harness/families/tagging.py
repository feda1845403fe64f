"""Token tagging family (POS tags, named entities, supertags): one tag per word.

Rows (what a reader returns, one per sentence):

* ``tokens``: the words, ``list[str]``, non-empty;
* ``tags``: one index into the task's ``tags`` per word (``task.tag_index(tag, where)``),
  all ``-1`` for an unlabelled sentence (a test file without tags);
* ``line`` (optional): the sentence's first line in its file, named in error messages.

Default reader: every file of ``local_layout`` in XTREME's processed layout (CoNLL-like):
``token<TAB>tag`` lines, a blank line between sentences; test files may hold tokens only.
Gold tags of such a test file are read, when present, from evaluate.py's label folder
``labels/<xtreme_name or name>/<split>-<lang>.tsv`` (one tag per line, a blank line between
sentences).

Features: each word is tokenised on its own (as XTREME's ``utils_tag.py`` does); a word
with no sub-words, or more than a whole window holds, becomes the unknown token. The word's
tag sits on its first sub-word, other sub-words get -100 (ignored by the loss). A sentence
longer than ``max_length`` is cut, between words, into consecutive windows (one feature
each); ``word_ids`` maps each token to its word (-1 elsewhere) and the windows are merged
back per sentence in ``decode``, so every word is predicted exactly once. Batches are padded
by ``transformers``' ``DataCollatorForTokenClassification`` (labels padded with -100).

Predictions are tag strings per sentence; the submission file holds one tag per line with a
blank line between sentences (XTREME's), which ``read_submission`` reads back for
``harness score``.
"""

from __future__ import annotations

import inspect
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import harness
from harness._lazy import lazy_module
from harness.errors import HarnessError
from harness.families._base import FamilyTask, Row, gold_file

datasets = lazy_module("datasets")
np = lazy_module("numpy")
torch = lazy_module("torch")

IGNORE = -100
"""Label id the loss ignores (``transformers``' convention)."""

__all__ = [
    "IGNORE",
    "TaggingTask",
    "attach_gold",
    "from_hub_schema",
    "read_gold_tags",
    "read_token_tag_file",
    "special_tokens",
    "word_pieces",
]


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
                f"{len(row['tokens'])} tokens ({path}:{row.get('line', '?')})"
            )
        row["tags"] = tags


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


# --------------------------------------------------------------------------- sub-words
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


# --------------------------------------------------------------------------- the family
class _FilesByTask:
    """A ``local_layout`` in the form the family took before it was public:
    ``(task, split, language, root) -> [absolute paths]``."""

    def __init__(self, find: Callable[..., list[Path]]):
        self.find = find

    def __call__(self, split: str, language: str) -> list[str]:
        raise TypeError("a (task, split, language, root) layout is called by local_files")


def _takes_four(layout: Any) -> bool:
    try:
        params = inspect.signature(layout).parameters.values()
    except (TypeError, ValueError):
        return False
    positional = [p for p in params if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    return len(positional) == 4


@dataclass(frozen=True, kw_only=True)
class TaggingTask(FamilyTask):
    """One tag per word, predicted on the word's first sub-word (token-classification head).

    ``num_labels`` is the number of tags: the head scores every tag for every token.
    """

    tags: tuple[str, ...] = ()
    """The tag set in head order; empty when the reader sets it from the data
    (``task.state["labels"] = (...)``, e.g. a vocabulary file)."""
    no_dev: tuple[str, ...] = ()
    """Languages without a dev split."""
    head: str = "token-classification"
    evaluator: str = "seqeval"
    main_metric: str = "f1"
    state: dict[str, Any] = field(default_factory=dict, init=False, repr=False, compare=False)
    """Read-time state: the tag vocabulary loaded from the data."""

    def __post_init__(self) -> None:
        super().__post_init__()
        layout = self.local_layout
        if callable(layout) and not isinstance(layout, _FilesByTask) and _takes_four(layout):
            warnings.warn(
                f"task '{self.name}': local_layout(task, split, language, root) is deprecated; "
                "give paths relative to the data folder (a template, a mapping or a function "
                "(split, language) -> paths), or override local_files",
                DeprecationWarning,
                stacklevel=3,
            )
            object.__setattr__(self, "local_layout", _FilesByTask(layout))

    # -- data --------------------------------------------------------------------------
    def splits_for(self, language: str) -> tuple[str, ...]:
        splits = super().splits_for(language)
        return tuple(s for s in splits if s != "dev") if language in self.no_dev else splits

    def local_files(self, split: str, language: str, root: Path) -> list[Path]:
        """The layout's files, plus the gold label file the default reader reads, if present."""
        if isinstance(self.local_layout, _FilesByTask):
            return self.local_layout.find(self, split, language, root)
        files = super().local_files(split, language, root)
        gold = gold_file(self, split, language, root, ".tsv")
        if self.local_reader is None and gold.is_file() and gold not in files:
            files.append(gold)
        return files

    def read_local(self, split: str, language: str, root: Path) -> list[Row]:
        """The reader's rows; every training sentence must be tagged."""
        rows = super().read_local(split, language, root)
        if split == self.train_split:
            files = ", ".join(map(str, self.local_files(split, language, root)))
            self.check_trainable(
                rows,
                split,
                files,
                lambda row: -1 in row["tags"],
                "sentence",
                "has no tags; every training sentence needs them",
            )
        return rows

    def read_files(self, split: str, language: str, root: Path) -> list[Row]:
        gold = gold_file(self, split, language, root, ".tsv")
        files = [path for path in self.local_files(split, language, root) if path != gold]
        rows = [
            {"tokens": tokens, "tags": tags, "line": line}
            for path in files
            for tokens, tags, line in read_token_tag_file(self, path, tags_optional=split == "test")
        ]
        if gold.is_file():
            attach_gold(self, rows, files[0], gold)
        return rows

    def row(self, tokens: Sequence[str], tags: Sequence[str | None] | None, where: str) -> Row:
        """A checked row from a sentence's words and their tags as written in the file; tags
        None (or all None) for an unlabelled sentence (predictions only). ``where`` names the
        sentence in errors."""
        tokens = [t.strip() if isinstance(t, str) else t for t in tokens]
        if not tokens or not all(isinstance(t, str) and t for t in tokens):
            raise HarnessError(f"{where}: expected a sentence of non-empty words, found {tokens!r}")
        if tags is None or all(t is None for t in tags):
            return {"tokens": tokens, "tags": [-1] * len(tokens)}
        if len(tags) != len(tokens):
            raise HarnessError(f"{where}: {len(tokens)} words but {len(tags)} tags")
        if None in tags:
            raise HarnessError(
                f"{where}: sentence mixes tagged and untagged words; tag every word or none"
            )
        return {"tokens": tokens, "tags": [self.tag_index(t, where) for t in tags]}

    @property
    def tag_names(self) -> tuple[str, ...]:
        names = self.tags or self.state.get("labels")
        if not names:
            raise HarnessError(
                f"task '{self.name}': its tag vocabulary is read with the data; load a split first"
            )
        return names

    def tag_index(self, tag: str, where: str) -> int:
        """Index of ``tag`` (stripped) in the tag set; an unknown tag names ``where``."""
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
        """The best tag id per token (not the logits: a supertag head has >1000 outputs)."""
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
        position = {example: i for i, example in enumerate(rows["example_id"][:])}
        predicted: list[list[str | None]] = [[None] * len(words) for words in rows["tokens"][:]]
        for best, example, word_ids in zip(
            outputs, features["example_id"][:], features["word_ids"][:], strict=True
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
            None if any(t < 0 for t in tags) else [names[t] for t in tags]
            for tags in rows["tags"][:]
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
