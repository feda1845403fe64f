"""Write the bundled sentence-pair samples (XNLI, PAWS-X, MNLI, QQP, SNLI, ANLI) in each
release's exact file format.

English training sets are drawn from the templates of ``scripts/sample_sources/``
(``nli_templates.json``, ``pawsx_templates.json``, ``qqp_templates.json``) with one seeded RNG,
so the output is reproducible; the multilingual dev/test sets are the hand-written parallel
items of ``xnli_parallel.json`` and ``pawsx_parallel.json``. Run from the repository root
(or pass another output folder):

    python scripts/make_samples.py [OUT]
"""

from __future__ import annotations

import csv
import json
import random
from pathlib import Path

from sample_io import DATA, output_folder, source

_NLI = source("nli_templates.json")
PEOPLE: list[list[str]] = _NLI["people"]  # [who, the, generic]
ACTIVITIES: list[list[str]] = _NLI["activities"]  # [activity, more general, contradicting]
PLACES: list[str] = _NLI["places"]
REASONS: list[str] = _NLI["reasons"]
NEGATIONS: list[str] = _NLI["negations"]
PAWS = source("pawsx_templates.json")
QQP = source("qqp_templates.json")


def nli_triples(rng: random.Random, n_premises: int) -> list[tuple[str, str, str]]:
    """(premise, hypothesis, label) with the three hypotheses of each premise, as in MNLI."""
    out = []
    for _ in range(n_premises):
        who, the, generic = rng.choice(PEOPLE)
        act, act_general, other = rng.choice(ACTIVITIES)
        place = rng.choice(PLACES)
        verb = "are" if the.endswith(("women", "students", "children")) else "is"
        premise = f"{who} {verb} {act} {place}."
        gverb = "are" if generic.startswith("Some") else "is"
        entail = rng.choice(
            [
                f"{generic} {gverb} {act_general}.",
                f"{the} {verb} {act_general} {place}.",
                f"Someone is {act}.",
            ]
        )
        neutral = f"{the} {verb} {act} {rng.choice(REASONS)}."
        contra = rng.choice(NEGATIONS).format(the=the, act=act, other=other)
        if verb == "are":
            contra = contra.replace(" is ", " are ").replace("Nobody are", "Nobody is")
        out += [
            (premise, entail, "entailment"),
            (premise, neutral, "neutral"),
            (premise, contra, "contradiction"),
        ]
    return out


# Person-acts-on-person cores from transitive verbs: (active, passive, kind), one per tail.
VERB_CORES = [
    (f"{{X}} {active} {{Y}}{tail}", f"{{Y}} {passive} {{X}}{tail}", "person")
    for active, passive in PAWS["verbs"]
    for tail in PAWS["verb_tails"]
]


def _fillers(rng: random.Random, kind: str) -> tuple[str, str]:
    """Two different fillers of the {X} and {Y} slots of a core of this kind."""
    if kind == "person":
        pool = [f"{n} {s}" for n in PAWS["names"] for s in PAWS["surnames"]]
    elif kind == "year":
        return tuple(str(y) for y in sorted(rng.sample(range(1950, 2016), 2)))  # type: ignore[return-value]
    else:
        pool = PAWS["fillers"][kind]
    a, b = rng.sample(pool, 2)
    return a, b


def _sentence(core: str, adjunct: str, front: bool) -> str:
    """Place the adjunct before or after the core clause, with PAWS-like punctuation."""
    text = f"{adjunct}, {core}" if front else f"{core} {adjunct}"
    return text[0].upper() + text[1:] + "."


def paws_pairs(rng: random.Random, n: int) -> list[tuple[str, str, str]]:
    """PAWS-style pairs with high word overlap, built the way PAWS was (Zhang et al. 2019).

    Label 0 swaps two entities whose roles differ (PAWS's word swapping); label 1 keeps the
    meaning while moving words around: the adjunct moves, the voice changes or, rarely,
    two interchangeable entities swap (PAWS's back-translated positives).
    """
    out = []
    for i in range(n):
        keep_meaning = i % 2 == 0
        adjunct = rng.choice(PAWS["adjuncts"])
        adjunct = adjunct.format(year=rng.randint(1950, 2015), day=rng.choice(PAWS["adjunct_days"]))
        front = rng.random() < 0.5
        names, surnames = PAWS["names"], PAWS["surnames"]
        context = {
            "C": rng.choice(PAWS["fillers"]["city"]),
            "R": rng.choice(PAWS["roles"]),
            "P": f"{rng.choice(names)} {rng.choice(surnames)}",
            "Q": f"{rng.choice(names)} {rng.choice(surnames)}",
        }
        if keep_meaning and rng.random() < 0.1:
            core, kind = rng.choice(PAWS["symmetric"])
            x, y = _fillers(rng, kind)
            s1 = _sentence(core.format(X=x, Y=y), adjunct, front)
            s2 = _sentence(core.format(X=y, Y=x), adjunct, not front)
            out.append((s1, s2, "1"))
            continue
        cores = PAWS["asymmetric"] if rng.random() < 0.6 else VERB_CORES
        core, other_order, kind = rng.choice(cores)
        x, y = _fillers(rng, kind)
        s1 = _sentence(core.format(X=x, Y=y, **context), adjunct, front)
        if keep_meaning:
            form = other_order if other_order and rng.random() < 0.5 else core
            move = form is core or rng.random() < 0.5  # the adjunct moves unless the voice did
            s2 = _sentence(form.format(X=x, Y=y, **context), adjunct, not front if move else front)
        else:
            s2 = _sentence(core.format(X=y, Y=x, **context), adjunct, front)
        out.append((s1, s2, "1" if keep_meaning else "0"))
    return out


def qqp_pairs(rng: random.Random, n: int) -> list[tuple[str, str, str]]:
    """(question1, question2, is_duplicate): two forms of one topic, or of two topics."""
    topics, forms = QQP["topics"], QQP["forms"]
    out = []
    for i in range(n):
        topic = rng.choice(topics)
        q1 = rng.choice(forms).format(topic)
        if i % 2 == 0:
            q2 = rng.choice([f for f in forms if f.format(topic) != q1]).format(topic)
            out.append((q1, q2, "1"))
        else:
            other = rng.choice([t for t in topics if t != topic])
            out.append((q1, rng.choice(forms).format(other), "0"))
    return out


def write_tsv(path: Path, rows: list[list[str]], header: list[str] | None = None) -> None:
    """Tab-separated as the releases are (XTREME writes with csv.writer, no header)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, delimiter="\t", lineterminator="\n")
        if header:
            writer.writerow(header)
        writer.writerows(rows)


def write_jsonl(path: Path, records: list[dict]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), "utf-8")


MNLI_TRAIN_HEADER = [
    "index",
    "promptID",
    "pairID",
    "genre",
    "sentence1_binary_parse",
    "sentence2_binary_parse",
    "sentence1_parse",
    "sentence2_parse",
    "sentence1",
    "sentence2",
    "label1",
    "gold_label",
]
MNLI_DEV_HEADER = MNLI_TRAIN_HEADER[:11] + ["label2", "label3", "label4", "label5", "gold_label"]


def glue_mnli(triples, dev: bool) -> list[list[str]]:
    rows = []
    for i, (p, h, label) in enumerate(triples):
        extra = [label] * 5 if dev else [label]
        rows.append(
            [
                str(i),
                str(10000 + i // 3),
                f"{10000 + i // 3}{'enc'[i % 3]}",
                "fiction",
                "",
                "",
                "",
                "",
                p,
                h,
                *extra,
                label,
            ]
        )
    return rows


def main(out: Path = DATA) -> None:
    """Every file, drawn from one RNG in a fixed order (reordering changes every sample)."""
    rng = random.Random(2020)
    # XTREME download layout: xnli/ and pawsx/ (English train; dev/test per language)
    write_tsv(out / "xnli" / "train-en.tsv", [list(t) for t in nli_triples(rng, 220)])
    write_tsv(out / "pawsx" / "train-en.tsv", [list(t) for t in paws_pairs(rng, 640)])
    xnli = source("xnli_parallel.json")
    half = len(xnli["items"]) // 2
    for lang in xnli["languages"]:
        for split, items in (("dev", xnli["items"][:half]), ("test", xnli["items"][half:])):
            rows = [
                [it["premise"][lang], h["text"][lang], h["label"]]
                for it in items
                for h in it["hypotheses"]
            ]
            if split == "test":  # XTREME strips test labels; evaluate.py reads them from labels/
                write_tsv(out / "xnli" / f"test-{lang}.tsv", [r[:2] for r in rows])
                write_tsv(out / "labels" / "xnli" / f"test-{lang}.tsv", [[r[2]] for r in rows])
            else:
                write_tsv(out / "xnli" / f"dev-{lang}.tsv", rows)
    paws = source("pawsx_parallel.json")
    half = len(paws["items"]) // 2
    for lang in paws["languages"]:
        for split, items in (("dev", paws["items"][:half]), ("test", paws["items"][half:])):
            rows = [
                [it["sentence1"][lang], it["sentence2"][lang], str(it["label"])] for it in items
            ]
            if split == "test":
                write_tsv(out / "pawsx" / f"test-{lang}.tsv", [r[:2] for r in rows])
                write_tsv(out / "labels" / "pawsx" / f"test-{lang}.tsv", [[r[2]] for r in rows])
            else:
                write_tsv(out / "pawsx" / f"dev-{lang}.tsv", rows)
    # GLUE layout: MNLI/ and QQP/
    write_tsv(
        out / "MNLI" / "train.tsv", glue_mnli(nli_triples(rng, 400), dev=False), MNLI_TRAIN_HEADER
    )
    write_tsv(
        out / "MNLI" / "dev_matched.tsv", glue_mnli(nli_triples(rng, 30), dev=True), MNLI_DEV_HEADER
    )
    for split, n in (("train", 800), ("dev", 100)):
        write_tsv(
            out / "QQP" / f"{split}.tsv",
            [[str(i), str(2 * i), str(2 * i + 1), *q] for i, q in enumerate(qqp_pairs(rng, n))],
            ["id", "qid1", "qid2", "question1", "question2", "is_duplicate"],
        )
    # SNLI 1.0 and ANLI v1.0 jsonl releases
    for split, n in (("train", 100), ("dev", 20)):
        records = []
        for i, (p, h, label) in enumerate(nli_triples(rng, n)):
            gold = "-" if i % 17 == 16 else label  # no-consensus rows exist in the release
            records.append(
                {
                    "annotator_labels": [label] * 5,
                    "captionID": f"{i}.jpg#0",
                    "gold_label": gold,
                    "pairID": f"{i}.jpg#0r1{label[0]}",
                    "sentence1": p,
                    "sentence1_binary_parse": "",
                    "sentence1_parse": "",
                    "sentence2": h,
                    "sentence2_binary_parse": "",
                    "sentence2_parse": "",
                }
            )
        write_jsonl(out / "snli_1.0" / f"snli_1.0_{split}.jsonl", records)
    for r in ("R1", "R2", "R3"):
        for split, n in (("train", 40), ("dev", 10)):
            write_jsonl(
                out / "anli_v1.0" / r / f"{split}.jsonl",
                [
                    {
                        "uid": f"{r}-{split}-{i}",
                        "context": p,
                        "hypothesis": h,
                        "label": label[0],
                        "model_label": label[0],
                        "emturk": False,
                        "genre": "wiki",
                        "reason": "",
                        "tag": "",
                    }
                    for i, (p, h, label) in enumerate(nli_triples(rng, n))
                ],
            )


if __name__ == "__main__":
    main(output_folder(__doc__))
