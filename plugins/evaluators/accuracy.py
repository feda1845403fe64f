"""Accuracy exactly as XTREME's evaluate.py computes it for XNLI and PAWS-X.

evaluate.py compares stripped label strings line by line and reports
``correct / len(predictions) * 100``; we do the same arithmetic in the same order so the
float is identical, not merely close.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import harness


class Accuracy(harness.Evaluator):
    def score(
        self, predictions: Sequence[Any], references: Sequence[Any], language: str | None = None
    ) -> dict[str, float]:
        if len(predictions) != len(references):
            raise harness.HarnessError(
                f"{len(predictions)} predictions for {len(references)} references"
            )
        if not predictions:
            raise harness.HarnessError("no predictions to score")
        correct = sum(
            int(str(p).strip() == str(r).strip())
            for p, r in zip(predictions, references, strict=False)
        )
        return {"accuracy": float(correct) / len(predictions) * 100}


@harness.hookimpl
def register_evaluators(register):
    register(
        Accuracy(
            name="accuracy",
            description="Exact-match accuracy (XTREME evaluate.py)",
            metrics=("accuracy",),
        )
    )
