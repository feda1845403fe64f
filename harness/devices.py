"""Devices and the global batch: a protocol's batch means the same on 1 GPU and on 64.

``batch_size`` x ``accumulate_grad_batches`` in a suite, a preset or on the command line is
the *effective global batch* of one optimizer step, whatever the hardware: on one device
that is ``batch_size`` examples per forward pass, accumulated ``accumulate_grad_batches``
times. On a world of W processes (devices x nodes) the runner keeps that global batch, and
so the number of optimizer steps, the warm-up and the validation intervals, and derives per
device a micro-batch of at most ``batch_size`` (the declared memory bound) with the fewest
accumulation steps: global = per-device batch x accumulation x W. A global batch that W does
not divide is refused before anything runs (HF ``Trainer`` users know the per-device rule;
here, as in jiant's configs, the protocol is the global batch).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from harness.errors import HarnessError

TRAINER_OPTIONS = ("accelerator", "devices", "strategy", "precision", "num_nodes")
"""``RunConfig.trainer`` keys that go to ``lightning.Trainer`` unchanged."""


@dataclass(frozen=True)
class BatchPlan:
    """How one phase's global batch is laid out on this run's devices."""

    global_batch: int
    """Examples per optimizer step over all devices (the protocol's effective batch)."""
    per_device_batch: int
    """Examples per forward pass on one device."""
    accumulation: int
    """Forward passes per optimizer step on each device."""
    world_size: int
    """Training processes: devices x nodes."""
    protocol_batch: int
    """The global batch the suite/preset declares for this task, before command-line flags."""

    def as_dict(self) -> dict[str, int]:
        return asdict(self)

    def describe(self) -> str:
        return (
            f"global batch {self.global_batch} = {self.world_size} device"
            f"{'s' if self.world_size > 1 else ''} x {self.per_device_batch} x "
            f"{self.accumulation} accumulation"
        )


def split_global_batch(
    micro_batches: dict[str, int],
    accumulation: int,
    world_size: int,
    protocol: dict[str, int] | None = None,
    where: str = "",
) -> tuple[int, dict[str, BatchPlan]]:
    """One accumulation for all ``micro_batches`` (task -> declared batch_size) on ``world_size``.

    Several tasks share one accumulation when they train in one phase (multi-task). Each
    task's global batch is ``batch_size x accumulation``; on W devices every task gets a
    per-device batch of at most its declared ``batch_size``, with the smallest accumulation
    that divides all of them exactly.
    """
    globals_ = {name: size * accumulation for name, size in micro_batches.items()}
    for steps in range(1, max(globals_.values()) + 1):
        if all(
            g % (steps * world_size) == 0 and g // (steps * world_size) <= micro_batches[name]
            for name, g in globals_.items()
        ):
            plans = {
                name: BatchPlan(
                    global_batch=g,
                    per_device_batch=g // (steps * world_size),
                    accumulation=steps,
                    world_size=world_size,
                    protocol_batch=(protocol or {}).get(name, g),
                )
                for name, g in globals_.items()
            }
            return steps, plans
    detail = ", ".join(f"{n} {g}" for n, g in globals_.items())
    raise HarnessError(
        f"{where}global batch ({detail}) cannot be split evenly over {world_size} devices; "
        f"pass --devices with a count that divides it (e.g. --devices 1), or run phases side "
        f"by side, one device each, with --shard i/n (batch sizes are global, see README)"
    )


def world_size(trainer_options: dict[str, Any]) -> int:
    """Training processes the Lightning options give (devices x nodes), checked up front.

    Building the ``Trainer`` here makes Lightning resolve ``auto`` and reject a bogus
    precision, strategy, accelerator or device count before any run folder exists.
    """
    import warnings

    import lightning as L
    from lightning.fabric.utilities.exceptions import MisconfigurationException

    options = {k: v for k, v in trainer_options.items() if k in TRAINER_OPTIONS and v is not None}
    given = " ".join(f"--{k.replace('_', '-')} {_flag(v)}" for k, v in options.items())
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            trainer = L.Trainer(
                **options,
                logger=False,
                enable_checkpointing=False,
                enable_progress_bar=False,
                enable_model_summary=False,
            )
    except (MisconfigurationException, ValueError, TypeError, RuntimeError, KeyError) as exc:
        reason = " ".join(str(exc).split()) or type(exc).__name__
        raise HarnessError(f"Lightning trainer options ({given or 'defaults'}): {reason}") from None
    return int(trainer.world_size)


def _flag(value: Any) -> str:
    return ",".join(map(str, value)) if isinstance(value, list) else str(value)


def pads_to_multiple(trainer_options: dict[str, Any]) -> bool:
    """Whether batches should keep the collator's ``pad_to_multiple_of`` padding.

    Padding to a multiple of 8 feeds the matrix units of GPUs (and TPUs) well-shaped tiles;
    on a CPU it only adds work (about 8% more tokens at MNLI's lengths), so there batches
    are trimmed to their longest real sequence (``PhaseDataModule(exact_padding=True)``).
    ``accelerator="auto"`` means a GPU when one is visible, as Lightning decides.
    """
    accelerator = str(trainer_options.get("accelerator") or "auto").lower()
    if accelerator in ("gpu", "cuda", "tpu"):
        return True
    if accelerator == "auto":
        import torch

        return torch.cuda.is_available()
    return False
