"""Multiple choice: pick one of a fixed number of answers, in any number of languages.

A task is one :class:`MultipleChoiceTask` record: its languages, its files per split and
language (``local_layout``, paths with a ``{lang}`` placeholder) and how one record of
those files becomes a row (``from_record``). The family does the rest, identically for
the built-in English intermediates and for multilingual targets.

Contract, for a plugin that reuses or replaces parts of it:

- **Rows** (what a reader returns): ``context`` (first segment), ``choices`` (second
  segment per choice, ``num_choices`` strings), ``keys`` (each choice's name in the
  release's label convention, written to submissions), ``label`` (index into ``choices``;
  -1 for an unlabelled row, never in the training split). Build them with
  :meth:`MultipleChoiceTask.row`, which checks all of that.
- **Features** (what :meth:`MultipleChoiceTask.encode` returns): one per row, every model
  input nested per choice, then per token (``input_ids[row][choice][token]``), plus
  ``labels`` (the row's ``label``). The default collator pads flat token lists and cannot
  batch these: :class:`MultipleChoiceCollator` pads them to ``[batch, choices, tokens]``.
- **Head**: ``multiple-choice`` scores each (context, choice) pair with one number and
  takes a softmax over the choices of a row, so :attr:`MultipleChoiceTask.num_labels` is 1
  (one output per pair), whatever the number of choices. The ``transformers``
  ``*ForMultipleChoice`` heads build that one-output scorer regardless of ``num_labels``.
- **Predictions** are choice keys: one per line in the ``.lst`` submission file, which
  :meth:`MultipleChoiceTask.read_submission` reads back so ``harness score`` scores it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

import harness
from harness._lazy import lazy_module
from harness.errors import HarnessError
from harness.families._base import FamilyTask
from harness.families._layout import Layout, layout_files

datasets = lazy_module("datasets")
np = lazy_module("numpy")
torch = lazy_module("torch")

Row = dict[str, Any]
Record = dict[str, Any]
RecordReader = Callable[["MultipleChoiceTask", Record, str], Row]
"""(task, one JSON record, where it is for errors) -> a row from :meth:`MultipleChoiceTask.row`."""
LocalReader = Callable[["MultipleChoiceTask", str, str, Path], list[Row]]
"""(task, split, language, data root) -> rows, for releases that are not JSON lines."""

HUB_SPLIT = {"train": "train", "dev": "validation", "test": "test"}
PARQUET_EXPORT = "refs/convert/parquet"
"""Branch where the Hub keeps a parquet copy of every dataset, script-built ones included."""
_MODEL_INPUTS = ("input_ids", "attention_mask", "token_type_ids")


@dataclass(frozen=True, kw_only=True)
class MultipleChoiceTask(FamilyTask):
    """Pick one of ``num_choices`` answers: one score per (context, choice), softmax over them.

    Defaults suit a zero-shot target: train on ``train`` in ``train_language``, evaluate
    ``dev`` and ``test`` in every one of ``languages`` (only the splits ``local_layout``
    lists; ``language_splits`` overrides single languages).
    """

    num_choices: int
    local_layout: Layout
    """Files per split, relative to the data root, ``{lang}`` replaced by the language:
    ``{"train": "mc/train.en.jsonl", "test": "mc/{lang}/test.{lang}.jsonl"}`` (only
    those splits exist), a template ``"task/{split}.{lang}.jsonl"``, or a function
    ``(split, language) -> [paths]``."""
    from_record: RecordReader | None = None
    """Turns one record of the JSON-lines files (and of the Hub dataset) into a row."""
    choice_keys: tuple[str, ...] = ()
    """The choices' names in the release's label convention; default ``"0"``, ``"1"``, ..."""
    label_base: str = "0-based"
    """How the release writes its gold label, for error messages ("0-based", "letters")."""
    alt_layouts: tuple[Mapping[str, str | tuple[str, ...]], ...] = ()
    """Other releases' layouts; one is read when its top folder exists and ``local_layout``'s
    does not."""
    hub_record: RecordReader | None = None
    """Normalises one Hub record when it differs from ``from_record``."""
    hub_config: str | None = None
    """Hub config name, ``{lang}`` replaced (``"{lang}"`` for one config per language)."""
    hub_parquet_config: str | None = None
    """Config folder of the Hub's parquet conversion to read instead of the repository itself
    (for repositories that ship only a loading script); None reads the repository."""
    head: str = "multiple-choice"
    evaluator: str = "accuracy"
    main_metric: str = "accuracy"
    prediction_suffix: str = ".lst"

    def __post_init__(self) -> None:
        super().__post_init__()
        if self.num_choices < 2:
            raise HarnessError(f"task '{self.name}': num_choices must be at least 2")
        if not self.choice_keys:
            keys = tuple(str(i) for i in range(self.num_choices))
            object.__setattr__(self, "choice_keys", keys)
        if len(self.choice_keys) != self.num_choices:
            raise HarnessError(
                f"task '{self.name}': {len(self.choice_keys)} choice_keys for "
                f"{self.num_choices} choices"
            )
        if self.from_record is None and self.local_reader is None:
            raise HarnessError(
                f"task '{self.name}': give from_record (one JSON record -> task.row(...)) "
                "or local_reader (split files -> rows)"
            )

    # -- data --------------------------------------------------------------------------
    layout_name: ClassVar[str] = "release"

    def layout_for(self, root: Path, language: str = "en") -> Layout:
        """``local_layout``, or the first of ``alt_layouts`` whose top folder exists when
        its own does not."""

        def top(layout: Layout) -> Path:
            first = layout_files(layout, next(iter(layout)), language) or [""]
            return root / first[0].split("/")[0]

        if self.alt_layouts and isinstance(self.local_layout, Mapping):
            if not top(self.local_layout).is_dir():
                for layout in self.alt_layouts:
                    if top(layout).is_dir():
                        return layout
        return self.local_layout

    def read_local(self, split: str, language: str, root: Path) -> list[Row]:
        files = self.local_files(split, language, root)  # a missing split fails before reading
        rows = super().read_local(split, language, root)
        self._check_trainable(rows, split, ", ".join(map(str, files)))
        return rows

    def read_files(self, split: str, language: str, root: Path) -> list[Row]:
        """Rows of the layout's JSON-lines files, one per record, from ``from_record``."""
        assert self.from_record is not None  # checked in __post_init__
        reader = self.from_record
        return self.rows_of_files(
            split,
            language,
            root,
            harness.read_jsonl,
            lambda record, where: self._record_row(reader, record, where),
        )

    def read_hub(self, split: str, language: str) -> datasets.Dataset:
        # failures (network, auth, missing split) become one line in Task.load
        if self.hub_reader is not None:
            return super().read_hub(split, language)
        if self.hub_id is None or (self.hub_record or self.from_record) is None:
            raise HarnessError(
                f"task '{self.name}' has no Hugging Face Hub source; use --data PATH"
            )
        config = self.hub_config.format(lang=language) if self.hub_config else None
        if self.hub_parquet_config is not None:
            ds = datasets.load_dataset(
                self.hub_id,
                data_dir=self.hub_parquet_config.format(lang=language),
                revision=PARQUET_EXPORT,
                split=HUB_SPLIT[split],
            )
        elif config is not None:
            ds = datasets.load_dataset(self.hub_id, config, split=HUB_SPLIT[split])
        else:
            ds = datasets.load_dataset(self.hub_id, split=HUB_SPLIT[split])
        return self.from_hub(ds, split)

    def from_hub(self, ds: datasets.Dataset, split: str) -> datasets.Dataset:
        """Normalise a Hub split (also what tests feed an in-memory Hub-schema dataset)."""
        record_row = self.hub_record or self.from_record
        assert record_row is not None
        rows = [
            self._record_row(record_row, record, f"{self.hub_id} {HUB_SPLIT[split]} record {i}")
            for i, record in enumerate(ds)
        ]
        if not rows:
            raise HarnessError(f"task '{self.name}': {self.hub_id} {split} has no records")
        self._check_trainable(rows, split, f"{self.hub_id} {HUB_SPLIT[split]}")
        return datasets.Dataset.from_list(rows)

    def _record_row(self, reader: RecordReader, record: Record, where: str) -> Row:
        """``reader``'s row, a record without a field it looks up being one line naming it."""
        try:
            return reader(self, record, where)
        except KeyError as exc:
            raise HarnessError(
                f"{where}: the record has no field {exc} (or {exc} is a value the task does "
                f"not know); fields: {', '.join(map(str, record))}"
            ) from None

    def _check_trainable(self, rows: list[Row], split: str, where: str) -> None:
        """Training needs a gold label on every row (a -1 would reach the loss)."""
        self.check_trainable(
            rows,
            split,
            where,
            lambda row: row["label"] < 0,
            problem="has no gold label; every training record needs one",
        )

    def row(
        self, context: str, choices: Sequence[str], label: int | None, where: str, **extra: Any
    ) -> Row:
        """A normalised row, after checking the texts, the choice count and the label.

        ``label`` is the index of the right choice (0-based), or None / -1 when the release
        hides it (test files). ``keys=[...]`` names this row's choices when they differ from
        ``choice_keys``; other keyword arguments (``id=...``) are kept as columns.
        """
        if not isinstance(context, str) or not all(isinstance(c, str) for c in choices):
            raise HarnessError(f"{where}: the context and every choice must be text")
        if len(choices) != self.num_choices:
            raise HarnessError(
                f"{where}: expected {self.num_choices} choices for {self.name}, "
                f"found {len(choices)}"
            )
        keys = list(extra.pop("keys", self.choice_keys))
        label = -1 if label is None else label
        if isinstance(label, bool) or not isinstance(label, int) or not -1 <= label < len(choices):
            raise HarnessError(
                f"{where}: label out of range for {len(choices)} choices "
                f"({self.name} labels are {self.label_base}: {', '.join(keys)})"
            )
        return {"context": context, "choices": list(choices), "keys": keys, "label": label, **extra}

    def label_index(self, value: Any, where: str, *, missing_ok: bool = False) -> int:
        """Index of a gold label written as a key (``"A"``, ``"1"``, ``3``); -1 if absent."""
        if value is None or (isinstance(value, str) and not value.strip()):
            if missing_ok:
                return -1
            raise HarnessError(f"{where}: missing gold label")
        key = str(value).strip() if not isinstance(value, bool) else repr(value)
        if key not in self.choice_keys:
            raise HarnessError(
                f"{where}: label '{key}' out of range ({self.name} labels are "
                f"{self.label_base}: {', '.join(self.choice_keys)})"
            )
        return self.choice_keys.index(key)

    # -- model interface ---------------------------------------------------------------
    @property
    def num_labels(self) -> int:
        """One output per (context, choice) pair: the head scores pairs, not label sets."""
        return 1

    def encode(self, batch: dict[str, list], tokenizer: Any, max_length: int) -> dict[str, list]:
        """One feature per row: every (context, choice) pair, nested as [choice][token].

        Long pairs lose tokens from the context ("only_first"); a choice is cut only when
        it alone would take more than half of the room left after the special tokens, and
        then both sides share it ("longest_first").
        """
        counts = [len(c) for c in batch["choices"]]
        firsts = [ctx for ctx, n in zip(batch["context"], counts, strict=True) for _ in range(n)]
        seconds = [choice for choices in batch["choices"] for choice in choices]
        room = max_length - tokenizer.num_special_tokens_to_add(pair=True)
        if room < 2:
            raise HarnessError(
                f"--max-length {max_length} leaves no room for a context and a choice"
            )
        lengths = [len(ids) for ids in tokenizer(seconds, add_special_tokens=False)["input_ids"]]
        pairs: list[dict[str, list[int]]] = [{} for _ in seconds]
        for strategy, keep in (
            ("only_first", lambda n: n <= room // 2),
            ("longest_first", lambda n: n > room // 2),
        ):
            index = [i for i, n in enumerate(lengths) if keep(n)]
            if not index:
                continue
            enc = tokenizer(
                [firsts[i] for i in index],
                [seconds[i] for i in index],
                truncation=strategy,
                max_length=max_length,
            )
            for key in _MODEL_INPUTS:
                if key in enc:
                    for j, i in enumerate(index):
                        pairs[i][key] = enc[key][j]
        out: dict[str, list] = {key: [] for key in pairs[0]} if pairs else {"input_ids": []}
        start = 0
        for n in counts:
            for key in out:
                out[key].append([pair[key] for pair in pairs[start : start + n]])
            start += n
        out["labels"] = list(batch["label"])
        return out

    def collator(self, tokenizer: Any) -> MultipleChoiceCollator:
        return MultipleChoiceCollator(tokenizer)

    def predict(self, model: Any, inputs: dict[str, torch.Tensor]) -> list[torch.Tensor]:
        """Logits over each feature's real choices (padded choices are dropped, never chosen)."""
        logits = model(**inputs).logits
        real = (inputs["attention_mask"].sum(-1) > 0).sum(-1).tolist()
        return [row[:n] for row, n in zip(logits, real, strict=True)]

    def decode(
        self,
        outputs: list[np.ndarray],
        features: datasets.Dataset,
        rows: datasets.Dataset,
        context: harness.EvalContext,
    ) -> list[str]:
        """The key of the best-scored choice of each row."""
        by_id = {eid: i for i, eid in enumerate(features["example_id"][:])}
        return [
            keys[int(np.argmax(outputs[by_id[eid]]))]
            for eid, keys in zip(rows["example_id"][:], rows["keys"][:], strict=True)
        ]

    def references(self, rows: datasets.Dataset) -> list[str | None]:
        """The key of each row's right choice; None for unlabelled rows (not scored)."""
        return [
            keys[label] if label >= 0 else None
            for keys, label in zip(rows["keys"][:], rows["label"][:], strict=True)
        ]

    def write_predictions(self, path: Path, predictions: Sequence[str]) -> None:
        """One predicted key per line: the ``.lst`` format of multiple-choice leaderboards."""
        from harness.scoring import write_lines

        write_lines(path, predictions)

    def read_submission(
        self, predictions: Path, labels: Path, language: str
    ) -> tuple[list[str], list[str]]:
        """One choice key per line in both files (the ``.lst`` format), compared in order."""
        from harness.scoring import read_line_pairs

        return read_line_pairs(
            predictions, labels, "write one choice key per line, in test-set order"
        )


class MultipleChoiceCollator:
    """Pads every (example, choice) to the batch's longest: ``[batch, choices, tokens]``.

    Examples with fewer choices than the batch's most get all-padding choices whose
    attention mask is zero, which is how :meth:`MultipleChoiceTask.predict` recognises
    (and drops) them. Token length is rounded up to a multiple of 8 like the default
    collator.
    """

    def __init__(self, tokenizer: Any, pad_to_multiple_of: int = 8):
        self.pad_id = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else 0
        self.left = getattr(tokenizer, "padding_side", "right") == "left"
        self.multiple = pad_to_multiple_of

    def __call__(self, features: list[dict[str, Any]]) -> dict[str, torch.Tensor]:
        choices = max(len(f["input_ids"]) for f in features)
        tokens = max(len(ids) for f in features for ids in f["input_ids"])
        tokens = -(-tokens // self.multiple) * self.multiple
        shape = (len(features), choices, tokens)
        batch = {"input_ids": torch.full(shape, self.pad_id, dtype=torch.long)}
        batch["attention_mask"] = torch.zeros(shape, dtype=torch.long)
        if "token_type_ids" in features[0]:
            batch["token_type_ids"] = torch.zeros(shape, dtype=torch.long)
        for b, feature in enumerate(features):
            for c, ids in enumerate(feature["input_ids"]):
                span = slice(tokens - len(ids), tokens) if self.left else slice(0, len(ids))
                batch["input_ids"][b, c, span] = torch.tensor(ids, dtype=torch.long)
                mask = feature.get("attention_mask")
                batch["attention_mask"][b, c, span] = (
                    torch.tensor(mask[c], dtype=torch.long) if mask is not None else 1
                )
                if "token_type_ids" in batch:
                    batch["token_type_ids"][b, c, span] = torch.tensor(
                        feature["token_type_ids"][c], dtype=torch.long
                    )
        if "labels" in features[0]:
            batch["labels"] = torch.tensor([int(f["labels"]) for f in features], dtype=torch.long)
        return batch
