"""``harness`` command line: run, list, plugins, leaderboard, score, export.

User mistakes surface as one ``error:`` line and exit status 2; anything else is a bug
and keeps its traceback.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, NoReturn

from harness import hparams
from harness.errors import HarnessError
from harness.interrupts import Interrupted, stop_on_signals

EXIT_USER_ERROR = 2
SEED_MAX = 2**32 - 1  # numpy's and Lightning's seed range


class _Parser(argparse.ArgumentParser):
    """argparse, but a mistake is one ``error:`` line (exit 2) like every other user error."""

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_USER_ERROR, f"error: {self.prog}: {message} (see {self.prog} --help)\n")


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="harness",
        description="Zero-shot cross-lingual transfer benchmarks with intermediate-task training.",
    )
    sub = parser.add_subparsers(dest="command", required=True)

    run = sub.add_parser("run", help="run a suite: optional intermediate phase, then every target")
    run.add_argument("--suite", default="xtreme-zs", help="suite name or path to a suite JSON file")
    run.add_argument(
        "--model",
        default="minilm",
        help="registered model, Hugging Face id (org/name) or local folder "
        "(default: minilm, the embedded offline encoder)",
    )
    run.add_argument(
        "--intermediate",
        nargs="+",
        metavar="TASK",
        help="intermediate task(s), each run separately before every target; "
        "'none' adds the no-intermediate baseline",
    )
    run.add_argument(
        "--targets",
        nargs="+",
        metavar="TASK",
        help="target tasks to run instead of the suite's (any installed task; records of tasks "
        "outside the suite have suite null)",
    )
    run.add_argument("--languages", nargs="+", metavar="LANG", help="evaluate only these languages")
    run.add_argument(
        "--data",
        default="sample",
        help="'sample' (bundled), 'hub' (Hugging Face Hub) or a folder in the "
        "official download layout (XTREME download/, glue_data/, ...)",
    )
    run.add_argument(
        "--seed",
        dest="seeds",
        type=_seed,
        nargs="+",
        default=[0],
        help=f"one or more seeds, 0 to {SEED_MAX} (each seed runs the whole grid)",
    )
    run.add_argument(
        "--output", type=Path, default=Path("runs"), help="runs folder (default: runs)"
    )
    run.add_argument(
        "--run-id",
        type=_run_id,
        help="name of the run folder: ASCII letters, digits, '-', '_', '.' (default: timestamp "
        "+ random); re-running an existing run id resumes it: finished phases are skipped, an "
        "interrupted one continues from its last checkpoint; one process at a time",
    )
    run.add_argument(
        "--shard",
        type=_shard,
        metavar="I/N",
        help="run only part I of N (1-based) of the phase grid, e.g. a SLURM array task; "
        "the parts' results merge in `harness leaderboard`",
    )
    run.add_argument(
        "--cache-dir", type=Path, help="tokenised-data cache (default: ~/.cache/harness)"
    )
    hp = run.add_argument_group("hyper-parameters (override the suite's)")
    hp.add_argument(
        "--preset",
        help="named hyper-parameter protocol over the suite's, e.g. 'paper' "
        "(Phang et al. 2020); flags below still override it",
    )
    hparams.add_arguments(hp, parse_float=_finite_float)  # one per HParams field
    hp.add_argument(
        "--set",
        dest="settings",
        action="append",
        default=[],
        metavar="TASK.KEY=VALUE",
        help="change a task setting, e.g. --set xquad.doc_stride=64 (harness list shows them)",
    )
    lt = run.add_argument_group("Lightning trainer (passed through)")
    lt.add_argument("--accelerator", default="auto", help="cpu, gpu, mps, auto, ...")
    lt.add_argument("--devices", default="auto", help="number of devices, a list, or auto")
    lt.add_argument("--strategy", default="auto", help="auto, ddp, fsdp, deepspeed, ...")
    lt.add_argument("--precision", help="32-true, bf16-mixed, 16-mixed, ...")
    lt.add_argument("--num-nodes", type=int)
    lt.add_argument("--num-workers", type=_non_negative_int, default=0, help="DataLoader workers")
    lt.add_argument(
        "--logger",
        dest="loggers",
        action="append",
        metavar="{csv,tensorboard,wandb,mlflow}",
        help="experiment tracker, repeatable (default: csv; a resumed run keeps its own): "
        "hyper-parameters, train_loss, val_score and the final scores as "
        "SPLIT/LANG/METRIC, under runs/<run id>/logs/<logger>/; W&B offline unless WANDB_MODE "
        "is set, MLflow in a file store there unless MLFLOW_TRACKING_URI is set",
    )
    run.add_argument(
        "--progress",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="Lightning progress bars (default: when stderr is a terminal)",
    )
    run.add_argument(
        "--no-baseline-recipes",
        dest="baseline_recipes",
        action="store_false",
        help="baseline targets start from the pretrained encoder even where the suite's "
        "recipe trains another task first (xtreme-r: SIQA before XCOPA)",
    )

    lst = sub.add_parser("list", help="tasks, models, evaluators and suites, with their plugins")
    lst.add_argument("--json", action="store_true")
    sub.add_parser("plugins", help="installed plugins, versions, and any that failed to load")

    lb = sub.add_parser("leaderboard", help="regenerate leaderboards/ from result records")
    _sources(lb)
    lb.add_argument("--out", type=Path, default=Path("leaderboards"))
    lb.add_argument(
        "--references",
        type=Path,
        metavar="DIR",
        help="published reference result files, shown as published rows with their citations "
        "(default: references/ when it exists)",
    )
    lb.add_argument("--no-references", action="store_true", help="leave published rows out")
    lb.add_argument(
        "--html",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="also write index.html with sortable tables and heat maps (default: yes)",
    )

    an = sub.add_parser(
        "analyze",
        help="intermediate-task analysis: best intermediate per target (chosen on dev), effect "
        "by resource class of the intermediate and target language, with bootstrap CIs",
    )
    _sources(an)
    an.add_argument(
        "--out",
        type=Path,
        default=Path("leaderboards/analysis"),
        help="folder for README.md, effects.md and heat maps (default: leaderboards/analysis)",
    )

    sm = sub.add_parser(
        "submit",
        help="write finished runs' records with their provenance to a result file under "
        "leaderboards/results/ (seeds and shards of one setting merge into one file)",
    )
    sm.add_argument("run_dirs", type=Path, nargs="+", metavar="RUN_DIR", help="runs/<run id>")
    sm.add_argument(
        "--out",
        type=Path,
        metavar="FILE",
        help="result file to write or extend (default: leaderboards/results/"
        "<model>-<data>[-<preset>].json)",
    )

    sc = sub.add_parser(
        "score",
        help="score a submission folder against labels (every task that reads submissions; "
        "the XTREME score as XTREME's evaluate.py)",
    )
    sc.add_argument(
        "--predictions", type=Path, required=True, help="folder of {task}/test-{lang}{suffix}"
    )
    sc.add_argument("--labels", type=Path, required=True, help="label folder of the same layout")
    _scoring_suite_arguments(sc, "xtreme-zs")
    sc.add_argument("--json", action="store_true", help="print one JSON document")

    ex = sub.add_parser("export", help="write a run's test predictions as an XTREME submission")
    ex.add_argument("run_dir", type=Path, metavar="RUN_DIR", help="a run folder, runs/<run id>")
    ex.add_argument("--to", type=Path, required=True, metavar="DIR", help="submission folder")
    ex.add_argument(
        "--intermediate",
        metavar="TASK",
        help="which intermediate task's predictions ('none': the baseline); needed when the "
        "run has several",
    )
    ex.add_argument("--seed", type=int, help="which seed's predictions; needed when several")
    _scoring_suite_arguments(ex, "the run's suite")
    cmp = sub.add_parser(
        "compare",
        help="a run's main scores beside a published reference's, per task and language, "
        "with the differences and task averages",
    )
    cmp.add_argument(
        "run", type=Path, metavar="RUN", help="runs/<run id>, its results.json or a result file"
    )
    cmp.add_argument(
        "--reference",
        required=True,
        metavar="NAME",
        help="a file name under references/ (e.g. xtreme2020-xlmr) or a path to a result file",
    )
    cmp.add_argument(
        "--intermediate", metavar="TASK", help="the run's setting to compare (default: 'none')"
    )
    cmp.add_argument(
        "--reference-intermediate",
        metavar="TASK",
        help="the reference's setting (default: the run's, else its only one)",
    )
    cmp.add_argument("--json", action="store_true", help="print one JSON document")
    plan = sub.add_parser(
        "plan",
        add_help=False,  # run's -h comes with its arguments
        help="what `harness run` with the same arguments would run (after resume and "
        "--shard): phases, rows, batches, steps, projected time; nothing is trained",
        description="Takes every `harness run` argument; reads the data, trains nothing and "
        "creates no run folder.",
    )
    plan._add_container_actions(run)  # what parents= does: run's arguments, one definition
    plan.add_argument("--json", action="store_true", help="print one JSON document")
    from harness.ranking.command import add_parser as add_rank_parser

    add_rank_parser(sub, _positive_int)
    return parser


def _sources(parser: argparse.ArgumentParser) -> None:
    """--results and --runs of leaderboard and analyze (see ``_source_paths``)."""
    parser.add_argument(
        "--results",
        type=Path,
        nargs="+",
        metavar="PATH",
        help="result files, or folders of them (default: leaderboards/results, unless --runs "
        "is given); a damaged or provenance-less file is an error",
    )
    parser.add_argument(
        "--runs",
        type=Path,
        nargs="+",
        metavar="DIR",
        help="also (or, without --results, only) the results.json of these run folders, "
        "e.g. runs; invalid ones are listed and skipped",
    )


def _source_paths(args: argparse.Namespace) -> tuple[list[Path], list[Path]]:
    """(run folders, result files): the committed result files unless told otherwise."""
    from harness.submissions import RESULTS_DIR

    results = args.results if args.results is not None else [] if args.runs else [RESULTS_DIR]
    return list(args.runs or []), list(results)


def _devices(value: str) -> Any:
    if value == "auto":
        return value
    if value.isdigit() or (value.startswith("-") and value[1:].isdigit()):
        return int(value)
    try:
        return [int(v) for v in value.split(",") if v]
    except ValueError:
        raise HarnessError(
            f"--devices {value}: expected a number, a comma list or 'auto'"
        ) from None


def main(argv: Sequence[str] | None = None, plugins: Sequence[Any] = ()) -> int:
    """Entry point; ``plugins`` registers extra plugin objects in-process (tests, notebooks)."""
    args = _parser().parse_args(argv)
    try:
        return _dispatch(args, plugins)
    except HarnessError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USER_ERROR
    except Interrupted as exc:  # SIGTERM or Ctrl-C during `harness run`
        print(str(exc), file=sys.stderr)
        return int(exc.code)
    except KeyboardInterrupt:
        print("interrupted; results written so far are kept", file=sys.stderr)
        return 130


def _dispatch(args: argparse.Namespace, plugins: Sequence[Any]) -> int:
    from harness.registry import load_registry

    if args.command in ("leaderboard", "analyze"):
        # the languages plugins register place their rows too; their suites' scorings
        # give the benchmark tables
        suites = load_registry(plugins).suites
    if args.command == "leaderboard":
        from harness.leaderboard import regenerate

        runs, results = _source_paths(args)
        references = args.references or Path("references")
        if not args.no_references and (args.references or references.is_dir()):
            results.append(references)  # a missing --references DIR is an error there
        written, problems = regenerate(
            runs, args.out, html=args.html, results=results, suites=suites
        )
        for problem in problems:
            print(f"skipped invalid results: {problem}", file=sys.stderr)
        for path in written:
            print(path)
        return 0
    if args.command == "analyze":
        from harness.analysis import analyze

        runs, results = _source_paths(args)
        print(analyze(runs, args.out, results=results))
        return 0
    if args.command == "submit":
        from harness.submissions import submit

        path, count = submit(args.run_dirs, args.out)
        print(f"wrote {count} records with their provenance to {path}")
        return 0
    if args.command == "compare":
        from harness.compare import compare, format_comparison

        result = compare(args.run, args.reference, args.intermediate, args.reference_intermediate)
        if args.json:
            print(_strict_json(result.to_json(), "harness compare --json"))
        else:
            print(format_comparison(result))
        return 0
    if args.command == "export":
        from harness.scoring import export_submission, resolve_suite

        registry = load_registry(plugins)
        suite = resolve_suite(args.suite, args.xtreme_version)
        if args.suite is None and args.xtreme_version is None:
            suite = _run_suite(args.run_dir, registry) or suite
        written, notes = export_submission(
            args.run_dir, args.to, args.intermediate, args.seed, registry, suite
        )
        for note in notes:
            print(f"note: {note}", file=sys.stderr)
        print(f"wrote {len(written)} files to {args.to}")
        return 0

    registry = load_registry(plugins)
    for info in registry.failed_plugins():
        if args.command != "plugins":
            print(
                f"warning: plugin '{info.name}' ({info.package}) failed to load: {info.error}",
                file=sys.stderr,
            )

    if args.command == "plugins":
        from tabulate import tabulate

        rows = [
            [
                p.name,
                p.package,
                p.version,
                p.module,
                f"FAILED: {p.error}" if p.error else ", ".join(p.provides),
            ]
            for p in registry.plugins
        ]
        print(tabulate(rows, headers=["plugin", "package", "version", "module", "provides"]))
        return 0
    if args.command == "list":
        return _list(registry, args.json)
    if args.command == "run":
        return _run(registry, args)
    if args.command == "plan":
        return _plan(registry, args)
    if args.command == "rank":
        from harness.ranking.command import run as rank

        return rank(registry, args)
    if args.command == "score":
        from harness.scoring import format_report, resolve_suite, score_folders

        suite = resolve_suite(args.suite, args.xtreme_version)
        report = score_folders(args.predictions, args.labels, registry, suite)
        for reason in report.skipped:
            print(f"skipped {reason}", file=sys.stderr)
        if args.json:
            print(_strict_json(report.to_json(), "harness score --json"))
        else:
            print(format_report(report))
        return 0
    raise AssertionError(args.command)


def _scoring_suite_arguments(parser: argparse.ArgumentParser, default: str) -> None:
    """``--suite`` and its evaluate.py-style alias ``--xtreme-version`` (score, export)."""
    parser.add_argument(
        "--suite",
        default=None,
        help=f"suite whose scoring gives task languages, groups and the overall score "
        f"(default: {default})",
    )
    parser.add_argument(
        "--xtreme-version",
        metavar="{xtreme,xtreme-r}",
        help="as evaluate.py --xtreme_version: xtreme = suite xtreme-zs, xtreme-r = suite "
        "xtreme-r (same as --suite)",
    )


def _run_suite(run_dir: Path, registry: Any) -> str | None:
    """The suite a run was made with (its run.json), when installed with a scoring."""
    try:
        name = json.loads((Path(run_dir) / "run.json").read_text("utf-8"))["config"]["suite"]
    except (OSError, UnicodeDecodeError, ValueError, KeyError, TypeError):
        return None
    suite = registry.suites.get(name) if isinstance(name, str) else None
    return name if suite is not None and suite.scoring is not None else None


def _list(registry: Any, as_json: bool) -> int:
    from tabulate import tabulate

    def plugin_of(kind: str, name: str) -> str:
        plugin = registry.provider[(kind, name)]
        info = next(p for p in registry.plugins if p.name == plugin)
        return f"{info.package} ({plugin})"

    tables = {
        "tasks": [
            [
                t.name,
                ",".join(t.roles),
                t.head,
                len(t.languages),
                t.main_metric,
                plugin_of("task", t.name),
                t.description,
            ]
            for t in registry.tasks.values()
        ],
        "models": [
            [m.name, ", ".join(m.aliases), plugin_of("model", m.name), m.description]
            for m in registry.models.values()
        ],
        "evaluators": [
            [e.name, ", ".join(e.metrics), plugin_of("evaluator", e.name), e.description]
            for e in registry.evaluators.values()
        ],
        "suites": [
            [s.name, " ".join(s.targets), plugin_of("suite", s.name), s.description]
            for s in registry.suites.values()
        ],
        "presets": [
            [p.name, plugin_of("preset", p.name), p.description] for p in registry.presets.values()
        ],
    }
    headers = {
        "tasks": ["task", "roles", "head", "languages", "main metric", "plugin", "description"],
        "models": ["model", "aliases", "plugin", "description"],
        "evaluators": ["evaluator", "metrics", "plugin", "description"],
        "suites": ["suite", "targets", "plugin", "description"],
        "presets": ["preset", "plugin", "description"],
    }
    if as_json:
        print(
            _strict_json(
                {
                    k: [dict(zip(headers[k], row, strict=False)) for row in v]
                    for k, v in tables.items()
                },
                "harness list --json",
            )
        )
        return 0
    for kind, rows in tables.items():
        print(f"{kind.upper()}\n{tabulate(sorted(rows), headers=headers[kind], maxcolwidths=60)}\n")
    return 0


def _shard(text: str) -> tuple[int, int]:
    index, sep, count = text.partition("/")
    if not (sep and index.isdigit() and count.isdigit()) or not 1 <= int(index) <= int(count):
        raise argparse.ArgumentTypeError(f"expected I/N with 1 <= I <= N, e.g. 2/8 (got {text!r})")
    return int(index), int(count)


def _strict_json(data: Any, what: str) -> str:
    """JSON other programs can parse: a NaN or infinity is an error naming its field."""
    from harness.validation import non_finite

    bad = non_finite(data)
    if bad:
        where, value = bad[0]
        raise HarnessError(f"{what}: {where} is {value}, which JSON cannot hold")
    return json.dumps(data, indent=2, allow_nan=False)


def _finite_float(text: str) -> float:
    """A float that is a number: ``nan``/``inf`` would train garbage or write invalid JSON."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number (got {text!r})") from None
    if not math.isfinite(value):
        raise argparse.ArgumentTypeError(f"expected a finite number (got {text!r})")
    return value


def _non_negative_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number (got {text!r})") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"expected 0 or more (got {text!r})")
    return value


def _positive_int(text: str) -> int:
    value = _non_negative_int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected 1 or more (got {text!r})")
    return value


def _seed(text: str) -> int:
    value = _non_negative_int(text)
    if value > SEED_MAX:
        raise argparse.ArgumentTypeError(f"expected a seed from 0 to {SEED_MAX} (got {text!r})")
    return value


def _run_id(text: str) -> str:
    """A run id that stays one folder inside --output (checked again by ``RunDir``)."""
    from harness.results import run_id_problem

    problem = run_id_problem(text)
    if problem:
        raise argparse.ArgumentTypeError(problem)
    return text


def _settings(items: list[str]) -> dict[str, dict[str, Any]]:
    """``TASK.KEY=VALUE`` strings -> {task: {key: value}}; VALUE is JSON where it parses."""
    out: dict[str, dict[str, Any]] = {}
    for item in items:
        target, sep, raw = item.partition("=")
        task, dot, key = target.partition(".")
        if not sep or not dot or not task or not key:
            raise HarnessError(f"--set {item}: expected TASK.KEY=VALUE, e.g. xquad.doc_stride=64")
        try:
            value = json.loads(raw, parse_constant=_no_constant)
        except json.JSONDecodeError:
            value = raw
        except ValueError:
            raise HarnessError(f"--set {item}: {raw} is not a finite number") from None
        out.setdefault(task, {})[key] = value
    return out


def _no_constant(name: str) -> Any:
    raise ValueError(name)  # NaN, Infinity: not JSON, not a setting


def _run(registry: Any, args: argparse.Namespace) -> int:
    from harness.runner import Runner

    with stop_on_signals():  # SIGTERM (pre-emption) and Ctrl-C: status interrupted, resumable
        Runner(registry, _run_config(args)).run()
    return 0


def _plan(registry: Any, args: argparse.Namespace) -> int:
    from harness.plan_report import format_plan, plan_report

    report = plan_report(registry, _run_config(args))
    print(_strict_json(report, "harness plan --json") if args.json else format_plan(report))
    return 0


def _run_config(args: argparse.Namespace) -> Any:
    """The ``RunConfig`` of ``harness run`` (and ``harness plan``) arguments."""
    from harness.planning import RunConfig

    config = RunConfig(
        suite=args.suite,
        model=args.model,
        targets=args.targets,  # repeats are dropped by the runner
        intermediates=args.intermediate,
        languages=args.languages,
        data=args.data,
        seeds=args.seeds,
        settings=_settings(args.settings),
        preset=args.preset,
        hparams=hparams.from_args(args),
        trainer={
            "accelerator": args.accelerator,
            "devices": _devices(args.devices),
            "strategy": args.strategy,
            "precision": args.precision,
            "num_nodes": args.num_nodes,
            "num_workers": args.num_workers,
        },
        output=args.output,
        cache_dir=args.cache_dir,
        run_id=args.run_id,
        shard=args.shard,
        progress=args.progress,
        baseline_recipes=args.baseline_recipes,
        loggers=args.loggers,  # checked (names, packages) by the runner before any folder
    )
    return config


if __name__ == "__main__":
    sys.exit(main())
