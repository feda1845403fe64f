"""``--logger``: every tracker, offline, holds each phase's hyper-parameters, training
losses, validation scores and final per-language scores, under the run folder.

Trackers whose package is not installed are left out of the run and their tests skipped;
``pip install -e '.[test,trackers]'`` installs all three."""

from __future__ import annotations

import contextlib
import csv
import io
import json
import struct
import sys
import zlib
from pathlib import Path

import pytest

from harness.cli import main
from harness.loggers import score_metrics

PHASE = "none-xnli-seed0"
# one tiny run: 48 examples in batches of 4 are 12 optimizer steps, validated every 5
RUN = [
    "run",
    "--targets",
    "xnli",
    "--languages",
    "en",
    "de",
    "--epochs",
    "1",
    "--max-train-examples",
    "48",
    "--batch-size",
    "4",
    "--val-every-steps",
    "5",
    "--val-max-examples",
    "16",
    "--no-progress",
]


def _installed(module: str) -> bool:
    import importlib.util

    return importlib.util.find_spec(module) is not None


# the loggers' names are their packages' import names (tensorboard: read with tensorboard)
INSTALLED = ["csv", *(name for name in ("tensorboard", "wandb", "mlflow") if _installed(name))]


@pytest.fixture(scope="module")
def tracked(tiny_model, tmp_path_factory):
    """A run with every installed tracker, then the same run id again without --logger."""
    root = tmp_path_factory.mktemp("tracked")
    with pytest.MonkeyPatch.context() as mp:
        mp.chdir(root)
        mp.setenv("HARNESS_CACHE", str(root / "cache"))
        for name in ("HARNESS_RUN_ID", "HARNESS_PLUGINS", "WANDB_MODE", "WANDB_PROJECT"):
            mp.delenv(name, raising=False)
        for name in ("MLFLOW_TRACKING_URI", "MLFLOW_EXPERIMENT_NAME", "MLFLOW_ALLOW_FILE_STORE"):
            mp.delenv(name, raising=False)
        for name in ("WANDB_CONFIG_DIR", "WANDB_CACHE_DIR", "WANDB_DATA_DIR"):
            mp.setenv(name, str(root / name.lower()))
        loggers = [arg for name in INSTALLED for arg in ("--logger", name)]
        err = io.StringIO()
        with contextlib.redirect_stderr(err):
            first = main([*RUN, "--model", str(tiny_model), "--run-id", "t", *loggers])
        assert first == 0, err.getvalue()
        run = root / "runs" / "t"
        manifest = json.loads((run / "run.json").read_text())
        with contextlib.redirect_stderr(err):
            again = main([*RUN, "--model", str(tiny_model), "--run-id", "t"])
        assert again == 0, err.getvalue()
        yield {
            "run": run,
            "records": json.loads((run / "results.json").read_text())["records"],
            "loggers": manifest["config"]["loggers"],
            "lr": manifest["config"]["hparams"]["xnli"]["learning_rate"],
            "resumed": json.loads((run / "run.json").read_text())["config"]["loggers"],
            "output": err.getvalue(),
        }


def _expected(tracked) -> dict[str, float]:
    scores = score_metrics(tracked["records"])
    assert "test/de/accuracy" in scores and "dev/en/accuracy" in scores
    return scores


def test_run_json_records_the_loggers_and_a_resumed_run_keeps_them(tracked):
    assert tracked["loggers"] == INSTALLED
    assert "resuming run t: 1 finished phases are kept" in tracked["output"]
    assert tracked["resumed"] == INSTALLED  # re-run without --logger: the same trackers
    assert "Tracking run with wandb" not in tracked["output"]  # W&B's banners stay quiet


def test_csv_holds_hparams_losses_validation_and_final_scores(tracked):
    folder = tracked["run"] / "logs" / "csv" / PHASE
    (metrics,) = folder.glob("version_*/metrics.csv")
    with open(metrics, newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert any(r.get("train_loss") for r in rows)
    assert any(r.get("val_score") for r in rows)
    final = {k: float(v) for r in rows for k, v in r.items() if "/" in k and v}
    assert final == pytest.approx(_expected(tracked))
    (hparams,) = folder.glob("version_*/hparams.yaml")
    text = hparams.read_text()
    assert "learning_rate:" in text and f"phase: {PHASE}" in text and "run_id: t" in text


def test_tensorboard_event_files_hold_hparams_and_scores(tracked):
    pytest.importorskip("tensorboard")
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator
    from tensorboard.plugins.hparams import plugin_data_pb2

    (version,) = (tracked["run"] / "logs" / "tensorboard" / PHASE).glob("version_*")
    assert list(version.glob("events.out.tfevents.*"))
    events = EventAccumulator(str(version))
    events.Reload()
    scalars = events.Tags()["scalars"]
    assert {"train_loss", "val_score"} <= set(scalars)
    expected = _expected(tracked)
    for key, value in expected.items():
        assert events.Scalars(key)[-1].value == pytest.approx(value)
    contents = events.PluginTagToContent("hparams")
    start = plugin_data_pb2.HParamsPluginData.FromString(
        contents["_hparams_/session_start_info"]
    ).session_start_info
    assert start.hparams["learning_rate"].number_value == pytest.approx(tracked["lr"])
    assert start.hparams["phase"].string_value == PHASE
    experiment = plugin_data_pb2.HParamsPluginData.FromString(
        contents["_hparams_/experiment"]
    ).experiment
    assert {m.name.tag for m in experiment.metric_infos} == set(expected)


def test_mlflow_file_store_holds_params_and_metrics(tracked, monkeypatch):
    pytest.importorskip("mlflow")
    from mlflow.tracking import MlflowClient

    monkeypatch.setenv("MLFLOW_ALLOW_FILE_STORE", "true")
    client = MlflowClient((tracked["run"] / "logs" / "mlflow").as_uri())
    (experiment,) = [e for e in client.search_experiments() if e.name == "harness"]
    runs = {r.data.tags["harness.phase"]: r for r in client.search_runs([experiment.experiment_id])}
    run = runs[PHASE]
    assert run.data.tags["harness.run_id"] == "t" and run.info.run_name == f"t/{PHASE}"
    assert float(run.data.params["learning_rate"]) == pytest.approx(tracked["lr"])
    assert run.data.params["phase"] == PHASE
    assert client.get_metric_history(run.info.run_id, "train_loss")
    assert client.get_metric_history(run.info.run_id, "val_score")
    expected = _expected(tracked)
    assert {k: run.data.metrics[k] for k in expected} == pytest.approx(expected)


def _wandb_records(path: Path) -> list:
    """The protobuf records of an offline ``.wandb`` file: W&B's leveldb-style log (a
    7-byte file header, then 32 KiB blocks of chunks, each with a crc32, length and type)."""
    from wandb.proto.wandb_internal_pb2 import Record

    data = path.read_bytes()
    assert data[:4] == b":W&B"
    block, position, pending, records = 32768, 7, b"", []
    while position < len(data):
        if block - position % block < 7:  # a block's zero-filled tail
            position += block - position % block
            continue
        checksum, length, kind = struct.unpack("<IHB", data[position : position + 7])
        chunk = data[position + 7 : position + 7 + length]
        assert checksum == zlib.crc32(chunk, zlib.crc32(bytes([kind]))) & 0xFFFFFFFF
        position += 7 + length
        pending += chunk
        if kind in (1, 4):  # a whole record, or a record's last chunk
            records.append(Record.FromString(pending))
            pending = b""
    return records


def test_wandb_offline_run_holds_config_history_and_summary(tracked):
    pytest.importorskip("wandb")
    runs = list((tracked["run"] / "logs" / "wandb" / "wandb").glob("offline-run-*/run-*.wandb"))
    by_phase = {}
    for path in runs:
        records = _wandb_records(path)
        (run,) = [r.run for r in records if r.WhichOneof("record_type") == "run"]
        by_phase[run.display_name] = records
    assert set(by_phase) == {f"t/{PHASE}"}  # one W&B run per phase, in group t
    records = by_phase[f"t/{PHASE}"]

    def values(kind: str, field: str) -> dict:
        return {
            item.key or "/".join(item.nested_key): json.loads(item.value_json)
            for r in records
            if r.WhichOneof("record_type") == kind
            for item in getattr(getattr(r, kind), field)
        }

    config = values("config", "update")
    assert config["learning_rate"] == pytest.approx(tracked["lr"]) and config["phase"] == PHASE
    history = [
        {i.key or "/".join(i.nested_key): json.loads(i.value_json) for i in r.history.item}
        for r in records
        if r.WhichOneof("record_type") == "history"
    ]
    assert any("train_loss" in h for h in history) and any("val_score" in h for h in history)
    expected = _expected(tracked)
    summary = values("summary", "update")
    assert {k: summary[k] for k in expected} == pytest.approx(expected)


def _refused(capsys, *loggers: str) -> str:
    code = main([*RUN, "--run-id", "x", *[a for name in loggers for a in ("--logger", name)]])
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1 and err.startswith("error: "), err
    assert not Path("runs").exists()
    return err


def test_unknown_logger_is_one_error_line_listing_the_choices(capsys):
    err = _refused(capsys, "csv", "comet")
    assert "--logger comet" in err and "csv, tensorboard, wandb, mlflow" in err


@pytest.mark.parametrize(
    "name,modules", [("wandb", ["wandb"]), ("tensorboard", ["tensorboard", "tensorboardX"])]
)
def test_missing_tracker_package_names_the_extra(capsys, monkeypatch, name, modules):
    for module in modules:
        monkeypatch.setitem(sys.modules, module, None)  # as if not installed
    err = _refused(capsys, "csv", name)
    assert f"pip install 'harness[{name}]'" in err


def test_score_keys_name_split_language_metric_and_the_task_in_multitask_phases():
    def record(target: str, split: str, lang: str, value: float) -> dict:
        return {"target": target, "split": split, "language": lang, "metric": "f1", "value": value}

    assert score_metrics([record("xnli", "test", "de", 0.5)]) == {"test/de/f1": 0.5}
    assert score_metrics([record("mnli", "dev", "en", 0.5), record("squad", "dev", "en", 0.7)]) == {
        "mnli/dev/en/f1": 0.5,
        "squad/dev/en/f1": 0.7,
    }
