"""Write the bundled extractive-QA samples (plugins/tasks/data/) in each release's exact format.

- ``squad/{train,dev}-v1.1.json`` and ``squad/{train,dev}-v2.0.json``: English paragraphs from
  the templates of ``scripts/sample_sources/squad_templates.json`` (seeded, so the output is
  reproducible) in the SQuAD release format (v2.0 with ``is_impossible`` and
  ``plausible_answers``; dev questions with several gold answers);
- ``tydiqa/tydiqa-goldp-v1.1-train/tydiqa.goldp.en.train.json``: the same kind of English data as
  XTREME's ``utils_preprocess.py`` writes it (one paragraph per article, ids cut to their last
  ``-`` field);
- ``xquad/xquad.{lang}.json``, ``mlqa/MLQA_V1/{dev,test}/{split}-context-{lang}-question-{lang}.json``
  and ``tydiqa/tydiqa-goldp-v1.1-dev/tydiqa.goldp.{lang}.dev.json``: the hand-written parallel items
  of ``scripts/sample_sources/qa_parallel.json``, in the languages it lists for each target
  (MLQA: the ``mlqa_dev`` paragraphs are dev, the others test).

Run from the repository root (or pass another output folder):

    python scripts/make_qa_samples.py [OUT]
"""

from __future__ import annotations

import hashlib
import json
import random
from pathlib import Path
from typing import Any

from sample_io import DATA, output_folder, source

PARALLEL = source("qa_parallel.json")
TEMPLATES = source("squad_templates.json")
WORDS = TEMPLATES["vocabulary"]


# --------------------------------------------------------------------------- English templates
def _person(rng: random.Random) -> str:
    return f"{rng.choice(WORDS['first_names'])} {rng.choice(WORDS['last_names'])}"


def biography(rng: random.Random) -> dict[str, Any]:
    """The slots of a biography paragraph (each draw in a fixed order)."""
    name = _person(rng)
    pronoun = rng.choice(WORDS["pronouns"])
    city, city2 = rng.sample(WORDS["cities"], 2)
    born = rng.randint(1820, 1960)
    won = born + rng.randint(25, 50)
    field, field2 = rng.sample(WORDS["fields"], 2)
    prize = rng.choice(WORDS["prizes"])
    first = rng.choice(WORDS["first_to_win"])
    slots = {"Pron": pronoun, "pron": pronoun.lower(), "last": name.split()[1]}
    return {**slots, "name": name, "city": city, "city2": city2, "born": born, "won": won,
            "field": field, "field2": field2, "prize": prize, "first": first}  # fmt: skip


def structure(rng: random.Random) -> dict[str, Any]:
    """The slots of a paragraph on a building named after its builder."""
    kind, title = rng.choice(WORDS["structures"])
    founder = _person(rng)
    city = rng.choice(WORDS["cities"])
    start = rng.randint(1800, 1960)
    end = start + rng.randint(2, 9)
    height = rng.randint(25, 400)
    record = rng.randint(5, 60)
    material = rng.choice(WORDS["materials"])
    profession = rng.choice(WORDS["professions"])
    last = founder.split()[1]
    return {"kind": kind, "name": f"{last} {title}", "founder": founder, "founder_last": last,
            "city": city, "start": start, "end": end, "height": height, "record": record,
            "material": material, "profession": profession}  # fmt: skip


def river(rng: random.Random) -> dict[str, Any]:
    """The slots of a paragraph on a river."""
    return {
        "name": f"{rng.choice(WORDS['river_names'])} River",
        "region": rng.choice(WORDS["regions"]),
        "n": rng.randint(2, 14),
        "sea": rng.choice(WORDS["seas"]),
        "direction": rng.choice(WORDS["directions"]),
        "people": rng.choice(WORDS["people_of"]),
    }


PARAGRAPHS = {"biography": biography, "structure": structure, "river": river}


def paragraph(rng: random.Random) -> tuple[str, str, list[dict[str, Any]]]:
    """(title, context, questions) of one paragraph of a random kind, from its templates."""
    kind = rng.choice(list(PARAGRAPHS))
    slots = PARAGRAPHS[kind](rng)
    templates = TEMPLATES["paragraphs"][kind]
    text = templates["texts"][rng.randrange(len(templates["texts"]))].format(**slots)
    qas = []
    for q in templates["questions"]:
        question = q["question"] if isinstance(q["question"], str) else rng.choice(q["question"])
        qas.append(
            {
                "question": question.format(**slots),
                "answer": q["answer"].format(**slots),
                "extra": [x.format(**slots) for x in q.get("extra", [])],
                "impossible": q.get("impossible", False),
            }
        )
    return slots["name"], text, qas


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
        title, context, qas = paragraph(rng)
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
    articles = []
    for p in PARALLEL["paragraphs"]:
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
                qid = f"{PARALLEL['tydiqa_languages'][lang]}-{int(_hex_id('tydiqa', lang, p['key'], length=15), 16)}-{k}"
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


def main(out: Path = DATA) -> None:
    write(out / "squad/train-v1.1.json", squad_document(english(11, 120, False, False), "1.1"))
    write(out / "squad/dev-v1.1.json", squad_document(english(12, 8, False, True), "1.1"))
    write(out / "squad/train-v2.0.json", squad_document(english(21, 90, True, False), "v2.0"))
    write(out / "squad/dev-v2.0.json", squad_document(english(22, 8, True, True), "v2.0"))
    write(
        out / "tydiqa/tydiqa-goldp-v1.1-train/tydiqa.goldp.en.train.json",
        tydiqa_train(english(31, 100, False, False)),
    )
    for lang in PARALLEL["xquad_languages"]:
        write(
            out / f"xquad/xquad.{lang}.json",
            {"data": parallel(lang, None, "xquad"), "version": "1.1"},
        )
    dev_keys = tuple(PARALLEL["mlqa_dev"])
    test_keys = tuple(p["key"] for p in PARALLEL["paragraphs"] if p["key"] not in dev_keys)
    for lang in PARALLEL["mlqa_languages"]:
        for split, keys in (("dev", dev_keys), ("test", test_keys)):
            write(
                out / f"mlqa/MLQA_V1/{split}/{split}-context-{lang}-question-{lang}.json",
                {"data": parallel(lang, keys, "mlqa"), "version": "1.0"},
            )
    for lang in PARALLEL["tydiqa_languages"]:
        write(
            out / f"tydiqa/tydiqa-goldp-v1.1-dev/tydiqa.goldp.{lang}.dev.json",
            {"data": parallel(lang, None, "tydiqa"), "version": "1.1"},
        )


if __name__ == "__main__":
    main(output_folder(__doc__))
