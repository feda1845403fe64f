"""Result files (``harness submit``) and leaderboards built from them alone."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from harness.cli import main

REPO = Path(__file__).resolve().parent.parent
COMMITTED = REPO / "leaderboards"


@pytest.fixture(scope="module")
def finished_run(tiny_model, tmp_path_factory) -> Path:
    """A finished run of the tiny model (xnli in en and de, 3 bootstrap replicates)."""
    root = tmp_path_factory.mktemp("runs")
    args = ["run", "--model", str(tiny_model), "--targets", "xnli", "--intermediate", "none"]
    args += ["--languages", "en", "de", "--epochs", "1", "--max-train-examples", "16"]
    args += ["--bootstrap-samples", "3", "--no-progress", "--run-id", "r0"]
    args += ["--output", str(root), "--cache-dir", str(root / "cache")]
    assert main(args) == 0
    return root / "r0"


def _copy_run(run: Path, run_id: str, seed: int, dest: Path = Path("runs")) -> Path:
    """Another finished run of the same setting with another seed (as `--seed` would make)."""
    out = dest / run_id
    shutil.copytree(run, out, ignore=shutil.ignore_patterns("checkpoints", "predictions"))
    manifest = json.loads((out / "run.json").read_text())
    manifest["run_id"], manifest["config"]["seeds"] = run_id, [seed]
    (out / "run.json").write_text(json.dumps(manifest))
    results = json.loads((out / "results.json").read_text())
    results["run_id"] = run_id
    for r in results["records"]:
        r["run_id"], r["seed"], r["value"] = run_id, seed, r["value"] / 2
    (out / "results.json").write_text(json.dumps(results))
    shutil.move(out / "bootstrap" / "none" / "seed0", out / "bootstrap" / "none" / f"seed{seed}")
    return out


def _one_error_line(capsys, *needles: str) -> str:
    captured = capsys.readouterr()
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), captured.err
    assert "Traceback" not in captured.err
    for needle in needles:
        assert needle in lines[0], lines[0]
    return lines[0]


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def test_submitted_run_builds_the_leaderboard_alone(finished_run, tiny_model, capsys):
    assert main(["submit", str(finished_run)]) == 0
    out = capsys.readouterr().out
    files = list(Path("leaderboards/results").iterdir())
    assert len(files) == 1 and files[0].name == f"{Path(tiny_model).name}-sample.json"
    assert str(files[0]) in out
    text = files[0].read_text()
    document = json.loads(text)
    prov = document["provenance"]
    manifest = json.loads((finished_run / "run.json").read_text())
    assert prov["model"]["name"] == manifest["config"]["model"]
    assert re.fullmatch(r"sha256:[0-9a-f]{64}", prov["model"]["fingerprint"])
    assert prov["data"]["source"] == "sample" and prov["data"]["files"]
    assert all(re.fullmatch("[0-9a-f]{64}", f["sha256"]) for f in prov["data"]["files"])
    assert {f["sha256"] for f in prov["data"]["files"]} == {
        f["sha256"] for f in manifest["data_files"]
    }
    assert not any(f["file"].startswith("/") for f in prov["data"]["files"])  # portable
    (run,) = prov["runs"]
    assert run["run_id"] == "r0" and run["seeds"] == [0] and run["preset"] is None
    assert run["packages"]["harness"] and run["packages"]["torch"]
    assert run["hparams"]["xnli"]["epochs"] == 1
    records = json.loads((finished_run / "results.json").read_text())["records"]
    assert sorted(map(json.dumps, document["records"])) == sorted(map(json.dumps, records))
    # the replicates analyze uses (the reported split: test where scored, else dev)
    assert sorted(document["bootstrap"]) == [f"r0/none/seed0/xnli/test-{lg}" for lg in ("de", "en")]
    assert "predictions" not in text and len(text.splitlines()) < 100 + len(records)
    # the board comes from the committed file alone: no runs folder here
    assert not Path("runs").exists()
    assert main(["leaderboard", "--out", "board"]) == 0
    en = next(r for r in records if r["language"] == "en" and r["split"] == "test" and r["main"])
    table = re.sub(" +", " ", Path("board/xnli.md").read_text())
    assert f"| {en['value']:.2f} |" in table and "| sample | test | accuracy |" in table
    before = _snapshot(Path("board"))
    assert main(["submit", str(finished_run)]) == 0  # submitting again changes nothing
    assert json.loads(files[0].read_text()) == document
    assert main(["leaderboard", "--out", "board"]) == 0
    assert _snapshot(Path("board")) == before


def test_seeds_merge_into_one_file_and_rows(finished_run, capsys):
    other = _copy_run(finished_run, "r1", seed=1)
    assert main(["submit", str(finished_run), "--out", "results/tiny.json"]) == 0
    assert main(["submit", str(other), "--out", "results/tiny.json"]) == 0
    document = json.loads(Path("results/tiny.json").read_text())
    assert [r["run_id"] for r in document["provenance"]["runs"]] == ["r0", "r1"]
    assert {r["seed"] for r in document["records"]} == {0, 1}
    assert any(k.startswith("r1/none/seed1/") for k in document["bootstrap"])
    shutil.rmtree("runs")
    assert main(["leaderboard", "--results", "results", "--out", "board"]) == 0
    table = Path("board/xnli.md").read_text()
    rows = [line for line in table.splitlines() if "| sample " in line and "| test " in line]
    assert len(rows) == 1 and "(n=2)" in rows[0]  # one row, two seeds
    # a run of another protocol is refused into this file, and the file is kept as it was
    before = Path("results/tiny.json").read_bytes()
    changed = _copy_run(finished_run, "r2", seed=2)
    manifest = json.loads((changed / "run.json").read_text())
    manifest["config"]["hparams"]["xnli"]["max_length"] = 32
    (changed / "run.json").write_text(json.dumps(manifest))
    capsys.readouterr()
    assert main(["submit", str(changed), "--out", "results/tiny.json"]) == 2
    _one_error_line(capsys, "results/tiny.json", "r2", "other hyper-parameters", "--out")
    assert Path("results/tiny.json").read_bytes() == before


def test_unfinished_run_is_not_submitted(finished_run, capsys):
    run = _copy_run(finished_run, "r3", seed=3)
    manifest = json.loads((run / "run.json").read_text())
    (run / "run.json").write_text(json.dumps({**manifest, "status": "interrupted"}))
    assert main(["submit", str(run)]) == 2
    _one_error_line(capsys, "runs/r3", "interrupted", "--run-id r3")
    assert main(["submit", "runs/nothing"]) == 2
    _one_error_line(capsys, "runs/nothing", "not a run folder")
    assert not Path("leaderboards").exists()


def _damage(path: Path, how: str) -> None:
    document = json.loads(path.read_text())
    if how == "damaged":
        path.write_text(path.read_text()[:-200])
        return
    if how == "schema":
        document["records"][0]["value"] = "high"
    elif how == "provenance":
        del document["provenance"]
    elif how == "fingerprint":
        del document["provenance"]["model"]["fingerprint"]
    elif how == "mismatch":
        document["records"][0]["data"] = "/data/xtreme"  # a number its provenance does not back
    path.write_text(json.dumps(document))


@pytest.mark.parametrize(
    "how, says",
    [
        ("damaged", "unreadable result file"),
        ("schema", "invalid result file: records/0/value"),
        ("provenance", "without provenance"),
        ("fingerprint", "provenance/model: 'fingerprint' is a required property"),
        ("mismatch", "records/0: data '/data/xtreme' is not the provenance's 'sample'"),
    ],
)
def test_bad_result_file_is_refused_in_one_line(finished_run, capsys, how, says):
    assert main(["submit", str(finished_run), "--out", "results/good.json"]) == 0
    assert main(["submit", str(_copy_run(finished_run, "r9", 9)), "--out", "results/b.json"]) == 0
    assert main(["leaderboard", "--results", "results", "--out", "board"]) == 0
    before = _snapshot(Path("board"))
    _damage(Path("results/b.json"), how)
    capsys.readouterr()
    for command in (["leaderboard", "--out", "board"], ["analyze", "--out", "board/analysis"]):
        assert main([*command, "--results", "results", "--runs", "runs"]) == 2
        _one_error_line(capsys, "results/b.json", says)
        assert _snapshot(Path("board")) == before  # nothing written, nothing removed
    # submitting into a damaged file refuses too, and leaves it for the user to restore
    damaged = Path("results/b.json").read_bytes()
    assert main(["submit", str(finished_run), "--out", "results/b.json"]) == 2
    _one_error_line(capsys, "results/b.json")
    assert Path("results/b.json").read_bytes() == damaged


def _document(data: str, max_length: int = 64, kind: str = "run", value: float = 50.0) -> dict:
    record = {
        "suite": "xtreme-zs", "model": "m", "intermediate": None, "target": "xnli",
        "role": "target", "language": "en", "split": "test", "metric": "accuracy",
        "value": value, "main": True, "seed": 0, "run_id": f"{data}-{max_length}",
        "n_examples": 10, "data": data,
    }  # fmt: skip
    model = {"name": "m", "source": "org/m", "fingerprint": None}
    if kind == "published":
        provenance = {"kind": "published", "reference": "Hu et al. (2020), Table 2", "model": model}
    else:
        run = {
            "run_id": record["run_id"], "created": "2026-01-01T00:00:00+00:00", "preset": None,
            "seeds": [0], "hparams": {"xnli": {"epochs": 2, "max_length": max_length}},
            "packages": {"harness": "0.1.0"},
        }  # fmt: skip
        provenance = {"kind": "run", "harness": "0.1.0", "suite": "xtreme-zs", "model": model,
                      "data": {"source": data, "files": []}, "runs": [run]}  # fmt: skip
    return {"format": "harness.submission/1", "provenance": provenance, "records": [record]}


def test_sample_real_published_and_protocols_are_never_mixed():
    results = Path("leaderboards/results")
    results.mkdir(parents=True)
    for name, document in {
        "sample": _document("sample", value=40.0),
        "sample-long": _document("sample", max_length=128, value=45.0),
        "real": _document("/data/xtreme", value=70.0),
        "paper": _document("published", kind="published", value=80.0),
    }.items():
        (results / f"{name}.json").write_text(json.dumps(document))
    assert main(["leaderboard"]) == 0
    readme = re.sub(" +", " ", Path("leaderboards/README.md").read_text())
    titles = re.findall(r"^## Zero-shot transfer.*$", readme, flags=re.M)
    assert titles == [
        "## Zero-shot transfer (average over languages) — published reference scores",
        "## Zero-shot transfer (average over languages) — real data",
        "## Zero-shot transfer (average over languages) — sample data",
    ]
    sample = readme.split(titles[2])[1]
    assert "| m | none | sample · suite defaults (max_length 64) | 40.00 |" in sample
    assert "| m | none | sample · suite defaults (max_length 128) | 45.00 |" in sample
    assert "70.00" not in sample and "80.00" not in sample
    published = readme.split(titles[0])[1]
    assert "| m | none | published · Hu et al. 2020 | 80.00 |" in published
    xnli = Path("leaderboards/xnli.md").read_text()
    assert xnli.index("## Real data") < xnli.index("70.00") < xnli.index("## Sample data")
    html = Path("leaderboards/index.html").read_text()
    assert 'id="table-target-xnli-published"' in html and 'id="average-sample"' in html


def test_one_protocol_adds_no_label():
    results = Path("leaderboards/results")
    results.mkdir(parents=True)
    (results / "a.json").write_text(json.dumps(_document("sample")))
    assert main(["leaderboard", "--no-html"]) == 0
    readme = re.sub(" +", " ", Path("leaderboards/README.md").read_text())
    assert "| m | none | sample | 50.00 |" in readme and "—" not in readme.split("## Per")[0]


def test_committed_leaderboards_regenerate_from_committed_result_files():
    """`harness leaderboard && harness analyze` in a fresh clone gives the committed files."""
    results = COMMITTED / "results"
    assert sorted(results.glob("*.json")), "no committed result files under leaderboards/results"
    references = ["--references", str(COMMITTED.parent / "references")]
    assert main(["leaderboard", "--results", str(results), *references, "--out", "lb"]) == 0
    assert main(["analyze", "--results", str(results), "--out", "lb/analysis"]) == 0
    committed = {  # analysis/ranking.md comes from `harness rank --evaluate`, which runs models
        k: v
        for k, v in _snapshot(COMMITTED).items()
        if not k.startswith("results/") and k != "analysis/ranking.md"
    }
    regenerated = _snapshot(Path("lb"))
    assert sorted(regenerated) == sorted(committed)
    differ = [name for name in committed if committed[name] != regenerated[name]]
    assert not differ, f"committed leaderboard files differ from their records: {differ}"


def test_analysis_from_a_result_file_equals_analysis_from_its_runs(finished_run):
    """The replicates travel in the result file: the same intervals without runs/."""
    from harness.analysis import analyze

    run = _copy_run(finished_run, "ri", seed=0)
    results = json.loads((run / "results.json").read_text())
    for r in list(results["records"]):  # an intermediate task's scores beside the baseline
        results["records"].append({**r, "intermediate": "mnli", "value": r["value"] + 10})
    (run / "results.json").write_text(json.dumps(results))
    shutil.copytree(run / "bootstrap" / "none", run / "bootstrap" / "mnli")
    for file in (run / "bootstrap" / "mnli").rglob("*.json"):
        entry = json.loads(file.read_text())
        entry["replicates"] = [v + 10 + i % 3 for i, v in enumerate(entry["replicates"])]
        file.write_text(json.dumps(entry))
    from_runs = analyze([Path("runs")], Path("from-runs"))
    assert "n/a" not in from_runs.split("## ")[2]  # bootstrap intervals, not missing ones
    assert main(["submit", str(run), "--out", "results/ri.json"]) == 0
    shutil.rmtree("runs")
    assert analyze([], Path("from-file"), results=[Path("results")]) == from_runs
    assert _snapshot(Path("from-file")) == _snapshot(Path("from-runs"))


def test_missing_results_folder_is_an_error_not_an_empty_board(capsys):
    Path("leaderboards").mkdir()
    Path("leaderboards/README.md").write_text("# mine\n")
    assert main(["leaderboard"]) == 2
    _one_error_line(capsys, "leaderboards/results: no such result file or folder", "--runs")
    assert [p.name for p in Path("leaderboards").iterdir()] == ["README.md"]
