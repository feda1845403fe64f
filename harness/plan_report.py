"""``harness plan``: what ``harness run`` with the same arguments would do, before doing it.

The run's phases after resume (``harness.resume`` decides, as for the runner, which
finished phases are kept) and sharding, each with its training rows, evaluation rows, batch
layout, optimizer steps and a training time projected from the throughput earlier runs of
the same model measured (``runs/*/timings.json``); with ``--intermediate auto:K``, what each
target trains from. Rows are read from the data source, nothing is tokenised or trained
(``auto:K`` ranks the candidates unless the run's run.json recorded a ranking), and no run
folder is created.
"""

from __future__ import annotations

import math
import os
import textwrap
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from harness.devices import BatchPlan
from harness.planning import (
    RUN_ID_ENV,
    MultiTask,
    Plan,
    Planner,
    RunConfig,
    checked_config,
    intermediate_key,
    phase_name,
    shard_suffix,
    target_key,
)
from harness.registry import Registry
from harness.results import RunDir, model_label, read_timings
from harness.resume import lost_encoder, resume, run_manifest
from harness.tasks import DataSource, Task

WIDTH = 100


def optimizer_steps(examples: int, batch: BatchPlan, epochs: int) -> int:
    """Optimizer steps of ``epochs`` over ``examples``: each rank takes every world-th
    example, batches them ``per_device_batch`` at a time, and steps every ``accumulation``
    batches and at the end of an epoch (Lightning's rule)."""
    per_rank = math.ceil(examples / batch.world_size)
    batches = math.ceil(per_rank / batch.per_device_batch)
    return math.ceil(batches / batch.accumulation) * epochs


@dataclass
class _Rows:
    """Each split read once, for resume's gold-label check and for the row counts."""

    plan: Plan

    def __post_init__(self) -> None:
        self._cache: dict[tuple[str, str, str], Any] = {}

    def load(self, task: Task, split: str, language: str, source: DataSource) -> Any:
        """The rows of one split (``harness.resume.Rows``, as ``Runner.rows``)."""
        key = (task.name, split, language)
        if key not in self._cache:
            self._cache[key] = task.load(split, language, source)
        return self._cache[key]

    def count(self, task: Task, split: str, language: str) -> int:
        return len(self.load(task, split, language, self.plan.sources[task.name]))


class _Throughput:
    """Training throughput (features per second) earlier runs measured for ``model``."""

    def __init__(self, output: Path, model: str):
        self.entries = [
            t
            for path in sorted(Path(output).glob("*/timings.json"))
            for t in read_timings(path)
            if t["model"] == model
        ]

    def rate(self, task: str) -> tuple[float, str] | None:
        same = [t for t in self.entries if t.get("task") == task]
        chosen, what = (same, f"{task}") if same else (self.entries, "other tasks")
        if not chosen:
            return None
        features = sum(t["features"] for t in chosen)
        seconds = sum(t["seconds"] for t in chosen)
        return features / seconds, f"{len(chosen)} earlier phases ({what})"


def plan_report(registry: Registry, config: RunConfig) -> dict[str, Any]:
    """What ``harness run`` with ``config`` would do now, as one JSON-able document."""
    import logging

    import datasets
    import lightning  # noqa: F401 - the planner's device probe needs it; quiet it first

    datasets.disable_progress_bars()  # rows are read, not shown being read
    for name in ("lightning.pytorch", "lightning.fabric", "lightning"):  # as the runner does
        logging.getLogger(name).setLevel(logging.WARNING)
    config = checked_config(config)
    planner = Planner(registry, config)
    plan = planner.plan()
    units = planner.units(plan)
    rows = _Rows(plan)
    run_id = config.run_id or os.environ.get(RUN_ID_ENV)
    if run_id and config.shard and not run_id.endswith(shard_suffix(config.shard)):
        run_id += shard_suffix(config.shard)
    run = RunDir(Path(config.output), run_id) if run_id else None
    resuming = bool(run and run.manifest_file.exists())  # before anything could change it
    notes: list[str] = []
    done: set[str] = set()
    if run is not None:  # the runner's resume on this process's copies; it writes nothing
        manifest = run_manifest(plan, config, registry, [], run.run_id)
        done = resume(run, manifest, plan, config, rows.load, notes.append)
    speed = _Throughput(Path(config.output), config.model)

    phases: list[dict[str, Any]] = []
    skipped: list[str] = []
    outside = 0
    for seed in config.seeds:
        for inter in plan.intermediates:
            cells = [t for t in plan.targets if (seed, phase_name(inter), t.name) in units]
            outside += len(plan.targets) - len(cells)
            todo = [t for t in cells if target_key(seed, inter, t) not in done]
            if todo and inter is not None and run is not None:
                if lost_encoder(run, inter, seed, done, notes.append):  # type: ignore[arg-type]
                    todo = cells  # as the runner: every target starts from the new encoder
            skipped += [target_key(seed, inter, t) for t in cells if t not in todo]
            if not todo:
                continue
            if inter is not None:
                key = intermediate_key(seed, inter)
                if key in done:  # lost_encoder kept it: its saved encoder is there
                    skipped.append(key)
                else:
                    phases.append(_phase(plan, rows, speed, seed, None, inter, "intermediate"))
            for target in todo:
                phases.append(_phase(plan, rows, speed, seed, inter, target, "target"))

    known = [p["projected_seconds"] for p in phases if p["projected_seconds"] is not None]
    unknown = [p for p in phases if p["trains"] and p["projected_seconds"] is None]
    return {
        "run_id": run_id,
        "run_dir": str(run.path) if run else None,
        "resuming": resuming,
        "model": config.model,
        "model_label": model_label(config.model),
        "data": config.data,
        "suite": plan.suite.name,
        "shard": list(config.shard) if config.shard else None,
        "phases": phases,
        "skipped": sorted(skipped),
        "outside_shard": outside,
        "unavailable_targets": plan.unavailable,
        "intermediate_choice": plan.choices,
        "intermediate_ranking": planner.config.intermediate_choice if plan.choices else None,
        "notes": notes,
        "projected_seconds": sum(known) if known and not unknown else None,
        "projected_seconds_known": sum(known),
        "phases_without_projection": len(unknown),
    }


def _phase(
    plan: Plan,
    rows: _Rows,
    speed: _Throughput,
    seed: int,
    inter: Task | MultiTask | None,
    task: Task | MultiTask,
    role: str,
) -> dict[str, Any]:
    """One phase: its training and evaluation rows, batch layout, steps and projection."""
    hp = plan.hparams[task.name]
    epochs = int(hp["epochs"])
    members = list(task.members) if isinstance(task, MultiTask) else [task]
    train: dict[str, int] = {}
    batches: dict[str, dict[str, int]] = {}
    forward = 0  # batches per epoch on one rank, all members
    accumulation = 1
    for member in members:
        if not member.trains:
            continue
        mh = plan.hparams[member.name]
        n = rows.count(member, member.train_split, member.train_language)
        cap = mh.get("max_train_examples")
        train[member.name] = min(n, cap) if cap else n
        layout = (
            plan.multitask_batches[task.name][member.name]
            if isinstance(task, MultiTask)
            else plan.batches[member.name]
        )
        batches[member.name] = layout.as_dict()
        forward += math.ceil(
            math.ceil(train[member.name] / layout.world_size) / layout.per_device_batch
        )
        accumulation = layout.accumulation
    trains = bool(train)
    steps = math.ceil(forward / accumulation) * epochs if trains else 0
    evaluation = [
        {"task": m.name, "split": split, "language": lang, "rows": rows.count(m, split, lang)}
        for m in members
        for split, lang in plan.eval_points(m, role)
    ]
    measured = speed.rate(task.name) if trains else None
    projected = None
    if measured is not None:
        projected = sum(train.values()) * epochs / measured[0]
    key = (
        intermediate_key(seed, task)
        if role == "intermediate"
        else target_key(seed, inter if not isinstance(inter, MultiTask) else inter, task)  # type: ignore[arg-type]
    )
    return {
        "key": key,
        "seed": seed,
        "intermediate": phase_name(inter) if role == "target" else None,  # type: ignore[arg-type]
        "task": task.name,
        "role": role,
        "trains": trains,
        "train_rows": train,
        "epochs": epochs if trains else 0,
        "batch": batches,
        "optimizer_steps": steps,
        "eval": evaluation,
        "features_per_second": round(measured[0], 3) if measured else None,
        "throughput_source": measured[1] if measured else None,
        "projected_seconds": round(projected, 1) if projected is not None else None,
    }


def duration(seconds: float | None) -> str:
    if seconds is None:
        return "unknown"
    if seconds < 90:
        return f"{seconds:.0f}s"
    if seconds < 5400:
        return f"{seconds / 60:.0f}m"
    return f"{seconds / 3600:.1f}h"


def _batch_cell(batch: dict[str, dict[str, int]]) -> str:
    """``32 = 1x32x1`` (global = devices x per-device x accumulation), one per member."""
    return ", ".join(
        f"{b['global_batch']} = {b['world_size']}x{b['per_device_batch']}x{b['accumulation']}"
        for b in batch.values()
    )


def _eval_line(evaluation: list[dict[str, Any]], several: bool) -> str:
    """``dev 15 x 30 rows (ar bg ...)`` per split when its languages are the same size,
    else each language's rows."""
    by_split: dict[str, list[tuple[str, int]]] = {}
    for e in evaluation:
        name = f"{e['task']} " if several else ""
        by_split.setdefault(f"{name}{e['split']}", []).append((e["language"], e["rows"]))
    parts = []
    for split, items in by_split.items():
        sizes = {n for _, n in items}
        if len(sizes) == 1 and len(items) > 1:
            languages = " ".join(lang for lang, _ in items)
            parts.append(f"{split} {len(items)} x {sizes.pop()} rows ({languages})")
        else:
            parts.append(f"{split} " + ", ".join(f"{lang} {n}" for lang, n in items))
    return "; ".join(parts)


def format_plan(report: dict[str, Any]) -> str:
    """The report as text under ``WIDTH`` columns: a header, one row per phase with its
    evaluation rows beneath, what is skipped, and the projected time."""
    from tabulate import tabulate

    where = report["run_dir"] or "a new run folder"
    state = "resuming it" if report["resuming"] else "new"
    lines = [
        f"plan: {where} ({state}); model {report['model_label']}, data {report['data']}, "
        f"suite {report['suite']}"
    ]
    if report["shard"]:
        i, n = report["shard"]
        lines.append(f"shard {i}/{n}: {report['outside_shard']} grid cells belong to other shards")
    lines += report["notes"]
    if report.get("intermediate_ranking"):  # --intermediate auto:K: what each target trains from
        from harness.ranking.auto import describe

        for line in describe(report["intermediate_ranking"]).splitlines():
            lines += textwrap.wrap(line, WIDTH, subsequent_indent="      ")
    if report["phases"]:
        table = [
            [
                p["seed"],
                p["intermediate"] or "-",
                p["task"],
                p["role"],
                sum(p["train_rows"].values()) if p["trains"] else "-",
                p["epochs"] or "-",
                _batch_cell(p["batch"]) or "-",
                p["optimizer_steps"] or "-",
                duration(p["projected_seconds"]) if p["trains"] else "-",
            ]
            for p in report["phases"]
        ]
        rendered = tabulate(
            table,
            headers=["seed", "after", "task", "role", "train", "epochs", "batch", "steps", "time"],
            disable_numparse=True,
        ).splitlines()
        lines += rendered[:2]
        for row, phase in zip(rendered[2:], report["phases"], strict=True):
            lines.append(row)
            text = "eval " + _eval_line(phase["eval"], len(phase["train_rows"]) > 1)
            lines += textwrap.wrap(text, WIDTH, initial_indent="    ", subsequent_indent="      ")
        lines.append("batch: global = devices x per-device x accumulation; train: train-split rows")
    else:
        lines.append("nothing to run: every phase of this part is finished")
    if report["skipped"]:
        lines += textwrap.wrap(
            f"skipped, finished earlier: {', '.join(report['skipped'])}",
            WIDTH,
            subsequent_indent="  ",
        )
    for name in report["unavailable_targets"]:
        lines.append(f"{name}: not yet available (no installed plugin provides this task)")
    total = report["projected_seconds"]
    if total is not None:
        lines.append(f"projected training time: {duration(total)}")
    elif report["phases_without_projection"]:
        known = report["projected_seconds_known"]
        lines.append(
            f"projected training time: unknown for {report['phases_without_projection']} "
            "phases (no earlier run of this model measured them)"
            + (f"; the others {duration(known)}" if known else "")
        )
    return "\n".join(lines)
