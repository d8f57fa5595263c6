"""Reference attention: written once by the reference UNet, read by the denoising UNet, off for the unconditional branch."""

import torch

from vivid_model.components import build_components
from vivid_model.config import TINY
from vivid_model.reference_attention import spatial_self_attention_names


def run(parts, garment_latent: torch.Tensor, conditioned: list[bool], seed: int = 0) -> torch.Tensor:
    frames = 3
    torch.manual_seed(seed)
    sample = torch.randn(len(conditioned), 9, frames, 8, 8)
    embeds = torch.randn(len(conditioned), 1, TINY.cross_attention_dim)
    parts.bank.mode = "write"
    parts.reference_unet(garment_latent.repeat(len(conditioned), 1, 1, 1), 0, encoder_hidden_states=embeds)
    parts.bank.mode, parts.bank.frames, parts.bank.conditioned = "read", frames, torch.tensor(conditioned)
    with torch.no_grad():
        out = parts.denoiser(sample, torch.tensor(500), embeds)
    parts.bank.clear()
    return out


def test_output_depends_on_the_garment_only_where_conditioned():
    parts = build_components(TINY)
    names = spatial_self_attention_names(parts.denoiser.unet)
    assert names and all(".motion_modules." not in n for n in names)
    assert names == spatial_self_attention_names(parts.reference_unet)  # the same layers on both sides
    garment_a, garment_b = torch.randn(1, 5, 8, 8), torch.randn(1, 5, 8, 8)
    a = run(parts, garment_a, [False, True])
    assert torch.equal(a, run(parts, garment_a.clone(), [False, True]))   # same garment: same output
    b = run(parts, garment_b, [False, True])
    assert not torch.allclose(a[1], b[1], atol=1e-6)                        # conditioned sample follows the garment
    assert torch.allclose(a[0], b[0], atol=1e-6)                            # unconditional branch ignores it


def test_bank_is_written_per_layer_and_cleared():
    parts = build_components(TINY)
    parts.bank.mode = "write"
    parts.reference_unet(torch.randn(2, 5, 8, 8), 0, encoder_hidden_states=torch.randn(2, 1, TINY.cross_attention_dim))
    names = {n.removesuffix(".processor") for n in spatial_self_attention_names(parts.reference_unet)}
    assert set(parts.bank.inputs) == names == set(parts.bank.outputs)
    first = parts.bank.inputs["down_blocks.0.attentions.0.transformer_blocks.0.attn1"]
    assert first.shape == (2, 8 * 8, TINY.block_out_channels[0])  # the 8x8 latent grid, first resolution
    parts.bank.clear()
    assert not parts.bank.inputs and parts.bank.mode == "off"
