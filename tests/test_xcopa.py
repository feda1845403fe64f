"""XCOPA (XTREME-R target): XTREME's download layout, the premise + "What was the
cause/effect?" inputs of google-research/xtreme ``run_xcopa.py``, the hidden (all-zero) test
labels, the Hub reader, the ``{"label": n}`` submission files and a SocialIQA -> XCOPA run."""

from __future__ import annotations

import json
from pathlib import Path

import datasets
import pytest

from harness import DataSource, HarnessError
from harness.cli import main
from harness.registry import load_registry

LANGUAGES = ("et", "ht", "id", "it", "qu", "sw", "ta", "th", "tr", "vi", "zh")
CAUSE = {"premise": "My body cast a shadow over the grass.", "choice1": "The sun was rising.",
         "choice2": "The grass was cut.", "question": "cause"}  # fmt: skip
EFFECT = {"premise": "The man turned on the faucet.", "choice1": "The toilet filled with water.",
          "choice2": "Water flowed from the spout.", "question": "effect"}  # fmt: skip


@pytest.fixture(scope="module")
def task():
    return load_registry().task("xcopa")


def jsonl(path: Path, records: list[dict], ascii: bool = True) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(r, ensure_ascii=ascii) + "\n" for r in records), "utf-8")
    return path


def official(root: Path, test_labels: tuple[int, ...] = (0, 0, 0)) -> None:
    """What ``download_xcopa`` + ``xcopa_preprocess`` leave in ``xcopa/``: SuperGLUE COPA
    renamed (test labels appended as 0) and cambridgeltl/xcopa's files (test labels zeroed)."""
    folder = root / "xcopa"
    jsonl(folder / "train-en.jsonl",
          [{**CAUSE, "label": 0, "idx": 0}, {**EFFECT, "label": 1, "idx": 1}])  # fmt: skip
    jsonl(folder / "val-en.jsonl", [{**EFFECT, "label": 1, "idx": 0}])
    jsonl(folder / "test-en.jsonl", [{**CAUSE, "idx": 0, "label": 0}])
    for lang in LANGUAGES:
        jsonl(folder / f"val-{lang}.jsonl",
              [{**CAUSE, "label": 0, "idx": 1, "changed": False},
               {**EFFECT, "label": 1, "idx": 2, "changed": True}], ascii=False)  # fmt: skip
        jsonl(folder / f"test-{lang}.jsonl",
              [{**(CAUSE, EFFECT)[i % 2], "label": label, "idx": i, "changed": False}
               for i, label in enumerate(test_labels)])  # fmt: skip


# --------------------------------------------------------------------------- reading
def test_registered_as_an_xtreme_r_target(task, capsys):
    assert (task.roles, task.languages, task.train_language) == (("target",), LANGUAGES, "en")
    assert (task.xtreme_name, task.prediction_suffix, task.num_choices) == ("xcopa", ".jsonl", 2)
    assert (task.head, task.evaluator, task.choice_keys) == (
        "multiple-choice",
        "accuracy",
        ("0", "1"),
    )
    suite = load_registry().suite("xtreme-r")
    assert "xcopa" in suite.targets
    assert main(["list"]) == 0
    line = next(x for x in capsys.readouterr().out.splitlines() if x.startswith("xcopa "))
    assert line.split()[1:4] == ["target", "multiple-choice", "11"]


def test_official_layout_and_cause_effect_inputs(task, tmp_path):
    official(tmp_path, test_labels=(1, 0, 1))
    src = DataSource("local", tmp_path)
    train = task.load("train", "en", src)
    assert train["context"] == [
        "My body cast a shadow over the grass. What was the cause?",  # run_xcopa.py's first
        "The man turned on the faucet. What was the effect?",  # segment: premise + question
    ]
    assert train["choices"][1] == ["The toilet filled with water.", "Water flowed from the spout."]
    assert train["label"] == [0, 1] and train["keys"][0] == ["0", "1"] and train["id"] == ["0", "1"]
    dev = task.load("dev", "sw", src)
    assert dev["label"] == [0, 1] and task.references(dev) == ["0", "1"]
    test = task.load("test", "qu", src)  # labelled test files (cambridgeltl's) are scored
    assert task.references(test) == ["1", "0", "1"]
    assert task.local_files("test", "zh", tmp_path) == [tmp_path / "xcopa/test-zh.jsonl"]
    with pytest.raises(HarnessError, match="has no language 'de'"):
        task.load("dev", "de", src)


def test_zeroed_test_labels_are_hidden_not_scored(task, tmp_path):
    """XTREME's preprocessing writes label 0 on every test record: read as unlabelled (the
    run writes predictions only) unless evaluate.py's label folder holds the gold labels."""
    official(tmp_path)
    src = DataSource("local", tmp_path)
    test = task.load("test", "th", src)
    assert test["label"] == [-1, -1, -1] and task.references(test) == [None, None, None]
    assert task.references(task.load("test", "en", src)) == [None]  # SuperGLUE's test too
    jsonl(tmp_path / "labels/xcopa/test-th.jsonl", [{"label": n} for n in (1, 1, 0)])
    assert task.references(task.load("test", "th", src)) == ["1", "1", "0"]
    gold = jsonl(tmp_path / "labels/xcopa/test-th.jsonl", [{"label": 1}])
    with pytest.raises(HarnessError) as err:
        task.load("test", "th", src)
    assert str(err.value) == (
        f"{gold}: 1 labels for 3 records in {tmp_path / 'xcopa/test-th.jsonl'}; "
        "the files must be from the same release"
    )


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ('{"premise": "x", "choice1": "a",\n', "2: not valid JSON"),
        ('{"premise": "x", "choice1": "a", "choice2": "b", "question": "why", "label": 0}\n',
         "2: 'question' must be \"cause\" or \"effect\", found 'why'"),
        ('{"premise": "x", "choice1": "a", "question": "cause", "label": 0}\n',
         "2: missing text field 'choice2'"),
        ('{"premise": "x", "choice1": "a", "choice2": "b", "question": "cause", "label": 2}\n',
         "2: label '2' out of range (xcopa labels are 0-based: 0, 1)"),
    ],
)  # fmt: skip
def test_bad_records_are_one_line_errors_naming_file_and_line(task, tmp_path, line, message):
    official(tmp_path)
    path = tmp_path / "xcopa/val-sw.jsonl"
    path.write_text(path.read_text("utf-8").splitlines()[0] + "\n" + line, "utf-8")
    with pytest.raises(HarnessError) as err:
        task.load("dev", "sw", DataSource("local", tmp_path))
    assert str(err.value).startswith(f"{path}:{message}") and "\n" not in str(err.value)


def test_training_record_without_label_is_an_error(task, tmp_path):
    official(tmp_path)
    train = jsonl(tmp_path / "xcopa/train-en.jsonl", [{**CAUSE, "label": 0}, {**EFFECT}])
    with pytest.raises(HarnessError) as err:
        task.load("train", "en", DataSource("local", tmp_path))
    assert str(err.value) == f"{train}:2: missing gold label"


def test_hub_reader_copa_and_xcopa_configs(task, tmp_path, monkeypatch):
    """English from SuperGLUE COPA's parquet conversion (test label -1), the rest from
    cambridgeltl/xcopa's per-language config: local files in the Hub's schema."""
    copa = jsonl(tmp_path / "copa_train.jsonl", [{**CAUSE, "idx": 0, "label": 0},
                                                 {**EFFECT, "idx": 1, "label": 1}])  # fmt: skip
    copa_test = jsonl(tmp_path / "copa_test.jsonl", [{**EFFECT, "idx": 0, "label": -1}])
    xcopa = jsonl(tmp_path / "xcopa_it.jsonl", [{**EFFECT, "label": 1, "idx": 0, "changed": False},
                                                {**CAUSE, "label": 0, "idx": 1, "changed": True}])  # fmt: skip
    files = {("aps/super_glue", "train"): copa, ("aps/super_glue", "test"): copa_test,
             ("cambridgeltl/xcopa", "test"): xcopa}  # fmt: skip
    calls = []

    def fake(path, name=None, *, split, data_dir=None, revision=None):
        calls.append((path, name, data_dir, revision, split))
        return datasets.Dataset.from_json(str(files[(path, split)]))

    monkeypatch.setattr(datasets, "load_dataset", fake)
    hub = DataSource("hub")
    train = task.load("train", "en", hub)
    assert train["context"][1] == "The man turned on the faucet. What was the effect?"
    assert train["label"] == [0, 1]
    assert task.references(task.load("test", "en", hub)) == [None]  # hidden on the Hub
    test = task.load("test", "it", hub)
    assert task.references(test) == ["1", "0"] and test["id"] == ["0", "1"]
    assert calls == [
        ("aps/super_glue", None, "copa", "refs/convert/parquet", "train"),
        ("aps/super_glue", None, "copa", "refs/convert/parquet", "test"),
        ("cambridgeltl/xcopa", "it", None, None, "test"),
    ]
    files[("aps/super_glue", "train")] = copa_test  # a training record with no label
    with pytest.raises(HarnessError, match="training example 1 of aps/super_glue train"):
        task.load("train", "en", hub)


# --------------------------------------------------------------------------- submissions
def evaluate_py_accuracy(pred_file: Path, gold_file: Path) -> float:
    """evaluate.py ``read_xcopa`` + ``accuracy``, restated: parsed labels compared with ==."""
    preds = [json.loads(line)["label"] for line in pred_file.open()]
    gold = [json.loads(line)["label"] for line in gold_file.open()]
    return float(sum(int(p == g) for p, g in zip(preds, gold, strict=False))) / len(preds) * 100


def test_predictions_round_trip_and_match_evaluate_py(task, tmp_path):
    accuracy = load_registry().evaluator("accuracy")
    pred = tmp_path / "pred/xcopa/test-sw.jsonl"
    task.write_predictions(pred, ["1", "0", "0", "1"])
    assert pred.read_text() == '{"label": 1}\n{"label": 0}\n{"label": 0}\n{"label": 1}\n'
    gold = jsonl(tmp_path / "gold/xcopa/test-sw.jsonl",
                 [{**CAUSE, "label": n, "idx": i, "changed": False}
                  for i, n in enumerate((1, 1, 0, 0))])  # fmt: skip
    preds, refs = task.read_submission(pred, gold, "sw")
    assert (preds, refs) == (["1", "0", "0", "1"], ["1", "1", "0", "0"])
    assert accuracy.score(preds, refs)["accuracy"] == evaluate_py_accuracy(pred, gold) == 50.0
    # values evaluate.py's == treats as equal (1, 1.0, true) or not ("1", 0.5, NaN)
    pred.write_text('{"label": 1.0}\n{"label": "0"}\n{"label": false}\n{"label": NaN}\n')
    for gold_text in ('{"label": 1}\n{"label": 0}\n{"label": 0}\n{"label": 1}\n',
                      '{"label": true}\n{"label": 0.0}\n{"label": 0.5}\n{"label": NaN}\n'):  # fmt: skip
        gold.write_text(gold_text)
        preds, refs = task.read_submission(pred, gold, "sw")
        assert accuracy.score(preds, refs)["accuracy"] == evaluate_py_accuracy(pred, gold)
    assert evaluate_py_accuracy(pred, gold) == 25.0  # only 1.0 == true


def test_submission_errors(task, tmp_path):
    pred = tmp_path / "pred/xcopa/test-tr.jsonl"
    gold = jsonl(tmp_path / "gold/xcopa/test-tr.jsonl", [{"label": 1}, {"label": 0}])
    task.write_predictions(pred, ["1"])
    with pytest.raises(HarnessError, match=r"1 predictions for 2 labels"):
        task.read_submission(pred, gold, "tr")
    pred.write_text('{"label": 1}\n{"label": 0\n')
    with pytest.raises(HarnessError) as err:
        task.read_submission(pred, gold, "tr")
    assert str(err.value).startswith(f"{pred}:2: not valid JSON") and "\n" not in str(err.value)
    pred.write_text('{"label": 1}\n{"prediction": 0}\n')
    with pytest.raises(HarnessError, match=f'{pred}:2: expected a JSON object with a "label" key'):
        task.read_submission(pred, gold, "tr")
    # XTREME's own (zeroed) test files as the label folder: refused, never scored
    task.write_predictions(pred, ["1", "0"])
    zeroed = jsonl(gold, [{**CAUSE, "label": 0, "idx": 0}, {**EFFECT, "label": 0, "idx": 1}])
    with pytest.raises(HarnessError, match="every label is 0, as in XTREME's download"):
        task.read_submission(pred, zeroed, "tr")


# --------------------------------------------------------------------------- end to end
def test_bundled_samples(task):
    src = DataSource("local", task.sample_root)
    train = task.load("train", "en", src)
    assert len(train) == 24 and set(train["label"]) == {0, 1}
    assert len(task.load("dev", "en", src)) == 8
    for lang in LANGUAGES:
        dev, test = task.load("dev", lang, src), task.load("test", lang, src)
        assert (len(dev), len(test)) == (4, 6) and None not in task.references(test)
        assert set(test["label"]) == {0, 1} and not set(dev["context"]) & set(test["context"])
    assert task.references(task.load("test", "en", src)) == [None] * 6  # zeroed, as released


def test_socialiqa_then_xcopa_on_the_samples_and_scored(tiny_model, tmp_path, capsys):
    """XTREME-R's recipe (train_xcopa.sh: SIQA, then COPA) on the bundled samples; the
    exported submission scores as the run's own test records."""
    code = main(["run", "--model", str(tiny_model), "--intermediate", "socialiqa",
                 "--targets", "xcopa", "--epochs", "1", "--max-train-examples", "16",
                 "--max-length", "48", "--run-id", "x", "--no-progress"])  # fmt: skip
    assert code == 0, capsys.readouterr().err
    run = Path("runs/x")
    records = [r for r in json.loads((run / "results.json").read_text())["records"] if r["main"]]
    xcopa = [r for r in records if r["target"] == "xcopa" and r["split"] == "test"]
    assert {r["intermediate"] for r in xcopa} == {"socialiqa"}
    tests = {r["language"]: r for r in xcopa}
    assert sorted(tests) == sorted(LANGUAGES) and {r["n_examples"] for r in tests.values()} == {6}
    assert any(r["role"] == "intermediate" and r["target"] == "socialiqa" for r in records)
    preds = run / "predictions/socialiqa/seed0/xcopa"
    lines = (preds / "test-et.jsonl").read_text().splitlines()
    assert len(lines) == 6 and {json.loads(x)["label"] for x in lines} <= {0, 1}
    capsys.readouterr()
    assert main(["export", str(run), "--to", "sub", "--intermediate", "socialiqa"]) == 0
    task = load_registry().task("xcopa")
    gold = Path("gold/xcopa")
    gold.mkdir(parents=True)
    for lang in LANGUAGES:
        (gold / f"test-{lang}.jsonl").write_bytes(
            (task.sample_root / f"xcopa/test-{lang}.jsonl").read_bytes()
        )
    capsys.readouterr()
    assert main(["score", "--predictions", "sub", "--labels", "gold", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["tasks"]["xcopa"] == {
        lang: {"accuracy": pytest.approx(tests[lang]["value"])} for lang in LANGUAGES
    }
