"""Sentence retrieval without training: BUCC 2018 bitext mining and Tatoeba (XTREME targets).

Neither task trains: the encoder of a phase (pretrained, or the checkpoint an intermediate
phase left) embeds every sentence, and the scores come from nearest neighbours alone. Both
are built on the public family :mod:`harness.families.retrieval` (pooling, settings,
search), whose names this module re-exports.

Embeddings (:meth:`RetrievalTask.predict`) follow XTREME's ``third_party/run_retrieval.py``:
the hidden states of one layer, mean-pooled over the real tokens ([CLS] and [SEP] included,
padding excluded), L2-normalised. ``layer`` indexes ``hidden_states`` (0 = embedding output,
L = last layer); negative values count from the end. The default ``-5`` is XTREME's choice:
its scripts take ``hidden_states[-num_layers:][7]`` with ``num_layers`` = 12, i.e.
``hidden_states[-5]`` for every model in run_bucc2018.sh and for mBERT in run_tatoeba.sh
(layer 8 of 12); run_tatoeba.sh uses ``hidden_states[14]`` for XLM-R large
(``--set tatoeba.layer=14``). Indices beyond a shallow model are clamped to its range
(``-5`` on 2 layers is the embedding output).

BUCC 2018 (``bucc2018``): one row per sentence (``side`` = source language or ``en``), in
the release's ``{lang}-en.{split}.{lang|en}`` files (``id<TAB>sentence``) that XTREME's
download_data.sh leaves in ``bucc2018/`` (sample -> dev, training -> test); gold pairs from
``{lang}-en.{split}.gold`` or evaluate.py's ``labels/bucc2018/{split}-{lang}.tsv``. Decoding
mines candidates as XTREME's ``mine_bitext`` does (identical sentences merged, ratio
margin over ``k`` = 4 neighbours both ways, best-first one-to-one selection, score > 0),
maps them back to ids (sentences repeated under several ids are dropped, as in
``read_sent2id``), then keeps pairs scoring at least the decision threshold. The threshold
maximises F1 on the dev gold (:func:`~retrieval_search.optimize_threshold`) and is kept in
the phase's state for that language's test split; ``--set bucc2018.threshold=X`` fixes it
instead. Predictions are per row: the source sentence's mined ``src_id<TAB>en_id`` line (or
none); the submission file lists the pairs.

Tatoeba (``tatoeba``): row ``j`` holds line ``j`` of the English file and line ``j`` of
the source-language file. As in XTREME's ``similarity_search``, each English sentence
retrieves its nearest source sentence by cosine, and line ``j`` of the submission is that
sentence's 0-based index; accuracy compares it with the gold index. XTREME's download
(``tatoeba/{xx}-en.{xx}`` and an English file sorted alphabetically, its gold hidden in
``labels/tatoeba/test-{xx}.tsv``) and LASER's aligned ``tatoeba.{xxx}-eng.{xxx|eng}`` (gold
= line number) are both read.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

import harness
from harness._lazy import lazy_module
from harness.errors import HarnessError
from harness.families import retrieval_search as search
from harness.families._base import Row
from harness.families.retrieval import (  # noqa: F401  (re-exported: the old import paths)
    SETTINGS,
    RetrievalTask,
    _integer,
    _layer_states,
    _Reached,
    read_index_file,
    stack_by_row,
)
from harness.families.retrieval import read_lines as _lines

datasets = lazy_module("datasets")
np = lazy_module("numpy")

SAMPLE_ROOT = Path(__file__).parent / "data"
HUB_ID = "google/xtreme"
BUCC_LANGUAGES = ("de", "fr", "ru", "zh")
TATOEBA_ISO3 = {
    "af": "afr",
    "ar": "ara",
    "bg": "bul",
    "bn": "ben",
    "de": "deu",
    "el": "ell",
    "es": "spa",
    "et": "est",
    "eu": "eus",
    "fa": "pes",
    "fi": "fin",
    "fr": "fra",
    "he": "heb",
    "hi": "hin",
    "hu": "hun",
    "id": "ind",
    "it": "ita",
    "ja": "jpn",
    "jv": "jav",
    "ka": "kat",
    "kk": "kaz",
    "ko": "kor",
    "ml": "mal",
    "mr": "mar",
    "nl": "nld",
    "pt": "por",
    "ru": "rus",
    "sw": "swh",
    "ta": "tam",
    "te": "tel",
    "th": "tha",
    "tl": "tgl",
    "tr": "tur",
    "ur": "urd",
    "vi": "vie",
    "zh": "cmn",
    "az": "aze",
    "lt": "lit",
    "pl": "pol",
    "uk": "ukr",
    "ro": "ron",
}
"""XTREME's 36 Tatoeba languages, then XTREME-R's five, and their LASER file codes (the
``lang3_dict`` of XTREME's utils_preprocess.py)."""
TATOEBA_LANGUAGES = tuple(TATOEBA_ISO3)
XTREME_R_TATOEBA_LANGUAGES = ("az", "lt", "pl", "uk", "ro")
"""Not in google/xtreme's ``tatoeba.{xxx}`` configs (XTREME's languages only)."""

BUCC_SETTINGS: dict[str, Any] = {**SETTINGS, "k": 4, "threshold": None}
"""``k``: neighbourhood of the margin (XTREME's ``neighborhood=4``); ``threshold``: a fixed
decision threshold (``None``: tuned on dev)."""

_HUB_SPLIT = {"dev": "validation", "test": "test"}

_by_row = stack_by_row
_read_tatoeba_labels = read_index_file


def _hub(task: RetrievalTask, config: str, split: str) -> datasets.Dataset:
    # failures (network, auth, missing config) become one line in Task.load
    return datasets.load_dataset(task.hub_id, config, split=split)


# --------------------------------------------------------------------------- BUCC 2018
def _read_bucc_sentences(path: Path) -> list[tuple[str, str]]:
    """``id<TAB>sentence`` lines of a BUCC 2018 release file."""
    out, seen = [], {}
    for n, line in enumerate(_lines(path), 1):
        if not line.strip():
            continue
        fields = line.split("\t")
        if len(fields) != 2 or not fields[0].strip():
            raise HarnessError(
                f"{path}:{n}: expected 2 tab-separated fields (sentence id, sentence), "
                f"found {len(fields)}"
            )
        sid = fields[0].strip()
        if sid in seen:
            raise HarnessError(f"{path}:{n}: sentence id {sid} repeats line {seen[sid]}")
        seen[sid] = n
        out.append((sid, fields[1]))
    return out


def _read_bucc_gold(path: Path, src_ids: set[str], en_ids: set[str]) -> list[str]:
    """``src_id<TAB>en_id`` gold lines; both ids must name sentences of the split."""
    pairs = []
    for n, line in enumerate(_lines(path), 1):
        if not line.strip():
            continue
        fields = line.strip().split("\t")
        if len(fields) != 2:
            raise HarnessError(
                f"{path}:{n}: expected 2 tab-separated ids (source, English), found {len(fields)}"
            )
        if fields[0] not in src_ids or fields[1] not in en_ids:
            unknown = fields[0] if fields[0] not in src_ids else fields[1]
            raise HarnessError(
                f"{path}:{n}: id {unknown} is not a sentence of this split; "
                "is the gold file from another language or split?"
            )
        pairs.append("\t".join(fields))
    return pairs


def _bucc_rows(
    lang: str,
    source: list[tuple[str, str]],
    english: list[tuple[str, str]],
    gold: list[str] | None,
) -> list[Row]:
    """One row per sentence; gold pairs listed on their source sentence's row."""
    by_source: dict[str, list[str]] = {}
    for pair in gold or []:
        by_source.setdefault(pair.split("\t")[0], []).append(pair)
    rows = [
        {"side": lang, "sentence_id": sid, "text": text, "gold": by_source.get(sid, [])}
        for sid, text in source
    ]
    rows += [{"side": "en", "sentence_id": sid, "text": text, "gold": []} for sid, text in english]
    if gold is None:
        for row in rows:
            row["gold"] = None
    return rows


@dataclass(frozen=True, kw_only=True)
class BuccTask(RetrievalTask):
    """BUCC 2018 parallel sentence mining from comparable corpora, scored by pair F1."""

    evaluator: str = "bucc_f1"
    main_metric: str = "f1"
    eval_splits: tuple[str, ...] = ("dev", "test")
    hub_id: str | None = HUB_ID
    sample_root: Path | None = SAMPLE_ROOT
    default_settings: ClassVar[dict[str, Any]] = BUCC_SETTINGS

    # -- data --------------------------------------------------------------------------
    def _gold_file(self, split: str, lang: str, root: Path) -> Path | None:
        for path in (
            root / "bucc2018" / f"{lang}-en.{split}.gold",
            root / "labels" / "bucc2018" / f"{split}-{lang}.tsv",
        ):
            if path.is_file():
                return path
        return None

    def local_files(self, split: str, language: str, root: Path) -> list[Path]:
        folder = root / "bucc2018"
        files = [folder / f"{language}-en.{split}.{language}", folder / f"{language}-en.{split}.en"]
        gold = self._gold_file(split, language, root)
        return files + ([gold] if gold else [])

    def read_local(self, split: str, language: str, root: Path) -> list[Row]:
        src_file, en_file = self.local_files(split, language, root)[:2]
        source, english = _read_bucc_sentences(src_file), _read_bucc_sentences(en_file)
        gold_file = self._gold_file(split, language, root)
        gold = None
        if gold_file is not None:
            gold = _read_bucc_gold(gold_file, {s for s, _ in source}, {s for s, _ in english})
        return _bucc_rows(language, source, english, gold)

    def read_hub(self, split: str, language: str) -> datasets.Dataset:
        """``bucc18.{lang}`` (validation = sample, test = training set): the gold pairs only,
        ids in ``source_lang``/``target_lang``. Without the release's unpaired sentences
        mining is easier than on the real corpora; use ``--data PATH`` for paper numbers."""
        ds = _hub(self, f"bucc18.{language}", _HUB_SPLIT[split])
        return datasets.Dataset.from_list(bucc_rows_from_hub(language, ds))

    # -- model interface ---------------------------------------------------------------
    def encode(self, batch: dict[str, list], tokenizer: Any, max_length: int) -> dict[str, list]:
        return self._tokenize(batch["text"], tokenizer, max_length)

    def decode(
        self,
        outputs: list[np.ndarray],
        features: datasets.Dataset,
        rows: datasets.Dataset,
        context: harness.EvalContext,
    ) -> list[list[str]]:
        emb = _by_row(outputs, features["example_id"][:], len(rows))
        # plain lists: a datasets Column reads one element per index, ~5x slower, and
        # mining touches every sentence several times (400k per side at full size)
        sides, ids, texts = rows["side"][:], rows["sentence_id"][:], rows["text"][:]
        src = [i for i, s in enumerate(sides) if s != "en"]
        eng = [i for i, s in enumerate(sides) if s == "en"]
        scored = self.candidates(emb, src, eng, ids, texts)
        threshold = self._threshold(scored, rows, context)
        predictions: list[list[str]] = [[] for _ in range(len(rows))]
        row_of = {ids[i]: i for i in src}
        for pair in search.extract(scored, threshold):
            predictions[row_of[pair.split("\t")[0]]].append(pair)
        return predictions

    def candidates(
        self,
        emb: np.ndarray,
        src: list[int],
        eng: list[int],
        ids: Sequence[str],
        texts: Sequence[str],
    ) -> list[tuple[str, float]]:
        """Mined ``(src_id<TAB>en_id, margin score)`` pairs, best first.

        As XTREME: sentences with identical text are embedded and searched once; a mined
        sentence maps back to its id only when its stripped text has a single id.
        """
        src_u, eng_u = _unique_text(src, texts), _unique_text(eng, texts)
        mined = search.mine_bitext(
            emb[src_u], emb[eng_u], k=int(self.settings["k"]), **self._search_args()
        )
        src_id, eng_id = _id_by_text(src, ids, texts), _id_by_text(eng, ids, texts)
        scored: dict[str, float] = {}
        for c in mined:
            s = src_id.get(texts[src_u[c.source]].strip())
            t = eng_id.get(texts[eng_u[c.target]].strip())
            if s is not None and t is not None:
                pair = f"{s}\t{t}"
                scored[pair] = max(c.score, scored.get(pair, c.score))
        return list(scored.items())

    def _threshold(
        self, scored: list[tuple[str, float]], rows: datasets.Dataset, context: harness.EvalContext
    ) -> float:
        fixed = self.settings.get("threshold")
        if fixed is not None:
            return float(fixed)
        key = f"{self.name}:threshold:{context.language}"
        if context.split == "dev":
            gold = self.references(rows)
            if any(g is None for g in gold):
                return 0.0  # unlabelled dev: every mined pair; nothing to tune for test
            lines = {pair for row in gold for pair in row}
            context.state[key] = search.optimize_threshold(scored, lines)
            return context.state[key]
        if key not in context.state:
            raise HarnessError(
                f"task '{self.name}' {context.split}/{context.language}: no decision threshold "
                "(it is tuned on the dev split's gold pairs, which this run did not have); "
                f"fix one with --set {self.name}.threshold=VALUE"
            )
        return context.state[key]

    def references(self, rows: datasets.Dataset) -> list[list[str] | None]:
        return rows["gold"][:]

    def write_predictions(self, path: Path, predictions: Sequence[list[str]]) -> None:
        """XTREME submission format: one ``src_id<TAB>en_id`` line per predicted pair."""
        from harness.scoring import write_lines

        write_lines(path, (pair for row in predictions for pair in row))

    def read_submission(
        self, predictions: Path, labels: Path, language: str
    ) -> tuple[list[str], list[str]]:
        """Pair lines of both files as they are: evaluate.py compares them as sets, and an
        empty prediction file is a valid (zero-scoring) submission."""
        from harness.scoring import read_lines

        return read_lines(predictions), read_lines(labels)


def _unique_text(indices: list[int], texts: Sequence[str]) -> list[int]:
    """First row of every distinct text, in file order (XTREME's ``text_load_unify``)."""
    first: dict[str, int] = {}
    for i in indices:
        first.setdefault(texts[i], i)
    return list(first.values())


def _id_by_text(indices: list[int], ids: Sequence[str], texts: Sequence[str]) -> dict[str, str]:
    """Stripped text -> id, without texts that several ids share (XTREME's ``read_sent2id``)."""
    counts = Counter(texts[i].strip() for i in indices)
    return {texts[i].strip(): ids[i] for i in indices if counts[texts[i].strip()] == 1}


def bucc_rows_from_hub(lang: str, ds: Any) -> list[Row]:
    """Rows from the Hub's gold-pair records (ids in ``source_lang``/``target_lang``)."""
    source: dict[str, str] = {}
    english: dict[str, str] = {}
    gold = []
    for record in ds:
        sid, tid = record["source_lang"], record["target_lang"]
        source.setdefault(sid, record["source_sentence"])
        english.setdefault(tid, record["target_sentence"])
        gold.append(f"{sid}\t{tid}")
    return _bucc_rows(lang, list(source.items()), list(english.items()), gold)


# --------------------------------------------------------------------------- Tatoeba
@dataclass(frozen=True, kw_only=True)
class TatoebaTask(RetrievalTask):
    """Tatoeba: retrieve each English sentence's translation among up to 1,000 sentences."""

    evaluator: str = "accuracy"
    main_metric: str = "accuracy"
    eval_splits: tuple[str, ...] = ("test",)
    hub_id: str | None = HUB_ID
    sample_root: Path | None = SAMPLE_ROOT

    # -- data --------------------------------------------------------------------------
    def _files(self, language: str, root: Path) -> tuple[list[Path], bool]:
        """(source file, English file) and whether they are LASER's line-aligned release."""
        folder, iso3 = root / "tatoeba", TATOEBA_ISO3[language]
        xtreme = [folder / f"{language}-en.{language}", folder / f"{language}-en.en"]
        laser = [folder / f"tatoeba.{iso3}-eng.{iso3}", folder / f"tatoeba.{iso3}-eng.eng"]
        if not xtreme[0].is_file() and laser[0].is_file():
            return laser, True
        return xtreme, False

    def _labels_file(self, split: str, language: str, root: Path) -> Path:
        return root / "labels" / "tatoeba" / f"{split}-{language}.tsv"

    def local_files(self, split: str, language: str, root: Path) -> list[Path]:
        files, aligned = self._files(language, root)
        labels = self._labels_file(split, language, root)
        return files + ([labels] if not aligned and labels.is_file() else [])

    def read_local(self, split: str, language: str, root: Path) -> list[Row]:
        (src_file, en_file), aligned = self._files(language, root)
        source, english = _lines(src_file), _lines(en_file)
        if len(source) != len(english):
            raise HarnessError(
                f"{en_file}: {len(english)} sentences for {len(source)} in {src_file}; "
                "Tatoeba files are parallel (one translation per line)"
            )
        labels_file = self._labels_file(split, language, root)
        labels: list[str | None] = [None] * len(english)
        if aligned:  # LASER: line j of both files is one pair
            labels = [str(j) for j in range(len(english))]
        elif labels_file.is_file():  # XTREME: English sorted; gold kept by the organisers
            labels = _read_tatoeba_labels(labels_file, len(english))
        return [
            {"en_text": e, "source_text": s, "label": label}
            for e, s, label in zip(english, source, labels, strict=True)
        ]

    def read_hub(self, split: str, language: str) -> datasets.Dataset:
        """``tatoeba.{xxx}``: LASER's aligned pairs (one ``validation`` split = XTREME's test)."""
        if language in XTREME_R_TATOEBA_LANGUAGES:
            iso3 = TATOEBA_ISO3[language]
            raise HarnessError(
                f"task '{self.name}': --data hub has no {language} ({self.hub_id} has no config "
                f"tatoeba.{iso3}: it holds XTREME's languages, not XTREME-R's additions); use "
                f"--data PATH with XTREME's download (tatoeba/{language}-en.{language}) or "
                f"LASER's files (tatoeba/tatoeba.{iso3}-eng.{iso3})"
            )
        ds = _hub(self, f"tatoeba.{TATOEBA_ISO3[language]}", "validation")
        return datasets.Dataset.from_list(tatoeba_rows_from_hub(ds))

    # -- model interface ---------------------------------------------------------------
    def encode(self, batch: dict[str, list], tokenizer: Any, max_length: int) -> dict[str, list]:
        """The family's two features per row: the English query, the source-language candidate."""
        return super().encode(
            {
                "query": batch["en_text"],
                "candidate": batch["source_text"],
                "example_id": batch["example_id"],
            },
            tokenizer,
            max_length,
        )


def tatoeba_rows_from_hub(ds: Any) -> list[Row]:
    """Rows from the Hub's aligned records (``source_sentence``, ``target_sentence``)."""
    return [
        {
            "en_text": record["target_sentence"].rstrip("\n"),
            "source_text": record["source_sentence"].rstrip("\n"),
            "label": str(j),
        }
        for j, record in enumerate(ds)
    ]


BUCC2018 = BuccTask(
    name="bucc2018",
    description="BUCC 2018 (Zweigenbaum et al. 2018): mine parallel sentences between "
    "comparable de/fr/ru/zh and English corpora; no training, F1 of mined pairs.",
    languages=BUCC_LANGUAGES,
    xtreme_name="bucc2018",
    homepage="https://comparable.limsi.fr/bucc2018/bucc2018-task.html",
)

TATOEBA = TatoebaTask(
    name="tatoeba",
    description="Tatoeba (Artetxe & Schwenk 2019): retrieve translations between English "
    "and XTREME's 36 languages (XTREME-R adds az, lt, pl, uk, ro) by nearest neighbour; no "
    "training, accuracy.",
    languages=TATOEBA_LANGUAGES,
    xtreme_name="tatoeba",
    homepage="https://github.com/facebookresearch/LASER/tree/main/data/tatoeba/v1",
)

TASKS = (BUCC2018, TATOEBA)


@harness.hookimpl
def register_tasks(register):
    for task in TASKS:
        register(task)
