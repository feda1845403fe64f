"""Tagging scores: seqeval F1 exactly as XTREME's evaluate.py computes it, and token accuracy.

``seqeval`` (PAN-X and UD-POS). evaluate.py reads a prediction and a label file with
``read_tag`` (stripped lines, one tag per line, a blank line ends a sentence) and reports
``seqeval.metrics`` ``f1_score``, ``precision_score`` and ``recall_score`` of
``(labels, predictions)`` (micro average, default conlleval-style chunking), times 100. We call
the same seqeval functions on the same nested lists, so the floats are the same (submission
files are read by the task, :meth:`TaggingTask.read_submission`, with evaluate.py's reader).

The UD-POS quirk: evaluate.py scores POS tags as if they were IOB chunk tags. seqeval (1.x,
what XTREME's unpinned ``pip install seqeval`` installs) splits a tag into a *prefix*, its first
character, and a *type*, the rest after the first ``-`` (or the whole rest; ``_`` if empty):
``NOUN`` is prefix ``N``, type ``OUN``. Consequences:

* a run of equal tags is ONE chunk: gold ``NOUN NOUN VERB`` vs predicted ``NOUN VERB VERB`` has
  chunks {OUN 0-1, ERB 2} vs {OUN 0, ERB 1-2}: F1 0 although two of three tags are right;
* ``CCONJ`` and ``SCONJ`` share the type ``CONJ``;
* prefixes that mean something in IOBES do so here: ``SCONJ`` and ``SYM`` (``S``, single) are
  one-word chunks, and an ``SCONJ`` right after a ``CCONJ`` (same type) silently discards the
  ``CCONJ`` chunk; ``INTJ``'s ``I`` changes nothing (no other tag has type ``NTJ``), and no UPOS
  tag starts with ``B``, ``E`` or ``O``;
* ``X`` has type ``_``, the type of the ``O`` that seqeval puts after every sentence, so an ``X``
  chunk at the end of a sentence is never closed and never counted (gold ``SYM SYM`` vs
  predicted ``SYM X``: precision 1/1, recall 1/2);
* sentences are joined with an ``O`` between them, so chunks never cross sentences.

So UD-POS "F1" is an F1 over runs of equal tags, not token accuracy; we report what XTREME
reports. (seqeval < 1.0, current when XTREME was released, took the whole tag as the type;
that differs only where CCONJ meets SCONJ and for ``X``.)

``tag-accuracy`` (CCG supertagging, as jiant scores it): correct tags / all tags * 100.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import Any

import harness
from harness._lazy import lazy_module

metrics = lazy_module("seqeval.metrics")  # imports scikit-learn: only when scoring


def _check(predictions: Sequence[Any], references: Sequence[Any]) -> None:
    if len(predictions) != len(references):
        raise harness.HarnessError(
            f"{len(predictions)} predicted sentences for {len(references)} references"
        )
    if not predictions:
        raise harness.HarnessError("no predictions to score")
    for i, (p, r) in enumerate(zip(predictions, references, strict=True)):
        if len(p) != len(r):
            raise harness.HarnessError(
                f"sentence {i}: {len(p)} predicted tags for {len(r)} reference tags"
            )


class SeqevalF1(harness.Evaluator):
    """seqeval micro F1/precision/recall over sentences of tags, in percent."""

    def score(
        self, predictions: Sequence[Any], references: Sequence[Any], language: str | None = None
    ) -> dict[str, float]:
        _check(predictions, references)
        labels = [list(map(str, r)) for r in references]
        predicted = [list(map(str, p)) for p in predictions]
        with warnings.catch_warnings():
            # "NOUN seems not to be NE tag" for every POS tag; zero-division warnings
            warnings.simplefilter("ignore")
            f1 = metrics.f1_score(labels, predicted)
            precision = metrics.precision_score(labels, predicted)
            recall = metrics.recall_score(labels, predicted)
        return {
            "f1": float(f1 * 100),
            "precision": float(precision * 100),
            "recall": float(recall * 100),
        }


class TagAccuracy(harness.Evaluator):
    """Share of tokens whose tag is right, in percent (CCG supertagging)."""

    def score(
        self, predictions: Sequence[Any], references: Sequence[Any], language: str | None = None
    ) -> dict[str, float]:
        _check(predictions, references)
        pairs = [
            (p, r)
            for ps, rs in zip(predictions, references, strict=True)
            for p, r in zip(ps, rs, strict=True)
        ]
        if not pairs:
            raise harness.HarnessError("no tags to score")
        correct = sum(int(str(p) == str(r)) for p, r in pairs)
        return {"accuracy": float(correct) / len(pairs) * 100}


@harness.hookimpl
def register_evaluators(register):
    register(
        SeqevalF1(
            name="seqeval",
            description="seqeval entity F1/precision/recall (XTREME evaluate.py; PAN-X, UD-POS)",
            metrics=("f1", "precision", "recall"),
        )
    )
    register(
        TagAccuracy(
            name="tag-accuracy",
            description="Token-level tag accuracy (CCG supertagging, as jiant scores it)",
            metrics=("accuracy",),
        )
    )
