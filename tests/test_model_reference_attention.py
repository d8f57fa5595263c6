"""Reference attention: written once by the reference UNet, read by the denoising UNet, off for the
unconditional branch."""

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
    assert torch.equal(a, run(parts, garment_a.clone(), [False, True]))  # same garment: same output
    b = run(parts, garment_b, [False, True])
    assert not torch.allclose(a[1], b[1], atol=1e-6)  # conditioned sample follows the garment
    assert torch.allclose(a[0], b[0], atol=1e-6)  # unconditional branch ignores it


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


def test_the_garment_embedding_has_no_effect_on_the_denoising_unet_by_default():
    """Published: the denoising UNet computes attn2 and discards it, so CLIP reaches the result only
    through the reference UNet. ``cross_attention="keep"`` is the named alternative."""
    parts = build_components(TINY)
    torch.manual_seed(3)
    sample = torch.randn(1, 9, 3, 8, 8)
    a, b = torch.randn(1, 1, TINY.cross_attention_dim), torch.randn(1, 1, TINY.cross_attention_dim)
    with torch.no_grad():
        assert torch.equal(parts.denoiser(sample, torch.tensor(500), a), parts.denoiser(sample, torch.tensor(500), b))
        parts.bank.cross_attention = "keep"
        assert not torch.allclose(
            parts.denoiser(sample, torch.tensor(500), a), parts.denoiser(sample, torch.tensor(500), b), atol=1e-6
        )


def test_discarding_attn2_equals_zeroing_its_output_projection():
    """Dropping the term is the same as a cross-attention whose output weights are zero (derived, not copied)."""
    parts = build_components(TINY)
    torch.manual_seed(4)
    sample, embeds = torch.randn(1, 9, 2, 8, 8), torch.randn(1, 1, TINY.cross_attention_dim)
    with torch.no_grad():
        dropped = parts.denoiser(sample, torch.tensor(100), embeds)
        parts.bank.cross_attention = "keep"
        for name, module in parts.denoiser.unet.named_modules():
            if ".attentions." in name and name.endswith("attn2"):
                module.to_out[0].weight.zero_()
                module.to_out[0].bias.zero_()
        zeroed = parts.denoiser(sample, torch.tensor(100), embeds)
    assert torch.allclose(dropped, zeroed, atol=1e-6)


def test_the_reference_bank_is_kept_in_fp16_as_published():
    parts = build_components(TINY)
    parts.bank.mode = "write"
    with torch.no_grad():
        parts.reference_unet(torch.randn(1, 5, 8, 8), 0, encoder_hidden_states=torch.randn(1, 1, 32))
    name = "down_blocks.0.attentions.0.transformer_blocks.0.attn1"
    assert parts.bank.inputs[name].dtype == parts.bank.outputs[name].dtype == torch.float16
    fp16 = {k: v.clone() for k, v in parts.bank.inputs.items()}
    parts.bank.clear()
    parts.bank.store_dtype = None  # the alternative: the model's precision
    parts.bank.mode = "write"
    torch.manual_seed(0)
    latent = torch.randn(1, 5, 8, 8)
    with torch.no_grad():
        parts.reference_unet(latent, 0, encoder_hidden_states=torch.zeros(1, 1, 32))
    full = parts.bank.inputs[name]
    assert full.dtype == torch.float32
    assert torch.equal(full.to(torch.float16), parts.bank.keep(full) if parts.bank.store_dtype else full.half())
    assert fp16[name].shape == full.shape


def test_reading_a_fp16_bank_equals_attending_to_rounded_features():
    """The read path with the fp16 bank equals, by hand, attention over [own tokens, fp16-rounded reference]."""
    from vivid_model.reference_attention import attention

    parts = build_components(TINY)
    name = "down_blocks.0.attentions.0.transformer_blocks.0.attn1"
    attn = dict(parts.denoiser.unet.named_modules())[name]
    processor = parts.denoiser.unet.attn_processors[name + ".processor"]
    torch.manual_seed(5)
    reference_in, reference_out = torch.randn(1, 64, 32), torch.randn(1, 64, 32)
    own = torch.randn(2, 64, 32)  # one conditioned sample of 2 frames
    parts.bank.inputs[name], parts.bank.outputs[name] = parts.bank.keep(reference_in), parts.bank.keep(reference_out)
    parts.bank.mode, parts.bank.frames, parts.bank.conditioned = "read", 2, torch.tensor([True])
    with torch.no_grad():
        got = processor(attn, own)
        rounded_in, rounded_out = reference_in.half().float(), reference_out.half().float()
        expected = torch.stack(
            [
                attention(attn, own[i : i + 1], torch.cat([own[i : i + 1], rounded_in], dim=1))[0] + rounded_out[0]
                for i in range(2)
            ]
        )
    assert torch.allclose(got, expected, atol=1e-6)
