"""The ``dual-encoder`` head: one shared ``transformers`` encoder for queries and candidates,
as XTREME's ``BertForRetrieval`` (third_party/bert.py, also used for XLM-R).

Embeddings are the pooler output L2-normalised. An encoder built without a pooler
(``add_pooling_layer=False``, or a model type that has none) falls back to the final
[CLS] state, also L2-normalised. The loss is the cross-entropy of each query over the
batch's candidates, logits = cosine x ``logit_scale`` (a learnable scalar initialised to
100); the positive of query i is candidate i.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import torch
from transformers.utils import ModelOutput


@dataclass
class DualEncoderOutput(ModelOutput):
    loss: torch.Tensor | None = None
    logits: torch.Tensor | None = None
    query_embeddings: torch.Tensor | None = None
    candidate_embeddings: torch.Tensor | None = None


def _trim(ids: torch.Tensor, mask: torch.Tensor | None, types: torch.Tensor | None) -> tuple:
    """Cut the columns no sequence uses (one side of a pair padded to the other's length)."""
    if mask is None or mask.dim() != 2:
        return ids, mask, types
    used = mask.bool().any(0).nonzero()
    keep = int(used.max()) + 1 if len(used) else 1
    return ids[:, :keep], mask[:, :keep], None if types is None else types[:, :keep]


class DualEncoder(torch.nn.Module):
    """A shared encoder with a logit scale; ``base_model`` is the encoder (carry-over)."""

    base_model_prefix = "encoder"

    def __init__(self, encoder: torch.nn.Module, logit_scale: float = 100.0):
        super().__init__()
        self.encoder = encoder
        self.logit_scale = torch.nn.Parameter(torch.full((1,), float(logit_scale)))

    @property
    def base_model(self) -> torch.nn.Module:
        return self.encoder

    @property
    def config(self) -> Any:
        return self.encoder.config

    def embed(
        self,
        input_ids: torch.Tensor,
        attention_mask: torch.Tensor | None = None,
        token_type_ids: torch.Tensor | None = None,
        **_: Any,
    ) -> torch.Tensor:
        """L2-normalised pooler output (final [CLS] state without a pooler): [batch, dim]."""
        ids, mask, types = _trim(input_ids, attention_mask, token_type_ids)
        kwargs = {"attention_mask": mask}
        if types is not None:
            kwargs["token_type_ids"] = types
        out = self.encoder(input_ids=ids, **kwargs)
        pooled = getattr(out, "pooler_output", None)
        if pooled is None:
            pooled = out.last_hidden_state[:, 0]
        return torch.nn.functional.normalize(pooled, p=2, dim=-1)

    def forward(
        self,
        input_ids: torch.Tensor | None = None,
        attention_mask: torch.Tensor | None = None,
        token_type_ids: torch.Tensor | None = None,
        query_input_ids: torch.Tensor | None = None,
        query_attention_mask: torch.Tensor | None = None,
        query_token_type_ids: torch.Tensor | None = None,
        candidate_input_ids: torch.Tensor | None = None,
        candidate_attention_mask: torch.Tensor | None = None,
        candidate_token_type_ids: torch.Tensor | None = None,
        **_: Any,
    ) -> DualEncoderOutput:
        """Pairs as ``input_ids`` ``[batch, 2, length]`` (query, candidate) or as the
        ``query_*``/``candidate_*`` tensors: in-batch loss. ``input_ids`` ``[batch, length]``
        alone: embeddings only (``query_embeddings``)."""
        if input_ids is not None and input_ids.dim() == 3:

            def side(t: torch.Tensor | None, i: int) -> torch.Tensor | None:
                return None if t is None else t[:, i]

            query_input_ids, candidate_input_ids = input_ids[:, 0], input_ids[:, 1]
            query_attention_mask = side(attention_mask, 0)
            candidate_attention_mask = side(attention_mask, 1)
            query_token_type_ids = side(token_type_ids, 0)
            candidate_token_type_ids = side(token_type_ids, 1)
        elif input_ids is not None:
            return DualEncoderOutput(
                query_embeddings=self.embed(input_ids, attention_mask, token_type_ids)
            )
        if query_input_ids is None or candidate_input_ids is None:
            raise ValueError("the dual encoder needs query and candidate inputs")
        q = self.embed(query_input_ids, query_attention_mask, query_token_type_ids)
        c = self.embed(candidate_input_ids, candidate_attention_mask, candidate_token_type_ids)
        logits = (q @ c.T) * self.logit_scale
        labels = torch.arange(logits.shape[0], device=logits.device)
        loss = torch.nn.functional.cross_entropy(logits, labels)
        return DualEncoderOutput(
            loss=loss, logits=logits, query_embeddings=q, candidate_embeddings=c
        )
