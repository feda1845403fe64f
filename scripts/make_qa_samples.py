"""Write the bundled extractive-QA samples (plugins/tasks/data/) in each release's exact format.

- ``squad/{train,dev}-v1.1.json`` and ``squad/{train,dev}-v2.0.json``: English paragraphs from
  small templates (seeded, so the output is reproducible) in the SQuAD release format (v2.0
  with ``is_impossible`` and ``plausible_answers``; dev questions with several gold answers);
- ``tydiqa/tydiqa-goldp-v1.1-train/tydiqa.goldp.en.train.json``: the same kind of English data as
  XTREME's ``utils_preprocess.py`` writes it (one paragraph per article, ids cut to their last
  ``-`` field);
- ``xquad/xquad.{lang}.json``, ``mlqa/MLQA_V1/{dev,test}/{split}-context-{lang}-question-{lang}.json``
  and ``tydiqa/tydiqa-goldp-v1.1-dev/tydiqa.goldp.{lang}.dev.json``: the hand-written parallel items
  of ``scripts/sample_sources/qa_parallel.json`` (MLQA: the Nile paragraph is dev, the others
  test).

Run from the repository root:

    python scripts/make_qa_samples.py
"""

from __future__ import annotations

import hashlib
import json
import random
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "plugins" / "tasks" / "data"
SOURCE = Path(__file__).resolve().parent / "sample_sources" / "qa_parallel.json"

XQUAD_LANGUAGES = ("ar", "de", "el", "en", "es", "hi", "ru", "th", "tr", "vi", "zh")
MLQA_LANGUAGES = ("ar", "de", "en", "es", "hi", "vi", "zh")
TYDIQA_LANGUAGES = {
    "ar": "arabic",
    "bn": "bengali",
    "en": "english",
    "fi": "finnish",
    "id": "indonesian",
    "ko": "korean",
    "ru": "russian",
    "sw": "swahili",
    "te": "telugu",
}
MLQA_DEV = ("nile",)

# --------------------------------------------------------------------------- English templates
FIRST = [
    "Anna",
    "Tomas",
    "Leila",
    "Marco",
    "Ingrid",
    "Kwame",
    "Sofia",
    "Hiroshi",
    "Elena",
    "Omar",
    "Clara",
    "Pavel",
    "Amara",
    "Lucas",
    "Mei",
    "Jonas",
    "Nadia",
    "Rafael",
    "Yusuf",
    "Greta",
]
LAST = [
    "Novak",
    "Lindqvist",
    "Haddad",
    "Ferreira",
    "Okafor",
    "Brandt",
    "Moreau",
    "Tanaka",
    "Kowalski",
    "Rossi",
    "Petrova",
    "Mensah",
    "Duarte",
    "Hansen",
    "Varga",
    "Costa",
]
CITIES = [
    "Lisbon",
    "Vienna",
    "Prague",
    "Krakow",
    "Lyon",
    "Turin",
    "Bergen",
    "Porto",
    "Ghent",
    "Seville",
    "Dresden",
    "Bologna",
    "Tampere",
    "Aarhus",
    "Graz",
    "Brno",
]
FIELDS = ["physics", "chemistry", "medicine", "music", "law", "biology", "history", "painting"]
PRIZES = ["Nobel Prize", "Wolf Prize", "Fields Medal", "Abel Prize", "Pritzker Prize"]
WHO = ["woman", "scientist", "person", "student of the academy"]
STRUCTURES = [
    ("tower", "Tower"),
    ("bridge", "Bridge"),
    ("lighthouse", "Lighthouse"),
    ("cathedral", "Cathedral"),
    ("station", "Station"),
    ("dam", "Dam"),
]
MATERIALS = ["stone", "steel", "brick", "concrete", "granite", "iron"]
PROFESSIONS = ["engineer", "architect", "builder", "mayor", "merchant"]
RIVER_NAMES = [
    "Orvan",
    "Selka",
    "Maruna",
    "Tavo",
    "Kesh",
    "Lumba",
    "Zarin",
    "Ebro Alto",
    "Veska",
    "Doran",
    "Imara",
    "Sorel",
]
REGIONS = ["Africa", "Europe", "Asia", "South America", "the region", "the north", "the valley"]
SEAS = [
    "Mediterranean Sea",
    "Black Sea",
    "Red Sea",
    "North Sea",
    "Baltic Sea",
    "Caspian Sea",
    "Arabian Sea",
    "Coral Sea",
]
DIRECTIONS = ["north", "south", "east", "west"]
PEOPLE_OF = ["ancient Egypt", "the old kingdom", "many farmers", "the first cities", "the empire"]


def _person(rng: random.Random) -> str:
    return f"{rng.choice(FIRST)} {rng.choice(LAST)}"


def _qa(question: str, answer: str, extra: tuple[str, ...] = (), impossible: bool = False):
    return {"question": question, "answer": answer, "extra": extra, "impossible": impossible}


def biography(rng: random.Random) -> tuple[str, str, list[dict[str, Any]]]:
    name = _person(rng)
    pron, obj = rng.choice([("She", "her"), ("He", "his")])
    city, city2 = rng.sample(CITIES, 2)
    born = rng.randint(1820, 1960)
    won = born + rng.randint(25, 50)
    f1, f2 = rng.sample(FIELDS, 2)
    prize = rng.choice(PRIZES)
    first = rng.choice(WHO)
    style = rng.randrange(3)
    if style == 0:
        text = (
            f"{name} was born in {city} in {born}. {pron} moved to {city2} to study {f1} and "
            f"{f2}. In {won} {pron.lower()} became the first {first} to win the {prize}."
        )
    elif style == 1:
        text = (
            f"Born in {city} in {born}, {name} studied {f1} and {f2} in {city2}. {pron} won the "
            f"{prize} in {won}, the first {first} to do so."
        )
    else:
        text = (
            f"{name} ({born}) grew up in {city}. Later {pron.lower()} went to {city2}, where "
            f"{pron.lower()} studied {f1} and {f2}. {pron} received the {prize} in {won}."
        )
    last = name.split()[1]
    qas = [
        _qa(
            rng.choice([f"Where was {name} born?", f"In which city was {name} born?"]),
            city,
        ),
        _qa(
            rng.choice(
                [
                    f"In which year did {pron.lower()} win the {prize}?",
                    f"When did {name} win the {prize}?",
                    f"In what year did {last} receive the {prize}?",
                ]
            ),
            str(won),
        ),
        _qa(f"What did {name} study in {city2}?", f"{f1} and {f2}", (f1,)),
        _qa(f"When did {name} die?", str(born), impossible=True),
        _qa(f"Where did {name} teach {f1}?", city2, impossible=True),
    ]
    return name, text, qas


def structure(rng: random.Random) -> tuple[str, str, list[dict[str, Any]]]:
    kind, title = rng.choice(STRUCTURES)
    founder = _person(rng)
    name = f"{founder.split()[1]} {title}"
    city = rng.choice(CITIES)
    start = rng.randint(1800, 1960)
    end = start + rng.randint(2, 9)
    height = rng.randint(25, 400)
    record = rng.randint(5, 60)
    material = rng.choice(MATERIALS)
    profession = rng.choice(PROFESSIONS)
    style = rng.randrange(2)
    if style == 0:
        text = (
            f"The {name} is a {material} {kind} in {city}. It is named after the {profession} "
            f"{founder}, whose company designed and built the {kind} between {start} and {end}. "
            f"The {kind} is {height} metres tall and was the tallest {kind} in the country for "
            f"{record} years."
        )
    else:
        text = (
            f"Built between {start} and {end}, the {name} in {city} is made of {material}. It "
            f"takes its name from the {profession} {founder}. At {height} metres, it was the "
            f"tallest {kind} in the country for {record} years."
        )
    qas = [
        _qa(
            rng.choice([f"Who is the {name} named after?", f"After whom is the {name} named?"]),
            founder,
            (founder.split()[1],),
        ),
        _qa(
            rng.choice([f"How tall is the {kind}?", f"How tall is the {name}?"]),
            f"{height} metres",
            (str(height),),
        ),
        _qa(f"In which city is the {name}?", city),
        _qa(f"How much did the {name} cost?", f"{height} metres", impossible=True),
        _qa(f"Who painted the {name}?", founder, impossible=True),
    ]
    return name, text, qas


def river(rng: random.Random) -> tuple[str, str, list[dict[str, Any]]]:
    name = f"{rng.choice(RIVER_NAMES)} River"
    region = rng.choice(REGIONS)
    n = rng.randint(2, 14)
    sea = rng.choice(SEAS)
    direction = rng.choice(DIRECTIONS)
    people = rng.choice(PEOPLE_OF)
    style = rng.randrange(2)
    if style == 0:
        text = (
            f"The {name} is the longest river in {region}. It flows {direction} through {n} "
            f"countries and ends in the {sea}. The river was the main source of water for {people}."
        )
    else:
        text = (
            f"The longest river in {region} is the {name}, which crosses {n} countries on its "
            f"way {direction} to the {sea}. It was the main source of water for {people}."
        )
    qas = [
        _qa(
            rng.choice([f"Into which sea does the {name} flow?", f"Where does the {name} end?"]),
            f"the {sea}",
            (sea,),
        ),
        _qa(
            rng.choice(
                [
                    f"How many countries does the {name} flow through?",
                    f"Through how many countries does the {name} flow?",
                ]
            ),
            str(n),
        ),
        _qa(f"In which direction does the {name} flow?", direction),
        _qa(f"How long is the {name}?", str(n), impossible=True),
    ]
    return name, text, qas


def _hex_id(*parts: Any, length: int = 24) -> str:
    return hashlib.sha1("|".join(map(str, parts)).encode()).hexdigest()[:length]


def _answer(context: str, text: str) -> dict[str, Any]:
    start = context.find(text)
    assert start >= 0, (text, context)
    return {"answer_start": start, "text": text}


def english(
    seed: int, n_paragraphs: int, v2: bool, dev: bool
) -> list[tuple[str, str, list[dict[str, Any]]]]:
    """(title, context, qas) with SQuAD-release answer objects; v2 adds unanswerable questions."""
    rng = random.Random(seed)
    out = []
    for p in range(n_paragraphs):
        title, context, qas = rng.choice([biography, structure, river])(rng)
        answerable = [q for q in qas if not q["impossible"]]
        chosen = rng.sample(answerable, 2)
        if v2:
            chosen.append(rng.choice([q for q in qas if q["impossible"]]))
        records = []
        for k, qa in enumerate(chosen):
            qid = _hex_id(seed, p, k, qa["question"])
            gold = [_answer(context, qa["answer"])]
            if dev:  # SQuAD dev sets hold several annotators' answers per question
                start = gold[0]["answer_start"]
                for alt in qa["extra"]:  # a shorter span inside the first answer
                    offset = qa["answer"].find(alt)
                    assert offset >= 0, (alt, qa["answer"])
                    gold.append({"answer_start": start + offset, "text": alt})
            if not v2:
                records.append({"answers": gold, "question": qa["question"], "id": qid})
            elif qa["impossible"]:
                records.append(
                    {
                        "plausible_answers": gold[:1],
                        "question": qa["question"],
                        "id": qid,
                        "answers": [],
                        "is_impossible": True,
                    }
                )
            else:
                records.append(
                    {
                        "question": qa["question"],
                        "id": qid,
                        "answers": gold,
                        "is_impossible": False,
                    }
                )
        out.append((title, context, records))
    return out


def squad_document(items: list, version: str) -> dict[str, Any]:
    """SQuAD release layout: articles by title, each with its paragraphs."""
    articles: dict[str, list] = {}
    for title, context, qas in items:
        articles.setdefault(title, []).append({"context": context, "qas": qas})
    data = [{"title": t, "paragraphs": ps} for t, ps in articles.items()]
    return {"data": data, "version": version}


def tydiqa_train(items: list) -> dict[str, Any]:
    """XTREME's split TyDiQA training file: one paragraph per article, id = last '-' field."""
    data = []
    for n, (_, context, qas) in enumerate(items):
        for k, qa in enumerate(qas):
            full_id = f"english-{int(_hex_id('tydi', n, k, length=15), 16)}-{k}"
            data.append(
                {
                    "paragraphs": [
                        {
                            "context": context,
                            "qas": [
                                {
                                    "answers": qa["answers"],
                                    "question": qa["question"],
                                    "id": full_id.split("-")[-1],
                                }
                            ],
                        }
                    ]
                }
            )
    return {"data": data, "version": "1.1"}


# --------------------------------------------------------------------------- parallel targets
def parallel(lang: str, keys: tuple[str, ...] | None, id_style: str) -> list[dict[str, Any]]:
    """Articles of the hand-written parallel items in ``lang`` (ids shared across languages,
    as XQuAD's are; TyDiQA ids start with the language name)."""
    source = json.loads(SOURCE.read_text("utf-8"))
    articles = []
    for p in source["paragraphs"]:
        if keys is not None and p["key"] not in keys:
            continue
        context = p["context"][lang]
        qas = []
        for k, q in enumerate(p["questions"]):
            if id_style == "xquad":
                qid = _hex_id("xquad", p["key"], k)
            elif id_style == "mlqa":
                qid = _hex_id("mlqa", p["key"], k, length=40)
            else:
                qid = f"{TYDIQA_LANGUAGES[lang]}-{int(_hex_id('tydiqa', lang, p['key'], length=15), 16)}-{k}"
            qas.append(
                {
                    "answers": [_answer(context, q["answer"][lang])],
                    "question": q["question"][lang],
                    "id": qid,
                }
            )
        article: dict[str, Any] = {"paragraphs": [{"context": context, "qas": qas}]}
        if id_style != "tydiqa":
            article = {"title": p["title"]["en"], **article}
        articles.append(article)
    return articles


def write(path: Path, document: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(document, ensure_ascii=False) + "\n", encoding="utf-8")


def main() -> None:
    write(OUT / "squad/train-v1.1.json", squad_document(english(11, 120, False, False), "1.1"))
    write(OUT / "squad/dev-v1.1.json", squad_document(english(12, 8, False, True), "1.1"))
    write(OUT / "squad/train-v2.0.json", squad_document(english(21, 90, True, False), "v2.0"))
    write(OUT / "squad/dev-v2.0.json", squad_document(english(22, 8, True, True), "v2.0"))
    write(
        OUT / "tydiqa/tydiqa-goldp-v1.1-train/tydiqa.goldp.en.train.json",
        tydiqa_train(english(31, 100, False, False)),
    )
    for lang in XQUAD_LANGUAGES:
        write(
            OUT / f"xquad/xquad.{lang}.json",
            {"data": parallel(lang, None, "xquad"), "version": "1.1"},
        )
    dev_keys = MLQA_DEV
    test_keys = tuple(
        p["key"]
        for p in json.loads(SOURCE.read_text("utf-8"))["paragraphs"]
        if p["key"] not in MLQA_DEV
    )
    for lang in MLQA_LANGUAGES:
        for split, keys in (("dev", dev_keys), ("test", test_keys)):
            write(
                OUT / f"mlqa/MLQA_V1/{split}/{split}-context-{lang}-question-{lang}.json",
                {"data": parallel(lang, keys, "mlqa"), "version": "1.0"},
            )
    for lang in TYDIQA_LANGUAGES:
        write(
            OUT / f"tydiqa/tydiqa-goldp-v1.1-dev/tydiqa.goldp.{lang}.dev.json",
            {"data": parallel(lang, None, "tydiqa"), "version": "1.1"},
        )


if __name__ == "__main__":
    main()
