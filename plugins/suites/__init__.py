"""Built-in suites: JSON files next to this module (validated by schemas/suite.schema.json)."""

from pathlib import Path

import harness


@harness.hookimpl
def register_suites(register):
    for path in sorted(Path(__file__).parent.glob("*.json")):
        register(path)
