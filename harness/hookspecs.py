"""The whole plugin API: six ``register_*`` hooks.

A plugin is a module (or object) with functions decorated by :data:`harness.hookimpl`,
made known through the ``harness`` entry-point group of its package::

    [project.entry-points.harness]
    my_tasks = "my_package.tasks"

Each hook receives a ``register`` callback; call it once per thing the plugin provides.
A function marked with :data:`hookimpl` whose name is not one of these hooks fails its plugin
(a misspelt hook would otherwise never be called), unless marked
``@hookimpl(optionalhook=True)``.
Built-in plugins under ``plugins/`` use exactly this mechanism.
"""

from __future__ import annotations

import pluggy

hookspec = pluggy.HookspecMarker("harness")
hookimpl = pluggy.HookimplMarker("harness")


@hookspec
def register_tasks(register):
    """Register tasks: ``register(task)`` with a :class:`harness.Task` instance.

    Task names are global: the first plugin to register a name keeps it; a later plugin
    registering the same name is reported as failed (``harness plugins``).
    """


@hookspec
def register_models(register):
    """Register encoders: ``register(model)`` with a :class:`harness.Model` instance.

    A model may also claim names it was not registered under (e.g. any Hugging Face
    id or local directory) through :meth:`harness.Model.claims`.
    """


@hookspec
def register_evaluators(register):
    """Register scorers: ``register(evaluator)`` with a :class:`harness.Evaluator`.

    Tasks refer to evaluators by name, so a new metric never requires touching a task.
    """


@hookspec
def register_suites(register):
    """Register suites: ``register(path)`` with the path of a suite JSON file.

    Suite files are validated against ``schemas/suite.schema.json`` when loaded.
    """


@hookspec
def register_presets(register):
    """Register hyper-parameter presets: ``register(path)`` with a preset JSON file.

    A preset (``schemas/preset.schema.json``) is a named, documented protocol, e.g. the
    hyper-parameters of a paper, chosen with ``harness run --preset NAME``; it applies on top
    of the suite's settings and below command-line flags.
    """


@hookspec
def register_languages(register):
    """Register language metadata: ``register(path)`` with a JSON file in the format of
    ``harness/languages.json`` (validated against ``schemas/languages.schema.json``).

    Leaderboards and analyses then know the name, family, script and resource class of
    the languages a plugin's tasks add. Only new codes count: a code the built-in file or
    an earlier plugin defines is ignored with a warning.
    """
