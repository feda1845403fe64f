"""The phase runner: plan a suite, check every input up front, then run phases.

A *phase* is one Lightning fit on one task, started from a named encoder checkpoint (or
the pretrained model) and producing one. Intermediate phases run once per seed and every
target phase of that seed starts from their checkpoint with a fresh head.
"""

from __future__ import annotations

import dataclasses
import hashlib
import logging
import os
import platform
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

from harness.data import PhaseDataModule, data_fingerprints, encode
from harness.errors import HarnessError
from harness.models import Model
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
    settings: dict[str, dict[str, Any]] = field(default_factory=dict)
    """Task setting overrides: task name -> {key: value} (``--set TASK.KEY=VALUE``)."""
    trainer: dict[str, Any] = field(default_factory=dict)
    output: Path = Path("runs")
    cache_dir: Path | None = None
    run_id: str | None = None
    progress: bool | None = None


@dataclass
class Plan:
    suite: Any
    model: Model
    targets: list[Task]
    unavailable: list[str]
    intermediates: list[Task | None]
    languages: dict[str, list[str]]
    hparams: dict[str, dict[str, Any]]
    """Resolved hyper-parameters per task name."""
    sources: dict[str, DataSource]

    def phases(self) -> list[tuple[Task, str]]:
        """(task, role) of every distinct phase kind: intermediates, then targets."""
        return [(t, "intermediate") for t in self.intermediates if t is not None] + [
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
        intermediates: list[Task | None] = []
        for name in names or ["none"]:
            intermediates.append(None if name == "none" else self.registry.task(name))

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
        intermediates = [self._configured(t) if t else None for t in intermediates]
        unknown = set(cfg.settings) - {t.name for t in [*targets, *filter(None, intermediates)]}
        for name in sorted(unknown):
            raise HarnessError(f"--set {name}.*: task '{name}' is not part of this run")

        from harness.validation import validate

        hparams: dict[str, dict[str, Any]] = {}
        for task in [*targets, *filter(None, intermediates)]:
            resolved = dict(DEFAULT_HPARAMS)
            resolved.update(suite.hparams_for(task.name, sample=cfg.data == "sample"))
            resolved.update({k: v for k, v in cfg.hparams.items() if v is not None})
            validate(
                {k: v for k, v in resolved.items() if v is not None or k == "max_train_examples"},
                "hparams",
                f"hyper-parameters of {task.name} (suite file and command line)",
            )
            hparams[task.name] = resolved

        sources = {t.name: self._source(t) for t in [*targets, *filter(None, intermediates)]}
        return Plan(suite, model, targets, unavailable, intermediates, languages, hparams, sources)

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
        if data == "sample":
            if task.sample_root is None:
                raise HarnessError(
                    f"task '{task.name}' ships no sample data; pass --data PATH or --data hub"
                )
            return DataSource("local", Path(task.sample_root))
        if data == "hub":
            return DataSource("hub")
        root = Path(data).expanduser()
        if not root.is_dir():
            raise HarnessError(
                f"--data {data}: no such folder (expected 'sample', 'hub' or a data folder)"
            )
        return DataSource("local", root.resolve())

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
        )

    # ------------------------------------------------------------------ running
    def run(self) -> RunDir:
        plan = self.plan()
        self.preflight(plan)
        run_id = self.config.run_id or os.environ.get(RUN_ID_ENV) or _new_run_id()
        os.environ[RUN_ID_ENV] = run_id
        run = RunDir(Path(self.config.output), run_id)
        self.tokenizer = plan.model.tokenizer(self.config.model)
        manifest = self._manifest(plan, run_id)
        if self.main:
            if run.results_file.exists():
                raise HarnessError(f"{run.results_file} already exists; choose another --run-id")
            run.write_manifest(manifest)
        self.say(
            f"run {run_id}: model {self.config.model}, data {self.config.data}, "
            f"targets {', '.join(t.name for t in plan.targets)}"
            + (f" (not yet available: {', '.join(plan.unavailable)})" if plan.unavailable else "")
        )
        try:
            for seed in self.config.seeds:
                for inter in plan.intermediates:
                    init = None
                    if inter is not None:
                        init = self._intermediate_phase(plan, run, inter, seed)
                    for target in plan.targets:
                        self._phase(plan, run, target, inter, init, seed, "target")
        except BaseException as exc:
            if self.main:
                error = (
                    str(exc) if isinstance(exc, HarnessError) else f"{type(exc).__name__}: {exc}"
                )
                run.write_manifest({**manifest, "status": "failed", "error": error})
            raise
        if self.main:
            run.write_manifest({**manifest, "status": "finished"})
            self.say(summary_table(run.records, plan.unavailable))
            self.say(f"results: {run.results_file}")
        return run

    def _intermediate_phase(self, plan: Plan, run: RunDir, task: Task, seed: int) -> Path:
        """Train and score ``task``; save its encoder, the checkpoint every target starts from."""
        phase = self._phase(plan, run, task, None, None, seed, "intermediate")
        checkpoint = run.checkpoint_dir(f"{task.name}-seed{seed}")
        if self.main:
            plan.model.save_encoder(phase.module.model, checkpoint)
        phase.trainer.strategy.barrier()
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
        data = PhaseDataModule(
            task.collator(self.tokenizer),
            train,
            hp["batch_size"],
            hp["eval_batch_size"],
            seed,
            num_workers=int(self.config.trainer.get("num_workers", 0)),
        )
        trainer = self._trainer(run, label, hp)
        if train is not None:
            started = time.perf_counter()
            trainer.fit(module, train_dataloaders=data.train_dataloader())
            n = len(train)
            self.say(
                f"  trained {task.name} on {n} features in {time.perf_counter() - started:.1f}s"
            )
        else:
            module.model.eval()
        return _Phase(task, inter, role, seed, trainer, module, data)

    def _trainer(self, run: RunDir, label: str, hp: dict[str, Any]):
        import lightning as L
        from lightning.pytorch.loggers import CSVLogger

        opts = {
            k: v
            for k, v in self.config.trainer.items()
            if k in ("accelerator", "devices", "strategy", "precision", "num_nodes")
            and v is not None
        }
        return L.Trainer(
            max_epochs=int(hp["epochs"]),
            accumulate_grad_batches=int(hp.get("accumulate_grad_batches") or 1),
            logger=CSVLogger(run.path / "logs", name=label),
            enable_checkpointing=False,
            enable_model_summary=False,
            enable_progress_bar=self.progress,
            log_every_n_steps=10,
            num_sanity_val_steps=0,
            limit_val_batches=0,
            **opts,
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
        by_feature = _gather_predictions(outputs)
        if sorted(by_feature) != list(range(len(features))):
            raise RuntimeError(
                f"evaluation of {task.name}/{split}/{lang} returned {len(by_feature)} "
                f"outputs for {len(features)} features"
            )
        context = EvalContext(split, lang, phase.state)
        predictions = task.decode(
            [by_feature[i] for i in range(len(features))], features, rows, context
        )
        if len(predictions) != len(rows):
            raise RuntimeError(
                f"task '{task.name}' decoded {len(predictions)} predictions for {len(rows)} rows"
            )
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
        scores = self.registry.evaluator(task.evaluator).score(
            predictions, references, language=lang
        )
        return [
            {
                "suite": plan.suite.name,
                "model": self.config.model,
                "intermediate": inter.name if inter else None,
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
                "targets": [t.name for t in plan.targets],
                "unavailable_targets": plan.unavailable,
                "intermediates": [t.name if t else None for t in plan.intermediates],
                "languages": cfg.languages,
                "data": cfg.data,
                "seeds": list(cfg.seeds),
                "hparams": plan.hparams,
                "settings": {t.name: t.settings for t, _ in plan.phases() if t.settings},
                "trainer": {k: v for k, v in cfg.trainer.items() if v is not None},
            },
            "packages": packages,
            "plugins": [asdict(p) for p in self.registry.plugins],
            "data_files": self._fingerprints,
        }


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


def _new_run_id() -> str:
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    return f"{stamp}-{hashlib.sha1(uuid.uuid4().bytes).hexdigest()[:6]}"


def summary_table(records: list[dict[str, Any]], unavailable: list[str]) -> str:
    """The run's leaderboard tables, one per task, then the targets that are not installed."""
    from harness.leaderboard import target_table

    blocks = [target_table(records, t) for t in dict.fromkeys(r["target"] for r in records)]
    blocks += [
        f"{n}: not yet available (no installed plugin provides this task)" for n in unavailable
    ]
    return "\n\n".join(blocks)
