"""Reference attention fusion, as the published ViViD pipeline does it.

The reference UNet runs once per generation on the garment latent. Each of its spatial
self-attention layers (``attn1`` of the transformer blocks, not the motion modules) writes two
things to a bank: its input (the normed hidden states) and its output. The denoising UNet's
layer of the same name then reads them: for a conditioned sample, the keys and values of its
self-attention are its own tokens followed by the reference tokens (the same reference for every
frame), and the reference layer's output is added to the result (ViViD's ``bank2``). Samples of
the unconditional branch of classifier-free guidance use plain self-attention and no reference,
as in the published pipeline.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import torch
import torch.nn.functional as F


def attention(attn, query_states: torch.Tensor, context: torch.Tensor) -> torch.Tensor:
    """diffusers ``Attention`` weights applied with SDPA: queries from ``query_states``, keys/values from ``context``."""
    batch = query_states.shape[0]
    heads = attn.heads
    q, k, v = attn.to_q(query_states), attn.to_k(context), attn.to_v(context)
    head_dim = q.shape[-1] // heads
    q, k, v = (x.view(batch, -1, heads, head_dim).transpose(1, 2) for x in (q, k, v))
    out = F.scaled_dot_product_attention(q, k, v).transpose(1, 2).reshape(batch, -1, heads * head_dim)
    return attn.to_out[1](attn.to_out[0](out))


@dataclass
class ReferenceBank:
    """What the reference UNet wrote, by layer name; ``conditioned[b]`` says whether batch entry b reads it."""

    mode: str = "off"                                   # write | read | off
    frames: int = 1
    conditioned: torch.Tensor | None = None             # (B,) bool for the denoising batch
    inputs: dict[str, torch.Tensor] = field(default_factory=dict)
    outputs: dict[str, torch.Tensor] = field(default_factory=dict)

    def clear(self) -> None:
        self.inputs.clear()
        self.outputs.clear()
        self.mode = "off"


class ReferenceAttnProcessor:
    """Processor for one spatial ``attn1``: writes to the bank, reads from it, or plain self-attention."""

    def __init__(self, name: str, bank: ReferenceBank) -> None:
        self.name, self.bank = name, bank

    def __call__(self, attn, hidden_states, encoder_hidden_states=None, attention_mask=None, temb=None, **kwargs):
        bank = self.bank
        if bank.mode == "write":
            out = attention(attn, hidden_states, hidden_states)
            bank.inputs[self.name], bank.outputs[self.name] = hidden_states, out
            return out
        if bank.mode != "read" or self.name not in bank.inputs:
            return attention(attn, hidden_states, hidden_states)
        frames = bank.frames
        batch = hidden_states.shape[0] // frames
        conditioned = bank.conditioned if bank.conditioned is not None else torch.ones(batch, dtype=torch.bool)
        rows = conditioned.to(hidden_states.device).repeat_interleave(frames)
        reference_in = bank.inputs[self.name].to(hidden_states.dtype).repeat_interleave(frames, dim=0)
        reference_out = bank.outputs[self.name].to(hidden_states.dtype).repeat_interleave(frames, dim=0)
        if reference_in.shape[0] != hidden_states.shape[0]:
            raise ValueError(f"{self.name}: reference batch {reference_in.shape[0] // frames} does not match the "
                             f"denoising batch {batch}")
        out = torch.empty_like(hidden_states)
        if rows.any():
            own = hidden_states[rows]
            out[rows] = attention(attn, own, torch.cat([own, reference_in[rows]], dim=1)) + reference_out[rows]
        if (~rows).any():
            own = hidden_states[~rows]
            out[~rows] = attention(attn, own, own)
        return out


def spatial_self_attention_names(unet) -> list[str]:
    """``attn1`` processors of the spatial transformer blocks (motion modules excluded)."""
    return [n for n in unet.attn_processors if ".attentions." in n and n.endswith("attn1.processor")]


def install(unet, bank: ReferenceBank) -> list[str]:
    """Give every spatial ``attn1`` of ``unet`` a processor bound to ``bank``; other processors become SDPA ones."""
    from diffusers.models.attention_processor import AttnProcessor2_0

    names = spatial_self_attention_names(unet)
    processors = {n: (ReferenceAttnProcessor(n.removesuffix(".processor"), bank) if n in names else AttnProcessor2_0())
                  for n in unet.attn_processors}
    unet.set_attn_processor(processors)
    return names
