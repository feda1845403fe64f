"""Data errors whose advice fits the case: a sample that ships fewer languages than its task
declares, and a task reading several Hub datasets."""

from __future__ import annotations

import dataclasses
import sys
from pathlib import Path

import datasets
import datasets.config
import pytest

import harness
from harness.cli import main
from harness.tasks import DataSource

sys.path.insert(0, str(Path(__file__).parent / "toy_plugin"))

TWELVE = ("en", "de", "fr", "es", "it", "pt", "nl", "sv", "da", "fi", "pl", "cs")


def _plugin(task):
    class Plugin:
        @harness.hookimpl
        def register_tasks(self, register):
            register(task)

    return Plugin()


@pytest.fixture
def wide_task(tmp_path):
    """A task declaring 12 languages whose bundled sample ships en and de only."""
    import toy_sentiment

    sample = tmp_path / "sample"
    toy_sentiment.write_sample(sample)
    return toy_sentiment.ToySentiment(
        name="wide",
        description="declares 12 languages, samples 2",
        head="sequence-classification",
        languages=TWELVE,
        evaluator="accuracy",
        main_metric="accuracy",
        sample_root=sample,
    )


def test_a_sample_missing_languages_advises_the_languages_it_has(wide_task, capsys):
    code = main(["run", "--targets", "wide", "--data", "sample"], plugins=[_plugin(wide_task)])
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1, err
    assert "missing data file" in err and "--languages en de" in err
    assert "--data sample" not in err  # the run already uses the sample: not circular advice
    with pytest.raises(harness.HarnessError, match="bundled sample has data in en, de only"):
        wide_task.load("test", "fr", DataSource("local", wide_task.sample_root))


def test_the_languages_the_sample_has_then_run_past_the_check(wide_task, capsys):
    """Following the advice gets past the data check: ``harness plan`` reads every file."""
    code = main(
        ["plan", "--targets", "wide", "--languages", "en", "de", "--json"],
        plugins=[_plugin(wide_task)],
    )
    assert code == 0, capsys.readouterr().err


def test_a_missing_file_in_a_download_folder_keeps_the_download_advice(wide_task, tmp_path):
    import toy_sentiment

    folder = tmp_path / "download"
    toy_sentiment.write_sample(folder)
    with pytest.raises(harness.HarnessError) as info:
        wide_task.load("test", "fr", DataSource("local", folder))
    assert f"download it into {folder}" in str(info.value)
    assert "--data sample / --data hub" in str(info.value)


class TwoDatasets:
    """read_hub of a task whose dev split comes from a second Hub dataset."""

    @staticmethod
    def read_hub(task, split, language):
        repo = task.hub_id if split == "train" else "org/second-dataset"
        return datasets.load_dataset(repo, language, split=split)


@pytest.fixture
def two_dataset_task(wide_task, monkeypatch):
    cls = type(wide_task)
    monkeypatch.setattr(cls, "read_hub", lambda self, s, lg: TwoDatasets.read_hub(self, s, lg))
    return dataclasses.replace(wide_task, hub_id="org/first-dataset")


def test_the_hub_error_names_the_dataset_being_read(two_dataset_task, monkeypatch):
    """The real ``datasets.load_dataset`` in offline mode: its error names the second
    dataset, not the task's hub_id."""
    monkeypatch.setattr(datasets.config, "HF_HUB_OFFLINE", True)
    with pytest.raises(harness.HarnessError) as info:
        two_dataset_task.load("dev", "de", DataSource("hub"))
    assert "could not load dev/de from the Hub (org/second-dataset)" in str(info.value)
    with pytest.raises(harness.HarnessError, match=r"Hub \(org/first-dataset\)"):
        two_dataset_task.load("train", "en", DataSource("hub"))


def test_the_dataset_is_named_even_when_the_error_does_not_say(two_dataset_task, monkeypatch):
    def load_dataset(path, name=None, split=None, **kwargs):
        raise ConnectionError("Couldn't reach the dataset on the Hub (LocalEntryNotFoundError)")

    monkeypatch.setattr(datasets, "load_dataset", load_dataset)
    with pytest.raises(harness.HarnessError) as info:
        two_dataset_task.load("dev", "de", DataSource("hub"))
    message = str(info.value)
    assert "(org/second-dataset)" in message and "org/first-dataset" not in message
