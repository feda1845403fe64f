"""User mistakes: one clear line on stderr, exit status 2, no traceback, no half-written results."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from harness.cli import main


def assert_one_line_error(result_code: int, err: str, *needles: str) -> None:
    assert result_code == 2
    lines = [line for line in err.splitlines() if line.startswith("error:")]
    assert len(lines) == 1, err
    assert "Traceback" not in err
    for needle in needles:
        assert needle in lines[0], lines[0]


@pytest.mark.parametrize(
    ("args", "needles"),
    [
        (["--targets", "xnlii"], ["unknown task 'xnlii'", "did you mean xnli"]),
        (["--model", "nonexistent-model"], ["unknown model 'nonexistent-model'"]),
        (["--suite", "xtreme-zz"], ["unknown suite 'xtreme-zz'"]),
        (["--languages", "en", "qq"], ["unknown language 'qq'"]),
        (["--intermediate", "mnlii"], ["unknown task 'mnlii'"]),
        (["--data", "/no/such/folder"], ["--data /no/such/folder: no such folder"]),
        (["--epochs", "0"], ["epochs", "minimum"]),
    ],
)
def test_bad_names_fail_before_any_work(capsys, args, needles):
    code = main(["run", *args])
    assert_one_line_error(code, capsys.readouterr().err, *needles)
    assert not Path("runs").exists()


def test_invalid_suite_file(capsys, tmp_path):
    suite = tmp_path / "mine.json"
    suite.write_text(
        json.dumps(
            {"name": "mine", "description": "x", "targets": [], "hparams": {"batch_size": "big"}}
        )
    )
    code = main(["run", "--suite", str(suite)])
    assert_one_line_error(code, capsys.readouterr().err, "mine.json", "invalid suite file")
    suite.write_text("{not json")
    code = main(["run", "--suite", str(suite)])
    assert_one_line_error(
        code, capsys.readouterr().err, "mine.json: not valid JSON (", "at line 1, column 2)"
    )
    suite.write_text('{"name": "a\tb"}')  # json's own message stops at "... character at"
    code = main(["run", "--suite", str(suite)])
    assert_one_line_error(
        code, capsys.readouterr().err, "(Invalid control character at line 1, column 12)"
    )
    code = main(["run", "--suite", str(tmp_path / "gone.json")])
    assert_one_line_error(code, capsys.readouterr().err, "unknown suite", "gone.json")


def test_malformed_row_and_missing_file(capsys, sample_copy):
    bad = sample_copy / "xnli" / "dev-sw.tsv"
    lines = bad.read_text("utf-8").splitlines()
    lines[4] = lines[4].rsplit("\t", 1)[0] + "\tmaybe"
    bad.write_text("\n".join(lines) + "\n", "utf-8")
    code = main(["run", "--data", str(sample_copy), "--targets", "xnli"])
    assert_one_line_error(code, capsys.readouterr().err, "dev-sw.tsv:5: unknown label 'maybe'")
    (sample_copy / "pawsx" / "test-ko.tsv").unlink()
    code = main(["run", "--data", str(sample_copy), "--targets", "pawsx"])
    assert_one_line_error(code, capsys.readouterr().err, "missing data file", "pawsx/test-ko.tsv")
    assert not Path("runs").exists()  # checked before anything was written


def test_plugin_raising_at_import_via_subprocess(monkeypatch, harness_cli):
    monkeypatch.setenv("HARNESS_PLUGINS", "no_such_plugin_module")
    result = harness_cli("run", "--targets", "toy-sentiment", timeout=300)
    assert_one_line_error(
        result.returncode,
        result.stderr,
        "unknown task 'toy-sentiment'",
        "plugins that failed to load: no_such_plugin_module",
    )
    assert "warning: plugin 'no_such_plugin_module'" in result.stderr


def test_failure_mid_run_keeps_earlier_results(capsys, tiny_model, sample_copy, monkeypatch):
    """A phase that fails after another finished leaves the finished phase's valid records."""
    from harness.registry import Registry

    original = Registry.evaluator

    def broken_for_pawsx(self, name):
        import inspect

        frame = inspect.currentframe().f_back
        if frame.f_locals.get("task") is not None and frame.f_locals["task"].name == "pawsx":
            from harness.errors import HarnessError

            raise HarnessError("pawsx scorer exploded")
        return original(self, name)

    monkeypatch.setattr(Registry, "evaluator", broken_for_pawsx)
    code = main(
        [
            "run",
            "--model",
            str(tiny_model),
            "--data",
            str(sample_copy),
            "--run-id",
            "r",
            "--languages",
            "en",
            "--epochs",
            "1",
            "--no-progress",
        ]
    )
    assert_one_line_error(code, capsys.readouterr().err, "pawsx scorer exploded")
    results = json.loads(Path("runs/r/results.json").read_text())
    assert {r["target"] for r in results["records"]} == {"xnli"}
    manifest = json.loads(Path("runs/r/run.json").read_text())
    assert manifest["status"] == "failed" and "exploded" in manifest["error"]
    assert not list(Path("runs/r").glob(".*.tmp"))


@pytest.mark.parametrize(
    ("setting", "needles"),
    [
        ("xnli.nope=1", ["--set xnli.nope", "has no setting 'nope'"]),
        ("xnli-doc_stride=1", ["expected TASK.KEY=VALUE"]),
        ("mnli.x=1", ["task 'mnli' is not part of this run"]),
    ],
)
def test_bad_task_settings(capsys, setting, needles):
    code = main(["run", "--targets", "xnli", "--set", setting])
    assert_one_line_error(code, capsys.readouterr().err, *needles)
    assert not Path("runs").exists()
