"""Experiment trackers (``--logger``): Lightning's CSV, TensorBoard, Weights & Biases and
MLflow loggers, one tracker run per phase, every one writing under the run folder.

Each phase's trackers get the same three things:

- its hyper-parameters (the phase's resolved ones, plus ``phase``, ``run_id``, ``model``,
  ``data``) when its trainer is built, so a crashed phase still has them;
- Lightning's own metrics by optimizer step: ``train_loss`` and, with ``--val-every-steps``,
  ``val_score`` (the training task's dev main score);
- after evaluation, every score of the phase's records as ``<split>/<language>/<metric>``
  (``test/de/accuracy``); a multi-task phase scores several tasks in one tracker run, so
  there the task comes first (``mnli/dev/en/accuracy``).

Importing this module imports neither Lightning nor any tracker: the CLI and the planner
check names and installed packages before a run folder exists.
"""

from __future__ import annotations

import importlib.util
import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from harness.errors import HarnessError

DEFAULT_LOGGERS = ("csv",)
LOG_EVERY_N_STEPS = 10
"""Optimizer steps between two logged ``train_loss`` values (Lightning's ``log_every_n_steps``)."""

# logger name -> (import names, one of which must be installed; the pip package; the harness
# extra that installs it, as pyproject.toml names them)
_PACKAGES: dict[str, tuple[tuple[str, ...], str, str]] = {
    "csv": ((), "", ""),
    "tensorboard": (("tensorboard", "tensorboardX"), "tensorboard", "tensorboard"),
    "wandb": (("wandb",), "wandb", "wandb"),
    "mlflow": (("mlflow",), "mlflow-skinny", "mlflow"),
}
LOGGERS = tuple(_PACKAGES)
"""The names ``--logger`` accepts."""


def _installed(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is not None
    except (ImportError, ValueError):  # a parent package missing, or a broken __spec__
        return False


def checked_loggers(names: Sequence[str] | None) -> list[str] | None:
    """``names`` without repeats (None stays None: the default, or a resumed run's own).

    An unknown name, or one whose package is not installed, is a ``HarnessError`` naming
    the choices or the extra to install; only import specs are looked up, nothing imported.
    """
    if names is None:
        return None
    if isinstance(names, str):
        names = [names]
    for name in names:
        if name not in _PACKAGES:
            raise HarnessError(f"--logger {name}: unknown logger; choose from {', '.join(LOGGERS)}")
        modules, package, extra = _PACKAGES[name]
        if modules and not any(_installed(m) for m in modules):
            raise HarnessError(
                f"--logger {name}: the {modules[0]} package is not installed; "
                f"pip install 'harness[{extra}]' (or: pip install {package})"
            )
    return list(dict.fromkeys(names))


def resumed_loggers(requested: Sequence[str] | None, recorded: Sequence[str] | None) -> list[str]:
    """The loggers of a resumed run: those asked for, else those run.json recorded (so
    trackers continue where the run started), else the default."""
    if requested is not None:
        return list(requested)
    if recorded is not None and (
        not isinstance(recorded, list) or not all(isinstance(n, str) for n in recorded)
    ):
        raise HarnessError(
            f"run.json: config.loggers is {recorded!r}, not a list of names; pass --logger"
        )
    return checked_loggers(recorded) or list(DEFAULT_LOGGERS)


def build_loggers(
    names: Sequence[str], folder: Callable[[str], Path], label: str, run_id: str
) -> list[Any]:
    """Lightning loggers for phase ``label`` of run ``run_id``; ``folder(name)`` is where
    logger ``name`` writes (``RunDir.logs_dir``).

    Trackers exist on rank 0 only (other DDP ranks keep just csv, whose writes Lightning
    confines to rank 0): an MLflow client on every rank would race to create its store.
    """
    from lightning.pytorch.utilities import rank_zero_only

    if getattr(rank_zero_only, "rank", 0) != 0:
        names = [name for name in names if name == "csv"]
    return [_BUILDERS[name](folder(name), label, run_id) for name in names]


def _csv(folder: Path, label: str, run_id: str) -> Any:
    from lightning.pytorch.loggers import CSVLogger

    return CSVLogger(folder, name=label)


def _tensorboard(folder: Path, label: str, run_id: str) -> Any:
    from lightning.pytorch.loggers import TensorBoardLogger

    # no placeholder hp_metric: the hyper-parameters are written with the final scores
    return TensorBoardLogger(folder, name=label, default_hp_metric=False)


def _wandb(folder: Path, label: str, run_id: str) -> Any:
    import wandb
    from lightning.pytorch.loggers import WandbLogger

    options: dict[str, Any] = {}
    if not os.environ.get("WANDB_MODE"):
        options["mode"] = "offline"  # never needs the network; `wandb sync` uploads later
    folder.mkdir(parents=True, exist_ok=True)
    return WandbLogger(
        name=f"{run_id}/{label}",
        group=run_id,
        project=os.environ.get("WANDB_PROJECT", "harness"),
        save_dir=str(folder),
        # keep the harness's own output readable: no console capture, no banners
        settings=wandb.Settings(console="off", silent=True),
        **options,
    )


def _mlflow(folder: Path, label: str, run_id: str) -> Any:
    from lightning.pytorch.loggers import MLFlowLogger

    uri = os.environ.get("MLFLOW_TRACKING_URI")
    if not uri:
        # MLflow 3 refuses file stores unless allowed; this one is ours, inside the run folder
        os.environ.setdefault("MLFLOW_ALLOW_FILE_STORE", "true")
        uri = folder.resolve().as_uri()
    return MLFlowLogger(
        experiment_name=os.environ.get("MLFLOW_EXPERIMENT_NAME", "harness"),
        run_name=f"{run_id}/{label}",
        tracking_uri=uri,
        tags={"harness.run_id": run_id, "harness.phase": label},
    )


_BUILDERS: dict[str, Callable[[Path, str, str], Any]] = {
    "csv": _csv,
    "tensorboard": _tensorboard,
    "wandb": _wandb,
    "mlflow": _mlflow,
}


def score_metrics(records: Sequence[dict[str, Any]]) -> dict[str, float]:
    """A phase's score records as tracker metrics: ``<split>/<language>/<metric>``, with
    ``<task>/`` in front when the records cover several tasks (a multi-task phase)."""
    several = len({r["target"] for r in records}) > 1
    return {
        ("{target}/" if several else "").format(**r)
        + f"{r['split']}/{r['language']}/{r['metric']}": float(r["value"])
        for r in records
    }


def log_final_scores(trainer: Any, records: Sequence[dict[str, Any]]) -> None:
    """Log a phase's evaluated scores through its trainer's loggers, then close them.

    Call once per phase, after evaluation, on rank 0 only. TensorBoard gets the scores with
    the hyper-parameters (its HParams view links the two); the others at the last step.
    """
    from lightning.pytorch.loggers import TensorBoardLogger, WandbLogger

    scores = score_metrics(records)
    for logger in trainer.loggers:
        if scores and isinstance(logger, TensorBoardLogger):
            logger.log_hyperparams(logger.hparams, metrics=scores)
        elif scores:
            logger.log_metrics(scores, step=trainer.global_step)
        logger.finalize("success")
        if isinstance(logger, WandbLogger):
            logger.experiment.finish()  # else the next phase's logger would reuse this W&B run
