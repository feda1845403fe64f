"""Token tagging: UD-POS, PAN-X and CCG readers, sub-word alignment, windows, decoding, runs."""

from __future__ import annotations

import dataclasses
import json
import re
from pathlib import Path

import datasets
import numpy as np
import pytest
from harness_builtins.tasks import tagging
from transformers import AutoTokenizer

from harness import DataSource, EvalContext, HarnessError
from harness.cli import main
from harness.registry import load_registry


@pytest.fixture(scope="module")
def tasks():
    return load_registry().tasks


@pytest.fixture(scope="module")
def tokenizer(tiny_model):
    return AutoTokenizer.from_pretrained(tiny_model)


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def tags_of(task, rows) -> list[list[str]]:
    return [[task.tag_names[i] for i in tags] for tags in rows["tags"]]


def conllu(*rows: str) -> str:
    return "".join(r.replace(" | ", "\t") + "\n" for r in rows)


# --------------------------------------------------------------------------- local layouts
def test_xtreme_processed_layout_and_gold_label_folder(tasks, tmp_path):
    write(tmp_path / "panx/dev-de.tsv", "Angela\tB-PER\nMerkel\tI-PER\n\nin\tO\nBerlin\tB-LOC\n")
    write(tmp_path / "panx/test-de.tsv", "Paris\n\nin\nRom\n")
    src = DataSource("local", tmp_path)
    panx = tasks["panx"]
    dev = panx.load("dev", "de", src)
    assert dev["tokens"] == [["Angela", "Merkel"], ["in", "Berlin"]]
    assert panx.references(dev) == [["B-PER", "I-PER"], ["O", "B-LOC"]]
    test = panx.load("test", "de", src)
    assert panx.references(test) == [None, None]  # XTREME strips test tags: predictions only
    write(tmp_path / "labels/panx/test-de.tsv", "B-LOC\n\nO\nB-LOC\n")
    test = panx.load("test", "de", src)
    assert panx.references(test) == [["B-LOC"], ["O", "B-LOC"]]
    assert [p.name for p in panx.local_files("test", "de", tmp_path)] == ["test-de.tsv"] * 2

    # UD-POS in XTREME's layout is picked when udpos/ exists
    write(tmp_path / "udpos/train-en.tsv", "I\tPRON\nran\tVERB\n\nGo\tVERB\n!\tPUNCT\n")
    rows = tasks["udpos"].load("train", "en", src)
    assert tags_of(tasks["udpos"], rows) == [["PRON", "VERB"], ["VERB", "PUNCT"]]


EN_TRAIN = conllu(
    "# newdoc id = weblog-1",
    "# sent_id = 1",
    "# text = Mary likes tea and John coffee.",
    "1 | Mary | Mary | PROPN | NNP | _ | 2 | nsubj | 2:nsubj | _",
    "2 | likes | like | VERB | VBZ | _ | 0 | root | 0:root | _",
    "3 | tea | tea | NOUN | NN | _ | 2 | obj | 2:obj | _",
    "4 | and | and | CCONJ | CC | _ | 5 | cc | 5.1:cc | _",
    "5 | John | John | PROPN | NNP | _ | 2 | conj | 5.1:nsubj | _",
    "5.1 | likes | like | VERB | VBZ | _ | _ | _ | 2:conj:and | CopyOf=2",
    "6 | coffee | coffee | NOUN | NN | _ | 5 | orphan | 5.1:obj | SpaceAfter=No",
    "7 | . | . | PUNCT | . | _ | 2 | punct | 2:punct | _",
    "",
    "# sent_id = 2 (text withheld, as in treebanks distributed without forms)",
    "1 | _ | _ | PRON | _ | _ | 2 | nsubj | _ | _",
    "2 | _ | _ | VERB | _ | _ | 0 | root | _ | _",
    "3 | _ | _ | PUNCT | _ | _ | 2 | punct | _ | _",
    "",
    "# sent_id = 3: two words, one '_': XTREME drops it too (num_empty >= len - 1)",
    "1 | Hi | hi | INTJ | _ | _ | 0 | root | _ | _",
    "2 | _ | _ | PUNCT | _ | _ | 1 | punct | _ | _",
    "",
    "# sent_id = 4: three words, one '_': kept",
    "1 | Go | go | VERB | _ | _ | 0 | root | _ | _",
    "2 | _ | _ | SYM | _ | _ | 1 | dep | _ | _",
    "3 | ! | ! | PUNCT | _ | _ | 1 | punct | _ | _",
    "",
)


def test_conllu_reader_follows_xtreme_conversion(tasks, tmp_path):
    ud = tmp_path / "ud-treebanks-v2.5"
    write(ud / "UD_English-EWT/en_ewt-ud-train.conllu", EN_TRAIN)
    write(
        ud / "UD_English-GUM/en_gum-ud-train.conllu",
        conllu("1 | Hi | hi | INTJ | _ | _ | 0 | root | _ | _", ""),
    )
    write(ud / "UD_English-PUD/en_pud-ud-test.conllu", EN_TRAIN)  # another split: not read
    write(ud / "UD_Old_English-X/ang_x-ud-train.conllu", EN_TRAIN)  # another language
    udpos = tasks["udpos"]
    rows = udpos.load("train", "en", DataSource("local", tmp_path))
    # comments and the empty node 5.1 skipped; no-text sentences dropped; files in name order
    assert rows["tokens"] == [
        ["Mary", "likes", "tea", "and", "John", "coffee", "."],
        ["Go", "_", "!"],
        ["Hi"],
    ]
    assert tags_of(udpos, rows)[0] == ["PROPN", "VERB", "NOUN", "CCONJ", "PROPN", "NOUN", "PUNCT"]
    files = udpos.local_files("train", "en", tmp_path)
    assert [f.name for f in files] == ["en_ewt-ud-train.conllu", "en_gum-ud-train.conllu"]


def test_multiword_tokens_take_the_head_words_tag(tasks, tmp_path):
    ud = tmp_path / "ud-treebanks-v2.5"
    # fr "du" = de (ADP) + le (DET), both attached to the noun: a tie, broken by the French
    # precedence list (ADP before DET); es "dámelo" = da + me + lo with da heading the others.
    write(
        ud / "UD_French-GSD/fr_gsd-ud-test.conllu",
        conllu(
            "# text = Le livre du professeur.",
            "1 | Le | le | DET | _ | _ | 2 | det | _ | _",
            "2 | livre | livre | NOUN | _ | _ | 0 | root | _ | _",
            "3-4 | du | _ | _ | _ | _ | _ | _ | _ | _",
            "3 | de | de | ADP | _ | _ | 5 | case | _ | _",
            "4 | le | le | DET | _ | _ | 5 | det | _ | _",
            "5 | professeur | professeur | NOUN | _ | _ | 2 | nmod | _ | SpaceAfter=No",
            "6 | . | . | PUNCT | _ | _ | 2 | punct | _ | _",
            "",
        ),
    )
    write(
        ud / "UD_Spanish-GSD/es_gsd-ud-test.conllu",
        conllu(
            "1-3 | Dámelo | _ | _ | _ | _ | _ | _ | _ | _",
            "1 | Dá | dar | VERB | _ | _ | 0 | root | _ | _",
            "2 | me | yo | PRON | _ | _ | 1 | iobj | _ | _",
            "3 | lo | él | PRON | _ | _ | 1 | obj | _ | _",
            "4 | ya | ya | ADV | _ | _ | 1 | advmod | _ | _",
            "",
        ),
    )
    src = DataSource("local", tmp_path)
    fr = tasks["udpos"].load("test", "fr", src)
    assert fr["tokens"] == [["Le", "livre", "du", "professeur", "."]]
    assert tags_of(tasks["udpos"], fr) == [["DET", "NOUN", "ADP", "NOUN", "PUNCT"]]
    es = tasks["udpos"].load("test", "es", src)
    assert es["tokens"] == [["Dámelo", "ya"]]
    assert tags_of(tasks["udpos"], es) == [["VERB", "ADV"]]


def test_multiword_head_uses_enhanced_graph_and_precedence():
    def sentence(words, span):
        return tagging.UDSentence(
            [tagging.UDWord(f, u, heads, n) for n, (f, u, heads) in enumerate(words, 1)],
            [(span[0], span[1], "XY", 9)],
            1,
        )

    # span words 3 and 4 both hang from the root verb, but word 4 also has an enhanced head
    # (word 2, itself below the verb): more ancestors, so word 3 is the highest and gives DET
    words = [("v", "VERB", (0,)), ("x", "NOUN", (1,)), ("b", "DET", (1,)), ("d", "ADP", (1, 2))]
    assert tagging.xtreme_words(sentence(words, (3, 4)), "en")[2][:2] == ("XY", "DET")
    # without the enhanced head it is a tie: the default precedence ranks ADP before DET
    words[3] = ("d", "ADP", (1,))
    assert tagging.xtreme_words(sentence(words, (3, 4)), "en")[2][:2] == ("XY", "ADP")
    # a tie between tags missing from the precedence list (French lacks CCONJ, SYM): first wins
    words = [("p", "VERB", (0,)), ("q", "CCONJ", (1,)), ("r", "SYM", (1,))]
    result = tagging.xtreme_words(sentence(words, (2, 3)), "fr")
    assert [w[:2] for w in result] == [("p", "VERB"), ("XY", "CCONJ")]


def test_form_cleanup_and_missing_dev_splits(tasks, tmp_path):
    write(
        tmp_path / "ud-treebanks-v2.5/UD_Persian-Seraji/fa_seraji-ud-test.conllu",
        conllu(
            "1 | بچه\u200cها | _ | NOUN | _ | _ | 2 | nsubj | _ | _",
            "2 | می\u200cروند | _ | VERB | _ | _ | 0 | root | _ | _",
            "",
        ),
    )
    write(
        tmp_path / "ud-treebanks-v2.5/UD_Vietnamese-VTB/vi_vtb-ud-test.conllu",
        conllu("1 | Hà Nội | _ | PROPN | _ | _ | 0 | root | _ | _", ""),
    )
    src = DataSource("local", tmp_path)
    assert tasks["udpos"].load("test", "fa", src)["tokens"] == [["بچهها", "میروند"]]
    assert tasks["udpos"].load("test", "vi", src)["tokens"] == [["HàNội"]]
    assert tasks["udpos"].splits_for("kk") == ("test",)
    assert tasks["udpos"].splits_for("de") == ("dev", "test")
    with pytest.raises(HarnessError, match=r"missing data file .*UD_\*/fa_\*-ud-dev.conllu"):
        tasks["udpos"].load("dev", "fa", src)
    forced = dataclasses.replace(tasks["udpos"], settings={"format": "xtreme"})
    with pytest.raises(HarnessError, match=r"missing data file .*udpos/test-fa.tsv"):
        forced.load("test", "fa", src)
    bogus = dataclasses.replace(tasks["udpos"], settings={"format": "conll"})
    with pytest.raises(HarnessError, match="--set udpos.format=conll: expected auto"):
        bogus.load("test", "fa", src)


GOOD = "1 | a | _ | NOUN | _ | _ | 0 | root | _ | _"


@pytest.mark.parametrize(
    ("task", "relpath", "content", "message"),
    [
        (
            "udpos",
            "ud-treebanks-v2.5/UD_German-GSD/de_gsd-ud-dev.conllu",
            conllu("# text = a b", "1 | a | _ | NOUN | _ | _ | 0 | root | _"),
            "de_gsd-ud-dev.conllu:2: expected 10 tab-separated CoNLL-U fields, found 9",
        ),
        (
            "udpos",
            "ud-treebanks-v2.5/UD_German-GSD/de_gsd-ud-dev.conllu",
            conllu(GOOD, "2 | b | _ | NOUNN | _ | _ | 1 | dep | _ | _"),
            "de_gsd-ud-dev.conllu:2: unknown tag 'NOUNN'",
        ),
        (
            "udpos",
            "ud-treebanks-v2.5/UD_German-GSD/de_gsd-ud-dev.conllu",
            conllu(GOOD, "3 | b | _ | NOUN | _ | _ | 1 | dep | _ | _"),
            "de_gsd-ud-dev.conllu:2: word ID 3 out of sequence (expected 2)",
        ),
        (
            "udpos",
            "ud-treebanks-v2.5/UD_German-GSD/de_gsd-ud-dev.conllu",
            conllu(GOOD, "x | b | _ | NOUN | _ | _ | 1 | dep | _ | _"),
            "de_gsd-ud-dev.conllu:2: bad ID 'x'",
        ),
        (
            "udpos",
            "ud-treebanks-v2.5/UD_German-GSD/de_gsd-ud-dev.conllu",
            conllu("1-3 | zum | _ | _ | _ | _ | _ | _ | _ | _", GOOD, ""),
            "de_gsd-ud-dev.conllu:1: multiword token 1-3 'zum' covers word 3",
        ),
        ("panx", "panx/dev-de.tsv", "Berlin\tB-LOC\nist\tO\tX\n", "dev-de.tsv:2: expected"),
        ("panx", "panx/dev-de.tsv", "Berlin\tB-LCO\n", "dev-de.tsv:1: unknown tag 'B-LCO'"),
        ("panx", "panx/dev-de.tsv", "Berlin\n", "dev-de.tsv:1: expected 'token<TAB>tag'"),
        (
            "ccg",
            "ccg/ccg.dev",
            "The dog barked .\tNP[nb]/N N S[dcl]\\NP\n",
            "ccg.dev:1: 4 tokens but 3 supertags",
        ),
        ("ccg", "ccg/ccg.dev", "Dogs bark\tN S[xx]\n", "ccg.dev:1: unknown tag 'S[xx]'"),
    ],
)
def test_bad_input_names_file_and_line(tasks, tmp_path, task, relpath, content, message):
    write(tmp_path / "ccg/tags_to_id.json", json.dumps({"N": 0, "NP[nb]/N": 1, "S[dcl]\\NP": 2}))
    write(tmp_path / relpath, content)
    with pytest.raises(HarnessError, match=re.escape(message)) as err:
        tasks[task].load("dev", "de" if task != "ccg" else "en", DataSource("local", tmp_path))
    assert "\n" not in str(err.value)


def test_gold_label_file_must_match_sentences(tasks, tmp_path):
    write(tmp_path / "panx/test-fr.tsv", "Paris\n\nà\nRome\n")
    write(tmp_path / "labels/panx/test-fr.tsv", "B-LOC\n\nO\n")
    with pytest.raises(
        HarnessError, match=r"labels/panx/test-fr.tsv:3: 1 tags for a sentence of 2"
    ):
        tasks["panx"].load("test", "fr", DataSource("local", tmp_path))
    write(tmp_path / "labels/panx/test-fr.tsv", "B-LOC\n")
    with pytest.raises(HarnessError, match="1 sentences of gold tags for 2 sentences"):
        tasks["panx"].load("test", "fr", DataSource("local", tmp_path))


# --------------------------------------------------------------------------- CCG vocabulary
def big_vocabulary(n: int) -> dict[str, int]:
    base = ["N", "NP", "N/N", "NP[nb]/N", "S[dcl]\\NP", "(S[dcl]\\NP)/NP", ".", ",", "conj"]
    extra = [f"((S[dcl]\\NP)/PP)/NP[{i}]" for i in range(n - len(base))]
    return {t: i for i, t in enumerate(base + extra)}


def test_ccg_vocabulary_over_a_thousand_tags(tasks, tmp_path, tokenizer):
    vocab = big_vocabulary(1400)
    rare = [t for t, i in vocab.items() if i > 1300][:3]
    write(tmp_path / "ccg/tags_to_id.json", json.dumps(vocab))
    write(
        tmp_path / "ccg/ccg.train",
        f"The dog saw cats .\tNP[nb]/N N {rare[0]} N .\nCats sleep\tN {rare[1]}\n",
    )
    ccg = tasks["ccg"]
    rows = ccg.load("train", "en", DataSource("local", tmp_path))
    assert ccg.num_labels == 1400
    assert tags_of(ccg, rows) == [["NP[nb]/N", "N", rare[0], "N", "."], ["N", rare[1]]]
    features = datasets.Dataset.from_dict(ccg.encode(rows[:], tokenizer, 32))
    assert max(max(x) for x in features["labels"]) > 1300
    outputs = [np.where(np.array(lab) >= 0, lab, 0) for lab in features["labels"]]
    assert ccg.decode(outputs, features, rows, EvalContext("dev", "en")) == ccg.references(rows)
    # the same tags through a --set ccg.data_dir folder, whatever the data root
    moved = dataclasses.replace(ccg, settings={"data_dir": str(tmp_path / "ccg")})
    assert moved.load("train", "en", DataSource("hub"))["tokens"][1] == ["Cats", "sleep"]
    with pytest.raises(HarnessError, match="CCGbank is licensed"):
        ccg.load("dev", "en", DataSource("hub"))


def test_ccg_vocabulary_file_errors(tmp_path):
    bad = write(tmp_path / "a.json", '{"N": 0, "NP": 2}')
    with pytest.raises(HarnessError, match=r"a.json: tag ids must be 0..1 without gaps"):
        tagging.read_tag_vocabulary(bad)
    bad = write(tmp_path / "b.json", '{"N": 0,\n "NP": }')
    with pytest.raises(HarnessError, match=r"b.json:2: not valid JSON"):
        tagging.read_tag_vocabulary(bad)


# --------------------------------------------------------------------------- Hub schema
def test_hub_schema_maps_tag_names(tasks, monkeypatch):
    calls = []

    def fake_load_dataset(repo, config=None, split=None):
        calls.append((repo, config, split))
        names = list(reversed(tagging.PANX_TAGS))  # not the task's order: mapped by name
        features = datasets.Features(
            {
                "tokens": datasets.Sequence(datasets.Value("string")),
                "ner_tags": datasets.Sequence(datasets.ClassLabel(names=names)),
            }
        )
        data = {
            "tokens": [["Hello", "Paris"], []],
            "ner_tags": [[names.index("O"), names.index("B-LOC")], []],
        }
        return datasets.Dataset.from_dict(data, features=features)

    monkeypatch.setattr(datasets, "load_dataset", fake_load_dataset)
    rows = tasks["panx"].load("test", "sw", DataSource("hub"))
    assert calls == [("google/xtreme", "PAN-X.sw", "test")]
    assert tasks["panx"].references(rows) == [["O", "B-LOC"]]  # by name; empty row dropped


# --------------------------------------------------------------------------- model side
def encode(task, tokenizer, sentences, tags=None, max_length=32):
    rows = {
        "tokens": sentences,
        "tags": tags or [[0] * len(s) for s in sentences],
        "example_id": list(range(len(sentences))),
    }
    return task.encode(rows, tokenizer, max_length)


@pytest.mark.parametrize(
    ("words", "pieces_per_word"),
    [
        (["北京", "是", "中国", "的", "首都"], [2, 1, 2, 1, 2]),  # zh: a sub-word per character
        (["東京", "は", "首都", "です"], [2, 1, 2, 2]),  # ja: kanji split, kana pieces
        (["กรุงเทพ", "เป็น", "เมืองหลวง"], [6, 1, 1]),  # th: letters as pieces, or one [UNK]
    ],
)
def test_first_subword_alignment_without_spaces(tasks, tokenizer, words, pieces_per_word):
    udpos = tasks["udpos"]
    tags = [list(range(1, len(words) + 1))]
    enc = encode(udpos, tokenizer, [words], tags)
    ids, labels, word_ids = enc["input_ids"][0], enc["labels"][0], enc["word_ids"][0]
    assert ids[0] == tokenizer.cls_token_id and ids[-1] == tokenizer.sep_token_id
    assert [
        len(tokenizer(w, add_special_tokens=False)["input_ids"]) or 1 for w in words
    ] == pieces_per_word
    starts = np.cumsum([1, *pieces_per_word[:-1]]).tolist()
    assert [i for i, w in enumerate(word_ids) if w >= 0] == starts
    assert [labels[i] for i in starts] == tags[0]
    assert sum(lab != -100 for lab in labels) == len(words)  # other sub-words and specials ignored


def test_words_without_pieces_or_too_long_become_unk(tasks, tokenizer):
    enc = encode(tasks["panx"], tokenizer, [["a", "\u200b", "b"]])
    assert enc["input_ids"][0][2] == tokenizer.unk_token_id
    long_word = "x" * 400  # more pieces than a 8-token window holds
    enc = encode(tasks["panx"], tokenizer, [["a", long_word, "b"]], max_length=8)
    assert tokenizer.unk_token_id in [i for ids in enc["input_ids"] for i in ids]
    assert sorted(w for ws in enc["word_ids"] for w in ws if w >= 0) == [0, 1, 2]


def test_long_sentences_are_windowed_without_dropping_words(tasks, tokenizer):
    panx = tasks["panx"]
    words = [f"word{i}" if i % 3 else "Internationalisation" for i in range(70)]
    tags = [[(i % 7) for i in range(70)], [1, 2]]
    rows = datasets.Dataset.from_dict(
        {"tokens": [words, ["Short", "one"]], "tags": tags, "example_id": [10, 11]}
    )
    enc = panx.encode(rows[:], tokenizer, 16)
    assert max(len(ids) for ids in enc["input_ids"]) <= 16
    assert enc["example_id"].count(10) > 4 and enc["example_id"].count(11) == 1
    covered = [
        w
        for ex, ws in zip(enc["example_id"], enc["word_ids"], strict=True)
        if ex == 10
        for w in ws
        if w >= 0
    ]
    assert covered == list(range(70))  # each word once, in order, across the windows
    for ids, labels, ws in zip(enc["input_ids"], enc["labels"], enc["word_ids"], strict=True):
        assert len(ids) == len(labels) == len(ws)
        assert [lab >= 0 for lab in labels] == [w >= 0 for w in ws]
    features = datasets.Dataset.from_dict(enc)
    # decode merges the windows back: feed the gold ids as the model's best tags
    outputs = [np.where(np.array(lab) >= 0, lab, 0) for lab in enc["labels"]]
    # windows may come in any order
    order = list(reversed(range(len(outputs))))
    decoded = panx.decode(
        [outputs[i] for i in order], features.select(order), rows, EvalContext("test", "en")
    )
    assert decoded == panx.references(rows)


def test_collator_pads_labels_with_ignore_index(tasks, tokenizer):
    enc = encode(tasks["panx"], tokenizer, [["a"], ["a", "b", "c"]])
    features = [
        {k: enc[k][i] for k in ("input_ids", "attention_mask", "token_type_ids", "labels")}
        for i in range(2)
    ]
    batch = tasks["panx"].collator(tokenizer)(features)
    assert batch["input_ids"].shape[1] == 8  # padded to a multiple of 8
    assert batch["labels"][0].tolist()[3:] == [-100] * 5


# --------------------------------------------------------------------------- whole runs
def test_run_ccg_intermediate_then_tagging_targets(tiny_model, capsys):
    code = main(
        [
            "run",
            "--model",
            str(tiny_model),
            "--intermediate",
            "ccg",
            "--targets",
            "udpos",
            "panx",
            "--languages",
            "en",
            "zh",
            "th",
            "--epochs",
            "1",
            "--max-length",
            "12",
            "--max-train-examples",
            "32",
            "--run-id",
            "tag",
            "--no-progress",
        ]
    )
    assert code == 0, capsys.readouterr().err
    run = Path("runs/tag")
    records = json.loads((run / "results.json").read_text())["records"]
    main_records = {(r["target"], r["language"], r["split"]) for r in records if r["main"]}
    assert main_records == {
        ("ccg", "en", "dev"),
        *((t, lg, s) for t in ("udpos", "panx") for lg in ("en", "zh") for s in ("dev", "test")),
        ("udpos", "th", "test"),  # UD v2.5 has no Thai dev set
        ("panx", "th", "dev"),
        ("panx", "th", "test"),
    }
    assert {r["metric"] for r in records if r["target"] == "panx"} == {"f1", "precision", "recall"}
    # XTREME submission files: as many tag lines per sentence as the gold has tokens
    sample = tagging.SAMPLE_ROOT
    gold = (sample / "labels/panx/test-zh.tsv").read_text().split("\n\n")
    predicted = (run / "predictions/ccg/seed0/panx/test-zh.tsv").read_text().split("\n\n")
    assert [len(s.split()) for s in predicted] == [len(s.split()) for s in gold]
    tags = set((run / "predictions/ccg/seed0/udpos/test-th.tsv").read_text().split())
    assert tags <= set(tagging.UPOS_TAGS)
