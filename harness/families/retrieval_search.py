"""Exact nearest neighbours and margin-based bitext mining in bounded memory.

BUCC at full size has hundreds of thousands of sentences a side, so the similarity matrix
(N x M float32: 40 GB at 100k x 100k) must never exist. :func:`knn_both` walks it in
``block_size x block_size`` tiles and keeps a running top-k per row *and* per column, so
one matrix product serves both search directions and peak memory grows with the tile, not
with N x M. Later tiles only contribute entries above the current k-th best, which are
found from each tile's row/column maxima without sorting the tile.

Results are exact and deterministic: neighbours are ordered by similarity, ties broken by
the lower index (what a sequential scan keeps; the faiss backend is re-sorted the same
way). The margin is LASER's ratio margin as XTREME's ``third_party/utils_retrieve.py``
applies it (Artetxe & Schwenk 2019): ``cos(x, y) / ((mean_k cos(x, NN_k(x)) +
mean_k cos(y, NN_k(y))) / 2)``, with ``k`` capped at the other side's size.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from harness._lazy import lazy_module

np = lazy_module("numpy")
torch = lazy_module("torch")


__all__ = [
    "BACKENDS",
    "DEFAULT_BLOCK_SIZE",
    "Candidate",
    "Neighbours",
    "extract",
    "f1_counts",
    "knn",
    "knn_both",
    "mine",
    "mine_bitext",
    "optimize_threshold",
    "ratio_margin",
    "resolve_backend",
]

BACKENDS = ("auto", "torch", "faiss")
DEFAULT_BLOCK_SIZE = 2048


@dataclass(frozen=True)
class Neighbours:
    """``k`` nearest neighbours per query: similarities best first, ties by lower index."""

    sims: np.ndarray
    """[n, k] float32 inner products."""
    index: np.ndarray
    """[n, k] int64 positions in the searched set."""

    def mean(self) -> np.ndarray:
        """Average similarity to the k neighbours: the margin's neighbourhood density."""
        return self.sims.mean(axis=1)


def resolve_backend(backend: str) -> str:
    """``auto`` is the blocked torch search (on the GPU when torch sees one).

    faiss is only used when asked for: results must not change with an optional install
    (faiss breaks ties at the k-th neighbour its own way), and the blocked search was
    faster at BUCC scale in ``bench/retrieval_margin.py``.
    """
    if backend not in BACKENDS:
        raise ValueError(f"unknown search backend {backend!r} (choose from {', '.join(BACKENDS)})")
    return "torch" if backend == "auto" else backend


# --------------------------------------------------------------------------- blocked search
class _RunningTopK:
    """Best ``k`` (similarity, index) pairs seen so far for each of ``n`` items."""

    def __init__(self, n: int, k: int, device: torch.device):
        self.k = k
        self.vals = np.full((n, k), -np.inf, dtype=np.float32)
        self.index = np.full((n, k), -1, dtype=np.int64)
        # k-th best per item (-inf until k are known); on the CPU the tensor shares memory
        self.kth_np = np.full(n, -np.inf, dtype=np.float32)
        self.kth = torch.from_numpy(self.kth_np).to(device)

    def merge(self, items: np.ndarray, others: np.ndarray, vals: np.ndarray) -> None:
        """Fold candidate (item, other, similarity) triples into the running lists."""
        if items.size == 0:
            return
        k = self.k
        touched = np.unique(items)
        old_idx = self.index[touched]
        valid = old_idx >= 0
        it = np.concatenate([np.repeat(touched, k)[valid.ravel()], items])
        ot = np.concatenate([old_idx[valid], others])
        vl = np.concatenate([self.vals[touched][valid], vals])
        order = np.lexsort((ot, -vl, it))  # by item, then similarity down, then index up
        it, ot, vl = it[order], ot[order], vl[order]
        rank = np.arange(it.size) - np.searchsorted(it, it, side="left")
        keep = rank < k
        self.vals[touched] = -np.inf
        self.index[touched] = -1
        self.vals[it[keep], rank[keep]] = vl[keep]
        self.index[it[keep], rank[keep]] = ot[keep]
        self.kth_np[touched] = self.vals[touched, k - 1]
        if self.kth.device.type != "cpu":
            index = torch.from_numpy(touched).to(self.kth.device)
            self.kth[index] = torch.from_numpy(self.kth_np[touched]).to(self.kth.device)

    def result(self) -> Neighbours:
        return Neighbours(self.vals, self.index)


def _scan(state: _RunningTopK, block: torch.Tensor, item0: int, other0: int, axis: int) -> None:
    """Offer one tile to ``state``; items run along ``axis`` (0: tile rows, 1: tile columns).

    Only entries strictly above an item's current k-th best can enter its list: tiles come
    in increasing ``other`` order, so an equal value from this tile would lose the tie.
    """
    n_items = block.shape[axis]
    if block.device.type == "cpu":  # numpy's single-threaded max beats torch's pool here
        best = block.numpy().max(axis=1 - axis)
        hit = torch.from_numpy(np.flatnonzero(best > state.kth_np[item0 : item0 + n_items]))
    else:
        tau_all = state.kth[item0 : item0 + n_items]
        hit = torch.nonzero(block.amax(dim=1 - axis) > tau_all).squeeze(1)
    if hit.numel() == 0:
        return
    if 2 * hit.numel() > n_items:  # most items gain something: skip the gather
        hit = torch.arange(n_items, device=block.device)
        sub = block if axis == 0 else block.T
    else:
        sub = block.index_select(axis, hit.to(block.device))
        sub = sub if axis == 0 else sub.T
    sub = sub.contiguous()  # items x others
    k = state.k
    top, idx = torch.topk(sub, min(k + 1, sub.shape[1]), dim=1)
    # small arrays from here on: numpy (torch's thread pool costs more than the work)
    top, idx, hit_np = top.cpu().numpy(), idx.cpu().numpy(), hit.cpu().numpy()
    tau = state.kth_np[item0 + hit_np][:, None]
    vals, idx = top[:, :k], idx[:, :k]
    keep = vals > tau
    items = np.broadcast_to((item0 + hit_np)[:, None], keep.shape)
    cand_items, cand_others, cand_vals = [items[keep]], [other0 + idx[keep]], [vals[keep]]
    if top.shape[1] > k:
        # the tile's k-th value ties its (k+1)-th: which tied entry topk kept is undefined,
        # so take every entry at or above it and let merge keep the lower indices
        tied = np.flatnonzero((top[:, k] == top[:, k - 1]) & (top[:, k - 1] > tau[:, 0]))
        if tied.size:
            keep[tied] = False
            rows = sub.index_select(0, torch.from_numpy(tied).to(sub.device)).cpu().numpy()
            extra = (rows >= top[tied, k - 1 : k]) & (rows > tau[tied])
            r, c = np.nonzero(extra)
            cand_items = [items[keep], item0 + hit_np[tied[r]]]
            cand_others = [other0 + idx[keep], other0 + c]
            cand_vals = [vals[keep], rows[r, c]]
    state.merge(
        np.concatenate(cand_items).astype(np.int64),
        np.concatenate(cand_others).astype(np.int64),
        np.concatenate(cand_vals).astype(np.float32),
    )


def _device(x: np.ndarray) -> torch.device:
    big = x.shape[0] * max(1, x.shape[1]) > 1_000_000
    return torch.device("cuda" if big and torch.cuda.is_available() else "cpu")


def _torch_knn(
    x: np.ndarray, y: np.ndarray, k: int, block_size: int, both: bool
) -> tuple[Neighbours, Neighbours | None]:
    n, m = x.shape[0], y.shape[0]
    device = _device(x)
    xs = torch.from_numpy(np.ascontiguousarray(x, dtype=np.float32)).to(device)
    ys = torch.from_numpy(np.ascontiguousarray(y, dtype=np.float32)).to(device)
    rows = _RunningTopK(n, min(k, m), device)
    cols = _RunningTopK(m, min(k, n), device) if both else None
    with torch.inference_mode():
        for q0 in range(0, n, block_size):
            xq = xs[q0 : q0 + block_size]
            for d0 in range(0, m, block_size):
                tile = xq @ ys[d0 : d0 + block_size].T
                if rows.k:
                    _scan(rows, tile, q0, d0, axis=0)
                if cols is not None and cols.k:
                    _scan(cols, tile, d0, q0, axis=1)
    return rows.result(), cols.result() if cols is not None else None


def _faiss_knn(x: np.ndarray, y: np.ndarray, k: int) -> Neighbours:
    import faiss

    k = min(k, y.shape[0])
    if k == 0:
        return _empty(x.shape[0])
    index = faiss.IndexFlatIP(y.shape[1])
    index.add(np.ascontiguousarray(y, dtype=np.float32))
    sims, idx = index.search(np.ascontiguousarray(x, dtype=np.float32), k)
    order = np.lexsort((idx, -sims), axis=1)  # same tie order as the blocked search
    return Neighbours(
        np.take_along_axis(sims, order, 1).astype(np.float32),
        np.take_along_axis(idx, order, 1).astype(np.int64),
    )


def _empty(n: int) -> Neighbours:
    return Neighbours(np.zeros((n, 0), np.float32), np.zeros((n, 0), np.int64))


def _check(x: np.ndarray, y: np.ndarray, k: int, block_size: int) -> None:
    if x.ndim != 2 or y.ndim != 2 or x.shape[1] != y.shape[1]:
        raise ValueError(f"embeddings must be [n, d] and [m, d]; got {x.shape} and {y.shape}")
    if k < 1 or block_size < 1:
        raise ValueError(f"k and block_size must be positive (got {k}, {block_size})")


def knn(
    queries: np.ndarray,
    database: np.ndarray,
    k: int,
    block_size: int = DEFAULT_BLOCK_SIZE,
    backend: str = "auto",
) -> Neighbours:
    """Exact inner-product ``k``-NN of every query in ``database`` (``k`` capped at its size)."""
    _check(queries, database, k, block_size)
    if resolve_backend(backend) == "faiss":
        return _faiss_knn(queries, database, k)
    return _torch_knn(queries, database, k, block_size, both=False)[0]


def knn_both(
    x: np.ndarray,
    y: np.ndarray,
    k: int,
    block_size: int = DEFAULT_BLOCK_SIZE,
    backend: str = "auto",
) -> tuple[Neighbours, Neighbours]:
    """k-NN of ``x`` in ``y`` and of ``y`` in ``x``; the torch backend shares one pass."""
    _check(x, y, k, block_size)
    if resolve_backend(backend) == "faiss":
        return _faiss_knn(x, y, k), _faiss_knn(y, x, k)
    fwd, bwd = _torch_knn(x, y, k, block_size, both=True)
    assert bwd is not None
    return fwd, bwd


# --------------------------------------------------------------------------- margin mining
def ratio_margin(nb: Neighbours, own_mean: np.ndarray, other_mean: np.ndarray) -> np.ndarray:
    """Margin score of every listed neighbour: ``cos / ((own + other density) / 2)``."""
    denom = (own_mean[:, None] + other_mean[nb.index]) / np.float32(2)
    with np.errstate(divide="ignore", invalid="ignore"):
        return (nb.sims / denom).astype(np.float32)


@dataclass(frozen=True)
class Candidate:
    source: int
    target: int
    score: float


def mine(x2y: Neighbours, y2x: Neighbours, threshold: float = 0.0) -> list[Candidate]:
    """XTREME's ``mine_bitext(mode='mine', retrieval='max', margin='ratio')`` on given k-NN.

    Each source proposes its best-margin target among its k neighbours and each target its
    best source; all proposals are taken best-first (stable on ties), skipping any that
    reuse an already paired sentence, and kept when the score exceeds ``threshold``.
    """
    n, m = x2y.sims.shape[0], y2x.sims.shape[0]
    if n == 0 or m == 0:
        return []
    fwd_mean, bwd_mean = x2y.mean(), y2x.mean()
    fwd = ratio_margin(x2y, fwd_mean, bwd_mean)
    bwd = ratio_margin(y2x, bwd_mean, fwd_mean)
    fwd_pick, bwd_pick = fwd.argmax(axis=1), bwd.argmax(axis=1)
    src = np.concatenate([np.arange(n), y2x.index[np.arange(m), bwd_pick]])
    trg = np.concatenate([x2y.index[np.arange(n), fwd_pick], np.arange(m)])
    scores = np.concatenate([fwd.max(axis=1), bwd.max(axis=1)]).astype(np.float64)
    out: list[Candidate] = []
    seen_src: set[int] = set()
    seen_trg: set[int] = set()
    for i in np.argsort(-scores, kind="stable").tolist():
        s, t = int(src[i]), int(trg[i])
        if s in seen_src or t in seen_trg:
            continue
        seen_src.add(s)
        seen_trg.add(t)
        if scores[i] > threshold:
            out.append(Candidate(s, t, float(scores[i])))
    return out


def mine_bitext(
    x: np.ndarray,
    y: np.ndarray,
    k: int = 4,
    block_size: int = DEFAULT_BLOCK_SIZE,
    backend: str = "auto",
) -> list[Candidate]:
    """Margin-mined candidate pairs between L2-normalised embeddings ``x`` and ``y``."""
    if x.shape[0] == 0 or y.shape[0] == 0:
        return []
    x2y, y2x = knn_both(x, y, k, block_size, backend)
    return mine(x2y, y2x)


# --------------------------------------------------------------------------- decision threshold
def f1_counts(ncorrect: int, nextract: int, ngold: int) -> tuple[float, float, float]:
    """(precision, recall, F1) as XTREME computes them; all 0 when nothing is correct."""
    if ncorrect == 0:
        return 0.0, 0.0, 0.0
    precision = ncorrect / nextract
    recall = ncorrect / ngold
    return precision, recall, 2 * precision * recall / (precision + recall)


def optimize_threshold(scored: Iterable[tuple[str, float]], gold: set[str]) -> float:
    """Decision threshold maximising F1 of ``{pair: score >= threshold}`` against ``gold``.

    XTREME's ``bucc_optimize``: walk candidates best-first and, wherever F1 strictly
    improves, put the threshold halfway to the next score. Two deliberate differences:
    F1 is only evaluated between *distinct* scores (inside a tie group it describes a cut
    no threshold can make, since extraction keeps the whole group), and when the best
    cut is after the last candidate the threshold is that candidate's score (XTREME
    indexes past the end there). Without ties the result is XTREME's, bit for bit.
    """
    items = sorted(scored, key=lambda item: -item[1])
    best_f1, threshold = 0.0, 0.0
    nextract = ncorrect = 0
    for i, (pair, score) in enumerate(items):
        nextract += 1
        ncorrect += pair in gold
        if i + 1 < len(items) and items[i + 1][1] == score:
            continue  # the cut must fall between two different scores
        f1 = f1_counts(ncorrect, nextract, len(gold))[2]
        if ncorrect > 0 and f1 > best_f1:
            best_f1 = f1
            threshold = (score + items[i + 1][1]) / 2 if i + 1 < len(items) else score
    return threshold


def extract(scored: Sequence[tuple[str, float]], threshold: float) -> list[str]:
    """Pairs scoring at least ``threshold`` (XTREME's ``bucc_extract``), in input order."""
    return [pair for pair, score in scored if score >= threshold]
