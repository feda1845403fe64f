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


SURNAMES = [
    "Santos",
    "Keller",
    "Hall",
    "Reed",
    "Ruiz",
    "Vidal",
    "Berger",
    "Weber",
    "Lane",
    "Tanaka",
]
COUNTRIES = ["Spain", "Italy", "France", "Germany", "Brazil", "Norway", "Japan", "Ghana"]
INSTRUMENTS = ["guitar", "drums", "piano", "violin", "trumpet", "cello"]
SIDES = ["north", "south", "east", "west"]
INSTITUTIONS = ["the library", "the museum", "the university", "the gallery", "the city archive"]
ROLES = ["teacher", "student", "manager", "assistant", "coach", "doctor"]
ADJUNCTS = [
    "in {year}",
    "on {day}",
    "during the summer",
    "in the spring of {year}",
    "after the war",
    "in September {year}",
    "for the first time",
    "at the end of the season",
    "two years later",
    "in the early morning",
]
# Cores whose two slots {X} and {Y} play different roles: swapping them changes the meaning.
# Each entry: (active form, same meaning with other word order or None, kind of the slot fillers).
ASYMMETRIC = [
    ("{X} succeeded {Y} as mayor of {C}", None, "person"),
    ("{X} was the {R} of {Y}", None, "person"),
    ("{X} sold the old house to {Y}", "the old house was sold by {X} to {Y}", "person"),
    ("{X} wrote a long letter to {Y}", "a long letter was written by {X} to {Y}", "person"),
    ("{X} replaced {Y} as captain of the team", None, "person"),
    ("{X} borrowed money from {Y}", None, "person"),
    (
        "{X} interviewed {Y} for the newspaper",
        "{Y} was interviewed by {X} for the newspaper",
        "person",
    ),
    (
        "{X} trained {Y} for the Olympic Games",
        "{Y} was trained by {X} for the Olympic Games",
        "person",
    ),
    ("{X} introduced {Y} to the director", "{Y} was introduced to the director by {X}", "person"),
    ("{X} was born two years before {Y}", "{Y} was born two years after {X}", "person"),
    ("{X} is older than {Y}", "{Y} is younger than {X}", "person"),
    ("{P} moved from {X} to {Y}", None, "city"),
    ("the train from {X} to {Y} was delayed by two hours", None, "city"),
    ("the company moved its headquarters from {X} to {Y}", None, "city"),
    ("the flight from {X} to {Y} was cancelled", None, "city"),
    ("{P} was born in {X} and later worked in {Y}", "born in {X}, {P} later worked in {Y}", "city"),
    (
        "the village lies north of {X} and south of {Y}",
        "the village lies south of {Y} and north of {X}",
        "city",
    ),
    ("{X} defeated {Y} in the final", "{Y} was defeated by {X} in the final", "country"),
    ("{X} beat {Y} by three goals to one", "{Y} lost to {X} by three goals to one", "country"),
    ("the army of {X} was defeated by {Y}", "{Y} defeated the army of {X}", "country"),
    ("the team won the league in {X} and finished second in {Y}", None, "year"),
    ("the school was founded in {X} and closed in {Y}", None, "year"),
    (
        "{P} played the {X}, while {Q} played the {Y}",
        "while {Q} played the {Y}, {P} played the {X}",
        "instrument",
    ),
    (
        "the old tower stands on the {X} side of the square and the new one on the {Y} side",
        "the new tower stands on the {Y} side of the square and the old one on the {X} side",
        "side",
    ),
    ("the line connects {C} with {X}, but not with {Y}", None, "city"),
    (
        "{X} lent the old manuscript to {Y}",
        "the old manuscript was lent by {X} to {Y}",
        "institution",
    ),
    ("{X} gave the main prize to {Y}", "the main prize was given by {X} to {Y}", "person"),
    ("{X} coached the team before {Y} became its captain", None, "person"),
    ("{X} scored the first goal and {Y} scored the second", None, "person"),
    (
        "{X} wrote the music and {Y} wrote the words of the song",
        "the music of the song was written by {X} and the words by {Y}",
        "person",
    ),
    (
        "the bridge over the river was designed by {X} and built by {Y}",
        "designed by {X}, the bridge over the river was built by {Y}",
        "person",
    ),
    (
        "the school was founded by {X} and later run by {Y}",
        "founded by {X}, the school was later run by {Y}",
        "person",
    ),
    ("the team scored {X} in the first half and {Y} in the second half", None, "count"),
    ("the shop is closed on {X} and open late on {Y}", None, "day"),
    ("prices rose in {X} and fell in {Y}", None, "year"),
    (
        "the {X} tower is taller than the {Y} tower",
        "the {Y} tower is shorter than the {X} tower",
        "side",
    ),
    ("{X} is the capital, and {Y} is the largest city", None, "city"),
]
# Person-acts-on-person cores from transitive verbs (active, passive), each with a few tails.
VERBS = [
    ("visited", "was visited by"),
    ("called", "was called by"),
    ("thanked", "was thanked by"),
    ("hired", "was hired by"),
    ("helped", "was helped by"),
    ("followed", "was followed by"),
    ("beat", "was beaten by"),
    ("taught", "was taught by"),
    ("paid", "was paid by"),
    ("warned", "was warned by"),
    ("invited", "was invited by"),
    ("praised", "was praised by"),
    ("criticised", "was criticised by"),
    ("supported", "was supported by"),
    ("recommended", "was recommended by"),
    ("photographed", "was photographed by"),
    ("defended", "was defended by"),
    ("advised", "was advised by"),
]
TAILS = ["", " in {C}", " at the conference", " after the match", " for the second time"]
VERB_CORES = [
    (f"{{X}} {active} {{Y}}{tail}", f"{{Y}} {passive} {{X}}{tail}", "person")
    for active, passive in VERBS
    for tail in TAILS
]
# Cores where the two slots are interchangeable: swapping them keeps the meaning.
SYMMETRIC = [
    ("the lake lies on the border between {X} and {Y}", "country"),
    ("{X} and {Y} founded the school together", "person"),
    ("{X} married {Y}", "person"),
    ("the new road connects {X} and {Y}", "city"),
    ("{X} and {Y} signed a trade agreement", "country"),
    ("{X} and {Y} share a long border", "country"),
    ("the road between {X} and {Y} was rebuilt", "city"),
]


def _fillers(rng: random.Random, kind: str) -> tuple[str, str]:
    if kind == "person":
        pool = [f"{n} {s}" for n in NAMES for s in SURNAMES]
    elif kind == "year":
        return tuple(str(y) for y in sorted(rng.sample(range(1950, 2016), 2)))  # type: ignore[return-value]
    else:
        pool = {
            "city": CITIES,
            "country": COUNTRIES,
            "instrument": INSTRUMENTS,
            "side": SIDES,
            "institution": INSTITUTIONS,
            "count": ["once", "twice", "three times"],
            "day": [*DAYS, "Wednesday", "Thursday", "Saturday"],
        }[kind]
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
        adjunct = rng.choice(ADJUNCTS).format(year=rng.randint(1950, 2015), day=rng.choice(DAYS))
        front = rng.random() < 0.5
        context = {
            "C": rng.choice(CITIES),
            "R": rng.choice(ROLES),
            "P": f"{rng.choice(NAMES)} {rng.choice(SURNAMES)}",
            "Q": f"{rng.choice(NAMES)} {rng.choice(SURNAMES)}",
        }
        if keep_meaning and rng.random() < 0.1:
            core, kind = rng.choice(SYMMETRIC)
            x, y = _fillers(rng, kind)
            s1 = _sentence(core.format(X=x, Y=y), adjunct, front)
            s2 = _sentence(core.format(X=y, Y=x), adjunct, not front)
            out.append((s1, s2, "1"))
            continue
        core, other_order, kind = rng.choice(ASYMMETRIC if rng.random() < 0.6 else VERB_CORES)
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
