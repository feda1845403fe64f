"""Rank candidate intermediate tasks for target tasks; the ranking as a schema-valid record."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from harness.errors import HarnessError
from harness.ranking.logme import models as logme_models
from harness.ranking.methods import (
    DEFAULT_METHODS,
    METHODS,
    NEEDS_TRAINING,
    Embedder,
    Sample,
    sample_task,
)
from harness.registry import Registry

RANKING_FORMAT = "harness.ranking/1"


@dataclass
class RankConfig:
    """What ``harness rank`` ranks, and with what budget."""

    targets: list[str]
    candidates: list[str] | None = None
    """Intermediate names (``task``, ``task@lang``, ``a+b``); None: every registered task
    with role intermediate that is not a target."""
    methods: list[str] = field(default_factory=lambda: list(DEFAULT_METHODS))
    model: str = "minilm"
    data: str = "sample"
    max_examples: int = 256
    max_length: int = 128
    batch_size: int = 16
    taskemb_steps: int = 10
    seed: int = 0


@dataclass
class Ranking:
    """Every method's ranking of the candidates for every target, with what it cost."""

    config: RankConfig
    model_source: str
    rankings: list[dict[str, Any]]
    tasks: dict[str, dict[str, Any]]
    skipped: dict[str, str]
    seconds: dict[str, float]
    created: str = field(
        default_factory=lambda: datetime.now(timezone.utc).isoformat(timespec="seconds")
    )

    def order(self, target: str, method: str) -> list[str]:
        """Candidate names for ``target``, best first, by ``method``."""
        for entry in self.rankings:
            if entry["target"] == target and entry["method"] == method:
                return [c["name"] for c in entry["candidates"]]
        raise KeyError((target, method))

    def document(self, rank_id: str) -> dict[str, Any]:
        cfg = self.config
        return {
            "format": RANKING_FORMAT,
            "rank_id": rank_id,
            "created": self.created,
            "model": cfg.model,
            "model_source": self.model_source,
            "data": cfg.data,
            "max_examples": cfg.max_examples,
            "max_length": cfg.max_length,
            "taskemb_steps": cfg.taskemb_steps,
            "seed": cfg.seed,
            "methods": {m: METHODS[m] for m in cfg.methods},
            "seconds": {k: round(v, 3) for k, v in self.seconds.items()},
            "tasks": self.tasks,
            "skipped": self.skipped,
            "rankings": self.rankings,
        }


def default_candidates(registry: Registry, targets: list[str]) -> list[str]:
    """Every registered task whose roles include intermediate, targets excluded."""
    return [
        name
        for name, task in sorted(registry.tasks.items())
        if "intermediate" in task.roles and name not in targets
    ]


def rank(registry: Registry, config: RankConfig, say: Any = None) -> Ranking:
    """Embed the targets and candidates once per method and rank candidates by similarity
    (LogME: by the target's log evidence under each candidate's fine-tuned encoder).

    A candidate of the default list whose data cannot be read (no sample shipped, say) is
    skipped and listed; a candidate named by the user must load.
    """
    from harness.planning import Planner, RunConfig, split_multitask

    say = say or (lambda message: None)
    unknown = [m for m in config.methods if m not in METHODS]
    if unknown:
        raise HarnessError(
            f"--method {unknown[0]}: unknown ranking method; choose from {', '.join(METHODS)}"
        )
    if config.max_examples < 1:
        raise HarnessError(f"--max-examples {config.max_examples}: expected 1 or more")
    # the run's own resolution of task@lang names and data sources, so both agree
    planner = Planner(registry, RunConfig(model=config.model, data=config.data))
    plugin = registry.model(config.model)
    for name in config.targets:
        registry.task(name)  # an unknown target fails before any model is loaded
    named = config.candidates is not None
    candidates = list(
        dict.fromkeys(config.candidates or default_candidates(registry, config.targets))
    )
    if not candidates:
        raise HarnessError("no candidate intermediate tasks to rank; name them with --candidates")
    started = time.perf_counter()
    tokenizer = plugin.tokenizer(config.model)
    samples: dict[str, Sample] = {}
    skipped: dict[str, str] = {}

    def load(name: str, strict: bool) -> Sample | None:
        members = split_multitask(name)
        try:
            tasks = [planner._intermediate(m) for m in members]
            parts = [
                sample_task(
                    t,
                    planner._source(t),
                    tokenizer,
                    config.max_examples,
                    config.max_length,
                    config.batch_size,
                    config.seed,
                )
                for t in tasks
            ]
        except HarnessError as exc:
            if strict:
                raise
            skipped[name] = str(exc)
            return None
        return Sample(
            name=name,
            tasks=tasks,
            batches=[p[0] for p in parts],
            examples=sum(p[1] for p in parts),
            split="+".join(dict.fromkeys(p[2] for p in parts)),
            language="+".join(dict.fromkeys(p[3] for p in parts)),
            trains=all(t.trains for t in tasks),
        )

    for name in config.targets:
        samples[name] = load_target(registry, planner, name, tokenizer, config)
    for name in candidates:
        loaded = load(name, strict=named)
        if loaded is not None:
            samples[name] = loaded
    for name, reason in skipped.items():
        say(f"skipped candidate {name}: {reason}")
    embedder = Embedder(plugin, config.model, config.seed, config.taskemb_steps)
    embedder.costs.data = time.perf_counter() - started
    embedder.targets = [samples[t] for t in config.targets]
    ranked = [c for c in candidates if c in samples]
    rankings = []
    for target in config.targets:
        for method in config.methods:
            begun = time.perf_counter()
            entry: dict[str, Any] = {"target": target, "method": method, "candidates": []}
            usable = [c for c in ranked if method not in NEEDS_TRAINING or samples[c].trains]
            notes = [c for c in ranked if c not in usable]
            if method in NEEDS_TRAINING and not samples[target].trains:
                entry["note"] = f"{target} does not train: {method} needs its loss"
                usable = []
            elif method == "taskemb" and samples[target].tasks[0].head == "dual-encoder":
                # its Fisher needs the head's per-layer hidden states; a dual encoder's
                # loss compares two towers' pooled outputs instead
                entry["note"] = f"{target}: taskemb does not model a 'dual-encoder' head"
                usable = []
            elif method == "logme" and not logme_models(samples[target]):
                head = samples[target].tasks[0].head
                entry["note"] = f"{target}: logme does not model the labels of a '{head}' head"
                usable = []
            scores = {c: embedder.similarity(method, samples[c], samples[target]) for c in usable}
            order = sorted(scores, key=lambda c: (-scores[c], c))
            entry["candidates"] = [
                {"name": c, "score": round(scores[c], 6), "rank": i + 1}
                for i, c in enumerate(order)
            ]
            if notes and "note" not in entry:
                entry["note"] = f"left out (they do not train): {', '.join(notes)}"
            entry["seconds"] = round(time.perf_counter() - begun, 3)
            rankings.append(entry)
    tasks = {
        name: {"examples": s.examples, "split": s.split, "language": s.language}
        for name, s in samples.items()
    }
    seconds = {"data": embedder.costs.data}
    seconds |= {m: embedder.costs.methods[m] for m in config.methods if m in embedder.costs.methods}
    seconds["total"] = time.perf_counter() - started
    return Ranking(
        config=config,
        model_source=plugin.fingerprint(config.model),
        rankings=rankings,
        tasks=tasks,
        skipped=skipped,
        seconds=seconds,
    )


def load_target(
    registry: Registry, planner: Any, name: str, tokenizer: Any, config: RankConfig
) -> Sample:
    task = registry.task(name)
    batches, examples, split, language = sample_task(
        task,
        planner._source(task),
        tokenizer,
        config.max_examples,
        config.max_length,
        config.batch_size,
        config.seed,
    )
    return Sample(name, [task], [batches], examples, split, language, task.trains)


def write_ranking(ranking: Ranking, output: Path, rank_id: str) -> Path:
    """Write ``ranking.json`` into the rank's folder beside run folders (validated first)."""
    from harness.results import atomic_write_json, ranking_file
    from harness.validation import validate

    path = ranking_file(output, rank_id)
    document = ranking.document(rank_id)
    validate(document, "ranking", str(path))
    atomic_write_json(path, document)
    return path


def read_ranking(path: Path) -> Ranking:
    """A ranking written by :func:`write_ranking` (``runs/<rank id>/ranking.json``), for
    scoring later against the grid it was meant to spare (``--evaluate ... --ranking``)."""
    from harness.validation import validate

    try:
        document = json.loads(Path(path).read_text("utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise HarnessError(
            f"--ranking {path}: cannot read ({exc}); name a ranking.json that harness rank wrote"
        ) from None
    validate(document, "ranking", str(path))
    entries = document["rankings"]
    config = RankConfig(
        targets=list(dict.fromkeys(e["target"] for e in entries)),
        candidates=sorted({c["name"] for e in entries for c in e["candidates"]}),
        methods=list(document["methods"]),
        model=document["model"],
        data=document["data"],
        max_examples=document["max_examples"],
        max_length=document["max_length"],
        taskemb_steps=document["taskemb_steps"],
        seed=document["seed"],
    )
    return Ranking(
        config=config,
        model_source=document["model_source"],
        rankings=entries,
        tasks=document["tasks"],
        skipped=document["skipped"],
        seconds=document["seconds"],
        created=document["created"],
    )


def ranking_tables(ranking: Ranking) -> str:
    """One table per target and method: candidates best first, with their scores."""
    from tabulate import tabulate

    blocks = []
    for entry in ranking.rankings:
        head = f"{entry['target']} - {entry['method']} ({entry['seconds']:.1f}s)"
        if not entry["candidates"]:
            blocks.append(f"{head}\n  {entry.get('note', 'no candidates')}")
            continue
        rows = [[c["rank"], c["name"], f"{c['score']:.4f}"] for c in entry["candidates"]]
        table = tabulate(rows, headers=["rank", "candidate", "score"])
        note = f"\n  note: {entry['note']}" if entry.get("note") else ""
        blocks.append(f"{head}\n{table}{note}")
    cost = ", ".join(f"{k} {v:.1f}s" for k, v in ranking.seconds.items())
    blocks.append(f"wall time: {cost}")
    return "\n\n".join(blocks)
