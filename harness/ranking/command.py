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
    rk.add_argument("--report", type=Path, metavar="FILE", help="with --evaluate: write Markdown")


def run(registry: Any, args: argparse.Namespace) -> int:
    from harness.planning import new_run_id
    from harness.ranking.ranker import RankConfig, rank, ranking_tables, write_ranking

    if args.report and not args.evaluate:
        raise HarnessError("--report FILE needs --evaluate RESULTS")
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
        if args.targets:
            truth = [m for m in truth if m.target in args.targets]
            if not truth:
                raise HarnessError(
                    f"--evaluate: none of {', '.join(args.targets)} has measured intermediates"
                )
    if truth is not None:
        targets = [m.target for m in truth]
        candidates = args.candidates or sorted(set().union(*(m.scores for m in truth)))
    elif args.targets:
        targets, candidates = args.targets, args.candidates
    else:
        raise HarnessError("harness rank: name --target TASK (or --evaluate RESULTS)")
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
    path = write_ranking(ranking, args.output, rank_id)
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


def _holds_result_files(path: Path) -> bool:
    """A folder of result files (leaderboards/results) rather than run folders."""
    return not any(path.rglob("results.json")) and any(path.glob("*.json"))
