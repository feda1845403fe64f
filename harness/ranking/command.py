"""``harness rank``: its arguments and what it does (kept here so cli.py stays a dispatcher)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from harness.errors import HarnessError
from harness.ranking.methods import DEFAULT_METHODS, METHODS


def add_parser(sub: Any, positive_int: Any) -> None:
    """The ``rank`` sub-command on ``sub`` (argparse subparsers)."""
    rk = sub.add_parser(
        "rank",
        help="rank candidate intermediate tasks for target tasks (TextEmb, SEmb, "
        "TaskEmb-lite, LogME), far cheaper than training them; --evaluate scores the rankings "
        "against a grid's measured results",
    )
    rk.add_argument(
        "--target", "--targets", dest="targets", nargs="+", metavar="TASK",
        help="target task(s) to rank for (with --evaluate: default every target of the grid)",
    )  # fmt: skip
    rk.add_argument(
        "--candidates", nargs="+", metavar="TASK",
        help="intermediates to rank: task, task@lang, a+b (default: every registered task "
        "with role intermediate; with --evaluate: the grid's intermediates)",
    )  # fmt: skip
    rk.add_argument(
        "--method", dest="methods", nargs="+", choices=list(METHODS),
        default=list(DEFAULT_METHODS),
        help=f"ranking methods (default: {' '.join(DEFAULT_METHODS)}; logme when named)",
    )  # fmt: skip
    rk.add_argument("--model", default="minilm", help="model plugin name, Hub id or folder")
    rk.add_argument("--data", default="sample", help="'sample', 'hub' or a data folder")
    rk.add_argument(
        "--max-examples", type=positive_int, default=256,
        help="rows sampled per task (default: 256)",
    )  # fmt: skip
    rk.add_argument("--max-length", type=positive_int, default=128, help="tokens per input")
    rk.add_argument(
        "--taskemb-steps", type=positive_int, default=10,
        help="fine-tuning steps on each task before TaskEmb-lite's Fisher pass, and on each "
        "candidate before LogME reads the target (default: 10)",
    )  # fmt: skip
    rk.add_argument("--seed", type=int, default=0, help="sampling and fine-tuning seed")
    rk.add_argument(
        "--output", type=Path, default=Path("runs"),
        help="folder for <rank id>/ranking.json, beside run folders (default: runs)",
    )  # fmt: skip
    rk.add_argument("--rank-id", help="name of the ranking's folder (default: rank-<timestamp>)")
    rk.add_argument(
        "--evaluate", type=Path, nargs="+", metavar="RESULTS",
        help="result files or run folders of a grid: report Regret@1/@3, Spearman and "
        "NDCG of each method against the measured improvements",
    )  # fmt: skip
    rk.add_argument(
        "--ranking", type=Path, metavar="FILE",
        help="with --evaluate: score this saved ranking (runs/<rank id>/ranking.json, made "
        "before the grid was trained) instead of ranking again; its model and data select "
        "the grid's records",
    )  # fmt: skip
    rk.add_argument("--report", type=Path, metavar="FILE", help="with --evaluate: write Markdown")


def run(registry: Any, args: argparse.Namespace) -> int:
    from harness.ranking.ranker import ranking_tables

    if args.report and not args.evaluate:
        raise HarnessError("--report FILE needs --evaluate RESULTS")
    if args.ranking and not args.evaluate:
        raise HarnessError("--ranking FILE needs --evaluate RESULTS (the grid to score it against)")
    saved = None
    if args.ranking:
        from harness.ranking.ranker import read_ranking

        saved = read_ranking(args.ranking)
        args.model, args.data = saved.config.model, saved.config.data
    truth = None
    if args.evaluate:
        from harness.ranking.scoring import measured
        from harness.submissions import read_sources

        runs = [p for p in args.evaluate if p.is_dir() and not _holds_result_files(p)]
        files = [p for p in args.evaluate if p not in runs]
        for path in args.evaluate:
            if not path.exists():
                raise HarnessError(f"--evaluate {path}: no such result file or run folder")
        sources = read_sources(runs, files)
        truth = measured(sources.records, args.model, args.data)
        if saved is not None:
            truth = _ranked_part(truth, saved, args.ranking)
        if args.targets:
            truth = [m for m in truth if m.target in args.targets]
            if not truth:
                raise HarnessError(
                    f"--evaluate: none of {', '.join(args.targets)} has measured intermediates"
                )
    if saved is not None:
        ranking, path = saved, args.ranking
    elif truth is not None:
        targets = [m.target for m in truth]
        candidates = args.candidates or sorted(set().union(*(m.scores for m in truth)))
        ranking, path = _rank_now(registry, args, targets, candidates)
    elif args.targets:
        ranking, path = _rank_now(registry, args, args.targets, args.candidates)
    else:
        raise HarnessError("harness rank: name --target TASK (or --evaluate RESULTS)")
    print(ranking_tables(ranking))
    print(f"ranking: {path}")
    if truth is not None:
        from harness.ranking.scoring import report, score

        text = report(ranking, truth, score(ranking, truth), list(args.evaluate))
        print()
        print(text)
        if args.report:
            from harness.results import atomic_write_text

            atomic_write_text(args.report, text)
            print(f"report: {args.report}")
    return 0


def _rank_now(
    registry: Any, args: argparse.Namespace, targets: list[str], candidates: list[str] | None
) -> tuple[Any, Path]:
    """Rank ``candidates`` for ``targets`` as the arguments ask; write ranking.json."""
    from harness.planning import new_run_id
    from harness.ranking.ranker import RankConfig, rank, write_ranking

    config = RankConfig(
        targets=list(dict.fromkeys(targets)),
        candidates=candidates,
        methods=list(dict.fromkeys(args.methods)),
        model=args.model,
        data=args.data,
        max_examples=args.max_examples,
        max_length=args.max_length,
        taskemb_steps=args.taskemb_steps,
        seed=args.seed,
    )
    if not sys.stderr.isatty():  # as `harness run`: no progress bars in logs
        import datasets
        import transformers

        datasets.disable_progress_bars()
        transformers.utils.logging.disable_progress_bar()
    ranking = rank(registry, config, say=lambda m: print(m, file=sys.stderr))
    rank_id = args.rank_id or f"rank-{new_run_id()}"
    return ranking, write_ranking(ranking, args.output, rank_id)


def _ranked_part(truth: list[Any], saved: Any, path: Path) -> list[Any]:
    """The measured targets and candidates that a saved ranking ranked: a ranking made for
    another grid, or before the grid grew, is scored on what both hold."""
    from dataclasses import replace

    ranked = set(saved.config.candidates or ())
    out = []
    for m in truth:
        scores = {c: v for c, v in m.scores.items() if c in ranked}
        if m.target in saved.config.targets and len(scores) >= 2:
            out.append(replace(m, scores=scores))
    if not out:
        raise HarnessError(
            f"--ranking {path}: ranks no target of the grid with two of its measured "
            f"intermediates (it ranks {', '.join(saved.config.targets)}); rank the grid's "
            "targets and intermediates, or leave out --ranking to rank them now"
        )
    return out


def _holds_result_files(path: Path) -> bool:
    """A folder of result files (leaderboards/results) rather than run folders."""
    return not any(path.rglob("results.json")) and any(path.glob("*.json"))
