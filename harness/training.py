"""Lightning for one phase: the trainer (checkpoints, validation, early stopping, DDP
variants), keeping the best validated weights, timing steady optimizer steps, and freeing
a finished phase's memory."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from harness._lazy import lazy_module
from harness.checkpoints import AtomicCheckpointIO
from harness.devices import TRAINER_OPTIONS
from harness.loggers import DEFAULT_LOGGERS, LOG_EVERY_N_STEPS, build_loggers
from harness.tasks import Task

torch = lazy_module("torch")


def build_trainer(
    options: dict[str, Any],
    logs: Callable[[str], Path],
    label: str,
    hp: dict[str, Any],
    accumulate: int,
    state_dir: Path | None,
    validate: bool = False,
    unused_parameters: bool = False,
    progress: bool = False,
    callbacks: Sequence[Any] = (),
    loggers: Sequence[str] = DEFAULT_LOGGERS,
    context: dict[str, Any] | None = None,
) -> Any:
    """A Lightning trainer; ``state_dir`` gets a resumable last.ckpt after every epoch.

    ``options`` are the run's Lightning options (``RunConfig.trainer``); ``callbacks`` are
    added to the harness's own. Metrics go to ``loggers`` (``--logger`` names), each
    under ``logs(name)`` (``RunDir.logs_dir``) in a folder or tracker run named ``label``;
    they get ``hp`` with ``phase`` and ``context`` (``run_id``, ...) as hyper-parameters now,
    and the phase's scores from ``harness.loggers.log_final_scores`` after evaluation.

    ``accumulate`` is this run's per-device accumulation (``Plan.batches``), not the
    hyper-parameter. With ``validate``, it also validates every ``val_every_steps``
    optimizer steps, keeps the best weights in ``state_dir`` and, given a patience,
    stops early.
    """
    import lightning as L
    from lightning.pytorch.callbacks import EarlyStopping, ModelCheckpoint

    context = dict(context or {})
    opts = {k: v for k, v in options.items() if k in TRAINER_OPTIONS and v is not None}
    if unused_parameters:
        opts["strategy"] = allowing_unused_parameters(opts.get("strategy", "auto"))
    own: list[Any] = []
    if state_dir is not None:
        own.append(
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
        own.append(
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
            own.append(
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
        logger=build_loggers(loggers, logs, label, str(context.get("run_id", ""))),
        callbacks=[*own, *callbacks],
        enable_checkpointing=state_dir is not None,
        enable_model_summary=False,
        enable_progress_bar=progress,
        log_every_n_steps=LOG_EVERY_N_STEPS,
        num_sanity_val_steps=0,
        plugins=[AtomicCheckpointIO()],  # a full disk never leaves half a last.ckpt
    )
    trainer = L.Trainer(**kwargs, **opts)
    if unused_parameters and opts.get("strategy") == "auto":
        from lightning.pytorch.strategies import DDPStrategy

        if isinstance(trainer.strategy, DDPStrategy):  # "auto" chose DDP: several devices
            opts["strategy"] = "ddp_find_unused_parameters_true"
            trainer = L.Trainer(**kwargs, **opts)
    # after the Trainer exists: it sets this process's rank, and loggers write on rank 0 only
    for logger in trainer.loggers:
        logger.log_hyperparams({**hp, "phase": label, **context})
    return trainer


def keep_best(
    trainer: Any, module: Any, loader: Any, task: Task, say: Callable[[str], None]
) -> None:
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
            checkpoint = torch.load(best.best_model_path, map_location="cpu", weights_only=False)
            module.load_state_dict(checkpoint["state_dict"])
            say(
                f"  kept the best validated weights: dev {task.main_metric} "
                f"{float(best.best_model_score):.2f} (last {final:.2f})"
            )
            return
    say(f"  kept the last weights: dev {task.main_metric} {final:.2f}")


def allowing_unused_parameters(strategy: Any) -> Any:
    """The DDP variant of ``strategy`` that tolerates parameters without gradients.

    A multi-task step trains one head; plain DDP would wait for the others' gradients.
    ``auto`` is resolved once Lightning has picked a strategy (see ``build_trainer``).
    """
    if not isinstance(strategy, str) or not strategy.startswith("ddp"):
        return strategy or "auto"
    if "find_unused_parameters" in strategy:
        return strategy
    from lightning.pytorch.strategies import StrategyRegistry

    candidate = f"{strategy}_find_unused_parameters_true"
    return candidate if candidate in StrategyRegistry else strategy


class StepClock:
    """Times optimizer steps after the first one, whose time holds start-up costs (workers,
    kernels, the first allocations): the steady throughput ``harness plan`` projects from."""

    def __init__(self) -> None:
        self.first: tuple[float, int] | None = None
        self.last: tuple[float, int] | None = None

    @classmethod
    def attach(cls, trainer: Any) -> StepClock:
        from lightning.pytorch.callbacks import Callback

        clock = cls()

        class _Hook(Callback):
            def on_train_batch_end(self, trainer: Any, *args: Any) -> None:
                stamp = (time.perf_counter(), int(trainer.global_step))
                clock.first = clock.first or stamp
                clock.last = stamp

        trainer.callbacks.append(_Hook())
        return clock

    def steady(self) -> tuple[int, float]:
        """(optimizer steps after the first, their seconds); (0, 0.0) if there were none."""
        if self.first is None or self.last is None or self.last[1] <= self.first[1]:
            return 0, 0.0
        return self.last[1] - self.first[1], self.last[0] - self.first[0]


def release_memory() -> None:
    """Free a finished phase's model now: trainer and module reference each other, so
    without a collection their weights (and optimizer state) outlive the phase."""
    import gc

    gc.collect()
    if torch.cuda.is_available():
        torch.cuda.empty_cache()
