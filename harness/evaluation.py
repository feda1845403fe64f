"""Evaluating a trained phase on one split: predict, decode, score, record. Also: every
rank's predict outputs gathered, checked and decoded; paired bootstrap replicates of a score."""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING, Any

from harness._lazy import lazy_module
from harness.results import RunDir, atomic_write_json
from harness.tasks import EvalContext, Task

if TYPE_CHECKING:
    from harness.phases import TrainedPhase
    from harness.planning import Plan
    from harness.runner import Runner

datasets = lazy_module("datasets")
np = lazy_module("numpy")
torch = lazy_module("torch")


def evaluate(
    ctx: Runner, plan: Plan, run: RunDir, phase: TrainedPhase, split: str, lang: str
) -> list[dict[str, Any]]:
    """``phase`` on ``split`` in ``lang``: predictions written, then scored into records
    (none without gold labels, and none on ranks other than the first)."""
    task = phase.task
    src = plan.sources[task.name]
    rows = ctx.rows(task, split, lang, src)
    features = ctx.encoded(task, split, lang, src, plan.hparams[task.name])
    outputs = phase.trainer.predict(phase.module, dataloaders=phase.data.eval_dataloader(features))
    predictions = decode_outputs(
        task, outputs, features, rows, EvalContext(split, lang, phase.state)
    )
    if not ctx.main:
        return []
    inter = phase.intermediate.name if phase.intermediate else None
    folder = run.predictions_dir(inter, phase.seed) / (task.xtreme_name or task.name)
    task.write_predictions(folder / f"{split}-{lang}{task.prediction_suffix}", predictions)
    references = task.references(rows)
    if any(r is None for r in references):
        ctx.say(f"  {task.name} {split} {lang}: no gold labels; predictions written only")
        return []
    evaluator = ctx.registry.evaluator(task.evaluator)
    scores = evaluator.score(predictions, references, language=lang)
    replicates = int(plan.hparams[task.name].get("bootstrap_samples") or 0)
    if replicates and task.main_metric in scores:
        atomic_write_json(
            run.bootstrap_file(inter, phase.seed, task.name, split, lang),
            {
                "metric": task.main_metric,
                "value": float(scores[task.main_metric]),
                "replicates": bootstrap(
                    evaluator,
                    predictions,
                    references,
                    lang,
                    task.main_metric,
                    replicates,
                    key=f"{task.name}|{split}|{lang}",
                ),
            },
        )
    return score_records(ctx, plan, run, phase, split, lang, scores, len(rows))


def score_records(
    ctx: Runner,
    plan: Plan,
    run: RunDir,
    phase: TrainedPhase,
    split: str,
    lang: str,
    scores: dict[str, Any],
    n_examples: int,
) -> list[dict[str, Any]]:
    """One results.json record per metric of ``scores``."""
    task, inter = phase.task, phase.intermediate
    return [
        {
            "suite": plan.record_suite,
            "model": ctx.config.model,
            "intermediate": inter.name if inter else None,
            "intermediate_language": inter.train_language if inter else None,
            **({"recipe": phase.recipe.name} if phase.recipe else {}),
            "target": task.name,
            "role": phase.role,
            "language": lang,
            "split": split,
            "metric": metric,
            "value": float(value),
            "main": metric == task.main_metric,
            "seed": phase.seed,
            "run_id": run.run_id,
            "n_examples": n_examples,
            "data": ctx.config.data,
            **({"batch": phase.batch.as_dict()} if phase.batch else {}),
        }
        for metric, value in scores.items()
    ]


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
    indices = features["feature_index"][:]
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
