"""What an evaluator plugin provides: a scorer that matches the official definition."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, kw_only=True)
class Evaluator(ABC):
    """Scores predictions against references for one language of one task.

    Values are on the scale the official XTREME ``evaluate.py`` prints (percent).
    """

    name: str
    description: str
    metrics: tuple[str, ...]

    @abstractmethod
    def score(
        self, predictions: Sequence[Any], references: Sequence[Any], language: str | None = None
    ) -> dict[str, float]:
        """Metric name -> value for one language (``language`` for language-aware scorers)."""
