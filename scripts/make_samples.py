"""Write the bundled sample data (plugins/tasks/data/) in each release's exact file format.

English training sets come from small templates (seeded, so the output is reproducible);
the multilingual dev/test sets are hand-written parallel items in
``scripts/sample_sources/*.json``. Run from the repository root:

    python scripts/make_samples.py
"""

from __future__ import annotations

import csv
import json
import random
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "plugins" / "tasks" / "data"
SOURCES = Path(__file__).resolve().parent / "sample_sources"

PEOPLE = [
    ("A man", "The man", "A person"),
    ("A woman", "The woman", "A person"),
    ("A young girl", "The girl", "A child"),
    ("A little boy", "The boy", "A child"),
    ("An old man", "The old man", "A person"),
    ("Two women", "The women", "Some people"),
    ("A group of students", "The students", "Some people"),
    ("A tall man in a red shirt", "The man", "A man"),
    ("A woman with a hat", "The woman", "A woman"),
    ("A dog", "The dog", "An animal"),
    ("A black cat", "The cat", "An animal"),
    ("Three children", "The children", "Some kids"),
    ("A chef", "The chef", "A cook"),
    ("A police officer", "The officer", "A person"),
    ("A teenager", "The teenager", "A young person"),
]
ACTIVITIES = [
    ("playing the guitar", "playing an instrument", "sleeping"),
    ("riding a bicycle", "riding something", "sitting on a sofa"),
    ("eating an apple", "eating fruit", "drinking coffee"),
    ("reading a newspaper", "reading", "swimming in a lake"),
    ("running along the beach", "running", "lying in bed"),
    ("cooking dinner", "preparing food", "watching television"),
    ("painting a wall", "painting", "dancing at a party"),
    ("playing football", "playing a sport", "sleeping"),
    ("washing a car", "cleaning a vehicle", "flying a plane"),
    ("climbing a mountain", "climbing", "sitting at a desk"),
    ("singing a song", "singing", "crying quietly"),
    ("walking in the rain", "walking outside", "sitting indoors"),
    ("buying bread", "shopping", "sleeping at home"),
    ("writing a letter", "writing", "running a marathon"),
    ("feeding the birds", "feeding animals", "driving a truck"),
]
PLACES = [
    "on the street",
    "in the park",
    "in a kitchen",
    "at the market",
    "near a river",
    "in a small village",
    "on a busy road",
    "in the garden",
    "at the station",
    "outside a shop",
]
REASONS = [
    "for money",
    "because it is a holiday",
    "with a best friend",
    "for the first time",
    "to win a prize",
    "before going to work",
    "for a school project",
    "after a long day",
    "while waiting for a bus",
    "to impress someone",
]
NEGATIONS = [
    "{the} is not {act}.",
    "Nobody is {act}.",
    "{the} is {other}.",
    "{the} is {other} at home.",
]


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


NAMES = [
    "Maria",
    "John",
    "Akira",
    "Fatima",
    "Carlos",
    "Ingrid",
    "Pierre",
    "Olga",
    "Tom",
    "Aisha",
    "Hans",
    "Lucia",
    "Kenji",
    "Sara",
    "David",
    "Elena",
]
CITIES = [
    "Lisbon",
    "Paris",
    "Berlin",
    "Madrid",
    "Rome",
    "Vienna",
    "Prague",
    "Oslo",
    "Dublin",
    "Warsaw",
    "Athens",
    "Boston",
    "Chicago",
    "Toronto",
    "Sydney",
    "Tokyo",
]
DAYS = ["Monday", "Tuesday", "Friday", "Sunday"]
TEAMS = ["Arsenal", "Benfica", "Ajax", "Porto", "Celtic", "Lyon", "Napoli", "Sevilla"]


def paws_pairs(rng: random.Random, n: int) -> list[tuple[str, str, str]]:
    """PAWS-style pairs: label 1 reorders without changing meaning, label 0 swaps roles."""
    out = []
    for i in range(n):
        a, b = rng.sample(NAMES, 2)
        c1, c2 = rng.sample(CITIES, 2)
        t1, t2 = rng.sample(TEAMS, 2)
        year = rng.randint(1950, 2015)
        kind = rng.randrange(7)
        if kind == 0:  # (same order, reordered) x (meaning kept, roles swapped)
            s1 = f"In {year}, {a} moved from {c1} to {c2}."
            para = [
                f"{a} moved from {c1} to {c2} in {year}.",
                f"In {year}, {a} went from {c1} to {c2}.",
            ]
            swap = [
                f"In {year}, {a} moved from {c2} to {c1}.",
                f"{a} moved from {c2} to {c1} in {year}.",
            ]
        elif kind == 1:
            s1 = f"{a} was born in {c1} and later worked in {c2}."
            para = [
                f"Born in {c1}, {a} later worked in {c2}.",
                f"{a} was born in {c1} and then worked in {c2}.",
            ]
            swap = [
                f"{a} was born in {c2} and later worked in {c1}.",
                f"Born in {c2}, {a} later worked in {c1}.",
            ]
        elif kind == 2:
            s1 = f"{t1} defeated {t2} in the final of {year}."
            para = [
                f"In the final of {year}, {t1} defeated {t2}.",
                f"{t1} beat {t2} in the final of {year}.",
            ]
            swap = [
                f"{t2} defeated {t1} in the final of {year}.",
                f"In the final of {year}, {t2} defeated {t1}.",
            ]
        elif kind == 4:
            day = rng.choice(DAYS)
            s1 = f"The train from {c1} to {c2} was late on {day}."
            para = [
                f"On {day}, the train from {c1} to {c2} was late.",
                f"The train going from {c1} to {c2} was late on {day}.",
            ]
            swap = [
                f"The train from {c2} to {c1} was late on {day}.",
                f"On {day}, the train from {c2} to {c1} was late.",
            ]
        elif kind == 5:
            s1 = f"{a} was born in {year}, two years before {b}."
            para = [
                f"{b} was born two years after {a}, who was born in {year}.",
                f"Born in {year}, {a} is two years older than {b}.",
            ]
            swap = [
                f"{b} was born in {year}, two years before {a}.",
                f"{a} was born two years after {b}, who was born in {year}.",
            ]
        elif kind == 6:
            s1 = f"The bridge in {c1} was designed by {a} and built by {b}."
            para = [
                f"{a} designed the bridge in {c1}, and {b} built it.",
                f"The bridge in {c1} was built by {b} and designed by {a}.",
            ]
            swap = [
                f"The bridge in {c1} was designed by {b} and built by {a}.",
                f"{b} designed the bridge in {c1}, and {a} built it.",
            ]
        else:
            s1 = f"{a} is older than {b}, who lives in {c1}."
            para = [
                f"{b}, who lives in {c1}, is younger than {a}.",
                f"{b} is younger than {a} and lives in {c1}.",
            ]
            swap = [
                f"{b} is older than {a}, who lives in {c1}.",
                f"{a}, who lives in {c1}, is younger than {b}.",
            ]
        para, swap = rng.choice(para), rng.choice(swap)
        out.append((s1, para, "1") if i % 2 == 0 else (s1, swap, "0"))
    return out


def qqp_pairs(rng: random.Random, n: int) -> list[tuple[str, str, str]]:
    topics = [
        "Python",
        "French",
        "the guitar",
        "chess",
        "cooking",
        "statistics",
        "swimming",
        "photography",
        "Japanese",
        "machine learning",
        "public speaking",
        "drawing",
    ]
    forms = [
        "How do I learn {}?",
        "What is the best way to learn {}?",
        "How can I get better at {}?",
        "What are good resources for learning {}?",
    ]
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


def main() -> None:
    rng = random.Random(2020)
    # XTREME download layout: xnli/ and pawsx/ (English train; dev/test per language)
    write_tsv(OUT / "xnli" / "train-en.tsv", [list(t) for t in nli_triples(rng, 220)])
    write_tsv(OUT / "pawsx" / "train-en.tsv", [list(t) for t in paws_pairs(rng, 640)])
    xnli = json.loads((SOURCES / "xnli_parallel.json").read_text("utf-8"))
    half = len(xnli["items"]) // 2
    for lang in xnli["languages"]:
        for split, items in (("dev", xnli["items"][:half]), ("test", xnli["items"][half:])):
            rows = [
                [it["premise"][lang], h["text"][lang], h["label"]]
                for it in items
                for h in it["hypotheses"]
            ]
            if split == "test":  # XTREME strips test labels; evaluate.py reads them from labels/
                write_tsv(OUT / "xnli" / f"test-{lang}.tsv", [r[:2] for r in rows])
                write_tsv(OUT / "labels" / "xnli" / f"test-{lang}.tsv", [[r[2]] for r in rows])
            else:
                write_tsv(OUT / "xnli" / f"dev-{lang}.tsv", rows)
    paws = json.loads((SOURCES / "pawsx_parallel.json").read_text("utf-8"))
    half = len(paws["items"]) // 2
    for lang in paws["languages"]:
        for split, items in (("dev", paws["items"][:half]), ("test", paws["items"][half:])):
            rows = [
                [it["sentence1"][lang], it["sentence2"][lang], str(it["label"])] for it in items
            ]
            if split == "test":
                write_tsv(OUT / "pawsx" / f"test-{lang}.tsv", [r[:2] for r in rows])
                write_tsv(OUT / "labels" / "pawsx" / f"test-{lang}.tsv", [[r[2]] for r in rows])
            else:
                write_tsv(OUT / "pawsx" / f"dev-{lang}.tsv", rows)
    # GLUE layout: MNLI/ and QQP/
    write_tsv(
        OUT / "MNLI" / "train.tsv", glue_mnli(nli_triples(rng, 400), dev=False), MNLI_TRAIN_HEADER
    )
    write_tsv(
        OUT / "MNLI" / "dev_matched.tsv", glue_mnli(nli_triples(rng, 30), dev=True), MNLI_DEV_HEADER
    )
    for split, n in (("train", 800), ("dev", 100)):
        write_tsv(
            OUT / "QQP" / f"{split}.tsv",
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
        write_jsonl(OUT / "snli_1.0" / f"snli_1.0_{split}.jsonl", records)
    for r in ("R1", "R2", "R3"):
        for split, n in (("train", 40), ("dev", 10)):
            write_jsonl(
                OUT / "anli_v1.0" / r / f"{split}.jsonl",
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
    main()
