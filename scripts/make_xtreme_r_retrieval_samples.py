"""Write the bundled Mewsli-X and LAReQA (XQuAD-R) samples in XTREME-R's download layout.

Sources are hand-written in ``scripts/sample_sources/``: ``mewslix/entities.json`` (fictional
entities, synthetic ``Q99…`` ids, split by entity as Mewsli-X is), ``mewslix/templates.json``
(English Wikipedia mention sentences and WikiNews sentences in the 11 mention languages) and
``lareqa/xquad_r_parallel.json`` (three 11-way parallel paragraphs with two questions each).
Every mention context and its entity description share the entity name and a place name, and
the XQuAD-R names stay in Latin script, so both retrieval tasks are learnable by a tiny model.
Output, under ``plugins/tasks/data/`` (formats: /work/notes/{mewslix,lareqa}-format.md):

- ``mewslix/candidate_set_entities.jsonl``: one ``Entity`` per line (the gold entities of the
  Wikipedia dev set and of WikiNews dev/test, shuffled).
- ``mewslix/wikipedia_pairs-{train,dev}.jsonl``: one ``MentionEntityPair`` per line (English).
- ``mewslix/wikinews_mentions/{dev,test}-{lang}.jsonl``: one ``ContextualMentions`` (article)
  per line as XTREME's utils_preprocess.py shards them; test entity ids are blanked.
- ``mewslix/wikinews_labels/{dev,test}-{lang}.json``: ``{example_id: [gold id]}`` (test: ``[""]``,
  blanked as ``mewslix_preprocess`` does), and the test gold where XTREME's evaluate.py reads
  it, ``labels/mewslix/test-{lang}.json``.
- ``lareqa/xquad-r/{lang}.json``: SQuAD v1.1 JSON plus ``sentence_breaks`` and ``sentences``,
  keys sorted, as in google-research-datasets/lareqa. Training reuses the bundled
  ``squad/train-v1.1.json`` as XTREME-R's train_lareqa.sh does.

Run from the repository root (deterministic; or pass another output folder)::

    python scripts/make_xtreme_r_retrieval_samples.py [OUT]
"""

from __future__ import annotations

import hashlib
import json
import random
from pathlib import Path
from typing import Any
from urllib.parse import quote

from sample_io import output_folder, source

MENTION_LANGUAGES = ("ar", "de", "en", "es", "fa", "ja", "pl", "ro", "ta", "tr", "uk")
"""Mewsli-X WikiNews languages (utils_mewslix.MENTION_LANGUAGES)."""
DEV_MENTIONS, TEST_MENTIONS = 2, 6
"""Mentions per language; two per article."""
SECTIONS = ("History", "Geography", "Culture", "Economy")


def _hex_id(*parts: object, length: int = 32) -> str:
    """A stable hexadecimal id, shaped like Mewsli-X example ids and XQuAD question ids."""
    return hashlib.md5("-".join(map(str, parts)).encode("utf-8")).hexdigest()[:length]


def _spans(pieces: list[str], joiners: list[str]) -> tuple[str, list[dict[str, int]]]:
    """Join sentences (``joiners[i]`` goes after ``pieces[i]``) and return their spans."""
    text, spans = "", []
    for piece, joiner in zip(pieces, [*joiners, ""], strict=True):
        spans.append({"start": len(text), "end": len(text) + len(piece)})
        text += piece + joiner
    return text, spans


def _fill(template: str, name: str, hint: str) -> tuple[str, int]:
    """The sentence with {name} and {hint} filled, and where the name starts in it."""
    before, after = template.split("{name}")
    before = before.replace("{hint}", hint)
    return before + name + after.replace("{hint}", hint), len(before)


def _entity(row: list[Any]) -> dict[str, Any]:
    """An ``Entity`` in ``Entity.to_json`` key order."""
    entity_id, title, _kind, _hint, lang, sentences = row
    description, spans = _spans(sentences, [" "] * (len(sentences) - 1))
    return {
        "entity_id": entity_id,
        "title": title,
        "description": description,
        "description_language": lang,
        "description_url": f"https://{lang}.wikipedia.org/wiki/{quote(title.replace(' ', '_'))}",
        "sentence_spans": spans,
    }


def _write_jsonl(path: Path, rows: list[dict[str, Any]], ensure_ascii: bool) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = [json.dumps(row, ensure_ascii=ensure_ascii) + "\n" for row in rows]
    path.write_text("".join(lines), "utf-8")


def _write_json(path: Path, obj: Any, **kwargs: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(obj, **kwargs), "utf-8")


def _wikipedia_pair(row: list[Any], template: str, n: int, split: str) -> dict[str, Any]:
    """One English Wikipedia ``MentionEntityPair``: filler, mention sentence, filler."""
    fillers = TEMPLATES["fillers"]
    entity_id, title, _kind, hint, _lang, _sentences = row
    sentence, at = _fill(template, title, hint)
    before = fillers["before"][n % len(fillers["before"])]
    after = fillers["after"][(n + 1) % len(fillers["after"])]
    text, spans = _spans([before, sentence, after], [" ", " "])
    start = spans[1]["start"] + at
    page = hint.replace(" ", "_")
    context = {
        "document_title": hint,
        "document_url": f"https://en.wikipedia.org/wiki/{quote(page)}",
        "document_id": f"Q9909{int(_hex_id(hint, length=8), 16) % 10000:04d}",
        "language": "en",
        "text": text,
        "sentence_spans": spans,
        "section_title": SECTIONS[n % len(SECTIONS)],
    }
    mention = {
        "example_id": _hex_id("mewslix", "wikipedia", split, n),
        "mention_span": {"start": start, "end": start + len(title), "text": title},
        "entity_id": entity_id,
    }
    return {"contextual_mention": {"context": context, "mention": mention}, "entity": _entity(row)}


def _wikinews_article(
    lang: str, rows: list[list[Any]], split: str, n: int
) -> tuple[dict[str, Any], dict[str, list[str]]]:
    """One WikiNews ``ContextualMentions`` (date line, then one sentence per mention)."""
    templates = TEMPLATES["wikinews"][lang]
    sentences, starts = [], []
    for k, (_id, title, kind, hint, _lang, _s) in enumerate(rows):
        sentence, at = _fill(templates[kind][k % 2], title, hint)
        sentences.append(sentence)
        starts.append(at)
    joiners = ["\n"] + [templates["joiner"]] * (len(sentences) - 1)
    text, spans = _spans([templates["lead"], *sentences], joiners)
    title = rows[0][1]
    context = {
        "document_title": title,
        "document_url": f"https://{lang}.wikinews.org/wiki/{quote(title.replace(' ', '_'))}",
        "document_id": f"{lang}-{split}-{n:04d}",
        "language": lang,
        "text": text,
        "sentence_spans": spans,
    }
    mentions, labels = [], {}
    for k, row in enumerate(rows):
        start = spans[k + 1]["start"] + starts[k]
        example_id = _hex_id("mewslix", "wikinews", split, lang, n, k)
        labels[example_id] = [row[0]]
        mentions.append(
            {
                "example_id": example_id,
                "mention_span": {"start": start, "end": start + len(row[1]), "text": row[1]},
                # utils_preprocess.py blanks the test annotations; the gold is in the labels.
                "entity_id": "" if split == "test" else row[0],
            }
        )
    return {"context": context, "mentions": mentions}, labels


def mewslix(out: Path) -> None:
    entities = source("mewslix/entities.json")
    root = out / "mewslix"
    candidates = entities["wikipedia_dev"] + entities["wikinews_dev"] + entities["wikinews_test"]
    candidates = [_entity(row) for row in candidates]
    random.Random("mewslix-candidates").shuffle(candidates)
    _write_jsonl(root / "candidate_set_entities.jsonl", candidates, ensure_ascii=False)

    wikipedia = TEMPLATES["wikipedia"]
    train = []
    for i, row in enumerate(entities["train"]):
        for k in range(2):
            template = wikipedia[row[2]][(i + 2 * k) % len(wikipedia[row[2]])]
            train.append(_wikipedia_pair(row, template, 2 * i + k, "train"))
    random.Random("mewslix-train").shuffle(train)
    _write_jsonl(root / "wikipedia_pairs-train.jsonl", train, ensure_ascii=False)
    dev = [
        _wikipedia_pair(row, wikipedia[row[2]][i % len(wikipedia[row[2]])], i, "dev")
        for i, row in enumerate(entities["wikipedia_dev"])
    ]
    _write_jsonl(root / "wikipedia_pairs-dev.jsonl", dev, ensure_ascii=False)

    for split, pool, per_lang in (
        ("dev", entities["wikinews_dev"], DEV_MENTIONS),
        ("test", entities["wikinews_test"], TEST_MENTIONS),
    ):
        for li, lang in enumerate(MENTION_LANGUAGES):
            rows = [pool[(per_lang * li + j) % len(pool)] for j in range(per_lang)]
            articles, labels = [], {}
            for n in range(0, per_lang, 2):
                article, article_labels = _wikinews_article(lang, rows[n : n + 2], split, n // 2)
                articles.append(article)
                labels.update(article_labels)
            # utils_preprocess.py: json.dumps per line (ASCII escapes), json.dump for labels.
            _write_jsonl(root / "wikinews_mentions" / f"{split}-{lang}.jsonl", articles, True)
            # mewslix_preprocess records the test labels after blanking them: [""] each; the
            # gold goes where evaluate.py reads it (labels/mewslix/), as for XTREME's tasks.
            blank = {k: [""] for k in labels} if split == "test" else labels
            _write_json(root / "wikinews_labels" / f"{split}-{lang}.json", blank)
            if split == "test":
                _write_json(out / "labels" / "mewslix" / f"test-{lang}.json", labels)


def lareqa(out: Path) -> None:
    doc = source("lareqa/xquad_r_parallel.json")
    for lang in doc["languages"]:
        data = []
        for article in doc["articles"]:
            sentences = article["sentences"][lang]
            joiner = doc["joiner"][lang]
            context, spans = _spans(sentences, [joiner] * (len(sentences) - 1))
            qas = []
            for q, qa in enumerate(article["qas"]):
                span = spans[qa["sentence"]]
                answer = qa["answer"][lang]
                at = context.find(answer, span["start"], span["end"])
                if at < 0:
                    raise ValueError(f"{lang} {article['title']}: {answer!r} not in its sentence")
                qas.append(
                    {
                        "answers": [{"answer_start": at, "text": answer}],
                        "id": _hex_id("lareqa", article["title"], q, length=24),
                        "question": qa["question"][lang],
                    }
                )
            paragraph = {
                "context": context,
                "qas": qas,
                "sentence_breaks": [[s["start"], s["end"]] for s in spans],
                "sentences": sentences,
            }
            data.append({"paragraphs": [paragraph], "title": article["title"]})
        _write_json(
            out / "lareqa" / "xquad-r" / f"{lang}.json",
            {"data": data, "version": "1.1"},
            sort_keys=True,
        )


TEMPLATES = source("mewslix/templates.json")

if __name__ == "__main__":
    folder = output_folder(__doc__)
    mewslix(folder)
    lareqa(folder)
