"""What a model plugin provides: a tokenizer and an encoder with a task head."""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass(frozen=True, kw_only=True)
class Model(ABC):
    """An encoder family. ``name`` is what users type after ``--model``.

    A single instance may serve many names (e.g. every Hugging Face id) by overriding
    :meth:`claims`; the requested name is then passed to every method.
    """

    name: str
    description: str
    aliases: tuple[str, ...] = ()

    def claims(self, requested: str) -> bool:
        """Whether this plugin serves ``requested`` (registered name or alias by default)."""
        return requested == self.name or requested in self.aliases

    def fingerprint(self, requested: str) -> str:
        """Stable identity of the weights behind ``requested`` (for cache keys, records)."""
        return requested

    @abstractmethod
    def tokenizer(self, requested: str) -> Any:
        """The tokenizer (a ``transformers`` fast tokenizer where possible)."""

    @abstractmethod
    def build(self, requested: str, head: str, num_labels: int, init: Path | None) -> Any:
        """An encoder with a freshly initialised ``head``.

        ``init`` is an encoder checkpoint written by :meth:`save_encoder` (from an
        earlier phase); when given, its encoder weights replace the pretrained ones and
        nothing of the earlier head is carried over.
        """

    @abstractmethod
    def save_encoder(self, model: Any, path: Path) -> None:
        """Write the encoder part of ``model`` (not its head) so :meth:`build` can start from it."""

    def heads(self) -> tuple[str, ...]:
        """Heads :meth:`build` supports (shown by ``harness list``)."""
        return ()
