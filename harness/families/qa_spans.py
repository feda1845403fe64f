"""Extractive QA on sub-word windows: question + context windows for a fast tokenizer, and
the best answer span per question from the windows' start/end logits.

Works for any SQuAD-style row (``question``, ``context``, ``answers{text, answer_start}``)
and any ``transformers`` fast tokenizer (WordPiece, sentencepiece); used by
:class:`harness.families.qa.ExtractiveQATask`.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from typing import Any

from harness._lazy import lazy_module
from harness.errors import HarnessError

np = lazy_module("numpy")

__all__ = ["bare_piece_id", "best_spans", "encode_windows"]


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
