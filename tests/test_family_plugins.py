"""Third-party targets built only from the public family blocks (``harness.families``).

Two small plugin packages under ``tests/plugin_packages/``: an XCOPA-style multilingual
multiple-choice target (per-language JSON-lines files, 11 languages) and a multilingual
NLI target (per-language TSV files). Each runs end to end on the embedded ``minilm`` model;
its records, its prediction files and ``harness export`` + ``harness score`` are checked.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

import harness
from harness import DataSource
from harness.cli import main
from harness.registry import load_registry

PACKAGES = Path(__file__).parent / "plugin_packages"
sys.path.insert(0, str(PACKAGES))

import tinynli.plugin as nli_plugin  # noqa: E402
import toydual.plugin as dual_plugin  # noqa: E402
import xcopa_like.plugin as xcopa_plugin  # noqa: E402
from plugin_runs import main_records, run, score_json  # noqa: E402

# --------------------------------------------------------------------------- data
EN_COPA = [
    ("The man turned on the faucet.", "The toilet filled with water.",
     "Water flowed from the spout.", "effect", 1),
    ("The girl found a bug in her cereal.", "She poured milk in the bowl.",
     "She lost her appetite.", "effect", 1),
    ("The woman retired.", "She received her pension.", "She paid off her mortgage.",
     "effect", 0),
    ("My body cast a shadow over the grass.", "The sun was rising.",
     "The grass was cut.", "cause", 0),
]  # fmt: skip


def copa_record(i: int, lang: str, labelled: bool = True) -> dict:
    premise, c1, c2, question, label = EN_COPA[i % len(EN_COPA)]
    record = {"premise": f"{premise} ({lang} {i})", "choice1": c1, "choice2": c2,
              "question": question, "idx": i, "changed": False}  # fmt: skip
    return {**record, "label": label} if labelled else record


def write_jsonl(path: Path, records: list[dict]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), "utf-8")


def make_xcopa(root: Path, test_labels: bool = True) -> dict[str, list[str]]:
    """XCOPA's layout (``{lang}/val.{lang}.jsonl``, ``test.{lang}.jsonl``) plus English
    training records; returns each language's gold test labels."""
    write_jsonl(root / "xcopa/en/train.en.jsonl", [copa_record(i, "en") for i in range(16)])
    gold = {}
    for k, lang in enumerate(xcopa_plugin.LANGUAGES):
        n_dev, n_test = 2 + k % 2, 3 + k % 3  # a different size per language
        write_jsonl(root / f"xcopa/{lang}/val.{lang}.jsonl",
                    [copa_record(i, lang) for i in range(n_dev)])  # fmt: skip
        test = [copa_record(i + k, lang, test_labels) for i in range(n_test)]
        write_jsonl(root / f"xcopa/{lang}/test.{lang}.jsonl", test)
        gold[lang] = [str(copa_record(i + k, lang)["label"]) for i in range(n_test)]
    return gold


NLI = {
    "en": [("A man plays a guitar.", "A person makes music.", "entailment"),
           ("A man plays a guitar.", "Nobody is playing.", "contradiction"),
           ("A man plays a guitar.", "He is on a stage.", "neutral")],
    "de": [("Ein Mann spielt Gitarre.", "Jemand macht Musik.", "entailment"),
           ("Ein Mann spielt Gitarre.", "Niemand spielt.", "contradiction")],
    "fr": [("Un homme joue de la guitare.", "Personne ne joue.", "contradiction"),
           ("Un homme joue de la guitare.", "Il est sur une scène.", "neutral"),
           ("Un homme joue de la guitare.", "Quelqu'un fait de la musique.", "e")],
}  # fmt: skip


def make_nli(root: Path) -> None:
    folder = root / "tinynli"
    folder.mkdir(parents=True)
    lines = lambda rows, labelled=True: "".join(  # noqa: E731
        f"{a}\t{b}\t{label}\n" if labelled else f"{a}\t{b}\n" for a, b, label in rows
    )
    (folder / "train-en.tsv").write_text(lines(NLI["en"] * 6), "utf-8")
    for lang, rows in NLI.items():
        (folder / f"dev-{lang}.tsv").write_text(lines(rows), "utf-8")
        (folder / f"test-{lang}.tsv").write_text(lines(rows, labelled=lang != "de"), "utf-8")


# --------------------------------------------------------------------------- the plugins
@pytest.mark.parametrize("plugin", [xcopa_plugin, nli_plugin], ids=["xcopa", "tinynli"])
def test_plugins_use_public_imports_only_and_little_code(plugin):
    source = Path(plugin.__file__).read_text()
    assert "harness_builtins" not in source and "harness._" not in source
    imports = [line for line in source.splitlines() if line.startswith(("import ", "from "))]
    assert imports[0] == "import harness" and imports[1].startswith("from harness.families ")
    assert len(source.splitlines()) < 50


def test_xcopa_registers_with_target_defaults(tmp_path):
    registry = load_registry(extra_plugins=[xcopa_plugin], entrypoints=False)
    assert not registry.failed_plugins()
    task = registry.task("xcopa_like")
    assert task.head == "multiple-choice" and task.num_labels == 1
    assert task.choice_keys == ("0", "1") and task.prediction_suffix == ".lst"
    assert all(task.splits_for(lang) == ("dev", "test") for lang in task.languages)
    make_xcopa(tmp_path, test_labels=False)
    rows = task.load("test", "qu", DataSource("local", tmp_path))
    assert list(rows["label"]) == [-1] * 4 and rows["keys"][0] == ["0", "1"]  # unlabelled
    assert rows["context"][0] == "The man turned on the faucet. (qu 4) What happened as a result?"
    with pytest.raises(harness.HarnessError, match="has no language 'de'"):
        task.load("dev", "de", DataSource("local", tmp_path))


def test_xcopa_bad_records_are_one_line_errors(tmp_path, capsys):
    make_xcopa(tmp_path / "data")
    train = tmp_path / "data/xcopa/en/train.en.jsonl"
    write_jsonl(train, [copa_record(0, "en"), copa_record(1, "en", labelled=False)])
    assert run(tmp_path, "xcopa_like", xcopa_plugin) == 2
    err = capsys.readouterr().err
    assert err == (
        f"error: task 'xcopa_like': training example 2 of {train} has no gold label; every "
        "training record needs one\n"
    )
    write_jsonl(train, [copa_record(0, "en")])
    val = tmp_path / "data/xcopa/sw/val.sw.jsonl"
    write_jsonl(val, [{**copa_record(0, "sw"), "label": 2}])
    assert run(tmp_path, "xcopa_like", xcopa_plugin) == 2
    assert capsys.readouterr().err == (
        f"error: {val}:1: label out of range for 2 choices (xcopa_like labels are 0-based: 0, 1)\n"
    )
    record = copa_record(0, "sw")
    del record["choice2"]
    write_jsonl(val, [record])
    assert run(tmp_path, "xcopa_like", xcopa_plugin) == 2
    err = capsys.readouterr().err
    assert (
        err.startswith(f"error: {val}:1: the record has no field 'choice2'")
        and err.count("\n") == 1
    )


def test_xcopa_target_runs_in_every_language_and_is_scored(tmp_path, capsys):
    gold = make_xcopa(tmp_path / "data")
    assert run(tmp_path, "xcopa_like", xcopa_plugin) == 0
    capsys.readouterr()
    records = main_records(tmp_path)
    assert set(records) == {(lg, s) for lg in xcopa_plugin.LANGUAGES for s in ("dev", "test")}
    for (lang, split), record in records.items():
        assert record["target"] == "xcopa_like" and record["metric"] == "accuracy"
        assert 0 <= record["value"] <= 100 and record["n_examples"] == (
            len(gold[lang]) if split == "test" else 2 + xcopa_plugin.LANGUAGES.index(lang) % 2
        )
    # one choice key per line, one line per test record
    preds = tmp_path / "runs/t/predictions/none/seed0/xcopa_like"
    for lang in xcopa_plugin.LANGUAGES:
        lines = (preds / f"test-{lang}.lst").read_text().splitlines()
        assert len(lines) == len(gold[lang]) and set(lines) <= {"0", "1"}
    # exported and scored by `harness score` against the gold labels: the run's own numbers
    assert main_cli_export(tmp_path, xcopa_plugin) == 0
    assert capsys.readouterr().out.startswith(f"wrote 11 files to {tmp_path / 'sub'}")
    for lang, labels in gold.items():
        (tmp_path / "gold/xcopa_like").mkdir(parents=True, exist_ok=True)
        (tmp_path / "gold/xcopa_like" / f"test-{lang}.lst").write_text(
            "".join(f"{g}\n" for g in labels)
        )
    doc = score_json(tmp_path / "sub", tmp_path / "gold", xcopa_plugin, capsys)
    assert doc["tasks"] == {
        "xcopa_like": {
            lang: {"accuracy": pytest.approx(records[(lang, "test")]["value"])}
            for lang in xcopa_plugin.LANGUAGES
        }
    }


def main_cli_export(tmp_path: Path, plugin) -> int:
    args = ["export", str(tmp_path / "runs" / "t"), "--to", str(tmp_path / "sub")]
    return main(args, plugins=[plugin])


def test_tinynli_target_runs_per_language_and_is_scored(tmp_path, capsys):
    make_nli(tmp_path / "data")
    assert run(tmp_path, "tinynli", nli_plugin) == 0
    capsys.readouterr()
    records = main_records(tmp_path)
    # German test labels are absent: predictions only, no record
    assert set(records) == {(lg, s) for lg in ("en", "de", "fr") for s in ("dev", "test")} - {
        ("de", "test")
    }
    assert all(r["n_examples"] == len(NLI[r["language"]]) for r in records.values())
    preds = tmp_path / "runs/t/predictions/none/seed0/tinynli"
    for lang, rows in NLI.items():
        lines = (preds / f"test-{lang}.tsv").read_text().splitlines()
        assert len(lines) == len(rows) and set(lines) <= set(nli_plugin.TINYNLI.labels)
    expected = {"de": 0.0}
    for lang, rows in NLI.items():
        labels = [nli_plugin.TINYNLI.labels[nli_plugin.TINYNLI.label_index(r[2], "")] for r in rows]
        (tmp_path / "gold/tinynli").mkdir(parents=True, exist_ok=True)
        (tmp_path / "gold/tinynli" / f"test-{lang}.tsv").write_text(
            "".join(f"{x}\n" for x in labels)
        )
        lines = (preds / f"test-{lang}.tsv").read_text().splitlines()
        expected[lang] = 100 * sum(p == g for p, g in zip(lines, labels, strict=True)) / len(rows)
    for lang in ("en", "fr"):
        assert records[(lang, "test")]["value"] == pytest.approx(expected[lang])
    doc = score_json(preds.parent, tmp_path / "gold", nli_plugin, capsys)
    assert doc["tasks"] == {
        "tinynli": {
            lang: {"accuracy": pytest.approx(expected[lang])} for lang in ("en", "de", "fr")
        }
    }


def test_tinynli_bad_label_and_short_line_are_one_line_errors(tmp_path, capsys):
    make_nli(tmp_path / "data")
    dev = tmp_path / "data/tinynli/dev-fr.tsv"
    dev.write_text("Un homme.\tPersonne.\tmaybe\n", "utf-8")
    assert run(tmp_path, "tinynli", nli_plugin) == 2
    assert capsys.readouterr().err == (
        f"error: {dev}:1: unknown label 'maybe' for task 'tinynli' (expected one of: "
        "contradiction, entailment, neutral)\n"
    )
    dev.write_text("Un homme seul.\n", "utf-8")
    assert run(tmp_path, "tinynli", nli_plugin) == 2
    assert capsys.readouterr().err == (
        f"error: {dev}:1: 1 tab-separated field(s) are too few for task 'tinynli'\n"
    )


# --------------------------------------------------------------------------- the docs
DOCS = Path(__file__).resolve().parent.parent / "docs" / "plugins.md"


def doc_code(heading: str) -> str:
    """The first Python block after ``heading`` in docs/plugins.md."""
    section = DOCS.read_text("utf-8").split(f"\n{heading}\n", 1)[1]
    return section.split("```python\n", 1)[1].split("```\n", 1)[0]


@pytest.mark.parametrize(
    ("heading", "plugin"),
    [
        ("#### Classification: `PairClassificationTask`", nli_plugin),
        ("#### Multiple choice: `MultipleChoiceTask`", xcopa_plugin),
        ("#### Dual-encoder retrieval: `DualEncoderTask`", dual_plugin),  # test_toydual_plugin
    ],
)
def test_docs_worked_examples_are_the_tested_plugins(heading, plugin):
    assert doc_code(heading) == Path(plugin.__file__).read_text()


def test_docs_option_a_example_reads_its_files(tmp_path):
    module = type(sys)("docs_option_a")
    exec(doc_code("### Option A: reuse a family (`harness.families`)"), module.__dict__)
    registry = load_registry(extra_plugins=[module], entrypoints=False)
    assert not registry.failed_plugins()
    (tmp_path / "toysent").mkdir()
    (tmp_path / "toysent" / "test-de.tsv").write_text("ein guter Film\tpos\nein Film\n")
    rows = registry.task("toysent").load("test", "de", DataSource("local", tmp_path))
    assert list(rows["label"]) == [1, -1] and list(rows["text_b"]) == [None, None]


# --------------------------------------------------------------------------- the built-ins
def test_builtins_are_made_of_the_public_blocks_and_old_paths_still_import():
    from harness_builtins.tasks import classification, multiple_choice

    from harness import families

    assert classification.PairClassificationTask is families.PairClassificationTask
    assert multiple_choice.MultipleChoiceTask is families.MultipleChoiceTask
    assert multiple_choice.MultipleChoiceCollator is families.MultipleChoiceCollator
    registry = load_registry()
    for name in ("xnli", "pawsx", "mnli", "qqp"):
        assert type(registry.task(name)) is families.PairClassificationTask
    for name in ("hellaswag", "cosmosqa", "commonsenseqa", "socialiqa"):
        task = registry.task(name)
        assert type(task) is families.MultipleChoiceTask
        # English intermediates, evaluated on dev only (their releases hide test labels)
        assert task.languages == ("en",) and task.roles == ("intermediate",)
        assert task.splits_for("en") == ("dev",)


def test_one_hub_config_per_language(monkeypatch):
    import dataclasses

    import datasets

    calls = []

    def load_dataset(repo, config=None, split=None, **kwargs):
        calls.append((repo, config, split))
        return [{**copa_record(0, config), "label": 1}]

    monkeypatch.setattr(datasets, "load_dataset", load_dataset)
    task = dataclasses.replace(xcopa_plugin.XCOPA, hub_id="cambridgeltl/xcopa", hub_config="{lang}")
    rows = task.load("test", "sw", DataSource("hub"))
    assert calls == [("cambridgeltl/xcopa", "sw", "test")]
    assert list(rows["label"]) == [1] and "(sw 0)" in rows["context"][0]
    with pytest.raises(harness.HarnessError, match="has no Hugging Face Hub source"):
        xcopa_plugin.XCOPA.read_hub("test", "sw")
