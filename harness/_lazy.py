"""Heavy libraries imported on first use, so commands that train nothing start fast.

``torch = lazy_module("torch")`` at the top of a module reads like an import, and costs
nothing until an attribute is used (``harness --help``, ``harness list`` never touch it).
Type annotations stay plain because modules use ``from __future__ import annotations``.
"""

from __future__ import annotations

import importlib
from types import ModuleType
from typing import Any


class _LazyModule:
    def __init__(self, name: str):
        self._name = name
        self._module: ModuleType | None = None

    def __getattr__(self, attribute: str) -> Any:
        if self._module is None:
            self._module = importlib.import_module(self._name)
        return getattr(self._module, attribute)

    def __repr__(self) -> str:
        return f"<lazy module {self._name!r}>"


def lazy_module(name: str) -> Any:
    """A stand-in for module ``name`` that imports it on first attribute access."""
    return _LazyModule(name)
