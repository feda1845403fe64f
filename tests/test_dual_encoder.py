"""Mewsli-X and LAReQA: the dual-encoder head (XTREME's BertForRetrieval), pool ranking,
the readers of the release layouts, the JSON submission round trip and one run each."""

from __future__ import annotations

import json
from pathlib import Path

import datasets
import numpy as np
import pytest
import torch
from harness_builtins.models.dual_encoder_head import DualEncoder
from harness_builtins.tasks.dual_retrieval import (
    LAREQA,
    LAREQA_LANGUAGES,
    MEWSLIX,
    entity_text,
    mention_text,
)
from transformers import AutoModel

from harness import DataSource, EvalContext, HarnessError
from harness.cli import main
from harness.families.dual_encoder import DualEncoderTask, Ranking, query_rows
from harness.registry import load_registry

SAMPLE = Path(__file__).resolve().parent.parent / "plugins" / "tasks" / "data"


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def jsonl(path: Path, records: list[dict]) -> Path:
    return write(path, "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records))


def entity(qid: str, description: str) -> dict:
    return {
        "entity_id": qid,
        "title": qid,
        "description": description,
        "description_language": "en",
        "description_url": f"https://en.wikipedia.org/wiki/{qid}",
        "sentence_spans": [{"start": 0, "end": len(description)}],
    }


def context(text: str, language: str = "en") -> dict:
    return {
        "document_title": "T",
        "document_url": "https://x",
        "document_id": "D",
        "language": language,
        "text": text,
        "sentence_spans": [{"start": 0, "end": len(text)}],
    }


def mention(example_id: str, text: str, surface: str, qid: str) -> dict:
    start = text.index(surface)
    span = {"start": start, "end": start + len(surface), "text": surface}
    return {"example_id": example_id, "mention_span": span, "entity_id": qid}


ENTITIES = [
    entity("Q90", "Paris is the capital of France."),
    entity("Q64", "Berlin is the capital of Germany."),
    entity("Q84", "London is the capital of England."),
]
NEWS = [("Rain fell in Paris today.", "Paris", "Q90"), ("Berlin voted on Sunday.", "Berlin", "Q64")]


def mewslix_data(root: Path, languages=("en", "de")) -> Path:
    pairs = [
        {
            "contextual_mention": {
                "context": context(text),
                "mention": mention(f"w{i}", text, surface, qid),
            },
            "entity": next(e for e in ENTITIES if e["entity_id"] == qid),
        }
        for i, (text, surface, qid) in enumerate(NEWS * 4)
    ]
    jsonl(root / "mewslix/wikipedia_pairs-train.jsonl", pairs)
    jsonl(root / "mewslix/candidate_set_entities.jsonl", ENTITIES)
    for split in ("dev", "test"):
        for lang in languages:
            docs, labels = [], {}
            for i, (text, surface, qid) in enumerate(NEWS):
                eid = f"{split}-{lang}-{i}"
                m = mention(eid, text, surface, "" if split == "test" else qid)
                docs.append({"context": context(text, lang), "mentions": [m]})
                labels[eid] = [qid + " "]  # gold ids are stripped, as utils_mewslix does
            jsonl(root / f"mewslix/wikinews_mentions/{split}-{lang}.jsonl", docs)
            write(root / f"mewslix/wikinews_labels/{split}-{lang}.json", json.dumps(labels))
    return root


def xquad_r(lang: str) -> dict:
    s1, s2 = f"Alpha {lang} one.", f"Beta {lang} two."
    ctx = f"{s1} {s2}"
    qas = [
        {"answers": [{"answer_start": 0, "text": "Alpha"}], "id": "q1", "question": f"A {lang}?"},
        {"answers": [{"answer_start": len(s1) + 1, "text": "Beta"}], "id": "q2", "question": "B?"},
    ]
    breaks = [[0, len(s1)], [len(s1) + 1, len(ctx)]]
    paragraph = {"context": ctx, "qas": qas, "sentence_breaks": breaks, "sentences": [s1, s2]}
    return {"data": [{"paragraphs": [paragraph], "title": "T"}], "version": "1.1"}


def lareqa_data(root: Path) -> Path:
    for lang in LAREQA_LANGUAGES:
        write(root / f"lareqa/xquad-r/{lang}.json", json.dumps(xquad_r(lang)))
    ctx = "The cat sat. Dr. Who came. It rained in 1999."
    qas = [
        {"answers": [{"answer_start": 17, "text": "Who"}], "id": "s1", "question": "Who came?"},
        {"answers": [{"answer_start": 40, "text": "1999"}], "id": "s2", "question": "When?"},
        {"answers": [{"answer_start": 4, "text": "dog"}], "id": "s3", "question": "Bad?"},
    ]
    squad = {"data": [{"title": "T", "paragraphs": [{"context": ctx, "qas": qas}]}]}
    write(root / "squad/train-v1.1.json", json.dumps(squad))
    return root


@pytest.fixture(scope="module")
def tiny_encoder(tmp_path_factory) -> DualEncoder:
    from transformers import BertConfig, BertModel

    torch.manual_seed(0)
    config = BertConfig(
        vocab_size=100, hidden_size=16, num_hidden_layers=1, num_attention_heads=2,
        intermediate_size=32, hidden_dropout_prob=0.0, attention_probs_dropout_prob=0.0,
    )  # fmt: skip
    return DualEncoder(BertModel(config)).eval()


# --------------------------------------------------------------------------- the head
def test_loss_is_in_batch_cross_entropy_with_scale_100(tiny_encoder):
    torch.manual_seed(1)
    q = torch.randint(1, 100, (3, 5))
    c = torch.randint(1, 100, (3, 7))
    qm, cm = torch.ones_like(q), torch.ones_like(c)
    qm[1, 3:] = 0
    out = tiny_encoder(
        query_input_ids=q, query_attention_mask=qm, candidate_input_ids=c,
        candidate_attention_mask=cm,
    )  # fmt: skip
    enc = tiny_encoder.encoder
    eq = torch.nn.functional.normalize(enc(input_ids=q, attention_mask=qm).pooler_output, dim=1)
    ec = torch.nn.functional.normalize(enc(input_ids=c, attention_mask=cm).pooler_output, dim=1)
    logits = 100.0 * eq @ ec.T
    expected = -np.mean([torch.log_softmax(logits[i], 0)[i].item() for i in range(3)])
    assert tiny_encoder.logit_scale.item() == 100.0 and tiny_encoder.logit_scale.requires_grad
    assert out.loss.item() == pytest.approx(expected, rel=1e-5)
    # the collated form [batch, 2, length] (query padded to the candidate's length) agrees
    pad = torch.zeros(3, 2, dtype=torch.long)
    pairs = torch.stack([torch.cat([q, pad], 1), c], 1)
    masks = torch.stack([torch.cat([qm, pad], 1), cm], 1)
    assert tiny_encoder(input_ids=pairs, attention_mask=masks).loss.item() == pytest.approx(
        expected, rel=1e-5
    )


def test_embeddings_are_normalised_pooler_outputs(tiny_encoder):
    ids = torch.randint(1, 100, (4, 6))
    mask = torch.ones_like(ids)
    emb = tiny_encoder.embed(input_ids=ids, attention_mask=mask)
    pooled = tiny_encoder.encoder(input_ids=ids, attention_mask=mask).pooler_output
    assert torch.allclose(emb, pooled / pooled.norm(dim=1, keepdim=True), atol=1e-6)
    assert torch.allclose(emb.norm(dim=1), torch.ones(4), atol=1e-6)
    assert tiny_encoder.base_model is tiny_encoder.encoder


def test_without_a_pooler_the_cls_state_is_used(tiny_encoder):
    from transformers import BertModel

    bare = DualEncoder(BertModel(tiny_encoder.config, add_pooling_layer=False)).eval()
    ids = torch.randint(1, 100, (2, 5))
    emb = bare.embed(input_ids=ids)
    cls = bare.encoder(input_ids=ids).last_hidden_state[:, 0]
    assert torch.allclose(emb, torch.nn.functional.normalize(cls, dim=1), atol=1e-6)


def test_the_head_loads_a_carried_over_encoder(tiny_model, tmp_path):
    plugin = load_registry().model(str(tiny_model))
    model = plugin.build(str(tiny_model), "dual-encoder", 0, None)
    assert isinstance(model, DualEncoder)
    with torch.no_grad():
        model.encoder.embeddings.word_embeddings.weight[5] += 1.0
    plugin.save_encoder(model, tmp_path / "enc")
    again = plugin.build(str(tiny_model), "dual-encoder", 0, tmp_path / "enc")
    assert torch.equal(
        again.encoder.embeddings.word_embeddings.weight,
        model.encoder.embeddings.word_embeddings.weight,
    )
    assert AutoModel.from_pretrained(tmp_path / "enc").pooler is not None


def test_an_encoder_saved_without_a_pooler_continues_with_the_pretrained_one(tiny_xlmr, tmp_path):
    """XLM-R's tagging/classification/QA heads have no pooler, so the encoder an intermediate
    phase saves has none: the dual encoder takes the pretrained pooler, not a random one."""
    plugin = load_registry().model(str(tiny_xlmr))
    tagger = plugin.build(str(tiny_xlmr), "token-classification", 3, None)
    assert getattr(tagger.base_model, "pooler", None) is None
    plugin.save_encoder(tagger, tmp_path / "enc")
    model = plugin.build(str(tiny_xlmr), "dual-encoder", 0, tmp_path / "enc")
    pretrained = AutoModel.from_pretrained(tiny_xlmr).pooler.state_dict()
    for name, value in model.encoder.pooler.state_dict().items():
        assert torch.equal(value, pretrained[name]), name


# --------------------------------------------------------------------------- decoding
def test_decode_ranks_the_pool_by_inner_product():
    task = DualEncoderTask(
        name="toy", description="", languages=("en",), local_layout="x/{split}-{lang}.jsonl",
        settings={"k": 2},
    )  # fmt: skip
    pool = [("A", "a"), ("B", "b"), ("C", "c")]
    rows = datasets.Dataset.from_list(
        query_rows([("q0", "x", ["B"]), ("q1", "y", ["C"])], pool)
    ).add_column("example_id", [0, 1])
    # features: the queries, then the pool (on row 0), as encode lays them out
    side, ex, where = [0, 0, 1, 1, 1], [0, 1, 0, 0, 0], [-1, -1, 0, 1, 2]
    features = datasets.Dataset.from_dict({"side": side, "example_id": ex, "pool_index": where})
    vec = lambda *v: np.asarray(v, np.float32)  # noqa: E731
    outputs = [vec(0, 1), vec(1, 0), vec(1, 0), vec(0.6, 0.8), vec(0.8, 0.6)]
    ranked = task.decode(outputs, features, rows, EvalContext("test", "en"))
    assert ranked == [["B", "C"], ["A", "C"]] and ranked[1].query_id == "q1"
    assert task.references(rows) == [["B"], ["C"]]


def test_encode_pairs_and_pool(tiny_model):
    from transformers import AutoTokenizer

    tok = AutoTokenizer.from_pretrained(tiny_model)
    task = DualEncoderTask(
        name="toy", description="", languages=("en",), local_layout="x/{split}-{lang}.jsonl",
        settings={"query_max_length": 4},
    )  # fmt: skip
    pairs = task.encode({"query": ["a b c d e"], "candidate": ["f g h i j"]}, tok, 6)
    assert [len(s) for s in pairs["input_ids"][0]] == [4, 6]  # each side has its own limit
    rows = query_rows([("q0", "x", ["A"]), ("q1", "y", None)], [("A", "a b"), ("B", "c")])
    batch = {k: [r[k] for r in rows] for k in rows[0]} | {"example_id": [0, 1]}
    enc = MEWSLIX.encode(batch, tok, 64)
    assert enc["side"] == [0, 0, 1, 1] and enc["pool_index"] == [-1, -1, 0, 1]
    assert enc["example_id"] == [0, 1, 0, 0] and len(enc["input_ids"]) == 4
    collated = MEWSLIX.collator(tok)([{k: v[0] for k, v in pairs.items()}])
    assert collated["input_ids"].shape == (1, 2, 8)
    assert collated["attention_mask"][0].sum(1).tolist() == [4, 6]


# --------------------------------------------------------------------------- readers
def test_mewslix_reader_builds_upstream_texts_and_the_entity_pool(tmp_path):
    root = mewslix_data(tmp_path)
    train = MEWSLIX.load("train", "en", DataSource("local", root))
    assert train[0]["query"] == "Paris: Rain fell in { Paris } today."
    assert train[0]["candidate"] == "Paris is the capital of France."
    test = MEWSLIX.load("test", "de", DataSource("local", root))
    assert test["query_id"] == ["test-de-0", "test-de-1"] and test["gold"] == [["Q90"], ["Q64"]]
    assert test[0]["pool_ids"] == ["Q90", "Q64", "Q84"] and test[1]["pool_ids"] == []
    ctx = {"text": "See {x} Rome now. Next.", "sentence_spans": [{"start": 0, "end": 17}]}
    m = {"mention_span": {"start": 8, "end": 12, "text": "Rome"}}
    assert mention_text(ctx, m, "f:1") == "Rome: See (x) { Rome } now."
    e = {"description": "A.\nB. C", "sentence_spans": [{"start": 0, "end": 5}]}
    assert entity_text(e, "f:1") == "A. B."


def test_mewslix_test_labels_blanked_by_xtremes_preprocessing_are_unknown(tmp_path):
    """mewslix_preprocess writes [""] test labels: no gold unless labels/mewslix/ has it."""
    root = mewslix_data(tmp_path)
    blank = {f"test-de-{i}": [""] for i in range(len(NEWS))}
    write(root / "mewslix/wikinews_labels/test-de.json", json.dumps(blank))
    test = MEWSLIX.load("test", "de", DataSource("local", root))
    assert test["gold"] == [None, None]
    gold = {f"test-de-{i}": [qid] for i, (_, _, qid) in enumerate(NEWS)}
    write(root / "labels/mewslix/test-de.json", json.dumps(gold))
    test = MEWSLIX.load("test", "de", DataSource("local", root))
    assert test["gold"] == [["Q90"], ["Q64"]]


def test_lareqa_pool_spans_every_language_and_relevance_is_multilingual(tmp_path):
    root = lareqa_data(tmp_path)
    rows = LAREQA.load("test", "de", DataSource("local", root))
    assert rows["query_id"] == ["q1_de", "q2_de"]
    pool = rows[0]["pool_ids"]
    assert len(pool) == 2 * len(LAREQA_LANGUAGES)
    assert {uid.split("_")[0] for uid in pool} == set(LAREQA_LANGUAGES)
    assert sorted(rows[0]["gold"]) == sorted(f"{lang}_1_0" for lang in LAREQA_LANGUAGES)
    assert rows[0]["pool_texts"][pool.index("de_1_1")] == "Beta de two.Alpha de one. Beta de two."
    train = LAREQA.load("train", "en", DataSource("local", root))
    ctx = "The cat sat. Dr. Who came. It rained in 1999."
    # "Dr." does not end a sentence; the unrecoverable answer ("dog") is skipped
    assert [r["candidate"] for r in train] == ["Dr. Who came." + ctx, "It rained in 1999." + ctx]


def test_a_bad_record_is_one_line_naming_file_and_line(tmp_path):
    root = mewslix_data(tmp_path)
    path = root / "mewslix/wikinews_mentions/dev-en.jsonl"
    lines = path.read_text("utf-8").splitlines()
    record = json.loads(lines[1])
    record["mentions"][0]["mention_span"]["start"] += 1
    path.write_text(lines[0] + "\n" + json.dumps(record) + "\n", "utf-8")
    with pytest.raises(HarnessError) as err:
        MEWSLIX.load("dev", "en", DataSource("local", root))
    assert f"{path}:2: mention 'Berlin' does not match the text" in str(err.value)
    del record["mentions"]
    path.write_text(lines[0] + "\n" + json.dumps(record) + "\n", "utf-8")
    with pytest.raises(HarnessError, match=r"dev-en.jsonl:2: missing field 'mentions'"):
        MEWSLIX.load("dev", "en", DataSource("local", root))


# --------------------------------------------------------------------------- submission
def test_submission_round_trip_and_missing_predictions(tmp_path):
    preds = tmp_path / "p/mewslix/test-en.json"
    MEWSLIX.write_predictions(preds, [Ranking(["Q1", "Q2"], "a"), Ranking(["Q3"], "b")])
    assert json.loads(preds.read_text()) == {"a": ["Q1", "Q2"], "b": ["Q3"]}
    labels = write(
        tmp_path / "l/test-en.json", json.dumps({"b": [" Q3"], "c": ["Q9"], "a": ["Q2"]})
    )
    got, gold = MEWSLIX.read_submission(preds, labels, "en")
    assert got == [["Q3"], [], ["Q1", "Q2"]] and gold == [["Q3"], ["Q9"], ["Q2"]]
    bad = write(tmp_path / "bad.json", json.dumps({"a": "Q1"}))
    with pytest.raises(HarnessError, match="bad.json: the value of 'a' is not a list"):
        MEWSLIX.read_submission(bad, labels, "en")


# --------------------------------------------------------------------------- runs
def records_of(run: Path) -> list[dict]:
    return json.loads((run / "results.json").read_text())["records"]


def test_both_tasks_train_and_score_every_language(tiny_model, tmp_path, capsys):
    root = lareqa_data(mewslix_data(tmp_path / "data"))
    args = ["run", "--model", str(tiny_model), "--data", str(root), "--targets", "mewslix"]
    args += ["lareqa", "--languages", "en", "de", "--epochs", "1", "--run-id", "d"]
    assert main([*args, "--no-progress"]) == 0, capsys.readouterr().err
    run = Path("runs/d")
    main_points = {(r["target"], r["split"], r["language"]) for r in records_of(run) if r["main"]}
    expected = {("mewslix", s, lang) for s in ("dev", "test") for lang in ("en", "de")}
    assert main_points == expected | {("lareqa", "test", lang) for lang in ("en", "de")}
    assert {r["metric"] for r in records_of(run) if r["main"]} == {"map@20"}
    submitted = json.loads((run / "predictions/none/seed0/mewslix/test-de.json").read_text())
    assert set(submitted) == {"test-de-0", "test-de-1"}
    assert all(sorted(v) == ["Q64", "Q84", "Q90"] for v in submitted.values())


@pytest.mark.skipif(
    not (SAMPLE / "mewslix").is_dir() or not (SAMPLE / "lareqa").is_dir(),
    reason="the bundled Mewsli-X / LAReQA samples are not there yet",
)
def test_xtreme_r_sample_run_on_the_embedded_model(capsys):
    code = main(
        ["run", "--targets", "mewslix", "lareqa", "--data", "sample", "--model", "minilm"]
        + ["--suite", "xtreme-r", "--run-id", "x", "--no-progress", "--epochs", "1"]
        # one optimizer step per task and short LAReQA candidates keep the test fast
        + ["--max-train-examples", "16", "--set", "lareqa.candidate_max_length=64"]
    )
    assert code == 0, capsys.readouterr().err
    records = [r for r in records_of(Path("runs/x")) if r["main"]]
    for task in (MEWSLIX, LAREQA):
        langs = {
            r["language"] for r in records if r["target"] == task.name and r["split"] == "test"
        }
        assert langs == set(task.languages)
    assert {r["metric"] for r in records} == {"map@20"}
