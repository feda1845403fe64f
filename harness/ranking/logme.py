"""LogME (You et al. 2021) for intermediate-task selection (as Poth et al. 2021 use it).

A candidate intermediate task is judged by how well a model briefly fine-tuned on it
explains the *target's* labels with a linear read-out: the encoder fine-tuned on the
candidate embeds the target's sampled training rows, and LogME is the maximum, over the
prior and noise precisions, of the Bayesian linear model's log evidence per example.

The model (per label column ``y`` of ``n`` examples, features ``F`` of ``n x D``):
``w ~ N(0, I / alpha)``, ``y_i ~ N(f_i . w, 1 / beta)``; the evidence is

    log p(y | F, alpha, beta) = n/2 log beta + D/2 log alpha - n/2 log 2pi
        - beta/2 |F m - y|^2 - alpha/2 |m|^2 - 1/2 log det A,
    A = alpha I + beta F^T F,   m = beta A^-1 F^T y,

maximised by the paper's fixed point, with ``sigma_i`` the eigenvalues of ``F^T F``
(squared singular values of ``F``): ``gamma = sum_i beta sigma_i / (alpha + beta sigma_i)``,
``alpha = gamma / |m|^2``, ``beta = (n - gamma) / |F m - y|^2``. Everything is written in
the SVD ``F = U S V^T`` so one decomposition serves every column and iteration.
"""

from __future__ import annotations

import itertools
import math
from typing import Any

from harness._lazy import lazy_module
from harness.errors import HarnessError

np = lazy_module("numpy")  # not imported by `harness --help`

LABEL_HEADS = (
    "sequence-classification",
    "token-classification",
    "question-answering",
    "multiple-choice",
)
"""Target heads whose labels LogME models (others: the ranking is left empty, with a note)."""
MAX_ITERATIONS = 100
TOLERANCE = 1e-8
BOUNDS = (1e-12, 1e12)
"""alpha and beta are kept in this range: with fewer examples than feature dimensions the
evidence can keep rising as beta grows without bound (the features fit y exactly); the
cap stops the iteration where the evidence has all but reached its supremum."""


class Spectrum:
    """The SVD of one feature matrix, reused for every label column."""

    def __init__(self, features: np.ndarray):
        features = np.asarray(features, dtype=np.float64)
        if features.ndim != 2 or features.shape[0] < 1:
            raise ValueError(f"features: expected an n x D matrix, got shape {features.shape}")
        self.n, self.dims = features.shape
        u, s, _ = np.linalg.svd(features, full_matrices=False)
        keep = s > s.max(initial=0.0) * max(self.n, self.dims) * np.finfo(np.float64).eps
        self.u = u[:, keep]
        self.sigma = s[keep] ** 2  # the non-zero eigenvalues of F^T F

    def evidence(self, y: np.ndarray, alpha: float, beta: float) -> float:
        """Log evidence of column ``y`` at ``alpha``, ``beta``, per example (closed form)."""
        z, rest = self._project(y)
        return self._evidence(z, rest, alpha, beta)[0] / self.n

    def logme(self, y: np.ndarray) -> tuple[float, float, float]:
        """(maximum log evidence per example, alpha, beta) for column ``y``, by the fixed
        point from alpha = beta = 1."""
        z, rest = self._project(y)
        alpha, beta = 1.0, 1.0
        for _ in range(MAX_ITERATIONS):
            _, gamma, m2, residual = self._evidence(z, rest, alpha, beta)
            new_alpha = _clip(gamma / m2 if m2 > 0 else BOUNDS[1])
            new_beta = _clip((self.n - gamma) / residual if residual > 0 else BOUNDS[1])
            done = (
                abs(new_alpha - alpha) <= TOLERANCE * alpha
                and abs(new_beta - beta) <= TOLERANCE * beta
            )
            alpha, beta = new_alpha, new_beta
            if done:
                break
        return self._evidence(z, rest, alpha, beta)[0] / self.n, alpha, beta

    def _project(self, y: np.ndarray) -> tuple[np.ndarray, float]:
        y = np.asarray(y, dtype=np.float64).reshape(-1)
        if y.shape[0] != self.n:
            raise ValueError(f"labels: {y.shape[0]} values for {self.n} feature rows")
        z = self.u.T @ y
        return z, max(float(y @ y - z @ z), 0.0)  # the part of y outside F's column space

    def _evidence(
        self, z: np.ndarray, rest: float, alpha: float, beta: float
    ) -> tuple[float, float, float, float]:
        """(log evidence, gamma, |m|^2, |F m - y|^2) at ``alpha``, ``beta``."""
        scale = alpha + beta * self.sigma
        m2 = float(np.sum(beta**2 * self.sigma * z**2 / scale**2))
        residual = float(np.sum((alpha / scale) ** 2 * z**2)) + rest
        gamma = float(np.sum(beta * self.sigma / scale))
        log_det = float(np.sum(np.log(scale))) + (self.dims - self.sigma.size) * math.log(alpha)
        evidence = (
            self.n / 2 * math.log(beta)
            + self.dims / 2 * math.log(alpha)
            - self.n / 2 * math.log(2 * math.pi)
            - beta / 2 * residual
            - alpha / 2 * m2
            - log_det / 2
        )
        return evidence, gamma, m2, residual


def _clip(value: float) -> float:
    return float(min(max(value, BOUNDS[0]), BOUNDS[1]))


def logme(features: np.ndarray, targets: np.ndarray) -> float:
    """LogME of ``features`` (n x D) for ``targets`` (n x K label columns, e.g. one-hot):
    the maximum log evidence per example, averaged over the columns that vary (a column
    that is constant zero, a class absent from the sample, is left out)."""
    targets = np.asarray(targets, dtype=np.float64)
    if targets.ndim == 1:
        targets = targets[:, None]
    columns = [targets[:, k] for k in range(targets.shape[1]) if np.any(targets[:, k] != 0)]
    if not columns:
        raise ValueError("labels: every label column is zero; nothing to explain")
    spectrum = Spectrum(features)
    return float(np.mean([spectrum.logme(y)[0] for y in columns]))


# --------------------------------------------------------------------------- with a model
def models(sample: Any) -> bool:
    """Whether LogME can score candidates for ``sample`` as a target: one task that trains
    with a head whose labels :func:`target_problem` turns into columns."""
    return sample.trains and len(sample.tasks) == 1 and sample.tasks[0].head in LABEL_HEADS


def finetune(embedder: Any, tasks: list[Any], batches: list[list[dict[str, Any]]]) -> list[Any]:
    """One model per task (heads on one shared encoder), trained for the embedder's
    ``taskemb_steps`` AdamW steps, taking the members' batches in turn; left in eval mode.
    One task: exactly TaskEmb-lite's fine-tuning."""
    import torch

    from harness.multitask import share_encoder

    torch.manual_seed(embedder.seed)
    models = [
        embedder.plugin.build(embedder.model, t.head, t.num_labels, None).to(embedder.device)
        for t in tasks
    ]
    if len(models) > 1:
        share_encoder({str(i): m for i, m in enumerate(models)})
    parameters = list({id(p): p for m in models for p in m.parameters()}.values())
    optimizer = torch.optim.AdamW(parameters, lr=embedder.learning_rate)
    for model in models:
        model.train()
    turns = itertools.cycle(_round_robin(batches))
    for member, batch in itertools.islice(turns, embedder.taskemb_steps):
        loss = models[member](**{k: v.to(embedder.device) for k, v in batch.items()}).loss
        if loss is None:
            raise HarnessError(
                f"task '{tasks[member].name}': its head returned no loss (no labels in its "
                "encoded training rows); it cannot be fine-tuned for ranking"
            )
        loss.backward()
        optimizer.step()
        optimizer.zero_grad()
    for model in models:
        model.eval()
    return models


def _round_robin(batches: list[list[dict[str, Any]]]) -> list[tuple[int, dict[str, Any]]]:
    """(member, batch) pairs taking each member's batches in turn (one member: its batches)."""
    longest = max(len(b) for b in batches)
    return [(i, b[j % len(b)]) for j in range(longest) for i, b in enumerate(batches) if b]


def target_problem(
    encoder: Any, task: Any, batches: list[dict[str, Any]], device: str
) -> tuple[np.ndarray, np.ndarray]:
    """(features, label columns) of a target's sampled rows under ``encoder``
    (``last_hidden_state`` of the bare encoder), by the target's head:

    - sequence classification: mean of each sequence's real-token states; one-hot
      classes (a regression target, float labels: the value itself);
    - token classification: each labelled token's state; one-hot tags;
    - question answering: every real token's state; two columns, "the answer starts
      here" and "the answer ends here" (a span head is a per-token linear read-out);
    - multiple choice: each choice's mean real-token state; one column, "the right choice".
    """
    import torch

    if task.head not in LABEL_HEADS:
        raise HarnessError(f"task '{task.name}': logme does not model '{task.head}' labels")
    rows, columns = [], []
    with torch.no_grad():
        for batch in batches:
            inputs = {
                k: v.to(device).reshape(-1, v.shape[-1])
                for k, v in batch.items()
                if k in ("input_ids", "attention_mask", "token_type_ids")
            }
            hidden = encoder(**inputs).last_hidden_state.double().cpu()
            mask = inputs["attention_mask"].cpu().bool()
            if task.head == "token-classification":
                tags = batch["labels"].reshape(mask.shape)
                chosen = tags != -100
                rows.append(hidden[chosen])
                columns.append(_one_hot(tags[chosen], task.num_labels))
            elif task.head == "question-answering":
                position = torch.arange(mask.shape[1]).expand(mask.shape)
                starts = position == batch["start_positions"].reshape(-1, 1)
                ends = position == batch["end_positions"].reshape(-1, 1)
                rows.append(hidden[mask])
                columns.append(torch.stack([starts[mask], ends[mask]], 1).double())
            else:
                weights = mask.unsqueeze(-1).double()
                pooled = (hidden * weights).sum(1) / weights.sum(1).clamp(min=1.0)
                rows.append(pooled)
                labels = batch["labels"].reshape(-1)
                if task.head == "multiple-choice":
                    choices = batch["input_ids"].shape[1]
                    columns.append(_one_hot(labels, choices).reshape(-1, 1))
                elif labels.is_floating_point():
                    columns.append(labels.double().reshape(-1, 1))
                else:
                    columns.append(_one_hot(labels, task.num_labels))
    features = torch.cat(rows).numpy()
    targets = torch.cat(columns).numpy()
    if features.shape[0] == 0:
        raise HarnessError(f"task '{task.name}': its sampled rows have no labelled tokens")
    return features, targets


def _one_hot(labels: Any, classes: int) -> Any:
    import torch

    labels = labels.long()
    if labels.numel() and (labels.min() < 0 or labels.max() >= classes):
        raise HarnessError(f"labels outside 0..{classes - 1} in a target's encoded rows")
    return torch.nn.functional.one_hot(labels, classes).double()


def scores(embedder: Any, candidate: Any, targets: list[Any]) -> dict[str, float]:
    """LogME of ``candidate``'s briefly fine-tuned encoder for each target sample."""
    models = finetune(embedder, candidate.tasks, candidate.batches)
    encoder = models[0].base_model
    out = {}
    for target in targets:
        features, labels = target_problem(
            encoder, target.tasks[0], target.batches[0], embedder.device
        )
        out[target.name] = logme(features, labels)
    del models, encoder
    return out
