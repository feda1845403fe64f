"""Rehearsal writers for extractive QA: SQuAD v1.1/v2.0, XQuAD, MLQA and TyDiQA-GoldP in
their released layouts (XTREME's test copies stripped of answers, gold under ``labels/``)."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from rehearsal_common import CHUNK, Draw, WriterBase, _open

QA_FILES = {
    "xquad": "xquad/xquad.{1}.json",
    "mlqa": "mlqa/MLQA_V1/{0}/{0}-context-{1}-question-{1}.json",
}


def _tydiqa_file(split: str, lang: str) -> str:
    part = "train" if split == "train" else "dev"  # XTREME's test split is the dev set
    return f"tydiqa/tydiqa-goldp-v1.1-{part}/tydiqa.goldp.{lang}.{part}.json"


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


class QAWriters(WriterBase):
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
