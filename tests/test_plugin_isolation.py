"""Hostile plugins (issue 14): sys.exit, raising claims(), misspelt hooks, malformed objects.

Each must be reported as one line naming the plugin while every command keeps working.
"""

from __future__ import annotations

import os
import sys
import textwrap
from dataclasses import dataclass
from pathlib import Path

import pytest

import harness
from harness.cli import main
from harness.registry import load_registry

sys.path.insert(0, str(Path(__file__).parent / "toy_plugin"))

MODULES = {
    "exit_at_import": "import sys\nsys.exit(3)\n",
    "exit_in_hook": """
        import sys
        import harness

        @harness.hookimpl
        def register_tasks(register):
            sys.exit(3)
        """,
    "base_exception_in_hook": """
        import harness

        class Odd(BaseException):
            pass

        @harness.hookimpl
        def register_models(register):
            raise Odd("not an Exception subclass")
        """,
    "misspelt_hook": """
        import harness
        from harness_builtins.tasks.classification import XNLI

        @harness.hookimpl
        def register_taskz(register):
            register(XNLI)
        """,
    "wrong_type": """
        import harness

        @harness.hookimpl
        def register_tasks(register):
            register("xnli")
        """,
}
REASONS = {
    "exit_at_import": "SystemExit: the plugin called sys.exit(3)",
    "exit_in_hook": "in register_tasks: SystemExit: the plugin called sys.exit(3)",
    "base_exception_in_hook": "in register_models: Odd: not an Exception subclass",
    "misspelt_hook": "unknown hook 'register_taskz'; did you mean 'register_tasks'? the hooks are "
    "register_tasks, register_models, register_evaluators, register_suites, register_presets, "
    "register_languages",
    "wrong_type": "in register_tasks: TypeError: register() expects a Task, got str",
}


@pytest.fixture
def plugin_modules(tmp_path, monkeypatch) -> Path:
    """The hostile modules, importable by name (tests run in a fresh ``tmp_path``)."""
    folder = tmp_path / "hostile"
    folder.mkdir()
    for name, source in MODULES.items():
        (folder / f"{name}.py").write_text(textwrap.dedent(source))
    monkeypatch.syspath_prepend(str(folder))
    return folder


@dataclass(frozen=True, kw_only=True)
class StubModel(harness.Model):
    """A model that serves everything, or (``broken``) whose claims() raises."""

    broken: bool = False

    def claims(self, requested: str) -> bool:
        if self.broken:
            raise ValueError("claims is broken")
        return True

    def tokenizer(self, requested):
        raise NotImplementedError

    def build(self, requested, head, num_labels, init):
        raise NotImplementedError

    def save_encoder(self, model, path):
        raise NotImplementedError


class ModelPlugin:
    def __init__(self, model: harness.Model) -> None:
        self.model = model
        self.__name__ = f"{model.name}_plugin"

    @harness.hookimpl
    def register_models(self, register):
        register(self.model)


@pytest.mark.parametrize("name", sorted(MODULES))
def test_hostile_plugin_is_one_warning_and_list_works(name, plugin_modules, monkeypatch, capsys):
    monkeypatch.setenv("HARNESS_PLUGINS", name)
    assert main(["list"]) == 0
    captured = capsys.readouterr()
    assert "xnli" in captured.out and "minilm" in captured.out
    assert captured.err.splitlines() == [
        f"warning: plugin '{name}' ((in-process)) failed to load: {REASONS[name]}"
    ]
    assert main(["plugins"]) == 0
    row = next(line for line in capsys.readouterr().out.splitlines() if line.startswith(name))
    assert row.endswith(f"FAILED: {REASONS[name]}")


@pytest.mark.parametrize("name", sorted(MODULES))
def test_hostile_plugin_then_unknown_model_is_one_error(name, plugin_modules, monkeypatch, capsys):
    monkeypatch.setenv("HARNESS_PLUGINS", name)
    assert main(["run", "--model", "no-such-model", "--targets", "xnli"]) == 2
    lines = capsys.readouterr().err.splitlines()
    assert lines[0].startswith(f"warning: plugin '{name}'")
    assert len(lines) == 2 and lines[1].startswith("error: unknown model 'no-such-model'")
    assert f"plugins that failed to load: {name}" in lines[1]
    assert not Path("runs").exists()


def test_sys_exit_at_import_in_a_fresh_process(plugin_modules, monkeypatch, harness_cli):
    """The probe's case: before the fix, `harness list` exited 3 and printed nothing."""
    monkeypatch.setenv("HARNESS_PLUGINS", "exit_at_import")
    monkeypatch.setenv(
        "PYTHONPATH", os.pathsep.join(filter(None, [str(plugin_modules), os.getenv("PYTHONPATH")]))
    )
    result = harness_cli("list", timeout=300)
    assert result.returncode == 0, result.stderr
    assert "xnli" in result.stdout
    assert result.stderr.splitlines() == [
        f"warning: plugin 'exit_at_import' ((in-process)) failed to load: "
        f"{REASONS['exit_at_import']}"
    ]


def test_in_process_objects_are_isolated_too():
    class ExitsInHook:
        @harness.hookimpl
        def register_evaluators(self, register):
            raise SystemExit("bye")

    class Misspelt:
        @harness.hookimpl
        def register_model(self, register):
            pass

    class BadArguments:
        @harness.hookimpl
        def register_tasks(self, register, extra):
            pass

    registry = load_registry(extra_plugins=[ExitsInHook(), Misspelt(), BadArguments()])
    errors = {p.name: p.error for p in registry.failed_plugins()}
    assert errors.pop("BadArguments").startswith("PluginValidationError: Plugin 'BadArguments'")
    assert errors == {
        "ExitsInHook": "in register_evaluators: SystemExit: the plugin called sys.exit('bye')",
        "Misspelt": "unknown hook 'register_model'; did you mean 'register_models'? the hooks are "
        "register_tasks, register_models, register_evaluators, register_suites, register_presets, "
        "register_languages",
    }
    assert "xnli" in registry.tasks and "accuracy" in registry.evaluators


def test_misspelt_hook_fails_the_whole_plugin_but_optional_hooks_are_allowed():
    class HalfRight:
        @harness.hookimpl
        def register_models(self, register):
            register(StubModel(name="half-right", description="x"))

        @harness.hookimpl
        def register_evaluatorz(self, register):
            pass

    class ForwardCompatible:
        @harness.hookimpl
        def register_models(self, register):
            register(StubModel(name="forward", description="x"))

        @harness.hookimpl(optionalhook=True)
        def register_metrics_from_the_future(self, register):
            pass

    registry = load_registry(extra_plugins=[HalfRight(), ForwardCompatible()], entrypoints=False)
    by_name = {p.name: p for p in registry.plugins}
    assert "unknown hook 'register_evaluatorz'" in by_name["HalfRight"].error
    assert by_name["ForwardCompatible"].error is None
    assert set(registry.models) == {"forward"}  # nothing of the failed plugin is registered


def test_ctrl_c_in_a_plugin_still_stops_the_harness():
    class Interrupted:
        @harness.hookimpl
        def register_tasks(self, register):
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        load_registry(extra_plugins=[Interrupted()], entrypoints=False)


@pytest.mark.parametrize(
    ("model", "reason"),
    [
        (
            StubModel(name="", description="x"),
            "model name must be a non-empty string, got ''",
        ),
        (
            StubModel(name=None, description="x"),  # type: ignore[arg-type]
            "model name must be a non-empty string, got None",
        ),
        (
            StubModel(name="m", description="x", aliases="mm"),  # type: ignore[arg-type]
            "model 'm': aliases must be a tuple of strings, got 'mm'",
        ),
    ],
)
def test_malformed_objects_fail_their_plugin(model, reason):
    registry = load_registry(extra_plugins=[ModelPlugin(model)], entrypoints=False)
    (info,) = registry.plugins
    assert info.error == f"in register_models: TypeError: {reason}"
    assert registry.models == {}


def test_same_module_twice_keeps_the_first_registration():
    import toy_sentiment

    registry = load_registry(extra_plugins=[toy_sentiment, toy_sentiment], entrypoints=False)
    first, second = registry.plugins
    assert first.error is None and "task:toy-sentiment" in first.provides
    assert "already registered" in second.error
    assert "toy-sentiment" in registry.tasks


def test_raising_claims_is_not_mine_and_is_named_in_the_error(capsys):
    broken = ModelPlugin(StubModel(name="broken", description="x", broken=True))
    code = main(["run", "--model", "no-such-model", "--targets", "xnli"], plugins=[broken])
    assert code == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err and len(err.splitlines()) == 1
    assert err.startswith("error: unknown model 'no-such-model': no model plugin serves it")
    assert (
        "plugin 'broken_plugin': model 'broken'.claims() raised ValueError: claims is broken" in err
    )
    assert not Path("runs").exists()


def test_raising_claims_is_skipped_with_a_warning_when_another_model_claims(capsys):
    broken = ModelPlugin(StubModel(name="broken", description="x", broken=True))
    catch_all = ModelPlugin(StubModel(name="catch-all", description="x"))
    registry = load_registry(extra_plugins=[broken, catch_all], entrypoints=False)
    assert registry.model("anything").name == "catch-all"
    assert capsys.readouterr().err.splitlines() == [
        "warning: plugin 'broken_plugin': model 'broken'.claims() raised ValueError: "
        "claims is broken; ignored"
    ]
    assert registry.model("broken").name == "broken"  # its registered name needs no claims()
