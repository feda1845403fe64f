"""Every task family through XLM-R's sentencepiece tokenizer, the one real runs use.

MiniLM's WordPiece has token_type_ids, ``[SEP]`` between pairs and ``##`` continuations;
XLM-R has none of these: pairs are ``<s> a </s></s> b </s>``, word starts carry ``▁``, and a
word whose first character starts no piece of its own (every Chinese, Japanese and Thai word
after a space, or at the start of the text) begins with a bare ``▁`` piece whose offsets the
tokenizer gives as the next character's. These tests run the families' encoders, collators,
heads and decoders through that tokenizer on a tiny random XLM-R (the ``tiny_xlmr`` fixture).
"""

from __future__ import annotations

import dataclasses
import json
import time
from pathlib import Path

import datasets
import numpy as np
import pytest
import torch
from harness_builtins.models.hf_encoders import HEADS
from harness_builtins.tasks.qa import encode_windows
from harness_builtins.tasks.retrieval import BUCC2018
from test_qa import gold_logits

from harness import DataSource, EvalContext
from harness.registry import load_registry

SAMPLE = Path(__file__).resolve().parent.parent / "plugins" / "tasks" / "data"
IGNORE = -100
BARE = "▁"


@pytest.fixture(scope="module")
def registry():
    return load_registry()


@pytest.fixture(scope="module")
def tasks(registry):
    return registry.tasks


@pytest.fixture(scope="module")
def xlmr(tiny_xlmr, registry):
    """The tokenizer as a run gets it: through the harness's model plugin."""
    return registry.model(str(tiny_xlmr)).tokenizer(str(tiny_xlmr))


def pieces(tokenizer, ids) -> list[str]:
    return tokenizer.convert_ids_to_tokens(ids)


# --------------------------------------------------------------------------- the model folder
def test_folder_is_xlmr_and_the_model_plugin_serves_it(tiny_xlmr, registry, xlmr):
    from transformers import AutoConfig

    model = registry.model(str(tiny_xlmr))
    assert model.name == "hf"  # a local folder is served by the catch-all Hugging Face plugin
    assert model.location(str(tiny_xlmr)) == str(tiny_xlmr.resolve())
    assert type(xlmr).__name__.startswith("XLMRoberta") and xlmr.is_fast
    assert len(xlmr) == 250002 and AutoConfig.from_pretrained(tiny_xlmr).vocab_size == 250002
    assert "token_type_ids" not in xlmr.model_input_names
    assert [xlmr.bos_token_id, xlmr.pad_token_id, xlmr.eos_token_id, xlmr.unk_token_id] == [
        0,
        1,
        2,
        3,
    ]
    assert xlmr.mask_token_id == 250001 and xlmr.cls_token_id == 0 and xlmr.sep_token_id == 2
    assert xlmr.model_max_length == 512
    for head in HEADS:  # every head the plugin offers builds on this folder
        built = model.build(str(tiny_xlmr), head, 3, None)
        assert built.config.model_type == "xlm-roberta"


# --------------------------------------------------------------------------- classification
def test_pair_classification_has_double_separator_and_no_token_types(tasks, xlmr, tiny_xlmr):
    task = tasks["xnli"]
    rows = task.load("test", "zh", DataSource("local", SAMPLE))
    enc = task.encode(rows[:4], xlmr, 64)
    assert "token_type_ids" not in enc
    for ids, a, b in zip(enc["input_ids"], rows["text_a"][:4], rows["text_b"][:4], strict=True):
        first = xlmr(a, add_special_tokens=False)["input_ids"]
        second = xlmr(b, add_special_tokens=False)["input_ids"]
        assert ids == [0, *first, 2, 2, *second, 2]  # <s> a </s></s> b </s>
    batch = task.collator(xlmr)([{k: enc[k][i] for k in enc} for i in range(4)])
    assert set(batch) == {"input_ids", "attention_mask", "labels"}
    shortest = min(range(4), key=lambda i: len(enc["input_ids"][i]))
    n = len(enc["input_ids"][shortest])
    assert (batch["input_ids"][shortest, n:] == xlmr.pad_token_id).all()  # <pad> is 1, not 0
    assert batch["attention_mask"][shortest].sum() == n
    model = load_registry().model(str(tiny_xlmr)).build(str(tiny_xlmr), task.head, 3, None)
    with torch.no_grad():
        logits = model(**{k: v for k, v in batch.items() if k != "labels"}).logits
    assert logits.shape == (4, 3) and torch.isfinite(logits).all()


# --------------------------------------------------------------------------- QA offsets
def qa_rows(context: str, answer: str, question: str = "什么?") -> datasets.Dataset:
    return datasets.Dataset.from_dict(
        {
            "id": ["q"],
            "context": [context],
            "question": [question],
            "answers": [{"text": [answer], "answer_start": [context.index(answer)]}],
            "example_id": [0],
        }
    )


def qa_features(task, rows, tokenizer, max_length=64) -> datasets.Dataset:
    # not rows.map: datasets would pickle the 250,002-piece tokenizer to fingerprint the call
    return datasets.Dataset.from_dict(task.encode(rows[:], tokenizer, max_length))


@pytest.mark.parametrize("name", ["xquad", "mlqa", "tydiqa"])
def test_answer_offsets_map_back_in_every_sample_language(tasks, xlmr, name):
    """Labels -> logits -> decoded text gives back each gold answer through ``▁`` pieces.

    XLM-R keeps accents and marks and has pieces for Thai, Devanagari and Han, so every
    answer whose ends fall on piece boundaries comes back exactly; only an answer ending
    inside a piece (a Korean particle or Telugu case suffix glued to the answer word) can
    come back only inside that piece's text.
    """
    task = tasks[name]
    src = DataSource("local", SAMPLE)
    exact, inexact = set(), set()
    for lang in task.languages:
        for split in task.splits_for(lang):
            rows = task.load(split, lang, src)
            features = qa_features(task, rows, xlmr)
            assert "token_type_ids" not in features.column_names
            for feature in features:
                s, e = feature["start_positions"], feature["end_positions"]
                assert s <= e  # never an end label before its start label
            decoded = task.decode(gold_logits(features), features, rows, EvalContext(split, lang))
            for row, (_, text) in zip(rows, decoded, strict=True):
                gold = row["answers"]["text"][0]
                if text == gold:
                    exact.add(lang)
                else:
                    assert gold in text and len(text) - len(gold) <= 3, (lang, gold, text)
                    inexact.add(lang)
    assert inexact <= {"ko", "te"}
    if name == "xquad":  # non-Latin scripts with bare ▁ pieces come back exactly
        assert {"zh", "th", "hi", "ar", "el", "ru"} <= exact - inexact


def test_bare_word_start_piece_owns_no_character(tasks, xlmr):
    """XLM-R writes "北京" at a word start as [▁][北京] and gives the bare ▁ the span of "北",
    which 北京 also covers. Counting that character twice made an answer ending inside the
    word's first piece get an end label before its start label, and let a decoded span end
    on the bare piece and cut a character off the next word."""
    task = tasks["xquad"]
    rows = qa_rows("北京是中国的首都", "北")
    features = qa_features(task, rows, xlmr)
    (feature,) = features
    tokens = pieces(xlmr, feature["input_ids"])
    offsets = feature["offset_mapping"]
    bare = tokens.index(BARE, tokens.index("</s>") + 2)  # the context's first piece
    assert tokens[bare + 1] == "北京"
    assert (feature["start_positions"], feature["end_positions"]) == (bare + 1, bare + 1)
    assert offsets[bare] == [0, 0] and offsets[bare + 1] == [0, 2]  # empty: nothing of its own
    assert task.decode(gold_logits(features), features, rows, EvalContext("test", "zh")) == [
        ("q", "北京")  # the smallest span holding the answer
    ]
    # a span ending on the bare piece before 北京 ends before that word (not inside it)
    rows = qa_rows("我爱 北京", "我爱")
    features = qa_features(task, rows, xlmr)
    (feature,) = features
    tokens = pieces(xlmr, feature["input_ids"])
    logits = np.full((len(tokens), 2), -5.0, dtype=np.float32)
    logits[tokens.index("▁我"), 0] = 5.0
    logits[len(tokens) - 1 - tokens[::-1].index(BARE), 1] = 5.0  # the ▁ before 北京
    logits[tokens.index("爱"), 1] = 4.0
    assert task.decode([logits], features, rows, EvalContext("test", "zh")) == [("q", "我爱")]
    # a bare piece alone is no answer: the best real span wins
    logits[:, :] = -5.0
    logits[len(tokens) - 1 - tokens[::-1].index(BARE)] = 5.0
    logits[tokens.index("北京")] = 4.0
    assert task.decode([logits], features, rows, EvalContext("test", "zh")) == [("q", "北京")]


def test_question_cut_at_a_bare_piece_stays_within_its_cap(tasks, xlmr):
    """A question cut after ``cap`` pieces must not end in the bare ▁'s borrowed character,
    which the question's re-tokenisation turns into a piece beyond the cap."""
    question = "北京 首都 " * 10
    q_tokens = pieces(xlmr, xlmr(question, add_special_tokens=False)["input_ids"])
    assert q_tokens[:4] == [BARE, "北京", BARE, "首都"]  # every word: bare ▁, then the word
    batch = qa_rows("北京是中国的首都", "北京", question=question)[:]
    for max_length in range(20, 40):  # caps landing on bare and on word pieces
        cap = min(64, (max_length - 4) // 2)
        enc = encode_windows(batch, xlmr, max_length, 128, 64)
        ids = enc["input_ids"][0]
        question_ids = ids[1 : ids.index(xlmr.sep_token_id)]
        assert len(question_ids) <= cap, max_length
        assert pieces(xlmr, question_ids)[-1] in ("北京", "首都"), max_length  # no half word


# --------------------------------------------------------------------------- tagging
@pytest.mark.parametrize(
    ("words", "expected"),
    [
        (["北京", "是", "中国", "的", "首都"], [[BARE, "北京"], [BARE, "是"], ["▁中国"]]),
        (["東京", "は", "首都", "です"], [[BARE, "東京"], [BARE, "は"], [BARE, "首都"]]),
        (["กรุงเทพ", "เป็น", "เมืองหลวง"], [[BARE, "กรุงเทพ"], ["▁เป็น"], ["▁เมือง", "หลวง"]]),
    ],
)
def test_first_piece_alignment_in_scripts_without_spaces(tasks, xlmr, words, expected):
    """Each word is tokenised alone (XTREME's utils_tag): its first piece, often a bare ▁,
    takes the tag; the rest of the word and the specials are ignored."""
    task = tasks["udpos"]
    tags = [list(range(1, len(words) + 1))]
    enc = task.encode({"tokens": [words], "tags": tags, "example_id": [0]}, xlmr, 64)
    assert "token_type_ids" not in enc
    ids, labels, word_ids = enc["input_ids"][0], enc["labels"][0], enc["word_ids"][0]
    per_word = [xlmr(w, add_special_tokens=False)["input_ids"] for w in words]
    assert [pieces(xlmr, p) for p in per_word[: len(expected)]] == expected
    assert ids == [0, *[i for p in per_word for i in p], 2]
    starts = np.cumsum([1] + [len(p) for p in per_word[:-1]]).tolist()
    assert [i for i, lab in enumerate(labels) if lab != IGNORE] == starts
    assert [labels[i] for i in starts] == tags[0]
    assert [word_ids[i] for i in starts] == list(range(len(words)))


def test_words_without_pieces_become_unk_and_keep_their_tag(tasks, xlmr):
    words = ["北京", "\u200b", "\ufeff", "首都"]  # XLM-R's normaliser deletes both marks
    assert [len(xlmr(w, add_special_tokens=False)["input_ids"]) for w in words] == [2, 0, 0, 2]
    task = tasks["panx"]
    rows = datasets.Dataset.from_dict(
        {"tokens": [words], "tags": [[5, 0, 1, 6]], "example_id": [0]}
    )
    enc = task.encode(rows[:], xlmr, 16)
    ids, labels = enc["input_ids"][0], enc["labels"][0]
    assert pieces(xlmr, ids) == ["<s>", BARE, "北京", "<unk>", "<unk>", BARE, "首都", "</s>"]
    assert labels == [IGNORE, 5, IGNORE, 0, 1, 6, IGNORE, IGNORE]
    outputs = [np.where(np.array(labels) >= 0, labels, 0)]
    decoded = task.decode(outputs, datasets.Dataset.from_dict(enc), rows, EvalContext("test", "zh"))
    assert decoded == task.references(rows)


@pytest.mark.parametrize("name", ["udpos", "panx"])
def test_bundled_zh_ja_th_sentences_align_and_decode(tasks, xlmr, name):
    """On the bundled samples: exactly one labelled piece per word, first in its word, and
    feeding the gold tags back as predictions decodes to the references."""
    task = tasks[name]
    src = DataSource("local", SAMPLE)
    for lang in ("zh", "ja", "th"):
        for split in task.splits_for(lang):
            rows = task.load(split, lang, src)
            enc = task.encode(rows[:], xlmr, 128)
            for ids, labels, word_ids in zip(
                enc["input_ids"], enc["labels"], enc["word_ids"], strict=True
            ):
                assert ids[0] == 0 and ids[-1] == 2 and len(ids) <= 128
                assert [lab != IGNORE for lab in labels] == [w >= 0 for w in word_ids]
            for example, words in zip(rows["example_id"], rows["tokens"], strict=True):
                covered = [
                    w
                    for ex, ws in zip(enc["example_id"], enc["word_ids"], strict=True)
                    if ex == example
                    for w in ws
                    if w >= 0
                ]
                assert covered == list(range(len(words))), (lang, split)
            outputs = [np.where(np.array(lab) >= 0, lab, 0) for lab in enc["labels"]]
            features = datasets.Dataset.from_dict(enc)
            context = EvalContext(split, lang)
            assert task.decode(outputs, features, rows, context) == task.references(rows)


# --------------------------------------------------------------------------- multiple choice
def test_multiple_choice_pairs_and_padding(tasks, xlmr, tiny_xlmr):
    task = tasks["cosmosqa"]
    batch = {
        "context": ["word " * 200, "short context"],
        "choices": [["because of rain", "sun"], ["yes", "no", "maybe"]],
        "label": [0, 2],
        "example_id": [0, 1],
    }
    out = task.encode(batch, xlmr, 32)
    assert set(out) == {"input_ids", "attention_mask", "labels"}
    for ids, choice in zip(out["input_ids"][0], batch["choices"][0], strict=True):
        expected = xlmr(choice, add_special_tokens=False)["input_ids"]
        assert len(ids) == 32 and ids[0] == 0
        assert ids[-len(expected) - 3 :] == [2, 2, *expected, 2]  # choice intact after </s></s>
    features = [{k: out[k][i] for k in out} for i in range(2)]
    collated = task.collator(xlmr)(features)
    assert collated["input_ids"].shape == (2, 3, 32) and "token_type_ids" not in collated
    assert (collated["input_ids"][0, 2] == xlmr.pad_token_id).all()  # a padded choice
    assert collated["attention_mask"][0, 2].sum() == 0
    model = load_registry().model(str(tiny_xlmr)).build(str(tiny_xlmr), task.head, 1, None)
    model.eval()
    with torch.no_grad():
        inputs = {k: v for k, v in collated.items() if k != "labels"}
        predicted = task.predict(model, inputs)
    assert [tuple(p.shape) for p in predicted] == [(2,), (3,)]
    assert all(torch.isfinite(p).all() for p in predicted)


# --------------------------------------------------------------------------- retrieval
def test_retrieval_mean_pools_real_tokens_not_padding(xlmr, tiny_xlmr):
    """XLM-R pads with id 1 and numbers positions from the padding id: a padded sentence's
    vector equals the sentence alone, the mean over its real tokens of the chosen layer."""
    from transformers import AutoModel

    model = AutoModel.from_pretrained(tiny_xlmr).eval()
    short, long = "北京", "ภาษาไทย เป็น ภาษา ที่ มี ผู้พูด มากมาย in Thailand"
    texts = {"text": [short, long]}
    enc = BUCC2018._tokenize(texts["text"], xlmr, 64)
    batch = xlmr.pad(enc, return_tensors="pt")
    assert (batch["input_ids"][0, len(enc["input_ids"][0]) :] == xlmr.pad_token_id).all()
    alone = xlmr.pad({k: v[:1] for k, v in enc.items()}, return_tensors="pt")
    with torch.no_grad():
        states = model(**batch, output_hidden_states=True).hidden_states
        for layer in (-5, 1, -1):
            task = dataclasses.replace(BUCC2018, settings={**BUCC2018.settings, "layer": layer})
            vectors = task.predict(model, dict(batch))
            chosen = states[task.layer_index(len(states))]
            mask = batch["attention_mask"].unsqueeze(-1).float()
            expected = torch.nn.functional.normalize((chosen * mask).sum(1) / mask.sum(1), dim=-1)
            torch.testing.assert_close(torch.stack(vectors), expected, rtol=1e-5, atol=1e-6)
            single = task.predict(model, dict(alone))[0]
            torch.testing.assert_close(vectors[0], single, rtol=1e-5, atol=1e-5)


# --------------------------------------------------------------------------- the whole suite
TARGETS = ("xnli", "pawsx", "udpos", "panx", "xquad", "mlqa", "tydiqa", "bucc2018", "tatoeba")


@pytest.mark.slow
def test_xtreme_zs_suite_with_the_xlmr_tokenizer(harness_cli, tiny_xlmr, registry):
    """``harness run --suite xtreme-zs`` on the XLM-R-shaped folder: every target trains (a
    couple of steps), and every XTREME language of every target (those the suite's scoring
    lists: XTREME-R's extra ones are xtreme-r's) is evaluated, scored and written."""
    began = time.monotonic()
    result = harness_cli(
        "run", "--suite", "xtreme-zs", "--model", str(tiny_xlmr), "--run-id", "xlmr",
        "--epochs", "1", "--max-train-examples", "32", "--no-progress", timeout=900,
    )  # fmt: skip
    elapsed = time.monotonic() - began
    assert result.returncode == 0, result.stderr[-3000:]
    records = json.loads(Path("runs/xlmr/results.json").read_text())["records"]
    assert {r["model"] for r in records} == {str(tiny_xlmr)}
    predictions = Path("runs/xlmr/predictions/none/seed0")
    for target in TARGETS:
        task = registry.task(target)
        scored = {
            (r["language"], r["split"]) for r in records if r["target"] == target and r["main"]
        }
        xtreme = registry.suite("xtreme-zs").scoring.task(task.xtreme_name or target).languages
        assert set(xtreme) <= set(task.languages)
        expected = {(lang, split) for lang in xtreme for split in task.splits_for(lang)}
        assert scored == expected, (target, sorted(expected ^ scored))
        written = {p.stem for p in (predictions / target).iterdir()}
        assert written == {f"{split}-{lang}" for lang, split in expected}, target
    print(f"xtreme-zs on tiny XLM-R: {elapsed:.0f}s")
