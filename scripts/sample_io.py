"""What the sample generators (``scripts/make_*_samples.py``) share: where the hand-written
sources are, where the bundled samples go, and the one command-line argument they take."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

DATA = Path(__file__).resolve().parent.parent / "plugins" / "tasks" / "data"
"""The bundled sample folder, every generator's default output."""
SOURCES = Path(__file__).resolve().parent / "sample_sources"


def source(name: str) -> Any:
    """A hand-written source file of ``scripts/sample_sources/`` (JSON)."""
    return json.loads((SOURCES / name).read_text("utf-8"))


def output_folder(description: str | None) -> Path:
    """The folder named on the command line (``python scripts/make_x.py [OUT]``), else DATA."""
    parser = argparse.ArgumentParser(
        description=description, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "out", nargs="?", type=Path, default=DATA, help=f"output folder (default: {DATA})"
    )
    return parser.parse_args().out
