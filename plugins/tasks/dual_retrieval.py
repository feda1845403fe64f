"""Fine-tuned dual-encoder retrieval targets of XTREME-R: Mewsli-X and LAReQA.

Both train the ``dual-encoder`` head (:mod:`harness.families.dual_encoder`) on English pairs
and rank a candidate pool per query, scored by mAP@20 (``map_at_k``).

Mewsli-X (``mewslix``), the files XTREME's download_data.sh leaves in ``mewslix/``:
training pairs from ``wikipedia_pairs-train.jsonl`` (one MentionEntityPair per line); the
query is the mention in its sentence (``{`` ``}`` around it, the mention repeated in front:
``utils_mewslix.preprocess_mention``), the candidate the entity's description sentences
(``preprocess_entity_description``). Evaluation: every mention of
``wikinews_mentions/{split}-{lang}.jsonl`` (one article per line) against every entity of
``candidate_set_entities.jsonl``; gold from ``labels/mewslix/{split}-{lang}.json`` (evaluate.py's
label folder) when present, else ``wikinews_labels/{split}-{lang}.json`` (example id -> [entity
id]), else the mention's own ``entity_id``. XTREME's preprocessing blanks the test labels
(``[""]``, ``entity_id`` ""): without the label folder, test predictions are written (the
submission) but not scored. Both sides 64 tokens (capped by the run's ``max_length``).

LAReQA (``lareqa``): training on SQuAD v1.1 (``squad/train-v1.1.json``), question vs
answer sentence + paragraph (no separator, newlines removed), sentences found by XTREME's
rule-based breaker (:mod:`.sentence_breaks`); a question is skipped when no sentence holds
its answer start or the answer text is not in the whitespace tokens it spans, as in
``processors/lareqa.py``. Evaluation (``test``): the questions of ``lareqa/xquad-r/{lang}.json``
against the sentences (+ paragraph) of all eleven XQuAD-R files (language-agnostic pool,
ids ``{lang}_{paragraph}_{sentence}``); relevant = the answer sentence of the same question
in every language (``utils_lareqa.load_data``). Queries 96 tokens, candidates 256 (capped
by the run's ``max_length``: the suite gives LAReQA the scripts' 352). The
submission, in the spirit of Mewsli-X's: ``lareqa/test-{lang}.json`` = question uid
(``{id}_{lang}``) -> ranked candidate ids; labels: uid -> relevant ids. evaluate.py cannot
score it (no LAReQA languages there); ``harness score`` can.

Neither dataset is on the Hugging Face Hub in this layout: local files only (``--data PATH``
or the bundled sample).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import harness
from harness.errors import HarnessError
from harness.families._base import Row, gold_file
from harness.families.dual_encoder import DualEncoderTask, query_rows, training_row
from harness.scoring import read_squad

from .sentence_breaks import sentence_breaks

SAMPLE_ROOT = Path(__file__).parent / "data"
MEWSLIX_LANGUAGES = ("ar", "de", "en", "es", "fa", "ja", "pl", "ro", "ta", "tr", "uk")
LAREQA_LANGUAGES = ("ar", "de", "el", "en", "es", "hi", "ru", "th", "tr", "vi", "zh")

# ------------------------------------------------------------------------------ Mewsli-X
_BRACED = re.compile(r"\{(.*?)\}")


def _tidy(text: str) -> str:
    """Newlines to spaces, one pass of double spaces to one, stripped (as upstream)."""
    return " ".join(text.splitlines()).replace("  ", " ").strip()


def _spans(record: dict[str, Any], text: str, where: str) -> list[tuple[int, int]]:
    spans = [(int(s["start"]), int(s["end"])) for s in record["sentence_spans"]]
    for start, end in spans:
        if not 0 <= start < end <= len(text):
            raise HarnessError(f"{where}: sentence span {start}..{end} is outside the text")
    return spans


def mention_text(context: dict[str, Any], mention: dict[str, Any], where: str) -> str:
    """The query of one mention: ``preprocess_mention`` (its sentence, marked up)."""
    text, span = context["text"], mention["mention_span"]
    start, end, surface = int(span["start"]), int(span["end"]), span["text"]
    if text[start:end] != surface:
        raise HarnessError(f"{where}: mention {surface!r} does not match the text at {start}")
    sentence = next(
        ((s, e) for s, e in _spans(context, text, where) if s <= start < e and s < end <= e),
        None,
    )
    if sentence is None:
        raise HarnessError(f"{where}: mention {surface!r} is not inside one sentence span")
    s, e = sentence
    left = _BRACED.sub(r"(\1)", text[s:start])
    right = _BRACED.sub(r"(\1)", text[end:e])
    return _tidy(f"{surface}: {left} {{ {surface} }} {right}")


def entity_text(entity: dict[str, Any], where: str) -> str:
    """The candidate of one entity: ``preprocess_entity_description``."""
    text = entity["description"]
    return _tidy(" ".join(text[s:e] for s, e in _spans(entity, text, where)))


def _mewslix_files(split: str, language: str) -> list[str]:
    if split == "train":
        return ["mewslix/wikipedia_pairs-train.jsonl"]
    return [
        f"mewslix/wikinews_mentions/{split}-{language}.jsonl",
        f"mewslix/wikinews_labels/{split}-{language}.json",
        "mewslix/candidate_set_entities.jsonl",
    ]


def _record(where: str, read: Any) -> Any:
    """``read()``, with a missing field or a wrong type as one line naming ``where``."""
    try:
        return read()
    except KeyError as exc:
        raise HarnessError(f"{where}: missing field {exc}") from None
    except (TypeError, ValueError, AttributeError) as exc:
        raise HarnessError(f"{where}: malformed record ({exc})") from None


def read_mewslix(task: Any, split: str, language: str, root: Path) -> list[Row]:
    files = task.local_files(split, language, root)
    if split == task.train_split:
        return [
            _record(
                f"{files[0]}:{n}",
                lambda r=r, n=n: training_row(
                    mention_text(
                        r["contextual_mention"]["context"],
                        r["contextual_mention"]["mention"],
                        f"{files[0]}:{n}",
                    ),
                    entity_text(r["entity"], f"{files[0]}:{n}"),
                ),
            )
            for n, r in harness.read_jsonl(files[0])
        ]
    mentions_file, labels_file, entities_file = files
    # mewslix_preprocess blanks the test labels ([""]): the gold, where a user has it, sits
    # in evaluate.py's label folder (labels/mewslix/), as for XTREME's other tasks
    gold_path = gold_file(task, split, language, root, ".json")
    labels = _labels(gold_path if gold_path.is_file() else labels_file)
    queries = []
    for n, record in harness.read_jsonl(mentions_file):
        where = f"{mentions_file}:{n}"

        def unnest(record: dict[str, Any] = record, where: str = where) -> list[tuple]:
            context = record["context"]
            out = []
            for m in record["mentions"]:
                qid = str(m["example_id"])
                known = [i for i in labels.get(qid, ()) if i]  # "": blanked, unknown
                gold = known or ([m["entity_id"]] if m.get("entity_id") else None)
                out.append((qid, mention_text(context, m, where), gold))
            return out

        queries += _record(where, unnest)
    pool = [
        _record(
            f"{entities_file}:{n}",
            lambda e=e, n=n: (str(e["entity_id"]), entity_text(e, f"{entities_file}:{n}")),
        )
        for n, e in harness.read_jsonl(entities_file)
    ]
    return query_rows(queries, pool)


def _labels(path: Path) -> dict[str, list[str]]:
    """evaluate.py's label file: example id -> [gold id] (ids stripped)."""
    document = read_squad(path)
    if not isinstance(document, dict) or not all(
        isinstance(v, list) and v and all(isinstance(i, str) for i in v) for v in document.values()
    ):
        raise HarnessError(f"{path}: expected one JSON object mapping example id to [gold id]")
    return {k: [i.strip() for i in v] for k, v in document.items()}


# -------------------------------------------------------------------------------- LAReQA
def _whitespace(c: str) -> bool:
    return c in " \t\r\n" or ord(c) == 0x202F


def _answer_recoverable(context: str, answer: dict[str, Any]) -> bool:
    """processors/lareqa.py's check: the answer text is in the whitespace tokens it spans."""
    tokens: list[str] = []
    owner: list[int] = []
    gap = True
    for c in context:
        if _whitespace(c):
            gap = True
        else:
            if gap:
                tokens.append(c)
            else:
                tokens[-1] += c
            gap = False
        owner.append(len(tokens) - 1)
    start, text = int(answer["answer_start"]), answer["text"]
    end = start + len(text) - 1
    if not 0 <= start <= end < len(owner):
        return False
    return " ".join(tokens[owner[start] : owner[end] + 1]).find(" ".join(text.split())) != -1


def _squad_paragraphs(path: Path) -> list[dict[str, Any]]:
    data = read_squad(path)
    if not isinstance(data, list):
        raise HarnessError(f"{path}: expected a SQuAD file (an object with a 'data' list)")
    return [p for article in data for p in article["paragraphs"]]


def _squad_pairs(path: Path) -> list[Row]:
    rows = []
    for n, paragraph in enumerate(_squad_paragraphs(path), 1):
        where = f"{path} paragraph {n}"

        def pairs(p: dict[str, Any] = paragraph) -> list[Row]:
            context = p["context"]
            breaks = list(sentence_breaks(context))
            out = []
            for qa in p["qas"]:
                answer = qa["answers"][0]
                start = int(answer["answer_start"])
                sentence = next((context[s:e] for s, e in breaks if s <= start < e), None)
                if not sentence or not _answer_recoverable(context, answer):
                    continue
                out.append(training_row(qa["question"], (sentence + context).replace("\n", "")))
            return out

        rows += _record(where, pairs)
    return rows


def _xquad_r(path: Path, language: str) -> tuple[list[tuple], list[tuple], dict[str, list]]:
    """(questions (id, text, xling id), candidates (uid, text), xling id -> relevant uids)
    of one XQuAD-R file, as ``utils_lareqa.load_data``."""
    questions, candidates, relevant = [], {}, {}
    for n, p in enumerate(_squad_paragraphs(path), 1):
        where = f"{path} paragraph {n}"

        def read(p: dict[str, Any] = p, n: int = n, where: str = where) -> None:
            context = p["context"]
            sentences = [context[int(s) : int(e)] for s, e in p["sentence_breaks"]]
            for qa in p["qas"]:
                if len(qa["answers"]) != 1:
                    raise HarnessError(f"{where}: question {qa['id']} needs exactly one answer")
                start = int(qa["answers"][0]["answer_start"])
                answer = next(
                    (context[int(s) : int(e)] for s, e in p["sentence_breaks"] if s <= start < e),
                    None,
                )
                if not answer:
                    continue
                xid = str(qa["id"])
                questions.append((f"{xid}_{language}", qa["question"], xid))
                for pos, sentence in enumerate(sentences):
                    uid = f"{language}_{n}_{pos}"
                    text = (sentence + context).replace("\n", "")
                    candidates.setdefault(uid, text)
                    if sentence == answer:
                        relevant.setdefault(xid, []).append(uid)

        _record(where, read)
    return questions, list(candidates.items()), relevant


def _lareqa_files(split: str, language: str) -> list[str]:
    if split == "train":
        return ["squad/train-v1.1.json"]
    others = [lang for lang in LAREQA_LANGUAGES if lang != language]
    return [f"lareqa/xquad-r/{lang}.json" for lang in (language, *others)]


def read_lareqa(task: Any, split: str, language: str, root: Path) -> list[Row]:
    files = task.local_files(split, language, root)
    if split == task.train_split:
        return _squad_pairs(files[0])
    by_language = {}
    for path in files:  # the pool: every language, in a fixed (sorted) order
        lang = path.stem
        by_language[lang] = _xquad_r(path, lang)
    relevant: dict[str, list[str]] = {}
    pool: list[tuple[str, str]] = []
    for lang in sorted(by_language):  # the pool and each gold list in language order
        _, candidates, rel = by_language[lang]
        pool += candidates
        for xid, uids in rel.items():
            relevant.setdefault(xid, []).extend(uids)
    queries = [
        (uid, text, relevant.get(xid) or None) for uid, text, xid in by_language[language][0]
    ]
    return query_rows(queries, pool)


MEWSLIX = DualEncoderTask(
    name="mewslix",
    description="Mewsli-X (Botha et al. 2020): entity linking as retrieval of a WikiData "
    "entity's description for a news mention; dual encoder trained on English Wikipedia pairs.",
    languages=MEWSLIX_LANGUAGES,
    xtreme_name="mewslix",
    sample_root=SAMPLE_ROOT,
    homepage="https://github.com/google-research/google-research/tree/master/"
    "dense_representations_for_entity_retrieval/mel",
    local_layout=_mewslix_files,
    local_reader=read_mewslix,
    settings={"query_max_length": 64, "candidate_max_length": 64},
)

LAREQA = DualEncoderTask(
    name="lareqa",
    description="LAReQA (Roy et al. 2020): language-agnostic answer retrieval on XQuAD-R; "
    "dual encoder trained on SQuAD v1.1 question/answer-sentence pairs.",
    languages=LAREQA_LANGUAGES,
    xtreme_name="lareqa",
    eval_splits=("test",),
    sample_root=SAMPLE_ROOT,
    homepage="https://github.com/google-research-datasets/lareqa",
    local_layout=_lareqa_files,
    local_reader=read_lareqa,
    settings={"query_max_length": 96, "candidate_max_length": 256},
)

TASKS = (MEWSLIX, LAREQA)


@harness.hookimpl
def register_tasks(register):
    for task in TASKS:
        register(task)
