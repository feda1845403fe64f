"""Rehearsal writers for retrieval: BUCC and Tatoeba (XTREME) and the dual-encoder tasks
Mewsli-X and LAReQA (XTREME-R), in the layouts XTREME's download scripts leave."""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from pathlib import Path
from typing import Any
from urllib.parse import quote

import numpy as np
from rehearsal_common import (
    Draw,
    WriterBase,
    _open,
    _passage,
    _span,
    scaled,
    write_jsonl,
    write_lines,
)


class RetrievalWriters(WriterBase):
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
