"""Run directories and score records: validated against schemas, written atomically."""

from __future__ import annotations

import errno
import json
import math
import os
import re
import tempfile
from pathlib import Path
from typing import Any

from harness.errors import HarnessError
from harness.validation import errors, non_finite, validate

RESULTS_FORMAT = "harness.results/1"
RUN_FORMAT = "harness.run/1"
TIMINGS_FORMAT = "harness.timings/1"
TIMINGS_FILE = "timings.json"
LOCK_FILE = ".lock"
_UMASK = os.umask(0)
os.umask(_UMASK)
# atomic_write_text's temporary names: ".<final name>.<mkstemp's 8 characters>.tmp"
_TEMP_NAME = re.compile(r"\..+\.[a-z0-9_]{8}\.tmp")
_RUN_ID = re.compile(r"[A-Za-z0-9_-][A-Za-z0-9._-]*")
RUN_ID_MAX = 200  # a file name holds 255 bytes; shard suffixes and labels need the rest


def temp_file(path: Path) -> tuple[int, str]:
    """A new temporary file next to ``path`` (same file system, so ``os.replace`` is atomic),
    named so that ``RunDir.clean_temp_files`` recognises it if its writer is killed."""
    return tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)


def atomic_write_text(path: Path, text: str) -> None:
    """Write via a temporary file in the same folder and rename: readers never see half a file.

    A failed write (full disk, read-only folder) leaves the previous file as it was and
    raises a one-line HarnessError naming the file.
    """
    tmp = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = temp_file(path)
        os.fchmod(fd, 0o666 & ~_UMASK)  # mkstemp's 0600 would hide results from other users
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException as exc:
        if tmp is not None:
            Path(tmp).unlink(missing_ok=True)
        if isinstance(exc, OSError):
            reason = exc.strerror or str(exc)
            raise HarnessError(
                f"{path}: cannot write ({reason}); free disk space or fix the folder's "
                "permissions, then re-run (the previous version of the file is kept)"
            ) from None
        raise


def atomic_write_json(path: Path, data: Any) -> None:
    """Strict JSON only: a NaN or infinity anywhere is refused (naming its field), never
    written as the non-standard ``NaN``/``Infinity`` that other JSON readers reject."""
    bad = non_finite(data)
    if bad:
        where, value = bad[0]
        raise HarnessError(
            f"{path}: {where or '(top level)'} is {value}, which JSON cannot hold; "
            "nothing was written"
        )
    atomic_write_text(path, json.dumps(data, indent=2, ensure_ascii=False, allow_nan=False) + "\n")


def run_id_problem(run_id: Any) -> str | None:
    """Why ``run_id`` cannot name a run folder (None when it can): it must stay one plain
    folder inside the runs folder, so no separators, no '.'/'..', no control characters."""
    if not isinstance(run_id, str) or not _RUN_ID.fullmatch(run_id) or not run_id.isascii():
        return (
            f"run id {run_id!r} is not a plain folder name; use ASCII letters, digits, "
            "'-', '_' and '.', not starting with '.'"
        )
    if len(run_id) > RUN_ID_MAX:
        return f"run id of {len(run_id)} characters is too long; use at most {RUN_ID_MAX}"
    return None


def bootstrap_path(
    run_folder: Path, intermediate: str | None, seed: int, task: str, split: str, language: str
) -> Path:
    """Where a run folder keeps the bootstrap replicates of one main score (the runner
    writes them, the analysis reads them)."""
    return (
        Path(run_folder)
        / "bootstrap"
        / (intermediate or "none")
        / f"seed{seed}"
        / task
        / f"{split}-{language}.json"
    )


def ranking_file(root: Path, rank_id: str) -> Path:
    """Where ``harness rank --output ROOT`` writes its ranking: ``ROOT/<rank id>/ranking.json``,
    beside run folders (a rank id obeys the run id rules)."""
    problem = run_id_problem(rank_id)
    if problem:
        raise HarnessError(f"{problem} (--rank-id)")
    return Path(root) / rank_id / "ranking.json"


class RunDir:
    """``runs/<run_id>/``: run.json (manifest), results.json (records), predictions/, checkpoints/."""

    def __init__(self, root: Path, run_id: str):
        problem = run_id_problem(run_id)
        if problem:
            raise HarnessError(f"{problem} (--run-id or HARNESS_RUN_ID)")
        self.run_id = run_id
        self.root = Path(root)
        self.path = self.root / run_id
        self.records: list[dict[str, Any]] = []
        self._lock_fd: int | None = None
        self._created = False

    @property
    def results_file(self) -> Path:
        return self.path / "results.json"

    @property
    def manifest_file(self) -> Path:
        return self.path / "run.json"

    @property
    def summary_file(self) -> Path:
        """summary.md: the run's per-language tables (the end-of-run summary points here)."""
        return self.path / "summary.md"

    @property
    def timings_file(self) -> Path:
        """timings.json: measured training throughput per phase (``harness plan`` reads it)."""
        return self.path / TIMINGS_FILE

    def add_timing(self, entry: dict[str, Any]) -> None:
        """Record one trained phase's throughput (written atomically; a damaged earlier
        file is replaced: timings only inform projections)."""
        timings = [t for t in read_timings(self.timings_file) if t.get("phase") != entry["phase"]]
        atomic_write_json(
            self.timings_file, {"format": TIMINGS_FORMAT, "phases": [*timings, entry]}
        )

    def predictions_dir(self, intermediate: str | None, seed: int) -> Path:
        return self.path / "predictions" / (intermediate or "none") / f"seed{seed}"

    def bootstrap_file(
        self, intermediate: str | None, seed: int, task: str, split: str, language: str
    ) -> Path:
        """Bootstrap replicates of one main score (``--bootstrap-samples``)."""
        return bootstrap_path(self.path, intermediate, seed, task, split, language)

    def checkpoint_dir(self, name: str) -> Path:
        return self.path / "checkpoints" / name

    def logs_dir(self, logger: str) -> Path:
        """Where one ``--logger`` writes, every phase in it (``logs/csv/<phase>/version_N``,
        ``logs/tensorboard/...``, ``logs/wandb/wandb/offline-run-*``, ``logs/mlflow``)."""
        return self.path / "logs" / logger

    def _make_folder(self) -> None:
        """Create the run folder, or say in one line why the runs folder cannot hold it."""
        self._created = not self.path.exists()
        try:
            self.path.mkdir(parents=True, exist_ok=True)
        except (FileExistsError, NotADirectoryError):
            culprit = next(
                (p for p in [self.path, *self.path.parents] if p.exists() and not p.is_dir()),
                self.path,
            )
            fix = "use another --run-id" if culprit == self.path else "pass --output FOLDER"
            raise HarnessError(
                f"output folder {self.root}: {culprit} is a file, not a folder; {fix}"
            ) from None
        except OSError as exc:
            raise HarnessError(
                f"output folder {self.root}: cannot create {self.path} "
                f"({exc.strerror or exc}); pass --output FOLDER you can write to"
            ) from None

    def lock(self) -> None:
        """Hold an advisory lock on the run folder until ``unlock`` (or this process ends).

        A second ``harness run`` on the same run id stops here instead of training every
        phase a second time next to the first. The lock file is kept (removing it would let
        two processes lock two different files); it holds the owner's pid.
        """
        import fcntl

        self._make_folder()
        lock_file = self.path / LOCK_FILE
        try:
            fd = os.open(lock_file, os.O_RDWR | os.O_CREAT, 0o666 & ~_UMASK)
        except OSError as exc:
            raise HarnessError(
                f"{lock_file}: cannot open ({exc.strerror or exc}); fix the run folder's "
                "permissions"
            ) from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            if exc.errno not in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
                os.close(fd)  # a file system without locks (some NFS): run unguarded
                return
            owner = os.read(fd, 32).decode("ascii", "replace").strip() or "unknown"
            os.close(fd)
            raise HarnessError(
                f"run '{self.run_id}' is in use by another harness process (pid {owner}); "
                "wait for it to finish, or use another --run-id"
            ) from None
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        self._lock_fd = fd

    def unlock(self) -> None:
        """Release the lock; a run folder this process created and never wrote to goes."""
        if self._lock_fd is None:
            return
        if self._created and [p.name for p in self.path.iterdir()] == [LOCK_FILE]:
            (self.path / LOCK_FILE).unlink(missing_ok=True)
            try:
                self.path.rmdir()
            except OSError:
                pass
        os.close(self._lock_fd)
        self._lock_fd = None

    def clean_temp_files(self) -> list[Path]:
        """Delete temporary files that killed atomic writes left (only that name pattern).

        Call with the lock held: another process's in-flight temporary file looks the same.
        """
        removed = []
        for path in sorted(self.path.rglob(".*.tmp")):
            if _TEMP_NAME.fullmatch(path.name) and path.is_file() and not path.is_symlink():
                path.unlink(missing_ok=True)
                removed.append(path)
        return removed

    def write_manifest(self, manifest: dict[str, Any]) -> None:
        validate(manifest, "run", str(self.manifest_file))
        atomic_write_json(self.manifest_file, manifest)

    def add_records(self, records: list[dict[str, Any]]) -> None:
        """Append records and rewrite results.json atomically (validated first)."""
        for record in records:
            value = record.get("value")
            if isinstance(value, float) and not math.isfinite(value):
                raise HarnessError(
                    f"{self.results_file}: {record.get('metric')} of {record.get('target')} "
                    f"{record.get('split')} {record.get('language')} is {value} (its evaluator "
                    "scored no examples?); check that split's data and the evaluator"
                )
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
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        return [], [f"{path}: cannot read ({exc})"]
    problems = errors(document, "results")
    if problems:
        return [], [f"{path}: {p}" for p in problems[:3]]
    return document["records"], []


def read_timings(path: Path) -> list[dict[str, Any]]:
    """The phases of a timings.json with a usable measurement; [] when the file is missing
    or unreadable (projections then say "unknown")."""
    try:
        document = json.loads(Path(path).read_text("utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        return []
    if not isinstance(document, dict) or document.get("format") != TIMINGS_FORMAT:
        return []
    phases = document.get("phases")
    return [
        p
        for p in (phases if isinstance(phases, list) else [])
        if isinstance(p, dict)
        and isinstance(p.get("phase"), str)
        and isinstance(p.get("model"), str)
        and isinstance(p.get("features"), int)
        and isinstance(p.get("seconds"), (int, float))
        and p["seconds"] > 0
    ]


def model_label(model: str) -> str:
    """``model`` as tables and folders show it: a local folder by its last path component
    (records and run.json keep the full path), a registered name or Hub id as given."""
    path = Path(model).expanduser()
    looks_local = path.is_absolute() or model.startswith((".", "~")) or model.count("/") > 1
    if looks_local or (os.sep in model and path.is_dir()):
        return path.resolve().name if model.rstrip("/").endswith(("..", ".")) else path.name
    return model
