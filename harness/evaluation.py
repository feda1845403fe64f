"""Evaluation helpers: every rank's predict outputs gathered, checked and decoded; paired
bootstrap replicates of a score."""

from __future__ import annotations

import hashlib
from typing import Any

from harness._lazy import lazy_module
from harness.tasks import EvalContext, Task

datasets = lazy_module("datasets")
np = lazy_module("numpy")
torch = lazy_module("torch")


def decode_outputs(
    task: Task,
    outputs: list[dict[str, Any]],
    features: datasets.Dataset,
    rows: datasets.Dataset,
    context: EvalContext,
) -> list[Any]:
    """Every rank's predict outputs, checked and decoded into one prediction per row.

    Outputs are matched by ``feature_index``, which a subset of features (validation on the
    first dev examples) keeps from the full set.
    """
    by_feature = gather_predictions(outputs)
    indices = list(features["feature_index"])
    if sorted(by_feature) != sorted(indices):
        raise RuntimeError(
            f"evaluation of {task.name}/{context.split}/{context.language} returned "
            f"{len(by_feature)} outputs for {len(indices)} features"
        )
    predictions = task.decode([by_feature[i] for i in indices], features, rows, context)
    if len(predictions) != len(rows):
        raise RuntimeError(
            f"task '{task.name}' decoded {len(predictions)} predictions for {len(rows)} rows"
        )
    return predictions


def gather_predictions(outputs: list[dict[str, Any]]) -> dict[int, np.ndarray]:
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


def bootstrap(
    evaluator: Any,
    predictions: list[Any],
    references: list[Any],
    language: str,
    metric: str,
    samples: int,
    key: str,
) -> list[float]:
    """``metric`` on ``samples`` resamples (with replacement) of the evaluated examples.

    The resample indices depend only on ``key`` and the number of examples, so two systems
    scored on the same split get the same resamples: differences of their replicates form
    a paired bootstrap (confidence intervals for "intermediate X helps target language Y").
    """
    n = len(predictions)
    seed = int(hashlib.sha256(f"{key}|{n}".encode()).hexdigest()[:12], 16)
    rng = np.random.default_rng(seed)
    out = []
    for _ in range(samples):
        index = rng.integers(0, n, n)
        scores = evaluator.score(
            [predictions[i] for i in index], [references[i] for i in index], language=language
        )
        out.append(float(scores[metric]))
    return out
