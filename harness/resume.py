"""A run folder's manifest (run.json) and resuming it: which phases are finished and kept.

Re-running a run id resumes it. These functions decide what a resumed run keeps from
run.json's ``completed`` and results.json, taking what they need explicitly (the run
folder, the plan, the configuration, a row reader), so they run without the command line.
They read the run folder and change only the objects passed in, never a file, so
``harness plan`` asks them what a run would skip: the skip rules exist once.
"""

from __future__ import annotations

import json
import platform
from collections.abc import Callable, Iterable
from dataclasses import asdict
from datetime import datetime, timezone
from importlib.metadata import PackageNotFoundError, version
from typing import Any

from harness.errors import HarnessError
from harness.loggers import DEFAULT_LOGGERS, resumed_loggers
from harness.planning import (
    MultiTask,
    Plan,
    RunConfig,
    config_change,
    intermediate_key,
    manifest_config,
    record_key,
    target_key,
    trained_from,
)
from harness.registry import Registry
from harness.results import RUN_FORMAT, RunDir
from harness.tasks import DataSource, Task

PACKAGES = (
    "harness",
    "torch",
    "transformers",
    "datasets",
    "lightning",
    "torchmetrics",
    "pluggy",
    "jsonschema",
    "tabulate",
    "numpy",
)
"""The packages whose versions run.json records."""

Rows = Callable[[Task, str, str, DataSource], Any]
"""Reads one split of a task in one language (``Runner.rows``)."""


def run_manifest(
    plan: Plan,
    config: RunConfig,
    registry: Registry,
    data_files: list[dict[str, Any]],
    run_id: str,
) -> dict[str, Any]:
    """run.json of a new (or resumed) run: its configuration, package versions, plugins
    and the fingerprints of every data file it read; status ``running``, nothing completed."""
    packages = {}
    for name in PACKAGES:
        try:
            packages[name] = version(name)
        except PackageNotFoundError:
            pass
    packages["python"] = platform.python_version()
    return {
        "format": RUN_FORMAT,
        "run_id": run_id,
        "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "status": "running",
        "config": {
            **manifest_config(plan, config),
            "model_source": plan.model.fingerprint(config.model),
            "trainer": {k: v for k, v in config.trainer.items() if v is not None},
            "loggers": list(config.loggers or DEFAULT_LOGGERS),
            "batch": {
                **{name: b.as_dict() for name, b in plan.batches.items()},
                **{
                    f"{multi}/{name}": b.as_dict()
                    for multi, layout in plan.multitask_batches.items()
                    for name, b in layout.items()
                },
            },
        },
        "packages": packages,
        "plugins": [asdict(p) for p in registry.plugins],
        "data_files": data_files,
    }


def resume(
    run: RunDir,
    manifest: dict[str, Any],
    plan: Plan,
    config: RunConfig,
    rows: Rows,
    say: Callable[[str], None],
) -> set[str]:
    """Phases already finished in ``run`` (re-running a run id resumes it).

    A phase listed as finished whose records are gone from results.json is done again,
    and so is every target trained from an intermediate that is done again. Sets
    ``run.records`` to the kept records, ``manifest["created"]`` to the run's start and,
    without ``--logger``, ``config.loggers`` to the loggers the run was started with.
    Writes nothing: the caller saves the manifest.
    """
    if not run.manifest_file.exists():
        if run.results_file.exists():
            raise HarnessError(f"{run.results_file} exists without run.json; use another --run-id")
        return set()
    from harness.results import read_results
    from harness.validation import errors

    try:
        previous = json.loads(run.manifest_file.read_text("utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise HarnessError(
            f"{run.manifest_file}: unreadable ({exc}); use another --run-id"
        ) from None
    if errors(previous, "run"):
        raise HarnessError(f"{run.manifest_file}: not a valid run manifest; use another --run-id")
    manifest["created"] = previous["created"]
    config.loggers = manifest["config"]["loggers"] = resumed_loggers(
        config.loggers, previous["config"].get("loggers")
    )  # without --logger, a resumed run keeps its trackers
    change = config_change(previous["config"], manifest["config"], run.run_id)
    if change:
        raise HarnessError(change)
    done = set(previous.get("completed", []))
    records, problems = read_results(run.results_file) if run.results_file.exists() else ([], [])
    if problems:
        raise HarnessError(f"{problems[0]}; cannot resume, use another --run-id")
    # records of a phase that crashed before it was marked finished are recomputed
    run.records = [r for r in records if record_key(r) in done]
    have = {record_key(r) for r in run.records}
    owes = owed(plan, config.seeds, rows)
    lost = {key for key in done if owes.get(key) and key not in have}
    if lost:
        lost |= {k for key in lost for k in trained_from(key, done)}
        where = "is missing" if not run.results_file.exists() else "lacks their records"
        say(
            f"resuming run {run.run_id}: {run.results_file} {where}; recomputing "
            f"{len(lost)} phases run.json lists as finished"
        )
        done -= lost
        run.records = [r for r in run.records if record_key(r) in done]
    if done:
        say(f"resuming run {run.run_id}: {len(done)} finished phases are kept")
    return done


def owed(plan: Plan, seeds: Iterable[int], rows: Rows) -> dict[str, bool]:
    """Whether each phase of the plan writes score records (some split it evaluates
    has gold labels), by the phase's key in run.json's ``completed``."""

    memo: dict[tuple[str, str], bool] = {}

    def scored(task: Task, role: str) -> bool:
        if (task.name, role) not in memo:
            src = plan.sources[task.name]
            memo[task.name, role] = any(
                all(r is not None for r in task.references(rows(task, split, lang, src)))
                for split, lang in plan.eval_points(task, role)
            )
        return memo[task.name, role]

    owes = {}
    for inter in plan.intermediates:
        members = list(inter.members) if isinstance(inter, MultiTask) else [inter]
        for seed in seeds:
            if inter is not None:
                owes[intermediate_key(seed, inter)] = any(
                    scored(m, "intermediate") for m in members
                )
            for target in plan.targets:
                owes[target_key(seed, inter, target)] = scored(target, "target")
    return owes


def lost_encoder(
    run: RunDir, inter: Task, seed: int, done: set[str], say: Callable[[str], None]
) -> bool:
    """Forget a finished intermediate whose saved encoder is gone, and the targets
    trained from it: retraining it alone would mix targets from two encoders. Changes
    ``done`` and ``run.records`` only; the caller saves the manifest."""
    key = intermediate_key(seed, inter)
    checkpoint = run.checkpoint_dir(f"{inter.name}-seed{seed}")
    if key not in done or (checkpoint.is_dir() and any(checkpoint.iterdir())):
        return False
    lost = {key, *trained_from(key, done)}
    say(
        f"[seed {seed}] {checkpoint} is missing: retraining {inter.name} and recomputing "
        f"the {len(lost) - 1} finished target phases trained from it"
    )
    done -= lost
    run.records = [r for r in run.records if record_key(r) not in lost]
    return True
