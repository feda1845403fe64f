"""Hostile run-level input and faults (issue 14): non-finite numbers, unsafe run ids, bad
output folders, repeated names, concurrent runs, damaged checkpoints, stale temporary
files, lost results or encoders, SIGTERM and Ctrl-C.

Every refusal: exit status 2, one ``error:`` line naming the culprit, no traceback, and
nothing written or changed on disk.
"""

from __future__ import annotations

import errno
import fcntl
import json
import math
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from harness.cli import main
from harness.errors import HarnessError
from harness.results import RunDir, atomic_write_json, atomic_write_text
from harness.validation import errors

TINY = ["--languages", "en", "--epochs", "1", "--max-train-examples", "16", "--no-progress"]


def error_lines(err: str) -> list[str]:
    """Lines carrying an error: ours start with ``error:``, argparse's with ``harness run:``."""
    return [line for line in err.splitlines() if "error:" in line]


def assert_refused(code: int, err: str, *needles: str) -> None:
    assert code == 2, err
    lines = error_lines(err)
    assert len(lines) == 1, err
    assert "Traceback" not in err
    for needle in needles:
        assert needle in lines[0], lines[0]


def run_cli(capsys, *args: str) -> tuple[int, str]:
    """``harness run ARGS`` in-process; argparse refusals exit through SystemExit."""
    try:
        code = main(["run", *args])
    except SystemExit as exit_:
        code = exit_.code
    return code, capsys.readouterr().err


def strict_json(path: Path) -> object:
    """Parse as JSON proper: NaN and Infinity are not JSON."""

    def refuse(name: str) -> None:
        raise ValueError(f"{path}: {name} is not JSON")

    return json.loads(path.read_text("utf-8"), parse_constant=refuse)


def snapshot(folder: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()
    }


# ---------------------------------------------------------------- numbers that are not numbers


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["--learning-rate", "nan"], "--learning-rate"),
        (["--learning-rate", "inf"], "--learning-rate"),
        (["--learning-rate", "-Infinity"], "--learning-rate"),
        (["--warmup-ratio", "NaN"], "--warmup-ratio"),
        (["--weight-decay", "inf"], "--weight-decay"),
        (["--set", "xnli.max_length=NaN"], "--set xnli.max_length=NaN"),
        (["--seed", "-1"], "--seed"),
        (["--seed", "0", str(2**32)], "--seed"),
        (["--num-workers", "-1"], "--num-workers"),
    ],
)
def test_non_finite_and_out_of_range_numbers_refused_at_parse_time(capsys, args, needle):
    code, err = run_cli(capsys, "--targets", "xnli", *args)
    assert_refused(code, err, needle)
    assert not Path("runs").exists()


@pytest.mark.parametrize(
    "hparams",
    [
        '"hparams": {"learning_rate": NaN}',
        '"task_hparams": {"xnli": {"weight_decay": Infinity}}',
        '"sample_hparams": {"warmup_ratio": -Infinity}',
    ],
)
def test_non_finite_hyper_parameter_in_a_suite_file(capsys, tmp_path, hparams):
    suite = tmp_path / "mine.json"
    suite.write_text(f'{{"name": "mine", "description": "x", "targets": ["xnli"], {hparams}}}')
    code, err = run_cli(capsys, "--suite", str(suite))
    field = hparams.split('"')[1]
    assert_refused(code, err, "mine.json", field, "not a finite number")
    assert not Path("runs").exists()


def test_non_finite_hyper_parameter_through_the_api():
    from harness.registry import load_registry
    from harness.runner import RunConfig, Runner

    config = RunConfig(targets=["xnli"], hparams={"learning_rate": math.inf})
    with pytest.raises(HarnessError, match="learning_rate: inf is not a finite number"):
        Runner(load_registry(), config).run()
    assert not Path("runs").exists()


def test_json_files_are_strict(tmp_path):
    """NaN is refused naming its field, and nothing is written; an old file stays."""
    target = tmp_path / "scores.json"
    atomic_write_json(target, {"ok": 1.5})
    before = target.read_bytes()
    with pytest.raises(HarnessError, match=r"scores\.json: replicates/1 is nan"):
        atomic_write_json(target, {"replicates": [1.0, float("nan")]})
    assert target.read_bytes() == before
    assert list(tmp_path.iterdir()) == [target]

    run = RunDir(tmp_path / "runs", "r")
    record = {
        "suite": "s", "model": "m", "intermediate": None, "target": "xnli", "role": "target",
        "language": "sw", "split": "test", "metric": "accuracy", "value": 50.0, "main": True,
        "seed": 0, "run_id": "r", "n_examples": 3,
    }  # fmt: skip
    run.add_records([record])
    before = run.results_file.read_bytes()
    with pytest.raises(HarnessError, match="accuracy of xnli test sw is nan"):
        run.add_records([{**record, "value": float("nan")}])
    assert run.results_file.read_bytes() == before
    assert errors({"records": [], "format": "harness.results/1", "run_id": "r"}, "results") == []
    assert any("not a finite number" in e for e in errors({**record, "value": math.inf}, "results"))


def test_nan_score_fails_the_phase_instead_of_writing_nan(tiny_model, capsys, monkeypatch):
    """An evaluator scoring NaN (e.g. on no examples) stops the run with one line naming the
    score; results.json and run.json stay strict JSON."""
    from harness.registry import Registry

    original = Registry.evaluator

    class NaNScores:
        def __init__(self, inner):
            self.inner = inner

        def score(self, predictions, references, language):
            return {**self.inner.score(predictions, references, language=language), "f1": math.nan}

    monkeypatch.setattr(Registry, "evaluator", lambda self, name: NaNScores(original(self, name)))
    args = ["--model", str(tiny_model), "--targets", "xnli", "--run-id", "n", *TINY]
    code, err = run_cli(capsys, *args)
    assert_refused(code, err, "results.json: f1 of xnli dev en is nan")
    manifest = strict_json(Path("runs/n/run.json"))
    assert manifest["status"] == "failed" and "f1 of xnli dev en is nan" in manifest["error"]
    assert not Path("runs/n/results.json").exists()


def test_failed_write_keeps_the_previous_file(tmp_path, monkeypatch):
    """A full disk while writing results: one-line error, old file intact, no temp file."""
    target = tmp_path / "results.json"
    atomic_write_text(target, "old\n")

    def full(fd):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fsync", full)
    with pytest.raises(HarnessError, match="results.json: cannot write .No space left on device"):
        atomic_write_text(target, "new\n")
    assert target.read_text() == "old\n"
    assert list(tmp_path.iterdir()) == [target]


# ---------------------------------------------------------------- run ids and output folders

BAD_IDS = ["../../x", "/abs/path", "a/b", ".", "..", "", ".hidden", "a b", "tab\there", "é"]


@pytest.mark.parametrize("run_id", BAD_IDS)
def test_unsafe_run_id_refused_on_the_command_line(capsys, run_id):
    code, err = run_cli(capsys, "--targets", "xnli", "--run-id", run_id)
    assert_refused(code, err, "--run-id", repr(run_id), "letters, digits")
    assert not Path("runs").exists() and not Path("x").exists() and not Path("../x").exists()


@pytest.mark.parametrize("run_id", [*BAD_IDS, "nul\x00byte", "new\nline", "x" * 201, None])
def test_unsafe_run_id_refused_by_the_api(tmp_path, run_id):
    with pytest.raises(HarnessError, match="run id"):
        RunDir(tmp_path / "runs", run_id)
    assert not (tmp_path / "runs").exists()


def test_unsafe_run_id_from_the_environment(capsys, monkeypatch):
    monkeypatch.setenv("HARNESS_RUN_ID", "../escaped")
    code, err = run_cli(capsys, "--targets", "xnli", "--languages", "en")
    assert_refused(code, err, "'../escaped'", "HARNESS_RUN_ID")
    assert not Path("runs").exists() and not Path("../escaped").exists()


def test_good_run_ids_pass():
    for run_id in ["r", "2024-01-01_run.2", "A-b_c.d", "x" * 200]:
        assert RunDir(Path("runs"), run_id).path == Path("runs") / run_id


@pytest.mark.parametrize("below", ["", "/deeper"])
def test_output_naming_a_file(capsys, below):
    Path("notafolder").write_text("keep me\n")
    code, err = run_cli(
        capsys, "--targets", "xnli", "--languages", "en", "--output", f"notafolder{below}"
    )
    assert_refused(code, err, "notafolder", "is a file, not a folder", "--output")
    assert Path("notafolder").read_text() == "keep me\n"


def test_run_id_naming_a_file(capsys):
    Path("runs").mkdir()
    Path("runs/r").write_text("keep me\n")
    code, err = run_cli(capsys, "--targets", "xnli", "--languages", "en", "--run-id", "r")
    assert_refused(code, err, "runs/r is a file, not a folder", "use another --run-id")
    assert Path("runs/r").read_text() == "keep me\n" and os.listdir("runs") == ["r"]


def test_output_folder_that_cannot_be_created(capsys, monkeypatch):
    original = Path.mkdir

    def refuse(self, *args, **kwargs):
        if self.name == "r":
            raise PermissionError(errno.EACCES, "Permission denied", str(self))
        return original(self, *args, **kwargs)

    monkeypatch.setattr(Path, "mkdir", refuse)
    code, err = run_cli(capsys, "--targets", "xnli", "--languages", "en", "--run-id", "r")
    assert_refused(code, err, "cannot create", "Permission denied", "--output")
    assert not Path("runs/r").exists()


# ---------------------------------------------------------------- concurrency


def test_second_process_on_a_run_id_is_refused(capsys):
    folder = Path("runs/busy")
    folder.mkdir(parents=True)
    (folder / "run.json").write_text("{}\n")  # whatever is there must stay as it is
    lock = os.open(folder / ".lock", os.O_RDWR | os.O_CREAT)
    os.write(lock, b"4242\n")
    fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)  # another harness process holds the run
    try:
        before = snapshot(folder)
        code, err = run_cli(capsys, "--targets", "xnli", "--languages", "en", "--run-id", "busy")
        assert_refused(code, err, "run 'busy' is in use by another harness process (pid 4242)")
        assert snapshot(folder) == before
    finally:
        os.close(lock)


def test_ddp_workers_do_not_take_the_lock(monkeypatch):
    """Lightning's re-launched workers run under the rank-0 process's lock."""
    import harness.runner as runner_module
    from harness.registry import load_registry
    from harness.runner import RunConfig, Runner

    folder = Path("runs/shared")
    folder.mkdir(parents=True)
    lock = os.open(folder / ".lock", os.O_RDWR | os.O_CREAT)
    fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    reached = []
    monkeypatch.setattr(runner_module, "_is_main_process", lambda: False)
    monkeypatch.setattr(Runner, "_run_locked", lambda self, plan, units, run: reached.append(run))
    try:
        config = RunConfig(targets=["xnli"], languages=["en"], run_id="shared", progress=False)
        Runner(load_registry(), config).run()
    finally:
        os.close(lock)
    assert [r.run_id for r in reached] == ["shared"]


def test_the_lock_is_released_and_a_refused_new_run_leaves_nothing(monkeypatch, capsys):
    """After a run the lock is free again; a run refused after locking removes its folder."""
    from harness.runner import Runner

    def refuse(self, plan, units, run):
        raise HarnessError("refused after locking")

    monkeypatch.setattr(Runner, "_run_locked", refuse)
    code, err = run_cli(capsys, "--targets", "xnli", "--languages", "en", "--run-id", "n")
    assert_refused(code, err, "refused after locking")
    assert not Path("runs/n").exists()
    Path("runs/n").mkdir(parents=True)
    code, err = run_cli(capsys, "--targets", "xnli", "--languages", "en", "--run-id", "n")
    assert_refused(code, err, "refused after locking")
    fd = os.open("runs/n/.lock", os.O_RDWR)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)  # free again
    finally:
        os.close(fd)


# ---------------------------------------------------------------- repeated names


def test_repeated_targets_languages_intermediates_and_seeds_run_once(tiny_model, capsys):
    code = main(
        ["run", "--model", str(tiny_model), "--run-id", "d", "--intermediate", "mnli", "mnli"]
        + ["--targets", "xnli", "xnli", "--languages", "en", "en", "--seed", "3", "3"]
        + ["--epochs", "1", "--max-train-examples", "16", "--no-progress"]
    )
    err = capsys.readouterr().err
    assert code == 0, err
    assert err.count("target phase: xnli") == 1 and err.count("intermediate phase: mnli") == 1
    records = strict_json(Path("runs/d/results.json"))["records"]
    keys = [
        (r["role"], r["target"], r["split"], r["language"], r["metric"], r["seed"]) for r in records
    ]
    assert len(keys) == len(set(keys))
    config = strict_json(Path("runs/d/run.json"))["config"]
    assert (config["targets"], config["intermediates"], config["languages"], config["seeds"]) == (
        ["xnli"],
        ["mnli"],
        ["en"],
        [3],
    )


# ---------------------------------------------------------------- damaged or missing state


def test_truncated_checkpoint_restarts_its_phase(tiny_model, capsys):
    """A last.ckpt cut short (power loss, full disk) is reported, deleted and retrained."""
    import lightning as L

    from harness.registry import load_registry
    from harness.runner import RunConfig, Runner

    class Crash(L.Callback):
        def on_train_epoch_start(self, trainer, module):
            if trainer.current_epoch == 1:  # epoch 0's last.ckpt is on disk
                raise RuntimeError("node lost")

    config = RunConfig(
        model=str(tiny_model), targets=["xnli"], languages=["en"], run_id="t", progress=False,
        hparams={"epochs": 2, "max_train_examples": 16}, callbacks=[Crash()],
    )  # fmt: skip
    with pytest.raises(RuntimeError, match="node lost"):
        Runner(load_registry(), config).run()
    last = Path("runs/t/state/none-xnli-seed0/last.ckpt")
    data = last.read_bytes()
    last.write_bytes(data[: len(data) // 2])
    capsys.readouterr()

    code, err = run_cli(
        capsys, "--model", str(tiny_model), "--targets", "xnli", "--languages", "en",
        "--epochs", "2", "--max-train-examples", "16", "--run-id", "t", "--no-progress",
    )  # fmt: skip
    assert code == 0, err
    assert "last.ckpt is damaged" in err and "starts from scratch" in err
    assert "resuming xnli from" not in err and "Traceback" not in err
    manifest = strict_json(Path("runs/t/run.json"))
    assert manifest["status"] == "finished"
    assert not last.exists()


@pytest.mark.parametrize(
    "failure",
    [
        OSError(errno.ENOSPC, "No space left on device"),
        # what torch.save really raises when the disk fills under its zip writer
        RuntimeError("[enforce fail at inline_container.cc:672] . unexpected pos 64 vs 0"),
    ],
)
def test_atomic_checkpoint_io_keeps_the_previous_checkpoint_on_a_full_disk(
    tmp_path, monkeypatch, failure
):
    import torch

    import harness.checkpoints as checkpoints
    from harness.checkpoints import AtomicCheckpointIO, checkpoint_problem

    io = AtomicCheckpointIO()
    path = tmp_path / "state" / "last.ckpt"
    io.save_checkpoint({"weights": torch.ones(64, 64), "epoch": 0}, path)
    before = path.read_bytes()
    assert checkpoint_problem(path) is None

    real_save = torch.save

    def disk_full(obj, handle):
        real_save(obj, handle)
        handle.truncate(100)  # what reached the disk
        raise failure

    monkeypatch.setattr(checkpoints.torch, "save", disk_full)
    with pytest.raises(HarnessError) as error:  # one line for the CLI, naming the file
        io.save_checkpoint({"weights": torch.zeros(64, 64), "epoch": 1}, path)
    message = str(error.value)
    assert "\n" not in message and str(path) in message and "free some disk space" in message
    assert path.read_bytes() == before  # the final name never holds half a checkpoint
    assert [p.name for p in path.parent.iterdir()] == ["last.ckpt"]
    assert torch.load(path, weights_only=True)["epoch"] == 0

    half = tmp_path / "half.ckpt"
    half.write_bytes(before[: len(before) // 2])
    assert "not a complete checkpoint" in checkpoint_problem(half)
    zeros = bytearray(before)
    zeros[len(before) // 2 : len(before) // 2 + 512] = bytes(512)  # blocks lost in a crash
    half.write_bytes(bytes(zeros))
    assert checkpoint_problem(half) is not None


def test_phase_trainers_save_checkpoints_atomically(tiny_model, monkeypatch):
    """Runner._trainer hands Lightning the atomic CheckpointIO."""
    from harness.checkpoints import AtomicCheckpointIO
    from harness.registry import load_registry
    from harness.runner import RunConfig, Runner

    seen = []
    original = Runner._trainer

    def spy(self, *args, **kwargs):
        trainer = original(self, *args, **kwargs)
        seen.append(trainer.strategy.checkpoint_io)
        return trainer

    monkeypatch.setattr(Runner, "_trainer", spy)
    config = RunConfig(
        model=str(tiny_model), targets=["xnli"], languages=["en"], run_id="a", progress=False,
        hparams={"epochs": 1, "max_train_examples": 8},
    )  # fmt: skip
    Runner(load_registry(), config).run()
    assert seen and all(isinstance(io, AtomicCheckpointIO) for io in seen)


def test_stale_temp_files_are_cleaned_on_rerun(tiny_model, capsys):
    args = ["--model", str(tiny_model), "--targets", "xnli", "--run-id", "c", *TINY]
    code, err = run_cli(capsys, *args)
    assert code == 0, err
    run = Path("runs/c")
    stale = [
        run / ".results.json.a1b2c3d4.tmp",
        run / ".run.json.x_y9z8w7.tmp",
        run / "predictions" / "none" / "seed0" / ".test-en.tsv.k3j4h5g6.tmp",
        run / "state" / "none-xnli-seed0" / ".last.ckpt.qwerty12.tmp",
    ]
    kept = [run / "notes.tmp", run / ".notes.tmp", run / ".results.json.tmp"]
    for path in stale + kept:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("half a file")
    code, err = run_cli(capsys, *args)
    assert code == 0, err
    assert "removed 4 temporary files" in err
    assert not any(p.exists() for p in stale)
    assert all(p.exists() for p in kept)


def test_deleted_results_are_recomputed(tiny_model, capsys):
    args = ["--model", str(tiny_model), "--intermediate", "mnli", "--targets", "xnli"]
    args += ["--run-id", "g", *TINY]
    code, err = run_cli(capsys, *args)
    assert code == 0, err
    before = strict_json(Path("runs/g/results.json"))["records"]
    Path("runs/g/results.json").unlink()
    code, err = run_cli(capsys, *args)
    assert code == 0, err
    assert "results.json is missing; recomputing 2 phases" in err
    assert "target phase: xnli" in err and "intermediate phase: mnli" in err
    after = strict_json(Path("runs/g/results.json"))["records"]
    identity = [(r["role"], r["target"], r["split"], r["language"], r["metric"]) for r in after]
    assert sorted(identity) == sorted(
        (r["role"], r["target"], r["split"], r["language"], r["metric"]) for r in before
    )
    assert strict_json(Path("runs/g/run.json"))["status"] == "finished"


def test_lost_intermediate_encoder_recomputes_its_targets(tiny_model, capsys):
    """Without its saved encoder an intermediate is retrained, and the targets already
    trained from the old encoder go with it: one record per phase, one encoder per row."""
    args = ["--model", str(tiny_model), "--intermediate", "mnli", "--targets", "xnli", "pawsx"]
    args += ["--run-id", "e", *TINY]
    code, err = run_cli(capsys, *args)
    assert code == 0, err
    run = Path("runs/e")
    manifest = strict_json(run / "run.json")
    # as after a kill during the PAWS-X phase: it is not finished yet
    manifest["completed"].remove("seed0/mnli/pawsx")
    manifest["status"] = "running"
    (run / "run.json").write_text(json.dumps(manifest))
    for path in sorted((run / "checkpoints").rglob("*"), reverse=True):
        path.rmdir() if path.is_dir() else path.unlink()
    code, err = run_cli(capsys, *args)
    assert code == 0, err
    assert "mnli-seed0 is missing: retraining mnli and recomputing the 1 finished target" in err
    assert "target phase: xnli" in err and "target phase: pawsx" in err
    records = strict_json(run / "results.json")["records"]
    keys = [(r["role"], r["target"], r["split"], r["language"], r["metric"]) for r in records]
    assert len(keys) == len(set(keys))
    assert {k[:2] for k in keys} == {
        ("intermediate", "mnli"),
        ("target", "xnli"),
        ("target", "pawsx"),
    }


# ---------------------------------------------------------------- signals

SLOW = ["--epochs", "3", "--batch-size", "1", "--max-train-examples", "24"]


def _start(tiny_model: Path, run_id: str) -> subprocess.Popen:
    args = ["run", "--model", str(tiny_model), "--targets", "xnli", "--languages", "en"]
    args += [*SLOW, "--run-id", run_id, "--no-progress"]
    return subprocess.Popen(
        [sys.executable, "-m", "harness.cli", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


@pytest.mark.parametrize(("signum", "status"), [(signal.SIGTERM, 143), (signal.SIGINT, 130)])
def test_signal_interrupts_cleanly_and_the_run_resumes(tiny_model, capsys, signum, status):
    """SIGTERM (pre-emption) and Ctrl-C during training: non-zero exit, one message, status
    'interrupted'; the same command then resumes from the epoch checkpoint."""
    name = signal.Signals(signum).name
    run_id = f"sig-{name.lower()}"
    process = _start(tiny_model, run_id)
    last = Path(f"runs/{run_id}/state/none-xnli-seed0/last.ckpt")
    deadline = time.monotonic() + 300
    while not last.exists() and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.01)  # epoch 0 is saved: training is under way
    assert process.poll() is None, process.communicate()[1][-3000:]
    assert last.exists()
    if signum == signal.SIGTERM:  # meanwhile, a second process on the run id is refused
        code, err = run_cli(
            capsys, "--model", str(tiny_model), "--targets", "xnli", "--languages", "en",
            *SLOW, "--run-id", run_id, "--no-progress",
        )  # fmt: skip
        assert_refused(code, err, f"run '{run_id}' is in use", f"(pid {process.pid})")
    process.send_signal(signum)
    _, err = process.communicate(timeout=300)
    assert process.returncode == status, err[-3000:]
    assert "Traceback" not in err
    assert f"interrupted ({name}); results written so far are kept; " in err
    assert f"re-run with --run-id {run_id} to resume" in err
    manifest = strict_json(Path(f"runs/{run_id}/run.json"))
    assert manifest["status"] == "interrupted" and errors(manifest, "run") == []
    assert manifest["error"] == f"interrupted ({name})"
    assert last.exists()

    code, err = run_cli(
        capsys, "--model", str(tiny_model), "--targets", "xnli", "--languages", "en", *SLOW,
        "--run-id", run_id, "--no-progress",
    )  # fmt: skip
    assert code == 0, err
    assert "resuming xnli from" in err
    manifest = strict_json(Path(f"runs/{run_id}/run.json"))
    assert manifest["status"] == "finished"
    records = strict_json(Path(f"runs/{run_id}/results.json"))["records"]
    assert {(r["split"], r["language"]) for r in records if r["main"]} == {
        ("dev", "en"),
        ("test", "en"),
    }


def test_sigterm_through_the_api_is_not_a_success(tiny_model):
    """Without the CLI's handlers Lightning turns SIGTERM into an exit with status 0; the
    runner makes it an ``Interrupted`` (status 143) and records the interruption."""
    import lightning as L

    from harness.interrupts import Interrupted
    from harness.registry import load_registry
    from harness.runner import RunConfig, Runner

    class Preempt(L.Callback):
        def on_train_batch_end(self, trainer, module, outputs, batch, batch_idx):
            if batch_idx == 0:
                os.kill(os.getpid(), signal.SIGTERM)  # Lightning's own handler is installed

    config = RunConfig(
        model=str(tiny_model), targets=["xnli"], languages=["en"], run_id="api", progress=False,
        hparams={"epochs": 1, "max_train_examples": 16, "batch_size": 4}, callbacks=[Preempt()],
    )  # fmt: skip
    with pytest.raises(Interrupted) as stopped:
        Runner(load_registry(), config).run()
    assert stopped.value.code == 143 and stopped.value.run_id == "api"
    assert str(stopped.value).startswith("interrupted (SIGTERM); results written so far")
    manifest = strict_json(Path("runs/api/run.json"))
    assert (manifest["status"], manifest["error"]) == ("interrupted", "interrupted (SIGTERM)")
