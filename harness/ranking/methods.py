"""The predictors: task embeddings from a sample of each task's text, compared by cosine.

Every method turns a task into one vector with the run's model plugin
(``Model.build``/``Model.tokenizer``) and the task API (``Task.load``, ``Task.encode``,
``Task.collator``), so any registered task works, plugin tasks included:

- ``textemb`` (Vu et al. 2020, TextEmb): the pretrained encoder's final-layer token
  representations averaged over every real token of the sample (long examples weigh more).
- ``semb`` (Poth et al. 2021, SEmb): one sentence embedding per input sequence (its tokens
  mean-pooled), averaged over sequences (every example weighs the same).
- ``taskemb`` (Vu et al. 2020, TaskEmb, a cheap variant): the task's head fine-tuned for a
  few steps, then the empirical Fisher information of the loss with respect to every
  encoder layer's output, per layer normalised and concatenated.
- ``logme`` (You et al. 2021, as Poth et al. 2021 apply it): not an embedding but a score of
  the pair: the encoder briefly fine-tuned on the candidate embeds the target's rows, and
  LogME measures how well a Bayesian linear model explains the target's labels from them
  (``harness.ranking.logme``).

docs/ranking.md says how each one follows or departs from its paper.
"""

from __future__ import annotations

import itertools
import time
from dataclasses import dataclass, field
from typing import Any

from harness._lazy import lazy_module
from harness.errors import HarnessError
from harness.models import Model
from harness.tasks import DataSource, Task

np = lazy_module("numpy")  # not imported by `harness --help`

LABEL_INPUTS = ("labels", "start_positions", "end_positions")
METHODS = {
    "textemb": "TextEmb (Vu et al. 2020): mean final-layer token representation of the "
    "pretrained encoder over all tokens of the sampled training text; cosine similarity",
    "semb": "SEmb (Poth et al. 2021): mean of per-sequence mean-pooled encoder outputs "
    "(sentence embeddings) over the sampled training text; cosine similarity",
    "taskemb": "TaskEmb-lite (after Vu et al. 2020): empirical Fisher information of the loss "
    "w.r.t. each encoder layer's output after a brief fine-tuning of the task's head and "
    "encoder; per-layer normalised, concatenated; cosine similarity",
    "logme": "LogME (You et al. 2021; Poth et al. 2021): the encoder after a brief fine-tuning "
    "on the candidate embeds the target's sampled training rows; maximum log evidence per "
    "example of a Bayesian linear model from those features to the target's labels, averaged "
    "over label columns (higher is better)",
}
DEFAULT_METHODS = ("textemb", "semb", "taskemb")
"""What ``harness rank`` runs unless told: LogME is asked for by name (``--method logme``),
since it fine-tunes once per candidate and scores pairs rather than comparing embeddings."""
NEEDS_TRAINING = frozenset({"taskemb", "logme"})
"""Methods that need the task's loss or labels: not defined for tasks that do not train
(retrieval), as candidate or as target."""


@dataclass
class Sample:
    """Model inputs of one task's sampled examples, batched (multi-task: every member's)."""

    name: str
    tasks: list[Task]
    batches: list[list[dict[str, Any]]]
    """Per member: collated batches (tensors), labels included where the task has them."""
    examples: int
    split: str
    language: str
    trains: bool


@dataclass
class Costs:
    """Wall seconds: preparing the data once, then each method."""

    data: float = 0.0
    methods: dict[str, float] = field(default_factory=dict)

    def add(self, method: str, seconds: float) -> None:
        self.methods[method] = self.methods.get(method, 0.0) + seconds


def sample_task(
    task: Task,
    source: DataSource,
    tokenizer: Any,
    max_examples: int,
    max_length: int,
    batch_size: int,
    seed: int,
) -> tuple[list[dict[str, Any]], int, str, str]:
    """Collated batches of up to ``max_examples`` seeded-random rows of the task's training
    split (a task that does not train: its first evaluation split in its first language),
    with the number of rows, the split and the language read."""
    import torch

    if task.trains:
        split, language = task.train_split, task.train_language
    else:
        language = task.languages[0]
        split = task.splits_for(language)[0]
    rows = task.load(split, language, source)
    order = np.random.default_rng(seed).permutation(len(rows))[:max_examples]
    chosen = rows.select(sorted(int(i) for i in order))
    encoded = task.encode(chosen.to_dict(), tokenizer, max_length)
    from harness.data import MODEL_INPUTS

    keep = [k for k in MODEL_INPUTS if k in encoded]
    if "input_ids" not in keep or not encoded["input_ids"]:
        raise HarnessError(f"task '{task.name}': encoding its {split} rows gave no input_ids")
    columns = [encoded[k] for k in keep]
    features = [dict(zip(keep, row, strict=True)) for row in zip(*columns, strict=True)]
    collate = task.collator(tokenizer)
    batches = []
    for start in range(0, len(features), batch_size):
        batch = dict(collate([dict(f) for f in features[start : start + batch_size]]))
        batches.append({k: v for k, v in batch.items() if isinstance(v, torch.Tensor)})
    return batches, len(chosen), split, language


def _flat(batch: dict[str, Any]) -> dict[str, Any]:
    """Encoder inputs with multiple-choice ``[batch, choices, length]`` as sequences."""
    return {
        k: v.reshape(-1, v.shape[-1])
        for k, v in batch.items()
        if k not in LABEL_INPUTS and v.dim() >= 2
    }


def _cosine(a: np.ndarray, b: np.ndarray) -> float:
    denominator = float(np.linalg.norm(a) * np.linalg.norm(b))
    return float(a @ b / denominator) if denominator > 0 else 0.0


class Embedder:
    """Computes and caches task embeddings with one model, so ranking many targets
    against the same candidates embeds each task once per method."""

    def __init__(
        self,
        plugin: Model,
        model: str,
        seed: int = 0,
        taskemb_steps: int = 10,
        learning_rate: float = 5e-5,
        device: str | None = None,
    ):
        import torch

        self.plugin = plugin
        self.model = model
        self.seed = seed
        self.taskemb_steps = taskemb_steps
        self.learning_rate = learning_rate
        self.device = device or ("cuda" if torch.cuda.is_available() else "cpu")
        self.costs = Costs()
        self._cache: dict[tuple[str, str], np.ndarray] = {}
        self._encoder: Any = None
        self.targets: list[Sample] = []
        """Targets LogME scores together: each candidate is fine-tuned once for all."""
        self._logme: dict[tuple[str, str], float] = {}

    def embedding(self, method: str, sample: Sample) -> np.ndarray:
        """``method``'s embedding of ``sample`` (computed once). TextEmb and SEmb pool the
        same forward pass, so both come from one pass and each is charged its full time
        (what either alone costs)."""
        key = (method, sample.name)
        if key not in self._cache:
            started = time.perf_counter()
            if method in ("textemb", "semb"):
                tokens, sequences = self._pooled(sample)
                self._cache["textemb", sample.name] = tokens
                self._cache["semb", sample.name] = sequences
                for name in ("textemb", "semb"):
                    self.costs.add(name, time.perf_counter() - started)
            else:
                self._cache[key] = self._taskemb(sample)
                self.costs.add(method, time.perf_counter() - started)
        return self._cache[key]

    def similarity(self, method: str, candidate: Sample, target: Sample) -> float:
        """The candidate's score for the target: cosine of embeddings, or LogME."""
        if method == "logme":
            return self.logme(candidate, target)
        return _cosine(self.embedding(method, candidate), self.embedding(method, target))

    def logme(self, candidate: Sample, target: Sample) -> float:
        """LogME of ``candidate``'s fine-tuned encoder for ``target`` (and, in the same
        pass, for every other target in :attr:`targets` whose labels LogME models)."""
        from harness.ranking import logme

        if (candidate.name, target.name) not in self._logme:
            started = time.perf_counter()
            others = [t for t in self.targets if t.name != target.name and logme.models(t)]
            together = [target, *others]
            for name, value in logme.scores(self, candidate, together).items():
                self._logme[candidate.name, name] = value
            self.costs.add("logme", time.perf_counter() - started)
        return self._logme[candidate.name, target.name]

    # ------------------------------------------------------------------ data embeddings
    def _base_encoder(self) -> Any:
        if self._encoder is None:
            if "encoder" not in self.plugin.heads():
                raise HarnessError(
                    f"model '{self.model}': its plugin builds no 'encoder' head, which the "
                    "text-embedding rankers need; use --method taskemb"
                )
            self._encoder = self.plugin.build(self.model, "encoder", 0, None).to(self.device)
            self._encoder.eval()
        return self._encoder

    def _pooled(self, sample: Sample) -> tuple[np.ndarray, np.ndarray]:
        """(TextEmb, SEmb) of the sample from one pass of the pretrained encoder: the mean
        final-layer state over all real tokens, and the mean over sequences of each
        sequence's mean real-token state."""
        import torch

        encoder = self._base_encoder()
        token_sum, tokens, sentence_sum, sequences = 0.0, 0.0, 0.0, 0
        with torch.no_grad():
            for batch in itertools.chain(*sample.batches):
                inputs = {k: v.to(self.device) for k, v in _flat(batch).items()}
                hidden = encoder(**inputs).last_hidden_state.double()
                mask = inputs["attention_mask"].unsqueeze(-1).double()
                masked = (hidden * mask).sum(1)  # [sequences, hidden]
                token_sum = token_sum + masked.sum(0)
                tokens += float(mask.sum())
                sentence_sum = sentence_sum + (masked / mask.sum(1).clamp(min=1.0)).sum(0)
                sequences += hidden.shape[0]
        return (
            (token_sum / tokens).cpu().numpy(),
            (sentence_sum / sequences).cpu().numpy(),
        )

    # ------------------------------------------------------------------ TaskEmb-lite
    def _taskemb(self, sample: Sample) -> np.ndarray:
        if not sample.trains:
            raise HarnessError(f"task '{sample.name}' does not train; taskemb needs a loss")
        if len(sample.tasks) > 1:  # a multi-task phase: the mean of its members' embeddings
            parts = [
                self._fisher(task, batches)
                for task, batches in zip(sample.tasks, sample.batches, strict=True)
            ]
            return np.mean([p / (np.linalg.norm(p) or 1.0) for p in parts], axis=0)
        return self._fisher(sample.tasks[0], sample.batches[0])

    def _fisher(self, task: Task, batches: list[dict[str, Any]]) -> np.ndarray:
        """Fine-tune ``task``'s head and encoder for ``taskemb_steps`` steps, then average,
        per layer, the squared token-summed loss gradient at the layer's output."""
        import torch

        from harness.ranking.logme import finetune

        model = finetune(self, [task], [batches])[0]  # left in eval mode: as Vu et al.
        sums: list[Any] = []
        examples = 0
        for batch in batches:
            inputs = {k: v.to(self.device) for k, v in batch.items()}
            output = model(**inputs, output_hidden_states=True)
            layers = output.hidden_states[1:]  # each transformer layer's output
            for hidden in layers:
                hidden.retain_grad()
            model.zero_grad()
            output.loss.backward()
            mask = inputs["attention_mask"].reshape(-1, inputs["attention_mask"].shape[-1])
            tokens = mask.sum().clamp(min=1)
            for i, hidden in enumerate(layers):
                grad = hidden.grad if hidden.grad is not None else torch.zeros_like(hidden)
                summed = (grad.reshape(mask.shape[0], mask.shape[1], -1) * mask.unsqueeze(-1)).sum(
                    (0, 1)
                )
                score = (summed.double() ** 2 / tokens).detach().cpu()
                if len(sums) <= i:
                    sums.append(score)
                else:
                    sums[i] += score
            examples += int(inputs["input_ids"].shape[0])
        del model
        per_layer = [(s / max(examples, 1)).numpy() for s in sums]
        return np.concatenate([v / (np.linalg.norm(v) or 1.0) for v in per_layer])
