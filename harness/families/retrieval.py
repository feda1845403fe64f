"""Sentence retrieval family (no training): pooled encoder states and nearest neighbours.

The encoder of a phase (pretrained, or the checkpoint an intermediate phase left) embeds
every sentence; scores come from nearest neighbours alone (``trains=False``, head
``encoder``, ``num_labels`` 0: no head is built). Embeddings (:meth:`RetrievalTask.predict`)
follow XTREME's ``third_party/run_retrieval.py``: the hidden states of one layer,
mean-pooled over the real tokens ([CLS] and [SEP] included, padding excluded),
L2-normalised. ``layer`` indexes ``hidden_states`` (0 = embedding output, L = last layer);
negative values count from the end (default -5, XTREME's choice for 12-layer models);
indices beyond a shallow model are clamped to its range.

The family's own protocol is translation retrieval (Tatoeba-style). Rows (what a reader
returns, one per query):

* ``query``: the sentence searched from (one feature, ``side`` 0);
* ``candidate``: one sentence of the pool searched in (one feature, ``side`` 1): the pool is
  the ``candidate`` of every row of the split;
* ``label``: the row index (as a string) of the query's gold candidate, or None when unknown.

Default reader: ``local_layout`` gives two line-aligned files, queries then candidates
(line j of both is a translation pair, so the label of query j is ``"j"``), optionally a
third with the gold candidate index of each query, one per line (when the candidates are
shuffled). Each query retrieves its nearest candidate by cosine (exact, blocked search of
:mod:`harness.families.retrieval_search`); a prediction is that candidate's index, written
one per line (XTREME's submission format), scored by ``accuracy`` and read back by
``read_submission`` for ``harness score``. Features: tokenised stripped sentences,
``max_length`` from the ``max_length`` setting or the run; the default collator pads them.

Other retrieval protocols (bitext mining) subclass :class:`RetrievalTask` for the pooling,
settings and search and override ``encode``/``decode``/``references``/``write_predictions``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

import harness
from harness._lazy import lazy_module
from harness.errors import HarnessError
from harness.families import retrieval_search as search
from harness.families._base import FamilyTask, Row

datasets = lazy_module("datasets")
np = lazy_module("numpy")
torch = lazy_module("torch")

SETTINGS: dict[str, Any] = {
    "layer": -5,
    "block_size": search.DEFAULT_BLOCK_SIZE,
    "backend": "auto",
    "max_length": None,
}
"""``layer``: hidden_states index (see the module docstring); ``block_size``: rows and
columns per similarity tile; ``backend``: ``torch`` (blocked, exact), ``faiss``
(IndexFlatIP, when installed) or ``auto``; ``max_length``: token limit per sentence
(``None``: the run's ``max_length``; XTREME used 512)."""

__all__ = ["SETTINGS", "RetrievalTask", "read_index_file", "read_lines", "stack_by_row"]


def read_lines(path: Path) -> list[str]:
    """Every line of a text file without its newline (as XTREME's readers see them)."""
    with harness.open_text(path) as handle:
        return [line[:-1] if line.endswith("\n") else line for line in handle]


def read_index_file(path: Path, n: int) -> list[str | None]:
    """Gold candidate indices, one per line for ``n`` queries, each in ``0..n-1``."""
    lines = read_lines(path)
    if len(lines) != n:
        raise HarnessError(f"{path}: {len(lines)} labels for {n} sentences")
    labels: list[str | None] = []
    for number, line in enumerate(lines, 1):
        value = line.strip()
        if not value.isdigit() or int(value) >= n:
            raise HarnessError(
                f"{path}:{number}: expected a sentence index in 0..{n - 1}, found {value!r}"
            )
        labels.append(value)
    return labels


def _integer(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


@dataclass(frozen=True, kw_only=True)
class RetrievalTask(FamilyTask):
    """No training, pooled hidden states of one layer; each query retrieves a candidate."""

    head: str = "encoder"
    trains: bool = False
    roles: tuple[str, ...] = ("target",)
    evaluator: str = "accuracy"
    main_metric: str = "accuracy"
    eval_splits: tuple[str, ...] = ("test",)

    default_settings: ClassVar[dict[str, Any]] = SETTINGS

    def __post_init__(self) -> None:
        super().__post_init__()
        s = self.settings
        problems = []
        if not _integer(s.get("layer")):
            problems.append(f"layer must be an integer hidden-state index, got {s.get('layer')!r}")
        if not _integer(s.get("block_size")) or s["block_size"] < 1:
            problems.append(f"block_size must be a positive integer, got {s.get('block_size')!r}")
        if s.get("backend") not in search.BACKENDS:
            problems.append(
                f"backend must be one of {', '.join(search.BACKENDS)}, got {s.get('backend')!r}"
            )
        length = s.get("max_length")
        if length is not None and (not _integer(length) or length < 2):
            problems.append(f"max_length must be null or an integer >= 2, got {length!r}")
        if "k" in s and (not _integer(s["k"]) or s["k"] < 1):
            problems.append(f"k must be a positive integer, got {s['k']!r}")
        threshold = s.get("threshold")
        if threshold is not None and (
            not isinstance(threshold, int | float) or isinstance(threshold, bool)
        ):
            problems.append(f"threshold must be null or a number, got {threshold!r}")
        if problems:
            raise HarnessError(f"task '{self.name}': setting {problems[0]}")
        if s["backend"] == "faiss":
            try:
                import faiss  # noqa: F401
            except ImportError:
                raise HarnessError(
                    f"task '{self.name}': backend faiss needs faiss (pip install faiss-cpu); "
                    f"or use --set {self.name}.backend=torch"
                ) from None

    # -- data --------------------------------------------------------------------------
    def read_files(self, split: str, language: str, root: Path) -> list[Row]:
        """Line-aligned queries and candidates, and optionally gold indices (module doc)."""
        files = self.local_files(split, language, root)
        if len(files) not in (2, 3):
            raise HarnessError(
                f"task '{self.name}': its local_layout gives {len(files)} file(s) for "
                f"{split}/{language}; the default reader reads [queries, candidates] or "
                "[queries, candidates, gold indices] (or give local_reader=...)"
            )
        queries, candidates = read_lines(files[0]), read_lines(files[1])
        if len(queries) != len(candidates):
            raise HarnessError(
                f"{files[1]}: {len(candidates)} sentences for {len(queries)} in {files[0]}; "
                "the files are parallel (one translation per line)"
            )
        n = len(queries)
        labels = read_index_file(files[2], n) if len(files) == 3 else [str(j) for j in range(n)]
        return [
            {"query": q, "candidate": c, "label": label}
            for q, c, label in zip(queries, candidates, labels, strict=True)
        ]

    # -- model interface ---------------------------------------------------------------
    @property
    def num_labels(self) -> int:
        return 0  # no head: the encoder's hidden states are the output

    def layer_index(self, n_states: int) -> int:
        """Position in ``hidden_states`` (``n_states`` = layers + 1), clamped to the model."""
        layer = int(self.settings["layer"])
        return max(layer + n_states, 0) if layer < 0 else min(layer, n_states - 1)

    def encode_texts(self, texts: list[str], tokenizer: Any, max_length: int) -> dict[str, list]:
        """One feature per sentence: the stripped text with the tokenizer's special tokens."""
        limit = self.settings.get("max_length") or max_length
        # XTREME tokenises each stripped line and adds [CLS]/[SEP] (or <s>/</s>)
        return dict(tokenizer([t.strip() for t in texts], truncation=True, max_length=limit))

    _tokenize = encode_texts  # the name the built-in tasks used

    def predict(self, model: Any, inputs: dict[str, torch.Tensor]) -> list[torch.Tensor]:
        """Mean of one layer's states over real tokens, L2-normalised: one vector per feature."""
        hidden = _layer_states(model, inputs, self.layer_index).float()
        mask = inputs["attention_mask"].unsqueeze(-1).to(hidden.dtype)
        pooled = (hidden * mask).sum(dim=1) / mask.sum(dim=1).clamp(min=1)
        return list(torch.nn.functional.normalize(pooled, dim=-1))

    def search_args(self) -> dict[str, Any]:
        """``block_size`` and ``backend`` for :mod:`harness.families.retrieval_search`."""
        return {"block_size": int(self.settings["block_size"]), "backend": self.settings["backend"]}

    _search_args = search_args

    def encode(self, batch: dict[str, list], tokenizer: Any, max_length: int) -> dict[str, list]:
        """Two features per row: the query (``side`` 0) and the candidate (``side`` 1)."""
        texts = [t for pair in zip(batch["query"], batch["candidate"], strict=True) for t in pair]
        enc = self.encode_texts(texts, tokenizer, max_length)
        enc["example_id"] = [e for e in batch["example_id"] for _ in range(2)]
        enc["side"] = [side for _ in batch["example_id"] for side in (0, 1)]
        return enc

    def decode(
        self,
        outputs: list[np.ndarray],
        features: datasets.Dataset,
        rows: datasets.Dataset,
        context: harness.EvalContext,
    ) -> list[str]:
        """The index of each query's nearest candidate, as a string."""
        side = np.asarray(features["side"][:])
        ex = np.asarray(features["example_id"][:])
        queries = stack_by_row(
            [o for o, s in zip(outputs, side, strict=True) if s == 0], ex[side == 0], len(rows)
        )
        pool = stack_by_row(
            [o for o, s in zip(outputs, side, strict=True) if s == 1], ex[side == 1], len(rows)
        )
        nearest = search.knn(queries, pool, 1, **self.search_args())
        return [str(int(i)) for i in nearest.index[:, 0]]

    def references(self, rows: datasets.Dataset) -> list[str | None]:
        return rows["label"][:]

    def write_predictions(self, path: Path, predictions: Sequence[str]) -> None:
        """XTREME submission format: the retrieved sentence's index, one line per query."""
        from harness.scoring import write_lines

        write_lines(path, predictions)

    def read_submission(
        self, predictions: Path, labels: Path, language: str
    ) -> tuple[list[str], list[str]]:
        """One retrieved index per line in both files, compared in order (evaluate.py)."""
        from harness.scoring import read_line_pairs

        return read_line_pairs(predictions, labels, "write one index per line, in query order")


class _Reached(Exception):
    """Raised by a forward hook once the wanted layer has run: the layers above are skipped."""

    def __init__(self, output: Any):
        self.output = output[0] if isinstance(output, tuple) else output


def _layer_states(model: Any, inputs: dict[str, torch.Tensor], index: Any) -> torch.Tensor:
    """``hidden_states[index(n_states)]`` of ``model`` on ``inputs``.

    Layers above the chosen one cannot change it, so for encoders with the usual
    ``encoder.layer`` stack (BERT, RoBERTa, XLM-R, ...) the forward pass stops after that
    layer (a hook raises); other models, and the embedding output, run in full.
    """
    layers = getattr(getattr(model, "encoder", None), "layer", None)
    depth = index(len(layers) + 1) if isinstance(layers, torch.nn.ModuleList) else 0
    if depth:  # hidden_states[depth] is the output of layer depth - 1

        def stop(_module: Any, _args: Any, output: Any) -> None:
            raise _Reached(output)

        handle = layers[depth - 1].register_forward_hook(stop)
        try:
            model(**inputs)
        except _Reached as reached:
            return reached.output
        finally:
            handle.remove()
    states = model(**inputs, output_hidden_states=True).hidden_states
    return states[index(len(states))]


def stack_by_row(outputs: list[np.ndarray], example_ids: Sequence[int], n_rows: int) -> np.ndarray:
    """Stack per-feature vectors into row order (one feature per row)."""
    emb = np.zeros((n_rows, outputs[0].shape[-1] if outputs else 0), dtype=np.float32)
    if outputs:
        emb[np.asarray(example_ids)] = np.stack(outputs)
    return emb
