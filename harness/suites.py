"""Suites are data: a JSON file naming target tasks, default intermediates and hyper-parameters."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from harness.errors import HarnessError
from harness.validation import validate


@dataclass(frozen=True)
class Suite:
    name: str
    description: str
    targets: tuple[str, ...]
    intermediates: tuple[str, ...] = ()
    hparams: dict[str, Any] = field(default_factory=dict)
    sample_hparams: dict[str, Any] = field(default_factory=dict)
    """Overrides used with the bundled sample data (tiny sets need more epochs)."""
    task_hparams: dict[str, dict[str, Any]] = field(default_factory=dict)
    sample_task_hparams: dict[str, dict[str, Any]] = field(default_factory=dict)
    path: Path | None = None

    def hparams_for(self, task: str, sample: bool) -> dict[str, Any]:
        """This suite's hyper-parameters for ``task``: general, then per task, sample last."""
        merged = {**self.hparams, **self.task_hparams.get(task, {})}
        if sample:
            merged.update(self.sample_hparams)
            merged.update(self.sample_task_hparams.get(task, {}))
        return merged


def _read_validated(path: Path, schema: str) -> dict[str, Any]:
    """A JSON config file checked against ``schemas/<schema>.schema.json``; errors in one line."""
    try:
        data = json.loads(Path(path).read_text("utf-8"))
    except FileNotFoundError:
        raise HarnessError(f"{schema} file {path} does not exist") from None
    except json.JSONDecodeError as exc:
        raise HarnessError(f"{path}: not valid JSON (line {exc.lineno}: {exc.msg})") from None
    validate(data, schema, str(path))
    return data


def load_suite(path: Path) -> Suite:
    data = _read_validated(path, "suite")
    return Suite(
        name=data["name"],
        description=data["description"],
        targets=tuple(data["targets"]),
        intermediates=tuple(data.get("intermediates", [])),
        hparams=dict(data.get("hparams", {})),
        sample_hparams=dict(data.get("sample_hparams", {})),
        task_hparams=dict(data.get("task_hparams", {})),
        sample_task_hparams=dict(data.get("sample_task_hparams", {})),
        path=Path(path),
    )


@dataclass(frozen=True)
class Preset:
    """Hyper-parameters of a named protocol (``--preset``), over any suite."""

    name: str
    description: str
    hparams: dict[str, Any] = field(default_factory=dict)
    task_hparams: dict[str, dict[str, Any]] = field(default_factory=dict)
    source: str = ""
    path: Path | None = None

    def hparams_for(self, task: str) -> dict[str, Any]:
        return {**self.hparams, **self.task_hparams.get(task, {})}


def load_preset(path: Path) -> Preset:
    data = _read_validated(path, "preset")
    return Preset(
        name=data["name"],
        description=data["description"],
        hparams=dict(data["hparams"]),
        task_hparams=dict(data.get("task_hparams", {})),
        source=data.get("source", ""),
        path=Path(path),
    )
