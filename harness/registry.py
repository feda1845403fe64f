"""Plugin discovery: entry points (built-in and third-party alike) plus in-process plugins.

Every plugin is loaded and called in isolation, so one that fails to import, raises (even
``SystemExit``) while registering, implements a hook that does not exist, or registers
something malformed is recorded with a one-line reason and never breaks the harness.
"""

from __future__ import annotations

import difflib
import importlib
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib.metadata import entry_points
from pathlib import Path
from typing import Any, TypeVar

import pluggy

from harness import hookspecs
from harness.errors import HarnessError
from harness.evaluators import Evaluator
from harness.languages import Language, builtin_languages, load_language_file
from harness.models import Model
from harness.suites import Preset, Suite, load_preset, load_suite, resolve_scoring
from harness.tasks import Task

ENTRY_POINT_GROUP = "harness"
PLUGINS_ENV = "HARNESS_PLUGINS"
"""Comma-separated module paths loaded as plugins in-process (handy while developing one)."""

HOOKS: dict[str, tuple[str, type]] = {
    "task": ("register_tasks", Task),
    "model": ("register_models", Model),
    "evaluator": ("register_evaluators", Evaluator),
    "suite": ("register_suites", Suite),
    "preset": ("register_presets", Preset),
    "language": ("register_languages", Language),
}
"""Kind of object -> the hook that registers it and the type ``register`` accepts."""

_T = TypeVar("_T")


@dataclass
class PluginInfo:
    name: str
    module: str
    package: str
    version: str
    error: str | None = None
    provides: list[str] = field(default_factory=list)


def _one_line(exc: BaseException) -> str:
    if isinstance(exc, HarnessError):  # already says what is wrong and how to fix it
        return " ".join(str(exc).split())
    if isinstance(exc, SystemExit):
        return f"SystemExit: the plugin called sys.exit({exc.code!r})"
    try:
        text = " ".join(str(exc).split()) or "(no message)"
    except Exception:  # noqa: BLE001 - an exception whose __str__ fails
        text = "(unprintable message)"
    return f"{type(exc).__name__}: {text}"


def _guard(call: Callable[[], _T]) -> tuple[_T | None, str | None]:
    """Run plugin code; ``(result, None)``, or ``(None, one-line reason)`` if it raised.

    Everything but Ctrl-C is caught: a plugin's ``sys.exit()`` or ``BaseException`` must
    not end the harness (before this, one such plugin made every command exit silently).
    """
    from harness.interrupts import Interrupted

    try:
        return call(), None
    except (KeyboardInterrupt, Interrupted):  # the user or a scheduler stopping the harness
        raise
    except BaseException as exc:  # noqa: BLE001 - isolation is the point
        return None, _one_line(exc)


@dataclass
class Registry:
    tasks: dict[str, Task] = field(default_factory=dict)
    models: dict[str, Model] = field(default_factory=dict)
    evaluators: dict[str, Evaluator] = field(default_factory=dict)
    suites: dict[str, Suite] = field(default_factory=dict)
    presets: dict[str, Preset] = field(default_factory=dict)
    languages: dict[str, Language] = field(default_factory=dict)
    """Language metadata plugins add (``harness.languages`` merges it into its lookups)."""
    provider: dict[tuple[str, str], str] = field(default_factory=dict)
    plugins: list[PluginInfo] = field(default_factory=list)

    # -- lookups with helpful errors -------------------------------------------------
    def task(self, name: str) -> Task:
        return self._get("task", self.tasks, name)

    def evaluator(self, name: str) -> Evaluator:
        return self._get("evaluator", self.evaluators, name)

    def suite(self, name: str) -> Suite:
        if name not in self.suites and Path(name).suffix == ".json" and Path(name).is_file():
            return resolve_scoring(load_suite(Path(name)), self.suites)
        return resolve_scoring(self._get("suite", self.suites, name), self.suites)

    def preset(self, name: str) -> Preset:
        if name not in self.presets and Path(name).suffix == ".json" and Path(name).is_file():
            return load_preset(Path(name))
        return self._get("preset", self.presets, name)

    def model(self, name: str) -> Model:
        """The plugin serving ``name``: exact names first, then plugins that claim it."""
        if name in self.models:
            return self.models[name]
        broken: list[str] = []
        for model in self.models.values():
            claimed, error = _guard(lambda model=model: model.claims(name))
            if error is not None:  # a broken claims() means "not mine", and is reported
                plugin = self.provider.get(("model", model.name), "?")
                broken.append(f"plugin '{plugin}': model '{model.name}'.claims() raised {error}")
            elif claimed:
                for reason in broken:
                    print(f"warning: {reason}; ignored", file=sys.stderr)
                return model
        hint = f" ({'; '.join(broken)}; fix or remove that plugin)" if broken else ""
        failed = [p.name for p in self.plugins if p.error]
        if failed:
            hint += f" (plugins that failed to load: {', '.join(failed)}; see `harness plugins`)"
        raise HarnessError(
            f"unknown model '{name}': no model plugin serves it{hint}; `harness list` shows models"
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
            obj, info.error = _guard(ep.load)
            if info.error is None:
                candidates.append((info, obj))
            else:
                registry.plugins.append(info)

    in_process: list[Any] = list(extra_plugins)
    for module_name in filter(
        None, (m.strip() for m in os.environ.get(PLUGINS_ENV, "").split(","))
    ):
        info = PluginInfo(name=module_name, module=module_name, package="(in-process)", version="-")
        module, info.error = _guard(lambda name=module_name: importlib.import_module(name))
        if info.error is None:
            in_process.append(module)
        else:
            registry.plugins.append(info)
    for obj in in_process:
        name = getattr(obj, "__name__", type(obj).__name__)
        candidates.append(
            (PluginInfo(name=name, module=name, package="(in-process)", version="-"), obj)
        )

    for info, obj in candidates:
        registry.plugins.append(info)
        _, info.error = _guard(lambda info=info, obj=obj: pm.register(obj, name=info.name))
        if info.error is None:
            info.error = _unknown_hook(pm, obj)
        if info.error is not None:
            _unregister(pm, obj, info.name)
            continue
        _collect(pm, registry, info, obj)
    for name, suite in list(registry.suites.items()):  # "scoring": "another suite"
        try:
            registry.suites[name] = resolve_scoring(suite, registry.suites)
        except HarnessError:
            pass  # said when the suite is used (Registry.suite)
    from harness.languages import use_plugin_languages

    use_plugin_languages(registry.languages)
    return registry


def _unknown_hook(pm: pluggy.PluginManager, obj: Any) -> str | None:
    """Why ``obj`` implements a hook that has no spec (a misspelt name), or ``None``.

    pluggy accepts such hooks silently and they are never called; ``check_pending`` would
    judge every plugin at once, so this is the same test for one plugin. Hooks marked
    ``@hookimpl(optionalhook=True)`` (meant for another harness version) are allowed.
    """
    known = [hook for hook, _ in HOOKS.values()]
    for caller in pm.get_hookcallers(obj) or []:
        if caller.has_spec() or all(
            impl.optionalhook for impl in caller.get_hookimpls() if impl.plugin is obj
        ):
            continue
        close = difflib.get_close_matches(caller.name, known, n=1)
        hint = f"did you mean '{close[0]}'? " if close else ""
        return f"unknown hook '{caller.name}'; {hint}the hooks are {', '.join(known)}"
    return None


def _unregister(pm: pluggy.PluginManager, obj: Any, name: str) -> None:
    """Forget a failed plugin (pluggy may keep part of a registration that raised).

    Only under ``name``: the same module registered earlier under another name stays.
    """
    if pm.get_plugin(name) is obj:
        pm.unregister(name=name)


def _check_item(kind: str, item: Any) -> None:
    """Reject what would break the registry or ``harness list`` later, outside isolation."""
    name = getattr(item, "name", None)
    if not isinstance(name, str) or not name:
        raise TypeError(f"{kind} name must be a non-empty string, got {name!r}")
    fields = {"task": ("languages", "roles"), "model": ("aliases",), "evaluator": ("metrics",)}
    for attr in fields.get(kind, ()):
        value = getattr(item, attr)
        if not isinstance(value, (tuple, list)) or not all(isinstance(v, str) for v in value):
            raise TypeError(f"{kind} '{name}': {attr} must be a tuple of strings, got {value!r}")


def _collect(pm: pluggy.PluginManager, registry: Registry, info: PluginInfo, obj: Any) -> None:
    """Call this plugin's hooks only, attributing everything it registers to it."""
    staged: list[tuple[str, str, Any]] = []

    def make_register(kind: str, base: type) -> Callable[[Any], None]:
        def register(item: Any) -> None:
            if kind == "language":  # a file of several languages, each staged by its code
                for entry in load_language_file(Path(item), info.name):
                    staged.append((kind, entry.code, entry))
                return
            if kind == "suite":
                item = load_suite(Path(item)) if not isinstance(item, Suite) else item
            elif kind == "preset":
                item = load_preset(Path(item)) if not isinstance(item, Preset) else item
            elif not isinstance(item, base):
                raise TypeError(f"register() expects a {base.__name__}, got {type(item).__name__}")
            _check_item(kind, item)
            staged.append((kind, item.name, item))

        return register

    for kind, (hook_name, base) in HOOKS.items():
        caller = pm.subset_hook_caller(
            hook_name, remove_plugins=[p for p in pm.get_plugins() if p is not obj]
        )
        _, error = _guard(
            lambda caller=caller, kind=kind, base=base: caller(register=make_register(kind, base))
        )
        if error is not None:
            info.error = f"in {hook_name}: {error}"
            _unregister(pm, obj, info.name)
            return

    tables = {
        "task": registry.tasks,
        "model": registry.models,
        "evaluator": registry.evaluators,
        "suite": registry.suites,
        "preset": registry.presets,
    }
    for kind, name, item in staged:
        if kind == "language":
            _add_language(registry, info, item)
            continue
        if name in tables[kind]:
            other = registry.provider[(kind, name)]
            info.error = f"{kind} '{name}' is already registered by plugin '{other}'"
            continue
        tables[kind][name] = item
        registry.provider[(kind, name)] = info.name
        info.provides.append(f"{kind}:{name}")


def _add_language(registry: Registry, info: PluginInfo, entry: Language) -> None:
    """Add a plugin's language unless its code is known already (built-in or an earlier
    plugin's): a warning then, not a failed plugin, since its other languages still count."""
    if entry.code in builtin_languages():
        owner = "harness/languages.json"
    elif entry.code in registry.languages:
        owner = f"plugin '{registry.provider[('language', entry.code)]}'"
    else:
        registry.languages[entry.code] = entry
        registry.provider[("language", entry.code)] = info.name
        info.provides.append(f"language:{entry.code}")
        return
    print(
        f"warning: plugin '{info.name}' registers language '{entry.code}', which {owner} "
        "already defines; ignored (a plugin may only add new codes)",
        file=sys.stderr,
    )
