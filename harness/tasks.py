"""What a task is: one declarative record plus the few operations the runner needs.

Families (classification, tagging, QA, ...) subclass :class:`Task` once in their plugin
module; each concrete task is then a single instance of that subclass, so "where is XNLI
defined?" has one answer: the family module that instantiates it.
"""

from __future__ import annotations

import csv
import json
import os
from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from harness._lazy import lazy_module
from harness.errors import HarnessError
from harness.textfiles import file_error, json_problem, open_text

datasets = lazy_module("datasets")
np = lazy_module("numpy")
torch = lazy_module("torch")

ROLES = ("intermediate", "target")


def read_jsonl(path: Path) -> list[tuple[int, dict[str, Any]]]:
    """(line number, object) per non-blank line of a JSON-lines release file.

    A bad line is a :class:`HarnessError` naming ``path:line``, so a task's reader can
    name the culprit row the same way for every JSON-lines release; so is a file that is
    not UTF-8 or cannot be opened (:func:`harness.open_text`).
    """
    out = []
    with open_text(path) as handle:
        for n, line in enumerate(handle, 1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError as exc:
                raise HarnessError(
                    f"{path}:{n}: not valid JSON ({json_problem(exc, with_line=False)})"
                ) from None
            if not isinstance(record, dict):
                raise HarnessError(f"{path}:{n}: expected a JSON object per line")
            out.append((n, record))
    return out


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


@dataclass
class EvalContext:
    """What :meth:`Task.decode` knows about the evaluation it is decoding.

    ``state`` lives for one phase and is shared by its evaluations in order (every
    language's ``dev`` before its ``test``), e.g. a retrieval threshold tuned on dev.
    """

    split: str
    language: str
    state: dict[str, Any] = field(default_factory=dict)


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
    trains: bool = True
    """False for tasks scored from the encoder's representations without training (retrieval)."""
    prediction_suffix: str = ".tsv"
    """File suffix of the official submission format (``.json`` for QA)."""
    settings: dict[str, Any] = field(default_factory=dict)
    """Task-specific knobs with their defaults (doc stride, retrieval layer, ...); a run
    overrides them with ``--set TASK.KEY=VALUE`` and gets a copy with the new values."""
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
        """Tokenise a batch of normalised rows (``datasets.map(batched=True)`` contract).

        One row may become several *features* (QA windows over a long context): return an
        ``example_id`` column then, copied from ``batch["example_id"]`` for each feature.
        Columns other than the model's inputs (offsets, word ids, ...) are kept for
        :meth:`decode` and never reach the model.
        """

    @property
    @abstractmethod
    def num_labels(self) -> int:
        """Output size of the task head."""

    @abstractmethod
    def decode(
        self,
        outputs: list[np.ndarray],
        features: datasets.Dataset,
        rows: datasets.Dataset,
        context: EvalContext,
    ) -> list[Any]:
        """One prediction per row of ``rows`` from the per-feature ``outputs`` of :meth:`predict`.

        ``outputs[i]`` belongs to ``features[i]`` (whose ``example_id`` names its row).
        """

    def predict(self, model: Any, inputs: dict[str, torch.Tensor]) -> list[torch.Tensor]:
        """Per-feature outputs of the head for one batch, padding removed.

        The default covers the ``transformers`` heads: sequence-level ``logits`` as they
        are; token-level ``logits`` (and QA ``start``/``end`` logits, stacked on the last
        axis) cut to each feature's real length. Retrieval tasks override this to pool
        hidden states.
        """
        output = model(**inputs)
        if getattr(output, "start_logits", None) is not None:
            logits = torch.stack([output.start_logits, output.end_logits], dim=-1)
        else:
            logits = output.logits
        if logits.dim() == 3 and "attention_mask" in inputs and inputs["input_ids"].dim() == 2:
            lengths = inputs["attention_mask"].sum(-1).tolist()
            return [row[:n] for row, n in zip(logits, lengths, strict=True)]
        return list(logits)

    def collator(self, tokenizer: Any) -> Any:
        """Batches features for the model: dynamic padding to a multiple of 8 by default."""
        from transformers import DataCollatorWithPadding

        return DataCollatorWithPadding(tokenizer, pad_to_multiple_of=8)

    @abstractmethod
    def references(self, rows: datasets.Dataset) -> list[Any]:
        """Gold answers for ``rows`` in the same space as :meth:`decode` returns."""

    @abstractmethod
    def write_predictions(self, path: Path, predictions: Sequence[Any]) -> None:
        """Write predictions in the official submission format of the task."""

    def read_submission(
        self, predictions: Path, labels: Path, language: str
    ) -> tuple[Sequence[Any], Sequence[Any]]:
        """``(predictions, references)`` for :attr:`evaluator` from one submission file and
        its label file (``{xtreme_name or name}/test-{language}{prediction_suffix}`` in each
        folder). ``harness score`` scores every task that implements it, in each language
        of the suite's scoring for the task, else each of :attr:`languages` with a test split.

        Read both as XTREME's ``evaluate.py`` does (``harness.scoring.read_lines``,
        ``read_line_pairs``, ``read_tag_blocks``, ``read_squad``) and align them as its
        scorer does; raise HarnessError naming the file for malformed input or mismatched
        counts.
        """
        raise HarnessError(
            f"task '{self.name}' cannot read XTREME submission files "
            "(its plugin does not implement read_submission)"
        )

    def load(self, split: str, language: str, source: DataSource) -> datasets.Dataset:
        """Rows for one split/language as a ``datasets.Dataset`` (with ``example_id``)."""
        self.check_language(language, split)
        if source.kind == "hub":
            ds = self._read_hub_or_explain(split, language)
        else:
            assert source.root is not None
            ds = datasets.Dataset.from_list(self._read_local_or_explain(split, language, source))
        if "example_id" not in ds.column_names:
            ds = ds.add_column("example_id", list(range(len(ds))))
        return ds

    def _read_local_or_explain(
        self, split: str, language: str, source: DataSource
    ) -> list[dict[str, Any]]:
        """``read_local`` after checking its files are there, with a failure to read a file
        (not UTF-8, permissions, a folder in its place, CSV) as one line naming it, also when
        the plugin opened the file with its own ``open()`` rather than ``harness.open_text``.
        """
        assert source.root is not None
        try:
            files = self.local_files(split, language, source.root)
        except OSError as exc:  # a plugin looking for its files under a folder we may not enter
            error = _read_error(exc, [])
            if error is None:
                raise
            raise error from None
        for path in files:
            try:
                present = path.is_file()
            except OSError as exc:  # Python < 3.13: a path under a folder we may not enter
                raise _unreadable(path, exc) from None
            if not present:
                blocked = _blocked_folder(path)
                if blocked is not None:
                    raise HarnessError(f"{blocked}: permission denied; check its permissions")
                if path.is_dir():
                    raise HarnessError(f"{path}: is a folder, expected a file; put the file there")
                raise HarnessError(
                    f"task '{self.name}': missing data file {path} ({split}, {language}); "
                    + self._missing_file_advice(split, language, source.root)
                )
        try:
            rows = self.read_local(split, language, source.root)
        except HarnessError:
            raise
        except (OSError, UnicodeDecodeError, csv.Error) as exc:
            error = _read_error(exc, files)
            if error is None:
                raise  # not about a data file: a plugin bug keeps its traceback
            raise error from None
        if not rows:
            raise HarnessError(f"task '{self.name}': no examples in {', '.join(map(str, files))}")
        return rows

    def _missing_file_advice(self, split: str, language: str, root: Path) -> str:
        """How to get past a missing file: advice that fits the source being read (telling
        a run on the bundled sample to use the sample would be circular)."""
        if self.sample_root is None or not _same_folder(root, Path(self.sample_root)):
            return (
                f"download it into {root} in the official layout, or use --data sample / --data hub"
            )
        if language == self.train_language and split == self.train_split:
            return "the bundled sample lacks the training file; pass --data PATH or --data hub"
        have = [
            lg
            for lg in self.languages
            if all(self._has_files(s, lg, root) for s in self.splits_for(lg))
        ]
        if have:
            return (
                f"the bundled sample has data in {', '.join(have)} only; pass "
                f"--languages {' '.join(have)}, or --data PATH / --data hub for every language"
            )
        return f"the bundled sample has no {split} data; pass --data PATH or --data hub"

    def _has_files(self, split: str, language: str, root: Path) -> bool:
        try:
            return all(p.is_file() for p in self.local_files(split, language, root))
        except OSError:
            return False

    def _read_hub_or_explain(self, split: str, language: str) -> datasets.Dataset:
        """``read_hub``, with a failure to fetch (network, auth, missing config) as one line.

        ``datasets``/``huggingface_hub`` raise ``OSError`` subclasses (offline, not found,
        HTTP), ``ValueError`` (unknown config or split) or, from ``datasets`` 4 on,
        ``RuntimeError`` for a repository that ships only a loading script. A
        ``RuntimeError`` raised elsewhere, and anything else, is a plugin bug and keeps
        its traceback.
        """
        try:
            return self.read_hub(split, language)
        except HarnessError:
            raise
        except (OSError, ValueError, RuntimeError) as exc:
            script = "Dataset scripts are no longer supported" in str(exc)
            if isinstance(exc, RuntimeError) and not script:
                frame, innermost = exc.__traceback__, ""
                while frame is not None:  # where was it raised: datasets/huggingface_hub?
                    innermost, frame = frame.tb_frame.f_globals.get("__name__", ""), frame.tb_next
                if innermost.partition(".")[0] not in ("datasets", "huggingface_hub"):
                    raise
            hint = (
                "this datasets version runs no loading scripts and the repository has no "
                "data files; "
                if script
                else ""
            )
            raise HarnessError(
                f"task '{self.name}': could not load {split}/{language} from the Hub "
                f"({_hub_dataset(exc) or self.hub_id}): {' '.join(str(exc).split())[:200]}; "
                f"{hint}use --data PATH with a local download"
            ) from None

    def check_language(self, language: str, split: str | None = None) -> None:
        allowed = set(self.languages) | {self.train_language}
        if language not in allowed:
            raise HarnessError(
                f"task '{self.name}' has no language '{language}'; "
                f"choose from: {', '.join(self.languages)}"
            )


def _same_folder(a: Path, b: Path) -> bool:
    try:
        return a.resolve() == b.resolve()
    except OSError:
        return False


def _hub_dataset(exc: BaseException) -> str | None:
    """The Hub dataset a failed ``datasets.load_dataset`` call was reading, from its
    traceback (its ``path`` argument): a task reading several datasets (ANLI+ reads ANLI,
    MNLI and SNLI) names the one that failed, not its ``hub_id``. None if not found."""
    frame = exc.__traceback__
    while frame is not None:  # outermost first: the call the plugin made
        code = frame.tb_frame.f_code
        if code.co_name in ("load_dataset", "load_dataset_builder"):
            path = frame.tb_frame.f_locals.get("path")
            if isinstance(path, str) and path:
                return path
        frame = frame.tb_next
    return None


def _blocked_folder(path: Path) -> Path | None:
    """The nearest existing folder above ``path`` if this process may not enter it (without
    the execute right nothing in a folder can be seen, whether it exists or not)."""
    for folder in path.parents:
        if os.path.isdir(folder):
            return None if os.access(folder, os.X_OK) else folder
    return None


def _unreadable(path: Path, exc: OSError) -> HarnessError:
    """One line for a data file whose existence could not even be checked."""
    blocked = _blocked_folder(path)
    if blocked is not None:
        return HarnessError(f"{blocked}: permission denied; check its permissions")
    return file_error(exc, path) or HarnessError(f"{path}: cannot read ({exc})")


def _read_error(exc: BaseException, files: list[Path]) -> HarnessError | None:
    """The one-line error for what a plugin's reader raised, naming the file it concerns.

    ``OSError`` names its file; a decoding error is pinned on the first of ``files`` that is
    not UTF-8; a CSV error names the task's file (or all of them: csv does not say which).
    """
    if isinstance(exc, OSError):
        return None if exc.filename is None else _unreadable(Path(os.fsdecode(exc.filename)), exc)
    if isinstance(exc, UnicodeDecodeError):
        return next((e for f in files if (e := file_error(exc, f)) is not None), None)
    if isinstance(exc, csv.Error) and files:
        return file_error(exc, files[0] if len(files) == 1 else ", ".join(map(str, files)))
    return None
