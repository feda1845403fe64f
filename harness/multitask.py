"""Multi-task intermediate phases: several tasks, one shared encoder, one head per task.

``harness run --intermediate mnli+squad_v2+mlm`` trains the members together (Phang et
al. 2020's multi-task intermediate training; with ``mlm``, multilingual MLM co-training).
Each step trains one member on one of its batches; the member is drawn at random with
probability proportional to ``n_batches ** (1 / T)`` (``multitask_temperature`` T: 1 is
proportional, large T approaches uniform), except members with a ``mixing_weight``
setting, which get exactly that share of the steps.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from typing import Any

import torch
from torch.utils.data import DataLoader

from harness.module import PhaseModule
from harness.planning import MultiTask  # noqa: F401 - re-exported: it used to live here
from harness.tasks import Task


def sampling_probabilities(
    batches: dict[str, int], temperature: float, fixed: dict[str, float]
) -> dict[str, float]:
    """Share of training steps per member (see the module docstring)."""
    if sum(fixed.values()) >= 1 and len(fixed) < len(batches):
        raise ValueError("mixing weights leave no steps for the other tasks")
    free = {name: n ** (1.0 / temperature) for name, n in batches.items() if name not in fixed}
    rest = 1.0 - sum(fixed.values()) if free else 0.0
    total = sum(free.values())
    probabilities = {name: rest * value / total for name, value in free.items()}
    probabilities.update(fixed)
    norm = sum(probabilities.values())
    return {name: probabilities[name] / norm for name in batches}


class MultiTaskLoader:
    """One epoch = as many steps as all members have batches; each step is one member's batch.

    Member loaders restart when exhausted, so a small task sampled often is cycled. Under
    DDP each rank draws the same member at each step (the seed is shared) from its own
    shard of that member's data: Lightning cannot give a custom loader distributed samplers,
    so the shards are cut here.
    """

    def __init__(self, loaders: dict[str, Any], probabilities: dict[str, float], seed: int):
        self.loaders = loaders
        self.names = list(loaders)
        self.weights = [probabilities[n] for n in self.names]
        self.seed = seed
        self.epoch = 0
        self._sharded: dict[str, Any] | None = None

    def _rank_loaders(self) -> dict[str, Any]:
        """This rank's loaders (all of them outside a multi-process run)."""
        if not (torch.distributed.is_available() and torch.distributed.is_initialized()):
            return self.loaders
        world = torch.distributed.get_world_size()
        if world == 1:
            return self.loaders
        if self._sharded is None:
            from lightning.fabric.utilities.distributed import DistributedSamplerWrapper

            rank = torch.distributed.get_rank()
            self._sharded = {
                name: DataLoader(
                    loader.dataset,
                    batch_size=loader.batch_size,
                    # every rank orders the data alike (same seed), then takes every world-th
                    sampler=DistributedSamplerWrapper(
                        loader.sampler, num_replicas=world, rank=rank, shuffle=False
                    ),
                    collate_fn=loader.collate_fn,
                    num_workers=loader.num_workers,
                )
                for name, loader in self.loaders.items()
            }
        return self._sharded

    def __len__(self) -> int:
        return sum(len(loader) for loader in self._rank_loaders().values())

    def __iter__(self) -> Iterator[dict[str, Any]]:
        loaders = self._rank_loaders()
        rng = random.Random(self.seed * 1_000_003 + self.epoch)
        self.epoch += 1
        iterators = {n: iter(loader) for n, loader in loaders.items()}
        for _ in range(len(self)):
            name = rng.choices(self.names, weights=self.weights)[0]
            try:
                batch = next(iterators[name])
            except StopIteration:
                iterators[name] = iter(loaders[name])
                batch = next(iterators[name])
            yield {**batch, "task": name}


def share_encoder(models: dict[str, torch.nn.Module]) -> None:
    """Point every member's encoder at the first member's, so all heads train one encoder."""
    first = next(iter(models.values()))
    for model in list(models.values())[1:]:
        setattr(model, model.base_model_prefix, first.base_model)


class MultiTaskModule(PhaseModule):
    """A :class:`PhaseModule` over several member models sharing one encoder."""

    def __init__(
        self,
        models: dict[str, torch.nn.Module],
        tasks: dict[str, Task],
        learning_rate: float,
        warmup_ratio: float,
        weight_decay: float,
    ):
        first = next(iter(models))
        super().__init__(models[first], tasks[first], learning_rate, warmup_ratio, weight_decay)
        self.names = list(models)
        self.members = torch.nn.ModuleList(models[n] for n in self.names)
        for model in self.members:
            model.train()
        self.tasks = tasks

    def activate(self, name: str) -> None:
        """Predict with member ``name`` (its head on the shared encoder)."""
        self.model = self.members[self.names.index(name)]
        self.task = self.tasks[name]

    def training_step(self, batch: dict[str, Any], batch_idx: int) -> torch.Tensor:
        batch = dict(batch)
        name = batch.pop("task")
        batch.pop("feature_index", None)
        loss = self.members[self.names.index(name)](**batch).loss
        size = batch["input_ids"].shape[0]
        self.log(f"train_loss/{name}", loss, batch_size=size)
        return loss

    def _optimised_parameters(self) -> list[tuple[str, torch.nn.Parameter]]:
        return list(self.members.named_parameters())  # shared encoder listed once
