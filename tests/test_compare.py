"""`harness compare`: a run beside a published reference; every published number is cited."""

from __future__ import annotations

import json
import statistics
from pathlib import Path

import pytest

from harness.cli import main
from harness.compare import ALL, citation_problem, compare
from harness.reporting.sources import read_result_file
from harness.results import RunDir

REPO = Path(__file__).resolve().parent.parent
REFERENCES = REPO / "references"
SAMPLE_RESULTS = REPO / "leaderboards" / "results" / "minilm-sample.json"


def record(**kw):
    base = {
        "suite": "xtreme-zs", "model": "minilm", "intermediate": None, "target": "xnli",
        "role": "target", "language": "en", "split": "test", "metric": "accuracy",
        "value": 50.0, "main": True, "seed": 0, "run_id": "r1", "n_examples": 10,
        "data": "sample",
    }  # fmt: skip
    return {**base, **kw}


def published(records: list[dict], columns: dict[str, str], model: str = "minilm") -> dict:
    """A reference document whose records are cited cell by cell (source key = run_id)."""
    source = {
        "reference": "Someone et al. (2020)", "url": "https://example.org/paper",
        "table": "Table 2", "row": "baseline", "columns": columns,
    }  # fmt: skip
    return {
        "format": "harness.submission/1",
        "provenance": {
            "kind": "published",
            "reference": "Someone et al. (2020), Table 2",
            "model": {"name": model, "source": f"org/{model}", "fingerprint": None},
            "sources": {"paper": source},
        },
        "records": [
            {**r, "data": "published", "run_id": "paper", "model": model, "seed": 0}
            for r in records
        ],
    }


def _one_error_line(capsys, *needles: str) -> None:
    captured = capsys.readouterr()
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), captured.err
    assert "Traceback" not in captured.err and captured.out == ""
    for needle in needles:
        assert needle in lines[0], lines[0]


@pytest.fixture
def run_and_reference():
    """A run folder (two seeds of XNLI in en/de, PAWS-X en on dev only, BUCC) and a
    reference with XNLI en/fr and a published PAWS-X average."""
    RunDir(Path("runs"), "r1").add_records(
        [
            record(language="en", value=80.0),
            record(language="de", value=60.0),
            record(language="en", value=70.0, seed=1),
            record(language="de", value=50.0, seed=1),
            record(language="en", metric="f1", value=1.0, main=False),  # not a main score
            record(intermediate="mnli", language="en", value=90.0),
            record(target="pawsx", language="en", split="dev", value=66.0),
            record(target="bucc2018", language="de", metric="f1", value=30.0),
        ]
    )
    reference = published(
        [
            record(language="en", value=85.0),
            record(language="fr", value=75.0),
            record(target="pawsx", language=ALL, value=70.0),
            record(target="mlqa", language=ALL, metric="f1", value=60.0),
        ],
        {"xnli": "XNLI", "pawsx": "PAWS-X", "mlqa": "MLQA"},
    )
    Path("references").mkdir()
    Path("references/paper.json").write_text(json.dumps(reference))
    return Path("runs/r1")


def test_compare_a_run_folder_per_language_and_on_average(run_and_reference):
    result = compare(run_and_reference, "paper", task_languages=lambda task: ("en",))
    assert (result.run_setting, result.reference_setting) == ("none", "none")
    cells = {(c.task, c.language): c for c in result.cells}
    en = cells[("xnli", "en")]
    assert (en.run, en.reference, en.diff, en.run_seeds) == (75.0, 85.0, -10.0, 2)
    de, fr = cells[("xnli", "de")], cells[("xnli", "fr")]
    assert (de.run, de.reference, de.diff) == (55.0, None, None)  # only in the run
    assert (fr.run, fr.reference, fr.diff) == (None, 75.0, None)  # only in the reference
    averages = {a.task: a for a in result.averages}
    xnli = averages["xnli"]  # en+de against en+fr: shown, but not subtracted
    assert (xnli.run, xnli.reference, xnli.same_languages, xnli.diff) == (65.0, 80.0, False, None)
    assert "missing fr" in xnli.note and "extra de" in xnli.note
    pawsx = averages["pawsx"]  # a published average over the task's languages (here: en)
    assert (pawsx.run, pawsx.reference, pawsx.same_languages) == (66.0, 70.0, True)
    assert pawsx.diff == pytest.approx(-4.0)
    assert ("pawsx", ALL) not in cells
    mlqa = averages["mlqa"]  # not run at all
    assert (mlqa.run, mlqa.reference, mlqa.diff) == (None, 60.0, None)
    notes = "\n".join(result.notes)
    assert "pawsx: the run has no test scores; its dev scores are shown" in notes
    assert "tasks only in the run (not compared): bucc2018" in notes
    assert result.citations["xnli"] == (
        "Someone et al. (2020), Table 2, row baseline (https://example.org/paper)",
        "XNLI",
    )


def test_compare_cli_text_and_json(run_and_reference, capsys):
    assert main(["compare", str(run_and_reference), "--reference", "paper"]) == 0
    text = capsys.readouterr().out
    assert "| xnli   | en         | accuracy | test        | 75.00 | test        | 85.00" in text
    assert "-10.00" in text and "note: tasks only in the run (not compared): bucc2018" in text
    assert "Reference numbers from Someone et al. (2020), Table 2, row baseline" in text
    assert main(["compare", "runs/r1", "--reference", "paper", "--intermediate", "mnli",
                 "--reference-intermediate", "none", "--json"]) == 0  # fmt: skip
    document = json.loads(capsys.readouterr().out)
    assert (document["run_intermediate"], document["reference_intermediate"]) == ("mnli", "none")
    en = next(c for c in document["cells"] if (c["task"], c["language"]) == ("xnli", "en"))
    assert (en["run"], en["reference"], en["diff"]) == (90.0, 85.0, 5.0)
    assert document["citations"]["pawsx"]["column"] == "PAWS-X"


def test_compare_the_committed_sample_with_the_published_xlmr_baseline(capsys):
    assert main(["compare", str(SAMPLE_RESULTS), "--reference", "xtreme2020-xlmr", "--json"]) == 0
    document = json.loads(capsys.readouterr().out)
    records = json.loads(SAMPLE_RESULTS.read_text())["records"]
    xnli = [
        r["value"] for r in records
        if (r["target"], r["intermediate"], r["main"], r["split"]) == ("xnli", None, True, "test")
    ]  # fmt: skip
    reference = {r["target"]: r["value"] for r in read_result_file(
        REFERENCES / "xtreme2020-xlmr.json")["records"]}  # fmt: skip
    average = next(a for a in document["averages"] if a["task"] == "xnli")
    assert len(xnli) == 15 and average["same_languages"] is True
    assert average["run"] == pytest.approx(statistics.fmean(xnli))
    assert average["reference"] == reference["xnli"]
    assert average["diff"] == pytest.approx(statistics.fmean(xnli) - reference["xnli"])
    assert {a["task"] for a in document["averages"]} == set(reference)
    assert "the models differ: run minilm, reference xlm-roberta-large" in document["notes"]
    assert document["citations"]["xnli"]["column"] == "XNLI"


@pytest.mark.parametrize(
    "how, says",
    [
        ("unknown reference", "--reference nope: no such reference file"),
        ("no run", "runs/missing: no such run folder or result file"),
        ("no results.json", "runs/empty: not a run folder (no results.json)"),
        ("damaged run", "runs/r1/results.json: unreadable"),
        ("invalid run", "runs/r1/results.json: "),
        ("not a result file", "other.json: neither a run's results.json"),
        ("damaged reference", "references/paper.json: unreadable result file"),
        ("uncited number", "references/paper.json: records/0: run_id 'elsewhere' names none"),
        ("no column", "references/paper.json: records/2: target 'pawsx' has no column"),
        ("unknown intermediate", "--intermediate squad: runs/r1 has no scores after that"),
    ],
)
def test_bad_input_is_one_error_line(run_and_reference, capsys, how, says):
    run, reference = "runs/r1", "paper"
    paper = Path("references/paper.json")
    document = json.loads(paper.read_text())
    extra: list[str] = []
    if how == "unknown reference":
        reference = "nope"
    elif how == "no run":
        run = "runs/missing"
    elif how == "no results.json":
        Path("runs/empty").mkdir()
        run = "runs/empty"
    elif how == "damaged run":
        Path("runs/r1/results.json").write_text("{not json")
    elif how == "invalid run":
        Path("runs/r1/results.json").write_text(
            json.dumps({"format": "harness.results/1", "run_id": "r1", "records": [{"x": 1}]})
        )
    elif how == "not a result file":
        Path("other.json").write_text(json.dumps({"format": "something/1"}))
        run = "other.json"
    elif how == "damaged reference":
        paper.write_text('{"format": ')
    elif how == "uncited number":
        document["records"][0]["run_id"] = "elsewhere"
        paper.write_text(json.dumps(document))
    elif how == "no column":
        del document["provenance"]["sources"]["paper"]["columns"]["pawsx"]
        paper.write_text(json.dumps(document))
    elif how == "unknown intermediate":
        extra = ["--intermediate", "squad"]
    capsys.readouterr()
    assert main(["compare", run, "--reference", reference, *extra]) == 2
    _one_error_line(capsys, says)


def test_every_committed_reference_is_valid_and_every_number_cited():
    files = sorted(REFERENCES.glob("*.json"))
    assert files, "no reference files under references/"
    for file in files:
        document = read_result_file(file)  # schema, provenance and records agree
        prov = document["provenance"]
        assert prov["kind"] == "published" and prov.get("url"), file
        assert citation_problem(document) is None, file
        for r in document["records"]:
            assert r["data"] == "published" and r["main"] and r["role"] == "target", file
            source = prov["sources"][r["run_id"]]
            assert source["url"].startswith("https://") and source["table"] and source["row"]
            assert source["columns"][r["target"]], (file, r["target"])
    # the schema extension keeps the committed run result file valid
    assert read_result_file(SAMPLE_RESULTS)["provenance"]["kind"] == "run"


def test_a_published_average_over_unlisted_languages_is_not_compared(run_and_reference):
    result = compare(run_and_reference, "paper", task_languages=lambda task: None)
    pawsx = next(a for a in result.averages if a.task == "pawsx")
    assert pawsx.reference_languages is None and pawsx.diff is None
    assert "does not list" in pawsx.note


def test_two_published_averages_compare(capsys):
    """A reference file as RUN: published averages on both sides (X-STILTs vs XLM-R)."""
    phang = str(REFERENCES / "phang2020.json")
    args = ["compare", phang, "--reference", "xtreme2020-xlmr", "--intermediate", "x-stilts"]
    assert main([*args, "--json"]) == 0
    document = json.loads(capsys.readouterr().out)
    averages = {a["task"]: a for a in document["averages"]}
    ours = {r["target"]: r["value"] for r in read_result_file(Path(phang))["records"]}
    theirs = {
        r["target"]: r["value"]
        for r in read_result_file(REFERENCES / "xtreme2020-xlmr.json")["records"]
    }
    assert set(averages) == set(theirs) and document["cells"] == []
    for task, a in averages.items():
        assert a["same_languages"] is True
        assert a["diff"] == pytest.approx(ours[task] - theirs[task])
