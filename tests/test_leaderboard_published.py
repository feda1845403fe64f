"""Published reference rows on the leaderboard: read from references/, labelled and cited,
task averages shown as such, heat maps within one publication, uncited numbers refused."""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path

import pytest

from harness.cli import main
from harness.leaderboard import transfer_matrix
from harness.reporting.sources import read_sources, short_citation

REPO = Path(__file__).resolve().parent.parent
PHANG = json.loads((REPO / "references" / "phang2020.json").read_text())
HU = json.loads((REPO / "references" / "xtreme2020-xlmr.json").read_text())
HU_LABEL = "published · Hu et al. 2020 via mT5 README"
PHANG_LABEL = "published · Phang et al. 2020 via mT5 README"


@pytest.fixture(autouse=True)
def _in_tmp(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    Path("leaderboards/results").mkdir(parents=True)  # no results of our own unless written


def _write(folder: str, name: str, document: dict) -> Path:
    path = Path(folder) / f"{name}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(document))
    return path


def _sample() -> dict:
    record = {
        "suite": "xtreme-zs", "model": "m", "intermediate": None, "target": "xnli",
        "role": "target", "language": "en", "split": "test", "metric": "accuracy",
        "value": 40.0, "main": True, "seed": 0, "run_id": "r1", "n_examples": 10,
        "data": "sample",
    }  # fmt: skip
    run = {
        "run_id": "r1", "created": "2026-01-01T00:00:00+00:00", "preset": None, "seeds": [0],
        "hparams": {}, "packages": {"harness": "0.1.0"},
    }  # fmt: skip
    provenance = {
        "kind": "run", "harness": "0.1.0", "suite": "xtreme-zs",
        "model": {"name": "m", "source": "org/m", "fingerprint": None},
        "data": {"source": "sample", "files": []}, "runs": [run],
    }  # fmt: skip
    return {"format": "harness.submission/1", "provenance": provenance, "records": [record]}


def _readme() -> str:
    return re.sub(" +", " ", Path("leaderboards/README.md").read_text())


def test_short_citation_names_authors_year_and_where_read():
    assert short_citation(HU["provenance"]["reference"]) == "Hu et al. 2020 via mT5 README"
    assert short_citation("Hu et al. (2020), Table 2") == "Hu et al. 2020"


def test_leaderboard_reads_references_and_cites_every_published_row(capsys):
    _write("leaderboards/results", "sample", _sample())
    _write("references", "phang2020", PHANG)
    _write("references", "xtreme2020-xlmr", HU)
    assert main(["leaderboard", "--no-html"]) == 0
    readme = _readme()
    published = readme.split("— published reference scores")[2].split("— sample data")[0]
    assert f"| xlm-roberta-large | x-stilts | {PHANG_LABEL} |" in published
    assert f"| xlm-roberta-large | none | {HU_LABEL} |" in published
    sources = re.findall(r"^- Source: (.*)$", published, flags=re.M)
    assert len(sources) == 2  # one per published row, with the full source and its address
    assert any(s.startswith(f"xlm-roberta-large, x-stilts, {PHANG_LABEL}: Phang") for s in sources)
    assert all("multilingual-t5/blob/" in s and "row " in s for s in sources)
    assert "40.00" not in published  # sample rows keep their own table
    assert "Hu et al." not in readme.split("— sample data")[1].split("## Per target")[0]

    assert main(["leaderboard", "--no-html", "--no-references"]) == 0
    assert "Phang" not in _readme() and not Path("leaderboards/mlqa.md").exists()
    assert main(["leaderboard", "--references", "nowhere"]) == 2
    assert "nowhere: no such result file or folder" in capsys.readouterr().err


def test_published_average_is_an_avg_cell_not_a_partial_score():
    _write("references", "phang2020", PHANG)
    assert main(["leaderboard", "--no-html"]) == 0
    xnli = re.sub(" +", " ", Path("leaderboards/xnli.md").read_text())
    header = next(line for line in xnli.splitlines() if line.startswith("| model"))
    assert header.split("|")[-2].strip() == "avg" and "| all |" not in header
    assert f"| xlm-roberta-large | x-stilts | {PHANG_LABEL} | test | accuracy | 80.40 ‡ |" in xnli
    assert "the publication gives only this task average" in xnli
    xtreme = _readme().split("## XTREME score")[1].split("## ")[0]
    assert "80.40 ‡" in xtreme and "†" not in xtreme
    assert "XTREME |" not in xtreme  # averages never make a group or overall score


def test_heat_map_compares_a_publication_only_with_itself():
    _write("references", "phang2020", PHANG)
    _write("references", "xtreme2020-xlmr", HU)
    found = read_sources(results=[Path("references")])
    assert transfer_matrix(found.records) == {}  # Phang's row has no Phang baseline
    assert main(["leaderboard"]) == 0
    assert not list(Path("leaderboards/figures").glob("transfer-*.png"))
    note = f"xlm-roberta-large, intermediate x-stilts, {PHANG_LABEL}: no heat-map cell"
    assert note in _readme().split("## Heat maps")[1]
    assert note in Path("leaderboards/index.html").read_text()

    own = copy.deepcopy(PHANG)  # the same publication with its own baseline row
    for record in PHANG["records"]:
        own["records"].append(record | {"intermediate": None, "value": record["value"] - 1})
    _write("references", "phang2020", own)
    matrix = transfer_matrix(read_sources(results=[Path("references")]).records)
    inters, targets, values = matrix[("xlm-roberta-large", PHANG_LABEL)]
    assert inters == ["x-stilts"] and len(targets) == 6
    assert values == [[pytest.approx(1.0)] * 6]


def test_uncited_published_number_is_refused_in_one_line(capsys):
    uncited = copy.deepcopy(PHANG)
    uncited["records"][0]["run_id"] = "elsewhere"
    _write("references", "phang2020", uncited)
    assert main(["leaderboard"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("error: references/phang2020.json: ")
    assert "'elsewhere' names none of provenance/sources" in err
    assert not Path("leaderboards/README.md").exists()
