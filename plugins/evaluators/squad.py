"""Extractive-QA scorers: SQuAD v1.1 and v2.0 EM/F1 and MLQA's language-aware EM/F1.

Each restates an official definition so the numbers equal the official scripts' (which XTREME's
``evaluate.py`` calls through ``third_party/evaluate_squad.py`` and ``evaluate_mlqa.py``) to the
last bit, not merely approximately:

- ``squad`` (XQuAD, TyDiQA-GoldP, SQuAD v1.1): lower-case, drop ASCII punctuation
  (``string.punctuation``), drop the words a/an/the, collapse whitespace; EM is equality of the
  normalised strings, F1 the bag-of-tokens overlap (0 when nothing overlaps, so two empty
  answers score EM 1 but F1 0); best over the gold answers; ``100.0 * sum / total``.
- ``mlqa``: the same, except that punctuation is every Unicode ``P*`` character plus
  ``string.punctuation``, articles are the answer language's (none for hi/zh; for ar, every
  occurrence of "ال", wherever it stands in a word, is replaced by a space, which is what the
  official pattern matches), and Chinese is split into single CJK characters
  (U+4E00-U+9FA5) around whitespace-separated runs ("mixed segmentation").
- ``squad_v2``: v1.1 normalisation, but gold answers that normalise to nothing are dropped (none
  left: the gold is the empty answer) and F1 is 1 when both sides are empty; HasAns/NoAns
  breakdowns over questions with/without gold answers (official ``evaluate-v2.0.py`` with its
  default no-answer threshold, under which no prediction is overridden).

Metric names are ``exact_match``/``f1`` as XTREME prints them (v2: also ``has_ans_*`` and
``no_ans_*``, the official ``HasAns_exact``... in lower case), in percent.
"""

from __future__ import annotations

import re
import string
import unicodedata
from collections import Counter
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

import harness

_ASCII_PUNCT = frozenset(string.punctuation)
_EN_ARTICLES = re.compile(r"\b(a|an|the)\b")
MLQA_LANGUAGES = ("ar", "de", "en", "es", "hi", "vi", "zh")
_MLQA_ARTICLES = {
    "en": re.compile(r"\b(a|an|the)\b"),
    "es": re.compile(r"\b(un|una|unos|unas|el|la|los|las)\b"),
    "vi": re.compile(r"\b(của|là|cái|chiếc|những)\b"),
    "de": re.compile(r"\b(ein|eine|einen|einem|eines|einer|der|die|das|den|dem|des)\b"),
}


# --------------------------------------------------------------------------- normalisation
def squad_normalize(text: str) -> str:
    """SQuAD v1.1 (and v2.0) answer normalisation."""
    text = "".join(ch for ch in text.lower() if ch not in _ASCII_PUNCT)
    return " ".join(_EN_ARTICLES.sub(" ", text).split())


@lru_cache(maxsize=65536)
def is_mlqa_punct(ch: str) -> bool:
    """MLQA's punctuation: any Unicode ``P*`` category, plus ASCII ``string.punctuation``
    (which also counts the symbols $+<=>^`|~)."""
    return ch in _ASCII_PUNCT or unicodedata.category(ch).startswith("P")


def _is_cjk(ch: str) -> bool:
    return "\u4e00" <= ch <= "\u9fa5"


def mixed_segmentation(text: str) -> list[str]:
    """Whitespace tokens, with every CJK ideograph (and punctuation mark) a token of its own."""
    tokens: list[str] = []
    run: list[str] = []
    for ch in text:
        if _is_cjk(ch) or is_mlqa_punct(ch):
            tokens += "".join(run).split()
            run = []
            tokens.append(ch)
        else:
            run.append(ch)
    tokens += "".join(run).split()
    return tokens


def mlqa_normalize(text: str, language: str) -> str:
    """MLQA's answer normalisation in ``language`` (one of :data:`MLQA_LANGUAGES`)."""
    if language not in MLQA_LANGUAGES:
        raise harness.HarnessError(
            f"the mlqa evaluator has no rules for language '{language}' "
            f"(it knows: {', '.join(MLQA_LANGUAGES)})"
        )
    text = "".join(ch for ch in text.lower() if not is_mlqa_punct(ch))
    if language in _MLQA_ARTICLES:
        text = _MLQA_ARTICLES[language].sub(" ", text)
    elif language == "ar":
        text = text.replace("ال", " ")
    tokens = mixed_segmentation(text) if language == "zh" else text.split()
    return " ".join(t for t in tokens if t.strip())


# --------------------------------------------------------------------------- per-answer scores
def _overlap_f1(prediction_tokens: list[str], gold_tokens: list[str]) -> float:
    same = sum((Counter(prediction_tokens) & Counter(gold_tokens)).values())
    if same == 0:
        return 0
    precision = 1.0 * same / len(prediction_tokens)
    recall = 1.0 * same / len(gold_tokens)
    return (2 * precision * recall) / (precision + recall)


def _texts(predictions: Sequence[Any]) -> list[str | None]:
    """Answer texts: the QA tasks decode (question id, text) pairs; plain strings work too."""
    return [p[1] if isinstance(p, tuple) else p for p in predictions]


def _check(predictions: Sequence[Any], references: Sequence[Any]) -> None:
    if len(predictions) != len(references):
        raise harness.HarnessError(
            f"{len(predictions)} predictions for {len(references)} questions"
        )
    if not references:
        raise harness.HarnessError("no questions to score")


def _v1_scores(
    predictions: Sequence[str | None], references: Sequence[Sequence[str]], normalize: Any
) -> dict[str, float]:
    """The v1.1/MLQA loop; ``None`` marks a question without prediction (scores 0, counted)."""
    exact = f1 = total = 0
    for n, (prediction, golds) in enumerate(zip(predictions, references, strict=True)):
        total += 1
        if not golds:
            raise harness.HarnessError(
                f"question {n} has no gold answer; SQuAD v1.1-style scoring needs at least one"
            )
        if prediction is None:
            continue
        pred_norm = normalize(prediction)
        golds_norm = [normalize(g) for g in golds]
        exact += max(pred_norm == g for g in golds_norm)
        f1 += max(_overlap_f1(pred_norm.split(), g.split()) for g in golds_norm)
    return {"exact_match": 100.0 * exact / total, "f1": 100.0 * f1 / total}


def squad_v1_scores(
    predictions: Sequence[str | None], references: Sequence[Sequence[str]]
) -> dict[str, float]:
    """Official SQuAD v1.1 EM/F1 of aligned predictions and gold answer lists."""
    _check(predictions, references)
    return _v1_scores(_texts(predictions), references, squad_normalize)


def mlqa_scores(
    predictions: Sequence[str | None], references: Sequence[Sequence[str]], language: str
) -> dict[str, float]:
    """Official MLQA EM/F1 in the answer language ``language``."""
    _check(predictions, references)
    mlqa_normalize("", language)  # unknown language: fail before scoring anything
    return _v1_scores(_texts(predictions), references, lambda text: mlqa_normalize(text, language))


def squad_v2_scores(
    predictions: Sequence[str | None], references: Sequence[Sequence[str]]
) -> dict[str, float]:
    """Official SQuAD v2.0 scores (no-answer threshold at its default: nothing overridden).

    An empty reference list is an unanswerable question. Every question needs a prediction
    (the official script fails on a missing one when it breaks scores down by HasAns/NoAns).
    """
    _check(predictions, references)
    predictions = _texts(predictions)
    exact: list[int] = []
    f1: list[float] = []
    for n, (prediction, golds) in enumerate(zip(predictions, references, strict=True)):
        if prediction is None:
            raise harness.HarnessError(f"no prediction for question {n}")
        kept = [g for g in golds if squad_normalize(g)] or [""]
        pred_norm = squad_normalize(prediction)
        pred_tokens = pred_norm.split()
        exact.append(max(int(squad_normalize(g) == pred_norm) for g in kept))
        f1.append(max(_v2_f1(squad_normalize(g).split(), pred_tokens) for g in kept))
    scores = {
        "exact_match": 100.0 * sum(exact) / len(exact),
        "f1": 100.0 * sum(f1) / len(exact),
    }
    for prefix, wanted in (("has_ans", True), ("no_ans", False)):
        ids = [n for n, golds in enumerate(references) if bool(golds) == wanted]
        if ids:
            scores[f"{prefix}_exact_match"] = 100.0 * sum(exact[n] for n in ids) / len(ids)
            scores[f"{prefix}_f1"] = 100.0 * sum(f1[n] for n in ids) / len(ids)
    return scores


def _v2_f1(gold_tokens: list[str], prediction_tokens: list[str]) -> float:
    if not gold_tokens or not prediction_tokens:
        return int(gold_tokens == prediction_tokens)
    return _overlap_f1(prediction_tokens, gold_tokens)


# --------------------------------------------------------------------------- evaluators
class SquadV1(harness.Evaluator):
    def score(
        self, predictions: Sequence[Any], references: Sequence[Any], language: str | None = None
    ) -> dict[str, float]:
        return squad_v1_scores(predictions, references)


class MLQA(harness.Evaluator):
    def score(
        self, predictions: Sequence[Any], references: Sequence[Any], language: str | None = None
    ) -> dict[str, float]:
        if language is None:
            raise harness.HarnessError("the mlqa evaluator needs the answer language")
        return mlqa_scores(predictions, references, language)


class SquadV2(harness.Evaluator):
    def score(
        self, predictions: Sequence[Any], references: Sequence[Any], language: str | None = None
    ) -> dict[str, float]:
        return squad_v2_scores(predictions, references)


EVALUATORS = (
    SquadV1(
        name="squad",
        description="SQuAD v1.1 exact match and F1 (official script; XTREME's XQuAD/TyDiQA scorer)",
        metrics=("exact_match", "f1"),
    ),
    MLQA(
        name="mlqa",
        description="MLQA exact match and F1 with per-language normalisation (official script)",
        metrics=("exact_match", "f1"),
    ),
    SquadV2(
        name="squad_v2",
        description="SQuAD v2.0 exact match and F1 with unanswerable questions (official script)",
        metrics=(
            "exact_match",
            "f1",
            "has_ans_exact_match",
            "has_ans_f1",
            "no_ans_exact_match",
            "no_ans_f1",
        ),
    ),
)


@harness.hookimpl
def register_evaluators(register):
    for evaluator in EVALUATORS:
        register(evaluator)
