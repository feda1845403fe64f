"""The LightningModule of a phase: a transformers model with a head, AdamW, linear warmup."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import lightning as L
import torch
from transformers import get_linear_schedule_with_warmup

from harness.tasks import Task


class PhaseModule(L.LightningModule):
    """Wraps any ``transformers`` model whose forward returns ``loss`` given labels.

    Predictions go through ``task.predict`` so a task decides what it needs per feature
    (logits, span logits, pooled hidden states).
    """

    def __init__(
        self,
        model: torch.nn.Module,
        task: Task,
        learning_rate: float = 2e-5,
        warmup_ratio: float = 0.1,
        weight_decay: float = 0.01,
    ):
        super().__init__()
        self.model = model
        self.task = task
        self.model.train()  # from_pretrained returns eval mode; dropout belongs in training
        self.learning_rate = learning_rate
        self.warmup_ratio = warmup_ratio
        self.weight_decay = weight_decay
        self.validation_scorer: Callable[[list[dict[str, Any]]], float] | None = None
        """Main score of the training task's dev subset from ``predict_step`` outputs."""
        self._validation_outputs: list[dict[str, Any]] = []
        self.schedule: tuple[int, int] = (0, 0)
        """(warm-up steps, total optimizer steps) of the learning-rate schedule."""

    def schedule_summary(self) -> str:
        warmup, total = self.schedule
        return f"learning rate {self.learning_rate:g}, {warmup} warm-up of {total} steps"

    def training_step(self, batch: dict[str, torch.Tensor], batch_idx: int) -> torch.Tensor:
        batch = dict(batch)
        batch.pop("feature_index", None)
        loss = self.model(**batch).loss
        self.log("train_loss", loss, prog_bar=True, batch_size=batch["input_ids"].shape[0])
        return loss

    def predict_step(self, batch: dict[str, torch.Tensor], batch_idx: int) -> dict[str, Any]:
        batch = dict(batch)
        index = batch.pop("feature_index")
        for key in ("labels", "start_positions", "end_positions"):
            batch.pop(key, None)
        outputs = self.task.predict(self.model, batch)
        return {
            "feature_index": index.cpu().tolist(),
            "outputs": [o.detach().float().cpu().numpy() for o in outputs],
        }

    def on_validation_epoch_start(self) -> None:
        self._validation_outputs = []

    def validation_step(self, batch: dict[str, torch.Tensor], batch_idx: int) -> None:
        self._validation_outputs.append(self.predict_step(batch, batch_idx))

    def on_validation_epoch_end(self) -> None:
        """Log ``val_score``, which early stopping and the best-checkpoint callback monitor."""
        if self.validation_scorer is None:
            return
        score = self.validation_scorer(self._validation_outputs)
        self._validation_outputs = []
        # every rank scores the same gathered outputs, so syncing averages equal values
        self.log("val_score", float(score), prog_bar=True, sync_dist=True)

    def _optimised_parameters(self) -> list[tuple[str, torch.nn.Parameter]]:
        return list(self.model.named_parameters())

    def configure_optimizers(self) -> Any:
        no_decay = ("bias", "LayerNorm.weight", "layer_norm.weight", "norm.weight")
        named = self._optimised_parameters()
        params = [
            {
                "params": [p for n, p in named if not n.endswith(no_decay)],
                "weight_decay": self.weight_decay,
            },
            {"params": [p for n, p in named if n.endswith(no_decay)], "weight_decay": 0.0},
        ]
        optimizer = torch.optim.AdamW(params, lr=self.learning_rate)
        total = max(1, int(self.trainer.estimated_stepping_batches))
        self.schedule = (int(total * self.warmup_ratio), total)
        scheduler = get_linear_schedule_with_warmup(optimizer, *self.schedule)
        return {
            "optimizer": optimizer,
            "lr_scheduler": {"scheduler": scheduler, "interval": "step"},
        }
