"""The compact end-of-run summary, summary.md, model labels, and the records' ``suite`` for
runs whose targets leave the suite."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from harness.cli import main
from harness.registry import load_registry
from harness.results import model_label
from harness.run_summary import benchmark_scores, compact_summary, summary_markdown

sys.path.insert(0, str(Path(__file__).parent / "toy_plugin"))


@pytest.fixture(scope="module")
def scoring():
    return load_registry().suite("xtreme-zs").scoring


def record(inter, target, lang, value, split="test", metric="accuracy", seed=0, **kw):
    return {
        "suite": "xtreme-zs", "model": "/home/me/models/my-encoder", "intermediate": inter,
        "target": target, "role": kw.get("role", "target"), "language": lang, "split": split,
        "metric": metric, "value": value, "main": kw.get("main", True), "seed": seed,
        "run_id": "r", "n_examples": 10, "data": "sample",
    }  # fmt: skip


def full_grid(scoring, inters=("none",), bonus=0.0):
    """Test scores of every scoring task in all its languages: task t scores 10 * (i + 1)."""
    records = []
    for inter in inters:
        for i, spec in enumerate(scoring.tasks):
            metrics = spec.metrics or ("accuracy",)
            for lang in spec.languages:
                for metric in metrics:
                    records.append(
                        record(inter, spec.task, lang, 10.0 * (i + 1) + bonus, metric=metric,
                               main=metric == metrics[-1])
                    )  # fmt: skip
    return records


def test_the_benchmark_score_needs_every_task_in_every_language(scoring):
    records = full_grid(scoring)
    expected = sum(10.0 * (i + 1) for i in range(len(scoring.tasks))) / len(scoring.tasks)
    assert benchmark_scores(records, scoring, {}) == {"none": pytest.approx(expected)}
    one_short = [r for r in records if not (r["target"] == "xnli" and r["language"] == "sw")]
    assert benchmark_scores(one_short, scoring, {}) == {"none": None}


def test_compact_summary_fits_100_columns_for_a_wide_grid(scoring):
    inters = ["none", *[f"intermediate-task-{i}" for i in range(11)]]
    records = full_grid(scoring, inters)
    records.append(record(None, "mnli", "en", 80.0, split="dev", role="intermediate"))
    text = compact_summary(records, ["nope"], scoring, {}, tables=Path("runs/r/summary.md"))
    lines = text.splitlines()
    assert all(len(line) <= 100 for line in lines), max(lines, key=len)
    # targets are rows, intermediates columns (in blocks), the suite's score last
    first_block = lines[1 : 2 + len(scoring.tasks) + 1]
    assert first_block[0].split()[:3] == ["after", "none", "interme…"]
    xnli = next(line for line in first_block if line.startswith("xnli "))
    assert xnli.split()[1] == "20.0"  # xnli is the second scoring task: 10 * 2
    total = next(line for line in first_block if line.startswith(scoring.name))
    expected = sum(10.0 * (i + 1) for i in range(len(scoring.tasks))) / len(scoring.tasks)
    assert total.split()[1] == f"{expected:.1f}"
    assert sum(line.startswith("after") for line in lines) == 2  # 12 intermediates: 2 blocks
    assert "intermediate tasks, own dev score: mnli 80.0" in text
    assert "nope: not yet available" in text
    assert lines[-1] == f"per-language tables: {Path('runs/r/summary.md')}"
    assert "/home/me" not in text


def test_partial_runs_say_what_the_suite_score_needs(scoring):
    records = [record(None, "xnli", lg, 50.0) for lg in ("en", "de")]
    text = compact_summary(records, [], scoring, {})
    assert "xnli" in text and "50.0" in text
    assert f"({scoring.name} needs test scores of all 9 of its tasks" in text


def test_summary_markdown_has_the_per_language_tables_with_short_model_names(scoring):
    records = [record(None, "xnli", lg, v) for lg, v in (("en", 70.0), ("de", 40.0))]
    text = summary_markdown(records, [], "r", scoring, {})
    assert text.startswith("# Run r\n") and "## xnli" in text
    header, _, row = text.split("## xnli", 1)[1].strip().splitlines()
    assert [c.strip() for c in header.strip("|").split("|")][-3:] == ["avg", "de", "en"]
    assert [c.strip() for c in row.strip("|").split("|")][-3:] == ["55.00", "40.00", "70.00"]
    assert row.split("|")[1].strip() == "my-encoder" and "/home/me" not in text


def test_model_labels_shorten_folders_only(tmp_path):
    folder = tmp_path / "models" / "tiny-xlmr"
    folder.mkdir(parents=True)
    assert model_label(str(folder)) == "tiny-xlmr"
    assert model_label(str(folder) + "/") == "tiny-xlmr"
    assert model_label("./checkpoints/best") == "best"
    assert model_label("xlm-roberta-large") == "xlm-roberta-large"
    assert model_label("FacebookAI/xlm-roberta-large") == "FacebookAI/xlm-roberta-large"


def _toy_plugin():
    import toy_sentiment

    return toy_sentiment


def _run(tiny_model, run_id: str, targets: list[str], capsys) -> tuple[list[dict], str]:
    code = main(
        ["run", "--model", str(tiny_model), "--targets", *targets, "--languages", "en", "de",
         "--epochs", "1", "--max-train-examples", "48", "--run-id", run_id, "--no-progress"],
        plugins=[_toy_plugin()],
    )  # fmt: skip
    err = capsys.readouterr().err
    assert code == 0, err
    document = json.loads(Path(f"runs/{run_id}/results.json").read_text())
    return document["records"], err


def test_a_run_prints_the_compact_summary_and_writes_summary_md(tiny_model, capsys, monkeypatch):
    records, err = _run(tiny_model, "inside", ["pawsx"], capsys)
    # every target is the suite's: the records say so
    assert {r["suite"] for r in records} == {"xtreme-zs"}
    summary = err[err.index("task averages over languages") :]
    assert all(len(line) <= 100 for line in summary.splitlines())
    assert f"per-language tables: {Path('runs/inside/summary.md')}" in summary
    assert str(tiny_model) not in summary and tiny_model.name in err
    tables = Path("runs/inside/summary.md").read_text()
    assert "## pawsx" in tables and "| de" in tables.replace("|  ", "| ")
    manifest = json.loads(Path("runs/inside/run.json").read_text())
    assert manifest["config"]["model"] == str(tiny_model)  # the full path is kept
    # the measured throughput (steps after the first: 2 of 3 global batches of 16) ...
    timing = json.loads(Path("runs/inside/timings.json").read_text())["phases"]
    assert [(t["phase"], t["model"], t["features"]) for t in timing] == [
        ("none-pawsx-seed0", str(tiny_model), 32)
    ]
    assert timing[0]["seconds"] > 0
    # ... projects the next run of the same model
    monkeypatch.delenv("HARNESS_RUN_ID")  # the run set it for its DDP workers: a new run now
    assert main(["plan", "--model", str(tiny_model), "--targets", "pawsx", "--json"]) == 0
    phase = json.loads(capsys.readouterr().out)["phases"][0]
    assert (
        phase["projected_seconds"] > 0 and phase["throughput_source"] == "1 earlier phases (pawsx)"
    )


def test_targets_outside_the_suite_record_suite_null(tiny_model, capsys, tmp_path):
    records, _ = _run(tiny_model, "outside", ["pawsx", "toy-sentiment"], capsys)
    assert {r["suite"] for r in records} == {None}
    assert {r["target"] for r in records} == {"pawsx", "toy-sentiment"}
    # such a run still submits (its provenance names the suite that gave the protocol)
    out = tmp_path / "result.json"
    assert main(["submit", "runs/outside", "--out", str(out)]) == 0, capsys.readouterr().err
    assert json.loads(out.read_text())["provenance"]["suite"] == "xtreme-zs"


def test_targets_help_no_longer_claims_a_subset(capsys):
    with pytest.raises(SystemExit):
        main(["run", "--help"])
    help_text = " ".join(capsys.readouterr().out.split())
    assert "subset of the suite's targets" not in help_text
    assert "records of tasks outside the suite have suite null" in help_text
