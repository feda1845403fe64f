"""Resume, sharding and intermediate data in other languages, on the tiny model."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from harness.cli import main
from harness.leaderboard import collect
from harness.validation import errors

# Killed (os._exit: no cleanup, like SIGKILL or a pre-empted node) at the second training
# step of the PAWS-X phase, after the MNLI intermediate and the XNLI phase have finished
# and after PAWS-X's first epoch checkpoint was written.
KILLER = textwrap.dedent(
    """
    import os, sys
    import lightning as L
    from harness.registry import load_registry
    from harness.runner import RunConfig, Runner

    class Kill(L.Callback):
        def on_train_batch_end(self, trainer, module, outputs, batch, batch_idx):
            if module.task.name == "pawsx" and trainer.current_epoch == 1:
                os._exit(137)

    config = RunConfig(
        model=sys.argv[1], targets=["xnli", "pawsx"], intermediates=["mnli"], languages=["en"], run_id="r",
        hparams={"epochs": 2, "max_train_examples": 32}, progress=False, callbacks=[Kill()],
    )
    Runner(load_registry(), config).run()
    """
)
ARGS = [
    "--intermediate",
    "mnli",
    "--languages",
    "en",
    "--epochs",
    "2",
    "--targets",
    "xnli",
    "pawsx",
]
ARGS += ["--max-train-examples", "32", "--run-id", "r", "--no-progress"]


def test_killed_run_resumes_without_recomputing_finished_phases(tiny_model, capsys):
    killed = subprocess.run(
        [sys.executable, "-c", KILLER, str(tiny_model)], capture_output=True, text=True
    )
    assert killed.returncode == 137, killed.stderr[-2000:]
    run = Path("runs/r")
    manifest = json.loads((run / "run.json").read_text())
    assert manifest["status"] == "running"  # killed: nobody wrote "failed"
    assert manifest["completed"] == ["seed0/intermediate/mnli", "seed0/mnli/xnli"]
    before = json.loads((run / "results.json").read_text())["records"]
    assert {r["target"] for r in before} == {"mnli", "xnli"}
    assert list((run / "state").glob("*pawsx*/last.ckpt"))  # epoch 1 of PAWS-X was saved

    code = main(["run", "--model", str(tiny_model), *ARGS])
    err = capsys.readouterr().err
    assert code == 0, err
    assert "resuming run r: 2 finished phases are kept" in err
    assert "mnli (finished earlier, reused)" in err
    assert "target phase: xnli" not in err  # not recomputed
    assert "resuming pawsx from" in err  # the interrupted phase continues from its checkpoint
    document = json.loads((run / "results.json").read_text())
    assert errors(document, "results") == []
    after = document["records"]
    assert after[: len(before)] == before  # nothing lost, nothing rewritten
    assert {(r["target"], r["split"]) for r in after if r["target"] == "pawsx"} == {
        ("pawsx", "dev"),
        ("pawsx", "test"),
    }
    assert len(after) == len({(r["target"], r["split"], r["language"]) for r in after})
    manifest = json.loads((run / "run.json").read_text())
    assert manifest["status"] == "finished" and errors(manifest, "run") == []
    assert not (run / "state").exists() or not any((run / "state").rglob("*.ckpt"))

    # a finished run re-runs in no time: every phase is skipped
    code = main(["run", "--model", str(tiny_model), *ARGS])
    err = capsys.readouterr().err
    assert code == 0 and "resuming run r: 3 finished phases" in err
    assert "target phase" not in err and "trained" not in err
    assert json.loads((run / "results.json").read_text())["records"] == after


def test_resume_refuses_another_configuration(tiny_model, capsys):
    code = main(["run", "--model", str(tiny_model), *ARGS])
    assert code == 0
    capsys.readouterr()
    code = main(["run", "--model", str(tiny_model), *ARGS, "--epochs", "3"])
    err = capsys.readouterr().err
    assert code == 2 and "run 'r' was started with another hparams" in err


def test_shards_are_disjoint_and_merge_into_one_leaderboard(tiny_model, capsys):
    common = ["--model", str(tiny_model), "--intermediate", "none", "mnli", "--languages", "en"]
    common += ["--targets", "xnli", "pawsx"]
    common += ["--epochs", "1", "--max-train-examples", "16", "--no-progress", "--run-id", "g"]
    cells = []
    for i in (1, 2, 3):
        assert main(["run", *common, "--shard", f"{i}/3"]) == 0
        records = json.loads(Path(f"runs/g-shard{i}of3/results.json").read_text())["records"]
        cells.append({(r["intermediate"], r["target"]) for r in records if r["role"] == "target"})
    assert all(cells) and sum(map(len, cells)) == len(set().union(*cells)) == 4
    merged, problems = collect([Path("runs")])
    assert not problems
    assert {(r["intermediate"], r["target"]) for r in merged if r["role"] == "target"} == {
        (i, t) for i in (None, "mnli") for t in ("xnli", "pawsx")
    }
    with pytest.raises(SystemExit) as exit_:
        main(["run", *common, "--shard", "5/4"])
    assert exit_.value.code == 2 and "expected I/N" in capsys.readouterr().err


def test_intermediate_in_another_language(tiny_model, sample_copy, capsys):
    """``mnli@fr`` trains MNLI on French data in MNLI's own format, under translated/fr/."""
    english = sample_copy / "MNLI"
    french = sample_copy / "translated" / "fr" / "MNLI"
    args = ["--model", str(tiny_model), "--intermediate", "mnli@fr", "--targets", "xnli"]
    args += ["--languages", "en", "--epochs", "1", "--data", str(sample_copy), "--no-progress"]
    code = main(["run", *args, "--run-id", "missing"])
    err = capsys.readouterr().err
    assert code == 2 and "no data in fr" in err and "translated/fr" in err
    french.mkdir(parents=True)
    for name in ("train.tsv", "dev_matched.tsv"):  # stand-in content; the format is MNLI's
        (french / name).write_text((english / name).read_text("utf-8"), "utf-8")
    assert main(["run", *args, "--run-id", "fr"]) == 0
    records = json.loads(Path("runs/fr/results.json").read_text())["records"]
    own = [r for r in records if r["role"] == "intermediate"]
    assert {(r["target"], r["language"]) for r in own} == {("mnli@fr", "fr")}
    assert {r["intermediate_language"] for r in records if r["role"] == "target"} == {"fr"}
    manifest = json.loads(Path("runs/fr/run.json").read_text())
    assert any("translated/fr/MNLI/train.tsv" in f["source"] for f in manifest["data_files"])


KILL_VALIDATING = textwrap.dedent(
    """
    import os, sys
    import lightning as L
    from harness.registry import load_registry
    from harness.runner import RunConfig, Runner

    class Kill(L.Callback):
        def on_train_batch_end(self, trainer, module, outputs, batch, batch_idx):
            if trainer.current_epoch == 1:
                os._exit(137)

    config = RunConfig(
        model=sys.argv[1], targets=["xnli"], languages=["en"], run_id="v", progress=False,
        hparams={"epochs": 3, "max_train_examples": 32, "val_every_steps": 1,
                 "early_stopping_patience": 50},
        callbacks=[Kill()],
    )
    Runner(load_registry(), config).run()
    """
)


def test_killed_validating_phase_resumes_with_its_best_weights(tiny_model, capsys):
    """Early-stopping state and the best checkpoint survive a kill, and the phase completes."""
    killed = subprocess.run(
        [sys.executable, "-c", KILL_VALIDATING, str(tiny_model)], capture_output=True, text=True
    )
    assert killed.returncode == 137, killed.stderr[-2000:]
    state = Path("runs/v/state/none-xnli-seed0")
    assert (state / "last.ckpt").exists() and (state / "best.ckpt").exists()
    args = ["run", "--model", str(tiny_model), "--targets", "xnli", "--languages", "en"]
    args += ["--epochs", "3", "--max-train-examples", "32", "--val-every-steps", "1"]
    args += ["--early-stopping-patience", "50", "--run-id", "v", "--no-progress"]
    code = main(args)
    err = capsys.readouterr().err
    assert code == 0, err
    assert "resuming xnli from" in err and "kept the" in err
    records = json.loads(Path("runs/v/results.json").read_text())["records"]
    assert {(r["split"], r["language"]) for r in records if r["main"]} == {
        ("dev", "en"),
        ("test", "en"),
    }
    assert not state.exists()  # the finished phase's checkpoints are gone
