"""The phase runner: plan a suite, check every input up front, then run phases.

A *phase* is one Lightning fit on one task, started from a named encoder checkpoint (or
the pretrained model) and producing one. Intermediate phases run once per seed and every
target phase of that seed starts from their checkpoint with a fresh head.

``Runner.run`` is the loop over seeds x intermediates x targets; what one step does lives
beside it: resuming and run.json in ``harness.resume``, training in ``harness.phases``,
evaluation in ``harness.evaluation``.
"""

from __future__ import annotations

import logging
import os
import signal
import sys
import warnings
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import datasets

from harness import results as harness_results
from harness.data import data_fingerprints, encode
from harness.devices import pads_to_multiple
from harness.errors import HarnessError
from harness.evaluation import bootstrap, evaluate  # noqa: F401 - bootstrap: public here too
from harness.interrupts import Interrupted
from harness.loggers import DEFAULT_LOGGERS, log_final_scores
from harness.phases import TrainedPhase, fit_multitask, fit_task, member_phases
from harness.planning import (  # noqa: F401 - RunConfig, Plan, DEFAULT_HPARAMS: public here too
    DEFAULT_HPARAMS,
    RUN_ID_ENV,
    MultiTask,
    Plan,
    Planner,
    RunConfig,
    checked_config,
    default_cache_dir,
    intermediate_key,
    new_run_id,
    phase_name,
    shard_suffix,
    target_key,
)
from harness.registry import Registry
from harness.results import RunDir, model_label
from harness.resume import lost_encoder, resume, run_manifest
from harness.tasks import DataSource, Task
from harness.training import build_trainer, release_memory


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
        self.exact_padding = not pads_to_multiple(config.trainer)
        """Trim batches to their longest sequence (CPU); keep multiple-of-8 padding on GPUs."""
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

    def encoded(
        self,
        task: Task,
        split: str,
        language: str,
        source: DataSource,
        hparams: dict[str, Any],
    ) -> datasets.Dataset:
        """The features of one split: ``task.encode`` over its rows, cached on disk under a key
        of the data files' hashes (the phases and the evaluation share it)."""
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
        manifest = run_manifest(plan, self.config, self.registry, self._fingerprints, run_id)
        done = resume(run, manifest, plan, self.config, self.rows, self.say)
        manifest["completed"] = sorted(done)
        if self.main:
            removed = run.clean_temp_files()
            if removed:
                self.say(f"removed {len(removed)} temporary files of interrupted writes")
            run.write_manifest(manifest)
        self.say(
            f"run {run_id}: model {model_label(self.config.model)}, data {self.config.data}, "
            f"targets {', '.join(t.name for t in plan.targets)}"
            + (f" (not yet available: {', '.join(plan.unavailable)})" if plan.unavailable else "")
        )
        if plan.choices is not None:  # --intermediate auto:K: say what was chosen and why
            from harness.ranking.auto import describe

            self.say(describe(self.config.intermediate_choice))

        def save() -> None:
            manifest["completed"] = sorted(done)
            if self.main:
                run.write_manifest(manifest)

        def finished(key: str) -> None:
            done.add(key)
            save()

        try:
            for seed in self.config.seeds:
                for inter in plan.intermediates:
                    cells = [t for t in plan.targets if (seed, phase_name(inter), t.name) in units]
                    todo = [t for t in cells if target_key(seed, inter, t) not in done]
                    if todo and inter is not None:
                        if lost_encoder(run, inter, seed, done, self.say):
                            todo = cells  # every target must start from the same, new encoder
                            save()
                    if not todo:
                        continue
                    init = None
                    if inter is not None:
                        init = self._intermediate_phase(plan, run, inter, seed, done, finished)
                        release_memory()
                    for target in todo:
                        recipe = plan.recipes.get(target.name) if inter is None else None
                        start = init
                        if recipe is not None:  # the suite's own recipe, e.g. SIQA before XCOPA
                            start = self._intermediate_phase(
                                plan, run, recipe, seed, done, finished
                            )
                            release_memory()
                        self._phase(plan, run, target, inter, start, seed, "target", recipe)
                        finished(target_key(seed, inter, target))
                        release_memory()
        except BaseException as exc:
            stop = self._stopped(run, manifest, exc)
            if stop is not None and stop is not exc:
                raise stop from None
            raise
        if self.main:
            run.write_manifest({**manifest, "status": "finished"})
            self.say(self._summary(plan, run))
            self.say(f"results: {run.results_file}")
        return run

    def _stopped(
        self, run: RunDir, manifest: dict[str, Any], exc: BaseException
    ) -> Interrupted | None:
        """Record in run.json why the run stopped; for a signal, the ``Interrupted`` to raise."""
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
        return stop

    def _summary(self, plan: Plan, run: RunDir) -> str:
        """Write summary.md (every per-language table); the compact summary pointing to it."""
        from harness.run_summary import summary_markdown

        scoring = plan.suite.scoring
        folders = {t.name: t.xtreme_name or t.name for t in plan.targets}
        harness_results.atomic_write_text(
            run.summary_file,
            summary_markdown(run.records, plan.unavailable, run.run_id, scoring, folders),
        )
        return summary_table(run.records, plan.unavailable, scoring, folders, run.summary_file)

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
            self.say(f"[seed {seed}] intermediate phase: {task.name} (multi-task)")
            trainer, module = fit_multitask(self, plan, run, task, seed)
            self._score(plan, run, trainer, member_phases(self, plan, task, seed, trainer, module))
            model = module.members[0]
        else:
            phase = self._phase(plan, run, task, None, None, seed, "intermediate")
            trainer, model = phase.trainer, phase.module.model
        if self.main:
            plan.model.save_encoder(model, checkpoint)
        trainer.strategy.barrier()
        finished(key)
        return checkpoint

    def _phase(
        self,
        plan: Plan,
        run: RunDir,
        task: Task,
        inter: Task | None,
        init: Path | None,
        seed: int,
        role: str,
        recipe: Task | None = None,
    ) -> TrainedPhase:
        """One Lightning fit on ``task`` from ``init``, then every evaluation it owes;
        ``recipe``: the suite's baseline recipe task ``init`` was trained on."""
        if role == "intermediate":
            self.say(f"[seed {seed}] intermediate phase: {task.name}")
            label = f"{task.name}-seed{seed}"
        else:
            origin = f" (from {inter.name} checkpoint)" if inter else ""
            if recipe is not None:
                origin = f" (from {recipe.name} checkpoint: the suite's baseline recipe)"
            self.say(f"[seed {seed}] target phase: {task.name}{origin}")
            label = f"{inter.name if inter else 'none'}-{task.name}-seed{seed}"
        phase = fit_task(self, plan, run, task, inter, init, seed, role, label)
        phase.recipe = recipe
        self._score(plan, run, phase.trainer, [phase])
        return phase

    def _score(self, plan: Plan, run: RunDir, trainer: Any, phases: Iterable[TrainedPhase]) -> None:
        """Evaluate each trained phase on every split it owes; add the records to the run
        and to the trainer's loggers."""
        records = [
            record
            for phase in phases  # a multi-task phase activates each member's head in turn
            for split, lang in plan.eval_points(phase.task, phase.role)
            for record in evaluate(self, plan, run, phase, split, lang)
        ]
        if self.main:
            run.add_records(records)
            log_final_scores(trainer, records)

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
            run.logs_dir,
            label,
            hp,
            accumulate,
            state_dir,
            validate,
            unused_parameters,
            progress=self.progress,
            callbacks=self.config.callbacks,
            loggers=self.config.loggers or DEFAULT_LOGGERS,
            context={"run_id": run.run_id, "model": self.config.model, "data": self.config.data},
        )


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


def summary_table(
    records: list[dict[str, Any]],
    unavailable: list[str],
    scoring: Any = None,
    folders: dict[str, str] | None = None,
    tables: Path | None = None,
) -> str:
    """The compact end-of-run summary (``harness.run_summary.compact_summary``): task
    averages per phase, the suite's score, where the per-language ``tables`` are."""
    from harness.run_summary import compact_summary

    return compact_summary(records, unavailable, scoring, folders, tables)
