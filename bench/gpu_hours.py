"""Projected GPU-hours of the paper grid (Phang et al. 2020) on XLM-R large, and the share the
harness's own work adds, from measured figures.

Model compute is the standard dense-transformer count (Kaplan et al. 2020): training costs
6 N FLOPs per token plus 12 L s d for attention (N non-embedding parameters, L layers, d
width, s the sequence length), evaluation a third of that; GPU time is FLOPs / (peak x MFU).
The tokens come from the harness's own encoding, with XLM-R's tokenizer and ``--preset
paper``'s sequence limits, of the rehearsal data (``scripts/make_rehearsal_data.py``:
synthetic rows at the releases' sizes, sentences drawn from the bundled samples, so lengths
are realistic but not the releases' own); row counts are the real releases' (release_sizes
via the generated data, divided by its fraction). Epochs are the preset's, so targets, which
stop early, are an upper bound.

The harness's own cost (reading, tokenising, caching, decoding, scoring, writing: everything
but the optimizer steps) is measured by ``bench/paper_scale.py --json`` on this machine's CPU
with the tiny model, whose prediction time is included, so it is an upper bound; it is
scaled to the full sizes per example, paid cold once per task and warm (cached tokens)
for every other setting and seed.

    python bench/paper_scale.py --fraction 0.1 --work W --keep --json W/f010.json
    python bench/gpu_hours.py --data W/data-0.1 --fraction 0.1 --rehearsal W/f010.json
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "scripts"))

XLMR_LARGE = {"layers": 24, "width": 1024, "ffn": 4096}
INTERMEDIATES = (
    "anli+",
    "mnli",
    "qqp",
    "squad",
    "squad_v2",
    "hellaswag",
    "cosmosqa",
    "commonsenseqa",
)
"""The paper's intermediate tasks the rehearsal data covers (CCG's CCGbank is LDC-licensed)."""
TARGETS = ("xnli", "pawsx", "udpos", "panx", "xquad", "mlqa", "tydiqa")
RETRIEVAL = ("bucc2018", "tatoeba")
SEEDS = 3
SAMPLE_ROWS = 1500
"""Rows per split and language encoded to measure tokens per row."""


def parameters(layers: int, width: int, ffn: int) -> int:
    """Non-embedding weights of one encoder: attention (4 d^2) and feed-forward (2 d f)."""
    return layers * (4 * width * width + 2 * width * ffn)


def flops_per_token(seq: float, train: bool) -> float:
    m = XLMR_LARGE
    forward = 2 * parameters(m["layers"], m["width"], m["ffn"]) + 4 * m["layers"] * seq * m["width"]
    return 3 * forward if train else forward


def token_counts(task, split: str, lang: str, source, tokenizer, max_length: int, fraction: float):
    """(rows at full size, mean tokens per row) for one split in one language."""
    rows = task.load(split, lang, source)
    sample = rows.select(range(min(len(rows), SAMPLE_ROWS)))
    encoded = task.encode(sample.to_dict(), tokenizer, max_length)
    tokens = 0
    for ids in encoded["input_ids"]:
        tokens += sum(len(x) for x in ids) if ids and isinstance(ids[0], list) else len(ids)
    return len(rows) / fraction, tokens / max(1, len(sample))


def overhead_per_row(rehearsal: dict) -> tuple[dict[str, float], dict[str, float]]:
    """Seconds per training+evaluation row of everything but training, cold and warm."""
    cold: dict[str, float] = {}
    warm: dict[str, float] = {}
    rows = {(r, t, i): n for r, t, i, n in rehearsal["examples"]}
    for run, out in (("cold", cold), ("warm", warm)):
        for name in ("targets", "intermediates"):
            for phase in rehearsal["runs"].get(f"{name}-{run}", {}).get("phases", []):
                if phase.get("intermediate"):
                    continue
                seconds = phase["end"] - phase["start"] - phase.get("train_s", 0.0)
                n = rows.get((phase["role"], phase["task"], None), 0) + phase.get("features", 0)
                out[phase["task"]] = seconds / max(1, n)
    return cold, warm


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, required=True, help="rehearsal data folder")
    parser.add_argument("--fraction", type=float, required=True, help="its fraction of full size")
    parser.add_argument("--rehearsal", type=Path, help="bench/paper_scale.py --json output")
    parser.add_argument("--peak-tflops", type=float, default=989.0, help="dense bf16 (H100/H200)")
    parser.add_argument("--mfu", type=float, nargs="+", default=[0.1, 0.3])
    args = parser.parse_args()

    import datasets
    import transformers
    from tiny_models import build_tiny_xlmr

    from harness.registry import load_registry
    from harness.tasks import DataSource

    datasets.disable_progress_bars()
    transformers.utils.logging.set_verbosity_error()
    model_dir = args.data.parent / "model-tiny-xlmr"  # where bench/paper_scale.py built it
    if not (model_dir / "tokenizer.json").exists():
        build_tiny_xlmr(model_dir)
    tokenizer = transformers.AutoTokenizer.from_pretrained(model_dir)
    preset = json.loads((REPO / "plugins/suites/presets/paper.json").read_text("utf-8"))
    registry = load_registry()
    source = DataSource("local", args.data)

    def hp(name: str) -> dict:
        return {**preset["hparams"], **preset["task_hparams"].get(name, {})}

    train_tokens: dict[str, float] = {}
    eval_tokens: dict[str, float] = {}
    rows: dict[str, float] = defaultdict(float)
    for name in (*INTERMEDIATES, *TARGETS, *RETRIEVAL):
        task = registry.task(name)
        limit = int(hp(name)["max_length"])
        if task.trains:
            n, per_row = token_counts(
                task, task.train_split, task.train_language, source, tokenizer, limit, args.fraction
            )
            train_tokens[name] = n * per_row * int(hp(name)["epochs"])
            rows[name] += n
        points = (
            [("dev", task.train_language)]
            if name in INTERMEDIATES
            else [(s, lang) for lang in task.languages for s in task.splits_for(lang)]
        )
        for split, lang in points:
            try:
                n, per_row = token_counts(
                    task, split, lang, source, tokenizer, limit, args.fraction
                )
            except Exception as exc:  # a split the rehearsal does not generate
                print(f"  skipped {name} {split}-{lang}: {str(exc).splitlines()[0][:90]}")
                continue
            eval_tokens[name] = eval_tokens.get(name, 0.0) + n * per_row
            rows[name] += n

    settings = 1 + len(INTERMEDIATES)  # none + each intermediate
    grid_train = SEEDS * (
        sum(train_tokens[t] for t in INTERMEDIATES)
        + settings * sum(train_tokens[t] for t in TARGETS)
    )
    grid_eval = SEEDS * (
        sum(eval_tokens.get(t, 0.0) for t in INTERMEDIATES)
        + settings * sum(eval_tokens.get(t, 0.0) for t in (*TARGETS, *RETRIEVAL))
    )
    seq = 200.0  # attention term at a typical length; it is a few % of the total at these lengths
    flops = grid_train * flops_per_token(seq, True) + grid_eval * flops_per_token(seq, False)
    print(
        f"paper grid: {settings} settings x {len(TARGETS)} trained targets (+ {len(RETRIEVAL)} "
        f"retrieval) + {len(INTERMEDIATES)} intermediate phases, x {SEEDS} seeds"
    )
    print(f"training tokens {grid_train / 1e9:.2f} G, evaluation tokens {grid_eval / 1e9:.2f} G")
    print(
        f"model compute {flops / 1e18:.1f} EFLOP (XLM-R large, {parameters(**XLMR_LARGE) / 1e6:.0f}M non-embedding)"
    )
    gpu_s = {mfu: flops / (args.peak_tflops * 1e12 * mfu) for mfu in args.mfu}
    for mfu, seconds in gpu_s.items():
        print(
            f"  at {mfu:.0%} MFU of {args.peak_tflops:g} TFLOP/s: {seconds / 3600:,.0f} GPU-hours"
        )

    if args.rehearsal:
        measured = json.loads(args.rehearsal.read_text("utf-8"))
        cold, warm = overhead_per_row(measured)
        mean_cold = sum(cold.values()) / len(cold)
        mean_warm = sum(warm.values()) / len(warm) if warm else mean_cold
        total = 0.0
        for name, n in rows.items():
            uses = SEEDS * (1 if name in INTERMEDIATES else settings)
            total += n * (cold.get(name, mean_cold) + (uses - 1) * warm.get(name, mean_warm))
        print(
            f"harness overhead (measured at fraction {measured['fraction']:g}, tiny model, "
            f"this CPU): {total / 3600:,.1f} CPU-hours for the grid"
        )
        for mfu, seconds in gpu_s.items():
            print(f"  = {total / (total + seconds):.1%} of the wall time at {mfu:.0%} MFU")


if __name__ == "__main__":
    main()
