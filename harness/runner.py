"""The phase runner: plan a suite, check every input up front, then run phases.

A *phase* is one Lightning fit on one task, started from a named encoder checkpoint (or
the pretrained model) and producing one. Intermediate phases run once per seed and every
target phase of that seed starts from their checkpoint with a fresh head.
"""

from __future__ import annotations

import json
import logging
import os
import platform
import shutil
import signal
import sys
import time
import warnings
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

import datasets

from harness import results as harness_results
from harness.checkpoints import resumable
from harness.data import PhaseDataModule, data_fingerprints, encode
from harness.devices import BatchPlan
from harness.errors import HarnessError
from harness.evaluation import bootstrap, decode_outputs
from harness.interrupts import Interrupted
from harness.planning import (  # noqa: F401 - RunConfig, Plan, DEFAULT_HPARAMS: public here too
    DEFAULT_HPARAMS,
    MultiTask,
    Plan,
    Planner,
    RunConfig,
    checked_config,
    default_cache_dir,
    intermediate_key,
    multitask_phases,
    new_run_id,
    phase_name,
    record_key,
    shard_suffix,
    target_key,
    trained_from,
)
from harness.registry import Registry
from harness.results import RUN_FORMAT, RunDir
from harness.tasks import DataSource, EvalContext, Task
from harness.training import build_trainer, keep_best, release_memory

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

    def plan(self) -> Plan:
        """The run's phases, hyper-parameters, batch layouts and sources (see ``Planner``)."""
        return Planner(self.registry, self.config).plan()

    # ------------------------------------------------------------------ planning


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
        self.config = checked_config(self.config)
        planner = Planner(self.registry, self.config)
        plan = planner.plan()
        self.main = _is_main_process()  # the probe trainer of plan() set this process's rank
        units = planner.units(plan)
        self.preflight(plan)
        run_id = self.config.run_id or os.environ.get(RUN_ID_ENV) or new_run_id()
        if self.config.shard and not run_id.endswith(shard_suffix(self.config.shard)):
            run_id += shard_suffix(self.config.shard)
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
                    cells = [t for t in plan.targets if (seed, phase_name(inter), t.name) in units]
                    todo = [t for t in cells if target_key(seed, inter, t) not in done]
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
                        release_memory()
                    for target in todo:
                        self._phase(plan, run, target, inter, init, seed, "target")
                        finished(target_key(seed, inter, target))
                        release_memory()
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
        run.records = [r for r in records if record_key(r) in done]
        have = {record_key(r) for r in run.records}
        owed = self._owed(plan)
        lost = {key for key in done if owed.get(key) and key not in have}
        if lost:
            lost |= {k for key in lost for k in trained_from(key, done)}
            where = "is missing" if not run.results_file.exists() else "lacks their records"
            self.say(
                f"resuming run {run.run_id}: {run.results_file} {where}; recomputing "
                f"{len(lost)} phases run.json lists as finished"
            )
            done -= lost
            run.records = [r for r in run.records if record_key(r) in done]
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
                    owed[intermediate_key(seed, inter)] = any(
                        scored(m, "intermediate") for m in members
                    )
                for target in plan.targets:
                    owed[target_key(seed, inter, target)] = scored(target, "target")
        return owed

    def _lost_encoder(self, run: RunDir, inter: Task, seed: int, done: set[str]) -> bool:
        """Forget a finished intermediate whose saved encoder is gone, and the targets
        trained from it: retraining it alone would mix targets from two encoders."""
        key = intermediate_key(seed, inter)
        checkpoint = run.checkpoint_dir(f"{inter.name}-seed{seed}")
        if key not in done or (checkpoint.is_dir() and any(checkpoint.iterdir())):
            return False
        lost = {key, *trained_from(key, done)}
        self.say(
            f"[seed {seed}] {checkpoint} is missing: retraining {inter.name} and recomputing "
            f"the {len(lost) - 1} finished target phases trained from it"
        )
        done -= lost
        run.records = [r for r in run.records if record_key(r) not in lost]
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
        key = intermediate_key(seed, task)
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
                keep_best(trainer, module, val_loader, task, self.say)
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
            predictions = decode_outputs(task, outputs, features, rows, context)
            scores = evaluator.score(predictions, references, language=lang)
            return float(scores[task.main_metric])

        return data.eval_dataloader(features), main_score


    def _trainer(
        self,
        run: RunDir,
        label: str,
        hp: dict[str, Any],
        accumulate: int,
        state_dir: Path | None,
        validate: bool = False,
        unused_parameters: bool = False,
    ) -> Any:
        """``build_trainer`` with this run's Lightning options, logs, progress and callbacks;
        ``accumulate`` is the per-device accumulation of ``Plan.batches``."""
        return build_trainer(
            self.config.trainer,
            run.path / "logs",
            label,
            hp,
            accumulate,
            state_dir,
            validate,
            unused_parameters,
            progress=self.progress,
            callbacks=self.config.callbacks,
        )

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
        predictions = decode_outputs(task, outputs, features, rows, context)
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
                run.bootstrap_file(inter.name if inter else None, phase.seed, task.name, split, lang),
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
