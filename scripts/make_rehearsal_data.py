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
import sys
import time
from collections.abc import Callable, Sequence
from contextlib import ExitStack
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))  # the rehearsal_* modules beside
from rehearsal_common import (  # noqa: E402
    Draw,
    Pools,
    WriterBase,
    _open,
    _tile,
    load_sizes,
    scaled,
    write_jsonl,
    write_lines,
)
from rehearsal_qa import QA_FILES, QAWriters, _squad_file, _tydiqa_file  # noqa: E402
from rehearsal_retrieval import RetrievalWriters  # noqa: E402

__all__ = ["generate", "load_sizes", "main", "scaled"]


class Writer(QAWriters, RetrievalWriters, WriterBase):
    """Every release's writer: sentence pairs, tagging and multiple choice here, QA and
    retrieval in their modules."""

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
