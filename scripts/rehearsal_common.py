"""What every rehearsal writer shares: release sizes, per-language sample text, seeded
draws of lengths and windows, and streaming file writers (see ``make_rehearsal_data.py``)."""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any, TextIO

import numpy as np

REPO = Path(__file__).resolve().parent.parent
SAMPLES = REPO / "plugins" / "tasks" / "data"
SIZES = Path(__file__).resolve().parent / "sample_sources" / "release_sizes.json"
CHAR_LANGUAGES = {"zh": 1.5, "ja": 1.7, "th": 4.0}
"""Languages written without spaces: units are characters, this many per English word."""
LENGTHS: dict[str, tuple[float, float, int, int]] = {
    # field: (median words, log-normal sigma, min, max); approximations of the releases
    "nli_premise": (19, 0.55, 3, 200),
    "nli_hypothesis": (10, 0.45, 2, 60),
    "snli_premise": (12, 0.4, 3, 80),
    "snli_hypothesis": (7, 0.4, 1, 40),
    "anli_context": (55, 0.35, 10, 250),
    "paws": (20, 0.3, 5, 60),
    "question": (10, 0.35, 3, 40),
    "panx": (7, 0.55, 1, 80),
    "udpos": (15, 0.7, 1, 180),
    "squad_context": (115, 0.4, 25, 700),
    "mlqa_context": (150, 0.5, 25, 900),
    "tydiqa_context": (95, 0.6, 15, 900),
    "answer": (2, 0.6, 1, 12),
    "bucc": (22, 0.45, 3, 120),
    "tatoeba": (7, 0.4, 1, 40),
    "mc_context": (30, 0.5, 4, 200),
    "mc_choice": (9, 0.5, 1, 40),
    "mel_sentence": (20, 0.45, 4, 70),
    "mel_mention": (2, 0.5, 1, 6),
    "xquad_sentence": (25, 0.45, 5, 90),
}
CHUNK = 20000
"""Rows generated and written at a time (memory stays flat at any fraction)."""


def scaled(size: int, fraction: float) -> int:
    """Rows written for a real size: ``round(size x fraction)``, at least 1."""
    return max(1, round(size * fraction))


def load_sizes(path: Path = SIZES) -> dict[str, Any]:
    return {k: v for k, v in json.loads(path.read_text("utf-8")).items() if not k.startswith("_")}


# --------------------------------------------------------------------------- sample text
def _units(text: str, lang: str) -> list[str]:
    if lang in CHAR_LANGUAGES:
        return [c for c in text if not c.isspace()]
    return text.split()


class Pools:
    """Per-language streams of units (words, characters, tagged tokens) from the samples."""

    def __init__(self, root: Path = SAMPLES, seed: int = 0):
        self.root, self.seed = root, seed
        self._text: dict[str, list[str]] = {}
        self._tagged: dict[tuple[str, str], list[tuple[str, str]]] = {}
        self._sentences: dict[str, list[str]] | None = None

    def _collect(self) -> dict[str, list[str]]:
        """Every sentence of the bundled samples, by language (file names carry the language)."""
        out: dict[str, list[str]] = defaultdict(list)
        r = self.root
        for path in (r / "mlm").glob("*.txt"):
            out[path.stem] += path.read_text("utf-8").splitlines()
        for folder in ("xnli", "pawsx"):
            for path in (r / folder).glob("*.tsv"):
                lang = path.stem.split("-")[1]
                for line in path.read_text("utf-8").splitlines():
                    out[lang] += line.split("\t")[:2]
        for path in (r / "tatoeba").glob("*-en.*"):
            out[path.suffix[1:]] += path.read_text("utf-8").splitlines()
        for path in (r / "bucc2018").glob("*-en.*.*"):
            if path.suffix != ".gold":
                out[path.suffix[1:]] += [
                    x.split("\t")[-1] for x in path.read_text("utf-8").splitlines()
                ]
        qa = [(p, p.stem.split(".")[1]) for p in (r / "xquad").glob("*.json")]
        qa += [(p, p.stem.split("-")[-1]) for p in (r / "mlqa").rglob("*.json")]
        qa += [(p, p.name.split(".")[2]) for p in (r / "tydiqa").rglob("*.json")]
        qa += [(p, "en") for p in (r / "squad").glob("*.json")]
        for path, lang in qa:
            for article in json.loads(path.read_text("utf-8"))["data"]:
                for par in article["paragraphs"]:
                    out[lang] += [par["context"]] + [qa["question"] for qa in par["qas"]]
        for (lang, _), tokens in self._tagged_all().items():
            out[lang].append(" ".join(t for t, _ in tokens))
        for path in (r / "xcopa").glob("*.jsonl"):  # the only sample text in ht
            lang = path.stem.split("-")[1]
            for line in path.read_text("utf-8").splitlines():
                record = json.loads(line)
                out[lang] += [record["premise"], record["choice1"], record["choice2"]]
        return out

    def _tagged_all(self) -> dict[tuple[str, str], list[tuple[str, str]]]:
        if not self._tagged:
            for path in sorted((self.root / "panx").glob("dev-*.tsv")):
                lang = path.stem.split("-")[1]
                fields = [x.split("\t") for x in path.read_text("utf-8").splitlines()]
                self._tagged[(lang, "panx")] = [(f[0], f[1]) for f in fields if len(f) == 2]
            releases = ("ud-treebanks-v2.5", "ud-treebanks-v2.7")  # v2.7: XTREME-R's languages
            for path in sorted(p for r in releases for p in (self.root / r).glob("*/*.conllu")):
                lang = path.name.split("_")[0]
                for line in path.read_text("utf-8").splitlines():
                    f = line.split("\t")
                    if len(f) == 10 and f[0].isdigit() and f[1] != "_":
                        form = "".join(f[1].split())
                        self._tagged.setdefault((lang, "udpos"), []).append((form, f[3]))
        return self._tagged

    def languages(self) -> set[str]:
        """Languages with bundled sample text."""
        if self._sentences is None:
            self._sentences = self._collect()
        return {lang for lang, sentences in self._sentences.items() if sentences}

    def text(self, lang: str) -> list[str]:
        """Units of ``lang`` in a fixed shuffled sentence order, tiled to cover long windows."""
        if lang not in self._text:
            if self._sentences is None:
                self._sentences = self._collect()
            sentences = [s.replace('"', "") for s in self._sentences.get(lang, [])]
            if not sentences:
                raise SystemExit(f"no bundled sample text in language '{lang}'")
            order = np.random.default_rng(self.seed).permutation(len(sentences))
            units = [u for i in order for u in _units(sentences[i], lang)]
            self._text[lang] = _tile(units, 4000)
        return self._text[lang]

    def tagged(self, lang: str, task: str) -> list[tuple[str, str]]:
        pairs = self._tagged_all().get((lang, task))
        if not pairs:
            raise SystemExit(f"no bundled {task} sample in language '{lang}'")
        return pairs


def _tile(units: list, window: int) -> list:
    """``units`` repeated until any window of ``window`` units fits from any start."""
    return units * (1 + (len(units) + window) // max(1, len(units)))


class Draw:
    """Random lengths and windows for one (task, split, language): seeded by their names."""

    def __init__(self, pools: Pools, lang: str, *key: str):
        digest = hashlib.sha256("/".join((str(pools.seed), lang, *key)).encode()).digest()
        self.rng = np.random.default_rng(int.from_bytes(digest[:8], "little"))
        self.pools, self.lang = pools, lang
        self.joiner = "" if lang in CHAR_LANGUAGES else " "

    def lengths(self, field: str, n: int, per_word: bool = True) -> list[int]:
        median, sigma, lo, hi = LENGTHS[field]
        factor = CHAR_LANGUAGES.get(self.lang, 1.0) if per_word else 1.0
        raw = self.rng.lognormal(np.log(median), sigma, n).clip(lo, hi) * factor
        return np.maximum(1, np.rint(raw)).astype(int).tolist()

    def windows(self, field: str, n: int) -> list[list[str]]:
        units = self.pools.text(self.lang)
        limit = len(units) - 4000
        starts = self.rng.integers(0, max(1, limit), n).tolist()
        return [units[s : s + k] for s, k in zip(starts, self.lengths(field, n), strict=True)]

    def texts(self, field: str, n: int) -> list[str]:
        j = self.joiner
        return [j.join(w) for w in self.windows(field, n)]

    def labels(self, values: Sequence[str], n: int) -> list[str]:
        return [values[i] for i in self.rng.integers(0, len(values), n).tolist()]


# --------------------------------------------------------------------------- writing
def _open(path: Path) -> TextIO:
    path.parent.mkdir(parents=True, exist_ok=True)
    return open(path, "w", encoding="utf-8", newline="")


def _chunks(n: int) -> Iterable[int]:
    while n > 0:
        yield min(n, CHUNK)
        n -= CHUNK


def write_lines(
    path: Path, n: int, make: Callable[[int, int], list[str]], header: str = ""
) -> None:
    """Stream ``n`` lines: ``make(offset, count)`` returns the next ``count`` of them."""
    with _open(path) as out:
        if header:
            out.write(header + "\n")
        done = 0
        for count in _chunks(n):
            out.write("".join(line + "\n" for line in make(done, count)))
            done += count


def write_jsonl(path: Path, n: int, make: Callable[[int, int], list[dict[str, Any]]]) -> None:
    """Stream ``n`` JSON lines: ``make(offset, count)`` returns the next ``count`` records."""
    write_lines(path, n, lambda o, c: [json.dumps(r, ensure_ascii=False) for r in make(o, c)])


def _passage(sentences: list[list[str]], joiner: str) -> tuple[str, list[tuple[int, int]]]:
    """Sentences (unit lists) joined into one text, with each sentence's [start, end)."""
    texts = [joiner.join(words) for words in sentences]
    spans, at = [], 0
    for text in texts:
        spans.append((at, at + len(text)))
        at += len(text) + len(joiner)
    return joiner.join(texts), spans


def _span(words: list[str], offset: int, frac: float, length: int, joiner: str) -> dict[str, Any]:
    """A window of ``length`` units of a sentence starting at ``offset``: {start, end, text}."""
    length = min(length, len(words))
    first = int(frac * (len(words) - length + 1))
    start = offset + sum(len(w) for w in words[:first]) + len(joiner) * first
    text = joiner.join(words[first : first + length])
    return {"start": start, "end": start + len(text), "text": text}


class WriterBase:
    """Writes the releases of :func:`load_sizes` under ``out`` at ``fraction`` of their size;
    the family writers (``rehearsal_*.py``) are mixins of it."""

    def __init__(self, out: Path, fraction: float, pools: Pools, sizes: dict[str, Any]):
        self.out, self.fraction, self.pools, self.sizes = out, fraction, pools, sizes
        self.rows: dict[str, int] = defaultdict(int)

    def n(self, dataset: str, split: str, lang: str, key: str | None = None) -> int:
        value = self.sizes[dataset]["counts"][split][lang]
        count = scaled(value[key] if key else value, self.fraction)
        self.rows[dataset] += count
        return count

    def counts(self, dataset: str) -> dict[str, dict[str, Any]]:
        return self.sizes[dataset]["counts"]
