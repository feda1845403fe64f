"""Plugin discovery: entry points (built-in and third-party alike) plus in-process plugins.

Every plugin is loaded and called in isolation, so one that fails to import or raises
while registering is recorded with a one-line reason and never breaks the harness.
"""

from __future__ import annotations

import difflib
import importlib
import os
from dataclasses import dataclass, field
from importlib.metadata import entry_points
from pathlib import Path
from typing import Any

import pluggy

from harness import hookspecs
from harness.errors import HarnessError
from harness.evaluators import Evaluator
from harness.models import Model
from harness.suites import Preset, Suite, load_preset, load_suite
from harness.tasks import Task

ENTRY_POINT_GROUP = "harness"
PLUGINS_ENV = "HARNESS_PLUGINS"
"""Comma-separated module paths loaded as plugins in-process (handy while developing one)."""


@dataclass
class PluginInfo:
    name: str
    module: str
    package: str
    version: str
    error: str | None = None
    provides: list[str] = field(default_factory=list)


def _one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split()) or "(no message)"
    return f"{type(exc).__name__}: {text}"


@dataclass
class Registry:
    tasks: dict[str, Task] = field(default_factory=dict)
    models: dict[str, Model] = field(default_factory=dict)
    evaluators: dict[str, Evaluator] = field(default_factory=dict)
    suites: dict[str, Suite] = field(default_factory=dict)
    presets: dict[str, Preset] = field(default_factory=dict)
    provider: dict[tuple[str, str], str] = field(default_factory=dict)
    plugins: list[PluginInfo] = field(default_factory=list)

    # -- lookups with helpful errors -------------------------------------------------
    def task(self, name: str) -> Task:
        return self._get("task", self.tasks, name)

    def evaluator(self, name: str) -> Evaluator:
        return self._get("evaluator", self.evaluators, name)

    def suite(self, name: str) -> Suite:
        if name not in self.suites and Path(name).suffix == ".json" and Path(name).is_file():
            return load_suite(Path(name))
        return self._get("suite", self.suites, name)

    def preset(self, name: str) -> Preset:
        if name not in self.presets and Path(name).suffix == ".json" and Path(name).is_file():
            return load_preset(Path(name))
        return self._get("preset", self.presets, name)

    def model(self, name: str) -> Model:
        """The plugin serving ``name``: exact names first, then plugins that claim it."""
        if name in self.models:
            return self.models[name]
        for model in self.models.values():
            if model.claims(name):
                return model
        raise HarnessError(
            f"unknown model '{name}': no model plugin serves it; `harness list` shows models"
        )

    def _get(self, kind: str, table: dict[str, Any], name: str) -> Any:
        if name in table:
            return table[name]
        close = difflib.get_close_matches(name, table, n=3)
        hint = f"did you mean {', '.join(close)}? " if close else ""
        broken = [p.name for p in self.plugins if p.error]
        if broken:
            hint += f"(plugins that failed to load: {', '.join(broken)}; see `harness plugins`) "
        raise HarnessError(f"unknown {kind} '{name}'; {hint}`harness list` shows all {kind}s")

    def failed_plugins(self) -> list[PluginInfo]:
        return [p for p in self.plugins if p.error]


def load_registry(
    extra_plugins: list[Any] | tuple[Any, ...] = (), entrypoints: bool = True
) -> Registry:
    """Discover plugins and collect what they register.

    ``extra_plugins`` are modules or objects with hook implementations, registered
    in-process (tests, notebooks); modules named in ``$HARNESS_PLUGINS`` are added too.
    """
    pm = pluggy.PluginManager("harness")
    pm.add_hookspecs(hookspecs)
    registry = Registry()
    candidates: list[tuple[PluginInfo, Any]] = []

    if entrypoints:
        for ep in sorted(entry_points(group=ENTRY_POINT_GROUP), key=lambda e: e.name):
            dist = ep.dist
            info = PluginInfo(
                name=ep.name,
                module=ep.value,
                package=dist.name if dist else "?",
                version=dist.version if dist else "?",
            )
            try:
                candidates.append((info, ep.load()))
            except Exception as exc:  # a broken plugin must never break the harness
                info.error = _one_line(exc)
                registry.plugins.append(info)

    in_process: list[Any] = list(extra_plugins)
    for module_name in filter(
        None, (m.strip() for m in os.environ.get(PLUGINS_ENV, "").split(","))
    ):
        info = PluginInfo(name=module_name, module=module_name, package="(in-process)", version="-")
        try:
            in_process.append(importlib.import_module(module_name))
        except Exception as exc:
            info.error = _one_line(exc)
            registry.plugins.append(info)
    for obj in in_process:
        name = getattr(obj, "__name__", type(obj).__name__)
        candidates.append(
            (PluginInfo(name=name, module=name, package="(in-process)", version="-"), obj)
        )

    for info, obj in candidates:
        try:
            pm.register(obj, name=info.name)
        except Exception as exc:
            info.error = _one_line(exc)
            registry.plugins.append(info)
            continue
        registry.plugins.append(info)
        _collect(pm, registry, info, obj)
    return registry


def _collect(pm: pluggy.PluginManager, registry: Registry, info: PluginInfo, obj: Any) -> None:
    """Call this plugin's hooks only, attributing everything it registers to it."""
    staged: list[tuple[str, str, Any]] = []

    def make_register(kind: str, base: type):
        def register(item: Any) -> None:
            if kind == "suite":
                item = load_suite(Path(item)) if not isinstance(item, Suite) else item
            elif kind == "preset":
                item = load_preset(Path(item)) if not isinstance(item, Preset) else item
            elif not isinstance(item, base):
                raise TypeError(f"register() expects a {base.__name__}, got {type(item).__name__}")
            staged.append((kind, item.name, item))

        return register

    hooks = {
        "task": ("register_tasks", Task),
        "model": ("register_models", Model),
        "evaluator": ("register_evaluators", Evaluator),
        "suite": ("register_suites", Suite),
        "preset": ("register_presets", Preset),
    }
    try:
        for kind, (hook_name, base) in hooks.items():
            caller = pm.subset_hook_caller(
                hook_name, remove_plugins=[p for p in pm.get_plugins() if p is not obj]
            )
            caller(register=make_register(kind, base))
    except HarnessError as exc:
        info.error = str(exc)
        pm.unregister(obj)
        return
    except Exception as exc:
        info.error = _one_line(exc)
        pm.unregister(obj)
        return

    tables = {
        "task": registry.tasks,
        "model": registry.models,
        "evaluator": registry.evaluators,
        "suite": registry.suites,
        "preset": registry.presets,
    }
    for kind, name, item in staged:
        if name in tables[kind]:
            other = registry.provider[(kind, name)]
            info.error = f"{kind} '{name}' is already registered by plugin '{other}'"
            continue
        tables[kind][name] = item
        registry.provider[(kind, name)] = info.name
        info.provides.append(f"{kind}:{name}")
