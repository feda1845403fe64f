"""Loading, tokenising (cached by ``datasets``) and batching task data for one phase."""

from __future__ import annotations

import hashlib
import json
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import datasets
import lightning as L
import pyarrow as pa
import torch
from lightning.fabric.utilities.distributed import DistributedSamplerWrapper
from torch.utils.data import DataLoader, Sampler
from transformers.trainer_pt_utils import LengthGroupedSampler

from harness.results import atomic_write_json
from harness.tasks import DataSource, Task

ENCODE_VERSION = "2"  # bump when the encode contract changes so stale caches are ignored


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


_FINGERPRINTS: dict[int, tuple[Any, str]] = {}


def tokenizer_fingerprint(tokenizer: Any) -> str:
    """Identity of the tokenizer's behaviour (its full serialised definition, not its name).

    Serialising a large vocabulary is slow, so the value is cached per tokenizer object.
    """
    cached = _FINGERPRINTS.get(id(tokenizer))
    if cached is not None and cached[0] is tokenizer:
        return cached[1]
    backend = getattr(tokenizer, "backend_tokenizer", None)
    if backend is not None:
        definition = json.loads(backend.to_str())
        definition.pop("truncation", None)  # call-time state that tokenising itself changes
        definition.pop("padding", None)
        text = json.dumps(definition, sort_keys=True)
    else:
        text = repr(sorted(tokenizer.get_vocab().items()))
    value = hashlib.sha256(f"{type(tokenizer).__name__}:{text}".encode()).hexdigest()[:16]
    _FINGERPRINTS[id(tokenizer)] = (tokenizer, value)
    return value


def data_fingerprints(
    task: Task, split: str, language: str, source: DataSource
) -> list[dict[str, Any]]:
    """What a run read, recorded in run.json so results can be traced to exact files."""
    if source.kind == "hub":
        return [
            {
                "task": task.name,
                "split": split,
                "language": language,
                "source": f"hub:{task.hub_id}",
            }
        ]
    assert source.root is not None
    return [
        {
            "task": task.name,
            "split": split,
            "language": language,
            "source": str(path),
            "sha256": sha256_file(path),
            "bytes": path.stat().st_size,
        }
        for path in task.local_files(split, language, source.root)
        if path.is_file()
    ]


def encode(
    task: Task,
    rows: datasets.Dataset,
    tokenizer: Any,
    max_length: int,
    cache_dir: Path,
    key: str,
    say: Callable[[str], None] | None = None,
) -> datasets.Dataset:
    """Tokenise ``rows`` with ``task.encode``; the Arrow result is cached under ``cache_dir``.

    ``key`` must identify the data (file hashes); the tokenizer, length and task are
    folded in here, so a change to any of them re-tokenises. A damaged cache entry
    (truncated by a full disk or a crash) is discarded and rebuilt, and ``say`` (default:
    stderr) is told so in one line.
    """
    parts = [
        ENCODE_VERSION,
        task.name,
        key,
        tokenizer_fingerprint(tokenizer),
        str(max_length),
        json.dumps(task.settings, sort_keys=True, default=str),
    ]
    fingerprint = hashlib.sha256(json.dumps(parts).encode()).hexdigest()[:24]
    cache_dir.mkdir(parents=True, exist_ok=True)
    cache_file = cache_dir / f"encoded-{fingerprint}.arrow"
    _discard_damaged_cache(cache_file, say or (lambda msg: print(msg, file=sys.stderr)))

    def features(batch: dict[str, list]) -> dict[str, list]:
        out = dict(task.encode(batch, tokenizer, max_length))
        if "example_id" not in out:
            out["example_id"] = batch["example_id"]
        out["length"] = [_length(ids) for ids in out["input_ids"]]
        return out

    encoded = rows.map(
        features,
        batched=True,
        remove_columns=rows.column_names,
        cache_file_name=str(cache_file),
        new_fingerprint=fingerprint,
        load_from_cache_file=True,
        desc=f"tokenising {task.name}",
    )
    _seal_cache(cache_file, len(encoded))
    return encoded.add_column("feature_index", list(range(len(encoded))))


def _seal_file(cache_file: Path) -> Path:
    return cache_file.with_suffix(".json")


def _seal_cache(cache_file: Path, rows: int) -> None:
    """Record the size and row count of a complete cache entry, to detect damage later.

    An Arrow stream cut at a record-batch boundary still reads, just shorter; the seal
    is what tells it from a complete one.
    """
    try:
        seal = {"bytes": cache_file.stat().st_size, "rows": rows}
    except OSError:  # another process (a DDP rank) replaced it meanwhile: it seals its own
        return
    path = _seal_file(cache_file)
    try:
        if json.loads(path.read_text("utf-8")) == seal:
            return
    except (OSError, ValueError):
        pass
    atomic_write_json(path, seal)


def _cache_damage(cache_file: Path) -> str | None:
    """Why the cache entry cannot be trusted ("" when it was never sealed), None if sound."""
    try:
        seal = json.loads(_seal_file(cache_file).read_text("utf-8"))
        expected_bytes, expected_rows = int(seal["bytes"]), int(seal["rows"])
    except (OSError, ValueError, TypeError, KeyError):
        return ""  # written by an older harness, or killed before its seal: rebuild quietly
    try:
        size = cache_file.stat().st_size
    except OSError:
        return ""  # removed meanwhile (another rank rebuilding it)
    if size != expected_bytes:
        return f"{size} bytes, {expected_bytes} when written"
    try:
        found = datasets.Dataset.from_file(str(cache_file)).num_rows
    except (pa.ArrowException, OSError, ValueError) as exc:
        return " ".join(str(exc).split())[:120]
    if found != expected_rows:
        return f"{found} rows, {expected_rows} when written"
    return None


def _discard_damaged_cache(cache_file: Path, say: Callable[[str], None]) -> None:
    """Delete a cache entry that cannot be trusted, so ``datasets`` tokenises again."""
    if not cache_file.exists():
        return
    damage = _cache_damage(cache_file)
    if damage is None:
        return
    cache_file.unlink(missing_ok=True)
    _seal_file(cache_file).unlink(missing_ok=True)
    if damage:
        say(f"warning: tokenisation cache {cache_file} is damaged ({damage}); rebuilding it")


def _length(input_ids: list) -> int:
    """Tokens a feature costs to pad: its length, or choices x longest choice (multiple choice)."""
    if input_ids and isinstance(input_ids[0], list):
        return len(input_ids) * max(len(x) for x in input_ids)
    return len(input_ids)


MODEL_INPUTS = (
    "input_ids",
    "attention_mask",
    "token_type_ids",
    "labels",
    "start_positions",
    "end_positions",
)
"""Feature columns the model sees; every other column is bookkeeping for decoding."""


class LengthSortedSampler(Sampler[int]):
    """Evaluation order: longest first, so batches hold similar lengths and padding is minimal."""

    def __init__(self, lengths: list[int]):
        self.order = sorted(range(len(lengths)), key=lambda i: -lengths[i])

    def __iter__(self) -> Iterator[int]:
        return iter(self.order)

    def __len__(self) -> int:
        return len(self.order)


class _RankShard(DistributedSamplerWrapper):
    """Every ``num_replicas``-th index of a sampler, from this process's rank.

    The rank is read when iterating, not when building: spawned and forked DDP workers
    receive a loader built in the parent process (rank 0).
    """

    def __iter__(self) -> Iterator[int]:
        if torch.distributed.is_available() and torch.distributed.is_initialized():
            self.rank = torch.distributed.get_rank()
        return super().__iter__()


def trim_padding(batch: dict[str, Any]) -> dict[str, Any]:
    """``batch`` without trailing positions that no sequence uses (attention mask 0 in every row).

    Every tensor shaped like ``input_ids`` (masks, token types, token labels; also per-choice
    ``[batch, choices, length]``) loses the same columns; other tensors are left alone. Those
    positions are masked everywhere, so the model's outputs for real tokens are unchanged
    (up to floating-point summation order). Left-padded batches keep every column.
    """
    ids, mask = batch.get("input_ids"), batch.get("attention_mask")
    if not isinstance(ids, torch.Tensor) or not isinstance(mask, torch.Tensor):
        return batch
    if mask.shape != ids.shape or ids.dim() < 2:
        return batch
    used = mask.reshape(-1, mask.shape[-1]).bool().any(0).nonzero()
    keep = int(used.max()) + 1 if len(used) else 1
    if keep == ids.shape[-1]:
        return batch
    return {
        key: value[..., :keep].contiguous()  # heads call labels.view(-1)
        if isinstance(value, torch.Tensor) and value.shape == ids.shape
        else value
        for key, value in batch.items()
    }


class _Collator:
    """The task's collator over model inputs; ``feature_index`` rides along for predictions.

    ``exact``: trim the collator's padding (e.g. ``pad_to_multiple_of=8``) back to the
    longest sequence of the batch, for devices where the multiple only costs time.
    """

    def __init__(self, collate: Any, exact: bool = False):
        self.collate = collate
        self.exact = exact

    def __call__(self, features: list[dict[str, Any]]) -> dict[str, torch.Tensor]:
        index = torch.tensor([int(f.pop("feature_index")) for f in features])
        batch = dict(self.collate(features))
        if self.exact:
            batch = trim_padding(batch)
        batch["feature_index"] = index
        return batch


def model_view(features: datasets.Dataset) -> datasets.Dataset:
    """Only the columns a batch needs; offsets and other decode-time columns stay behind."""
    keep = [c for c in (*MODEL_INPUTS, "feature_index") if c in features.column_names]
    return features.select_columns(keep)


class PhaseDataModule(L.LightningDataModule):
    """Train set with length-grouped shuffled batches; evaluation sets sorted by length.

    The training loader shards itself for distributed runs (one global order, see
    ``train_dataloader``); Lightning shards the evaluation loaders and never repeats an
    example when predicting. The same module serves one CPU or many GPUs.
    """

    def __init__(
        self,
        collate: Any,
        train: datasets.Dataset | None,
        batch_size: int,
        eval_batch_size: int,
        seed: int,
        num_workers: int = 0,
        group_size: int | None = None,
        exact_padding: bool = False,
    ):
        super().__init__()
        self.train = train
        self.batch_size = batch_size
        self.group_size = group_size or batch_size
        """Examples grouped by length: the global batch, so the order is device-independent."""
        self.eval_batch_size = eval_batch_size
        self.seed = seed
        self.num_workers = num_workers
        self.collate = _Collator(collate, exact=exact_padding)
        """Batches padded to their longest sequence only (``harness.devices.pads_to_multiple``)."""

    def train_dataloader(self, world_size: int = 1) -> DataLoader:
        """Batches of this rank's shard of one seeded, length-grouped order.

        Every rank draws the same order and takes every ``world_size``-th example, so
        optimizer step k sees the same global batch on one device or many. The sampler is
        already distributed, so Lightning leaves it alone (its wrapper would reshuffle).
        """
        assert self.train is not None
        generator = torch.Generator().manual_seed(self.seed)
        sampler: Sampler[int] = LengthGroupedSampler(
            self.group_size, lengths=self.train["length"][:], generator=generator
        )
        if world_size > 1:
            sampler = _RankShard(sampler, num_replicas=world_size, rank=0, shuffle=False)
        return DataLoader(
            model_view(self.train),
            batch_size=self.batch_size,
            sampler=sampler,
            collate_fn=self.collate,
            num_workers=self.num_workers,
        )

    def eval_dataloader(self, rows: datasets.Dataset) -> DataLoader:
        return DataLoader(
            model_view(rows),
            batch_size=self.eval_batch_size,
            sampler=LengthSortedSampler(rows["length"][:]),
            collate_fn=self.collate,
            num_workers=self.num_workers,
        )
