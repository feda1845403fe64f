"""Margin-based bitext mining at BUCC scale: blocked exact k-NN vs. faiss IndexFlatIP.

Both methods mine the same synthetic embeddings with the same margin code
(``retrieval_search.mine``: XTREME's ratio margin over k neighbours, both directions,
best-first one-to-one selection); only the exact k-NN search differs:

* blocked: ``retrieval_search.knn_both(backend="torch")``, one pass over
  ``block_size x block_size`` tiles of the similarity matrix keeping a running top-k per
  row and per column (both directions from one matrix product);
* faiss:   ``faiss.IndexFlatIP`` exact search, once per direction (what XTREME's
  ``utils_retrieve.knnCPU`` does), then the same margin computation.

Every method runs in a fresh subprocess, so its peak resident memory (``ru_maxrss``) is its
own. "k-NN MB" is the peak during the search minus the resident size just before it
(libraries and embeddings loaded); "+margin MB" the same up to the end of mining (which
adds O(N + M) result lists). A full similarity matrix would need N x M x 4 bytes (37 GiB
at 100k x 100k). The synthetic data plants parallel pairs (noisy copies) among random
sentences, so the mined pairs can be checked, and the two methods' outputs are compared.
All numbers in one report come from one invocation.

    python bench/retrieval_margin.py                      # 100k x 100k x 384 + 20k scaling
    python bench/retrieval_margin.py --n 20000 --scaling 0  # quick
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time

import numpy as np


def synthetic(n: int, m: int, dim: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray, int]:
    """``x`` [n, dim], ``y`` [m, dim], L2-normalised; x[i] ~ y[i] for i < pairs (planted)."""
    rng = np.random.default_rng(seed)
    pairs = min(n, m) // 2
    y = rng.standard_normal((m, dim), dtype=np.float32)
    x = rng.standard_normal((n, dim), dtype=np.float32)
    for lo in range(0, max(n, m), 8192):  # chunked: no full-size temporaries
        hi = lo + 8192
        if lo < pairs:
            x[lo : min(hi, pairs)] *= np.float32(0.8)  # 0.8 noise + y: cosine ~0.78 to its pair
            x[lo : min(hi, pairs)] += y[lo : min(hi, pairs)]
        for v in (x[lo:hi], y[lo:hi]):
            v /= np.linalg.norm(v, axis=1, keepdims=True)
    return x, y, pairs


def rss_bytes() -> int:
    with open("/proc/self/statm") as handle:
        return int(handle.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def worker(args: argparse.Namespace) -> dict:
    import torch  # noqa: F401  (loaded before the baseline, as a run has it loaded)
    from harness_builtins.tasks import retrieval_search as rs

    if args.method == "faiss":
        import faiss  # noqa: F401
    x, y, pairs = synthetic(args.n, args.m, args.dim)
    baseline = rss_bytes()
    started = time.perf_counter()
    backend = "torch" if args.method == "blocked" else "faiss"
    fwd, bwd = rs.knn_both(x, y, args.k, block_size=args.block_size, backend=backend)
    searched = time.perf_counter()
    knn_peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    mined = rs.mine(fwd, bwd)
    done = time.perf_counter()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    planted = {(i, i) for i in range(pairs)}
    top = sorted(mined, key=lambda c: -c.score)[:pairs]
    found = sum((c.source, c.target) in planted for c in top)
    if args.save:
        np.save(args.save, np.concatenate([fwd.index, bwd.index]))
        np.save(args.save + ".mined.npy", np.array([(c.source, c.target) for c in mined]))
    return {
        "method": args.method,
        "n": args.n,
        "m": args.m,
        "dim": args.dim,
        "k": args.k,
        "block_size": args.block_size if args.method == "blocked" else None,
        "knn_s": searched - started,
        "margin_s": done - searched,
        "total_s": done - started,
        "peak_rss_mb": peak / 2**20,
        "baseline_rss_mb": baseline / 2**20,
        "knn_mb": (knn_peak - baseline) / 2**20,
        "search_mb": (peak - baseline) / 2**20,
        "mined": len(mined),
        "planted_recall_at_top": found / pairs,
    }


def run_one(method: str, n: int, m: int, dim: int, k: int, block_size: int, save: str = "") -> dict:
    cmd = [
        sys.executable,
        __file__,
        "--worker",
        method,
        "--n",
        str(n),
        "--m",
        str(m),
        "--dim",
        str(dim),
        "--k",
        str(k),
        "--block-size",
        str(block_size),
        "--save",
        save,
    ]
    # fixed mmap threshold: freed tiles go back to the OS, so RSS follows live memory
    # instead of glibc's heap high-water mark (the same for both methods)
    env = {**os.environ, "MALLOC_MMAP_THRESHOLD_": str(1 << 20)}
    out = subprocess.run(cmd, capture_output=True, text=True, check=False, env=env)
    if out.returncode != 0:
        raise SystemExit(f"{method} failed:\n{out.stderr[-2000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def load() -> str:
    return " ".join(f"{v:.1f}" for v in os.getloadavg())


def report(results: list[dict]) -> None:
    print(
        f"{'method':<8} {'N x M':>15} {'block':>6} {'k-NN s':>8} {'margin s':>9} "
        f"{'total s':>8} {'peak MB':>8} {'k-NN MB':>8} {'+margin MB':>10} {'mined':>7} "
        f"{'planted':>8}"
    )
    for r in results:
        print(
            f"{r['method']:<8} {r['n']:>7}x{r['m']:<7} {r['block_size'] or '-':>6} "
            f"{r['knn_s']:>8.1f} {r['margin_s']:>9.2f} {r['total_s']:>8.1f} "
            f"{r['peak_rss_mb']:>8.0f} {r['knn_mb']:>8.0f} {r['search_mb']:>10.0f} {r['mined']:>7} "
            f"{r['planted_recall_at_top']:>8.3f}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=100_000, help="source sentences")
    parser.add_argument("--m", type=int, default=None, help="English sentences (default: n)")
    parser.add_argument("--dim", type=int, default=384)
    parser.add_argument("--k", type=int, default=4)
    parser.add_argument("--block-size", type=int, default=2048)
    parser.add_argument(
        "--scaling",
        type=int,
        default=20_000,
        help="also run blocked at this size with block sizes 1024/2048/4096 (0: skip)",
    )
    parser.add_argument("--worker", choices=("blocked", "faiss"), help=argparse.SUPPRESS)
    parser.add_argument("--save", default="", help=argparse.SUPPRESS)
    parser.add_argument("--json", help="also write all results to this file")
    args = parser.parse_args()
    args.m = args.m or args.n
    if args.worker:
        args.method = args.worker
        print(json.dumps(worker(args)))
        return

    print(f"load average at start: {load()} ({os.cpu_count()} CPUs)", flush=True)
    results = []
    if args.scaling:
        for block in (1024, 2048, 4096):
            results.append(run_one("blocked", args.scaling, args.scaling, args.dim, args.k, block))
            print(f"  done: blocked {args.scaling} block {block}", flush=True)
    folder = tempfile.mkdtemp(prefix="retrieval-bench-")
    for method in ("blocked", "faiss"):
        save = os.path.join(folder, f"{method}.npy")
        results.append(run_one(method, args.n, args.m, args.dim, args.k, args.block_size, save))
        print(f"  done: {method} {args.n}x{args.m}", flush=True)
    print(f"load average at end: {load()}")
    report(results)
    blocked, faiss_run = results[-2], results[-1]
    full_gb = args.n * args.m * 4 / 2**30
    print(
        f"\nat {args.n}x{args.m}x{args.dim}, k={args.k}: blocked/faiss time "
        f"{blocked['total_s'] / faiss_run['total_s']:.2f}x, peak RSS "
        f"{blocked['peak_rss_mb'] / faiss_run['peak_rss_mb']:.2f}x, k-NN memory above the "
        f"loaded embeddings {blocked['knn_mb']:.0f} MB vs {faiss_run['knn_mb']:.0f} MB "
        f"({blocked['knn_mb'] / max(faiss_run['knn_mb'], 1):.2f}x; a full similarity matrix: "
        f"{full_gb:.1f} GiB)"
    )
    a, b = (np.load(os.path.join(folder, f"{m}.npy")) for m in ("blocked", "faiss"))
    pa, pb = (
        {tuple(p) for p in np.load(os.path.join(folder, f"{m}.npy.mined.npy")).tolist()}
        for m in ("blocked", "faiss")
    )
    shutil.rmtree(folder)
    print(
        f"k-NN lists identical in {np.mean(np.all(a == b, axis=1)):.4%} of rows; mined pairs "
        f"shared: {len(pa & pb)} of {len(pa | pb)} (float rounding of the two matrix products "
        "can reorder near-equal margins)"
    )
    if args.json:
        with open(args.json, "w") as handle:
            json.dump(results, handle, indent=1)


if __name__ == "__main__":
    main()
