"""The phase runner: plan a suite, check every input up front, then run phases.

A *phase* is one Lightning fit on one task, started from a named encoder checkpoint (or
the pretrained model) and producing one. Intermediate phases run once per seed and every
target phase of that seed starts from their checkpoint with a fresh head.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
import os
import platform
import shutil
import signal
import sys
import time
import uuid
import warnings
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

import datasets
import numpy as np
import torch

from harness import results as harness_results
from harness.checkpoints import AtomicCheckpointIO, resumable
from harness.data import PhaseDataModule, data_fingerprints, encode
from harness.devices import TRAINER_OPTIONS, BatchPlan, split_global_batch, world_size
from harness.errors import HarnessError
from harness.interrupts import Interrupted
from harness.models import Model
from harness.multitask import MultiTask
from harness.registry import Registry
from harness.results import RUN_FORMAT, RunDir
from harness.tasks import DataSource, EvalContext, Task

DEFAULT_HPARAMS: dict[str, Any] = {
    "learning_rate": 2e-5,
    "batch_size": 32,
    "eval_batch_size": 128,
    "epochs": 2,
    "max_length": 128,
    "warmup_ratio": 0.1,
    "weight_decay": 0.01,
    "max_train_examples": None,
    "accumulate_grad_batches": 1,
    "bootstrap_samples": 0,
    "multitask_temperature": 1.0,
    "max_grad_norm": None,
    "val_every_steps": None,
    "val_max_examples": None,
    "early_stopping_patience": None,
}
RUN_ID_ENV = "HARNESS_RUN_ID"  # shared with DDP worker processes Lightning re-launches
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


def default_cache_dir() -> Path:
    return Path(os.environ.get("HARNESS_CACHE", Path.home() / ".cache" / "harness"))


@dataclass
class RunConfig:
    """Everything a run needs; stored resolved in run.json."""

    suite: str = "xtreme-zs"
    model: str = "minilm"
    targets: list[str] | None = None
    intermediates: list[str] | None = None
    """Intermediate task names; "none" means the no-intermediate baseline. None: the suite's."""
    languages: list[str] | None = None
    data: str = "sample"
    seeds: list[int] = field(default_factory=lambda: [0])
    hparams: dict[str, Any] = field(default_factory=dict)
    preset: str | None = None
    """Named hyper-parameter protocol (``--preset paper``), over the suite's."""
    settings: dict[str, dict[str, Any]] = field(default_factory=dict)
    """Task setting overrides: task name -> {key: value} (``--set TASK.KEY=VALUE``)."""
    trainer: dict[str, Any] = field(default_factory=dict)
    output: Path = Path("runs")
    cache_dir: Path | None = None
    run_id: str | None = None
    progress: bool | None = None
    shard: tuple[int, int] | None = None
    """(i, n), 1-based: run only the i-th of n disjoint parts of the phase grid."""
    callbacks: list[Any] = field(default_factory=list)
    """Extra Lightning callbacks for every phase (monitoring, fault injection in tests)."""


@dataclass
class Plan:
    suite: Any
    model: Model
    targets: list[Task]
    unavailable: list[str]
    intermediates: list[Task | MultiTask | None]
    languages: dict[str, list[str]]
    hparams: dict[str, dict[str, Any]]
    """Resolved hyper-parameters per task name."""
    sources: dict[str, DataSource]
    batches: dict[str, BatchPlan] = field(default_factory=dict)
    """Per trained task: its global batch laid out on this run's devices."""
    multitask_batches: dict[str, dict[str, BatchPlan]] = field(default_factory=dict)
    """Per multi-task phase: each member's layout (one accumulation for all members)."""

    def phases(self) -> list[tuple[Task, str]]:
        """(task, role) of every task trained or scored: intermediates (multi-task members
        one by one), then targets."""
        return [(t, "intermediate") for t in _concrete(self.intermediates)] + [
            (t, "target") for t in self.targets
        ]

    def eval_points(self, task: Task, role: str) -> list[tuple[str, str]]:
        """(split, language) pairs a phase evaluates: an intermediate only in its own language."""
        languages = [task.train_language] if role == "intermediate" else self.languages[task.name]
        return [(split, lang) for lang in languages for split in task.splits_for(lang)]


@dataclass
class _Phase:
    """A trained phase, as its evaluation needs it."""

    task: Task
    intermediate: Task | None
    role: str
    seed: int
    trainer: Any
    module: Any
    data: PhaseDataModule
    state: dict[str, Any] = field(default_factory=dict)
    batch: BatchPlan | None = None


def _is_main_process() -> bool:
    from lightning.pytorch.utilities import rank_zero_only

    return getattr(rank_zero_only, "rank", 0) == 0


class Runner:
    def __init__(
        self, registry: Registry, config: RunConfig, echo: Callable[[str], None] | None = None
    ):
        self.registry = registry
        self.config = config
        self.main = _is_main_process()
        self.echo = echo if echo is not None else (lambda msg: print(msg, file=sys.stderr))
        self.progress = config.progress if config.progress is not None else sys.stderr.isatty()
        if not self.progress:
            import transformers

            datasets.disable_progress_bars()
            transformers.utils.logging.disable_progress_bar()
        self.cache_dir = Path(config.cache_dir or default_cache_dir())
        self._rows: dict[tuple[str, str, str], datasets.Dataset] = {}
        self._fingerprints: list[dict[str, Any]] = []
        self.tokenizer: Any = None  # the model's, loaded once the plan holds
        for name in ("lightning.pytorch", "lightning.fabric", "lightning"):
            logging.getLogger(name).setLevel(logging.WARNING)
        warnings.filterwarnings("ignore", message=".*LeafSpec.*")
        # resuming a phase re-enters its own checkpoint folder on purpose
        warnings.filterwarnings("ignore", message=".*exists and is not empty.*")
        # phases without --val-every-steps skip validation on purpose
        warnings.filterwarnings(
            "ignore", message=".*`validation_step` but have no `val_dataloader`.*"
        )

    def say(self, message: str) -> None:
        if self.main:
            self.echo(message)

    # ------------------------------------------------------------------ planning
    def plan(self) -> Plan:
        cfg = self.config
        suite = self.registry.suite(cfg.suite)
        model = self.registry.model(cfg.model)  # resolved now: an unknown model fails first

        targets, unavailable = [], []
        for name in cfg.targets or suite.targets:
            if name in self.registry.tasks:
                targets.append(self.registry.tasks[name])
            elif cfg.targets:
                self.registry.task(name)  # raises with suggestions
            else:
                unavailable.append(name)
        if not targets:
            raise HarnessError(f"suite '{suite.name}': none of its targets is installed")

        names = cfg.intermediates if cfg.intermediates is not None else list(suite.intermediates)
        intermediates: list[Task | MultiTask | None] = []
        for name in names or ["none"]:
            if name == "none":
                intermediates.append(None)
            elif len(_split_multitask(name)) > 1:
                members = tuple(self._intermediate(n) for n in _split_multitask(name))
                intermediates.append(MultiTask(name, members))
            else:
                intermediates.append(self._intermediate(name))

        languages: dict[str, list[str]] = {}
        wanted = set(cfg.languages or [])
        known = set().union(*(t.languages for t in targets))
        for lang in sorted(wanted - known):
            raise HarnessError(
                f"unknown language '{lang}' for targets {', '.join(t.name for t in targets)}; "
                f"available: {', '.join(sorted(known))}"
            )
        for task in targets:
            languages[task.name] = [lg for lg in task.languages if not wanted or lg in wanted]

        targets = [self._configured(t) for t in targets]
        intermediates = [
            MultiTask(t.name, tuple(self._configured(m) for m in t.members))
            if isinstance(t, MultiTask)
            else (self._configured(t) if t else None)
            for t in intermediates
        ]
        unknown = set(cfg.settings) - {t.name for t in [*targets, *_concrete(intermediates)]}
        for name in sorted(unknown):
            raise HarnessError(f"--set {name}.*: task '{name}' is not part of this run")

        from harness.validation import validate

        preset = self.registry.preset(cfg.preset) if cfg.preset else None
        hparams: dict[str, dict[str, Any]] = {}
        declared: dict[str, dict[str, Any]] = {}  # the protocol, before command-line flags
        for task in [*targets, *_concrete(intermediates), *_multi(intermediates)]:
            resolved = dict(DEFAULT_HPARAMS)
            resolved.update(suite.hparams_for(task.name, sample=cfg.data == "sample"))
            if preset is not None:
                base = task.extra.get("base_task", task.name)
                resolved.update(preset.hparams_for(base))
            declared[task.name] = dict(resolved)
            resolved.update({k: v for k, v in cfg.hparams.items() if v is not None})
            validate(
                {k: v for k, v in resolved.items() if v is not None},
                "hparams",
                f"hyper-parameters of {task.name} (suite file and command line)",
            )
            if resolved.get("early_stopping_patience") and not resolved.get("val_every_steps"):
                raise HarnessError(
                    f"hyper-parameters of {task.name}: early_stopping_patience needs "
                    "val_every_steps; add --val-every-steps N"
                )
            hparams[task.name] = resolved

        sources = {t.name: self._source(t) for t in [*targets, *_concrete(intermediates)]}
        plan = Plan(suite, model, targets, unavailable, intermediates, languages, hparams, sources)
        self._lay_out_batches(plan, declared)
        return plan

    def _lay_out_batches(self, plan: Plan, declared: dict[str, dict[str, Any]]) -> None:
        """Per-device batch and accumulation of every trained phase on this run's devices.

        Hyper-parameters state the global batch (``batch_size`` x ``accumulate_grad_batches``
        as on one device); see ``harness.devices``.
        """
        world = world_size(self.config.trainer)

        def accumulation(hp: dict[str, Any]) -> int:
            return int(hp.get("accumulate_grad_batches") or 1)

        def protocol(name: str, phase: str) -> int:
            return int(declared[name]["batch_size"]) * accumulation(declared[phase])

        alone = [t for t in plan.intermediates if isinstance(t, Task)]  # not multi-task members
        for task in [*plan.targets, *alone]:
            if task.trains:
                hp = plan.hparams[task.name]
                _, layout = split_global_batch(
                    {task.name: int(hp["batch_size"])},
                    accumulation(hp),
                    world,
                    {task.name: protocol(task.name, task.name)},
                    where=f"hyper-parameters of {task.name}: ",
                )
                plan.batches[task.name] = layout[task.name]
        for multi in _multi(plan.intermediates):
            _, plan.multitask_batches[multi.name] = split_global_batch(
                {m.name: int(plan.hparams[m.name]["batch_size"]) for m in multi.members},
                accumulation(plan.hparams[multi.name]),
                world,
                {m.name: protocol(m.name, multi.name) for m in multi.members},
                where=f"hyper-parameters of {multi.name}: ",
            )

    def _intermediate(self, name: str) -> Task:
        """``task`` or ``task@lang``: the same task trained on data in another language.

        ``mnli@sw`` reads the task's own file layout under ``translated/sw/`` of the data
        folder (machine-translated or native data in the task's format).
        """
        base, at, language = name.partition("@")
        task = self.registry.task(base)
        if not at or language == task.train_language:
            return task
        if not language.isascii() or not language.replace("-", "").isalnum():
            raise HarnessError(f"--intermediate {name}: expected TASK@LANG, e.g. mnli@sw")
        return dataclasses.replace(
            task,
            name=name,
            train_language=language,
            languages=(language,),
            extra={**task.extra, "base_task": base, "native_language": task.train_language},
        )

    def _configured(self, task: Task) -> Task:
        """``task`` with this run's ``--set`` overrides applied (unknown keys are an error)."""
        overrides = self.config.settings.get(task.name)
        if not overrides:
            return task
        for key in overrides:
            if key not in task.settings:
                known = ", ".join(sorted(task.settings)) or "none"
                raise HarnessError(
                    f"--set {task.name}.{key}: task '{task.name}' has no setting '{key}' "
                    f"(its settings: {known})"
                )
        return dataclasses.replace(task, settings={**task.settings, **overrides})

    def _source(self, task: Task) -> DataSource:
        data = self.config.data
        translated = "native_language" in task.extra
        if data == "sample":
            if task.sample_root is None:
                raise HarnessError(
                    f"task '{task.name}' ships no sample data; pass --data PATH or --data hub"
                )
            root = Path(task.sample_root)
        elif data == "hub":
            if translated:
                raise HarnessError(
                    f"task '{task.name}': translated data is read from a folder, not the Hub; "
                    f"pass --data PATH with translated/{task.train_language}/ in it"
                )
            return DataSource("hub")
        else:
            root = Path(data).expanduser()
            if not root.is_dir():
                raise HarnessError(
                    f"--data {data}: no such folder (expected 'sample', 'hub' or a data folder)"
                )
            root = root.resolve()
        if translated:
            root = root / "translated" / task.train_language
            if not root.is_dir():
                raise HarnessError(
                    f"task '{task.name}': no data in {task.train_language} ({root} is missing); "
                    f"put the task's files, in its own layout, under {root}"
                )
        return DataSource("local", root)

    # ------------------------------------------------------------------ data
    def rows(self, task: Task, split: str, language: str, source: DataSource) -> datasets.Dataset:
        key = (task.name, split, language)
        if key not in self._rows:
            self._rows[key] = task.load(split, language, source)
            self._fingerprints += data_fingerprints(task, split, language, source)
        return self._rows[key]

    def preflight(self, plan: Plan) -> None:
        """Read every split the run needs before training anything: bad data fails in seconds."""
        for task, role in plan.phases():
            src = plan.sources[task.name]
            if task.trains:
                self.rows(task, task.train_split, task.train_language, src)
            for split, lang in plan.eval_points(task, role):
                self.rows(task, split, lang, src)

    def _encoded(
        self,
        task: Task,
        split: str,
        language: str,
        source: DataSource,
        hparams: dict[str, Any],
    ) -> datasets.Dataset:
        rows = self.rows(task, split, language, source)
        hashes = [
            f.get("sha256") or f["source"]
            for f in self._fingerprints
            if (f["task"], f["split"], f["language"]) == (task.name, split, language)
        ]
        key = (
            "|".join([split, language, *hashes])
            if source.kind == "local"
            else (f"{split}|{language}|{rows._fingerprint}")
        )
        return encode(
            task,
            rows,
            self.tokenizer,
            hparams["max_length"],
            self.cache_dir / "datasets" / task.name,
            key,
            say=self.say,
        )

    # ------------------------------------------------------------------ running
    def run(self) -> RunDir:
        self.config = _checked(self.config)
        plan = self.plan()
        self.main = _is_main_process()  # the probe trainer of plan() set this process's rank
        units = self._units(plan)
        self.preflight(plan)
        run_id = self.config.run_id or os.environ.get(RUN_ID_ENV) or _new_run_id()
        if self.config.shard and not run_id.endswith(_shard_suffix(self.config.shard)):
            run_id += _shard_suffix(self.config.shard)
        run = RunDir(Path(self.config.output), run_id)  # refuses ids that leave --output
        os.environ[RUN_ID_ENV] = run_id
        if self.main:  # DDP workers Lightning launches share the run; only rank 0 locks
            run.lock()  # a second process on this run id stops here, before touching it
        try:
            return self._run_locked(plan, units, run)
        except Interrupted as exc:
            exc.run_id = run_id
            raise
        finally:
            run.unlock()

    def _run_locked(self, plan: Plan, units: set[tuple[int, str, str]], run: RunDir) -> RunDir:
        run_id = run.run_id
        self.tokenizer = plan.model.tokenizer(self.config.model)
        manifest = self._manifest(plan, run_id)
        done = self._resume(run, manifest, plan)
        manifest["completed"] = sorted(done)
        if self.main:
            removed = run.clean_temp_files()
            if removed:
                self.say(f"removed {len(removed)} temporary files of interrupted writes")
            run.write_manifest(manifest)
        self.say(
            f"run {run_id}: model {self.config.model}, data {self.config.data}, "
            f"targets {', '.join(t.name for t in plan.targets)}"
            + (f" (not yet available: {', '.join(plan.unavailable)})" if plan.unavailable else "")
        )

        def finished(key: str) -> None:
            done.add(key)
            manifest["completed"] = sorted(done)
            if self.main:
                run.write_manifest(manifest)

        try:
            for seed in self.config.seeds:
                for inter in plan.intermediates:
                    cells = [t for t in plan.targets if (seed, _name(inter), t.name) in units]
                    todo = [t for t in cells if _phase_key(seed, inter, t) not in done]
                    if todo and inter is not None and self._lost_encoder(run, inter, seed, done):
                        todo = cells  # every target must start from the same, new encoder
                        manifest["completed"] = sorted(done)
                        if self.main:
                            run.write_manifest(manifest)
                    if not todo:
                        continue
                    init = None
                    if inter is not None:
                        init = self._intermediate_phase(plan, run, inter, seed, done, finished)
                        _release_memory()
                    for target in todo:
                        self._phase(plan, run, target, inter, init, seed, "target")
                        finished(_phase_key(seed, inter, target))
                        _release_memory()
        except BaseException as exc:
            stop = _interruption(exc)
            if stop is None and isinstance(exc, KeyboardInterrupt):
                stop = Interrupted(signal.SIGINT)
            if self.main:
                if stop is not None or isinstance(exc, KeyboardInterrupt):
                    name = stop.signal_name if stop is not None else "SIGINT"
                    status = {"status": "interrupted", "error": f"interrupted ({name})"}
                elif isinstance(exc, HarnessError):
                    status = {"status": "failed", "error": str(exc)}
                else:
                    status = {"status": "failed", "error": f"{type(exc).__name__}: {exc}"}
                run.write_manifest({**manifest, **status})
            if stop is not None and stop is not exc:
                raise stop from None
            raise
        if self.main:
            run.write_manifest({**manifest, "status": "finished"})
            self.say(summary_table(run.records, plan.unavailable))
            self.say(f"results: {run.results_file}")
        return run

    def _units(self, plan: Plan) -> set[tuple[int, str, str]]:
        """(seed, intermediate, target) cells of the grid this process runs (``--shard i/n``).

        Shards take contiguous blocks of the grid in its run order, so an intermediate
        checkpoint is trained by as few shards as possible.
        """
        cells = [
            (seed, _name(inter), target.name)
            for seed in self.config.seeds
            for inter in plan.intermediates
            for target in plan.targets
        ]
        if not self.config.shard:
            return set(cells)
        index, count = self.config.shard
        if not 1 <= index <= count:
            raise HarnessError(f"--shard {index}/{count}: expected 1 <= i <= n")
        start, stop = (len(cells) * (index - 1)) // count, (len(cells) * index) // count
        if start == stop:
            raise HarnessError(
                f"--shard {index}/{count}: the grid has only {len(cells)} phases; use n <= "
                f"{len(cells)}"
            )
        return set(cells[start:stop])

    def _resume(self, run: RunDir, manifest: dict[str, Any], plan: Plan) -> set[str]:
        """Phases already finished in ``run`` (re-running a run id resumes it).

        A phase listed as finished whose records are gone from results.json is done again,
        and so is every target trained from an intermediate that is done again.
        """
        if not run.manifest_file.exists():
            if run.results_file.exists():
                raise HarnessError(
                    f"{run.results_file} exists without run.json; use another --run-id"
                )
            return set()
        from harness.results import read_results
        from harness.validation import errors

        try:
            previous = json.loads(run.manifest_file.read_text("utf-8"))
        except (OSError, json.JSONDecodeError) as exc:
            raise HarnessError(
                f"{run.manifest_file}: unreadable ({exc}); use another --run-id"
            ) from None
        if errors(previous, "run"):
            raise HarnessError(
                f"{run.manifest_file}: not a valid run manifest; use another --run-id"
            )
        manifest["created"] = previous["created"]
        old, new = previous["config"], manifest["config"]
        for key in sorted(set(old) | set(new)):
            if key in ("trainer", "model_source", "batch"):
                continue  # another machine or device count may finish the run (same protocol)
            if old.get(key) != new.get(key):
                raise HarnessError(
                    f"run '{run.run_id}' was started with another {key} "
                    f"({old.get(key)!r}, now {new.get(key)!r}); use another --run-id"
                )
        done = set(previous.get("completed", []))
        records, problems = (
            read_results(run.results_file) if run.results_file.exists() else ([], [])
        )
        if problems:
            raise HarnessError(f"{problems[0]}; cannot resume, use another --run-id")
        # records of a phase that crashed before it was marked finished are recomputed
        run.records = [r for r in records if _record_phase(r) in done]
        have = {_record_phase(r) for r in run.records}
        owed = self._owed(plan)
        lost = {key for key in done if owed.get(key) and key not in have}
        if lost:
            lost |= {k for key in lost for k in _trained_from(key, done)}
            where = "is missing" if not run.results_file.exists() else "lacks their records"
            self.say(
                f"resuming run {run.run_id}: {run.results_file} {where}; recomputing "
                f"{len(lost)} phases run.json lists as finished"
            )
            done -= lost
            run.records = [r for r in run.records if _record_phase(r) in done]
        if done:
            self.say(f"resuming run {run.run_id}: {len(done)} finished phases are kept")
        return done

    def _owed(self, plan: Plan) -> dict[str, bool]:
        """Whether each phase of the plan writes score records (some split it evaluates
        has gold labels), by the phase's key in run.json's ``completed``."""

        memo: dict[tuple[str, str], bool] = {}

        def scored(task: Task, role: str) -> bool:
            if (task.name, role) not in memo:
                src = plan.sources[task.name]
                memo[task.name, role] = any(
                    all(r is not None for r in task.references(self.rows(task, split, lang, src)))
                    for split, lang in plan.eval_points(task, role)
                )
            return memo[task.name, role]

        owed = {}
        for inter in plan.intermediates:
            members = list(inter.members) if isinstance(inter, MultiTask) else [inter]
            for seed in self.config.seeds:
                if inter is not None:
                    owed[_intermediate_key(seed, inter)] = any(
                        scored(m, "intermediate") for m in members
                    )
                for target in plan.targets:
                    owed[_phase_key(seed, inter, target)] = scored(target, "target")
        return owed

    def _lost_encoder(self, run: RunDir, inter: Task, seed: int, done: set[str]) -> bool:
        """Forget a finished intermediate whose saved encoder is gone, and the targets
        trained from it: retraining it alone would mix targets from two encoders."""
        key = _intermediate_key(seed, inter)
        checkpoint = run.checkpoint_dir(f"{inter.name}-seed{seed}")
        if key not in done or (checkpoint.is_dir() and any(checkpoint.iterdir())):
            return False
        lost = {key, *_trained_from(key, done)}
        self.say(
            f"[seed {seed}] {checkpoint} is missing: retraining {inter.name} and recomputing "
            f"the {len(lost) - 1} finished target phases trained from it"
        )
        done -= lost
        run.records = [r for r in run.records if _record_phase(r) not in lost]
        return True

    def _intermediate_phase(
        self,
        plan: Plan,
        run: RunDir,
        task: Task,
        seed: int,
        done: set[str],
        finished: Callable[[str], None],
    ) -> Path:
        """Train and score ``task`` once; its saved encoder is where every target starts."""
        key = _intermediate_key(seed, task)
        checkpoint = run.checkpoint_dir(f"{task.name}-seed{seed}")
        if key in done and checkpoint.is_dir():
            self.say(f"[seed {seed}] intermediate phase: {task.name} (finished earlier, reused)")
            return checkpoint
        if isinstance(task, MultiTask):
            trainer, model = self._multitask_phase(plan, run, task, seed)
        else:
            phase = self._phase(plan, run, task, None, None, seed, "intermediate")
            trainer, model = phase.trainer, phase.module.model
        if self.main:
            plan.model.save_encoder(model, checkpoint)
        trainer.strategy.barrier()
        finished(key)
        return checkpoint

    def _multitask_phase(
        self, plan: Plan, run: RunDir, multi: MultiTask, seed: int
    ) -> tuple[Any, Any]:
        """Train the members of ``multi`` together on one encoder; score each on its dev set."""
        import lightning as L

        from harness.multitask import (
            MultiTaskLoader,
            MultiTaskModule,
            sampling_probabilities,
            share_encoder,
        )

        hp = plan.hparams[multi.name]
        layout = plan.multitask_batches[multi.name]
        L.seed_everything(seed, workers=True, verbose=False)
        self.say(f"[seed {seed}] intermediate phase: {multi.name} (multi-task)")
        models, tasks, loaders, fixed = {}, {}, {}, {}
        workers = int(self.config.trainer.get("num_workers", 0))
        for member in multi.members:
            mh = plan.hparams[member.name]
            src = plan.sources[member.name]
            train = self._encoded(member, member.train_split, member.train_language, src, mh)
            if mh.get("max_train_examples") and mh["max_train_examples"] < len(train):
                train = train.shuffle(seed=seed).select(range(mh["max_train_examples"]))
            models[member.name] = plan.model.build(
                self.config.model, member.head, member.num_labels, None
            )
            tasks[member.name] = member
            loaders[member.name] = PhaseDataModule(
                member.collator(self.tokenizer),
                train,
                layout[member.name].per_device_batch,
                mh["eval_batch_size"],
                seed,
                num_workers=workers,
                group_size=layout[member.name].global_batch,
            ).train_dataloader()  # MultiTaskLoader cuts each rank's shard
            if "mixing_weight" in member.settings:
                fixed[member.name] = float(member.settings["mixing_weight"])
        share_encoder(models)
        try:
            shares = sampling_probabilities(
                {n: len(loader) for n, loader in loaders.items()},
                float(hp["multitask_temperature"]),
                fixed,
            )
        except ValueError as exc:
            raise HarnessError(f"--intermediate {multi.name}: {exc}") from None
        self.say("  steps per task: " + ", ".join(f"{n} {p:.0%}" for n, p in shares.items()))
        module = MultiTaskModule(
            models, tasks, hp["learning_rate"], hp["warmup_ratio"], hp["weight_decay"]
        )
        if hp.get("val_every_steps"):
            self.say("  multi-task phases train without validation; the last weights carry over")
        label = f"{multi.name}-seed{seed}"
        state_dir = run.path / "state" / label
        # each step trains one head, so DDP must expect parameters without gradients
        accumulation = next(iter(layout.values())).accumulation
        trainer = self._trainer(
            run, label, hp, accumulation, state_dir, unused_parameters=True
        )
        last = resumable(state_dir, self.say, self.main)  # None: none, or damaged and deleted
        started = time.perf_counter()
        trainer.fit(
            module,
            train_dataloaders=MultiTaskLoader(loaders, shares, seed),
            ckpt_path=str(last) if last else None,
        )
        self.say(
            f"  trained {multi.name}: {trainer.global_step} steps "
            f"in {time.perf_counter() - started:.1f}s; {module.schedule_summary()}"
        )
        trainer.strategy.barrier()
        if self.main:
            shutil.rmtree(state_dir, ignore_errors=True)
        records = []
        for member in multi.members:
            module.activate(member.name)
            mh = plan.hparams[member.name]
            data = PhaseDataModule(
                member.collator(self.tokenizer), None, mh["batch_size"], mh["eval_batch_size"], seed
            )
            phase = _Phase(member, multi, "intermediate", seed, trainer, module, data)  # type: ignore[arg-type]
            phase.batch = layout[member.name]
            for split, lang in plan.eval_points(member, "intermediate"):
                records += self._evaluate(plan, run, phase, split, lang)
        if self.main:
            run.add_records(records)
        return trainer, module.members[0]

    def _phase(
        self,
        plan: Plan,
        run: RunDir,
        task: Task,
        inter: Task | None,
        init: Path | None,
        seed: int,
        role: str,
    ) -> _Phase:
        """One Lightning fit on ``task`` from ``init``, then every evaluation it owes."""
        if role == "intermediate":
            self.say(f"[seed {seed}] intermediate phase: {task.name}")
            label = f"{task.name}-seed{seed}"
        else:
            origin = f" (from {inter.name} checkpoint)" if inter else ""
            self.say(f"[seed {seed}] target phase: {task.name}{origin}")
            label = f"{inter.name if inter else 'none'}-{task.name}-seed{seed}"
        phase = self._fit(plan, run, task, inter, init, seed, role, label)
        records = []
        for split, lang in plan.eval_points(task, role):
            records += self._evaluate(plan, run, phase, split, lang)
        if self.main:
            run.add_records(records)
        return phase

    def _fit(
        self,
        plan: Plan,
        run: RunDir,
        task: Task,
        inter: Task | None,
        init: Path | None,
        seed: int,
        role: str,
        label: str,
    ) -> _Phase:
        import lightning as L

        from harness.module import PhaseModule

        hp = plan.hparams[task.name]
        L.seed_everything(seed, workers=True, verbose=False)
        src = plan.sources[task.name]
        train = None
        if task.trains:
            train = self._encoded(task, task.train_split, task.train_language, src, hp)
            if hp.get("max_train_examples") and hp["max_train_examples"] < len(train):
                train = train.shuffle(seed=seed).select(range(hp["max_train_examples"]))
        model = plan.model.build(self.config.model, task.head, task.num_labels, init)
        module = PhaseModule(
            model, task, hp["learning_rate"], hp["warmup_ratio"], hp["weight_decay"]
        )
        batch = plan.batches.get(task.name)
        data = PhaseDataModule(
            task.collator(self.tokenizer),
            train,
            batch.per_device_batch if batch else hp["batch_size"],
            hp["eval_batch_size"],
            seed,
            num_workers=int(self.config.trainer.get("num_workers", 0)),
            group_size=batch.global_batch if batch else None,
        )
        validation = self._validation(plan, task, hp, data) if train is not None else None
        val_loader, module.validation_scorer = validation or (None, None)
        state_dir = run.path / "state" / label
        trainer = self._trainer(
            run,
            label,
            hp,
            batch.accumulation if batch else 1,
            state_dir if train is not None else None,
            val_loader is not None,
        )
        if train is not None:
            assert batch is not None
            last = resumable(state_dir, self.say, self.main)  # None: none, or damaged and deleted
            if last:
                self.say(f"  resuming {task.name} from {last}")
            started = time.perf_counter()
            trainer.fit(
                module,
                # this rank's shard of one global order: the same optimizer steps on any
                # number of devices (Lightning's own sampler would reshuffle the order)
                train_dataloaders=data.train_dataloader(trainer.world_size),
                val_dataloaders=val_loader,
                ckpt_path=str(last) if last else None,
            )
            self.say(
                f"  trained {task.name} on {len(train)} features in "
                f"{time.perf_counter() - started:.1f}s: {trainer.global_step} optimizer steps, "
                f"{batch.describe()}; {module.schedule_summary()}"
            )
            if val_loader is not None:
                self._keep_best(trainer, module, val_loader, task)
            trainer.strategy.barrier()
            if self.main:
                shutil.rmtree(state_dir, ignore_errors=True)  # the phase is done; free the disk
        else:
            module.model.eval()
        return _Phase(task, inter, role, seed, trainer, module, data, batch=batch)

    def _validation(
        self, plan: Plan, task: Task, hp: dict[str, Any], data: PhaseDataModule
    ) -> tuple[Any, Callable[[list[dict[str, Any]]], float]] | None:
        """The dev loader ``val_every_steps`` validates on, and its main-score function."""
        if not hp.get("val_every_steps"):
            return None
        lang = task.train_language
        if "dev" not in task.splits_for(lang):
            self.say(f"  {task.name} has no dev set in {lang}: trained without validation")
            return None
        src = plan.sources[task.name]
        rows = self.rows(task, "dev", lang, src)
        features = self._encoded(task, "dev", lang, src, hp)
        limit = hp.get("val_max_examples")
        if limit and limit < len(rows):
            rows = rows.select(range(limit))
            keep = set(rows["example_id"])
            features = features.select(
                [i for i, e in enumerate(features["example_id"]) if e in keep]
            )
        references = task.references(rows)
        if any(r is None for r in references):
            self.say(f"  {task.name} dev {lang} has no labels: trained without validation")
            return None
        evaluator = self.registry.evaluator(task.evaluator)
        context = EvalContext("dev", lang, {})

        def main_score(outputs: list[dict[str, Any]]) -> float:
            predictions = _decode_outputs(task, outputs, features, rows, context)
            scores = evaluator.score(predictions, references, language=lang)
            return float(scores[task.main_metric])

        return data.eval_dataloader(features), main_score

    def _keep_best(self, trainer: Any, module: Any, loader: Any, task: Task) -> None:
        """Validate the last weights too, then continue with the best validated ones (jiant)."""
        from lightning.pytorch.callbacks import ModelCheckpoint

        final = trainer.validate(module, dataloaders=loader, verbose=False)[0]["val_score"]
        best = next(
            c
            for c in trainer.checkpoint_callbacks
            if isinstance(c, ModelCheckpoint) and c.monitor == "val_score"
        )
        # After a crash, best.ckpt may hold weights validated after the restored score; they
        # scored at least that, so preferring them stays right (records come from evaluation).
        if best.best_model_path and best.best_model_score is not None:
            if float(best.best_model_score) > final:
                checkpoint = torch.load(
                    best.best_model_path, map_location="cpu", weights_only=False
                )
                module.load_state_dict(checkpoint["state_dict"])
                self.say(
                    f"  kept the best validated weights: dev {task.main_metric} "
                    f"{float(best.best_model_score):.2f} (last {final:.2f})"
                )
                return
        self.say(f"  kept the last weights: dev {task.main_metric} {final:.2f}")

    def _trainer(
        self,
        run: RunDir,
        label: str,
        hp: dict[str, Any],
        accumulate: int,
        state_dir: Path | None,
        validate: bool = False,
        unused_parameters: bool = False,
    ):
        """A Lightning trainer; ``state_dir`` gets a resumable last.ckpt after every epoch.

        ``accumulate`` is this run's per-device accumulation (``Plan.batches``), not the
        hyper-parameter. With ``validate``, it also validates every ``val_every_steps``
        optimizer steps, keeps the best weights in ``state_dir`` and, given a patience,
        stops early.
        """
        import lightning as L
        from lightning.pytorch.callbacks import EarlyStopping, ModelCheckpoint
        from lightning.pytorch.loggers import CSVLogger

        opts = {
            k: v for k, v in self.config.trainer.items() if k in TRAINER_OPTIONS and v is not None
        }
        if unused_parameters:
            opts["strategy"] = _allowing_unused_parameters(opts.get("strategy", "auto"))
        callbacks: list[Any] = []
        if state_dir is not None:
            callbacks.append(
                ModelCheckpoint(
                    dirpath=state_dir,
                    filename="last",
                    enable_version_counter=False,
                    save_on_train_epoch_end=True,
                )
            )
        if validate:
            opts |= {
                "val_check_interval": int(hp["val_every_steps"]) * accumulate,  # in batches
                "check_val_every_n_epoch": None,  # intervals run across epoch boundaries
            }
            callbacks.append(
                ModelCheckpoint(
                    dirpath=state_dir,
                    filename="best",
                    monitor="val_score",
                    mode="max",
                    save_top_k=1,
                    save_weights_only=True,
                    enable_version_counter=False,
                )
            )
            if hp.get("early_stopping_patience"):
                callbacks.append(
                    EarlyStopping(
                        monitor="val_score",
                        mode="max",
                        patience=int(hp["early_stopping_patience"]),
                        check_on_train_epoch_end=False,
                    )
                )
        else:
            opts["limit_val_batches"] = 0
        kwargs = dict(
            max_epochs=int(hp["epochs"]),
            accumulate_grad_batches=accumulate,
            gradient_clip_val=hp.get("max_grad_norm"),
            logger=CSVLogger(run.path / "logs", name=label),
            callbacks=[*callbacks, *self.config.callbacks],
            enable_checkpointing=state_dir is not None,
            enable_model_summary=False,
            enable_progress_bar=self.progress,
            log_every_n_steps=10,
            num_sanity_val_steps=0,
            plugins=[AtomicCheckpointIO()],  # a full disk never leaves half a last.ckpt
        )
        trainer = L.Trainer(**kwargs, **opts)
        if unused_parameters and opts.get("strategy") == "auto":
            from lightning.pytorch.strategies import DDPStrategy

            if isinstance(trainer.strategy, DDPStrategy):  # "auto" chose DDP: several devices
                opts["strategy"] = "ddp_find_unused_parameters_true"
                trainer = L.Trainer(**kwargs, **opts)
        return trainer

    def _evaluate(
        self, plan: Plan, run: RunDir, phase: _Phase, split: str, lang: str
    ) -> list[dict[str, Any]]:
        task, inter = phase.task, phase.intermediate
        src = plan.sources[task.name]
        rows = self.rows(task, split, lang, src)
        features = self._encoded(task, split, lang, src, plan.hparams[task.name])
        outputs = phase.trainer.predict(
            phase.module, dataloaders=phase.data.eval_dataloader(features)
        )
        context = EvalContext(split, lang, phase.state)
        predictions = _decode_outputs(task, outputs, features, rows, context)
        if not self.main:
            return []
        folder = run.predictions_dir(inter.name if inter else None, phase.seed) / (
            task.xtreme_name or task.name
        )
        task.write_predictions(folder / f"{split}-{lang}{task.prediction_suffix}", predictions)
        references = task.references(rows)
        if any(r is None for r in references):
            self.say(f"  {task.name} {split} {lang}: no gold labels; predictions written only")
            return []
        evaluator = self.registry.evaluator(task.evaluator)
        scores = evaluator.score(predictions, references, language=lang)
        replicates = int(plan.hparams[task.name].get("bootstrap_samples") or 0)
        if replicates and task.main_metric in scores:
            harness_results.atomic_write_json(
                run.path
                / "bootstrap"
                / (inter.name if inter else "none")
                / f"seed{phase.seed}"
                / task.name
                / f"{split}-{lang}.json",
                {
                    "metric": task.main_metric,
                    "value": float(scores[task.main_metric]),
                    "replicates": bootstrap(
                        evaluator,
                        predictions,
                        references,
                        lang,
                        task.main_metric,
                        replicates,
                        key=f"{task.name}|{split}|{lang}",
                    ),
                },
            )
        return [
            {
                "suite": plan.suite.name,
                "model": self.config.model,
                "intermediate": inter.name if inter else None,
                "intermediate_language": inter.train_language if inter else None,
                "target": task.name,
                "role": phase.role,
                "language": lang,
                "split": split,
                "metric": metric,
                "value": float(value),
                "main": metric == task.main_metric,
                "seed": phase.seed,
                "run_id": run.run_id,
                "n_examples": len(rows),
                "data": self.config.data,
                **({"batch": phase.batch.as_dict()} if phase.batch else {}),
            }
            for metric, value in scores.items()
        ]

    def _manifest(self, plan: Plan, run_id: str) -> dict[str, Any]:
        cfg = self.config
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
                "suite": plan.suite.name,
                "model": cfg.model,
                "model_source": plan.model.fingerprint(cfg.model),
                "preset": cfg.preset,
                "targets": [t.name for t in plan.targets],
                "unavailable_targets": plan.unavailable,
                "intermediates": [t.name if t else None for t in plan.intermediates],
                "languages": cfg.languages,
                "data": cfg.data,
                "shard": list(cfg.shard) if cfg.shard else None,
                "seeds": list(cfg.seeds),
                "hparams": plan.hparams,
                "settings": {t.name: t.settings for t, _ in plan.phases() if t.settings},
                "trainer": {k: v for k, v in cfg.trainer.items() if v is not None},
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
            "plugins": [asdict(p) for p in self.registry.plugins],
            "data_files": self._fingerprints,
        }


def _allowing_unused_parameters(strategy: Any) -> Any:
    """The DDP variant of ``strategy`` that tolerates parameters without gradients.

    A multi-task step trains one head; plain DDP would wait for the others' gradients.
    ``auto`` is resolved once Lightning has picked a strategy (see ``Runner._trainer``).
    """
    if not isinstance(strategy, str) or not strategy.startswith("ddp"):
        return strategy or "auto"
    if "find_unused_parameters" in strategy:
        return strategy
    from lightning.pytorch.strategies import StrategyRegistry

    candidate = f"{strategy}_find_unused_parameters_true"
    return candidate if candidate in StrategyRegistry else strategy


def _release_memory() -> None:
    """Free a finished phase's model now: trainer and module reference each other, so
    without a collection their weights (and optimizer state) outlive the phase."""
    import gc

    gc.collect()
    if torch.cuda.is_available():
        torch.cuda.empty_cache()


def _decode_outputs(
    task: Task,
    outputs: list[dict[str, Any]],
    features: datasets.Dataset,
    rows: datasets.Dataset,
    context: EvalContext,
) -> list[Any]:
    """Every rank's predict outputs, checked and decoded into one prediction per row.

    Outputs are matched by ``feature_index``, which a subset of features (validation on the
    first dev examples) keeps from the full set.
    """
    by_feature = _gather_predictions(outputs)
    indices = list(features["feature_index"])
    if sorted(by_feature) != sorted(indices):
        raise RuntimeError(
            f"evaluation of {task.name}/{context.split}/{context.language} returned "
            f"{len(by_feature)} outputs for {len(indices)} features"
        )
    predictions = task.decode([by_feature[i] for i in indices], features, rows, context)
    if len(predictions) != len(rows):
        raise RuntimeError(
            f"task '{task.name}' decoded {len(predictions)} predictions for {len(rows)} rows"
        )
    return predictions


def _gather_predictions(outputs: list[dict[str, Any]]) -> dict[int, np.ndarray]:
    """Every rank's outputs by feature index, each feature once (distributed samplers pad)."""
    local = [
        (i, o)
        for batch in outputs
        for i, o in zip(batch["feature_index"], batch["outputs"], strict=True)
    ]
    parts = [local]
    if torch.distributed.is_available() and torch.distributed.is_initialized():
        parts = [None] * torch.distributed.get_world_size()
        torch.distributed.all_gather_object(parts, local)
    gathered: dict[int, np.ndarray] = {}
    for part in parts:
        for i, output in part:
            gathered.setdefault(int(i), output)
    return gathered


def bootstrap(
    evaluator: Any,
    predictions: list[Any],
    references: list[Any],
    language: str,
    metric: str,
    samples: int,
    key: str,
) -> list[float]:
    """``metric`` on ``samples`` resamples (with replacement) of the evaluated examples.

    The resample indices depend only on ``key`` and the number of examples, so two systems
    scored on the same split get the same resamples: differences of their replicates form
    a paired bootstrap (confidence intervals for "intermediate X helps target language Y").
    """
    n = len(predictions)
    seed = int(hashlib.sha256(f"{key}|{n}".encode()).hexdigest()[:12], 16)
    rng = np.random.default_rng(seed)
    out = []
    for _ in range(samples):
        index = rng.integers(0, n, n)
        scores = evaluator.score(
            [predictions[i] for i in index], [references[i] for i in index], language=language
        )
        out.append(float(scores[metric]))
    return out


def _split_multitask(name: str) -> list[str]:
    """Members of a multi-task phase: 'mnli+squad' -> [mnli, squad]; 'anli+' is one task
    (ANLI+), so 'mnli+anli+' -> [mnli, anli+]."""
    parts: list[str] = []
    for piece in name.split("+"):
        if piece == "" and parts:
            parts[-1] += "+"
        else:
            parts.append(piece)
    return parts


def _concrete(intermediates: list[Any]) -> list[Task]:
    """The tasks of the intermediate phases, multi-task members included."""
    out: list[Task] = []
    for item in intermediates:
        if isinstance(item, MultiTask):
            out += [m for m in item.members if m.name not in {t.name for t in out}]
        elif item is not None and item.name not in {t.name for t in out}:
            out.append(item)
    return out


def _multi(intermediates: list[Any]) -> list[MultiTask]:
    return [item for item in intermediates if isinstance(item, MultiTask)]


def _name(task: Task | None) -> str:
    return task.name if task is not None else "none"


def _phase_key(seed: int, inter: Task | None, task: Task) -> str:
    """Identity of a target phase in run.json's ``completed`` list."""
    return f"seed{seed}/{_name(inter)}/{task.name}"


def _intermediate_key(seed: int, task: Task) -> str:
    return f"seed{seed}/intermediate/{task.name}"


def _record_phase(record: dict[str, Any]) -> str:
    """The phase that produced ``record`` (same form as the keys above)."""
    if record["role"] == "intermediate":  # a multi-task phase's members name their phase
        return f"seed{record['seed']}/intermediate/{record['intermediate'] or record['target']}"
    return f"seed{record['seed']}/{record['intermediate'] or 'none'}/{record['target']}"


def _trained_from(key: str, done: set[str]) -> set[str]:
    """Finished target phases trained from the intermediate phase ``key`` (none for a target)."""
    seed, role, name = key.split("/", 2)
    if role != "intermediate":
        return set()
    return {k for k in done if k.startswith(f"{seed}/{name}/")}


def _interruption(exc: BaseException) -> Interrupted | None:
    """``exc`` as an ``Interrupted`` if a signal stopped the run: ours, or what Lightning
    makes of one for an API caller without ``stop_on_signals`` (SIGTERM: an exception that
    exits 0; Ctrl-C during ``fit``: ``sys.exit(1)``)."""
    if isinstance(exc, Interrupted):
        return exc
    from lightning.pytorch.utilities.exceptions import SIGTERMException

    if isinstance(exc, SIGTERMException):
        return Interrupted(signal.SIGTERM)
    if isinstance(exc, SystemExit) and isinstance(exc.__context__, KeyboardInterrupt):
        return Interrupted(signal.SIGINT)
    return None


def _checked(config: RunConfig) -> RunConfig:
    """``config`` without repeated names or seeds (a phase must not run twice), with seeds
    and DataLoader workers numpy and PyTorch accept."""
    for seed in config.seeds:
        if not isinstance(seed, int) or not 0 <= seed < 2**32:
            raise HarnessError(f"seed {seed!r}: expected a whole number from 0 to {2**32 - 1}")
    workers = config.trainer.get("num_workers")
    if workers is not None and (not isinstance(workers, int) or workers < 0):
        raise HarnessError(f"num_workers {workers!r}: expected 0 or more")

    def unique(values: list[Any] | None) -> list[Any] | None:
        return None if values is None else list(dict.fromkeys(values))

    return dataclasses.replace(
        config,
        targets=unique(config.targets),
        intermediates=unique(config.intermediates),
        languages=unique(config.languages),
        seeds=unique(config.seeds),
    )


def _shard_suffix(shard: tuple[int, int]) -> str:
    return f"-shard{shard[0]}of{shard[1]}"


def _new_run_id() -> str:
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    return f"{stamp}-{hashlib.sha1(uuid.uuid4().bytes).hexdigest()[:6]}"


def summary_table(records: list[dict[str, Any]], unavailable: list[str]) -> str:
    """The run's tables: intermediate tasks' own scores, one table per target, then the
    targets that are not installed."""
    from harness.leaderboard import intermediate_table, target_table

    blocks = []
    if any(r["role"] == "intermediate" for r in records):
        blocks.append("intermediate tasks (own validation score)\n" + intermediate_table(records))
    targets = [r for r in records if r["role"] == "target"]
    blocks += [
        f"{t}\n{target_table(targets, t)}" for t in dict.fromkeys(r["target"] for r in targets)
    ]
    blocks += [
        f"{n}: not yet available (no installed plugin provides this task)" for n in unavailable
    ]
    return "\n\n".join(blocks)
