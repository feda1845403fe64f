"""The dual-encoder worked example of docs/plugins.md (``tests/plugin_packages/toydual``):
a third-party target on ``harness.families.DualEncoderTask`` that trains, ranks each
language's answer pool, writes the submission and is scored again by ``harness score``."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from harness import DataSource
from harness.registry import load_registry

sys.path.insert(0, str(Path(__file__).parent / "plugin_packages"))

import toydual.plugin as plugin  # noqa: E402
from plugin_runs import main_records, run, score_json  # noqa: E402

PAIRS = [("Where is Paris?", "Paris is in France."), ("Who wrote Faust?", "Goethe wrote Faust.")]
TEST = {
    "de": ([("q1", "Wo liegt Paris?", "a0"), ("q2", "Wer schrieb Faust?", "")],
           [("a0", "Paris liegt in Frankreich."), ("a1", "Goethe schrieb Faust.")]),
    "fr": ([("q1", "Où est Paris ?", "a0"), ("q2", "Qui a écrit Faust ?", "a1")],
           [("a0", "Paris est en France."), ("a1", "Goethe a écrit Faust."), ("a2", "Rien.")]),
}  # fmt: skip


def make_data(root: Path) -> None:
    tsv = lambda rows: "".join("\t".join(r) + "\n" for r in rows)  # noqa: E731
    (root / "toydual").mkdir(parents=True)
    (root / "toydual/train-en.tsv").write_text(tsv(PAIRS * 8), "utf-8")
    for lang, (questions, answers) in TEST.items():
        (root / "toydual" / lang).mkdir()
        (root / f"toydual/{lang}/questions.tsv").write_text(tsv(questions), "utf-8")
        (root / f"toydual/{lang}/answers.tsv").write_text(tsv(answers), "utf-8")


def test_reader_rows_and_target_defaults(tmp_path):
    make_data(tmp_path)
    task = load_registry(extra_plugins=[plugin], entrypoints=False).task("toydual")
    assert task.head == "dual-encoder" and task.splits_for("de") == ("test",)
    train = task.load("train", "en", DataSource("local", tmp_path))
    assert train["candidate"][:2] == [a for _, a in PAIRS]
    rows = task.load("test", "de", DataSource("local", tmp_path))
    assert rows["gold"][:] == [["a0"], None]  # a blank gold id: unknown
    assert rows["pool_ids"][:] == [["a0", "a1"], []]  # the pool rides on the first row


def test_toydual_trains_ranks_and_is_scored(tmp_path, capsys):
    make_data(tmp_path / "data")
    assert run(tmp_path, "toydual", plugin) == 0
    records = main_records(tmp_path)
    # de: one query's gold is unknown, so the split is unlabelled (predictions only)
    assert set(records) == {("fr", "test")} and records[("fr", "test")]["metric"] == "map@20"
    preds = tmp_path / "runs/t/predictions/none/seed0/toydual"
    ranked = json.loads((preds / "test-fr.json").read_text())
    assert sorted(ranked) == ["q1", "q2"] and sorted(ranked["q1"]) == ["a0", "a1", "a2"]
    (tmp_path / "gold/toydual").mkdir(parents=True)
    for lang in ("de", "fr"):  # harness score needs every language's label file
        gold = json.dumps({"q1": ["a0"], "q2": ["a1"]})
        (tmp_path / f"gold/toydual/test-{lang}.json").write_text(gold)
    doc = score_json(preds.parent, tmp_path / "gold", plugin, capsys)
    scores = doc["tasks"]["toydual"]
    assert scores["fr"]["map@20"] == pytest.approx(records[("fr", "test")]["value"])
    assert set(scores) == {"de", "fr"} and 0 <= scores["de"]["map@20"] <= 100
