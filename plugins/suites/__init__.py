"""Built-in suites and presets: JSON files next to this module and in presets/."""

from pathlib import Path

import harness


@harness.hookimpl
def register_suites(register):
    for path in sorted(Path(__file__).parent.glob("*.json")):
        register(path)


@harness.hookimpl
def register_presets(register):
    for path in sorted((Path(__file__).parent / "presets").glob("*.json")):
        register(path)
