"""Run directories and score records: validated against schemas, written atomically."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

from harness.validation import errors, validate

RESULTS_FORMAT = "harness.results/1"
RUN_FORMAT = "harness.run/1"
_UMASK = os.umask(0)
os.umask(_UMASK)


def atomic_write_text(path: Path, text: str) -> None:
    """Write via a temporary file in the same folder and rename: readers never see half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        os.fchmod(fd, 0o666 & ~_UMASK)  # mkstemp's 0600 would hide results from other users
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def atomic_write_json(path: Path, data: Any) -> None:
    atomic_write_text(path, json.dumps(data, indent=2, ensure_ascii=False) + "\n")


class RunDir:
    """``runs/<run_id>/``: run.json (manifest), results.json (records), predictions/, checkpoints/."""

    def __init__(self, root: Path, run_id: str):
        self.run_id = run_id
        self.path = Path(root) / run_id
        self.records: list[dict[str, Any]] = []

    @property
    def results_file(self) -> Path:
        return self.path / "results.json"

    @property
    def manifest_file(self) -> Path:
        return self.path / "run.json"

    def predictions_dir(self, intermediate: str | None, seed: int) -> Path:
        return self.path / "predictions" / (intermediate or "none") / f"seed{seed}"

    def checkpoint_dir(self, name: str) -> Path:
        return self.path / "checkpoints" / name

    def write_manifest(self, manifest: dict[str, Any]) -> None:
        validate(manifest, "run", str(self.manifest_file))
        atomic_write_json(self.manifest_file, manifest)

    def add_records(self, records: list[dict[str, Any]]) -> None:
        """Append records and rewrite results.json atomically (validated first)."""
        document = {
            "format": RESULTS_FORMAT,
            "run_id": self.run_id,
            "records": self.records + list(records),
        }
        validate(document, "results", str(self.results_file))
        atomic_write_json(self.results_file, document)
        self.records = document["records"]


def read_results(path: Path) -> tuple[list[dict[str, Any]], list[str]]:
    """Records of one results file, or ([], problems) when it is unreadable or invalid."""
    try:
        document = json.loads(Path(path).read_text("utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        return [], [f"{path}: cannot read ({exc})"]
    problems = errors(document, "results")
    if problems:
        return [], [f"{path}: {p}" for p in problems[:3]]
    return document["records"], []
