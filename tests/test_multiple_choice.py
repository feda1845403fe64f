"""Multiple-choice tasks: each release's label convention, the Hub schemas, the [B, C, T]
encoding/collation, and that a target phase keeps only the MC phase's encoder."""

from __future__ import annotations

import csv
import io
import json
import sys
from pathlib import Path

import datasets
import numpy as np
import pytest
import torch
from safetensors import safe_open

from harness import DataSource, EvalContext, HarnessError
from harness.cli import main
from harness.registry import load_registry

ROOT = Path(__file__).resolve().parent.parent
MC = ("hellaswag", "cosmosqa", "commonsenseqa", "socialiqa")


@pytest.fixture(scope="module")
def tasks():
    return load_registry().tasks


@pytest.fixture(scope="module")
def tokenizer(tiny_model):
    return load_registry().model(str(tiny_model)).tokenizer(str(tiny_model))


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def jsonl(*records: dict) -> str:
    return "".join(json.dumps(r) + "\n" for r in records)


def cosmos_csv(*rows: list[str]) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(
        [["id", "context", "question", "answer0", "answer1", "answer2", "answer3", "label"], *rows]
    )
    return out.getvalue()


def hellaswag_record(label=3, endings=("a.", "b.", "c.", "d."), ctx_b="he", **extra) -> dict:
    return {
        "ind": 24,
        "activity_label": "Roof shingle removal",
        "ctx_a": "A man is sitting on a roof.",
        "ctx_b": ctx_b,
        "ctx": f"A man is sitting on a roof. {ctx_b}".strip(),
        "split": "val",
        "split_type": "indomain",
        "label": label,
        "endings": list(endings),
        "source_id": "activitynet~v_-JhWjGDPHMY",
        **extra,
    }


def csqa_record(answer="B", labels="ABCDE", rid="q1") -> dict:
    return {
        "answerKey": answer,
        "id": rid,
        "question": {
            "question_concept": "revolving door",
            "choices": [{"label": k, "text": f"choice {k}"} for k in labels],
            "stem": "A revolving door is a security measure at a what?",
        },
    }


SIQA = {
    "context": "Tracy went home.",
    "question": "Why?",
    "answerA": "a",
    "answerB": "b",
    "answerC": "c",
}


# --------------------------------------------------------------------------- label conventions
def test_hellaswag_zero_based_int_labels_and_ctx_b(tasks, tmp_path):
    wikihow = hellaswag_record(label=0, ctx_b="", ctx_a="[header] How to x [title] Do y.")
    write(tmp_path / "hellaswag/hellaswag_val.jsonl", jsonl(hellaswag_record(), wikihow))
    write(tmp_path / "hellaswag/hellaswag_test.jsonl", jsonl({**hellaswag_record(), "label": None}))
    task = tasks["hellaswag"]
    rows = task.load("dev", "en", DataSource("local", tmp_path))
    assert rows["context"] == ["A man is sitting on a roof.", "[header] How to x [title] Do y."]
    assert rows["choices"][0] == ["he a.", "he b.", "he c.", "he d."]  # ctx_b + ending (jiant)
    assert rows["choices"][1] == ["a.", "b.", "c.", "d."]  # empty ctx_b: no stray space
    assert rows["label"] == [3, 0] and task.references(rows) == ["3", "0"]
    test = task.load("test", "en", DataSource("local", tmp_path))
    assert task.references(test) == [None]  # hidden test labels: predictions only


def test_cosmosqa_csv_zero_based_labels(tasks, tmp_path):
    write(
        tmp_path / "cosmosqa/valid.csv",
        cosmos_csv(
            ["x##q1", "I woke up , late .\nThen I ran .", "Why ?", "A0", "A1", "A2", "A3", "2"],
            ["x##q2", 'He said "hi" .', "What ?", "B0", "B1", "B2", "B3", "0"],
        ),
    )
    task = tasks["cosmosqa"]
    rows = task.load("dev", "en", DataSource("local", tmp_path))
    assert rows["context"] == ["I woke up , late .\nThen I ran .", 'He said "hi" .']
    assert rows["choices"][0] == ["Why ? A0", "Why ? A1", "Why ? A2", "Why ? A3"]
    assert task.references(rows) == ["2", "0"] and rows["label"] == [2, 0]


def test_commonsenseqa_lettered_answer_keys(tasks, tmp_path):
    write(
        tmp_path / "commonsenseqa/dev_rand_split.jsonl",
        jsonl(csqa_record("A"), csqa_record("E", rid="q2")),
    )
    task = tasks["commonsenseqa"]
    rows = task.load("dev", "en", DataSource("local", tmp_path))
    assert rows["context"][0] == "A revolving door is a security measure at a what?"
    assert rows["choices"][0] == [f"choice {k}" for k in "ABCDE"]
    assert rows["label"] == [0, 4] and task.references(rows) == ["A", "E"]


def test_socialiqa_one_based_labels_in_a_separate_file(tasks, tmp_path):
    folder = tmp_path / "socialiqa/socialiqa-train-dev"
    write(folder / "dev.jsonl", jsonl(SIQA, {**SIQA, "context": "Kai left."}))
    write(folder / "dev-labels.lst", "1\n3\n")
    task = tasks["socialiqa"]
    rows = task.load("dev", "en", DataSource("local", tmp_path))
    assert rows["label"] == [0, 2]  # 1-based in the file, 0-based indices inside
    assert task.references(rows) == ["1", "3"]
    assert rows["choices"][0] == ["Why? a", "Why? b", "Why? c"]


# --------------------------------------------------------------------------- Hub schemas
def _fake_hub(monkeypatch, table: dict) -> None:
    def load_dataset(repo, config=None, split=None, **kwargs):
        return table[(repo, split)]

    monkeypatch.setattr(datasets, "load_dataset", load_dataset)


def test_hub_schemas(tasks, monkeypatch):
    hella = hellaswag_record()
    siqa = datasets.Dataset.from_list([{**SIQA, "label": "2\n"}])  # the Hub keeps the newline
    csqa = datasets.Dataset.from_list(
        [
            {
                "id": "q9",
                "question": "Where is milk kept?",
                "question_concept": "milk",
                "choices": {"label": list("ABCDE"), "text": list("vwxyz")},
                "answerKey": "D",
            }
        ]
    )
    cosmos_row = {"id": "c", "context": "ctx", "question": "q?", "label": 3}
    cosmos_row.update({f"answer{i}": f"a{i}" for i in range(4)})
    _fake_hub(
        monkeypatch,
        {
            ("Rowan/hellaswag", "validation"): datasets.Dataset.from_list(
                [{**hella, "label": "1"}]
            ),
            ("Rowan/hellaswag", "test"): datasets.Dataset.from_list([{**hella, "label": ""}]),
            ("allenai/cosmos_qa", "validation"): datasets.Dataset.from_list([cosmos_row]),
            ("allenai/cosmos_qa", "test"): datasets.Dataset.from_list(
                [{**cosmos_row, "label": -1}]
            ),
            ("tau/commonsense_qa", "validation"): csqa,
            ("allenai/social_i_qa", "validation"): siqa,
        },
    )
    hub = DataSource("hub")
    hs = tasks["hellaswag"].load("dev", "en", hub)
    assert tasks["hellaswag"].references(hs) == ["1"] and hs["choices"][0][0] == "he a."
    assert tasks["hellaswag"].references(tasks["hellaswag"].load("test", "en", hub)) == [None]
    cq = tasks["cosmosqa"].load("dev", "en", hub)
    assert tasks["cosmosqa"].references(cq) == ["3"] and cq["choices"][0][3] == "q? a3"
    assert tasks["cosmosqa"].references(tasks["cosmosqa"].load("test", "en", hub)) == [None]
    cs = tasks["commonsenseqa"].load("dev", "en", hub)
    assert (cs["context"], cs["choices"], cs["label"]) == (
        ["Where is milk kept?"],
        [list("vwxyz")],
        [3],
    )
    si = tasks["socialiqa"].load("dev", "en", hub)
    assert tasks["socialiqa"].references(si) == ["2"] and si["label"] == [1]


# --------------------------------------------------------------------------- bad input
BAD = [
    (
        "hellaswag",
        "hellaswag/hellaswag_val.jsonl",
        jsonl(hellaswag_record(), hellaswag_record(label=4)),
        "hellaswag_val.jsonl:2 (ind 24): label '4' out of range",
    ),
    (
        "hellaswag",
        "hellaswag/hellaswag_val.jsonl",
        jsonl(hellaswag_record(endings=("a.", "b.", "c."))),
        "hellaswag_val.jsonl:1 (ind 24): expected 4 choices for hellaswag, found 3",
    ),
    (
        "hellaswag",
        "hellaswag/hellaswag_val.jsonl",
        jsonl({k: v for k, v in hellaswag_record().items() if k != "label"}),
        "hellaswag_val.jsonl:1 (ind 24): missing gold label",
    ),
    (
        "cosmosqa",
        "cosmosqa/valid.csv",
        cosmos_csv(
            ["ok", "c", "q", "a", "b", "c", "d", "1"], ["bad", "c", "q", "a", "b", "c", "d", "4"]
        ),
        "valid.csv:3 (id bad): label '4' out of range (cosmosqa labels are 0-based",
    ),
    (
        "cosmosqa",
        "cosmosqa/valid.csv",
        "id,context,question,answer0,answer1,answer2,label\nx,c,q,a,b,c,0\n",
        "valid.csv:1: header lacks column(s) answer3",
    ),
    (
        "cosmosqa",
        "cosmosqa/valid.csv",
        cosmos_csv(["x", "c", "q", "a", "b", "c", "d", "0"]) + "y,c,q,a,b,c,d,0,extra\n",
        "valid.csv:3: expected 8 comma-separated fields",
    ),
    (
        "commonsenseqa",
        "commonsenseqa/dev_rand_split.jsonl",
        jsonl(csqa_record("F", rid="abc")),
        "dev_rand_split.jsonl:1 (id abc): answerKey 'F' is not one of the choice labels",
    ),
    (
        "commonsenseqa",
        "commonsenseqa/dev_rand_split.jsonl",
        jsonl(csqa_record("A"), csqa_record("A", labels="ABCD", rid="four")),
        "dev_rand_split.jsonl:2 (id four): expected 5 choices for commonsenseqa, found 4",
    ),
    (
        "socialiqa",
        "socialiqa/socialiqa-train-dev/dev-labels.lst",
        "0\n",
        "dev-labels.lst:1 (label of ",
    ),
    (
        "socialiqa",
        "socialiqa/socialiqa-train-dev/dev-labels.lst",
        "1\n2\n",
        "dev-labels.lst: 2 labels for 1 records",
    ),
]


@pytest.mark.parametrize(("task", "relpath", "content", "message"), BAD)
def test_bad_records_name_file_and_record(tasks, tmp_path, task, relpath, content, message):
    folder = tmp_path / "socialiqa/socialiqa-train-dev"
    write(folder / "dev.jsonl", jsonl(SIQA))
    write(folder / "dev-labels.lst", "1\n")
    write(tmp_path / relpath, content)
    with pytest.raises(HarnessError) as err:
        tasks[task].load("dev", "en", DataSource("local", tmp_path))
    assert message in str(err.value)
    assert "\n" not in str(err.value)
    if task == "socialiqa" and content == "0\n":
        assert "dev.jsonl:1" in str(err.value) and "1-based" in str(err.value)


def test_socialiqa_record_with_two_answers(tasks, tmp_path):
    folder = tmp_path / "socialiqa/socialiqa-train-dev"
    write(folder / "dev.jsonl", jsonl({k: v for k, v in SIQA.items() if k != "answerC"}))
    write(folder / "dev-labels.lst", "1\n")
    with pytest.raises(HarnessError, match=r"dev\.jsonl:1: expected 3 answers"):
        tasks["socialiqa"].load("dev", "en", DataSource("local", tmp_path))


# --------------------------------------------------------------------------- samples
@pytest.mark.parametrize("name", MC)
def test_bundled_samples_load_with_every_label_position(tasks, name):
    task = tasks[name]
    assert (task.roles, task.languages, task.eval_splits) == (("intermediate",), ("en",), ("dev",))
    assert (task.head, task.evaluator) == ("multiple-choice", "accuracy")
    train = task.load("train", "en", DataSource("local", task.sample_root))
    dev = task.load("dev", "en", DataSource("local", task.sample_root))
    assert 100 <= len(train) <= 200 and 20 <= len(dev) <= 30
    for rows in (train, dev):
        assert {len(c) for c in rows["choices"]} == {task.num_choices}
    assert set(train["label"]) == set(range(task.num_choices))
    assert not set(train["context"]) & set(dev["context"])  # dev contexts are held out


def test_sample_generator_reproduces_the_bundled_files(tmp_path):
    sys.path.insert(0, str(ROOT / "scripts"))
    try:
        import make_mc_samples
    finally:
        sys.path.pop(0)
    make_mc_samples.main(tmp_path)
    written = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*") if p.is_file())
    assert len(written) == 35  # 10 English intermediates + 25 XCOPA files
    for rel in written:
        assert (tmp_path / rel).read_bytes() == (make_mc_samples.DATA / rel).read_bytes(), rel


# --------------------------------------------------------------------------- encoding & head
def test_long_context_is_truncated_not_the_choice(tasks, tokenizer):
    task = tasks["cosmosqa"]
    batch = {
        "context": ["word " * 200, "short context"],
        "choices": [["Why ? because of rain", "Why ? sun"] * 2, ["Why ? " + "long " * 100] * 4],
        "label": [0, 1],
        "example_id": [0, 1],
    }
    out = task.encode(batch, tokenizer, 32)
    assert [len(x) for x in out["input_ids"]] == [4, 4] and out["labels"] == [0, 1]
    for feature in out["input_ids"]:
        assert all(len(ids) <= 32 for ids in feature)
    sep = tokenizer.sep_token_id
    for ids, choice in zip(out["input_ids"][0], batch["choices"][0], strict=True):
        expected = tokenizer(choice, add_special_tokens=False)["input_ids"]
        second = ids[ids.index(sep) + 1 : -1]
        assert second == expected  # the choice is intact; the context lost tokens
        assert len(ids) == 32
    # a choice too long to fit even alone: both sides are cut instead of failing
    ids = out["input_ids"][1][0]
    assert len(ids) == 32 and ids.index(sep) > 1


def test_collator_pads_choices_and_tokens_and_predict_drops_padded_choices(
    tasks, tokenizer, tiny_model
):
    task = tasks["commonsenseqa"]
    features = [
        {
            "input_ids": [[101, 5, 102], [101, 6, 7, 8, 102]],
            "token_type_ids": [[0] * 3, [0] * 5],
            "attention_mask": [[1] * 3, [1] * 5],
            "labels": 1,
        },
        {
            "input_ids": [[101, 9, 102]] * 3,
            "token_type_ids": [[0] * 3] * 3,
            "attention_mask": [[1] * 3] * 3,
            "labels": 2,
        },
    ]
    batch = task.collator(tokenizer)(features)
    assert batch["input_ids"].shape == (2, 3, 8)  # 2 examples, 3 choices, 5 -> 8 tokens
    assert batch["labels"].tolist() == [1, 2]
    assert batch["attention_mask"][0, 2].sum() == 0 and batch["attention_mask"][0, 1].sum() == 5
    assert (batch["input_ids"][0, 2] == tokenizer.pad_token_id).all()
    model = (
        load_registry().model(str(tiny_model)).build(str(tiny_model), "multiple-choice", 1, None)
    )
    model.eval()
    with torch.no_grad():
        inputs = {k: v for k, v in batch.items() if k != "labels"}
        outputs = task.predict(model, inputs)
        full = model(**inputs).logits
    assert [tuple(o.shape) for o in outputs] == [(2,), (3,)]
    assert torch.equal(outputs[0], full[0, :2])
    # decode maps each argmax onto its own row's keys (rows may have different counts)
    rows = datasets.Dataset.from_list(
        [
            {"keys": ["A", "B"], "label": 1, "example_id": 0},
            {"keys": ["1", "2", "3"], "label": 2, "example_id": 1},
        ]
    )
    preds = task.decode(
        [np.array([0.1, 0.3]), np.array([3.0, 0.0, 1.0])], rows, rows, EvalContext("dev", "en")
    )
    assert preds == ["B", "1"] and task.references(rows) == ["B", "3"]


def test_encoded_dataset_batches_to_b_c_t(tasks, tokenizer, tmp_path):
    from harness.data import PhaseDataModule, encode

    task = tasks["hellaswag"]
    rows = task.load("dev", "en", DataSource("local", task.sample_root))
    features = encode(task, rows, tokenizer, 64, tmp_path, "k")
    lengths = [len(c) * max(len(x) for x in c) for c in features["input_ids"]]
    assert features["length"] == lengths
    dm = PhaseDataModule(task.collator(tokenizer), features, 8, 8, seed=0)
    batches = list(dm.train_dataloader())
    assert all(b["input_ids"].dim() == 3 and b["input_ids"].shape[1] == 4 for b in batches)
    assert all(b["input_ids"].shape[2] % 8 == 0 for b in batches)
    assert sum(len(b["labels"]) for b in batches) == len(rows)


# --------------------------------------------------------------------------- carry-over
def test_carry_over_from_a_multiple_choice_phase(tiny_model, tmp_path):
    plugin = load_registry().model(str(tiny_model))
    mc = plugin.build(str(tiny_model), "multiple-choice", 1, None)
    with torch.no_grad():
        for p in mc.parameters():
            p.add_(0.25)
    plugin.save_encoder(mc, tmp_path / "enc")
    with safe_open(str(tmp_path / "enc" / "model.safetensors"), "pt") as saved:
        keys = set(saved.keys())
    assert keys and not any("classifier" in k for k in keys)  # no MC head in the checkpoint
    target = plugin.build(str(tiny_model), "sequence-classification", 3, tmp_path / "enc")
    for (name, a), b in zip(
        mc.base_model.state_dict().items(), target.base_model.state_dict().values(), strict=True
    ):
        assert torch.equal(a, b), name
    assert target.classifier.weight.shape == (3, mc.classifier.weight.shape[1])
    assert mc.classifier.weight.shape[0] == 1


def test_intermediate_mc_phase_then_target(tiny_model, monkeypatch, capsys):
    """Runs each MC task as an intermediate: its dev accuracy is a record, and every target
    phase is built from the saved encoder with a fresh head."""
    from harness_builtins.models.hf_encoders import HuggingFaceEncoder

    built = []
    original = HuggingFaceEncoder.build

    def spy(self, requested, head, num_labels, init):
        model = original(self, requested, head, num_labels, init)
        state = {k: v.detach().clone() for k, v in model.base_model.state_dict().items()}
        built.append((head, init, state, model.classifier.weight.detach().clone()))
        return model

    monkeypatch.setattr(HuggingFaceEncoder, "build", spy)
    code = main(
        [
            "run",
            "--model",
            str(tiny_model),
            "--intermediate",
            *MC,
            "--targets",
            "xnli",
            "--languages",
            "en",
            "de",
            "--epochs",
            "1",
            "--max-train-examples",
            "16",
            "--run-id",
            "mc",
            "--no-progress",
        ]
    )
    assert code == 0, capsys.readouterr().err
    run = Path("runs/mc")
    records = json.loads((run / "results.json").read_text())["records"]
    own = sorted(
        (r["target"], r["split"], r["language"], r["metric"], r["n_examples"])
        for r in records
        if r["role"] == "intermediate"
    )
    assert own == [
        ("commonsenseqa", "dev", "en", "accuracy", 24),
        ("cosmosqa", "dev", "en", "accuracy", 24),
        ("hellaswag", "dev", "en", "accuracy", 27),
        ("socialiqa", "dev", "en", "accuracy", 24),
    ]
    targets = {
        (r["intermediate"], r["language"], r["split"]) for r in records if r["role"] == "target"
    }
    assert targets == {(i, lg, s) for i in MC for lg in ("en", "de") for s in ("dev", "test")}
    preds = (run / "predictions/none/seed0/hellaswag/dev-en.lst").read_text().split()
    assert len(preds) == 27 and set(preds) <= {"0", "1", "2", "3"}
    siqa = (run / "predictions/none/seed0/socialiqa/dev-en.lst").read_text().split()
    assert set(siqa) <= {"1", "2", "3"}

    # phases alternate: MC intermediate (from scratch), then xnli from its checkpoint
    assert [(h, i is None) for h, i, _, _ in built] == [
        ("multiple-choice", True),
        ("sequence-classification", False),
    ] * 4
    initial = built[0][2]
    for k in range(4):
        (_, _, _, mc_head), (_, init, target_state, target_head) = built[2 * k], built[2 * k + 1]
        assert init == run / "checkpoints" / f"{MC[k]}-seed0"
        with safe_open(str(init / "model.safetensors"), "pt") as saved:
            assert not any("classifier" in key for key in saved.keys())
            for name, value in target_state.items():
                assert torch.equal(value, saved.get_tensor(name)), name
        # the encoder was trained by the intermediate phase, the head is a new one
        assert any(not torch.equal(initial[n], target_state[n]) for n in initial)
        assert mc_head.shape[0] == 1 and target_head.shape[0] == 3
