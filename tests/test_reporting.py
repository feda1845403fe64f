"""The reporting model under the leaderboard and the analysis: typed records that round-trip
their JSON, reading run folders and result files in one place, shared table helpers and the
one heat-map renderer."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from harness import HarnessError
from harness.reporting import heatmaps
from harness.reporting.records import Batch, Record, Setup, as_records, latest
from harness.reporting.sources import collect, read_sources
from harness.reporting.tables import MISSING, markdown, mean_std, slug, task_order
from harness.results import RunDir
from harness.validation import schema

ROOT = Path(__file__).resolve().parent.parent
COMMITTED = ROOT / "leaderboards" / "results" / "minilm-sample.json"


# a record as the runner writes it: every key, ``intermediate_language`` included
RUNNER_RECORD = Record(
    suite="xtreme-zs", model="minilm", intermediate=None, target="xnli", role="target",
    language="en", split="test", metric="accuracy", value=50.0, main=True, seed=0,
    run_id="r1", n_examples=10, data="sample",
).to_dict()  # fmt: skip


def record(**kw):
    return {**RUNNER_RECORD, **kw}


BATCH = {"global_batch": 256, "per_device_batch": 4, "accumulation": 8, "world_size": 8,
         "protocol_batch": 32}  # fmt: skip


# --------------------------------------------------------------------------- records
def test_record_fields_are_the_schemas():
    properties = schema("results")["$defs"]["record"]["properties"]
    fields = set(Record.__dataclass_fields__) - {"protocol", "keys"}
    assert fields == set(properties)
    assert set(Batch.__dataclass_fields__) == set(schema("results")["$defs"]["batch"]["properties"])


@pytest.mark.parametrize(
    "data",
    [
        record(),
        record(intermediate="mnli@sw", intermediate_language="sw", batch=BATCH, value=7),
        # older records: no intermediate_language, no data; keys in another order
        {k: v for k, v in reversed(record().items()) if k not in ("intermediate_language", "data")},
    ],
)
def test_record_round_trips_its_json_exactly(data):
    typed = Record.from_dict(data, validate=True)
    assert json.dumps(typed.to_dict()) == json.dumps(data)
    assert Record.from_dict(typed.to_dict()) == typed


def test_committed_records_round_trip():
    document = json.loads(COMMITTED.read_text("utf-8"))
    records = [Record.from_dict(r) for r in document["records"]]
    assert [json.dumps(r.to_dict()) for r in records] == [
        json.dumps(r) for r in document["records"]
    ]


def test_record_built_in_code_writes_the_runners_keys():
    assert list(RUNNER_RECORD) == [
        "suite", "model", "intermediate", "intermediate_language", "target", "role",
        "language", "split", "metric", "value", "main", "seed", "run_id", "n_examples", "data",
    ]  # fmt: skip
    assert RUNNER_RECORD["intermediate_language"] is None
    assert "batch" in Record.from_dict(record(batch=BATCH)).to_dict()


def test_invalid_records_are_refused_in_one_line():
    with pytest.raises(HarnessError, match="invalid score record"):
        Record.from_dict(record(value="high"), validate=True)
    with pytest.raises(HarnessError, match="unknown keys"):
        Record.from_dict(record(colour="red"))
    with pytest.raises(HarnessError, match="missing"):
        Record.from_dict({k: v for k, v in record().items() if k != "seed"})


def test_data_label_keeps_other_protocols_and_batches_apart():
    plain = Record.from_dict(record())
    assert plain.setup == Setup("minilm", "none", "sample") and plain.kind == "sample"
    off_batch = Record.from_dict(record(batch=BATCH))
    assert off_batch.data_label == "sample (batch 256, protocol 32)"
    assert plain.labelled("preset paper").data_label == "sample · preset paper"
    assert Record.from_dict(record(batch={**BATCH, "global_batch": 32})).data_label == "sample"
    old = Record.from_dict({k: v for k, v in record().items() if k != "data"})
    assert old.data_label == "?" and old.kind == "real"
    assert Record.from_dict(record(intermediate="mnli@fr")).training_language == "fr"


def test_latest_run_of_a_configuration_wins():
    old = record(run_id="2026-01-01", value=1.0)
    new = record(run_id="2026-02-01", value=2.0)
    other = record(run_id="2026-01-15", language="de", value=3.0)
    found = latest(as_records([new, other, old]))
    assert [(r.language, r.value) for r in found] == [("en", 2.0), ("de", 3.0)]


# --------------------------------------------------------------------------- sources
def test_sources_find_run_folders_and_skip_invalid_ones(tmp_path):
    runs = tmp_path / "runs"
    RunDir(runs, "a").add_records([record(run_id="a")])
    RunDir(runs / "nested", "b").add_records([record(run_id="b", language="de")])
    (runs / "broken").mkdir()
    (runs / "broken" / "results.json").write_text("{not json")
    found = read_sources([runs])
    assert found.run_dirs == {
        "a": runs / "a",
        "b": runs / "nested" / "b",
        "broken": runs / "broken",
    }
    assert sorted(r.language for r in found.records) == ["de", "en"]
    assert len(found.problems) == 1 and "broken" in found.problems[0]
    # a results.json given directly
    direct = read_sources([runs / "a" / "results.json"])
    assert direct.run_dirs == {"a": runs / "a"} and len(direct.records) == 1


def test_rows_of_other_presets_are_labelled(tmp_path):
    runs = tmp_path / "runs"
    for run_id, preset in [("a", None), ("b", "paper")]:
        RunDir(runs, run_id).add_records([record(run_id=run_id)])
        config = {"preset": preset, "hparams": {"xnli": {"learning_rate": 2e-5}}}
        (runs / run_id / "run.json").write_text(json.dumps({"config": config}))
    records, problems = collect([runs])
    assert not problems
    assert sorted(r.data_label for r in records) == [
        "sample · preset paper",
        "sample · suite defaults",
    ]


def test_an_invalid_result_file_is_refused(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"format": "harness.submission/1", "records": []}))
    with pytest.raises(HarnessError, match="without provenance"):
        read_sources((), [bad])


# --------------------------------------------------------------------------- tables
def test_table_helpers():
    assert slug("minilm", "none", "sample") == "minilm-none-sample"
    odd = slug("minilm", "mnli@sw", "sample")
    assert odd.startswith("minilm-mnli_sw-sample-") and odd != slug("minilm", "mnli#sw", "sample")
    assert mean_std([]) == MISSING and mean_std([80.1]) == "80.10"
    assert mean_std([1.0, 3.0]) == "2.00 ± 1.41 (n=2)"
    assert task_order(["zzz", "xquad", "xnli", "aaa"]) == ["xnli", "xquad", "aaa", "zzz"]
    assert markdown(["a", "b"], [["1.50", "x"]]).splitlines() == [
        "| a    | b   |",
        "|------|-----|",
        "| 1.50 | x   |",
    ]


# --------------------------------------------------------------------------- heat maps
def test_one_renderer_gives_identical_png_bytes_per_style(tmp_path):
    matrix = [[1.5, math.nan], [-2.0, 0.25]]
    args = (matrix, ["r1", "r2"], ["c1", "c2"], "title")
    scores = heatmaps.Style(diverging=False, cell_format="{:.0f}")
    paths = {}
    for name, style in [("a", heatmaps.Style()), ("b", heatmaps.Style()), ("c", scores)]:
        paths[name] = tmp_path / f"{name}.png"
        heatmaps.render(paths[name], *args, style, notes=[["n", ""], ["", ""]])
    data = {k: p.read_bytes() for k, p in paths.items()}
    assert data["a"] == data["b"] != data["c"]
    assert data["a"].startswith(b"\x89PNG") and b"Software" not in data["a"]


def test_leaderboard_and_analysis_draw_with_the_one_renderer(tmp_path, monkeypatch):
    from harness.analysis import analyze
    from harness.leaderboard import regenerate

    runs = tmp_path / "runs"
    RunDir(runs, "r").add_records(
        [record(run_id="r"), record(run_id="r", intermediate="mnli", value=60.0)]
    )
    styles = []
    monkeypatch.setattr(heatmaps, "render", lambda path, *a, **kw: styles.append(a[4]))
    regenerate([runs], tmp_path / "board")
    analyze([runs], tmp_path / "analysis")
    assert [s.diverging for s in styles] == [True, False, False, True]
    assert styles[-1].colorbar_label == "points vs. no intermediate"
