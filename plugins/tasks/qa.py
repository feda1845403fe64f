"""Extractive question answering: XQuAD, MLQA and TyDiQA-GoldP targets; SQuAD v1.1/v2.0 intermediates.

Every task is one :class:`ExtractiveQATask` record. All five datasets ship SQuAD-style JSON
(``{"data": [{"title", "paragraphs": [{"context", "qas": [{"id", "question", "answers":
[{"text", "answer_start"}]}]}]}]}``; v2.0 adds ``is_impossible``), read here from XTREME's
download layout (``squad/``, ``xquad/``, ``mlqa/MLQA_V1/``, ``tydiqa/``); Hub readers map the
shared Hub schema (``id``, ``title``, ``context``, ``question``, ``answers{text,
answer_start}``) onto the same rows.

As in XTREME, XQuAD and MLQA train on SQuAD v1.1 (their ``train`` split *is*
``squad/train-v1.1.json``) and TyDiQA-GoldP on its English training file; XQuAD has only a
test split, TyDiQA-GoldP's dev set is XTREME's test set, MLQA has both. XTREME's download
strips the answers of those test files (one empty answer per question): such a split is
predicted but not scored, unless evaluate.py's label folder (``labels/{task}/test-{lang}.json``)
holds its answers.

The model sees each question with windows over its context (``doc_stride`` tokens apart);
decoding searches the ``n_best`` start and end logits of every window of a question for the
best span of at most ``max_answer_length`` tokens and cuts its text out of the original
context through the tokenizer's character offsets. SQuAD v2.0 answers nothing when the
best window's null (CLS) score beats the best span by more than ``null_score_diff_threshold``.
Predictions are written as XTREME's submission files: ``{question id: answer text}``.

Every answer's text must be the context's text at its ``answer_start`` (XTREME's
utils_preprocess asserts the same of the files it writes). The Hub's XQuAD and TyDiQA
loaders strip contexts and answer texts without moving the offsets, so an answer found
within ``OFFSET_SHIFT_LIMIT`` characters of its offset has the offset corrected to it;
one found nowhere near it is an error naming the file and question. MLQA's Hub repository
ships only a loading script, which ``datasets`` 4 no longer runs: it is read from the Hub's
parquet conversion of that script's output (``refs/convert/parquet``, folder
``mlqa.{lang}.{lang}``).
"""

from __future__ import annotations

import json
import logging
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import harness
from harness._lazy import lazy_module
from harness.errors import HarnessError

datasets = lazy_module("datasets")
np = lazy_module("numpy")

SAMPLE_ROOT = Path(__file__).parent / "data"
LOG = logging.getLogger(__name__)
PARQUET_EXPORT = "refs/convert/parquet"
"""Branch where the Hub keeps a parquet copy of every dataset, script-built ones included."""
OFFSET_SHIFT_LIMIT = 32
"""How many characters from its ``answer_start`` an answer may be found and have the offset
corrected (stripped contexts lose their leading whitespace, stripped answers theirs)."""
XQUAD_LANGUAGES = ("ar", "de", "el", "en", "es", "hi", "ru", "th", "tr", "vi", "zh")
MLQA_LANGUAGES = ("ar", "de", "en", "es", "hi", "vi", "zh")
TYDIQA_LANGUAGE_NAMES = {
    "ar": "arabic",
    "bn": "bengali",
    "en": "english",
    "fi": "finnish",
    "id": "indonesian",
    "ko": "korean",
    "ru": "russian",
    "sw": "swahili",
    "te": "telugu",
}
"""TyDiQA-GoldP's languages; its question ids start with the language's English name
(``arabic-...``)."""
TYDIQA_LANGUAGES = tuple(TYDIQA_LANGUAGE_NAMES)

SETTINGS = {
    "doc_stride": 128,
    "max_query_length": 64,
    "max_answer_length": 30,
    "n_best": 20,
}
"""XTREME's run_squad.py defaults (``--doc_stride 128 --max_query_length 64
--max_answer_length 30 --n_best_size 20``)."""
V2_SETTINGS = {**SETTINGS, "null_score_diff_threshold": 0.0}

Row = dict[str, Any]
Layout = Callable[[str, str], list[str | tuple[str, ...]]]
HubReader = Callable[["ExtractiveQATask", str, str], "datasets.Dataset"]


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
class ExtractiveQATask(harness.Task):
    """A SQuAD-format span-extraction task (with unanswerable questions when ``with_negatives``)."""

    local_layout: Layout
    """(split, language) -> file paths relative to the data root; a tuple lists the names
    different releases give one file (the first that exists is read; the first is expected)."""
    hub_reader: HubReader | None = None
    with_negatives: bool = False
    head: str = "question-answering"
    evaluator: str = "squad"
    main_metric: str = "f1"
    prediction_suffix: str = ".json"

    def __post_init__(self) -> None:
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
    def local_files(self, split: str, language: str, root: Path) -> list[Path]:
        paths = []
        for entry in self.local_layout(split, language):
            names = (entry,) if isinstance(entry, str) else entry
            found = [root / name for name in names if (root / name).is_file()]
            paths.append(found[0] if found else root / names[0])
        return paths

    def read_local(self, split: str, language: str, root: Path) -> list[Row]:
        """Rows of the split's files; gold answers of test files whose answers XTREME's download
        strips come from evaluate.py's label folder, ``labels/{task}/{split}-{lang}.json``."""
        rows: list[Row] = []
        for path in self.local_files(split, language, root):
            rows += read_squad_file(path, self.with_negatives, unique_ids=split != "train")
        labels_file = root / "labels" / (self.xtreme_name or self.name) / f"{split}-{language}.json"
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

    def read_hub(self, split: str, language: str) -> datasets.Dataset:
        if self.hub_reader is None:
            raise HarnessError(
                f"task '{self.name}' has no Hugging Face Hub source; use --data PATH"
            )
        return self.hub_reader(self, split, language)  # Task.load explains failures

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
            features["example_id"],
            features["offset_mapping"],
            features["cls_index"],
            rows["example_id"],
            rows["context"],
            n_best=int(self.settings["n_best"]),
            max_answer_length=int(self.settings["max_answer_length"]),
            null_threshold=None if threshold is None else float(threshold),
        )
        return list(zip(rows["id"], texts, strict=True))

    def references(self, rows: datasets.Dataset) -> list[list[str] | None]:
        """Gold answer texts per question; None where a file has no answers (XTREME's stripped
        test files hold one empty answer per question). SQuAD v2.0: [] = unanswerable."""
        out: list[list[str] | None] = []
        for answers in rows["answers"]:
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


# --------------------------------------------------------------------------- windows
def _question_cap(tokenizer: Any, max_length: int, max_query_length: int) -> int:
    specials = tokenizer.num_special_tokens_to_add(pair=True)
    room = max_length - specials
    if room < 2:
        raise HarnessError(f"max_length {max_length} leaves no room for a question and a context")
    return max(1, min(max_query_length, room // 2))


def encode_windows(
    batch: dict[str, list],
    tokenizer: Any,
    max_length: int,
    doc_stride: int,
    max_query_length: int,
) -> dict[str, list]:
    """Question + context windows for a batch of rows (several features per row).

    Questions are cut to ``max_query_length`` tokens (never more than half the window). The
    context is cut into windows whose starts are ``doc_stride`` tokens apart (XTREME's,
    i.e. BERT's, meaning of the stride), capped at half a window so that consecutive windows
    always overlap and an answer cut by one window's edge lies whole in the next.

    Returns the model inputs, ``start_positions``/``end_positions`` (the CLS index when the
    window does not hold the whole first answer, or the question has none), and for decoding
    ``example_id``, ``cls_index`` and ``offset_mapping`` (character span in the original
    context per token, None for question and special tokens).
    """
    if not getattr(tokenizer, "is_fast", False):
        raise HarnessError(
            "question answering needs a fast (Rust) tokenizer for character offsets; "
            f"{type(tokenizer).__name__} is not one"
        )
    cap = _question_cap(tokenizer, max_length, max_query_length)
    specials = tokenizer.num_special_tokens_to_add(pair=True)
    questions = [q.lstrip() for q in batch["question"]]
    contexts = batch["context"]
    bare = bare_piece_id(tokenizer)
    encoded_q = tokenizer(questions, add_special_tokens=False, return_offsets_mapping=True)
    for i, offsets in enumerate(encoded_q["offset_mapping"]):
        if len(offsets) > cap:
            last = _own_span(offsets[cap - 1], encoded_q["input_ids"][i][cap - 1], bare)
            questions[i] = questions[i][: last[1]]
    q_lengths = [len(ids) for ids in tokenizer(questions, add_special_tokens=False)["input_ids"]]
    # one tokenizer call per overlap size: the overlap depends on the question's length
    groups: dict[int, list[int]] = {}
    for i, q_len in enumerate(q_lengths):
        room = max_length - specials - q_len
        if room < 1:
            raise HarnessError(
                f"question {batch.get('id', [None] * len(questions))[i]!r} leaves no room for "
                f"its context in {max_length} tokens; raise max_length"
            )
        step = min(doc_stride, max(1, room // 2))
        groups.setdefault(room - step, []).append(i)

    per_row: list[list[dict[str, Any]]] = [[] for _ in questions]
    for overlap, members in groups.items():
        enc = tokenizer(
            [questions[i] for i in members],
            [contexts[i] for i in members],
            truncation="only_second",
            max_length=max_length,
            stride=overlap,
            return_overflowing_tokens=True,
            return_offsets_mapping=True,
        )
        windows: dict[int, list[int]] = {}
        for f, sample in enumerate(enc["overflow_to_sample_mapping"]):
            windows.setdefault(members[sample], []).append(f)
        for row, feature_ids in windows.items():
            per_row[row] = _row_features(enc, feature_ids, batch, row, tokenizer.cls_token_id, bare)

    out: dict[str, list] = {}
    for features in per_row:
        for feature in features:
            for key, value in feature.items():
                out.setdefault(key, []).append(value)
    return out


def _row_features(
    enc: Any,
    feature_ids: list[int],
    batch: dict[str, list],
    row: int,
    cls_id: int | None,
    bare: int | None = None,
) -> list[dict]:
    """The windows of one row; the CLS token (first for every ``transformers`` QA head) scores
    "no answer" and labels windows without the answer."""
    context = batch["context"][row]
    answers = batch["answers"][row]
    span = None
    if answers["text"] and answers["text"][0]:
        start = answers["answer_start"][0]
        span = (start, start + len(answers["text"][0]))
    windows = []
    token_starts: set[int] = set()
    for f in feature_ids:
        sequence_ids = enc.sequence_ids(f)
        offsets = [
            _own_span(o, i, bare) if s == 1 else None
            for o, i, s in zip(
                enc["offset_mapping"][f], enc["input_ids"][f], sequence_ids, strict=True
            )
        ]
        token_starts.update(o[0] for o in offsets if o is not None)
        windows.append((f, offsets))
    features = []
    for f, offsets in windows:
        offsets = [_with_marks(o, context, token_starts) for o in offsets]
        input_ids = enc["input_ids"][f]
        cls = input_ids.index(cls_id) if cls_id in input_ids else 0
        start_pos, end_pos = _label(offsets, span, cls)
        feature = {
            "input_ids": input_ids,
            "attention_mask": enc["attention_mask"][f],
            "start_positions": start_pos,
            "end_positions": end_pos,
            "example_id": batch["example_id"][row],
            "cls_index": cls,
            "offset_mapping": [list(o) if o is not None else None for o in offsets],
        }
        if "token_type_ids" in enc:
            feature["token_type_ids"] = enc["token_type_ids"][f]
        features.append(feature)
    return features


def bare_piece_id(tokenizer: Any) -> int | None:
    """Id of the bare word-start piece ``▁`` of a sentencepiece tokenizer (XLM-R's), or None."""
    piece = tokenizer.convert_tokens_to_ids("\u2581")
    return None if piece is None or piece == tokenizer.unk_token_id else piece


def _own_span(offset: Sequence[int], token: int, bare: int | None) -> tuple[int, int]:
    """A token's character span, empty for the bare ``▁`` piece.

    XLM-R writes a word whose first character starts no piece of its own (北京, a Thai word
    after a space) as ``▁`` + pieces, and gives the bare ``▁`` the span of the word's first
    character, which the next piece covers too. Owning it twice put an answer's end label
    before its start label and let a span end on the ``▁`` and cut into the next word: the
    ``▁`` gets an empty span where the word starts.
    """
    start, end = offset
    return (start, start) if token == bare else (start, end)


def _with_marks(
    offset: tuple[int, int] | None, context: str, token_starts: set[int]
) -> tuple[int, int] | None:
    """Extend a token's end over combining marks its tokenizer dropped (BERT's accent
    stripping removes Devanagari vowel signs, Arabic harakat...): they belong to the
    preceding letter, so an answer must keep them."""
    if offset is None:
        return None
    start, end = offset
    while (
        end < len(context)
        and context[end] >= "\u0300"  # below U+0300 nothing is a combining mark: skip fast
        and end not in token_starts
        and unicodedata.category(context[end]).startswith("M")
    ):
        end += 1
    return (start, end)


def _label(
    offsets: list[tuple[int, int] | None], span: tuple[int, int] | None, cls: int
) -> tuple[int, int]:
    """Token positions of ``span`` in one window, or (cls, cls) when it is not wholly inside."""
    if span is None:
        return cls, cls
    inside = [i for i, o in enumerate(offsets) if o is not None]
    if not inside:
        return cls, cls
    first, last = inside[0], inside[-1]
    start_char, end_char = span
    if offsets[first][0] > start_char or offsets[last][1] < end_char:
        return cls, cls
    start = first
    while start <= last and offsets[start][0] <= start_char:
        start += 1
    end = last
    while end >= first and offsets[end][1] >= end_char:
        end -= 1
    return start - 1, end + 1


# --------------------------------------------------------------------------- span search
def best_spans(
    outputs: Sequence[np.ndarray],
    feature_examples: Sequence[int],
    feature_offsets: Sequence[list],
    feature_cls: Sequence[int],
    row_examples: Sequence[int],
    row_contexts: Sequence[str],
    n_best: int,
    max_answer_length: int,
    null_threshold: float | None = None,
) -> list[str]:
    """The best answer text per row from the [T, 2] start/end logits of each of its windows.

    Candidates pair the ``n_best`` highest start and end logits of a window; both ends must
    be context tokens, the end not before the start, and the span at most
    ``max_answer_length`` tokens; the score is start + end logit. With ``null_threshold``
    (SQuAD v2.0) the answer is "" when the lowest null score of the row's windows (CLS start
    + end logit) exceeds the best span's score by more than the threshold.
    """
    by_example: dict[int, list[int]] = {}
    for f, example in enumerate(feature_examples):
        by_example.setdefault(int(example), []).append(f)
    answers = []
    for example, context in zip(row_examples, row_contexts, strict=True):
        best_score, best_text = -np.inf, ""
        null_score = np.inf
        for f in by_example.get(int(example), []):
            logits = np.asarray(outputs[f])
            offsets = feature_offsets[f]
            start_logits, end_logits = logits[:, 0], logits[:, 1]
            cls = int(feature_cls[f])
            null_score = min(null_score, float(start_logits[cls] + end_logits[cls]))
            starts = np.argsort(start_logits)[::-1][:n_best]
            ends = np.argsort(end_logits)[::-1][:n_best]
            for s in starts:
                if offsets[s] is None:
                    continue
                for e in ends:
                    if offsets[e] is None or e < s or e - s + 1 > max_answer_length:
                        continue
                    if offsets[e][1] <= offsets[s][0]:  # bare ▁ pieces only: no text
                        continue
                    score = float(start_logits[s] + end_logits[e])
                    if score > best_score:
                        best_score = score
                        # a span ending on a bare ▁ takes the space before its word
                        best_text = context[offsets[s][0] : offsets[e][1]].strip()
        if null_threshold is not None and null_score - best_score > null_threshold:
            best_text = ""
        answers.append(best_text)
    return answers


# --------------------------------------------------------------------------- layouts and Hub
SQUAD_TRAIN = "squad/train-v1.1.json"


def _squad_layout(version: str) -> Layout:
    return lambda split, lang: [f"squad/{'train' if split == 'train' else 'dev'}-v{version}.json"]


def _xquad_layout(split: str, lang: str) -> list[str]:
    return [SQUAD_TRAIN] if split == "train" else [f"xquad/xquad.{lang}.json"]


def _mlqa_layout(split: str, lang: str) -> list[str]:
    if split == "train":
        return [SQUAD_TRAIN]
    return [f"mlqa/MLQA_V1/{split}/{split}-context-{lang}-question-{lang}.json"]


def _tydiqa_layout(split: str, lang: str) -> list[str | tuple[str, ...]]:
    """XTREME's utils_preprocess names the files ``tydiqa.goldp.{lang}.{split}.json``; its
    earlier versions wrote ``tydiqa.{lang}.{split}.json``: either is read."""
    folder, part = ("train", "train") if split == "train" else ("dev", "dev")
    base = f"tydiqa/tydiqa-goldp-v1.1-{folder}"
    return [(f"{base}/tydiqa.goldp.{lang}.{part}.json", f"{base}/tydiqa.{lang}.{part}.json")]


def _hub(repo: str, config: str | None, split: str) -> datasets.Dataset:
    return from_hub_schema(datasets.load_dataset(repo, config, split=split), f"{repo}:{split}")


def _hub_parquet_export(repo: str, config: str, split: str) -> datasets.Dataset:
    """A config of a script-only repository from the Hub's parquet conversion of it."""
    ds = datasets.load_dataset(repo, data_dir=config, revision=PARQUET_EXPORT, split=split)
    return from_hub_schema(ds, f"{repo}@{PARQUET_EXPORT}:{config}/{split}")


def _squad_hub(repo: str) -> HubReader:
    def read(task: ExtractiveQATask, split: str, lang: str) -> datasets.Dataset:
        return _hub(repo, None, "train" if split == "train" else "validation")

    return read


def _xquad_hub(task: ExtractiveQATask, split: str, lang: str) -> datasets.Dataset:
    if split == "train":
        return _hub("rajpurkar/squad", None, "train")
    return _hub("google/xquad", f"xquad.{lang}", "validation")


def _mlqa_hub(task: ExtractiveQATask, split: str, lang: str) -> datasets.Dataset:
    if split == "train":
        return _hub("rajpurkar/squad", None, "train")
    # facebook/mlqa ships only a loading script: read its parquet conversion
    return _hub_parquet_export(
        "facebook/mlqa", f"mlqa.{lang}.{lang}", "validation" if split == "dev" else "test"
    )


def _tydiqa_hub(task: ExtractiveQATask, split: str, lang: str) -> datasets.Dataset:
    """The Hub holds one secondary_task (GoldP) set for all languages; ids name the language."""
    ds = _hub(
        "google-research-datasets/tydiqa",
        "secondary_task",
        "train" if split == "train" else "validation",
    )
    prefix = TYDIQA_LANGUAGE_NAMES[lang] + "-"
    return ds.filter(lambda batch: [i.startswith(prefix) for i in batch["id"]], batched=True)


# --------------------------------------------------------------------------- the tasks
SQUAD = ExtractiveQATask(
    name="squad",
    description="SQuAD v1.1 (Rajpurkar et al. 2016): English extractive QA; XTREME's training "
    "data for XQuAD and MLQA.",
    languages=("en",),
    roles=("intermediate",),
    eval_splits=("dev",),
    hub_id="rajpurkar/squad",
    sample_root=SAMPLE_ROOT,
    homepage="https://rajpurkar.github.io/SQuAD-explorer/",
    settings=dict(SETTINGS),
    local_layout=_squad_layout("1.1"),
    hub_reader=_squad_hub("rajpurkar/squad"),
)

SQUAD_V2 = ExtractiveQATask(
    name="squad_v2",
    description="SQuAD v2.0 (Rajpurkar et al. 2018): SQuAD with unanswerable questions; an "
    "intermediate task in Phang et al. 2020.",
    languages=("en",),
    roles=("intermediate",),
    eval_splits=("dev",),
    evaluator="squad_v2",
    with_negatives=True,
    hub_id="rajpurkar/squad_v2",
    sample_root=SAMPLE_ROOT,
    homepage="https://rajpurkar.github.io/SQuAD-explorer/",
    settings=dict(V2_SETTINGS),
    local_layout=_squad_layout("2.0"),
    hub_reader=_squad_hub("rajpurkar/squad_v2"),
)

XQUAD = ExtractiveQATask(
    name="xquad",
    description="XQuAD (Artetxe et al. 2020): SQuAD v1.1 dev paragraphs translated into 10 "
    "languages; train on SQuAD v1.1, test zero-shot in 11 languages.",
    languages=XQUAD_LANGUAGES,
    roles=("target",),
    eval_splits=("test",),
    xtreme_name="xquad",
    hub_id="google/xquad",
    sample_root=SAMPLE_ROOT,
    homepage="https://github.com/google-deepmind/xquad",
    settings=dict(SETTINGS),
    local_layout=_xquad_layout,
    hub_reader=_xquad_hub,
)

MLQA = ExtractiveQATask(
    name="mlqa",
    description="MLQA (Lewis et al. 2020): context and question in the same language, 7 "
    "languages; train on SQuAD v1.1; scored with MLQA's language-aware EM/F1.",
    languages=MLQA_LANGUAGES,
    roles=("target",),
    eval_splits=("dev", "test"),
    evaluator="mlqa",
    xtreme_name="mlqa",
    hub_id="facebook/mlqa",
    sample_root=SAMPLE_ROOT,
    homepage="https://github.com/facebookresearch/MLQA",
    settings=dict(SETTINGS),
    local_layout=_mlqa_layout,
    hub_reader=_mlqa_hub,
)

TYDIQA = ExtractiveQATask(
    name="tydiqa",
    description="TyDiQA-GoldP (Clark et al. 2020): gold-passage QA in 9 typologically diverse "
    "languages; train on its English training set; XTREME tests on the dev set.",
    languages=TYDIQA_LANGUAGES,
    roles=("target",),
    eval_splits=("test",),
    xtreme_name="tydiqa",
    hub_id="google-research-datasets/tydiqa",
    sample_root=SAMPLE_ROOT,
    homepage="https://github.com/google-research-datasets/tydiqa",
    settings=dict(SETTINGS),
    local_layout=_tydiqa_layout,
    hub_reader=_tydiqa_hub,
)

TASKS = (SQUAD, SQUAD_V2, XQUAD, MLQA, TYDIQA)


@harness.hookimpl
def register_tasks(register):
    for task in TASKS:
        register(task)
