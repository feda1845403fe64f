"""Lightning for one phase: the trainer (checkpoints, validation, early stopping, DDP
variants), keeping the best validated weights, and freeing a finished phase's memory."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from harness._lazy import lazy_module
from harness.checkpoints import AtomicCheckpointIO
from harness.devices import TRAINER_OPTIONS
from harness.tasks import Task

torch = lazy_module("torch")


def build_trainer(
    options: dict[str, Any],
    logs: Path,
    label: str,
    hp: dict[str, Any],
    accumulate: int,
    state_dir: Path | None,
    validate: bool = False,
    unused_parameters: bool = False,
    progress: bool = False,
    callbacks: Sequence[Any] = (),
) -> Any:
    """A Lightning trainer; ``state_dir`` gets a resumable last.ckpt after every epoch.

    ``options`` are the run's Lightning options (``RunConfig.trainer``); metrics go to a
    CSV log under ``logs/label``; ``callbacks`` are added to the harness's own.

    ``accumulate`` is this run's per-device accumulation (``Plan.batches``), not the
    hyper-parameter. With ``validate``, it also validates every ``val_every_steps``
    optimizer steps, keeps the best weights in ``state_dir`` and, given a patience,
    stops early.
    """
    import lightning as L
    from lightning.pytorch.callbacks import EarlyStopping, ModelCheckpoint
    from lightning.pytorch.loggers import CSVLogger

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
        logger=CSVLogger(logs, name=label),
        callbacks=[*own, *callbacks],
        enable_checkpointing=state_dir is not None,
        enable_model_summary=False,
        enable_progress_bar=progress,
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
            checkpoint = torch.load(
                best.best_model_path, map_location="cpu", weights_only=False
            )
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


def release_memory() -> None:
    """Free a finished phase's model now: trainer and module reference each other, so
    without a collection their weights (and optimizer state) outlive the phase."""
    import gc

    gc.collect()
    if torch.cuda.is_available():
        torch.cuda.empty_cache()
