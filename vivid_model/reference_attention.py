"""Reference attention fusion, as the published ViViD pipeline does it.

The reference UNet runs once per generation on the garment latent. Each of its spatial
self-attention layers (``attn1`` of the transformer blocks, not the motion modules) writes two
things to a bank: its input (the normed hidden states) and its output. The denoising UNet's
layer of the same name then reads them: for a conditioned sample, the keys and values of its
self-attention are its own tokens followed by the reference tokens (the same reference for every
frame), and the reference layer's output is added to the result (ViViD's ``bank2``). Samples of
the unconditional branch of classifier-free guidance use plain self-attention and no reference,
as in the published pipeline.

Two more published behaviours are kept by default, each with a named alternative:

- ``cross_attention="discard"``: the published read path (``mutual_self_attention.py``) computes
  the denoising UNet's spatial cross-attention (``attn2``) and throws its output away, so the
  CLIP garment embedding has no effect in the denoising UNet; guidance acts only through the
  reference attention. Its processor here returns zeros (adding zeros is dropping the term).
  ``"keep"`` adds it, as a plain diffusers block would.
- ``store_dtype=torch.float16``: ``ReferenceAttentionControl.update`` casts the bank to fp16 before
  the denoising UNet reads it, also in an fp32 run. ``None`` keeps the model's precision.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import torch
import torch.nn.functional as F


def attention(attn, query_states: torch.Tensor, context: torch.Tensor) -> torch.Tensor:
    """diffusers ``Attention`` weights applied with SDPA: queries from ``query_states``, keys and values from
    ``context``."""
    batch = query_states.shape[0]
    heads = attn.heads
    q, k, v = attn.to_q(query_states), attn.to_k(context), attn.to_v(context)
    head_dim = q.shape[-1] // heads
    q, k, v = (x.view(batch, -1, heads, head_dim).transpose(1, 2) for x in (q, k, v))
    out = F.scaled_dot_product_attention(q, k, v).transpose(1, 2).reshape(batch, -1, heads * head_dim)
    return attn.to_out[1](attn.to_out[0](out))


CROSS_ATTENTION = ("discard", "keep")


@dataclass
class ReferenceBank:
    """What the reference UNet wrote, by layer name; ``conditioned[b]`` says whether batch entry b reads it."""

    mode: str = "off"  # write | read | off
    frames: int = 1
    conditioned: torch.Tensor | None = None  # (B,) bool for the denoising batch
    inputs: dict[str, torch.Tensor] = field(default_factory=dict)
    outputs: dict[str, torch.Tensor] = field(default_factory=dict)
    store_dtype: torch.dtype | None = torch.float16  # published: the bank is kept in fp16
    cross_attention: str = "discard"  # published: the denoiser's attn2 output is dropped

    def __post_init__(self) -> None:
        if self.cross_attention not in CROSS_ATTENTION:
            raise ValueError(f"cross_attention must be one of {CROSS_ATTENTION}, got {self.cross_attention!r}")

    def keep(self, value: torch.Tensor) -> torch.Tensor:
        """What the bank holds of a written tensor (a cast, which gradients pass through in training)."""
        return value if self.store_dtype is None else value.to(self.store_dtype)

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
            bank.inputs[self.name], bank.outputs[self.name] = bank.keep(hidden_states), bank.keep(out)
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
            raise ValueError(
                f"{self.name}: reference batch {reference_in.shape[0] // frames} does not match the "
                f"denoising batch {batch}"
            )
        out = torch.empty_like(hidden_states)
        if rows.any():
            own = hidden_states[rows]
            out[rows] = attention(attn, own, torch.cat([own, reference_in[rows]], dim=1)) + reference_out[rows]
        if (~rows).any():
            own = hidden_states[~rows]
            out[~rows] = attention(attn, own, own)
        return out


class DenoiserCrossAttnProcessor:
    """The denoising UNet's spatial ``attn2``: dropped as published (zeros), or kept (plain SDPA)."""

    def __init__(self, bank: ReferenceBank) -> None:
        from diffusers.models.attention_processor import AttnProcessor2_0

        self.bank, self.plain = bank, AttnProcessor2_0()

    def __call__(self, attn, hidden_states, encoder_hidden_states=None, attention_mask=None, temb=None, **kwargs):
        if self.bank.cross_attention == "discard":
            return torch.zeros_like(hidden_states)
        return self.plain(attn, hidden_states, encoder_hidden_states, attention_mask, temb)


def spatial_self_attention_names(unet) -> list[str]:
    """``attn1`` processors of the spatial transformer blocks (motion modules excluded)."""
    return [n for n in unet.attn_processors if ".attentions." in n and n.endswith("attn1.processor")]


def spatial_cross_attention_names(unet) -> list[str]:
    """``attn2`` processors of the spatial transformer blocks (motion modules excluded)."""
    return [n for n in unet.attn_processors if ".attentions." in n and n.endswith("attn2.processor")]


def install(unet, bank: ReferenceBank, reader: bool = False) -> list[str]:
    """Give every spatial ``attn1`` of ``unet`` a processor bound to ``bank``; other processors become SDPA ones.

    ``reader`` (the denoising UNet) also gives its spatial ``attn2`` the published drop-or-keep processor.
    """
    from diffusers.models.attention_processor import AttnProcessor2_0

    names = spatial_self_attention_names(unet)
    cross = set(spatial_cross_attention_names(unet)) if reader else set()

    def processor(name: str):
        if name in names:
            return ReferenceAttnProcessor(name.removesuffix(".processor"), bank)
        return DenoiserCrossAttnProcessor(bank) if name in cross else AttnProcessor2_0()

    unet.set_attn_processor({n: processor(n) for n in unet.attn_processors})
    return names
