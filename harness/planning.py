"""Planning a run: configuration in, typed phases out, before anything heavy is imported.

``Planner.plan`` resolves every name (suite, model, tasks, ``task@lang``, ``a+b``
multi-task phases, presets, ``--set`` settings), every phase's hyper-parameters and batch
layout on this run's devices, and every data source; ``Planner.units`` cuts the grid into
``--shard`` parts. Mistakes surface here as one ``HarnessError`` line, before a run folder
exists. The keys that name phases in run.json's ``completed`` list live here too.
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from harness.devices import BatchPlan, split_global_batch, world_size
from harness.errors import HarnessError
from harness.hparams import DEFAULT_HPARAMS, HParams, unmet_requirement
from harness.loggers import checked_loggers
from harness.models import Model
from harness.registry import Registry
from harness.suites import DEFAULT_SUITE, Suite
from harness.tasks import DataSource, Task

RUN_ID_ENV = "HARNESS_RUN_ID"  # shared with DDP worker processes Lightning re-launches


def default_cache_dir() -> Path:
    return Path(os.environ.get("HARNESS_CACHE", Path.home() / ".cache" / "harness"))


@dataclass
class RunConfig:
    """Everything a run needs; stored resolved in run.json."""

    suite: str = "xtreme-zs"
    model: str = "minilm"
    targets: list[str] | None = None
    intermediates: list[str] | None = None
    """Intermediate task names; "none" means the no-intermediate baseline. None: the suite's."""
    languages: list[str] | None = None
    data: str = "sample"
    seeds: list[int] = field(default_factory=lambda: [0])
    hparams: dict[str, Any] = field(default_factory=dict)
    preset: str | None = None
    """Named hyper-parameter protocol (``--preset paper``), over the suite's."""
    settings: dict[str, dict[str, Any]] = field(default_factory=dict)
    """Task setting overrides: task name -> {key: value} (``--set TASK.KEY=VALUE``)."""
    trainer: dict[str, Any] = field(default_factory=dict)
    output: Path = Path("runs")
    cache_dir: Path | None = None
    run_id: str | None = None
    progress: bool | None = None
    shard: tuple[int, int] | None = None
    """(i, n), 1-based: run only the i-th of n disjoint parts of the phase grid."""
    callbacks: list[Any] = field(default_factory=list)
    """Extra Lightning callbacks for every phase (monitoring, fault injection in tests)."""
    intermediate_choice: dict[str, Any] | None = None
    """Set by ``--intermediate auto:K`` (``harness.ranking.auto.choose``): the ranking and
    each target's chosen intermediates; planned once, reused by later plans."""
    baseline_recipes: bool = True
    """Whether a baseline target starts from its suite's ``baseline_intermediates`` task
    (``--no-baseline-recipes``: from the pretrained encoder, as every other target)."""
    loggers: list[str] | None = None
    """Experiment trackers (``--logger``, ``harness.loggers.LOGGERS``); None: csv, or the
    ones a resumed run recorded in run.json."""


@dataclass(frozen=True)
class MultiTask:
    """An intermediate phase made of several tasks (``a+b+c`` on the command line)."""

    name: str
    members: tuple[Task, ...]
    extra: dict[str, Any] = field(default_factory=dict)
    trains: bool = True

    @property
    def train_language(self) -> str:
        return "+".join(dict.fromkeys(m.train_language for m in self.members))


@dataclass
class Plan:
    suite: Any
    model: Model
    targets: list[Task]
    unavailable: list[str]
    intermediates: list[Task | MultiTask | None]
    languages: dict[str, list[str]]
    hparams: dict[str, dict[str, Any]]
    """Resolved hyper-parameters per task name."""
    sources: dict[str, DataSource]
    batches: dict[str, BatchPlan] = field(default_factory=dict)
    """Per trained task: its global batch laid out on this run's devices."""
    multitask_batches: dict[str, dict[str, BatchPlan]] = field(default_factory=dict)
    """Per multi-task phase: each member's layout (one accumulation for all members)."""
    choices: dict[str, list[str]] | None = None
    """``auto:K`` only: per target, the intermediates it trains from (the baseline always);
    None: every intermediate for every target."""
    recipes: dict[str, Task] = field(default_factory=dict)
    """Per target: the task its suite trains before it in the baseline setting (the
    suite's ``baseline_intermediates``, e.g. XTREME-R's SIQA before XCOPA)."""

    def pairs(self, inter: Task | MultiTask | None, target: Task) -> bool:
        """Whether ``target`` is trained from ``inter`` in this run."""
        if self.choices is None or inter is None:
            return True
        return inter.name in self.choices.get(target.name, ())

    def phases(self) -> list[tuple[Task, str]]:
        """(task, role) of every task trained or scored: intermediates (multi-task members
        one by one, then baseline recipes), then targets."""
        return [(t, "intermediate") for t in self.intermediate_tasks()] + [
            (t, "target") for t in self.targets
        ]

    def intermediate_tasks(self) -> list[Task]:
        """Every single task trained as an intermediate: the grid's, then the recipes'."""
        return concrete_tasks([*self.intermediates, *self.recipes.values()])

    @property
    def record_suite(self) -> str | None:
        """The ``suite`` of this run's score records: the suite's name when every target
        that runs belongs to it, else None (``--targets`` named tasks outside the suite,
        whose hyper-parameters the suite still gave)."""
        inside = all(t.name in self.suite.targets for t in self.targets)
        return self.suite.name if inside else None

    def typed_hparams(self, name: str) -> HParams:
        """``hparams[name]`` as the typed object (whole numbers as ``int``)."""
        return HParams.from_dict(self.hparams[name])

    def eval_points(self, task: Task, role: str) -> list[tuple[str, str]]:
        """(split, language) pairs a phase evaluates: an intermediate only in its own language."""
        languages = [task.train_language] if role == "intermediate" else self.languages[task.name]
        return [(split, lang) for lang in languages for split in task.splits_for(lang)]


class Planner:
    """Turns a ``RunConfig`` into a ``Plan`` against the installed plugins (no torch)."""

    def __init__(self, registry: Registry, config: RunConfig):
        self.registry = registry
        self.config = config

    def _suite_languages(self, suite: Suite, task: Task) -> list[str]:
        """The languages ``suite`` evaluates target ``task`` in, in the task's order.

        Those its scoring section lists for the task's submission folder, so one task serves
        XTREME (``xtreme-zs``) and XTREME-R (``xtreme-r``, more languages) unchanged. A suite
        without a scoring section (the intermediate-task grids, built on XTREME) takes the
        default suite's lists, i.e. XTREME's languages; a task no scoring names: all its
        languages.
        """
        scoring = suite.scoring
        if scoring is None and DEFAULT_SUITE in self.registry.suites:
            scoring = self.registry.suites[DEFAULT_SUITE].scoring
        entry = scoring.task(task.xtreme_name or task.name) if scoring else None
        if entry is None:
            return list(task.languages)
        return [lg for lg in task.languages if lg in entry.languages]

    def plan(self) -> Plan:
        cfg = self.config
        suite = self.registry.suite(cfg.suite)
        model = self.registry.model(cfg.model)  # resolved now: an unknown model fails first

        targets, unavailable = [], []
        for name in cfg.targets or suite.targets:
            if name in self.registry.tasks:
                targets.append(self.registry.tasks[name])
            elif cfg.targets:
                self.registry.task(name)  # raises with suggestions
            else:
                unavailable.append(name)
        if not targets:
            raise HarnessError(f"suite '{suite.name}': none of its targets is installed")

        names = cfg.intermediates if cfg.intermediates is not None else list(suite.intermediates)
        choices = self._auto(names, [t.name for t in targets])
        if choices is not None:  # the baseline, then every target's chosen intermediates
            names = ["none", *dict.fromkeys(n for chosen in choices.values() for n in chosen)]
        intermediates: list[Task | MultiTask | None] = []
        for name in names or ["none"]:
            if name == "none":
                intermediates.append(None)
            elif len(split_multitask(name)) > 1:
                members = tuple(self._intermediate(n) for n in split_multitask(name))
                intermediates.append(MultiTask(name, members))
            else:
                intermediates.append(self._intermediate(name))

        languages: dict[str, list[str]] = {}
        wanted = set(cfg.languages or [])
        known = set().union(*(t.languages for t in targets))
        for lang in sorted(wanted - known):
            raise HarnessError(
                f"unknown language '{lang}' for targets {', '.join(t.name for t in targets)}; "
                f"available: {', '.join(sorted(known))}"
            )
        evaluated = {task.name: self._suite_languages(suite, task) for task in targets}
        for lang in sorted(wanted - set().union(*evaluated.values())):
            raise HarnessError(
                f"--languages {lang}: suite '{suite.name}' evaluates none of its targets in "
                f"'{lang}' (its scoring section does not list it); pick a suite that does "
                "(e.g. --suite xtreme-r for XTREME-R's languages)"
            )
        for task in targets:
            languages[task.name] = [lg for lg in evaluated[task.name] if not wanted or lg in wanted]

        recipes = self._recipes(suite, targets, intermediates)
        targets = [self._configured(t) for t in targets]
        intermediates = [
            MultiTask(t.name, tuple(self._configured(m) for m in t.members))
            if isinstance(t, MultiTask)
            else (self._configured(t) if t else None)
            for t in intermediates
        ]
        recipes = {name: self._configured(task) for name, task in recipes.items()}
        singles = concrete_tasks([*intermediates, *recipes.values()])  # each name once
        unknown = set(cfg.settings) - {t.name for t in [*targets, *singles]}
        for name in sorted(unknown):
            raise HarnessError(f"--set {name}.*: task '{name}' is not part of this run")

        from harness.validation import validate

        preset = self.registry.preset(cfg.preset) if cfg.preset else None
        hparams: dict[str, dict[str, Any]] = {}
        declared: dict[str, HParams] = {}  # the protocol, before command-line flags
        for task in [*targets, *singles, *multitask_phases(intermediates)]:
            resolved = dict(DEFAULT_HPARAMS)
            resolved.update(suite.hparams_for(task.name, sample=cfg.data == "sample"))
            if preset is not None:
                base = task.extra.get("base_task", task.name)
                resolved.update(preset.hparams_for(base))
            declared[task.name] = HParams.from_dict(resolved)
            resolved.update({k: v for k, v in cfg.hparams.items() if v is not None})
            validate(
                {k: v for k, v in resolved.items() if v is not None},
                "hparams",
                f"hyper-parameters of {task.name} (suite file and command line)",
            )
            problem = unmet_requirement(resolved)
            if problem:
                raise HarnessError(f"hyper-parameters of {task.name}: {problem}")
            hparams[task.name] = resolved

        sources = {t.name: self._source(t) for t in [*targets, *singles]}
        plan = Plan(suite, model, targets, unavailable, intermediates, languages, hparams, sources)
        plan.choices = choices
        plan.recipes = recipes
        self._lay_out_batches(plan, declared)
        return plan

    def _auto(self, names: list[str], targets: list[str]) -> dict[str, list[str]] | None:
        """Per target, its top-K intermediates when ``names`` hold ``auto:K`` (ranked once
        per config, or taken from the run's run.json when it is resumed); else None."""
        from harness.ranking.auto import parse_auto

        auto = parse_auto(names)
        if auto is None:
            return None
        k, method, candidates = auto
        if self.config.intermediate_choice is None:
            from harness.ranking.auto import choose

            self.config.intermediate_choice = choose(
                self.registry, self.config, targets, k, method, candidates
            )
        recorded = self.config.intermediate_choice["targets"]
        return {t: list(recorded[t]["chosen"]) for t in targets}

    def _lay_out_batches(self, plan: Plan, declared: dict[str, HParams]) -> None:
        """Per-device batch and accumulation of every trained phase on this run's devices.

        Hyper-parameters state the global batch (``batch_size`` x ``accumulate_grad_batches``
        as on one device); see ``harness.devices``.
        """
        world = world_size(self.config.trainer)
        typed = plan.typed_hparams

        def protocol(name: str, phase: str) -> int:
            return declared[name].batch_size * declared[phase].accumulate_grad_batches

        # single-task intermediate phases (not multi-task members) and recipes, each once
        alone = concrete_tasks(
            [*(t for t in plan.intermediates if isinstance(t, Task)), *plan.recipes.values()]
        )
        for task in [*plan.targets, *alone]:
            if task.trains:
                _, layout = split_global_batch(
                    {task.name: typed(task.name).batch_size},
                    typed(task.name).accumulate_grad_batches,
                    world,
                    {task.name: protocol(task.name, task.name)},
                    where=f"hyper-parameters of {task.name}: ",
                )
                plan.batches[task.name] = layout[task.name]
        for multi in multitask_phases(plan.intermediates):
            _, plan.multitask_batches[multi.name] = split_global_batch(
                {m.name: typed(m.name).batch_size for m in multi.members},
                typed(multi.name).accumulate_grad_batches,
                world,
                {m.name: protocol(m.name, multi.name) for m in multi.members},
                where=f"hyper-parameters of {multi.name}: ",
            )

    def _recipes(
        self, suite: Any, targets: list[Task], intermediates: list[Any]
    ) -> dict[str, Task]:
        """The baseline recipe of each target (``baseline_intermediates`` of the suite),
        when this run trains the baseline; ``--no-baseline-recipes`` turns them off."""
        if None not in intermediates or not self.config.baseline_recipes:
            return {}
        recipes = {}
        for target in targets:
            name = suite.baseline_intermediates.get(target.name)
            if not name:
                continue
            try:
                task = self._intermediate(name)
            except HarnessError as exc:
                raise HarnessError(
                    f"suite '{suite.name}' ({suite.path}): baseline_intermediates.{target.name}: "
                    f"{exc}"
                ) from None
            if "intermediate" not in task.roles:
                raise HarnessError(
                    f"suite '{suite.name}' ({suite.path}): baseline_intermediates.{target.name} "
                    f"names '{name}', which is not an intermediate task; name one from "
                    "`harness list`"
                )
            recipes[target.name] = task
        return recipes

    def _intermediate(self, name: str) -> Task:
        """``task`` or ``task@lang``: the same task trained on data in another language.

        ``mnli@sw`` reads the task's own file layout under ``translated/sw/`` of the data
        folder (machine-translated or native data in the task's format).
        """
        base, at, language = name.partition("@")
        task = self.registry.task(base)
        if not at or language == task.train_language:
            return task
        if not language.isascii() or not language.replace("-", "").isalnum():
            raise HarnessError(f"--intermediate {name}: expected TASK@LANG, e.g. mnli@sw")
        return dataclasses.replace(
            task,
            name=name,
            train_language=language,
            languages=(language,),
            extra={**task.extra, "base_task": base, "native_language": task.train_language},
        )

    def _configured(self, task: Task) -> Task:
        """``task`` with this run's ``--set`` overrides applied (unknown keys are an error)."""
        overrides = self.config.settings.get(task.name)
        if not overrides:
            return task
        for key in overrides:
            if key not in task.settings:
                known = ", ".join(sorted(task.settings)) or "none"
                raise HarnessError(
                    f"--set {task.name}.{key}: task '{task.name}' has no setting '{key}' "
                    f"(its settings: {known})"
                )
        return dataclasses.replace(task, settings={**task.settings, **overrides})

    def _source(self, task: Task) -> DataSource:
        data = self.config.data
        translated = "native_language" in task.extra
        if data == "sample":
            if task.sample_root is None:
                raise HarnessError(
                    f"task '{task.name}' ships no sample data; pass --data PATH or --data hub"
                )
            root = Path(task.sample_root)
        elif data == "hub":
            if translated:
                raise HarnessError(
                    f"task '{task.name}': translated data is read from a folder, not the Hub; "
                    f"pass --data PATH with translated/{task.train_language}/ in it"
                )
            return DataSource("hub")
        else:
            root = Path(data).expanduser()
            if not root.is_dir():
                raise HarnessError(
                    f"--data {data}: no such folder (expected 'sample', 'hub' or a data folder)"
                )
            root = root.resolve()
        if translated:
            root = root / "translated" / task.train_language
            if not root.is_dir():
                raise HarnessError(
                    f"task '{task.name}': no data in {task.train_language} ({root} is missing); "
                    f"put the task's files, in its own layout, under {root}"
                )
        return DataSource("local", root)

    def units(self, plan: Plan) -> set[tuple[int, str, str]]:
        """(seed, intermediate, target) cells of the grid this process runs (``--shard i/n``).

        Shards take contiguous blocks of the grid in its run order, so an intermediate
        checkpoint is trained by as few shards as possible.
        """
        cells = [
            (seed, phase_name(inter), target.name)
            for seed in self.config.seeds
            for inter in plan.intermediates
            for target in plan.targets
            if plan.pairs(inter, target)
        ]
        if not self.config.shard:
            return set(cells)
        index, count = self.config.shard
        if not 1 <= index <= count:
            raise HarnessError(f"--shard {index}/{count}: expected 1 <= i <= n")
        start, stop = (len(cells) * (index - 1)) // count, (len(cells) * index) // count
        if start == stop:
            raise HarnessError(
                f"--shard {index}/{count}: the grid has only {len(cells)} phases; use n <= "
                f"{len(cells)}"
            )
        return set(cells[start:stop])


RESUME_FREE = ("trainer", "model_source", "batch", "loggers", "intermediate_ranking")
"""run.json config keys a resumed run may change: another machine or device count may
finish a run (same protocol); trackers only watch it; an auto:K ranking's scores may
differ in the last digits on other hardware (``intermediate_choice`` itself must match)."""


def manifest_config(plan: Plan, config: RunConfig) -> dict[str, Any]:
    """run.json's ``config`` for ``plan``, less what needs the model or devices
    (``model_source``, ``trainer``, ``batch``): what a resumed run must match."""
    return {
        "suite": plan.suite.name,
        "model": config.model,
        "preset": config.preset,
        "targets": [t.name for t in plan.targets],
        "unavailable_targets": plan.unavailable,
        "intermediates": [t.name if t else None for t in plan.intermediates],
        "languages": config.languages,
        "data": config.data,
        "shard": list(config.shard) if config.shard else None,
        "seeds": list(config.seeds),
        "hparams": plan.hparams,
        "settings": {t.name: t.settings for t, _ in plan.phases() if t.settings},
        **(
            {"baseline_recipes": {t: task.name for t, task in plan.recipes.items()}}
            if plan.recipes
            else {}
        ),
        **(
            {  # auto:K: what each target trains from, and the ranking that chose it
                "intermediate_choice": plan.choices,
                "intermediate_ranking": config.intermediate_choice,
            }
            if plan.choices is not None
            else {}
        ),
    }


def config_change(old: dict[str, Any], new: dict[str, Any], run_id: str) -> str | None:
    """Why run ``run_id``, started with config ``old``, cannot resume with ``new`` (None if
    it can): every key but ``RESUME_FREE`` must be the same."""
    for key in sorted(set(old) | set(new)):
        if key not in RESUME_FREE and old.get(key) != new.get(key):
            return (
                f"run '{run_id}' was started with another {key} "
                f"({old.get(key)!r}, now {new.get(key)!r}); use another --run-id"
            )
    return None


def checked_config(config: RunConfig) -> RunConfig:
    """``config`` without repeated names or seeds (a phase must not run twice), with seeds
    and DataLoader workers numpy and PyTorch accept."""
    for seed in config.seeds:
        if not isinstance(seed, int) or not 0 <= seed < 2**32:
            raise HarnessError(f"seed {seed!r}: expected a whole number from 0 to {2**32 - 1}")
    workers = config.trainer.get("num_workers")
    if workers is not None and (not isinstance(workers, int) or workers < 0):
        raise HarnessError(f"num_workers {workers!r}: expected 0 or more")

    def unique(values: list[Any] | None) -> list[Any] | None:
        return None if values is None else list(dict.fromkeys(values))

    return dataclasses.replace(
        config,
        targets=unique(config.targets),
        intermediates=unique(config.intermediates),
        languages=unique(config.languages),
        seeds=unique(config.seeds),
        loggers=checked_loggers(config.loggers),  # unknown or not installed: stop here
    )


def split_multitask(name: str) -> list[str]:
    """Members of a multi-task phase: 'mnli+squad' -> [mnli, squad]; 'anli+' is one task
    (ANLI+), so 'mnli+anli+' -> [mnli, anli+]."""
    parts: list[str] = []
    for piece in name.split("+"):
        if piece == "" and parts:
            parts[-1] += "+"
        else:
            parts.append(piece)
    return parts


def concrete_tasks(intermediates: list[Any]) -> list[Task]:
    """The tasks of the intermediate phases, multi-task members included."""
    out: list[Task] = []
    for item in intermediates:
        if isinstance(item, MultiTask):
            out += [m for m in item.members if m.name not in {t.name for t in out}]
        elif item is not None and item.name not in {t.name for t in out}:
            out.append(item)
    return out


def multitask_phases(intermediates: list[Any]) -> list[MultiTask]:
    return [item for item in intermediates if isinstance(item, MultiTask)]


def phase_name(task: Task | None) -> str:
    return task.name if task is not None else "none"


def target_key(seed: int, inter: Task | None, task: Task) -> str:
    """Identity of a target phase in run.json's ``completed`` list."""
    return f"seed{seed}/{phase_name(inter)}/{task.name}"


def intermediate_key(seed: int, task: Task) -> str:
    return f"seed{seed}/intermediate/{task.name}"


def record_key(record: dict[str, Any]) -> str:
    """The phase that produced ``record`` (same form as the keys above)."""
    if record["role"] == "intermediate":  # a multi-task phase's members name their phase
        return f"seed{record['seed']}/intermediate/{record['intermediate'] or record['target']}"
    return f"seed{record['seed']}/{record['intermediate'] or 'none'}/{record['target']}"


def trained_from(key: str, done: set[str]) -> set[str]:
    """Finished target phases trained from the intermediate phase ``key`` (none for a target)."""
    seed, role, name = key.split("/", 2)
    if role != "intermediate":
        return set()
    return {k for k in done if k.startswith(f"{seed}/{name}/")}


def shard_suffix(shard: tuple[int, int]) -> str:
    return f"-shard{shard[0]}of{shard[1]}"


def new_run_id() -> str:
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    return f"{stamp}-{hashlib.sha1(uuid.uuid4().bytes).hexdigest()[:6]}"
