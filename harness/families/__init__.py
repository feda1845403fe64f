"""Public building blocks, one module per task family, for plugins and the built-in tasks alike.

A plugin declares a task by instantiating (or subclassing) one of these classes with its
languages, its file layout and a small reader; the family supplies encoding, batching,
decoding, gold references and the submission format. The classes are imported on first use,
so ``import harness.families`` costs nothing until a family is touched.
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS: dict[str, str] = {
    # name -> module under harness.families that defines it
    "PairClassificationTask": "classification",
    "MultipleChoiceTask": "multiple_choice",
    "MultipleChoiceCollator": "multiple_choice",
    "TaggingTask": "tagging",
    "ExtractiveQATask": "qa",
    "RetrievalTask": "retrieval",
    "DualEncoderTask": "dual_encoder",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'harness.families' has no attribute {name!r}")
    return getattr(importlib.import_module(f"harness.families.{module}"), name)


def __dir__() -> list[str]:
    return __all__
