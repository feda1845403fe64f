"""Extractive question answering family: SQuAD-format span extraction in any language.

Rows (what a reader returns, one per question):

* ``id``: the question id (unique within an evaluation split: it keys the submission file);
* ``title``: the article title ("" if none);
* ``context``: the passage; ``question``: the question text;
* ``answers``: ``{"text": [str, ...], "answer_start": [int, ...]}``, character offsets into
  ``context``; the first answer is the training target. No answers, or one empty answer
  (XTREME's stripped test files), marks an unlabelled question; with ``with_negatives``
  (SQuAD v2.0) an empty list means "unanswerable" and is scored.

Default reader: every file of ``local_layout`` in SQuAD's JSON format
(``{"data": [{"title", "paragraphs": [{"context", "qas": [{"id", "question", "answers":
[{"text", "answer_start"}]}]}]}]}``; a bare list of articles too), every answer checked
against its context (:func:`read_squad_file`). Hidden gold answers of an evaluation split
are read, when present, from evaluate.py's label folder
``labels/<xtreme_name or name>/<split>-<lang>.json``.

Features: each question with windows over its context (``doc_stride`` tokens apart, from
:func:`harness.families.qa_spans.encode_windows`): ``input_ids``, ``attention_mask``
(``token_type_ids``), ``start_positions``/``end_positions`` (the CLS index when the window
lacks the answer), and, kept for decoding, ``example_id``, ``cls_index`` and
``offset_mapping``. The default collator pads them (the decoding columns never reach the
model). The head is ``question-answering``: ``num_labels`` is 2 (start and end logits).
Decoding searches the ``n_best`` start and end logits of every window of a question for
the best span of at most ``max_answer_length`` tokens; predictions are ``(id, answer
text)`` pairs, written as one JSON object ``{id: answer}`` (XTREME's submission format),
which ``read_submission`` reads back for ``harness score``.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

import harness
from harness._lazy import lazy_module
from harness.errors import HarnessError
from harness.families._base import FamilyTask, Row, gold_file
from harness.families.qa_spans import bare_piece_id, best_spans, encode_windows

datasets = lazy_module("datasets")
np = lazy_module("numpy")

LOG = logging.getLogger(__name__)
OFFSET_SHIFT_LIMIT = 32
"""How many characters from its ``answer_start`` an answer may be found and have the offset
corrected (stripped contexts lose their leading whitespace, stripped answers theirs)."""
SETTINGS = {
    "doc_stride": 128,
    "max_query_length": 64,
    "max_answer_length": 30,
    "n_best": 20,
}
"""XTREME's run_squad.py defaults (``--doc_stride 128 --max_query_length 64
--max_answer_length 30 --n_best_size 20``)."""
V2_SETTINGS = {**SETTINGS, "null_score_diff_threshold": 0.0}

__all__ = [
    "OFFSET_SHIFT_LIMIT",
    "SETTINGS",
    "V2_SETTINGS",
    "ExtractiveQATask",
    "bare_piece_id",
    "best_spans",
    "encode_windows",
    "from_hub_schema",
    "locate_answer",
    "read_squad_file",
    "row_features",
]


# --------------------------------------------------------------------------- SQuAD-style JSON
def _load_json(path: Path) -> Any:
    text = harness.read_text(path, encoding="utf-8-sig")
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise HarnessError(
            f"{path}:{exc.lineno}: not valid JSON "
            f"({harness.textfiles.json_problem(exc, with_line=False)}); "
            "re-download the file or fix it"
        ) from None


def _expect(value: Any, kind: type, where: str, what: str) -> Any:
    if not isinstance(value, kind) or isinstance(value, bool) and kind is not bool:
        raise HarnessError(f"{where}: expected {what}, found {type(value).__name__}")
    return value


def locate_answer(context: str, text: str, start: int) -> int | None:
    """Where ``text`` starts in ``context``: ``start`` when it is there, else its occurrence
    nearest to ``start`` within :data:`OFFSET_SHIFT_LIMIT` characters; None if there is none.

    An empty text (XTREME's stripped test files) is where it says, if inside the context.
    """
    if start < 0:
        return None
    if not text:
        return start if start <= len(context) else None
    if context[start : start + len(text)] == text:
        return start
    best = None
    stop = min(len(context), start + OFFSET_SHIFT_LIMIT + len(text))
    found = context.find(text, max(0, start - OFFSET_SHIFT_LIMIT), stop)
    while found != -1:
        if best is None or abs(found - start) < abs(best - start):
            best = found
        found = context.find(text, found + 1, stop)
    return best


def _answer_error(where: str, context: str, text: str, start: int) -> HarnessError:
    if start < 0 or start + len(text) > len(context):
        return HarnessError(
            f"{where}: answer_start {start} + {len(text)} characters lies outside its context "
            f"({len(context)} characters)"
        )
    return HarnessError(
        f"{where}: the answer text {text[:60]!r} is not the context's text at answer_start "
        f"{start} ({context[start : start + len(text)][:60]!r}), nor within "
        f"{OFFSET_SHIFT_LIMIT} characters of it; fix the offset or re-download the file"
    )


def read_squad_file(path: Path, with_negatives: bool = False, unique_ids: bool = True) -> list[Row]:
    """Rows of a SQuAD-format file (SQuAD v1.1/v2.0, XQuAD, MLQA, TyDiQA-GoldP, XTREME copies).

    Like XTREME's ``read_squad``, a bare list of articles is accepted as well as the
    ``{"data": [...], "version": ...}`` document. Every record is checked: a problem names
    the file and the record (its id, or its position when the id is what is missing).
    Ids key the submission file, so evaluation files need ``unique_ids``; training files need
    not (XTREME's split TyDiQA training files keep only the last ``-`` field of each id).
    An answer found a few characters from its ``answer_start`` (:func:`locate_answer`) gets
    the offset corrected, with a count in the log: the official releases have none.
    """
    document = _load_json(path)
    moved = 0
    articles = document.get("data") if isinstance(document, dict) else document
    if not isinstance(articles, list):
        raise HarnessError(f"{path}: expected a SQuAD-format document with a 'data' list")
    rows: list[Row] = []
    seen: dict[str, str] = {}
    for a, article in enumerate(articles):
        where = f"{path}: data[{a}]"
        _expect(article, dict, where, "an article object")
        title = article.get("title") or ""
        paragraphs = _expect(article.get("paragraphs"), list, where, "a 'paragraphs' list")
        for p, paragraph in enumerate(paragraphs):
            where = f"{path}: data[{a}].paragraphs[{p}]"
            _expect(paragraph, dict, where, "a paragraph object")
            context = paragraph.get("context")
            if not isinstance(context, str) or not context.strip():
                raise HarnessError(f"{where}: empty or missing 'context'")
            qas = _expect(paragraph.get("qas"), list, where, "a 'qas' list")
            for q, qa in enumerate(qas):
                record = f"{where}.qas[{q}]"
                _expect(qa, dict, record, "a question object")
                qid = qa.get("id")
                if not isinstance(qid, str) or not qid:
                    raise HarnessError(f"{record}: missing question 'id'")
                record = f"{path}: question {qid!r}"
                if unique_ids and qid in seen:
                    raise HarnessError(f"{record}: id used twice (also {seen[qid]})")
                seen[qid] = f"data[{a}].paragraphs[{p}].qas[{q}]"
                question = qa.get("question")
                if not isinstance(question, str):
                    raise HarnessError(f"{record}: missing 'question' text")
                answers = _expect(qa.get("answers", []), list, record, "an 'answers' list")
                if with_negatives and qa.get("is_impossible"):
                    answers = []  # SQuAD v2.0 keeps its distractors under "plausible_answers"
                texts, starts = [], []
                for n, answer in enumerate(answers):
                    _expect(answer, dict, f"{record} answer {n}", "an answer object")
                    text = answer.get("text")
                    start = answer.get("answer_start")
                    if not isinstance(text, str) or not isinstance(start, int):
                        raise HarnessError(
                            f"{record} answer {n}: needs 'text' (string) and "
                            "'answer_start' (integer)"
                        )
                    found = locate_answer(context, text, start)
                    if found is None:
                        raise _answer_error(f"{record} answer {n}", context, text, start)
                    moved += found != start
                    texts.append(text)
                    starts.append(found)
                rows.append(
                    {
                        "id": qid,
                        "title": title,
                        "context": context,
                        "question": question,
                        "answers": {"text": texts, "answer_start": starts},
                    }
                )
    if moved:
        LOG.warning(
            "%s: moved the answer_start of %d answer(s) to where the answer text is "
            "(at most %d characters away)",
            path,
            moved,
            OFFSET_SHIFT_LIMIT,
        )
    return rows


def row_features() -> datasets.Features:
    """The column types of normalised QA rows (built on use: ``datasets`` loads lazily)."""
    return datasets.Features(
        {
            "id": datasets.Value("string"),
            "title": datasets.Value("string"),
            "context": datasets.Value("string"),
            "question": datasets.Value("string"),
            "answers": {
                "text": datasets.Sequence(datasets.Value("string")),
                "answer_start": datasets.Sequence(datasets.Value("int32")),
            },
        }
    )


def from_hub_schema(ds: datasets.Dataset, source: str) -> datasets.Dataset:
    """Map the Hub's SQuAD schema (squad, squad_v2, xquad, mlqa, tydiqa secondary_task) onto rows.

    Offsets are checked and corrected as in :func:`read_squad_file`: the Hub's XQuAD and
    TyDiQA loaders strip contexts and answers but keep the original offsets.
    """
    missing = {"id", "context", "question", "answers"} - set(ds.column_names)
    if missing:
        raise HarnessError(f"{source}: no column(s) {', '.join(sorted(missing))} in the Hub data")

    def convert(batch: dict[str, list]) -> dict[str, list]:
        n = len(batch["id"])
        answers_out = []
        for i in range(n):
            context, answers = batch["context"][i], batch["answers"][i]
            starts = []
            for k, (text, start) in enumerate(
                zip(answers["text"], answers["answer_start"], strict=True)
            ):
                found = locate_answer(context, text, start)
                if found is None:
                    where = f"{source}: question {batch['id'][i]!r} answer {k}"
                    raise _answer_error(where, context, text, start)
                starts.append(found)
            answers_out.append({"text": list(answers["text"]), "answer_start": starts})
        return {
            "id": batch["id"],
            "title": batch["title"] if "title" in batch else [""] * n,
            "context": batch["context"],
            "question": batch["question"],
            "answers": answers_out,
        }

    return ds.map(convert, batched=True, remove_columns=ds.column_names, features=row_features())


# --------------------------------------------------------------------------- the task family
@dataclass(frozen=True, kw_only=True)
class ExtractiveQATask(FamilyTask):
    """A SQuAD-format span-extraction task (with unanswerable questions when ``with_negatives``).

    ``settings`` (each overridable per run with ``--set TASK.KEY=VALUE``; missing ones take
    XTREME's defaults, :data:`SETTINGS`): ``doc_stride``, ``max_query_length``,
    ``max_answer_length``, ``n_best`` and, with ``with_negatives``,
    ``null_score_diff_threshold`` (answer "" when the null score beats the best span by more).
    """

    with_negatives: bool = False
    head: str = "question-answering"
    evaluator: str = "squad"
    main_metric: str = "f1"
    prediction_suffix: str = ".json"

    default_settings: ClassVar[dict[str, Any]] = SETTINGS

    def __post_init__(self) -> None:
        super().__post_init__()
        if self.with_negatives and "null_score_diff_threshold" not in self.settings:
            object.__setattr__(self, "settings", {**V2_SETTINGS, **self.settings})
        for key in ("doc_stride", "max_query_length", "max_answer_length", "n_best"):
            value = self.settings.get(key)
            if not isinstance(value, int) or isinstance(value, bool) or value < 1:
                raise HarnessError(
                    f"task '{self.name}': setting {key} must be a positive integer, got {value!r}"
                )
        if self.with_negatives:
            value = self.settings.get("null_score_diff_threshold")
            if not isinstance(value, int | float) or isinstance(value, bool):
                raise HarnessError(
                    f"task '{self.name}': setting null_score_diff_threshold must be a number, "
                    f"got {value!r}"
                )

    # -- data --------------------------------------------------------------------------
    def row(
        self,
        qid: str,
        context: str,
        question: str,
        answers: Sequence[tuple[str, int]],
        where: str,
        title: str = "",
    ) -> Row:
        """A checked row: ``answers`` as (text, character offset in ``context``) pairs, [] for
        an unlabelled question (or an unanswerable one, with ``with_negatives``). An offset a
        few characters off is moved to where the text is; one far off is an error."""
        for value, what in ((qid, "question id"), (context, "context"), (question, "question")):
            if not isinstance(value, str) or not value.strip():
                raise HarnessError(f"{where}: empty or missing {what}")
        texts, starts = [], []
        for n, (text, start) in enumerate(answers):
            if not isinstance(text, str) or not isinstance(start, int):
                raise HarnessError(f"{where}: answer {n} needs text and an integer offset")
            found = locate_answer(context, text, start)
            if found is None:
                raise _answer_error(f"{where}: answer {n}", context, text, start)
            texts.append(text)
            starts.append(found)
        return {
            "id": qid,
            "title": title,
            "context": context,
            "question": question,
            "answers": {"text": texts, "answer_start": starts},
        }

    def read_local(self, split: str, language: str, root: Path) -> list[Row]:
        """The reader's rows, ``title`` defaulting to ""."""
        rows = super().read_local(split, language, root)
        for row in rows:
            row.setdefault("title", "")
        return rows

    def read_files(self, split: str, language: str, root: Path) -> list[Row]:
        """Rows of the split's SQuAD-format files; gold answers of test files whose answers
        XTREME's download strips come from evaluate.py's label folder,
        ``labels/{task}/{split}-{lang}.json``."""
        rows: list[Row] = []
        for path in self.local_files(split, language, root):
            rows += read_squad_file(path, self.with_negatives, unique_ids=split != "train")
        labels_file = gold_file(self, split, language, root, ".json")
        if split != self.train_split and labels_file.is_file():
            gold = {row["id"]: row["answers"] for row in read_squad_file(labels_file)}
            for row in rows:
                if row["id"] not in gold:
                    raise HarnessError(
                        f"{labels_file}: no answers for question {row['id']!r} of "
                        f"{self.local_files(split, language, root)[0]}"
                    )
                row["answers"] = gold[row["id"]]
        return rows

    def load(self, split: str, language: str, source: harness.DataSource) -> datasets.Dataset:
        """Rows with the same column types from every source (a file whose questions have no
        answers at all would otherwise get untyped answer lists)."""
        rows = super().load(split, language, source)
        wanted = datasets.Features({**row_features(), "example_id": rows.features["example_id"]})
        return rows if rows.features == wanted else rows.cast(wanted)

    # -- model interface ---------------------------------------------------------------
    @property
    def num_labels(self) -> int:
        return 2  # start and end logits

    def encode(self, batch: dict[str, list], tokenizer: Any, max_length: int) -> dict[str, list]:
        return encode_windows(
            batch,
            tokenizer,
            max_length,
            doc_stride=int(self.settings["doc_stride"]),
            max_query_length=int(self.settings["max_query_length"]),
        )

    def decode(
        self,
        outputs: list[np.ndarray],
        features: datasets.Dataset,
        rows: datasets.Dataset,
        context: harness.EvalContext,
    ) -> list[tuple[str, str]]:
        """(question id, answer text) per row: the id goes into the submission file."""
        threshold = self.settings.get("null_score_diff_threshold") if self.with_negatives else None
        texts = best_spans(
            outputs,
            features["example_id"][:],
            features["offset_mapping"][:],
            features["cls_index"][:],
            rows["example_id"][:],
            rows["context"][:],
            n_best=int(self.settings["n_best"]),
            max_answer_length=int(self.settings["max_answer_length"]),
            null_threshold=None if threshold is None else float(threshold),
        )
        return list(zip(rows["id"][:], texts, strict=True))

    def references(self, rows: datasets.Dataset) -> list[list[str] | None]:
        """Gold answer texts per question; None where a file has no answers (XTREME's stripped
        test files hold one empty answer per question). SQuAD v2.0: [] = unanswerable."""
        out: list[list[str] | None] = []
        for answers in rows["answers"][:]:
            texts = list(answers["text"])
            if self.with_negatives:
                out.append(texts)
            else:
                out.append(texts if any(t for t in texts) else None)
        return out

    def write_predictions(self, path: Path, predictions: Sequence[tuple[str, str]]) -> None:
        """XTREME's QA submission format: one JSON object, question id -> answer text."""
        harness.atomic_write_json(path, {qid: text for qid, text in predictions})

    def read_submission(
        self, predictions: Path, labels: Path, language: str
    ) -> tuple[list[str | None], list[list[str]]]:
        """evaluate.py's QA reading: every question of the label file, in order, with the
        predicted answer looked up by id (None, scored 0, when the question is unanswered)."""
        from harness.scoring import read_squad

        answers = read_squad(predictions)
        if not isinstance(answers, dict):
            raise HarnessError(
                f"{predictions}: expected one JSON object mapping question id to answer text"
            )
        gold = read_squad(labels)
        preds: list[str | None] = []
        refs: list[list[str]] = []
        try:
            for article in gold:
                for paragraph in article["paragraphs"]:
                    for qa in paragraph["qas"]:
                        qid = qa["id"]
                        preds.append(
                            _text(answers[qid], qid, predictions) if qid in answers else None
                        )
                        refs.append([_text(a["text"], qid, labels) for a in qa["answers"]])
        except (KeyError, TypeError) as exc:
            raise HarnessError(f"{labels}: not a SQuAD-format label file (missing {exc})") from None
        return preds, refs


def _text(answer: Any, qid: Any, path: Path) -> str:
    """An answer read from a submission or label file; anything but text is an error naming
    the file and question id (evaluate.py would crash inside its normaliser)."""
    if isinstance(answer, str):
        return answer
    raise HarnessError(
        f"{path}: answer to question {json.dumps(qid)} is {json.dumps(answer)[:40]}, "
        'expected a string; write the answer text ("" for no answer)'
    )
