"""``harness score`` scores every registered task that reads submissions, not only XTREME's.

A third-party plugin, registered in-process as a user's package would be through its entry
point: an XCOPA-like multiple-choice target in 11 languages with its own ``.lst`` files and
``read_submission``. Its folder is scored beside (or without) the nine XTREME tasks, whose
XTREME score stays what evaluate.py gives; a plugin suite's ``scoring`` section makes a
benchmark score of its own; ``harness export`` copies the plugin task's files too.
"""

from __future__ import annotations

import dataclasses
import json
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest
from test_scoring import EchoTask, average, build_xtreme_submission, write

import harness
from harness.cli import main
from harness.registry import load_registry
from harness.scoring import export_submission, read_line_pairs, score_folders, write_lines

XCOPA_LANGUAGES = ("et", "ht", "id", "it", "qu", "sw", "ta", "th", "tr", "vi", "zh")


@dataclass(frozen=True, kw_only=True)
class XcopaLike(EchoTask):
    """Choose the more plausible of two alternatives; one choice (0 or 1) per line.

    Only the submission side matters here: the data and model methods are the echo task's
    stubs (a real plugin subclasses ``harness.Task`` and implements them).
    """

    name: str = "mycopa"
    description: str = "XCOPA-like causal commonsense reasoning (test only)"
    head: str = "multiple-choice"
    languages: tuple[str, ...] = XCOPA_LANGUAGES
    evaluator: str = "accuracy"
    main_metric: str = "accuracy"
    roles: tuple[str, ...] = ("target",)
    eval_splits: tuple[str, ...] = ("test",)
    prediction_suffix: str = ".lst"

    def write_predictions(self, path, predictions):
        write_lines(path, predictions)

    def read_submission(self, predictions: Path, labels: Path, language: str):
        preds, gold = read_line_pairs(predictions, labels, "write one choice (0 or 1) per line")
        for n, value in enumerate(preds, 1):
            if value not in ("0", "1"):
                raise harness.HarnessError(
                    f"{predictions}:{n}: expected choice 0 or 1, found {value!r}"
                )
        return preds, gold


@dataclass(frozen=True, kw_only=True)
class NoReader(XcopaLike):
    """A task whose plugin writes submissions but cannot read them back."""

    name: str = "noreader"

    read_submission = harness.Task.read_submission


class XcopaPlugin:
    @harness.hookimpl
    def register_tasks(self, register):
        register(XcopaLike())
        register(NoReader())


@pytest.fixture(scope="module")
def registry():
    return load_registry([XcopaPlugin()])


def xcopa_folders(root: Path, languages=XCOPA_LANGUAGES) -> dict[str, dict[str, float]]:
    """Prediction and label files for the plugin task, and the accuracy of each (k of n right,
    as evaluate.py computes it: correct / n * 100)."""
    expected = {}
    for i, lg in enumerate(languages):
        n = 3 + i % 4
        gold = [str((i + j) % 2) for j in range(n)]
        right = 1 + i % n
        pred = gold[:right] + [str(1 - int(g)) for g in gold[right:]]
        write_lines(root / "pred" / "mycopa" / f"test-{lg}.lst", pred)
        write_lines(root / "gold" / "mycopa" / f"test-{lg}.lst", gold)
        expected[lg] = {"accuracy": float(right) / n * 100}
    return expected


def summary_rows(out: str) -> dict[str, list[str]]:
    """The summary table of ``harness score``: task (or "(group)"...) -> its cells."""
    table = out.split("Summary\n")[1].splitlines()[2:]
    cells = [re.split(r"\s{2,}", line.strip()) for line in table]
    return {row[1]: row for row in cells}


def test_plugin_task_is_scored_by_harness_score(tmp_path, capsys):
    expected = xcopa_folders(tmp_path)
    args = ["score", "--predictions", str(tmp_path / "pred"), "--labels", str(tmp_path / "gold")]
    assert main([*args, "--json"], plugins=[XcopaPlugin()]) == 0
    captured = capsys.readouterr()
    assert "mycopa" not in captured.err  # not "skipped mycopa: not an XTREME task"
    doc = json.loads(captured.out)
    assert doc["tasks"] == {"mycopa": expected}
    assert list(doc["tasks"]["mycopa"]) == list(XCOPA_LANGUAGES)  # the task's language order
    mean = average([expected[lg]["accuracy"] for lg in XCOPA_LANGUAGES])
    assert doc["averages"]["mycopa"] == {"accuracy": mean, "metric": mean}
    assert doc["groups"] == {} and doc["overall"] is None and doc["skipped"] == []
    assert main(args, plugins=[XcopaPlugin()]) == 0
    out = capsys.readouterr().out
    assert "mycopa (score" in out
    assert summary_rows(out)["mycopa"] == ["other", "mycopa", f"{mean:.2f}", f"accuracy {mean:.2f}"]
    assert summary_rows(out)["(overall)"][2] == "– (needs all 9 of its tasks)"


def test_plugin_task_beside_xtreme_leaves_the_xtreme_score_as_evaluate_py(tmp_path, registry):
    preds, labels, _ = build_xtreme_submission(tmp_path / "xtreme")
    alone = score_folders(preds, labels, registry)
    expected = xcopa_folders(tmp_path)
    shutil.copytree(tmp_path / "pred" / "mycopa", preds / "mycopa")
    shutil.copytree(tmp_path / "gold" / "mycopa", labels / "mycopa")
    both = score_folders(preds, labels, registry)
    assert both.tasks["mycopa"].languages == expected
    assert list(both.tasks) == [*alone.tasks, "mycopa"]  # XTREME's order, then the others
    for name, ts in alone.tasks.items():
        assert both.tasks[name].averages == ts.averages
    assert both.overall is not None and both.overall == alone.overall  # nine tasks, not ten
    assert both.groups == alone.groups and "mycopa" not in str(both.groups)


def test_missing_or_bad_plugin_files_are_one_line_errors(tmp_path, capsys):
    xcopa_folders(tmp_path)
    args = ["score", "--predictions", str(tmp_path / "pred"), "--labels", str(tmp_path / "gold")]
    missing = tmp_path / "pred" / "mycopa" / "test-qu.lst"
    missing.unlink()
    assert main(args, plugins=[XcopaPlugin()]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"error: missing prediction file {missing}") and err.count("\n") == 1
    assert "mycopa: et, ht, id, it, qu, sw" in err  # the languages a submission needs
    write(missing, "0\n2\n1\n")
    assert main(args, plugins=[XcopaPlugin()]) == 2
    err = capsys.readouterr().err
    assert err == f"error: {missing}:2: expected choice 0 or 1, found '2'\n"


def test_folders_no_task_can_read_are_skipped_with_the_reason(tmp_path, registry):
    expected = xcopa_folders(tmp_path)
    for side in ("pred", "gold"):
        write(tmp_path / side / "noreader" / "test-et.lst", "0\n")
        write(tmp_path / side / "mystery" / "test-et.tsv", "0\n")
    write(tmp_path / "gold" / "hellaswag" / "test-en.lst", "0\n")
    report = score_folders(tmp_path / "pred", tmp_path / "gold", registry)
    assert report.to_json()["tasks"] == {"mycopa": expected}
    assert report.skipped == [
        "hellaswag: labels without a prediction folder",
        "noreader: task 'noreader' cannot read submission files (its plugin does not "
        "implement read_submission)",
        "mystery: not an XTREME task",
    ]


def test_a_plugin_suite_defines_its_own_benchmark_score(tmp_path, capsys, registry):
    """Languages (which, in which order), metrics, groups and the overall score come from
    the suite's scoring section; tasks outside it are still scored, but count in nothing."""
    expected = xcopa_folders(tmp_path)
    for lg, gold in (("de", "1\n0\n0\n1\n"), ("en", "1\n1\n")):
        write(tmp_path / "pred" / "pawsx" / f"test-{lg}.tsv", "1\n1\n1\n1\n"[: len(gold)])
        write(tmp_path / "gold" / "pawsx" / f"test-{lg}.tsv", gold)
    for lg in registry.task("xnli").languages:  # not in the suite's scoring: all its languages
        write(tmp_path / "pred" / "xnli" / f"test-{lg}.tsv", "neutral\n")
        write(tmp_path / "gold" / "xnli" / f"test-{lg}.tsv", "neutral\n")
    chosen = ["zh", "et", "sw"]
    suite = {
        "name": "mini",
        "description": "A two-task benchmark",
        "targets": ["mycopa", "pawsx"],
        "scoring": {
            "name": "MINI",
            "tasks": [
                {"task": "mycopa", "languages": chosen},
                {"task": "pawsx", "languages": ["en", "de"], "metrics": ["accuracy"]},
            ],
            "groups": [{"name": "reasoning", "title": "Reasoning", "tasks": ["mycopa"]}],
        },
    }
    path = write(tmp_path / "mini.json", json.dumps(suite))
    report = score_folders(tmp_path / "pred", tmp_path / "gold", registry, str(path))
    assert list(report.tasks) == ["mycopa", "pawsx", "xnli"]
    assert report.tasks["xnli"].score == 100.0
    assert report.tasks["mycopa"].languages == {lg: expected[lg] for lg in chosen}
    assert list(report.tasks["mycopa"].languages) == chosen
    mycopa = average([expected[lg]["accuracy"] for lg in chosen])
    pawsx = average([100.0, 2 / 4 * 100])
    assert report.tasks["mycopa"].score == mycopa and report.tasks["pawsx"].score == pawsx
    assert report.groups == {"reasoning": mycopa}
    assert report.overall == average([mycopa, pawsx])
    with pytest.raises(harness.HarnessError, match=r"missing prediction file .*pawsx/test-es.tsv"):
        score_folders(tmp_path / "pred", tmp_path / "gold", registry)  # xtreme-zs: 7 languages
    code = main(
        ["score", "--predictions", str(tmp_path / "pred"), "--labels", str(tmp_path / "gold"),
         "--suite", str(path)],
        plugins=[XcopaPlugin()],
    )  # fmt: skip
    assert code == 0
    out = capsys.readouterr().out
    rows = summary_rows(out)
    assert rows["xnli"][:3] == ["other", "xnli", "100.00"]
    assert rows["mycopa"][:3] == ["Reasoning", "mycopa", f"{mycopa:.2f}"]
    assert rows["pawsx"][:3] == ["MINI", "pawsx", f"{pawsx:.2f}"]  # in the scoring, no group
    assert rows["(group)"] == ["Reasoning", "(group)", f"{mycopa:.2f}"]
    assert rows["(overall)"] == ["MINI", "(overall)", f"{average([mycopa, pawsx]):.2f}"]


def test_a_scoring_group_must_name_listed_tasks(tmp_path, capsys):
    suite = {
        "name": "broken",
        "description": "d",
        "targets": ["mycopa"],
        "scoring": {
            "name": "B",
            "tasks": [{"task": "mycopa", "languages": ["et"]}],
            "groups": [{"name": "g", "title": "G", "tasks": ["mycopa", "copa"]}],
        },
    }
    path = write(tmp_path / "broken.json", json.dumps(suite))
    (tmp_path / "p").mkdir()
    (tmp_path / "l").mkdir()
    args = ["score", "--predictions", str(tmp_path / "p"), "--labels", str(tmp_path / "l")]
    assert main([*args, "--suite", str(path)], plugins=[XcopaPlugin()]) == 2
    err = capsys.readouterr().err
    assert err == (
        f"error: {path}: scoring group 'g' names copa, which scoring.tasks does not list; "
        "add them there or remove them from the group\n"
    )


def test_export_copies_plugin_task_files_and_notes_its_missing_languages(tmp_path, registry):
    expected = xcopa_folders(tmp_path)
    run = tmp_path / "runs" / "r1"
    source = run / "predictions" / "none" / "seed0"
    shutil.copytree(tmp_path / "pred" / "mycopa", source / "mycopa")
    (source / "mycopa" / "test-vi.lst").unlink()
    write(source / "mycopa" / "dev-et.lst", "0\n")  # not a test file
    write(source / "mycopa" / "test-et.tsv", "0\n")  # not the task's suffix
    written, notes = export_submission(run, tmp_path / "sub", registry=registry)
    assert sorted(p.name for p in written) == sorted(
        f"test-{lg}.lst" for lg in XCOPA_LANGUAGES if lg != "vi"
    )
    assert notes == [
        "mycopa: no predictions for vi; `harness score` (as XTREME's evaluate.py) needs every "
        "language of a task"
    ]
    shutil.copy(tmp_path / "pred" / "mycopa" / "test-vi.lst", source / "mycopa")
    written, notes = export_submission(run, tmp_path / "sub", registry=registry)
    assert len(written) == len(XCOPA_LANGUAGES) and notes == []
    report = score_folders(tmp_path / "sub", tmp_path / "gold", registry)
    assert report.to_json()["tasks"] == {"mycopa": expected}


def test_the_multiple_choice_family_reads_its_submissions(tmp_path):
    """A multilingual target built from the built-in multiple-choice family is scored from
    its ``.lst`` files with no read_submission of its own."""
    base = load_registry().task("commonsenseqa")
    task = dataclasses.replace(
        base, name="xmc", languages=("de", "en"), roles=("target",), eval_splits=("test",)
    )

    class Plugin:
        @harness.hookimpl
        def register_tasks(self, register):
            register(task)

    for lg, pred, gold in (("de", "A B C", "A B E"), ("en", "D", "D")):
        task.write_predictions(tmp_path / "pred" / "xmc" / f"test-{lg}.lst", pred.split())
        write_lines(tmp_path / "gold" / "xmc" / f"test-{lg}.lst", gold.split())
    assert (tmp_path / "pred" / "xmc" / "test-de.lst").read_text() == "A\nB\nC\n"
    report = score_folders(tmp_path / "pred", tmp_path / "gold", load_registry([Plugin()]))
    de, en = 2 / 3 * 100, 100.0
    assert report.to_json()["tasks"] == {"xmc": {"de": {"accuracy": de}, "en": {"accuracy": en}}}
    assert report.tasks["xmc"].score == average([de, en])
    write_lines(tmp_path / "pred" / "xmc" / "test-en.lst", ["D", "A"])
    with pytest.raises(harness.HarnessError) as info:
        score_folders(tmp_path / "pred", tmp_path / "gold", load_registry([Plugin()]))
    assert str(info.value) == (
        f"{tmp_path / 'pred' / 'xmc' / 'test-en.lst'}: 2 predictions for 1 labels in "
        f"{tmp_path / 'gold' / 'xmc' / 'test-en.lst'}; write one choice key per line, in "
        "test-set order"
    )


def test_without_a_suite_scoring_tasks_are_scored_alone(tmp_path, registry):
    from harness.scoring import format_report

    expected = xcopa_folders(tmp_path)
    report = score_folders(tmp_path / "pred", tmp_path / "gold", registry, suite=None)
    assert report.to_json()["tasks"] == {"mycopa": expected}
    assert report.groups == {} and report.overall is None and report.scoring is None
    rows = summary_rows(format_report(report))
    assert list(rows) == ["mycopa"] and rows["mycopa"][0] == "other"
