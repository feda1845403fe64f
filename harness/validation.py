"""JSON Schema validation for every config and result file (schemas live in ``schemas/``)."""

from __future__ import annotations

import json
import math
from functools import cache
from importlib import resources
from typing import Any

import jsonschema
import referencing

from harness.errors import HarnessError


@cache
def schema(name: str) -> dict[str, Any]:
    text = resources.files("harness.schemas").joinpath(f"{name}.schema.json").read_text("utf-8")
    return json.loads(text)


@cache
def _schemas() -> referencing.Registry:
    """All bundled schemas, so one may ``$ref`` another by file name."""
    names = [
        p.name.removesuffix(".schema.json")
        for p in resources.files("harness.schemas").iterdir()
        if p.name.endswith(".schema.json")
    ]
    return referencing.Registry().with_resources(
        (schema(n)["$id"], referencing.Resource.from_contents(schema(n))) for n in names
    )


@cache
def _validator(name: str) -> jsonschema.protocols.Validator:
    s = schema(name)
    cls = jsonschema.validators.validator_for(s)
    cls.check_schema(s)
    return cls(s, registry=_schemas())


def non_finite(instance: Any, where: str = "") -> list[tuple[str, float]]:
    """(field, value) of every NaN or infinity in ``instance``.

    Python's ``json`` reads ``NaN``/``Infinity`` and JSON Schema's ``number`` accepts them,
    but they are not JSON and no hyper-parameter or score may be one.
    """
    if isinstance(instance, float):
        return [] if math.isfinite(instance) else [(where, instance)]
    if isinstance(instance, dict):
        items = instance.items()
    elif isinstance(instance, (list, tuple)):
        items = enumerate(instance)
    else:
        return []
    return [bad for k, v in items for bad in non_finite(v, f"{where}/{k}" if where else str(k))]


def errors(instance: Any, name: str) -> list[str]:
    """All violations of schema ``name`` as ``field: message`` strings (empty when valid);
    NaN and infinities first, as JSON Schema lets them pass."""
    out = [
        f"{where or '(top level)'}: {value} is not a finite number"
        for where, value in non_finite(instance)
    ]
    for err in sorted(_validator(name).iter_errors(instance), key=lambda e: list(e.path)):
        where = "/".join(str(p) for p in err.absolute_path) or "(top level)"
        out.append(f"{where}: {err.message}")
    return out


def validate(instance: Any, name: str, source: str) -> None:
    """Raise a one-line HarnessError naming ``source`` and the first offending field."""
    problems = errors(instance, name)
    if problems:
        more = f" (+{len(problems) - 1} more)" if len(problems) > 1 else ""
        raise HarnessError(f"{source}: invalid {name} file: {problems[0]}{more}")
