"""Training one phase: a single task with a fresh head, or several tasks on one encoder.

Both kinds go through ``train``: build the trainer, fit (resuming from the state folder's
last.ckpt), report, wait for every rank, remove the state folder. They differ only in the
Lightning module and the loader they hand it.
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from harness.checkpoints import resumable
from harness.data import PhaseDataModule
from harness.devices import BatchPlan
from harness.errors import HarnessError
from harness.evaluation import decode_outputs
from harness.planning import MultiTask, Plan
from harness.results import RunDir
from harness.tasks import EvalContext, Task
from harness.training import StepClock, keep_best

if TYPE_CHECKING:
    import datasets

    from harness.runner import Runner


@dataclass
class TrainedPhase:
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
    recipe: Task | None = None
    """The suite's baseline recipe task trained before this target (``Plan.recipes``)."""


def train(
    ctx: Runner,
    run: RunDir,
    label: str,
    hp: dict[str, Any],
    accumulate: int,
    module: Any,
    loader: Callable[[Any], Any],
    report: Callable[[Any, float], str],
    val_loader: Any = None,
    unused_parameters: bool = False,
    resuming: str | None = None,
    after: Callable[[Any, StepClock, Path | None], None] | None = None,
) -> Any:
    """Fit ``module`` on ``loader(trainer)`` in the trainer ``label``; its Lightning trainer.

    The fit resumes from ``state/label/last.ckpt`` if an interrupted run left one (announced
    as ``resuming`` when given). ``report(trainer, seconds)`` is the line said after the fit;
    ``after(trainer, clock, last)`` runs before the ranks meet and the state folder goes.
    """
    state_dir = run.path / "state" / label
    trainer = ctx._trainer(
        run, label, hp, accumulate, state_dir, val_loader is not None, unused_parameters
    )
    clock = StepClock.attach(trainer)
    last = resumable(state_dir, ctx.say, ctx.main)  # None: none, or damaged and deleted
    if last and resuming:
        ctx.say(f"  resuming {resuming} from {last}")
    started = time.perf_counter()
    trainer.fit(
        module,
        train_dataloaders=loader(trainer),
        val_dataloaders=val_loader,
        ckpt_path=str(last) if last else None,
    )
    ctx.say(report(trainer, time.perf_counter() - started))
    if after is not None:
        after(trainer, clock, last)
    trainer.strategy.barrier()
    if ctx.main:
        shutil.rmtree(state_dir, ignore_errors=True)  # the phase is done; free the disk
    return trainer


def training_features(ctx: Runner, plan: Plan, task: Task, seed: int) -> datasets.Dataset:
    """``task``'s encoded training split, cut to ``max_train_examples`` (a seeded sample)."""
    hp = plan.hparams[task.name]
    src = plan.sources[task.name]
    features = ctx.encoded(task, task.train_split, task.train_language, src, hp)
    if hp.get("max_train_examples") and hp["max_train_examples"] < len(features):
        features = features.shuffle(seed=seed).select(range(hp["max_train_examples"]))
    return features


def fit_task(
    ctx: Runner,
    plan: Plan,
    run: RunDir,
    task: Task,
    inter: Task | None,
    init: Path | None,
    seed: int,
    role: str,
    label: str,
) -> TrainedPhase:
    """``task`` with a fresh head on the encoder saved at ``init`` (None: the pretrained
    one), fitted unless the task does not train."""
    import lightning as L

    from harness.module import PhaseModule

    hp = plan.hparams[task.name]
    L.seed_everything(seed, workers=True, verbose=False)
    features = training_features(ctx, plan, task, seed) if task.trains else None
    model = plan.model.build(ctx.config.model, task.head, task.num_labels, init)
    module = PhaseModule(model, task, hp["learning_rate"], hp["warmup_ratio"], hp["weight_decay"])
    batch = plan.batches.get(task.name)
    data = PhaseDataModule(
        task.collator(ctx.tokenizer),
        features,
        batch.per_device_batch if batch else hp["batch_size"],
        hp["eval_batch_size"],
        seed,
        num_workers=int(ctx.config.trainer.get("num_workers", 0)),
        group_size=batch.global_batch if batch else None,
        exact_padding=ctx.exact_padding,
    )
    if features is None:
        trainer = ctx._trainer(run, label, hp, batch.accumulation if batch else 1, None, False)
        module.model.eval()
        return TrainedPhase(task, inter, role, seed, trainer, module, data, batch=batch)
    assert batch is not None
    validation = validation_loader(ctx, plan, task, hp, data)
    val_loader, module.validation_scorer = validation or (None, None)

    def report(trainer: Any, seconds: float) -> str:
        return (
            f"  trained {task.name} on {len(features)} features in "
            f"{seconds:.1f}s: {trainer.global_step} optimizer steps, "
            f"{batch.describe()}; {module.schedule_summary()}"
        )

    def after(trainer: Any, clock: StepClock, last: Path | None) -> None:
        steps, busy = clock.steady()
        if ctx.main and not last and steps:  # a resumed fit timed only its remainder
            run.add_timing(
                {
                    "phase": label,
                    "task": task.name,
                    "model": ctx.config.model,
                    # examples of the optimizer steps after the first (start-up excluded)
                    "features": steps * batch.global_batch,
                    "seconds": round(busy, 3),
                    "world_size": batch.world_size,
                }
            )
        if val_loader is not None:
            keep_best(trainer, module, val_loader, task, ctx.say)

    trainer = train(
        ctx,
        run,
        label,
        hp,
        batch.accumulation,
        module,
        # this rank's shard of one global order: the same optimizer steps on any
        # number of devices (Lightning's own sampler would reshuffle the order)
        lambda trainer: data.train_dataloader(trainer.world_size),
        report,
        val_loader=val_loader,
        resuming=task.name,
        after=after,
    )
    return TrainedPhase(task, inter, role, seed, trainer, module, data, batch=batch)


def fit_multitask(
    ctx: Runner, plan: Plan, run: RunDir, multi: MultiTask, seed: int
) -> tuple[Any, Any]:
    """The members of ``multi`` trained together on one encoder: (trainer, module)."""
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
    models, tasks, loaders, fixed = {}, {}, {}, {}
    workers = int(ctx.config.trainer.get("num_workers", 0))
    for member in multi.members:
        mh = plan.hparams[member.name]
        features = training_features(ctx, plan, member, seed)
        models[member.name] = plan.model.build(
            ctx.config.model, member.head, member.num_labels, None
        )
        tasks[member.name] = member
        loaders[member.name] = PhaseDataModule(
            member.collator(ctx.tokenizer),
            features,
            layout[member.name].per_device_batch,
            mh["eval_batch_size"],
            seed,
            num_workers=workers,
            group_size=layout[member.name].global_batch,
            exact_padding=ctx.exact_padding,
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
    ctx.say("  steps per task: " + ", ".join(f"{n} {p:.0%}" for n, p in shares.items()))
    module = MultiTaskModule(
        models, tasks, hp["learning_rate"], hp["warmup_ratio"], hp["weight_decay"]
    )
    if hp.get("val_every_steps"):
        ctx.say("  multi-task phases train without validation; the last weights carry over")
    trainer = train(
        ctx,
        run,
        f"{multi.name}-seed{seed}",
        hp,
        next(iter(layout.values())).accumulation,
        module,
        lambda trainer: MultiTaskLoader(loaders, shares, seed),
        lambda trainer, seconds: (
            f"  trained {multi.name}: {trainer.global_step} steps "
            f"in {seconds:.1f}s; {module.schedule_summary()}"
        ),
        # each step trains one head, so DDP must expect parameters without gradients
        unused_parameters=True,
    )
    return trainer, module


def member_phases(
    ctx: Runner, plan: Plan, multi: MultiTask, seed: int, trainer: Any, module: Any
) -> Iterator[TrainedPhase]:
    """Each member of a trained multi-task phase in turn, its head active, for evaluation."""
    layout = plan.multitask_batches[multi.name]
    for member in multi.members:
        module.activate(member.name)
        mh = plan.hparams[member.name]
        data = PhaseDataModule(
            member.collator(ctx.tokenizer),
            None,
            mh["batch_size"],
            mh["eval_batch_size"],
            seed,
            exact_padding=ctx.exact_padding,
        )
        phase = TrainedPhase(member, multi, "intermediate", seed, trainer, module, data)  # type: ignore[arg-type]
        phase.batch = layout[member.name]
        yield phase


def validation_loader(
    ctx: Runner, plan: Plan, task: Task, hp: dict[str, Any], data: PhaseDataModule
) -> tuple[Any, Callable[[list[dict[str, Any]]], float]] | None:
    """The dev loader ``val_every_steps`` validates on, and its main-score function."""
    if not hp.get("val_every_steps"):
        return None
    lang = task.train_language
    if "dev" not in task.splits_for(lang):
        ctx.say(f"  {task.name} has no dev set in {lang}: trained without validation")
        return None
    src = plan.sources[task.name]
    rows = ctx.rows(task, "dev", lang, src)
    features = ctx.encoded(task, "dev", lang, src, hp)
    limit = hp.get("val_max_examples")
    if limit and limit < len(rows):
        rows = rows.select(range(limit))
        keep = set(rows["example_id"][:])
        features = features.select(
            [i for i, e in enumerate(features["example_id"][:]) if e in keep]
        )
    references = task.references(rows)
    if any(r is None for r in references):
        ctx.say(f"  {task.name} dev {lang} has no labels: trained without validation")
        return None
    evaluator = ctx.registry.evaluator(task.evaluator)
    context = EvalContext("dev", lang, {})

    def main_score(outputs: list[dict[str, Any]]) -> float:
        predictions = decode_outputs(task, outputs, features, rows, context)
        scores = evaluator.score(predictions, references, language=lang)
        return float(scores[task.main_metric])

    return data.eval_dataloader(features), main_score
