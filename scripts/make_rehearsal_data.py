"""Synthetic data at the real releases' sizes x a fraction, in the layouts ``--data PATH`` reads.

A paper-scale rehearsal (``bench/paper_scale.py``) must load, tokenise, evaluate and score as
much data as a real run without downloading it. This writes, under ``OUT``, every file the
harness reads for the XTREME targets (XTREME's ``download/`` layout, test labels stripped
and kept under ``labels/`` as evaluate.py's label folder), GLUE's ``MNLI/`` and ``QQP/``,
``snli_1.0/``, ``anli_v1.0/``, SQuAD v1.1/v2.0, the released multiple-choice files and
XTREME-R's ``mewslix/`` and ``lareqa/xquad-r/`` (Mewsli-X's candidate set scaled too),
with ``round(real size x fraction)`` rows (at least 1) per task, split and language.

Real sizes, each with its source, are in ``sample_sources/release_sizes.json``. The text is
drawn from the bundled samples (``plugins/tasks/data``), language by language: each text is
a window of consecutive words (characters for zh/ja/th) of that language's sample text, of a
length drawn from a log-normal profile per field (:data:`LENGTHS`) that approximates the
release's lengths (approximations, not measurements). Tagged sentences are windows of the
bundled tagged tokens. Output is deterministic for a seed; nothing here goes into git.

    python scripts/make_rehearsal_data.py /tmp/rehearsal --fraction 0.01
    python scripts/make_rehearsal_data.py /tmp/rehearsal --fraction 1.0 --tasks xnli panx
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import sys
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from contextlib import ExitStack
from pathlib import Path
from typing import Any, TextIO
from urllib.parse import quote

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


class Writer:
    """Writes the releases of :func:`load_sizes` under ``out`` at ``fraction`` of their size."""

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

    # -- sentence pairs ------------------------------------------------------------------
    def _pairs(self, draw: Draw, n: int, kind: str) -> tuple[list[str], list[str]]:
        if kind == "paws":  # paraphrase adversaries: the same words, two of them swapped
            firsts = draw.windows("paws", n)
            seconds = []
            for words, (i, k) in zip(
                firsts, draw.rng.integers(0, 1000, (n, 2)).tolist(), strict=True
            ):
                w = list(words)
                i, k = i % len(w), k % len(w)
                w[i], w[k] = w[k], w[i]
                seconds.append(draw.joiner.join(w))
            return [draw.joiner.join(w) for w in firsts], seconds
        return draw.texts(f"{kind}_premise", n), draw.texts(f"{kind}_hypothesis", n)

    def xtreme_pairs(self, name: str, labels: Sequence[str], kind: str) -> None:
        """``{name}/{split}-{lang}.tsv`` as XTREME writes it; test labels in ``labels/``."""
        for split, langs in self.counts(name).items():
            for lang in langs:
                n, draw = self.n(name, split, lang), Draw(self.pools, lang, name, split)
                gold = draw.labels(labels, n)

                def make(offset: int, count: int, draw=draw, gold=gold, split=split) -> list[str]:
                    a, b = self._pairs(draw, count, kind)
                    tail = gold[offset : offset + count]
                    if split == "test":
                        return [f"{x}\t{y}" for x, y in zip(a, b, strict=True)]
                    return [f"{x}\t{y}\t{z}" for x, y, z in zip(a, b, tail, strict=True)]

                write_lines(self.out / name / f"{split}-{lang}.tsv", n, make)
                if split == "test":
                    write_lines(
                        self.out / "labels" / name / f"test-{lang}.tsv",
                        n,
                        lambda o, c, gold=gold: gold[o : o + c],
                    )

    def mnli(self) -> None:
        """GLUE ``MNLI/{train,dev_matched}.tsv``; parse columns stand in for the real parses."""
        head = "index promptID pairID genre sentence1_binary_parse sentence2_binary_parse "
        head += "sentence1_parse sentence2_parse sentence1 sentence2"
        for split, file, k in (("train", "train.tsv", 1), ("dev", "dev_matched.tsv", 5)):
            n, draw = self.n("mnli", split, "en"), Draw(self.pools, "en", "mnli", split)

            def make(o: int, c: int, draw=draw, k=k) -> list[str]:
                a, b = self._pairs(draw, c, "nli")
                gold = draw.labels(("entailment", "neutral", "contradiction"), c)
                return [
                    f"{o + i}\t{o + i}\t{o + i}e\tfiction\t( {x} )\t( {y} )\t(ROOT (S {x}))\t"
                    f"(ROOT (S {y}))\t{x}\t{y}\t" + "\t".join([g] * (k + 1))
                    for i, (x, y, g) in enumerate(zip(a, b, gold, strict=True))
                ]

            labels = " ".join(f"label{i}" for i in range(1, k + 1))
            header = f"{head} {labels} gold_label".replace(" ", "\t")
            write_lines(self.out / "MNLI" / file, n, make, header)

    def qqp(self) -> None:
        header = "id\tqid1\tqid2\tquestion1\tquestion2\tis_duplicate"
        for split in ("train", "dev"):
            n, draw = self.n("qqp", split, "en"), Draw(self.pools, "en", "qqp", split)

            def make(o: int, c: int, draw=draw) -> list[str]:
                a, b = draw.texts("question", c), draw.texts("question", c)
                gold = draw.labels("01", c)
                return [
                    f"{o + i}\t{2 * (o + i)}\t{2 * (o + i) + 1}\t{x}?\t{y}?\t{g}"
                    for i, (x, y, g) in enumerate(zip(a, b, gold, strict=True))
                ]

            write_lines(self.out / "QQP" / f"{split}.tsv", n, make, header)

    def snli(self) -> None:
        names = ("entailment", "neutral", "contradiction")
        for split in ("train", "dev"):
            n, draw = self.n("snli", split, "en"), Draw(self.pools, "en", "snli", split)

            def make(o: int, c: int, draw=draw) -> list[dict[str, Any]]:
                a, b = self._pairs(draw, c, "snli")
                gold = draw.labels(names, c)
                return [
                    dict(
                        annotator_labels=[g],
                        captionID=f"{o + i}.jpg#0",
                        gold_label=g,
                        pairID=f"{o + i}.jpg#0r1",
                        sentence1=x,
                        sentence2=y,
                    )
                    for i, (x, y, g) in enumerate(zip(a, b, gold, strict=True))
                ]

            write_jsonl(self.out / "snli_1.0" / f"snli_1.0_{split}.jsonl", n, make)

    def anli(self) -> None:
        for split, rounds in self.counts("anli").items():
            for rnd in rounds:
                n, draw = self.n("anli", split, rnd), Draw(self.pools, "en", "anli", split, rnd)

                def make(o: int, c: int, draw=draw, tag=f"{rnd}-{split}") -> list[dict[str, Any]]:
                    a, b = draw.texts("anli_context", c), draw.texts("nli_hypothesis", c)
                    gold = draw.labels("enc", c)
                    return [
                        dict(
                            uid=f"{tag}-{o + i}",
                            context=x,
                            hypothesis=y,
                            label=g,
                            model_label=g,
                            emturk=False,
                            genre="wiki",
                            reason="",
                            tag="",
                        )
                        for i, (x, y, g) in enumerate(zip(a, b, gold, strict=True))
                    ]

                write_jsonl(self.out / "anli_v1.0" / rnd / f"{split}.jsonl", n, make)

    # -- tagging -------------------------------------------------------------------------
    def tagging(self, name: str) -> None:
        """``{name}/{split}-{lang}.tsv``: ``token<TAB>tag``, test tokens only (+ ``labels/``)."""
        for split, langs in self.counts(name).items():
            for lang in langs:
                n, draw = self.n(name, split, lang), Draw(self.pools, lang, name, split)
                pairs = _tile(self.pools.tagged(lang, name), 400)
                lengths = draw.lengths(name, n, per_word=False)
                starts = draw.rng.integers(0, max(1, len(pairs) - 400), n).tolist()
                folder = self.out / name
                labels = self.out / "labels" / name / f"test-{lang}.tsv"
                with _open(folder / f"{split}-{lang}.tsv") as data, ExitStack() as stack:
                    gold = stack.enter_context(_open(labels)) if split == "test" else None
                    for s, k in zip(starts, lengths, strict=True):
                        words = [w for w, _ in pairs[s : s + k]]
                        tags = [t for _, t in pairs[s : s + k]]
                        if tags[0].startswith("I-"):  # IOB2: an entity starts with B-
                            tags[0] = "B-" + tags[0][2:]
                        if gold is None:
                            data.write("".join(map("{}\t{}\n".format, words, tags)) + "\n")
                        else:
                            data.write("\n".join(words) + "\n\n")
                            gold.write("\n".join(tags) + "\n\n")

    # -- question answering ----------------------------------------------------------------
    def _qa_articles(
        self, draw: Draw, n: int, field: str, per_context: float, prefix: str, impossible: int = 0
    ) -> Iterable[dict[str, Any]]:
        """SQuAD-format articles holding ``n`` questions, ``impossible`` of them unanswerable."""
        k = max(1, round(per_context))
        contexts = -(-n // k)
        j = draw.joiner
        unanswerable = set(draw.rng.choice(n, size=min(impossible, n), replace=False).tolist())
        asked = 0
        for start in range(0, contexts, CHUNK):
            count = min(CHUNK, contexts - start)
            windows = draw.windows(field, count)
            questions = draw.texts("question", count * k)
            spans = draw.lengths("answer", count * k)
            offsets = draw.rng.random(count * k).tolist()
            for c, words in enumerate(windows):
                context = j.join(words)
                qas = []
                for q in range(c * k, c * k + k):
                    if asked == n:
                        break
                    size = min(spans[q], len(words))
                    first = int(offsets[q] * (len(words) - size + 1))
                    text = j.join(words[first : first + size])
                    begin = sum(len(w) for w in words[:first]) + len(j) * first
                    answer = [{"answer_start": begin, "text": text}]
                    qa = {
                        "answers": answer,
                        "question": questions[q] + "?",
                        "id": f"{prefix}{asked:08x}",
                    }
                    if impossible:
                        qa["is_impossible"] = asked in unanswerable
                        if qa["is_impossible"]:
                            qa["answers"], qa["plausible_answers"] = [], answer
                    qas.append(qa)
                    asked += 1
                yield {
                    "title": f"{prefix}{start + c}",
                    "paragraphs": [{"context": context, "qas": qas}],
                }

    def _squad_doc(
        self,
        path: Path,
        articles: Iterable[dict[str, Any]],
        version: str,
        stripped: Path | None = None,
    ) -> None:
        """Stream a SQuAD document; ``stripped``: also XTREME's test copy without answers
        (one paragraph per question, answer ``{"answer_start": 0, "text": ""}``), written
        at ``path`` while the full document goes to ``stripped`` (the label folder)."""
        full = _open(stripped if stripped else path)
        bare = _open(path) if stripped else None
        for handle in filter(None, (full, bare)):
            handle.write('{"data": [')
        first = True
        for article in articles:
            sep = "" if first else ", "
            full.write(sep + json.dumps(article, ensure_ascii=False))
            if bare is not None:
                bare.write(sep + ", ".join(map(_stripped_json, _stripped(article))))
            first = False
        for handle in filter(None, (full, bare)):
            handle.write(f'], "version": "{version}"}}')
            handle.close()

    def qa(
        self,
        name: str,
        field: str,
        files: Callable[[str, str], str],
        version: str,
        stripped_splits: tuple[str, ...] = (),
    ) -> None:
        spec = self.sizes[name]
        for split, langs in spec["counts"].items():
            for lang in langs:
                n, draw = self.n(name, split, lang), Draw(self.pools, lang, name, split)
                per = spec.get("questions_per_context", {}).get(split, 1.0)
                impossible = spec.get("unanswerable", {}).get(split, 0)
                impossible = (
                    round(impossible * n / spec["counts"][split][lang]) if impossible else 0
                )
                articles = self._qa_articles(
                    draw, n, field, per, f"{name}-{lang}-{split}-", impossible
                )
                stripped = None
                if split in stripped_splits:
                    stripped = self.out / "labels" / name / f"{split}-{lang}.json"
                self._squad_doc(self.out / files(split, lang), articles, version, stripped)

    # -- retrieval -----------------------------------------------------------------------
    def bucc(self) -> None:
        for split, langs in self.counts("bucc2018").items():
            for lang in langs:
                draw = Draw(self.pools, lang, "bucc2018", split)
                sides = {}
                for side in (lang, "en"):
                    n = self.n("bucc2018", split, lang, "source" if side == lang else "english")
                    sides[side] = n
                    side_draw = Draw(self.pools, side, "bucc2018", split, lang)
                    write_lines(
                        self.out / "bucc2018" / f"{lang}-en.{split}.{side}",
                        n,
                        lambda o, c, d=side_draw, s=side: [
                            f"{s}-{o + i + 1:09d}\t{t}" for i, t in enumerate(d.texts("bucc", c))
                        ],
                    )
                gold = min(
                    scaled(self.counts("bucc2018")[split][lang]["gold"], self.fraction),
                    sides[lang],
                    sides["en"],
                )
                src = np.sort(draw.rng.choice(sides[lang], gold, replace=False)) + 1
                tgt = draw.rng.choice(sides["en"], gold, replace=False) + 1
                lines = [
                    f"{lang}-{s:09d}\ten-{t:09d}"
                    for s, t in zip(src.tolist(), tgt.tolist(), strict=True)
                ]
                path = (
                    self.out / "bucc2018" / f"{lang}-en.dev.gold"
                    if split == "dev"
                    else self.out / "labels" / "bucc2018" / f"test-{lang}.tsv"
                )
                write_lines(path, len(lines), lambda o, c, x=lines: x[o : o + c])

    def tatoeba(self) -> None:
        """Source file as released; English sorted, gold = each English line's source index."""
        for lang in self.counts("tatoeba")["test"]:
            n = self.n("tatoeba", "test", lang)
            source = Draw(self.pools, lang, "tatoeba").texts("tatoeba", n)
            english = Draw(self.pools, "en", "tatoeba", lang).texts("tatoeba", n)
            order = sorted(range(n), key=lambda i: english[i])
            folder = self.out / "tatoeba"
            sorted_english = [english[i] for i in order]
            gold = [str(i) for i in order]
            for path, lines in (
                (folder / f"{lang}-en.{lang}", source),
                (folder / f"{lang}-en.en", sorted_english),
                (self.out / "labels" / "tatoeba" / f"test-{lang}.tsv", gold),
            ):
                write_lines(path, n, lambda o, c, lines=lines: lines[o : o + c])

    # -- dual-encoder retrieval (XTREME-R) ----------------------------------------------------
    def mewslix(self) -> None:
        """Mewsli-X as XTREME leaves ``mewslix/`` (formats: plugins/tasks/dual_retrieval.py).

        Every WikiNews gold entity and every Wikipedia-dev gold sits at a random position of
        the candidate set; the rest is filler whose descriptions follow the release's language
        mix. Training pairs' entities are outside the set (upstream splits by QID)."""
        spec, f, folder = self.sizes["mewslix"], self.fraction, self.out / "mewslix"
        rng = Draw(self.pools, "en", "mewslix", "plan").rng
        news = {}  # (split, lang) -> (mentions, articles, distinct gold entities)
        for split in ("dev", "test"):
            for lang in spec["counts"][split]:
                n = self.n("mewslix", split, lang)
                articles, entities = (
                    scaled(spec[k][split][lang], f) for k in ("articles", "entities")
                )
                news[split, lang] = (n, min(n, articles), min(n, entities))
        dev_pairs = scaled(spec["wikipedia_pairs_dev"]["mentions"], f)
        dev_golds = min(dev_pairs, scaled(spec["wikipedia_pairs_dev"]["entities"], f))
        golds = sum(e for _, _, e in news.values()) + dev_golds
        size = max(scaled(spec["candidates"], f), golds)
        positions = rng.choice(size, golds, replace=False).tolist()
        mix = {
            k: v for k, v in spec["description_languages"].items() if k in self.pools.languages()
        }
        weights = np.array(list(mix.values()), dtype=float) / sum(mix.values())
        draws: dict[tuple[str, str], Draw] = {}

        def entities(ids: list[str], langs: list[str] | None = None) -> list[dict]:
            langs = langs or rng.choice(list(mix), len(ids), p=weights).tolist()
            return self._entities(ids, langs, draws)

        gold_ids = [f"Q{p + 1}" for p in positions]
        gold = entities(gold_ids[: golds - dev_golds]) + entities(
            gold_ids[golds - dev_golds :], ["en"] * dev_golds
        )
        fixed = dict(zip(positions, gold, strict=True))

        def candidates(o: int, c: int) -> list[dict[str, Any]]:
            filler = entities([f"Q{o + i + 1}" for i in range(c)])
            return [fixed.get(o + i, e) for i, e in enumerate(filler)]

        write_jsonl(folder / "candidate_set_entities.jsonl", size, candidates)
        self.rows["mewslix"] += size + dev_pairs
        taken = 0
        for (split, lang), (n, articles, distinct) in news.items():
            ids = gold_ids[taken : taken + distinct]
            taken += distinct
            self._wikinews(split, lang, n, articles, [ids[j % distinct] for j in range(n)])
        train = self.n("mewslix", "train", "en")
        train_entities = min(train, scaled(spec["entities"]["train"]["en"], f))
        own = [f"Q{size + i + 1}" for i in range(train_entities)]
        for split, n, pool in (
            ("train", train, entities(own, ["en"] * train_entities)),
            ("dev", dev_pairs, gold[golds - dev_golds :]),
        ):
            self._wikipedia_pairs(folder / f"wikipedia_pairs-{split}.jsonl", n, pool, draws)

    def _entities(
        self, ids: list[str], langs: list[str], draws: dict[tuple[str, str], Draw]
    ) -> list[dict[str, Any]]:
        """Candidate-set entities: 1-3 description sentences in each entity's language."""
        out: list[dict[str, Any]] = [{}] * len(ids)
        by_language: dict[str, list[int]] = defaultdict(list)
        for i, lang in enumerate(langs):
            by_language[lang].append(i)
        for lang, which in by_language.items():
            key = ("entities", lang)
            draw = draws.setdefault(key, Draw(self.pools, lang, "mewslix", *key))
            sizes = draw.rng.integers(1, 4, len(which)).tolist()
            windows, at = draw.windows("mel_sentence", sum(sizes)), 0
            for i, k in zip(which, sizes, strict=True):
                sentences, at = windows[at : at + k], at + k
                text, spans = _passage(sentences, draw.joiner)
                title = draw.joiner.join(sentences[0][:3])
                out[i] = {
                    "entity_id": ids[i],
                    "title": title,
                    "description": text,
                    "description_language": lang,
                    "description_url": f"https://{lang}.wikipedia.org/wiki/"
                    + quote(title.replace(" ", "_")),
                    "sentence_spans": [{"start": a, "end": b} for a, b in spans],
                }
        return out

    def _wikinews(self, split: str, lang: str, n: int, articles: int, golds: list[str]) -> None:
        """``wikinews_mentions/{split}-{lang}.jsonl`` (``json.dumps`` defaults, as XTREME's
        ``mewslix_preprocess``; test ``entity_id`` blank) and ``wikinews_labels/`` (+ ``labels/``
        for test): example id -> [gold QID]."""
        draw = Draw(self.pools, lang, "mewslix", split)
        per = (1 + draw.rng.multinomial(n - articles, [1 / articles] * articles)).tolist()
        golds = [golds[i] for i in draw.rng.permutation(n).tolist()]
        lines, labels, done = [], {}, 0
        for a, count in enumerate(per):
            sizes = max(count, int(draw.rng.integers(3, 12)))
            sentences = draw.windows("mel_sentence", sizes)
            text, spans = _passage(sentences, draw.joiner)
            title = draw.joiner.join(sentences[0][:4])
            where = sorted(draw.rng.integers(0, sizes, count).tolist())
            mentions = []
            for k, length, frac in zip(
                where,
                draw.lengths("mel_mention", count),
                draw.rng.random(count).tolist(),
                strict=True,
            ):
                example_id = hashlib.md5(f"mewslix/{split}/{lang}/{done}".encode()).hexdigest()
                labels[example_id] = [golds[done]]
                mentions.append(
                    {
                        "example_id": example_id,
                        "mention_span": _span(sentences[k], spans[k][0], frac, length, draw.joiner),
                        "entity_id": "" if split == "test" else golds[done],
                    }
                )
                done += 1
            context = {
                "document_title": title,
                "document_url": f"https://{lang}.wikinews.org/wiki/"
                + quote(title.replace(" ", "_")),
                "document_id": f"{lang}-{split}-{a:06d}",
                "language": lang,
                "text": text,
                "sentence_spans": [{"start": s, "end": e} for s, e in spans],
            }
            lines.append(json.dumps({"context": context, "mentions": mentions}))
        folder = self.out / "mewslix"
        write_lines(
            folder / "wikinews_mentions" / f"{split}-{lang}.jsonl",
            len(lines),
            lambda o, c: lines[o : o + c],
        )
        # mewslix_preprocess blanks test labels ([""]); the gold sits in labels/mewslix/
        blank = {k: [""] for k in labels} if split == "test" else labels
        with _open(folder / "wikinews_labels" / f"{split}-{lang}.json") as out:
            out.write(json.dumps(blank))
        if split == "test":
            with _open(self.out / "labels" / "mewslix" / f"test-{lang}.json") as out:
                out.write(json.dumps(labels))

    def _wikipedia_pairs(
        self, path: Path, n: int, pool: list[dict[str, Any]], draws: dict[tuple[str, str], Draw]
    ) -> None:
        """English MentionEntityPairs: up to five sentences of a page around the mention."""
        key = ("pairs", path.stem)
        draw = draws.setdefault(key, Draw(self.pools, "en", "mewslix", *key))

        def make(o: int, c: int) -> list[dict[str, Any]]:
            sizes = draw.rng.integers(1, 6, c).tolist()
            windows, at, out = draw.windows("mel_sentence", sum(sizes)), 0, []
            pages = draw.rng.integers(1, 10**8, c).tolist()
            lengths = draw.lengths("mel_mention", c)
            for i, (k, page, length) in enumerate(zip(sizes, pages, lengths, strict=True)):
                sentences, at = windows[at : at + k], at + k
                text, spans = _passage(sentences, " ")
                pick = int(draw.rng.integers(0, k))
                entity = pool[(o + i) * len(pool) // n]
                title = " ".join(sentences[0][:2])
                context = {
                    "document_title": title,
                    "document_url": "https://en.wikipedia.org/wiki/"
                    + quote(title.replace(" ", "_")),
                    "document_id": f"Q{page}",
                    "language": "en",
                    "text": text,
                    "sentence_spans": [{"start": s, "end": e} for s, e in spans],
                    "section_title": " ".join(sentences[-1][:2]),
                }
                mention = {
                    "example_id": hashlib.md5(f"{path.stem}/{o + i}".encode()).hexdigest(),
                    "mention_span": _span(
                        sentences[pick], spans[pick][0], draw.rng.random(), length, " "
                    ),
                    "entity_id": entity["entity_id"],
                }
                out.append(
                    {
                        "contextual_mention": {"context": context, "mention": mention},
                        "entity": entity,
                    }
                )
            return out

        write_jsonl(path, n, make)

    def lareqa(self) -> None:
        """``lareqa/xquad-r/{lang}.json``: the same paragraphs and questions (ids) in every
        language, SQuAD v1.1 plus ``sentences``/``sentence_breaks``, sorted keys, ASCII."""
        spec = self.sizes["lareqa"]
        for lang in spec["counts"]["test"]:
            n = self.n("lareqa", "test", lang)
            plan = Draw(self.pools, "en", "lareqa", "plan").rng  # parallel across languages
            paragraphs = min(n, scaled(spec["paragraphs"], self.fraction))
            asked = (1 + plan.multinomial(n - paragraphs, [1 / paragraphs] * paragraphs)).tolist()
            sizes = np.maximum(
                1, plan.poisson(spec["sentences_per_paragraph"], paragraphs)
            ).tolist()
            draw = Draw(self.pools, lang, "lareqa", "test")
            windows, at, q, articles = draw.windows("xquad_sentence", sum(sizes)), 0, 0, []
            questions, lengths = draw.texts("question", n), draw.lengths("answer", n)
            for p, (k, count) in enumerate(zip(sizes, asked, strict=True)):
                sentences, at = windows[at : at + k], at + k
                context, spans = _passage(sentences, draw.joiner)
                qas = []
                for s, frac in zip(
                    plan.integers(0, k, count).tolist(), plan.random(count).tolist(), strict=True
                ):
                    span = _span(sentences[s], spans[s][0], frac, lengths[q], draw.joiner)
                    qas.append(
                        {
                            "answers": [{"answer_start": span["start"], "text": span["text"]}],
                            "id": hashlib.md5(f"lareqa/{q}".encode()).hexdigest()[:24],
                            "question": questions[q] + "?",
                        }
                    )
                    q += 1
                paragraph = {
                    "context": context,
                    "qas": qas,
                    "sentence_breaks": [[a, b] for a, b in spans],
                    "sentences": [context[a:b] for a, b in spans],
                }
                if p % spec["paragraphs_per_article"] == 0:
                    articles.append({"paragraphs": [], "title": f"XQuAD_R_{len(articles):03d}"})
                articles[-1]["paragraphs"].append(paragraph)
            with _open(self.out / "lareqa" / "xquad-r" / f"{lang}.json") as out:
                out.write(json.dumps({"data": articles, "version": "1.1"}, sort_keys=True))

    # -- multiple choice -------------------------------------------------------------------
    def multiple_choice(self, name: str) -> None:
        """The released train/dev files of HellaSwag, CosmosQA, CommonsenseQA, SocialIQA."""
        files, choices = MC_FILES[name]
        for split, file in zip(("train", "dev"), files.split(), strict=True):
            n, draw = self.n(name, split, "en"), Draw(self.pools, "en", name, split)
            ctx, q = draw.texts("mc_context", n), [f"{t}?" for t in draw.texts("question", n)]
            opts = draw.texts("mc_choice", n * choices)
            gold = draw.rng.integers(0, choices, n).tolist()
            path, ends = self.out / file, [opts[choices * i : choices * (i + 1)] for i in range(n)]
            if name == "cosmosqa":
                with _open(path) as out:
                    w = csv.writer(out, lineterminator="\n")
                    w.writerow(
                        [
                            "id",
                            "context",
                            "question",
                            "answer0",
                            "answer1",
                            "answer2",
                            "answer3",
                            "label",
                        ]
                    )
                    w.writerows([f"c{i}", ctx[i], q[i], *ends[i], gold[i]] for i in range(n))
                continue
            if name == "hellaswag":
                rows = [
                    dict(
                        ind=i,
                        activity_label="rehearsal",
                        ctx_a=ctx[i],
                        ctx_b="",
                        ctx=ctx[i],
                        split=split,
                        split_type="indomain",
                        label=gold[i],
                        endings=ends[i],
                        source_id=f"h{i}",
                    )
                    for i in range(n)
                ]
            elif name == "commonsenseqa":
                rows = [
                    dict(
                        answerKey="ABCDE"[gold[i]],
                        id=f"q{i}",
                        question=dict(
                            question_concept="x",
                            stem=q[i],
                            choices=[
                                {"label": "ABCDE"[c], "text": t} for c, t in enumerate(ends[i])
                            ],
                        ),
                    )
                    for i in range(n)
                ]
            else:
                rows = [
                    dict(
                        context=ctx[i],
                        question=q[i],
                        answerA=ends[i][0],
                        answerB=ends[i][1],
                        answerC=ends[i][2],
                    )
                    for i in range(n)
                ]
                labels = [str(g + 1) for g in gold]
                write_lines(
                    path.with_name(f"{split}-labels.lst"), n, lambda o, c, x=labels: x[o : o + c]
                )
            write_jsonl(path, n, lambda o, c, rows=rows: rows[o : o + c])

    def xcopa(self) -> None:
        """XTREME's ``xcopa/``: SuperGLUE COPA as ``{train,val,test}-en.jsonl``, cambridgeltl/xcopa
        as ``{val,test}-{lang}.jsonl``; every test label 0 as ``utils_preprocess.py`` writes
        them, the gold ones in ``labels/xcopa/test-{lang}.jsonl``."""
        for split, langs in self.counts("xcopa").items():
            for lang in langs:
                n, draw = self.n("xcopa", split, lang), Draw(self.pools, lang, "xcopa", split)
                premises, alts = draw.texts("mc_context", n), draw.texts("mc_choice", 2 * n)
                gold = draw.rng.integers(0, 2, n).tolist()
                rows = [
                    dict(
                        premise=premises[i],
                        choice1=alts[2 * i],
                        choice2=alts[2 * i + 1],
                        question=("cause", "effect")[i % 2],
                        label=0 if split == "test" else gold[i],
                        idx=i,
                        **({} if lang == "en" else {"changed": False}),
                    )
                    for i in range(n)
                ]
                part = "val" if split == "dev" else split
                path = self.out / "xcopa" / f"{part}-{lang}.jsonl"
                write_jsonl(path, n, lambda o, c, rows=rows: rows[o : o + c])
                if split == "test" and lang != "en":  # English COPA's test labels are unpublished
                    labels = [{"label": g} for g in gold]
                    path = self.out / "labels" / "xcopa" / f"test-{lang}.jsonl"
                    write_jsonl(path, n, lambda o, c, x=labels: x[o : o + c])


MC_FILES = {
    "hellaswag": ("hellaswag/hellaswag_train.jsonl hellaswag/hellaswag_val.jsonl", 4),
    "cosmosqa": ("cosmosqa/train.csv cosmosqa/valid.csv", 4),
    "commonsenseqa": ("commonsenseqa/train_rand_split.jsonl commonsenseqa/dev_rand_split.jsonl", 5),
    "socialiqa": (
        "socialiqa/socialiqa-train-dev/train.jsonl socialiqa/socialiqa-train-dev/dev.jsonl",
        3,
    ),
}


QA_FILES = {
    "xquad": "xquad/xquad.{1}.json",
    "mlqa": "mlqa/MLQA_V1/{0}/{0}-context-{1}-question-{1}.json",
}


def _tydiqa_file(split: str, lang: str) -> str:
    part = "train" if split == "train" else "dev"  # XTREME's test split is the dev set
    return f"tydiqa/tydiqa-goldp-v1.1-{part}/tydiqa.goldp.{lang}.{part}.json"


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


def _stripped(article: dict[str, Any]) -> list[dict[str, Any]]:
    """XTREME's ``remove_qa_test_annotations``: an article per question, answer hidden."""
    par = article["paragraphs"][0]
    hidden = [{"answer_start": 0, "text": ""}]
    return [
        {"paragraphs": [{"context": par["context"], "qas": [dict(qa, answers=hidden)]}]}
        for qa in par["qas"]
    ]


def _stripped_json(article: dict[str, Any]) -> str:
    return json.dumps(article, ensure_ascii=False)


def _squad_file(version: str) -> Callable[[str, str], str]:
    return lambda split, lang: f"squad/{'train' if split == 'train' else 'dev'}-v{version}.json"


WRITERS: dict[str, Callable[[Writer], None]] = {
    "xnli": lambda w: w.xtreme_pairs("xnli", ("contradiction", "entailment", "neutral"), "nli"),
    "pawsx": lambda w: w.xtreme_pairs("pawsx", ("0", "1"), "paws"),
    "udpos": lambda w: w.tagging("udpos"),
    "panx": lambda w: w.tagging("panx"),
    "squad": lambda w: w.qa("squad", "squad_context", _squad_file("1.1"), "1.1"),
    "squad_v2": lambda w: w.qa("squad_v2", "squad_context", _squad_file("2.0"), "v2.0"),
    "xquad": lambda w: w.qa("xquad", "squad_context", QA_FILES["xquad"].format, "1.0", ("test",)),
    "mlqa": lambda w: w.qa("mlqa", "mlqa_context", QA_FILES["mlqa"].format, "1.0", ("test",)),
    "tydiqa": lambda w: w.qa("tydiqa", "tydiqa_context", _tydiqa_file, "1.1", ("test",)),
    "bucc2018": Writer.bucc,
    "tatoeba": Writer.tatoeba,
    "mnli": Writer.mnli,
    "qqp": Writer.qqp,
    "snli": Writer.snli,
    "anli": Writer.anli,
    "xcopa": Writer.xcopa,
    "mewslix": Writer.mewslix,
    "lareqa": Writer.lareqa,
    **{
        name: (lambda w, name=name: w.multiple_choice(name))
        for name in ("hellaswag", "cosmosqa", "commonsenseqa", "socialiqa")
    },
}
NEEDS = {
    "xquad": ["squad"],
    "mlqa": ["squad"],
    "lareqa": ["squad"],
    "anli+": ["anli", "mnli", "snli"],
}
"""Harness tasks whose data lives in other releases (training sets, ANLI+'s parts)."""


def generate(
    out: Path,
    fraction: float,
    tasks: Sequence[str] | None = None,
    seed: int = 0,
    sizes: dict[str, Any] | None = None,
) -> dict[str, int]:
    """Write the data of ``tasks`` (harness task names; default all) under ``out``.

    Returns rows written per release.
    """
    if not 0 < fraction <= 1:
        raise SystemExit(f"--fraction must be in (0, 1], got {fraction}")
    wanted: list[str] = []
    for name in tasks or WRITERS:
        parts = NEEDS.get(name, []) + ([name] if name in WRITERS else [])
        if not parts:
            raise SystemExit(f"unknown task '{name}'; choose from {', '.join([*WRITERS, *NEEDS])}")
        wanted += [p for p in parts if p not in wanted]
    writer = Writer(out, fraction, Pools(seed=seed), sizes or load_sizes())
    for name in wanted:
        WRITERS[name](writer)
    return dict(writer.rows)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", type=Path, help="folder to write (created; use an empty one)")
    parser.add_argument(
        "--fraction", type=float, default=0.01, help="of the real sizes, 0.01 ... 1.0"
    )
    parser.add_argument("--tasks", nargs="+", metavar="TASK", help="only these (default: all)")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    started = time.perf_counter()
    rows = generate(args.out, args.fraction, args.tasks, args.seed)
    size = sum(p.stat().st_size for p in args.out.rglob("*") if p.is_file())
    print(
        f"wrote {sum(rows.values()):,} rows ({size / 2**20:,.1f} MiB) of {len(rows)} releases at "
        f"{args.fraction:g} x real size to {args.out} in {time.perf_counter() - started:.1f}s",
        file=sys.stderr,
    )


if __name__ == "__main__":
    main()
