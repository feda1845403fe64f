"""Masked language modelling on multilingual text, for co-training in an intermediate phase.

Phang et al. 2020 tried continuing multilingual MLM while training on an English
intermediate task so the encoder does not drift away from other languages. Here ``mlm`` is
a task like any other, meant as a member of a multi-task intermediate phase:
``harness run --intermediate mnli+mlm --set mlm.mixing_weight=0.2``.

Data layout: ``mlm/<lang>.txt`` under the data folder, plain UTF-8 text with one sentence
(or paragraph) per line, as in the per-language CC-100 / Wikipedia text files XLM-R was
trained on; blank lines are ignored. Every file found is used, so the languages are the
user's choice. The bundled sample holds a few sentences in each XNLI language.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import harness
from harness._lazy import lazy_module
from harness.errors import HarnessError

datasets = lazy_module("datasets")
np = lazy_module("numpy")

SAMPLE_ROOT = Path(__file__).parent / "data"


@dataclass(frozen=True, kw_only=True)
class MaskedLMTask(harness.Task):
    """Unlabelled text; the loss is masked-token prediction (BERT's 80/10/10 masking)."""

    head: str = "masked-lm"
    roles: tuple[str, ...] = ("intermediate",)
    languages: tuple[str, ...] = ("mul",)
    train_language: str = "mul"  # ISO 639-2 "multiple languages": every file in mlm/
    eval_splits: tuple[str, ...] = ()
    evaluator: str = "accuracy"
    main_metric: str = "loss"
    settings: dict[str, Any] = field(
        default_factory=lambda: {"mlm_probability": 0.15, "mixing_weight": 0.2}
    )

    def local_files(self, split: str, language: str, root: Path) -> list[Path]:
        files = sorted((root / "mlm").glob("*.txt"))
        return files or [root / "mlm" / "<lang>.txt"]

    def read_local(self, split: str, language: str, root: Path) -> list[dict[str, Any]]:
        rows = []
        for path in self.local_files(split, language, root):
            text = harness.read_text(path, fix="convert it to UTF-8, e.g. with iconv")
            for line in text.splitlines():
                if line.strip():
                    rows.append({"text": line.strip(), "language": path.stem})
        return rows

    def read_hub(self, split: str, language: str) -> datasets.Dataset:
        raise HarnessError(
            "task 'mlm' reads your own text: pass --data PATH with mlm/<lang>.txt files "
            "(one sentence per line)"
        )

    def encode(self, batch: dict[str, list], tokenizer: Any, max_length: int) -> dict[str, list]:
        encoded = tokenizer(batch["text"], truncation=True, max_length=max_length)
        return {k: v for k, v in encoded.items() if k != "token_type_ids"}

    def collator(self, tokenizer: Any) -> Any:
        from transformers import DataCollatorForLanguageModeling

        return DataCollatorForLanguageModeling(
            tokenizer,
            mlm_probability=float(self.settings["mlm_probability"]),
            pad_to_multiple_of=8,
        )

    @property
    def num_labels(self) -> int:
        return 0

    def decode(self, outputs: list[np.ndarray], features, rows, context) -> list[Any]:
        return [None] * len(rows)

    def references(self, rows: datasets.Dataset) -> list[Any]:
        return [None] * len(rows)

    def write_predictions(self, path: Path, predictions: Sequence[Any]) -> None:
        raise HarnessError("task 'mlm' has no evaluation splits and writes no predictions")


@harness.hookimpl
def register_tasks(register):
    register(
        MaskedLMTask(
            name="mlm",
            description="Masked LM on multilingual text (co-training member of an intermediate phase)",
            sample_root=SAMPLE_ROOT,
            homepage="https://arxiv.org/abs/2005.13013",
        )
    )
