"""Extractive question answering: XQuAD, MLQA and TyDiQA-GoldP targets; SQuAD v1.1/v2.0 intermediates.

Every task is one :class:`ExtractiveQATask` record (the public family
:mod:`harness.families.qa`, whose names this module re-exports: reading SQuAD-format files,
encoding windows, span search, submission files). All five datasets ship SQuAD-style JSON
(``{"data": [{"title", "paragraphs": [{"context", "qas": [{"id", "question", "answers":
[{"text", "answer_start"}]}]}]}]}``; v2.0 adds ``is_impossible``), read here from XTREME's
download layout (``squad/``, ``xquad/``, ``mlqa/MLQA_V1/``, ``tydiqa/``); Hub readers map the
shared Hub schema (``id``, ``title``, ``context``, ``question``, ``answers{text,
answer_start}``) onto the same rows.

As in XTREME, XQuAD and MLQA train on SQuAD v1.1 (their ``train`` split *is*
``squad/train-v1.1.json``) and TyDiQA-GoldP on its English training file; XQuAD has only a
test split, TyDiQA-GoldP's dev set is XTREME's test set, MLQA has both. XTREME's download
strips the answers of those test files (one empty answer per question): such a split is
predicted but not scored, unless evaluate.py's label folder (``labels/{task}/test-{lang}.json``)
holds its answers.

The model sees each question with windows over its context (``doc_stride`` tokens apart);
decoding searches the ``n_best`` start and end logits of every window of a question for the
best span of at most ``max_answer_length`` tokens and cuts its text out of the original
context through the tokenizer's character offsets. SQuAD v2.0 answers nothing when the
best window's null (CLS) score beats the best span by more than ``null_score_diff_threshold``.
Predictions are written as XTREME's submission files: ``{question id: answer text}``.

Every answer's text must be the context's text at its ``answer_start`` (XTREME's
utils_preprocess asserts the same of the files it writes). The Hub's XQuAD and TyDiQA
loaders strip contexts and answer texts without moving the offsets, so an answer found
within ``OFFSET_SHIFT_LIMIT`` characters of its offset has the offset corrected to it;
one found nowhere near it is an error naming the file and question. MLQA's Hub repository
ships only a loading script, which ``datasets`` 4 no longer runs: it is read from the Hub's
parquet conversion of that script's output (``refs/convert/parquet``, folder
``mlqa.{lang}.{lang}``).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import harness
from harness._lazy import lazy_module
from harness.families._base import HubReader, Row  # noqa: F401  (re-exported)
from harness.families.qa import (  # noqa: F401  (re-exported: the old import paths)
    LOG,
    OFFSET_SHIFT_LIMIT,
    SETTINGS,
    V2_SETTINGS,
    ExtractiveQATask,
    _answer_error,
    _expect,
    _load_json,
    _text,
    from_hub_schema,
    locate_answer,
    read_squad_file,
    row_features,
)
from harness.families.qa_spans import (  # noqa: F401  (re-exported: the old import paths)
    _label,
    _own_span,
    _question_cap,
    _row_features,
    _with_marks,
    bare_piece_id,
    best_spans,
    encode_windows,
)

datasets = lazy_module("datasets")

SAMPLE_ROOT = Path(__file__).parent / "data"
PARQUET_EXPORT = "refs/convert/parquet"
"""Branch where the Hub keeps a parquet copy of every dataset, script-built ones included."""
XQUAD_LANGUAGES = ("ar", "de", "el", "en", "es", "hi", "ru", "th", "tr", "vi", "zh", "ro")
"""XTREME's 11, then XTREME-R's Romanian (``xquad.ro.json`` of google-deepmind/xquad; XTREME's
download_data.sh fetches only the 11: put ``xquad.ro.json`` beside them; Hub: ``xquad.ro``)."""
MLQA_LANGUAGES = ("ar", "de", "en", "es", "hi", "vi", "zh")
TYDIQA_LANGUAGE_NAMES = {
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
"""TyDiQA-GoldP's languages; its question ids start with the language's English name
(``arabic-...``)."""
TYDIQA_LANGUAGES = tuple(TYDIQA_LANGUAGE_NAMES)


Layout = Callable[[str, str], list[str | tuple[str, ...]]]


# --------------------------------------------------------------------------- layouts and Hub
SQUAD_TRAIN = "squad/train-v1.1.json"


def _squad_layout(version: str) -> Layout:
    return lambda split, lang: [f"squad/{'train' if split == 'train' else 'dev'}-v{version}.json"]


def _xquad_layout(split: str, lang: str) -> list[str]:
    return [SQUAD_TRAIN] if split == "train" else [f"xquad/xquad.{lang}.json"]


def _mlqa_layout(split: str, lang: str) -> list[str]:
    if split == "train":
        return [SQUAD_TRAIN]
    return [f"mlqa/MLQA_V1/{split}/{split}-context-{lang}-question-{lang}.json"]


def _tydiqa_layout(split: str, lang: str) -> list[str | tuple[str, ...]]:
    """XTREME's utils_preprocess names the files ``tydiqa.goldp.{lang}.{split}.json``; its
    earlier versions wrote ``tydiqa.{lang}.{split}.json``: either is read."""
    folder, part = ("train", "train") if split == "train" else ("dev", "dev")
    base = f"tydiqa/tydiqa-goldp-v1.1-{folder}"
    return [(f"{base}/tydiqa.goldp.{lang}.{part}.json", f"{base}/tydiqa.{lang}.{part}.json")]


def _hub(repo: str, config: str | None, split: str) -> datasets.Dataset:
    return from_hub_schema(datasets.load_dataset(repo, config, split=split), f"{repo}:{split}")


def _hub_parquet_export(repo: str, config: str, split: str) -> datasets.Dataset:
    """A config of a script-only repository from the Hub's parquet conversion of it."""
    ds = datasets.load_dataset(repo, data_dir=config, revision=PARQUET_EXPORT, split=split)
    return from_hub_schema(ds, f"{repo}@{PARQUET_EXPORT}:{config}/{split}")


def _squad_hub(repo: str) -> HubReader:
    def read(task: ExtractiveQATask, split: str, lang: str) -> datasets.Dataset:
        return _hub(repo, None, "train" if split == "train" else "validation")

    return read


def _xquad_hub(task: ExtractiveQATask, split: str, lang: str) -> datasets.Dataset:
    if split == "train":
        return _hub("rajpurkar/squad", None, "train")
    return _hub("google/xquad", f"xquad.{lang}", "validation")


def _mlqa_hub(task: ExtractiveQATask, split: str, lang: str) -> datasets.Dataset:
    if split == "train":
        return _hub("rajpurkar/squad", None, "train")
    # facebook/mlqa ships only a loading script: read its parquet conversion
    return _hub_parquet_export(
        "facebook/mlqa", f"mlqa.{lang}.{lang}", "validation" if split == "dev" else "test"
    )


def _tydiqa_hub(task: ExtractiveQATask, split: str, lang: str) -> datasets.Dataset:
    """The Hub holds one secondary_task (GoldP) set for all languages; ids name the language."""
    ds = _hub(
        "google-research-datasets/tydiqa",
        "secondary_task",
        "train" if split == "train" else "validation",
    )
    prefix = TYDIQA_LANGUAGE_NAMES[lang] + "-"
    return ds.filter(lambda batch: [i.startswith(prefix) for i in batch["id"]], batched=True)


# --------------------------------------------------------------------------- the tasks
SQUAD = ExtractiveQATask(
    name="squad",
    description="SQuAD v1.1 (Rajpurkar et al. 2016): English extractive QA; XTREME's training "
    "data for XQuAD and MLQA.",
    languages=("en",),
    roles=("intermediate",),
    eval_splits=("dev",),
    hub_id="rajpurkar/squad",
    sample_root=SAMPLE_ROOT,
    homepage="https://rajpurkar.github.io/SQuAD-explorer/",
    settings=dict(SETTINGS),
    local_layout=_squad_layout("1.1"),
    hub_reader=_squad_hub("rajpurkar/squad"),
)

SQUAD_V2 = ExtractiveQATask(
    name="squad_v2",
    description="SQuAD v2.0 (Rajpurkar et al. 2018): SQuAD with unanswerable questions; an "
    "intermediate task in Phang et al. 2020.",
    languages=("en",),
    roles=("intermediate",),
    eval_splits=("dev",),
    evaluator="squad_v2",
    with_negatives=True,
    hub_id="rajpurkar/squad_v2",
    sample_root=SAMPLE_ROOT,
    homepage="https://rajpurkar.github.io/SQuAD-explorer/",
    settings=dict(V2_SETTINGS),
    local_layout=_squad_layout("2.0"),
    hub_reader=_squad_hub("rajpurkar/squad_v2"),
)

XQUAD = ExtractiveQATask(
    name="xquad",
    description="XQuAD (Artetxe et al. 2020): SQuAD v1.1 dev paragraphs translated into 11 "
    "languages; train on SQuAD v1.1, test zero-shot in XTREME's 11 languages and XTREME-R's "
    "Romanian.",
    languages=XQUAD_LANGUAGES,
    roles=("target",),
    eval_splits=("test",),
    xtreme_name="xquad",
    hub_id="google/xquad",
    sample_root=SAMPLE_ROOT,
    homepage="https://github.com/google-deepmind/xquad",
    settings=dict(SETTINGS),
    local_layout=_xquad_layout,
    hub_reader=_xquad_hub,
)

MLQA = ExtractiveQATask(
    name="mlqa",
    description="MLQA (Lewis et al. 2020): context and question in the same language, 7 "
    "languages; train on SQuAD v1.1; scored with MLQA's language-aware EM/F1.",
    languages=MLQA_LANGUAGES,
    roles=("target",),
    eval_splits=("dev", "test"),
    evaluator="mlqa",
    xtreme_name="mlqa",
    hub_id="facebook/mlqa",
    sample_root=SAMPLE_ROOT,
    homepage="https://github.com/facebookresearch/MLQA",
    settings=dict(SETTINGS),
    local_layout=_mlqa_layout,
    hub_reader=_mlqa_hub,
)

TYDIQA = ExtractiveQATask(
    name="tydiqa",
    description="TyDiQA-GoldP (Clark et al. 2020): gold-passage QA in 9 typologically diverse "
    "languages; train on its English training set; XTREME tests on the dev set.",
    languages=TYDIQA_LANGUAGES,
    roles=("target",),
    eval_splits=("test",),
    xtreme_name="tydiqa",
    hub_id="google-research-datasets/tydiqa",
    sample_root=SAMPLE_ROOT,
    homepage="https://github.com/google-research-datasets/tydiqa",
    settings=dict(SETTINGS),
    local_layout=_tydiqa_layout,
    hub_reader=_tydiqa_hub,
)

TASKS = (SQUAD, SQUAD_V2, XQUAD, MLQA, TYDIQA)


@harness.hookimpl
def register_tasks(register):
    for task in TASKS:
        register(task)
