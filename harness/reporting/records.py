"""The typed score record and what a leaderboard row compares.

A ``Record`` is one line of ``results.json`` (schema ``results``, ``$defs/record``): one
metric of one task on one split and language, after one phase. ``from_dict``/``to_dict``
round-trip the JSON exactly, keys and their order included, so a record read and written
again is the same text. The leaderboard and the analysis read records only through it.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from harness.errors import HarnessError

BASELINE = "none"  # the intermediate of a phase trained without one
# A record's data kind: 'published' (a publication's numbers), 'sample' (bundled samples)
# or 'real' (anything else); each gets tables of its own.
KINDS = {"published": "published reference scores", "real": "real data", "sample": "sample data"}
PROTOCOL = "_protocol"  # the protocol label as an in-memory dict key (``Record.protocol``)


@dataclass(frozen=True)
class Batch:
    """How the phase behind a score was batched (``$defs/batch``)."""

    global_batch: int
    per_device_batch: int
    accumulation: int
    world_size: int
    protocol_batch: int

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Batch:
        return cls(**{f.name: data[f.name] for f in dataclasses.fields(cls)})

    def to_dict(self) -> dict[str, int]:
        return dataclasses.asdict(self)


class Setup(NamedTuple):
    """What a leaderboard row compares: the model, the intermediate task ("none" without
    one) and the data label (source, plus protocol and batch where rows must stand apart)."""

    model: str
    intermediate: str
    data: str


_REQUIRED = ("suite", "model", "intermediate", "target", "role", "language", "split",
             "metric", "value", "main", "seed", "run_id", "n_examples")  # fmt: skip
_ORDER = ("suite", "model", "intermediate", "intermediate_language", "recipe", "target",
          "role", "language", "split", "metric", "value", "main", "seed", "run_id",
          "n_examples", "data", "batch")  # fmt: skip
_OPTIONAL = ("recipe", "data", "batch")  # keys written only where set


@dataclass(frozen=True)
class Record:
    """One score record. ``protocol`` is not part of the file: ``sources`` sets it where
    rows of one comparison were trained under different protocols."""

    suite: str | None  # None: the run's --targets left its suite
    model: str
    intermediate: str | None
    target: str
    role: str  # "target" or "intermediate" (an intermediate task's own validation score)
    language: str
    split: str
    metric: str
    value: float
    main: bool
    seed: int
    run_id: str
    n_examples: int
    intermediate_language: str | None = None
    data: str | None = None  # None: the key is absent (records older than the field)
    batch: Batch | None = None
    recipe: str | None = None  # the suite's baseline recipe task trained before the target
    protocol: str | None = field(default=None, compare=False)
    # the JSON keys in file order, so that to_dict gives back exactly what from_dict read
    keys: tuple[str, ...] = field(default=(), compare=False, repr=False)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], *, validate: bool = False) -> Record:
        """The record of one JSON object; ``validate`` checks it against the schema first
        (records from ``sources`` are checked there, file by file)."""
        if validate:
            from harness.results import RESULTS_FORMAT
            from harness.validation import errors

            document = {"format": RESULTS_FORMAT, "run_id": "record", "records": [dict(data)]}
            problems = errors(document, "results")
            if problems:
                raise HarnessError(f"invalid score record: {problems[0]}")
        missing = [k for k in _REQUIRED if k not in data]
        unknown = [k for k in data if k not in _ORDER and k != PROTOCOL]
        if missing or unknown:
            what = f"missing {missing}" if missing else f"unknown keys {unknown}"
            raise HarnessError(f"score record of {data.get('target', '?')}: {what}")
        values = {k: data[k] for k in _REQUIRED}
        batch = data.get("batch")
        return cls(
            **values,
            intermediate_language=data.get("intermediate_language"),
            data=data.get("data"),
            batch=Batch.from_dict(batch) if batch is not None else None,
            recipe=data.get("recipe"),
            protocol=data.get(PROTOCOL),
            keys=tuple(k for k in data if k != PROTOCOL),
        )

    def to_dict(self) -> dict[str, Any]:
        """The JSON object (without ``protocol``); keys in the order they were read, else in
        the runner's order with ``data`` and ``batch`` only where set."""
        keys = self.keys or tuple(
            k for k in _ORDER if k not in _OPTIONAL or getattr(self, k) is not None
        )
        out = {}
        for key in keys:
            value = getattr(self, key)
            out[key] = value.to_dict() if isinstance(value, Batch) else value
        return out

    def labelled(self, protocol: str | None) -> Record:
        return dataclasses.replace(self, protocol=protocol)

    # ------------------------------------------------------------------ derived
    @property
    def intermediate_name(self) -> str:
        """The intermediate task, or "none"."""
        return self.intermediate or BASELINE

    @property
    def data_source(self) -> str:
        """The data source as recorded ("?" for records that predate the field)."""
        return self.data if self.data is not None else "?"

    @property
    def kind(self) -> str:
        """'published', 'sample' or 'real' (see ``KINDS``)."""
        return self.data if self.data in ("published", "sample") else "real"

    @property
    def data_label(self) -> str:
        """The data column of a row. Scores on the bundled samples must never sit in one row
        with real-data scores, nor scores trained with another effective batch than the
        protocol (suite/preset) declares, nor (where the board holds several) scores of
        another protocol (``sources.label_protocols``)."""
        data = self.data_source
        if self.protocol:
            data += f" · {self.protocol}"
        batch = self.batch
        if batch and batch.global_batch != batch.protocol_batch:
            return f"{data} (batch {batch.global_batch}, protocol {batch.protocol_batch})"
        return data

    @property
    def setup(self) -> Setup:
        return Setup(self.model, self.intermediate_name, self.data_label)

    @property
    def identity(self) -> tuple[Any, ...]:
        """What a later run of the same configuration replaces: one score of one seed."""
        return (self.model, self.intermediate, self.target, self.role, self.language,
                self.split, self.metric, self.seed, self.data_label)  # fmt: skip

    @property
    def is_main_target(self) -> bool:
        """A target task's main metric: what tables and comparisons are made of."""
        return self.role == "target" and self.main

    @property
    def training_language(self) -> str | None:
        """The language of the intermediate data: the record's own field, else the ``@lang``
        suffix of the intermediate's name (records older than the field)."""
        if self.intermediate_language:
            return self.intermediate_language
        _, at, suffix = (self.intermediate or "").partition("@")
        return suffix if at else None


def as_records(records: Iterable[Record | Mapping[str, Any]]) -> list[Record]:
    """Records given as ``Record`` or as JSON dicts (the runner's, older callers')."""
    return [r if isinstance(r, Record) else Record.from_dict(r) for r in records]


def latest(records: Iterable[Record]) -> list[Record]:
    """One record per ``identity``: a re-run of the same configuration supersedes older
    runs (run ids sort by time); order is that of first appearance by run id."""
    found: dict[tuple[Any, ...], Record] = {}
    for record in sorted(records, key=lambda r: r.run_id):
        found[record.identity] = record
    return list(found.values())
