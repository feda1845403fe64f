"""Fine-tuned dual-encoder retrieval (XTREME-R's Mewsli-X and LAReQA): one shared tower,
trained on (query, positive candidate) pairs with in-batch negatives, evaluated by ranking
a candidate pool for every query (mAP@k).

The model side is the ``dual-encoder`` head (``plugins/models/dual_encoder_head.py`` for the
Hugging Face encoders), as XTREME's ``BertForRetrieval``: query and candidate embeddings are
the encoder's pooler output, L2-normalised; logits = cosine x a learnable ``logit_scale``
(initialised to 100); loss = cross-entropy of each query over the batch's candidates (the
i-th candidate is the positive of the i-th query). Its encoder is ``model.base_model``, so
carry-over between phases saves and loads it like any other head.

Rows (what a reader returns; build them with :func:`training_row` and :func:`query_rows`):

* training split: ``query`` and ``candidate`` (the positive's text);
* evaluation splits: one row per query: ``query`` (text), ``query_id`` (the submission key),
  ``gold`` (the relevant candidate ids, or None when unknown) and the pool searched:
  ``pool_ids``/``pool_texts`` hold the whole pool on the FIRST row and are empty on the
  others. The pool is shared by every query while the harness decodes one prediction per
  row, so it rides on one row (row 0 is kept by every subset of the first dev examples).

Features (:meth:`DualEncoderTask.encode`):

* training: one feature per pair: ``input_ids``/``attention_mask`` (and ``token_type_ids``)
  are two sequences, ``[query, candidate]``, each cut to its own limit
  (``query_max_length``/``candidate_max_length``, else the run's ``max_length``); the
  collator pads them to ``[batch, 2, length]`` and the head encodes each side cut to its
  own longest sequence;
* evaluation: one feature per text: the query (``side`` 0) and, on row 0, every pool
  candidate (``side`` 1, ``pool_index`` its position). :meth:`predict` returns the
  normalised embedding of each; :meth:`decode` ranks the pool for every query by inner
  product with the exact blocked search of :mod:`harness.families.retrieval_search` and
  keeps the top ``k`` ids (a :class:`Ranking`: a list of ids that knows its query id).

Submission (``prediction_suffix`` .json, as Mewsli-X's ``evaluate.py`` reads it): one JSON
object, query id -> ranked candidate ids (top ``k``); the label file maps query id -> list
of gold ids. ``read_submission`` aligns both in label-file order; a query without a
prediction gets an empty ranking (scored 0), as ``utils_mewslix.evaluate`` does.
"""

from __future__ import annotations

import json
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
    "k": 20,
    "query_max_length": None,
    "candidate_max_length": None,
    "block_size": search.DEFAULT_BLOCK_SIZE,
    "backend": "auto",
}
"""``k``: candidates kept per query (mAP@k); ``query_max_length``/``candidate_max_length``:
token limits of each side, never above the run's ``max_length`` (``None``: that limit; the
official scripts' total, e.g. LAReQA's 352 = 96 + 256, is the suite's ``max_length``, so the
short ``max_length`` of the bundled samples shortens both sides); ``block_size``/``backend``:
the search (:mod:`harness.families.retrieval_search`)."""

__all__ = ["SETTINGS", "DualEncoderTask", "Ranking", "query_rows", "training_row"]


class Ranking(list):
    """Ranked candidate ids of one query (best first) that remember the query's id."""

    def __init__(self, ids: Sequence[str] = (), query_id: str = ""):
        super().__init__(ids)
        self.query_id = query_id


def training_row(query: str, candidate: str) -> Row:
    """A training pair: the query text and its positive candidate's text."""
    return {"query": query, "candidate": candidate}


def query_rows(
    queries: Sequence[tuple[str, str, list[str] | None]], pool: Sequence[tuple[str, str]]
) -> list[Row]:
    """Evaluation rows from ``(query id, text, gold ids or None)`` and the pool's
    ``(candidate id, text)``: the pool goes on the first row (module doc)."""
    ids = [c for c, _ in pool]
    return [
        {
            "query": text,
            "query_id": qid,
            "gold": gold,
            "pool_ids": ids if i == 0 else [],
            "pool_texts": [t for _, t in pool] if i == 0 else [],
        }
        for i, (qid, text, gold) in enumerate(queries)
    ]


def _integer(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


@dataclass(frozen=True, kw_only=True)
class DualEncoderTask(FamilyTask):
    """Queries and candidates through one shared encoder; trained with in-batch negatives."""

    head: str = "dual-encoder"
    roles: tuple[str, ...] = ("target",)
    evaluator: str = "map_at_k"
    main_metric: str = "map@20"
    prediction_suffix: str = ".json"

    default_settings: ClassVar[dict[str, Any]] = SETTINGS

    def __post_init__(self) -> None:
        super().__post_init__()
        s = self.settings
        problems = []
        for key in ("k", "block_size"):
            if not _integer(s.get(key)) or s[key] < 1:
                problems.append(f"{key} must be a positive integer, got {s.get(key)!r}")
        for key in ("query_max_length", "candidate_max_length"):
            value = s.get(key)
            if value is not None and (not _integer(value) or value < 2):
                problems.append(f"{key} must be null or an integer >= 2, got {value!r}")
        if s.get("backend") not in search.BACKENDS:
            problems.append(
                f"backend must be one of {', '.join(search.BACKENDS)}, got {s.get('backend')!r}"
            )
        if problems:
            raise HarnessError(f"task '{self.name}': setting {problems[0]}")

    # -- model interface ---------------------------------------------------------------
    @property
    def num_labels(self) -> int:
        return 0  # the head has no classes: a similarity and a logit scale

    def limits(self, max_length: int) -> tuple[int, int]:
        """Token limits of (queries, candidates): each side's setting, capped by the run's."""
        s = self.settings
        query, candidate = s["query_max_length"], s["candidate_max_length"]
        return min(query or max_length, max_length), min(candidate or max_length, max_length)

    def encode(self, batch: dict[str, list], tokenizer: Any, max_length: int) -> dict[str, list]:
        q_limit, c_limit = self.limits(max_length)
        if "candidate" in batch:  # training pairs
            q = tokenizer(list(batch["query"]), truncation=True, max_length=q_limit)
            c = tokenizer(list(batch["candidate"]), truncation=True, max_length=c_limit)
            return {key: [list(pair) for pair in zip(q[key], c[key], strict=True)] for key in q}
        if "pool_ids" not in batch:
            raise HarnessError(
                f"task '{self.name}': rows need query and candidate (training) or query, "
                "query_id, gold, pool_ids and pool_texts (evaluation)"
            )
        enc = dict(tokenizer(list(batch["query"]), truncation=True, max_length=q_limit))
        n = len(batch["query"])
        enc["example_id"] = list(batch["example_id"])
        enc["side"] = [0] * n
        enc["pool_index"] = [-1] * n
        for example_id, texts in zip(batch["example_id"], batch["pool_texts"], strict=True):
            if not texts:
                continue
            pool = tokenizer(list(texts), truncation=True, max_length=c_limit)
            for key in pool:
                enc.setdefault(key, [[] for _ in range(n)]).extend(pool[key])
            enc["example_id"] += [example_id] * len(texts)
            enc["side"] += [1] * len(texts)
            enc["pool_index"] += list(range(len(texts)))
        return enc

    def collator(self, tokenizer: Any) -> Any:
        return PairCollator(tokenizer)

    def predict(self, model: Any, inputs: dict[str, torch.Tensor]) -> list[torch.Tensor]:
        """One L2-normalised embedding per feature (query or candidate alike)."""
        return list(model.embed(**inputs).float())

    def search_args(self) -> dict[str, Any]:
        return {"block_size": int(self.settings["block_size"]), "backend": self.settings["backend"]}

    def decode(
        self,
        outputs: list[np.ndarray],
        features: datasets.Dataset,
        rows: datasets.Dataset,
        context: harness.EvalContext,
    ) -> list[Ranking]:
        """The top ``k`` pool ids of every query, best first."""
        side = np.asarray(features["side"][:])
        ex = np.asarray(features["example_id"][:])
        where = np.asarray(features["pool_index"][:])
        dim = outputs[0].shape[-1] if outputs else 0
        queries = np.zeros((len(rows), dim), np.float32)
        order = {int(e): i for i, e in enumerate(rows["example_id"][:])}
        pool_ids = rows[0]["pool_ids"] if len(rows) else []
        pool = np.zeros((len(pool_ids), dim), np.float32)
        for out, s, e, j in zip(outputs, side, ex, where, strict=True):
            if s == 0:
                queries[order[int(e)]] = out
            else:
                pool[int(j)] = out
        query_ids = rows["query_id"][:]
        if not pool_ids:
            return [Ranking([], q) for q in query_ids]
        nearest = search.knn(queries, pool, int(self.settings["k"]), **self.search_args())
        return [
            Ranking([pool_ids[int(i)] for i in ranked], q)
            for ranked, q in zip(nearest.index, query_ids, strict=True)
        ]

    def references(self, rows: datasets.Dataset) -> list[list[str] | None]:
        return rows["gold"][:]

    # -- submission ----------------------------------------------------------------------
    def write_predictions(self, path: Path, predictions: Sequence[Ranking]) -> None:
        """One JSON object: query id -> ranked candidate ids (module doc)."""
        harness.atomic_write_json(path, {p.query_id: list(p) for p in predictions})

    def read_submission(
        self, predictions: Path, labels: Path, language: str
    ) -> tuple[list[list[str]], list[list[str]]]:
        """Every query of the label file in its order, with its predicted ranking (empty
        when the submission lacks it) cut to ``k``; gold ids stripped."""
        preds = _id_lists(predictions, "a list of ranked candidate ids")
        gold = _id_lists(labels, "a list of gold candidate ids")
        k = int(self.settings["k"])
        return (
            [list(preds.get(qid, []))[:k] for qid in gold],
            [[g.strip() for g in ids] for ids in gold.values()],
        )


def _id_lists(path: Path, what: str) -> dict[str, list[str]]:
    """A JSON object mapping ids to lists of id strings, or one line naming the problem."""
    with harness.open_text(path) as handle:
        try:
            document = json.load(handle)
        except json.JSONDecodeError as exc:
            raise HarnessError(f"{path}:{exc.lineno}: not valid JSON ({exc.msg})") from None
    if not isinstance(document, dict):
        raise HarnessError(f"{path}: expected one JSON object mapping each query id to {what}")
    for key, value in document.items():
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise HarnessError(f"{path}: the value of {key!r} is not {what} (strings)")
    return document


class PairCollator:
    """Pads training pairs to ``[batch, 2, length]`` and single texts to ``[batch, length]``
    (a multiple of 8), with the tokenizer's pad id and side."""

    def __init__(self, tokenizer: Any):
        self.tokenizer = tokenizer

    def __call__(self, features: list[dict[str, Any]]) -> dict[str, Any]:
        from transformers import DataCollatorWithPadding

        pad = DataCollatorWithPadding(self.tokenizer, pad_to_multiple_of=8)
        ids = features[0]["input_ids"]
        if not (ids and isinstance(ids[0], list)):
            return pad(features)
        # both sides of every pair padded to one length: [batch * 2, length] -> [batch, 2, length]
        flat = [{key: f[key][side] for key in f} for f in features for side in (0, 1)]
        batch = pad(flat)
        return {key: value.view(len(features), 2, -1) for key, value in batch.items()}
