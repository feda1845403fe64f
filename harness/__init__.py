"""harness: zero-shot cross-lingual transfer benchmarks with intermediate-task training.

The public plugin API is everything imported here.
"""

from harness.errors import HarnessError
from harness.evaluators import Evaluator
from harness.hookspecs import hookimpl
from harness.models import Model
from harness.results import atomic_write_json, atomic_write_text
from harness.tasks import DataSource, EvalContext, Task, read_jsonl
from harness.textfiles import open_text, read_text

__version__ = "0.1.0"

__all__ = [
    "DataSource",
    "EvalContext",
    "Evaluator",
    "HarnessError",
    "Model",
    "Task",
    "atomic_write_json",
    "atomic_write_text",
    "hookimpl",
    "open_text",
    "read_jsonl",
    "read_text",
]
