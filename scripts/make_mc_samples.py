"""Write the bundled multiple-choice samples in each release's exact file layout.

HellaSwag (``hellaswag/hellaswag_{train,val}.jsonl``), CosmosQA (``cosmosqa/{train,valid}.csv``),
CommonsenseQA (``commonsenseqa/{train,dev}_rand_split.jsonl``), SocialIQA
(``socialiqa/socialiqa-train-dev/{train,dev}.jsonl`` + ``-labels.lst``) and XCOPA as XTREME's
``download_xcopa`` leaves it (``xcopa/{train,val,test}-en.jsonl``: SuperGLUE COPA, the test
labels set to 0; ``xcopa/{val,test}-{lang}.jsonl``: cambridgeltl/xcopa). The items are
hand-written in ``scripts/sample_sources/`` (``hellaswag_items.json``, ``cosmosqa_items.json``,
``commonsenseqa_facts.json``, ``socialiqa_events.json``, ``xcopa_items.json``); a seeded
generator only picks distractors, answer positions and ids, so the output is byte-for-byte
reproducible. Dev items never share a context with train. The sample's XCOPA test files keep
their real labels (XTREME's download zeroes them) so that a sample run scores ``test``.
Run from the repository root (or pass another output folder):

    python scripts/make_mc_samples.py [OUT]
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import random
import re
import string
from pathlib import Path

from sample_io import DATA, output_folder, source

# --------------------------------------------------------------------------- HellaSwag
HELLASWAG = source("hellaswag_items.json")


def _video_id(rng: random.Random) -> str:
    return "".join(rng.choice(string.ascii_letters + string.digits + "-_") for _ in range(11))


def hellaswag(rng: random.Random) -> dict[str, list[dict]]:
    """Records in the key order of the released files; distractors are other items' endings."""
    activities = [(a["activity"], a["scenes"]) for a in HELLASWAG["activities"]]
    zeroshot = [(a["activity"], a["scenes"]) for a in HELLASWAG["zeroshot_activities"]]
    howtos = [(h["category"], h["title"], h["steps"]) for h in HELLASWAG["howtos"]]
    persons = HELLASWAG["persons"]
    golds = [g for _, scenes in activities + zeroshot for _, g in scenes]
    steps = [f"[title] {t} [step] {d}" for _, _, s in howtos for t, d in s[1:]]
    out: dict[str, list[dict]] = {"train": [], "val": []}
    ind = 0

    def add(split, label, ctx_a, ctx_b, gold, pool, split_type, source_id):
        nonlocal ind
        ind += rng.randint(1, 40)
        endings = rng.sample([e for e in pool if e != gold], 3)
        answer = rng.randrange(4)
        endings.insert(answer, gold)
        out[split].append(
            {
                "ind": ind,
                "activity_label": label,
                "ctx_a": ctx_a,
                "ctx_b": ctx_b,
                "ctx": f"{ctx_a} {ctx_b}" if ctx_b else ctx_a,
                "split": split,
                "split_type": split_type,
                "label": answer,
                "endings": endings,
                "source_id": source_id,
            }
        )

    for a, (label, scenes) in enumerate(activities):
        pool = [g for g in golds if g not in {g for _, g in scenes}]  # never the same activity
        for s, (does, gold) in enumerate(scenes):
            origin = f"activitynet~v_{_video_id(rng)}"
            if s == 2:  # the third scene of the first 18 activities is validation only
                if a < 18:
                    who, pronoun = rng.choice(persons)
                    add("val", label, f"{who} {does}", pronoun, gold, pool, "indomain", origin)
                continue
            for who, pronoun in rng.sample(persons, 2):
                add("train", label, f"{who} {does}", pronoun, gold, pool, "indomain", origin)
    for label, scenes in zeroshot:
        pool = [g for g in golds if g not in {g for _, g in scenes}]
        for does, gold in scenes:
            who, pronoun = rng.choice(persons)
            origin = f"activitynet~v_{_video_id(rng)}"
            add("val", label, f"{who} {does}", pronoun, gold, pool, "zeroshot", origin)
    for h, (category, title, howto) in enumerate(howtos):
        origin = f"wikihow~{rng.randint(10000, 99999)}"
        for k in range(3):
            (t, d), (nt, nd) = howto[k], howto[k + 1]
            ctx = f"[header] How to {title} [title] {t} [step] {d}"
            gold = f"[title] {nt} [step] {nd}"
            split, kind = ("val", "zeroshot") if h == len(howtos) - 1 else ("train", "indomain")
            add(split, category, ctx, "", gold, steps, kind, origin)
    return out


# --------------------------------------------------------------------------- CosmosQA
COSMOS = source("cosmosqa_items.json")
NONE_OF_THE_ABOVE = "None of the above choices ."


def ptb(text: str) -> str:
    """The release's tokenised spacing: ``did n't``, ``driver 's``, ``late .``."""
    text = re.sub(r"n't\b", " n't", text)
    text = re.sub(r"(\w)'(s|m|re|ve|ll|d)\b", r"\1 '\2", text)
    text = re.sub(r"(\w)' ", r"\1 ' ", text)
    text = re.sub(r"\s*([.,!?;:])(?=\s|$)", r" \1", text)
    return re.sub(r"\s+", " ", text).strip()


def _mturk_id(rng: random.Random, n: int = 30) -> str:
    return "".join(rng.choice(string.ascii_uppercase + string.digits) for _ in range(n))


def cosmosqa(rng: random.Random) -> dict[str, list[list[str]]]:
    """CSV rows; each question appears twice (``q1_a1``, ``q1_a2``) with different answer
    sets, and in about a third of second sets the true answer is "None of the above"."""
    out: dict[str, list[list[str]]] = {}
    for split in ("train", "valid"):
        rows = []
        for item in COSMOS[split]:
            passage, questions = item["passage"], item["questions"]
            hit, assignment, worker = _mturk_id(rng), _mturk_id(rng), "A" + _mturk_id(rng, 13)
            blog = f"Blog_{rng.randint(1000, 1600000)}"
            for q, asked in enumerate(questions, 1):
                question, correct, wrong = asked["question"], asked["answer"], asked["wrong"]
                for variant in (1, 2):
                    if variant == 1:
                        answers, gold = [correct, *wrong], correct
                    elif rng.random() < 1 / 3:
                        answers, gold = [NONE_OF_THE_ABOVE, *wrong], NONE_OF_THE_ABOVE
                    else:
                        answers = [correct, *rng.sample(wrong, 2), NONE_OF_THE_ABOVE]
                        gold = correct
                    rng.shuffle(answers)
                    rid = (
                        f"{hit}##{assignment}##{worker}##{blog}##q{q}_a{variant}##{_mturk_id(rng)}"
                    )
                    rows.append(
                        [rid, ptb(passage), ptb(question)]
                        + [ptb(a) for a in answers]
                        + [str(answers.index(gold))]
                    )
        out[split] = rows
    return out


# --------------------------------------------------------------------------- CommonsenseQA
CSQA = source("commonsenseqa_facts.json")


def _with_article(noun: str) -> str:
    if noun in CSQA["mass_nouns"]:
        return noun
    return f"an {noun}" if noun[0] in "aeiou" else f"a {noun}"


def _csqa_items(
    stems: list[str], facts: list[list[str]], pool: list[str]
) -> list[tuple[str, str, str, list[str]]]:
    """(concept, stem, answer, pool of same-relation answers) for every stem of every fact."""
    items = []
    for concept, answer in facts:
        for stem in stems:
            items.append((concept, stem.format(a=_with_article(concept), c=concept), answer, pool))
    return items


def commonsenseqa(rng: random.Random) -> dict[str, list[dict]]:
    """Records in the release's shape; the last facts of each relation are dev only."""
    out: dict[str, list[dict]] = {"train": [], "dev": []}
    for relation in CSQA["relations"].values():
        facts, n_dev = relation["facts"], relation["dev_facts"]
        for split, subset in (("train", facts[:-n_dev]), ("dev", facts[-n_dev:])):
            answers = [answer for _, answer in facts]
            for concept, stem, answer, pool in _csqa_items(relation["stems"], subset, answers):
                texts = rng.sample([p for p in pool if p != answer], 4)
                slot = rng.randrange(5)
                texts.insert(slot, answer)
                out[split].append(
                    {
                        "answerKey": "ABCDE"[slot],
                        "id": hashlib.md5(stem.encode()).hexdigest(),
                        "question": {
                            "question_concept": concept,
                            "choices": [
                                {"label": key, "text": text}
                                for key, text in zip("ABCDE", texts, strict=True)
                            ],
                            "stem": stem,
                        },
                    }
                )
    return out


# --------------------------------------------------------------------------- SocialIQA
SOCIAL = source("socialiqa_events.json")


def socialiqa(rng: random.Random) -> dict[str, tuple[list[dict], list[str]]]:
    """(records, 1-based labels) per split; distractors answer the same question type
    for other events, with this item's names filled in."""
    questions = SOCIAL["questions"]
    pools: dict[str, list[str]] = {}
    for item in SOCIAL["train"] + SOCIAL["dev"]:
        for kind, answer in item["answers"].items():
            pools.setdefault(kind, []).append(answer)
    out = {}
    for split in ("train", "dev"):
        records, labels = [], []
        for item in SOCIAL[split]:
            event, answers = item["event"], item["answers"]
            kinds = [k for k in questions if k in answers][:4]
            x, y = rng.sample(SOCIAL["names"], 2)  # one context, several questions, as released
            for kind in kinds:
                question = questions[kind]
                if kind == "others" and "{y}" not in event:
                    question = "How would Others feel as a result?"
                options = rng.sample([a for a in pools[kind] if a != answers[kind]], 2)
                slot = rng.randrange(3)
                options.insert(slot, answers[kind])
                if kind == "intent":
                    options = [f"to {o}" for o in options]
                fill = {"x": x, "y": y}
                records.append(
                    {
                        "context": event.format(**fill),
                        "question": question.format(**fill),
                        "answerA": options[0].format(**fill),
                        "answerB": options[1].format(**fill),
                        "answerC": options[2].format(**fill),
                    }
                )
                labels.append(str(slot + 1))
        out[split] = (records, labels)
    return out


# --------------------------------------------------------------------------- XCOPA
XCOPA = source("xcopa_items.json")
XCOPA_LANGUAGES = ("et", "ht", "id", "it", "qu", "sw", "ta", "th", "tr", "vi", "zh")


def _copa(premise: str, right: str, wrong: str, question: str, label: int) -> dict:
    """The two alternatives in file order: the right one is ``choice1`` when ``label`` is 0."""
    first, second = (right, wrong) if label == 0 else (wrong, right)
    return {"premise": premise, "choice1": first, "choice2": second, "question": question}


def xcopa(rng: random.Random) -> dict[str, list[dict]]:
    """File name -> records. SuperGLUE COPA keys ``premise, choice1, choice2, question,
    label, idx``; its test has no label and XTREME's preprocessing appends ``"label": 0``.
    cambridgeltl/xcopa adds ``changed`` (False here: no item was re-annotated)."""
    out: dict[str, list[dict]] = {}
    for name, items in (("train-en", XCOPA["copa_train"]), ("val-en", XCOPA["copa_val"])):
        out[name] = []
        for i, item in enumerate(items):
            label = rng.randrange(2)
            fields = (item["premise"], item["right"], item["wrong"], item["question"], label)
            out[name].append({**_copa(*fields), "label": label, "idx": i})
    n_val = XCOPA["val_items"]
    labels = [rng.randrange(2) for _ in XCOPA["xcopa"]]  # one answer position per item
    splits = (("val", 0, n_val), ("test", n_val, len(labels)))
    for lang in ("en", *XCOPA_LANGUAGES):
        for split, start, stop in splits:
            name = f"{split}-{lang}"
            records = out.setdefault(name, [])
            for k in range(start, stop):
                item, label = XCOPA["xcopa"][k], labels[k]
                record = _copa(*item[lang], item["question"], label)
                idx = len(records)
                if lang == "en" and split == "test":
                    records.append({**record, "idx": idx, "label": 0})
                elif lang == "en":
                    records.append({**record, "label": label, "idx": idx})
                else:
                    records.append({**record, "label": label, "idx": idx, "changed": False})
    return out


# --------------------------------------------------------------------------- writing
def _jsonl(path: Path, records: list[dict]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")


def main(out: Path = DATA) -> None:
    for split, records in hellaswag(random.Random(1905)).items():
        _jsonl(out / "hellaswag" / f"hellaswag_{split}.jsonl", records)

    header = ["id", "context", "question", "answer0", "answer1", "answer2", "answer3", "label"]
    for split, rows in cosmosqa(random.Random(1909)).items():
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerows([header, *rows])
        path = out / "cosmosqa" / f"{split}.csv"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(buffer.getvalue(), encoding="utf-8")

    for split, records in commonsenseqa(random.Random(1811)).items():
        _jsonl(out / "commonsenseqa" / f"{split}_rand_split.jsonl", records)

    folder = out / "socialiqa" / "socialiqa-train-dev"
    for split, (records, labels) in socialiqa(random.Random(1904)).items():
        _jsonl(folder / f"{split}.jsonl", records)
        (folder / f"{split}-labels.lst").write_text("".join(f"{x}\n" for x in labels))

    for name, records in xcopa(random.Random(2020)).items():
        path = out / "xcopa" / f"{name}.jsonl"
        path.parent.mkdir(parents=True, exist_ok=True)
        escape = name.startswith("test")  # rewritten by utils_preprocess.py's json.dumps
        text = "".join(json.dumps(r, ensure_ascii=escape) + "\n" for r in records)
        path.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main(output_folder(__doc__))
