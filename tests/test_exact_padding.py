"""Batches trimmed to their longest sequence on CPUs: same model outputs, fewer positions."""

from __future__ import annotations

import torch
import transformers

from harness.data import _Collator, trim_padding
from harness.devices import pads_to_multiple


def _pairs(tokenizer, lengths):
    return [
        {"input_ids": [5] * n, "attention_mask": [1] * n, "labels": [1] * n, "feature_index": i}
        for i, n in enumerate(lengths)
    ]


def test_trim_cuts_only_columns_no_sequence_uses(tiny_model):
    tokenizer = transformers.AutoTokenizer.from_pretrained(tiny_model)
    collate = transformers.DataCollatorForTokenClassification(tokenizer, pad_to_multiple_of=8)
    padded = _Collator(collate)(_pairs(tokenizer, [9, 5]))
    exact = _Collator(collate, exact=True)(_pairs(tokenizer, [9, 5]))
    assert padded["input_ids"].shape == (2, 16)
    assert exact["input_ids"].shape == exact["labels"].shape == (2, 9)
    assert torch.equal(exact["input_ids"], padded["input_ids"][:, :9])
    assert torch.equal(exact["labels"], padded["labels"][:, :9])  # token labels follow the ids
    assert exact["feature_index"].tolist() == [0, 1]


def test_trim_keeps_per_choice_shape_and_other_tensors():
    mask = torch.zeros(2, 3, 8, dtype=torch.long)
    mask[0, 1, :6] = 1
    mask[1, 2, :4] = 1
    batch = {
        "input_ids": torch.ones(2, 3, 8),
        "attention_mask": mask,
        "labels": torch.tensor([1, 2]),
    }
    out = trim_padding(batch)
    assert out["input_ids"].shape == out["attention_mask"].shape == (2, 3, 6)
    assert out["labels"].tolist() == [1, 2]


def test_left_padding_keeps_every_column():
    mask = torch.tensor([[0, 0, 1, 1], [1, 1, 1, 1]])
    batch = {"input_ids": torch.ones(2, 4), "attention_mask": mask}
    assert trim_padding(batch)["input_ids"].shape == (2, 4)


def test_trimmed_batch_gives_the_same_logits(tiny_model):
    tokenizer = transformers.AutoTokenizer.from_pretrained(tiny_model)
    model = transformers.AutoModelForSequenceClassification.from_pretrained(
        tiny_model, num_labels=3
    )
    model.eval()
    texts = [("a short one", "b"), ("a somewhat longer first sentence here", "and a second")]
    rows = [dict(tokenizer(a, b), feature_index=i) for i, (a, b) in enumerate(texts)]
    collate = transformers.DataCollatorWithPadding(tokenizer, pad_to_multiple_of=8)
    padded = _Collator(collate)([dict(r) for r in rows])
    exact = _Collator(collate, exact=True)([dict(r) for r in rows])
    assert exact["input_ids"].shape[1] < padded["input_ids"].shape[1]
    with torch.no_grad():
        a = model(**{k: v for k, v in padded.items() if k != "feature_index"}).logits
        b = model(**{k: v for k, v in exact.items() if k != "feature_index"}).logits
    torch.testing.assert_close(a, b, rtol=1e-5, atol=1e-6)


def test_padding_multiple_only_where_a_matrix_unit_wants_it():
    assert not pads_to_multiple({"accelerator": "cpu"})
    assert pads_to_multiple({"accelerator": "gpu"}) and pads_to_multiple({"accelerator": "cuda"})
    assert pads_to_multiple({"accelerator": "auto"}) == torch.cuda.is_available()
    assert pads_to_multiple({}) == torch.cuda.is_available()


def test_runner_trims_batches_on_a_cpu_only():
    from harness.planning import RunConfig
    from harness.registry import load_registry
    from harness.runner import Runner

    registry = load_registry()
    assert Runner(registry, RunConfig(trainer={"accelerator": "cpu"})).exact_padding
    assert not Runner(registry, RunConfig(trainer={"accelerator": "gpu"})).exact_padding
