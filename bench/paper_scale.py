"""Paper-scale rehearsal: the whole xtreme-zs suite and the largest intermediate phases on
synthetic data at a fraction of the real releases' sizes, timed stage by stage.

Only training is capped (``--max-steps`` optimizer steps per phase, through the existing
``--epochs 1 --max-train-examples steps x batch``): reading, tokenising and caching the full
training sets, evaluating every language, decoding, scoring, prediction files, records and
leaderboards all run at the generated size. Steps:

1. generate the data (``scripts/make_rehearsal_data.py``) unless ``--data`` names a folder;
2. build a tiny model folder (``scripts/tiny_models.py``: XLM-R's tokenizer on a 2-layer,
   32-dim encoder, or BERT with MiniLM's WordPiece) or use the embedded MiniLM;
3. ``harness run`` twice with a cold tokenisation cache: the xtreme-zs targets, then
   ``--intermediate anli+ squad_v2 mnli`` (each followed by a one-language Tatoeba phase,
   the cheapest target); then both again with the warm cache;
4. ``harness export`` + ``harness score`` of the targets' test predictions against the
   generated labels, and ``harness leaderboard`` over both runs.

Stages are measured from outside the runs: each output line is time-stamped as it arrives;
a phase runs from its ``[seed 0] ... phase: TASK`` line to the next; its training time is
the one its ``trained TASK on N features in Ts`` line reports (the whole Lightning fit: the
first fit of a process also pays one-time set-up); "prepare" is the time before training
(reading and tokenising the full training set, building the model), "evaluate" the time
after it (reading and tokenising every evaluation split, prediction, decoding, scoring,
writing predictions and records; an intermediate phase also saves its encoder). The
tokenisation inside them is timed on the cache folder: ``datasets`` writes each entry
through a temporary file, and a file's first and last growth (sampled every 0.2 s) bound
its tokenisation. Peak RSS is sampled every 0.2 s from /proc (the run's process tree) and
taken per phase. The warm re-run (new run ids, same cache) tokenises nothing.

    python bench/paper_scale.py --fraction 0.01
    python bench/paper_scale.py --fraction 0.1 --model tiny-bert --work /scratch/rehearsal
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "scripts"))
from make_rehearsal_data import load_sizes, scaled  # noqa: E402

INTERMEDIATES = ("anli+", "squad_v2", "mnli")
"""The largest intermediate phases of the paper grid (ANLI+ 1.1M pairs, SQuAD v2.0, MNLI)."""
SUITE_BATCH = 32
"""xtreme-zs's batch size (all tasks): ``--max-steps`` x this many training features."""
PHASE = re.compile(
    r"^\[seed \d+\] (intermediate|target) phase: (\S+)(?: \(from (\S+) checkpoint\))?"
)
TRAIN_SOURCES = {
    "xquad": [("squad", "en")],
    "mlqa": [("squad", "en")],
    "anli+": [("anli", "R1"), ("anli", "R2"), ("anli", "R3"), ("mnli", "en"), ("snli", "en")],
}
"""Releases whose training rows a phase reads, where they are not the task's own."""
TRAINED = re.compile(r"^\s+trained (\S+) on (\d+) features in ([\d.]+)s: (\d+) optimizer steps")


@dataclass
class Phase:
    role: str
    task: str
    start: float
    intermediate: str | None = None
    end: float = 0.0
    trained_at: float | None = None
    train_s: float = 0.0
    features: int = 0
    steps: int = 0
    peak_rss: int = 0
    tokenise_train_s: float = 0.0
    tokenise_eval_s: float = 0.0

    @property
    def key(self) -> str:
        after = f" after {self.intermediate}" if self.intermediate else ""
        return f"{self.role} {self.task}{after}"

    @property
    def prepare_s(self) -> float:
        return (self.trained_at - self.train_s - self.start) if self.trained_at else 0.0

    @property
    def evaluate_s(self) -> float:
        return self.end - (self.trained_at if self.trained_at else self.start)


@dataclass
class Run:
    """One monitored child process: its wall time, peak RSS, phases and output."""

    wall_s: float = 0.0
    peak_rss: int = 0
    startup_s: float = 0.0
    phases: list[Phase] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)


def _tree_rss(root: int) -> int:
    """Resident memory of ``root`` and its descendants, in bytes (Linux /proc)."""
    children: dict[int, list[int]] = defaultdict(list)
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            try:
                with open(f"/proc/{entry.name}/stat") as handle:
                    stat = handle.read().rsplit(")", 1)[1].split()
                children[int(stat[1])].append(int(entry.name))
            except (OSError, IndexError, ValueError):
                continue
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        todo += children.get(pid, [])
        try:
            with open(f"/proc/{pid}/status") as handle:
                for line in handle:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1]) * 1024
        except OSError:
            continue
    return total


def _cache_files(cache: Path | None) -> dict[str, int]:
    """Size of every file under the tokenisation cache (``datasets`` writes a temporary file
    next to each cache entry while it tokenises, then renames it)."""
    sizes: dict[str, int] = {}
    if cache is None:
        return sizes
    for folder, _, files in os.walk(cache):
        for name in files:
            try:
                sizes[os.path.join(folder, name)] = os.stat(os.path.join(folder, name)).st_size
            except OSError:
                continue
    return sizes


def monitored(cmd: list[str], echo: bool = False, cache: Path | None = None) -> Run:
    """Run ``cmd``; time-stamp its stderr lines, sample its memory and the growth of the
    files under ``cache`` (a file's first and last change bound its tokenisation)."""
    run = Run()
    samples: list[tuple[float, int]] = []
    seen = _cache_files(cache)
    spans: dict[str, list[float]] = {}  # new cache file -> [first seen, last grown]
    started = time.perf_counter()
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen(
        cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, bufsize=1, env=env
    )
    done = threading.Event()

    def sample() -> None:
        while not done.wait(0.2):
            now = time.perf_counter() - started
            samples.append((now, _tree_rss(proc.pid)))
            for path, size in _cache_files(cache).items():
                if seen.get(path) != size:
                    spans.setdefault(path, [now, now])[1] = now
                    seen[path] = size

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    assert proc.stdout is not None
    for line in proc.stdout:
        now = time.perf_counter() - started
        line = line.rstrip("\n")
        run.lines.append(line)
        if echo:
            print(f"    | {line}", file=sys.stderr)
        if m := PHASE.match(line):
            if run.phases:
                run.phases[-1].end = now
            else:
                run.startup_s = now
            run.phases.append(Phase(m.group(1), m.group(2), now, m.group(3)))
        elif line.startswith("results: ") and run.phases:
            run.phases[-1].end = now  # what follows is the end of the process
        elif (m := TRAINED.match(line)) and run.phases:
            p = run.phases[-1]
            p.trained_at, p.features = now, int(m.group(2))
            p.train_s, p.steps = float(m.group(3)), int(m.group(4))
    proc.wait()
    done.set()
    sampler.join()
    run.wall_s = time.perf_counter() - started
    if run.phases and not run.phases[-1].end:
        run.phases[-1].end = run.wall_s
    for p in run.phases:
        p.peak_rss = max((r for t, r in samples if p.start <= t <= p.end), default=0)
        for first, last in spans.values():  # each span counts once; 0.2 s sampling resolution
            if p.start <= first < p.end:
                if p.trained_at is not None and first < p.trained_at:
                    p.tokenise_train_s += last - first
                else:
                    p.tokenise_eval_s += last - first
    run.peak_rss = max((r for _, r in samples), default=0)
    if proc.returncode:
        tail = "\n".join(run.lines[-30:])
        raise SystemExit(f"{' '.join(cmd[:4])} ... failed ({proc.returncode}):\n{tail}")
    return run


def harness(*args: str) -> list[str]:
    return [sys.executable, "-m", "harness.cli", *args]


def model_folder(kind: str, work: Path) -> str:
    if kind == "minilm":
        return "minilm"
    import tiny_models

    path = work / f"model-{kind}"
    if not (path / "config.json").is_file():
        build = tiny_models.build_tiny_xlmr if kind == "tiny-xlmr" else tiny_models.build_tiny_bert
        build(path)
    return str(path)


def du(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def evaluated_examples(run_dir: Path) -> dict[tuple[str, str, str | None], int]:
    """Examples evaluated per phase (role, task, intermediate before it), from its records."""
    seen: dict[tuple, int] = {}
    for r in json.loads((run_dir / "results.json").read_text("utf-8"))["records"]:
        phase = (r["role"], r["target"], r["intermediate"] if r["role"] == "target" else None)
        seen[(*phase, r["split"], r["language"])] = r["n_examples"]
    out: dict[tuple[str, str, str | None], int] = defaultdict(int)
    for (*phase, _split, _lang), n in seen.items():
        out[tuple(phase)] += n  # type: ignore[index]
    return dict(out)


def _mb(n: int) -> str:
    return f"{n / 2**20:,.0f}"


def _per(seconds: float, n: int) -> str:
    return f"{1000 * seconds / n:.3f}" if n else ""


def train_rows(task: str, fraction: float) -> int:
    """Training rows a phase reads and tokenises in full (before ``--max-train-examples``)."""
    sizes = load_sizes()
    parts = TRAIN_SOURCES.get(task, [(task, "en")])
    return sum(scaled(sizes[name]["counts"]["train"][lang], fraction) for name, lang in parts)


def table(
    cold: list[Run], warm: list[Run], examples: dict, fraction: float, extra: list[list[str]]
) -> str:
    from tabulate import tabulate

    rows = []
    warm_phases = [p for run in warm for p in run.phases]
    for p, w in zip([p for run in cold for p in run.phases], warm_phases, strict=True):
        n_eval = examples.get((p.role, p.task, p.intermediate), 0)
        if p.trained_at:
            n_train = train_rows(p.task, fraction)
            rows.append(
                [
                    p.key,
                    "prepare: read + tokenise train, build model",
                    f"{p.prepare_s:.1f}",
                    f"{w.prepare_s:.1f}",
                    f"{p.tokenise_train_s:.1f}",
                    n_train,
                    _per(p.prepare_s, n_train),
                    "",
                ]
            )
            rows.append(
                [
                    p.key,
                    f"train: {p.steps} steps (Lightning fit)",
                    f"{p.train_s:.1f}",
                    f"{w.train_s:.1f}",
                    "",
                    p.features,
                    _per(p.train_s, p.features),
                    "",
                ]
            )
        rows.append(
            [
                p.key,
                "evaluate: read, tokenise, predict, decode, score, write",
                f"{p.evaluate_s:.1f}",
                f"{w.evaluate_s:.1f}",
                f"{p.tokenise_eval_s:.1f}",
                n_eval,
                _per(p.evaluate_s, n_eval),
                "",
            ]
        )
        rows.append(
            [
                p.key,
                "phase",
                f"{p.end - p.start:.1f}",
                f"{w.end - w.start:.1f}",
                "",
                "",
                "",
                f"{_mb(p.peak_rss)} / {_mb(w.peak_rss)}",
            ]
        )
    headers = [
        "phase",
        "stage",
        "cold s",
        "warm s",
        "of which tokenise s (cold; 0.2 s resolution)",
        "examples",
        "ms/example (cold)",
        "peak RSS MiB cold/warm",
    ]
    return tabulate(rows + extra, headers=headers, disable_numparse=True)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--fraction", type=float, default=0.01, help="of the real sizes")
    parser.add_argument(
        "--model", choices=["tiny-xlmr", "tiny-bert", "minilm"], default="tiny-xlmr"
    )
    parser.add_argument("--max-steps", type=int, default=20, help="optimizer steps per phase")
    parser.add_argument("--data", type=Path, help="generated data to reuse (default: generate)")
    parser.add_argument("--work", type=Path, help="folder for data, runs, cache (default: temp)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary work folder")
    parser.add_argument("--echo", action="store_true", help="show the runs' output")
    parser.add_argument("--json", type=Path, help="also write the measurements here")
    args = parser.parse_args(argv)

    work = args.work or Path(tempfile.mkdtemp(prefix="paper-scale-"))
    work.mkdir(parents=True, exist_ok=True)
    extra: list[list[str]] = []
    try:
        data = args.data
        if data is None:
            data = work / f"data-{args.fraction:g}"
            shutil.rmtree(data, ignore_errors=True)
            gen = monitored(
                [
                    sys.executable,
                    str(REPO / "scripts" / "make_rehearsal_data.py"),
                    str(data),
                    "--fraction",
                    str(args.fraction),
                ]
            )
            extra.append(
                ["-", "generate data", f"{gen.wall_s:.1f}", "", "", "", "", f"{_mb(gen.peak_rss)}"]
            )
        model = model_folder(args.model, work)
        cache, runs = work / "cache", work / "runs"
        shutil.rmtree(cache, ignore_errors=True)
        shutil.rmtree(runs, ignore_errors=True)
        common = [
            "--data",
            str(data),
            "--model",
            model,
            "--output",
            str(runs),
            "--cache-dir",
            str(cache),
            "--epochs",
            "1",
            "--no-progress",
            "--max-train-examples",
            str(args.max_steps * SUITE_BATCH),
        ]
        setups = {
            "targets": ["--suite", "xtreme-zs"],
            "intermediates": [
                "--suite",
                "xtreme-zs",
                "--intermediate",
                *INTERMEDIATES,
                "--targets",
                "tatoeba",
                "--languages",
                "af",
            ],
        }
        cold, warm = [], []
        for temperature, bucket in (("cold", cold), ("warm", warm)):
            for name, setup in setups.items():
                print(f"[{temperature}] harness run: {name}", file=sys.stderr)
                run_id = f"{name}-{temperature}"
                bucket.append(
                    monitored(harness("run", *setup, *common, "--run-id", run_id), args.echo, cache)
                )
            if temperature == "cold":
                cache_size = du(cache)
        examples: dict = {}
        for name in setups:
            examples.update(evaluated_examples(runs / f"{name}-cold"))
        for (name, c), w in zip(zip(setups, cold, strict=True), warm, strict=True):
            extra.append(
                [
                    name,
                    "whole run (startup + phases)",
                    f"{c.wall_s:.1f}",
                    f"{w.wall_s:.1f}",
                    "",
                    "",
                    "",
                    f"{_mb(c.peak_rss)} / {_mb(w.peak_rss)}",
                ]
            )
            extra.append(
                [
                    name,
                    "startup (imports, plan, tokenizer)",
                    f"{c.startup_s:.1f}",
                    f"{w.startup_s:.1f}",
                    "",
                    "",
                    "",
                    "",
                ]
            )
        submission = work / "submission"
        shutil.rmtree(submission, ignore_errors=True)
        post = [
            (
                "export test predictions",
                harness("export", str(runs / "targets-cold"), "--to", str(submission)),
            ),
            (
                "score (XTREME evaluate.py)",
                harness(
                    "score", "--predictions", str(submission), "--labels", str(data / "labels")
                ),
            ),
            (
                "leaderboard",
                harness(
                    "leaderboard",
                    "--runs",
                    str(runs / "targets-cold"),
                    str(runs / "intermediates-cold"),
                    "--out",
                    str(work / "leaderboards"),
                ),
            ),
        ]
        for label, cmd in post:
            r = monitored(cmd)
            extra.append(["-", label, f"{r.wall_s:.1f}", "", "", "", "", _mb(r.peak_rss)])
        extra.append(["-", "tokenisation cache on disk (MiB)", _mb(cache_size), "", "", "", "", ""])
        extra.append(["-", "generated data on disk (MiB)", _mb(du(data)), "", "", "", "", ""])
        print(
            f"\npaper-scale rehearsal at {args.fraction:g} x the real sizes, model {args.model}, "
            f"{args.max_steps} optimizer steps x {SUITE_BATCH} per phase, {os.cpu_count()} CPUs\n"
        )
        print(table(cold, warm, examples, args.fraction, extra))
        if args.json:
            report = {
                "fraction": args.fraction,
                "model": args.model,
                "max_steps": args.max_steps,
                "cache_bytes": cache_size,
                "runs": {
                    f"{name}-{t}": {
                        "wall_s": r.wall_s,
                        "peak_rss": r.peak_rss,
                        "phases": [vars(p) for p in r.phases],
                    }
                    for t, bucket in (("cold", cold), ("warm", warm))
                    for name, r in zip(setups, bucket, strict=True)
                },
                "examples": [[*k, v] for k, v in examples.items()],
                "other": extra,
            }
            args.json.write_text(json.dumps(report, indent=1), "utf-8")
    finally:
        if args.work is None and not args.keep:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
