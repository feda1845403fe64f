"""Leaderboards come from result records alone: idempotent, seeds aggregated, invalid files skipped."""

from __future__ import annotations

import json
import re
import statistics
from pathlib import Path

from harness.cli import main
from harness.results import RunDir


def record(**kw):
    base = {
        "suite": "xtreme-zs",
        "model": "minilm",
        "intermediate": None,
        "target": "xnli",
        "role": "target",
        "language": "en",
        "split": "test",
        "metric": "accuracy",
        "value": 50.0,
        "main": True,
        "seed": 0,
        "run_id": "r1",
        "n_examples": 10,
        "data": "sample",
    }
    return {**base, **kw}


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def test_regenerate_from_records(capsys):
    run = RunDir(Path("runs"), "r1")
    run.add_records(
        [
            record(language="en", value=80.0),
            record(language="de", value=40.0),
            record(language="en", value=70.0, seed=1),
            record(language="de", value=50.0, seed=1),
            record(intermediate="mnli", language="en", value=90.0),
            record(intermediate="mnli", language="de", value=60.0),
            record(target="mnli", role="intermediate", split="dev", value=77.0),
            record(language="en", value=12.5, data="/data/xtreme"),  # real data: its own row
        ]
    )
    Path("runs/broken").mkdir()
    Path("runs/broken/results.json").write_text(
        json.dumps({"format": "harness.results/1", "run_id": "b", "records": [{"x": 1}]})
    )
    assert main(["leaderboard", "--runs", "runs"]) == 0
    captured = capsys.readouterr()
    assert "skipped invalid results: runs/broken/results.json" in captured.err
    readme = re.sub(" +", " ", Path("leaderboards/README.md").read_text())
    avg = [statistics.mean([80, 40]), statistics.mean([70, 50])]
    expected = f"{statistics.mean(avg):.2f} ± {statistics.stdev(avg):.2f} (n=2)"
    assert expected in readme  # mean ± std over seeds of per-seed language averages
    assert "| minilm | mnli | sample | 75.00" in readme
    assert "77.00" in readme  # the intermediate task's own score
    assert "| minilm | none | /data/xtreme | 12.50" in readme
    xnli = Path("leaderboards/xnli.md").read_text()
    assert "75.00 ± 7.07 (n=2)" in xnli  # en over two seeds
    before = _snapshot(Path("leaderboards"))
    assert main(["leaderboard", "--runs", "runs"]) == 0
    assert before == _snapshot(Path("leaderboards"))  # byte-identical, PNGs included


def test_invalid_record_is_never_written(tmp_path):
    import pytest

    from harness.errors import HarnessError

    run = RunDir(tmp_path, "r")
    run.add_records([record()])
    with pytest.raises(HarnessError, match="invalid results file"):
        run.add_records([record(value="high")])
    assert len(json.loads(run.results_file.read_text())["records"]) == 1


def _xtreme_records(seed: int, skip: tuple[str, str] | None = None) -> list[dict]:
    """Test-split records for all nine XTREME tasks and languages, every metric."""
    from harness.scoring import GROUPS, XTREME_LANGUAGES

    out = []
    for t, langs in XTREME_LANGUAGES.items():
        if t in GROUPS["qa"]:
            metrics = {"exact_match": False, "f1": True}
        elif t in ("panx", "udpos", "bucc2018"):
            metrics = {"f1": True, "precision": False, "recall": False}
        else:
            metrics = {"accuracy": True}
        for i, lg in enumerate(langs):
            if (t, lg) == skip:
                continue
            for j, (metric, main_) in enumerate(metrics.items()):
                value = 100 / 3 + i * 100 / 7 + j * 5 + seed
                out.append(
                    record(target=t, language=lg, metric=metric, main=main_, seed=seed, value=value)
                )
    return out


def test_xtreme_summary_matches_score_definition():
    from harness.scoring import GROUPS, XTREME_TASKS, group_scores, overall_score, task_score

    records = _xtreme_records(0) + _xtreme_records(1)
    records += [record(intermediate="mnli", **{k: r[k] for k in r if k != "intermediate"})
                for r in _xtreme_records(0, skip=("panx", "yo"))]  # fmt: skip
    RunDir(Path("runs"), "r1").add_records(records)
    assert main(["leaderboard", "--runs", "runs", "--no-html"]) == 0
    assert (
        not Path("leaderboards/index.html").exists() and not Path("leaderboards/figures").exists()
    )
    readme = Path("leaderboards/README.md").read_text()
    section = readme.split("## XTREME score")[1].split("## ")[0]
    header, _, *rows = [line for line in section.splitlines() if line.startswith("|")]
    assert [c.strip() for c in header.strip("|").split("|")] == [
        "model", "intermediate", "data", *XTREME_TASKS, *GROUPS, "XTREME"
    ]  # fmt: skip
    cells = {r.split("|")[2].strip(): [c.strip() for c in r.strip("|").split("|")] for r in rows}

    def scores(seed):
        per_task = {}
        for t in XTREME_TASKS:
            per_language = {}
            for r in _xtreme_records(seed):
                if r["target"] == t:
                    per_language.setdefault(r["language"], {})[r["metric"]] = r["value"]
            per_task[t] = task_score(t, per_language).score
        return per_task, group_scores(per_task), overall_score(per_task)

    def mean_std(values):  # two seeds
        return f"{statistics.mean(values):.2f} ± {statistics.stdev(values):.2f} (n=2)"

    (t0, g0, o0), (t1, g1, o1) = scores(0), scores(1)
    baseline = cells["none"]
    for k, t in enumerate(XTREME_TASKS):
        assert baseline[3 + k] == mean_std([t0[t], t1[t]])
    for k, g in enumerate(GROUPS):
        assert baseline[3 + len(XTREME_TASKS) + k] == mean_std([g0[g], g1[g]])
    assert baseline[-1] == mean_std([o0, o1]) and "(n=2)" in baseline[-1]
    # one language missing: that task is marked partial and leaves its group and XTREME empty
    mnli = cells["mnli"]
    assert mnli[3 + XTREME_TASKS.index("panx")].endswith("†")
    assert mnli[3 + len(XTREME_TASKS) + list(GROUPS).index("structured_prediction")] == "–"
    assert mnli[3 + len(XTREME_TASKS)] == f"{g0['classification']:.2f}"
    assert mnli[-1] == "–"


def test_stale_generated_files_are_removed_and_hand_written_kept():
    RunDir(Path("runs"), "r1").add_records([record(), record(target="pawsx", value=60.0)])
    assert main(["leaderboard", "--runs", "runs"]) == 0
    assert Path("leaderboards/pawsx.md").exists() and Path("leaderboards/index.html").exists()
    pngs = sorted(p.name for p in Path("leaderboards/figures").iterdir())
    assert pngs == ["languages-minilm-none-sample.png"]
    Path("leaderboards/NOTES.md").write_text("# my notes\n")
    Path("runs/r1/results.json").unlink()
    RunDir(Path("runs"), "r2").add_records([record(run_id="r2")])
    assert main(["leaderboard", "--runs", "runs"]) == 0
    assert not Path("leaderboards/pawsx.md").exists()  # no pawsx records any more
    assert Path("leaderboards/NOTES.md").read_text() == "# my notes\n"
    assert Path("leaderboards/xnli.md").exists()


def test_language_metadata_covers_every_xtreme_language():
    from harness.languages import by_resource, class_name, language, languages
    from harness.scoring import XTREME_LANGUAGES
    from harness.validation import errors

    every = set().union(*XTREME_LANGUAGES.values())
    assert every <= set(languages()) and len(every) == 40
    doc = json.loads((Path(__file__).parent.parent / "harness" / "languages.json").read_text())
    assert errors(doc, "languages") == []
    assert errors({**doc, "languages": [{**doc["languages"][0], "resource_class": 6}]}, "languages")
    # spot checks against Joshi et al. (2020) lang2tax.txt
    assert {c: language(c).resource_class for c in ("en", "ru", "id", "sw", "yo", "jv", "te")} == {
        "en": 5, "ru": 4, "id": 3, "sw": 2, "yo": 2, "jv": 1, "te": 1
    }  # fmt: skip
    assert language("zh").joshi_name == "mandarin" and language("zh").script == "Hans"
    assert class_name(0) == "The Left-Behinds" and class_name(5) == "The Winners"
    assert by_resource(["jv", "xx", "de", "sw", "en"]) == ["de", "en", "sw", "jv", "xx"]


def test_rows_trained_off_their_protocols_batch_stand_apart():
    """A run whose global batch differs from its protocol's (a --batch-size flag over a
    preset) never averages with runs that kept it, and its row says so."""

    def batch(global_batch: int, world: int) -> dict[str, int]:
        return {
            "global_batch": global_batch,
            "per_device_batch": global_batch // (8 * world) or 1,
            "accumulation": 8 if global_batch >= 8 * world else 1,
            "world_size": world,
            "protocol_batch": 32,
        }

    run = RunDir(Path("runs"), "r1")
    run.add_records(
        [
            record(value=80.0, batch=batch(32, 1)),
            record(value=70.0, seed=1, batch=batch(32, 8)),  # other hardware, same protocol
            record(value=10.0, seed=2, batch=batch(256, 8)),  # 8 GPUs x the old per-device rule
        ]
    )
    assert main(["leaderboard", "--runs", "runs"]) == 0
    table = re.sub(" +", " ", Path("leaderboards/xnli.md").read_text())
    assert "| sample | test | accuracy | 75.00 ± 7.07 (n=2) |" in table, table
    assert "| sample (batch 256, protocol 32) | test | accuracy | 10.00 |" in table, table
