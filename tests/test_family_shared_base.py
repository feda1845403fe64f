"""Classification and multiple choice build on the same family base as tagging, QA and
retrieval: what the base gives (alternative file names, one-line reader errors, a
``hub_reader``) works for them too, and what they had before keeps its messages."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import harness
from harness.families import MultipleChoiceTask, PairClassificationTask


def nli_row(task, fields, where):
    return task.row(fields[0], fields[1], fields[2] if len(fields) > 2 else None, where)


def mc_row(task, record, where):
    return task.row(record["premise"], [record["a"], record["b"]], record.get("label"), where)


def nli(**kwargs) -> PairClassificationTask:
    spec = dict(
        name="nli",
        description="tiny NLI",
        languages=("en", "de"),
        labels=("no", "yes"),
        local_layout="nli/{split}-{lang}.tsv",
        from_fields=nli_row,
    )
    return PairClassificationTask(**{**spec, **kwargs})


def mc(**kwargs) -> MultipleChoiceTask:
    spec = dict(
        name="mc",
        description="tiny multiple choice",
        languages=("en", "de"),
        num_choices=2,
        local_layout={"train": "mc/train.jsonl", "test": "mc/test-{lang}.jsonl"},
        from_record=mc_row,
    )
    return MultipleChoiceTask(**{**spec, **kwargs})


def write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def test_classification_layout_may_name_a_file_by_its_releases_names(tmp_path):
    write(tmp_path / "nli" / "dev.de.tsv", "a\tb\tyes\n")
    task = nli(
        local_layout=lambda split, lang: [(f"nli/{split}-{lang}.tsv", f"nli/{split}.{lang}.tsv")]
    )
    assert task.local_files("dev", "de", tmp_path) == [tmp_path / "nli" / "dev.de.tsv"]
    assert task.read_local("dev", "de", tmp_path) == [{"text_a": "a", "text_b": "b", "label": 1}]


def test_multiple_choice_layout_may_name_a_file_by_its_releases_names(tmp_path):
    record = {"premise": "p", "a": "x", "b": "y", "label": 1}
    write(tmp_path / "mc" / "de" / "test.jsonl", json.dumps(record) + "\n")
    task = mc(local_layout=lambda split, lang: [(f"mc/test-{lang}.jsonl", f"mc/{lang}/test.jsonl")])
    assert [row["label"] for row in task.read_local("test", "de", tmp_path)] == [1]


@pytest.mark.parametrize("make", [nli, mc])
def test_a_reader_looking_up_a_missing_field_is_one_line_naming_the_files(tmp_path, make):
    def reader(task, split, language, root):
        return [{}["label"]]

    task = make(local_reader=reader, from_fields=None) if make is nli else make(local_reader=reader)
    with pytest.raises(harness.HarnessError, match="a record of .* has no field 'label'"):
        task.read_local("test" if make is mc else "dev", "de", tmp_path)


def test_multiple_choice_reads_the_hub_through_a_hub_reader(tmp_path):
    datasets = pytest.importorskip("datasets")
    rows = [{"context": "c", "choices": ["x", "y"], "keys": ["0", "1"], "label": 0}]
    task = mc(hub_reader=lambda task, split, lang: datasets.Dataset.from_list(rows))
    assert task.read_hub("test", "de").to_list() == rows
    with pytest.raises(harness.HarnessError, match="has no Hugging Face Hub source"):
        mc().read_hub("test", "de")


def test_missing_splits_and_readers_keep_their_messages(tmp_path):
    with pytest.raises(harness.HarnessError, match="no 'dev' split in its layout"):
        nli(local_layout={"test": "nli/{lang}.tsv"}).local_files("dev", "de", tmp_path)
    with pytest.raises(harness.HarnessError, match="no 'dev' split in its release"):
        mc().local_files("dev", "de", tmp_path)
    with pytest.raises(harness.HarnessError, match="give from_fields"):
        nli(from_fields=None)
    with pytest.raises(harness.HarnessError, match="give from_record"):
        mc(from_record=None)
    assert nli(language_splits={"de": ("test",)}).splits_for("de") == ("test",)
    assert mc().splits_for("en") == ("test",)


def test_settings_stay_as_given_so_cache_keys_do_not_change():
    assert nli().settings == {} and mc().settings == {}
    assert nli(settings={"k": 1}).settings == {"k": 1}
