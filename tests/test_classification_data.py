"""Loaders read the real release formats, written here byte for byte as the releases ship them."""

from __future__ import annotations

import json
from pathlib import Path

import datasets
import pytest

from harness import DataSource, HarnessError


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_xtreme_processed_layout_with_label_folder(tasks, tmp_path):
    # XTREME's utils_preprocess writes s1<TAB>s2<TAB>label (no header) and drops test labels;
    # quotes stay literal, as csv.reader(quotechar=None) reads them in XTREME.
    write(
        tmp_path / "xnli/dev-de.tsv",
        'Er sagt "Hallo".\tEr grüßt.\tentailment\nA\tB\tcontradictory\n',
    )
    write(tmp_path / "xnli/test-de.tsv", "Ein Hund.\tEine Katze.\nX\tY\n")
    src = DataSource("local", tmp_path)
    dev = tasks["xnli"].load("dev", "de", src)
    assert dev["text_a"] == ['Er sagt "Hallo".', "A"]
    assert [tasks["xnli"].labels[i] for i in dev["label"]] == ["entailment", "contradiction"]
    assert dev["example_id"] == [0, 1]
    test = tasks["xnli"].load("test", "de", src)
    assert test["label"] == [-1, -1]  # unlabelled: predictions only
    write(tmp_path / "labels/xnli/test-de.tsv", "neutral\nentailment\n")
    test = tasks["xnli"].load("test", "de", src)
    assert tasks["xnli"].references(test) == ["neutral", "entailment"]


def test_pawsx_labels_are_strings(tasks, tmp_path):
    write(tmp_path / "pawsx/train-en.tsv", "a b\tb a\t1\nc d\td c\t0\n")
    rows = tasks["pawsx"].load("train", "en", DataSource("local", tmp_path))
    assert tasks["pawsx"].references(rows) == ["1", "0"]


def test_glue_mnli_train_and_dev_columns(tasks, tmp_path):
    head = (
        "index\tpromptID\tpairID\tgenre\tsentence1_binary_parse\tsentence2_binary_parse\t"
        "sentence1_parse\tsentence2_parse\tsentence1\tsentence2\tlabel1"
    )
    write(
        tmp_path / "MNLI/train.tsv",
        head
        + "\tgold_label\n0\t1\t1e\tfiction\t( a )\t( b )\t(S a)\t(S b)\tP one\tH one\tneutral\tneutral\n",
    )
    write(
        tmp_path / "MNLI/dev_matched.tsv",
        head + "\tlabel2\tlabel3\tlabel4\tlabel5\tgold_label\n"
        "0\t1\t1c\tslate\t\t\t\t\tP two\tH two\tcontradiction\tneutral\tcontradiction\t"
        "contradiction\tcontradiction\tcontradiction\n",
    )
    src = DataSource("local", tmp_path)
    train = tasks["mnli"].load("train", "en", src)
    dev = tasks["mnli"].load("dev", "en", src)
    assert (train["text_a"], train["text_b"]) == (["P one"], ["H one"])
    assert tasks["mnli"].references(train) == ["neutral"]
    assert tasks["mnli"].references(dev) == ["contradiction"]  # gold_label, the last column


def test_qqp_snli_anli_and_anli_plus(tasks, tmp_path):
    write(
        tmp_path / "QQP/train.tsv",
        "id\tqid1\tqid2\tquestion1\tquestion2\tis_duplicate\n7\t1\t2\tHow?\tWhy?\t0\n",
    )
    snli = [
        {"gold_label": "entailment", "sentence1": "s1", "sentence2": "s2"},
        {"gold_label": "-", "sentence1": "x", "sentence2": "y"},
    ]
    write(tmp_path / "snli_1.0/snli_1.0_train.jsonl", "".join(json.dumps(r) + "\n" for r in snli))
    for r in ("R1", "R2", "R3"):
        write(
            tmp_path / f"anli_v1.0/{r}/train.jsonl",
            json.dumps(
                {"uid": r, "context": f"ctx {r}", "hypothesis": "h", "label": "c", "reason": ""}
            )
            + "\n",
        )
    write(
        tmp_path / "MNLI/train.tsv",
        "h\n"
        + "\t".join(["0", "1", "1e", "g", "", "", "", "", "mp", "mh", "entailment", "entailment"])
        + "\n",
    )
    src = DataSource("local", tmp_path)
    qqp = tasks["qqp"].load("train", "en", src)
    assert (qqp["text_a"], tasks["qqp"].references(qqp)) == (["How?"], ["0"])
    snli_rows = tasks["snli"].load("train", "en", src)
    assert snli_rows["text_a"] == ["s1"]  # the no-consensus "-" row is dropped
    anli = tasks["anli"].load("train", "en", src)
    assert anli["text_a"] == ["ctx R1", "ctx R2", "ctx R3"]
    assert set(tasks["anli"].references(anli)) == {"contradiction"}
    plus = tasks["anli+"].load("train", "en", src)
    assert plus["text_a"] == ["ctx R1", "ctx R2", "ctx R3", "mp", "s1"]


@pytest.mark.parametrize(
    ("task", "relpath", "content", "message"),
    [
        ("xnli", "xnli/dev-en.tsv", "a\tb\tentailmnt\n", "dev-en.tsv:1: unknown label 'entailmnt'"),
        ("xnli", "xnli/dev-en.tsv", "a\tb\tneutral\nonly one field\n", "dev-en.tsv:2: expected 3"),
        (
            "anli",
            "anli_v1.0/R1/dev.jsonl",
            '{"context": "c", "hypothesis": "h", "label": "e"}\n{oops\n',
            "R1/dev.jsonl:2: not valid JSON",
        ),
        (
            "qqp",
            "QQP/dev.tsv",
            "id\tqid1\tqid2\tquestion1\tquestion2\tis_duplicate\n1\t2\tq\n",
            "QQP/dev.tsv:2: no row has the 6 tab-separated QQP columns",
        ),
    ],
)
def test_malformed_rows_name_file_and_line(tasks, tmp_path, task, relpath, content, message):
    write(tmp_path / relpath, content)
    for r in ("R2", "R3"):
        write(
            tmp_path / f"anli_v1.0/{r}/dev.jsonl",
            '{"context": "c", "hypothesis": "h", "label": "e"}\n',
        )
    with pytest.raises(HarnessError, match=message.replace("(", r"\(")):
        tasks[task].load("dev", "en", DataSource("local", tmp_path))


def test_missing_file_and_unknown_language(tasks, tmp_path):
    with pytest.raises(HarnessError, match=r"missing data file .*xnli/dev-fr.tsv"):
        tasks["xnli"].load("dev", "fr", DataSource("local", tmp_path))
    with pytest.raises(HarnessError, match="has no language 'xx'"):
        tasks["xnli"].load("dev", "xx", DataSource("local", tmp_path))


def test_hub_readers_map_label_names_not_positions(tasks, monkeypatch):
    """Hub schemas: facebook/xnli and glue/mnli use ClassLabel entailment/neutral/contradiction."""
    calls = []

    def fake_load_dataset(repo, config=None, split=None):
        calls.append((repo, config, split))
        features = datasets.Features(
            {
                "premise": datasets.Value("string"),
                "hypothesis": datasets.Value("string"),
                "label": datasets.ClassLabel(names=["entailment", "neutral", "contradiction"]),
            }
        )
        return datasets.Dataset.from_dict(
            {"premise": ["p", "q"], "hypothesis": ["h", "i"], "label": [0, 2]}, features=features
        )

    monkeypatch.setattr(datasets, "load_dataset", fake_load_dataset)
    rows = tasks["xnli"].load("test", "sw", DataSource("hub"))
    assert calls == [("facebook/xnli", "sw", "test")]
    assert tasks["xnli"].references(rows) == ["entailment", "contradiction"]
    rows = tasks["mnli"].load("dev", "en", DataSource("hub"))
    assert calls[-1] == ("nyu-mll/glue", "mnli", "validation_matched")


def test_hub_qqp_and_pawsx_schemas(tasks, monkeypatch):
    def fake_load_dataset(repo, config=None, split=None):
        if repo == "nyu-mll/glue":
            feats = datasets.Features(
                {
                    "question1": datasets.Value("string"),
                    "question2": datasets.Value("string"),
                    "label": datasets.ClassLabel(names=["not_duplicate", "duplicate"]),
                    "idx": datasets.Value("int32"),
                }
            )
            return datasets.Dataset.from_dict(
                {"question1": ["a"], "question2": ["b"], "label": [1], "idx": [0]}, features=feats
            )
        feats = datasets.Features(
            {
                "id": datasets.Value("int32"),
                "sentence1": datasets.Value("string"),
                "sentence2": datasets.Value("string"),
                "label": datasets.ClassLabel(names=["0", "1"]),
            }
        )
        return datasets.Dataset.from_dict(
            {"id": [1], "sentence1": ["x"], "sentence2": ["y"], "label": [0]}, features=feats
        )

    monkeypatch.setattr(datasets, "load_dataset", fake_load_dataset)
    assert tasks["qqp"].references(tasks["qqp"].load("train", "en", DataSource("hub"))) == ["1"]
    assert tasks["pawsx"].references(tasks["pawsx"].load("dev", "ja", DataSource("hub"))) == ["0"]


@pytest.mark.parametrize(
    "name, split, lang",
    [
        ("xnli", "test", "de"),
        ("panx", "dev", "de"),
        ("xquad", "test", "de"),
        ("hellaswag", "dev", "en"),
        ("bucc2018", "dev", "de"),
        ("tatoeba", "test", "de"),
    ],
)
def test_hub_failure_is_one_clear_line(tasks, monkeypatch, name, split, lang):
    """Every family's Hub reader fails the same way: one line from Task.load, no traceback."""

    def offline(*args, **kwargs):
        raise ConnectionError("Couldn't reach the dataset on the Hub\n(LocalEntryNotFoundError)")

    monkeypatch.setattr(datasets, "load_dataset", offline)
    with pytest.raises(
        HarnessError,
        match=rf"task '{name}': could not load {split}/{lang} from the Hub .*--data PATH",
    ) as info:
        tasks[name].load(split, lang, DataSource("hub"))
    assert "\n" not in str(info.value)


def test_hub_reader_bugs_keep_their_traceback(tasks, monkeypatch):
    """Only failures to fetch become the one-line Hub message; a plugin bug stays visible."""

    def broken(self, split, language):
        raise KeyError("premise")

    monkeypatch.setattr(type(tasks["xnli"]), "read_hub", broken)
    with pytest.raises(KeyError):
        tasks["xnli"].load("test", "de", DataSource("hub"))


def test_bundled_sample_covers_every_language(tasks):
    for name in ("xnli", "pawsx"):
        task = tasks[name]
        src = DataSource("local", task.sample_root)
        assert len(task.load("train", "en", src)) >= 500
        for lang in task.languages:
            for split in ("dev", "test"):
                rows = task.load(split, lang, src)
                assert len(rows) >= 12 and None not in task.references(rows)
    for name in ("mnli", "snli", "anli", "anli+", "qqp"):
        task = tasks[name]
        src = DataSource("local", task.sample_root)
        assert len(task.load("train", "en", src)) > 0 and len(task.load("dev", "en", src)) > 0
