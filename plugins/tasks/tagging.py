"""Token tagging: UD-POS and PAN-X (WikiANN) targets, CCG supertagging as an intermediate task.

Every task here is one :class:`TaggingTask` record. Rows are normalised to ``tokens``
(the words) and ``tags`` (one index into the task's tag list per word; -1 = unlabelled).

Local layouts (``--data PATH``; the bundled samples use the same ones: UD-POS as UD release
CoNLL-U files, PAN-X in XTREME's processed layout, CCG in jiant's):

* **UD-POS**, either of
  - XTREME's processed download, ``udpos/{split}-{lang}.tsv``: ``word<TAB>tag`` lines, a blank
    line between sentences; test files hold words only (XTREME strips test labels), gold
    tags are read, when present, from ``labels/udpos/test-{lang}.tsv`` (one tag per line, a
    blank line between sentences: the evaluate.py label layout);
  - the UD release itself, ``ud-treebanks-v2.5/UD_*/{lang}_*-ud-{split}.conllu`` (XTREME-R's
    lt, pl, uk, wo, ro: ``ud-treebanks-v2.7/...``, the release download_data.sh takes them
    from; both folders may sit side by side), read
    the way XTREME's ``download_data.sh`` + ``utils_preprocess.py`` convert it: every treebank
    whose file name starts with ``{lang}_`` is used (files in name order); comments and empty
    nodes (``5.1``) are skipped; a multiword token (``1-2 del``) replaces its words by the fused
    form, tagged with the UPOS of the word highest in the dependency graph (HEAD and the
    integer heads of DEPS), ties broken by ud-conversion-tools' POS precedence list for the
    language; sentences whose words are all (but at most one) ``_`` are dropped (treebanks
    distributed without text); ZERO WIDTH NON-JOINER and spaces are removed from words.
    Where XTREME's converter would crash on a tie between tags missing from its precedence
    list, the first such word is chosen.
  ``--set udpos.format=xtreme|conllu`` forces one; ``auto`` (default) reads ``udpos/`` when that
  folder exists, else the releases. No dev split exists for kk, th, tl, yo (UD v2.5 has none).
  The gold of both layouts is the same: XTREME's ``udpos/*.tsv`` are this conversion's output.
* **PAN-X** (XTREME's 40 languages and XTREME-R's qu, pl, uk, az, lt, pa, gu, ro):
  XTREME's processed ``panx/{split}-{lang}.tsv`` (``token<TAB>tag``; test: tokens only,
  gold in ``labels/panx/test-{lang}.tsv``). IOB2 tags over PER/ORG/LOC.
* **CCG** (intermediate, English): jiant's CCGbank-derived files ``ccg/ccg.{train,dev,test}``,
  one sentence per line as ``space-tokenised text<TAB>space-separated supertags``, and the tag
  vocabulary ``ccg/tags_to_id.json`` (``{"tag": id}``; the ids define the label order). CCGbank is
  licensed, so only small samples ship; ``--data PATH`` (or ``--set ccg.data_dir=FOLDER`` holding
  those four files) points at a real copy.

Hub (``--data hub``): ``google/xtreme`` configs ``PAN-X.<lang>`` (``tokens``, ``ner_tags``,
ClassLabel names mapped by name), built from the same WikiANN archive as XTREME's ``panx/``;
google/xtreme has no ``PAN-X`` config for XTREME-R's eight new languages, so those refuse the
Hub (use XTREME's ``panx/`` download).
UD-POS refuses the Hub: the ``udpos.<Language>`` configs take every treebank folder matching
``*_<Language>*`` (Greek pulls in Ancient Greek, Chinese Classical Chinese, ...), keep the
words of multiword tokens split and keep empty nodes, so they are not XTREME's UD-POS and
their scores are not comparable with XTREME's. Use XTREME's ``udpos/`` or the UD v2.5 release.

Model side (encoding, windows, decoding, submission files): the public family
:class:`harness.families.tagging.TaggingTask`, whose names this module re-exports.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from harness_builtins.tasks.ud_conllu import (  # noqa: F401  (re-exported)
    _DEFAULT_PRECEDENCE,
    POS_PRECEDENCE,
    UD_RELEASE,
    UD_RELEASE_R,
    XTREME_R_UD_LANGUAGES,
    UDSentence,
    UDWord,
    _ancestors,
    _clean_form,
    read_conllu,
    read_ud_conllu,
    ud_files,
    ud_release,
    xtreme_words,
)

import harness
from harness._lazy import lazy_module
from harness.errors import HarnessError
from harness.families._base import HubReader, LocalReader, Row  # noqa: F401
from harness.families.tagging import (  # noqa: F401  (re-exported: the old import paths)
    IGNORE,
    TaggingTask,
    _blocks,
    _lines,
    attach_gold,
    from_hub_schema,
    read_gold_tags,
    read_token_tag_file,
    special_tokens,
    word_pieces,
)

datasets = lazy_module("datasets")

SAMPLE_ROOT = Path(__file__).parent / "data"

UPOS_TAGS = (
    "ADJ",
    "ADP",
    "ADV",
    "AUX",
    "CCONJ",
    "DET",
    "INTJ",
    "NOUN",
    "NUM",
    "PART",
    "PRON",
    "PROPN",
    "PUNCT",
    "SCONJ",
    "SYM",
    "VERB",
    "X",
)
PANX_TAGS = ("O", "B-PER", "I-PER", "B-ORG", "I-ORG", "B-LOC", "I-LOC")

# XTREME evaluate.py TASK2LANGS, then the languages XTREME_R_TASK2LANGS adds
XTREME_UDPOS_LANGUAGES = tuple(
    "af ar bg de el en es et eu fa fi fr he hi hu id it ja kk ko mr nl pt ru ta te th tl tr "
    "ur vi yo zh".split()
)
UDPOS_LANGUAGES = XTREME_UDPOS_LANGUAGES + XTREME_R_UD_LANGUAGES
XTREME_PANX_LANGUAGES = tuple(
    "ar he vi id jv ms tl eu ml ta te af nl en de el bn hi mr ur fa fr it pt es bg ru ja ka "
    "ko th sw yo my zh kk tr et fi hu".split()
)
XTREME_R_PANX_LANGUAGES = ("qu", "pl", "uk", "az", "lt", "pa", "gu", "ro")
PANX_LANGUAGES = XTREME_PANX_LANGUAGES + XTREME_R_PANX_LANGUAGES
UDPOS_NO_DEV = ("kk", "th", "tl", "yo")  # UD v2.5 ships no dev data for these
# config names of google/xtreme's udpos subsets (XTREME's languages only)
UD_HUB_NAMES = {
    "af": "Afrikaans",
    "ar": "Arabic",
    "bg": "Bulgarian",
    "de": "German",
    "el": "Greek",
    "en": "English",
    "es": "Spanish",
    "et": "Estonian",
    "eu": "Basque",
    "fa": "Persian",
    "fi": "Finnish",
    "fr": "French",
    "he": "Hebrew",
    "hi": "Hindi",
    "hu": "Hungarian",
    "id": "Indonesian",
    "it": "Italian",
    "ja": "Japanese",
    "kk": "Kazakh",
    "ko": "Korean",
    "mr": "Marathi",
    "nl": "Dutch",
    "pt": "Portuguese",
    "ru": "Russian",
    "ta": "Tamil",
    "te": "Telugu",
    "th": "Thai",
    "tl": "Tagalog",
    "tr": "Turkish",
    "ur": "Urdu",
    "vi": "Vietnamese",
    "yo": "Yoruba",
    "zh": "Chinese",
}

LocalLayout = Callable[["TaggingTask", str, str, Path], list[Path]]
"""Files of a built-in whose layout depends on the data folder or a setting (see below)."""


@dataclass(frozen=True, kw_only=True)
class _FolderTaggingTask(TaggingTask):
    """A built-in whose files depend on what the data folder holds (UD-POS: XTREME's files or
    the UD release) or on a setting (CCG's ``data_dir``), found by ``find_files``."""

    find_files: LocalLayout

    def local_files(self, split: str, language: str, root: Path) -> list[Path]:
        return self.find_files(self, split, language, root)


# --------------------------------------------------------------------------- XTREME layout
def _read_xtreme_tsv(task: TaggingTask, split: str, lang: str, root: Path) -> list[Row]:
    folder = task.xtreme_name or task.name
    path = root / folder / f"{split}-{lang}.tsv"
    rows = [
        {"tokens": tokens, "tags": tags, "line": line}
        for tokens, tags, line in read_token_tag_file(task, path, tags_optional=split == "test")
    ]
    labels = root / "labels" / folder / f"{split}-{lang}.tsv"
    if labels.is_file():
        attach_gold(task, rows, path, labels)
    return rows


def _udpos_format(task: TaggingTask, root: Path) -> str:
    chosen = task.settings.get("format", "auto")
    if chosen not in ("auto", "xtreme", "conllu"):
        raise HarnessError(
            f"--set udpos.format={chosen}: expected auto, xtreme (udpos/*.tsv) or conllu"
        )
    if chosen != "auto":
        return chosen
    release = (root / UD_RELEASE).is_dir() or (root / UD_RELEASE_R).is_dir()
    return "conllu" if release and not (root / "udpos").is_dir() else "xtreme"


def _udpos_files(task: TaggingTask, split: str, lang: str, root: Path) -> list[Path]:
    if _udpos_format(task, root) == "xtreme":
        labels = root / "labels" / "udpos" / f"{split}-{lang}.tsv"
        return [root / "udpos" / f"{split}-{lang}.tsv"] + ([labels] if labels.is_file() else [])
    files = ud_files(root, split, lang)
    # a pattern (never a file) makes the missing-file message say what is looked for
    return files or [root / ud_release(lang) / "UD_*" / f"{lang}_*-ud-{split}.conllu"]


def _read_udpos(task: TaggingTask, split: str, lang: str, root: Path) -> list[Row]:
    if _udpos_format(task, root) == "xtreme":
        return _read_xtreme_tsv(task, split, lang, root)
    return [row for path in ud_files(root, split, lang) for row in read_ud_conllu(task, path, lang)]


# --------------------------------------------------------------------------- CCG (jiant)
def _ccg_dir(task: TaggingTask, root: Path | None) -> Path:
    custom = task.settings.get("data_dir") or ""
    if custom:
        return Path(str(custom)).expanduser()
    if root is None:
        raise HarnessError(
            "task 'ccg': CCGbank is licensed and not on the Hub; use --data PATH (with ccg/) "
            "or --set ccg.data_dir=FOLDER holding ccg.{train,dev,test} and tags_to_id.json"
        )
    return root / "ccg"


def read_tag_vocabulary(path: Path) -> tuple[str, ...]:
    """jiant's ``tags_to_id.json``: tag -> id; ids must be 0..n-1 (they are the label order)."""
    try:
        mapping = json.loads(harness.read_text(path))
    except json.JSONDecodeError as exc:
        problem = harness.textfiles.json_problem(exc, with_line=False)
        raise HarnessError(f"{path}:{exc.lineno}: not valid JSON ({problem})") from None
    if not isinstance(mapping, dict) or not mapping:
        raise HarnessError(f"{path}: expected a non-empty JSON object mapping tag -> id")
    by_id: dict[int, str] = {}
    for tag, ident in mapping.items():
        try:
            number = int(ident)
        except (TypeError, ValueError):
            raise HarnessError(f"{path}: id of tag '{tag}' is not an integer: {ident!r}") from None
        if number in by_id:
            raise HarnessError(f"{path}: tags '{by_id[number]}' and '{tag}' share id {number}")
        by_id[number] = tag
    if sorted(by_id) != list(range(len(by_id))):
        raise HarnessError(f"{path}: tag ids must be 0..{len(by_id) - 1} without gaps")
    return tuple(by_id[i] for i in range(len(by_id)))


def _ccg_files(task: TaggingTask, split: str, lang: str, root: Path) -> list[Path]:
    folder = _ccg_dir(task, root)
    return [folder / f"ccg.{split}", folder / "tags_to_id.json"]


def _read_ccg(task: TaggingTask, split: str, lang: str, root: Path | None) -> list[Row]:
    folder = _ccg_dir(task, root)
    vocab_path = folder / "tags_to_id.json"
    task.state["labels"] = read_tag_vocabulary(vocab_path)
    path = folder / f"ccg.{split}"
    rows = []
    for n, line in enumerate(_lines(path), 1):
        if not line.strip():
            continue
        where = f"{path}:{n}"
        fields = line.split("\t")
        if len(fields) != 2:
            raise HarnessError(
                f"{where}: expected 'text<TAB>tags', found {len(fields)} tab-separated field(s)"
            )
        tokens, tags = fields[0].split(), fields[1].split()
        if len(tokens) != len(tags) or not tokens:
            raise HarnessError(
                f"{where}: {len(tokens)} tokens but {len(tags)} supertags; "
                "one supertag per space-separated token"
            )
        rows.append({"tokens": tokens, "tags": [task.tag_index(t, where) for t in tags], "line": n})
    return rows


def _ccg_hub(task: TaggingTask, split: str, lang: str) -> datasets.Dataset:
    return datasets.Dataset.from_list(_read_ccg(task, split, lang, None))


# --------------------------------------------------------------------------- Hub
_HUB_SPLIT = {"train": "train", "dev": "validation", "test": "test"}


def _udpos_hub(task: TaggingTask, split: str, lang: str) -> datasets.Dataset:
    """Refuse: google/xtreme's ``udpos.<Language>`` is not the UD-POS XTREME scores on."""
    if lang not in UD_HUB_NAMES:
        raise HarnessError(
            f"task 'udpos': --data hub has no {lang} (google/xtreme holds XTREME's languages "
            f"only); use --data PATH with XTREME's download (udpos/{split}-{lang}.tsv) or the "
            f"UD v2.7 release ({UD_RELEASE_R}/UD_*/{lang}_*-ud-{split}.conllu)"
        )
    raise HarnessError(
        f"task 'udpos': --data hub is not XTREME's UD-POS (google/xtreme's "
        f"udpos.{UD_HUB_NAMES[lang]} takes every treebank named *_{UD_HUB_NAMES[lang]}* "
        "(e.g. Ancient Greek with Greek, Classical Chinese with Chinese) and keeps multiword "
        "tokens split and empty nodes, so its scores are not comparable); use --data PATH "
        f"with XTREME's download folder (udpos/{split}-{lang}.tsv from download_data.sh) or "
        f"the UD v2.5 release ({UD_RELEASE}/UD_*/{lang}_*-ud-{split}.conllu)"
    )


def _hub_reader(
    config: Callable[[str], str], column: str, missing: tuple[str, ...] = ()
) -> HubReader:
    """A google/xtreme reader; ``missing``: languages it has no config for (refused)."""

    def read(task: TaggingTask, split: str, lang: str) -> datasets.Dataset:
        if lang in missing:
            raise HarnessError(
                f"task '{task.name}': --data hub has no {lang} ({task.hub_id} has no config "
                f"{config(lang)}: it holds XTREME's languages, not XTREME-R's additions); "
                f"use --data PATH with XTREME's download ({task.name}/{split}-{lang}.tsv)"
            )
        # failures (network, auth, missing config) become one line in Task.load
        ds = datasets.load_dataset(task.hub_id, config(lang), split=_HUB_SPLIT[split])
        return from_hub_schema(task, ds, column)

    return read


UDPOS = _FolderTaggingTask(
    name="udpos",
    description="Universal Dependencies POS tagging (17 UPOS tags) as in XTREME: train on "
    "English, test zero-shot in XTREME's 33 languages (UD v2.5) and XTREME-R's lt, pl, uk, wo, "
    "ro (UD v2.7); scored with seqeval F1 like XTREME's evaluate.py.",
    languages=UDPOS_LANGUAGES,
    roles=("target",),
    tags=UPOS_TAGS,
    no_dev=UDPOS_NO_DEV,
    xtreme_name="udpos",
    hub_id="google/xtreme",
    sample_root=SAMPLE_ROOT,
    homepage="https://universaldependencies.org/",
    settings={"format": "auto"},
    find_files=_udpos_files,
    local_reader=_read_udpos,
    hub_reader=_udpos_hub,
)

PANX = TaggingTask(
    name="panx",
    description="PAN-X / WikiANN named entities (PER, ORG, LOC; IOB2) in XTREME's 40 languages "
    "and XTREME-R's 8 more: train on English, test zero-shot; seqeval entity F1.",
    languages=PANX_LANGUAGES,
    roles=("target",),
    tags=PANX_TAGS,
    xtreme_name="panx",
    hub_id="google/xtreme",
    sample_root=SAMPLE_ROOT,
    homepage="https://github.com/google-research/xtreme",
    local_layout=lambda split, lang: [f"panx/{split}-{lang}.tsv"],  # + labels/panx/ gold
    hub_reader=_hub_reader(lambda lang: f"PAN-X.{lang}", "ner_tags", XTREME_R_PANX_LANGUAGES),
)

CCG = _FolderTaggingTask(
    name="ccg",
    description="CCG supertagging (CCGbank, jiant's format; Phang et al. 2020): one supertag per "
    "token from a vocabulary file (jiant's has 1363 tags); token accuracy. CCGbank is licensed: "
    "small samples ship, point --data or --set ccg.data_dir at your copy.",
    languages=("en",),
    roles=("intermediate",),
    eval_splits=("dev",),
    evaluator="tag-accuracy",
    main_metric="accuracy",
    sample_root=SAMPLE_ROOT,
    homepage="https://catalog.ldc.upenn.edu/LDC2005T13",
    settings={"data_dir": ""},
    find_files=_ccg_files,
    local_reader=_read_ccg,
    hub_reader=_ccg_hub,
)

TASKS = (UDPOS, PANX, CCG)


@harness.hookimpl
def register_tasks(register):
    for task in TASKS:
        register(task)
