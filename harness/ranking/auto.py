"""``--intermediate auto:K``: rank first, then train only each target's top K (plus the
baseline).

``auto:K`` ranks every registered intermediate task (or the other names given with it:
``--intermediate auto:2 mnli squad_v2 hellaswag``) with ``DEFAULT_METHOD``;
``auto:K:METHOD`` picks another method. The choice and the ranking behind it go into
run.json (``config.intermediate_choice``, ``config.intermediate_ranking``); re-running
the run id reuses the recorded ranking instead of ranking again.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from harness.errors import HarnessError
from harness.ranking.methods import METHODS

AUTO = "auto:"
DEFAULT_METHOD = "semb"
"""SEmb: among the best predictors in Poth et al. 2021, and one forward pass per task."""


def parse_auto(names: list[str]) -> tuple[int, str, list[str] | None] | None:
    """(K, method, candidates or None for the default list) of an ``auto:K[:METHOD]``
    among ``names``; None when there is none."""
    autos = [n for n in names if n.startswith(AUTO)]
    if not autos:
        return None
    if len(autos) > 1:
        raise HarnessError(f"--intermediate: one auto:K at most (got {', '.join(autos)})")
    spec = autos[0]
    count, _, method = spec[len(AUTO) :].partition(":")
    if not count.isdigit() or int(count) < 1:
        raise HarnessError(f"--intermediate {spec}: expected auto:K with K >= 1, e.g. auto:2")
    method = method or DEFAULT_METHOD
    if method not in METHODS:
        raise HarnessError(
            f"--intermediate {spec}: unknown ranking method '{method}'; choose from "
            f"{', '.join(METHODS)}"
        )
    others = [n for n in names if n not in (spec, "none")]
    return int(count), method, others or None


def choose(
    registry: Any,
    config: Any,
    targets: list[str],
    k: int,
    method: str,
    candidates: list[str] | None,
    say: Any = None,
) -> dict[str, Any]:
    """The ranking of ``candidates`` for every target and each target's top ``k``."""
    recorded = _recorded(config)
    if (
        recorded
        and recorded.get("method") == method
        and recorded.get("k") == k
        and recorded.get("candidates") == candidates
        and set(recorded.get("targets", {})) == set(targets)
    ):
        return recorded
    from harness.ranking.ranker import RankConfig, rank

    ranking = rank(
        registry,
        RankConfig(
            targets=targets,
            candidates=candidates,
            methods=[method],
            model=config.model,
            data=config.data,
            seed=config.seeds[0] if config.seeds else 0,
        ),
        say=say,
    )
    chosen: dict[str, Any] = {}
    for target in targets:
        entry = next(e for e in ranking.rankings if e["target"] == target)
        chosen[target] = {
            "chosen": [c["name"] for c in entry["candidates"][:k]],
            "ranking": [{"name": c["name"], "score": c["score"]} for c in entry["candidates"]],
        }
    return {
        "method": method,
        "k": k,
        "candidates": candidates,
        "max_examples": ranking.config.max_examples,
        "seconds": round(ranking.seconds.get("total", 0.0), 3),
        "skipped": ranking.skipped,
        "targets": chosen,
    }


def _recorded(config: Any) -> dict[str, Any] | None:
    """The ranking an earlier start of this run id recorded in its run.json, if any."""
    import os

    from harness.planning import RUN_ID_ENV, shard_suffix

    run_id = config.run_id or os.environ.get(RUN_ID_ENV)  # DDP workers: the main's run id
    if not run_id:
        return None
    if config.shard and not run_id.endswith(shard_suffix(config.shard)):
        run_id += shard_suffix(config.shard)
    try:
        manifest = json.loads((Path(config.output) / run_id / "run.json").read_text("utf-8"))
        recorded = manifest["config"]["intermediate_ranking"]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return recorded if isinstance(recorded, dict) else None


def describe(choice: dict[str, Any]) -> str:
    """One line per target: what auto:K chose, by which method, with the runners-up."""
    lines = [
        f"auto:{choice['k']}: ranked by {choice['method']} in {choice.get('seconds', 0):.1f}s "
        "(run.json config.intermediate_ranking has every score)"
    ]
    for target, entry in choice["targets"].items():
        shown = ", ".join(f"{c['name']} {c['score']:.3f}" for c in entry["ranking"][:5])
        chosen = ", ".join(entry["chosen"]) or "nothing (no candidate could be ranked)"
        lines.append(f"  {target}: trains from {chosen}  [ranking: {shown}]")
    return "\n".join(lines)
