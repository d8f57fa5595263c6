"""Published files of the tiny configuration, in the official key layouts, load strictly."""

import re
from pathlib import Path

import pytest
import torch
from official_layout import sinusoid_table, write_published_layout

from vivid_model.checkpoints import CheckpointError, convert_motion_keys, load_into, read_state_dict, widen_conv_in
from vivid_model.components import PublishedPaths, load_published
from vivid_model.config import TINY
from vivid_model.pose_guider import PoseGuider


@pytest.fixture(scope="module")
def ckpts(tmp_path_factory) -> Path:
    return write_published_layout(tmp_path_factory.mktemp("ckpts"), TINY)


def test_published_layout_loads_strictly_and_values_land(ckpts: Path):
    parts = load_published(PublishedPaths.under(ckpts), TINY)
    assert all(report.ok for report in parts.reports), [r.summary() for r in parts.reports]
    denoising = read_state_dict(ckpts / "ViViD" / "denoising_unet.pth")
    ours = parts.denoiser.unet.state_dict()
    key = "down_blocks.0.motion_modules.0.temporal_transformer.transformer_blocks.0.attention_blocks.1.to_v.weight"
    assert torch.equal(ours["down_blocks.0.motion_modules.0.transformer_blocks.0.attn2.to_v.weight"], denoising[key])
    assert torch.equal(ours["conv_in.weight"], denoising["conv_in.weight"])  # ViViD's file wins over the base UNet
    assert torch.equal(
        ours["mid_block.motion_modules.0.transformer_blocks.0.norm3.weight"],
        denoising["mid_block.motion_modules.0.temporal_transformer.transformer_blocks.0.ff_norm.weight"],
    )
    reference = read_state_dict(ckpts / "ViViD" / "reference_unet.pth")
    assert torch.equal(parts.reference_unet.state_dict()["conv_in.weight"], reference["conv_in.weight"])
    assert parts.reference_unet.conv_in.in_channels == 5 and parts.denoiser.unet.conv_in.in_channels == 9
    # our sinusoid table is AnimateDiff's
    assert torch.equal(
        ours["down_blocks.0.motion_modules.0.transformer_blocks.0.pos_embed.pe"],
        sinusoid_table(TINY.motion_max_frames, TINY.block_out_channels[0]),
    )


def test_missing_unexpected_and_misshapen_keys_are_named(ckpts: Path, tmp_path: Path):
    state = read_state_dict(ckpts / "ViViD" / "pose_guider.pth")
    guider = PoseGuider(TINY.block_out_channels[0], 3, TINY.pose_blocks)
    broken = {k: v for k, v in state.items() if k != "conv_out.bias"}
    broken["extra.weight"] = torch.zeros(1)
    broken["conv_in.weight"] = torch.zeros(1, 3, 3, 3)
    with pytest.raises(CheckpointError) as error:
        load_into(guider, [("pose_guider.pth", broken)], "pose guider")
    message = str(error.value)
    assert (
        "missing (e.g. conv_in.weight, conv_out.bias)" in message
        and "unexpected in pose_guider.pth (e.g. extra.weight)" in message
    )
    assert "wrong shape" in message
    report = load_into(guider, [("pose_guider.pth", broken)], "pose guider", strict=False)
    assert not report.ok and report.unexpected["pose_guider.pth"] == ["extra.weight"]


def test_wrapped_files_and_bad_files(tmp_path: Path):
    torch.save({"state_dict": {"module.a": torch.ones(2)}}, tmp_path / "wrapped.pth")
    assert list(read_state_dict(tmp_path / "wrapped.pth")) == ["a"]
    (tmp_path / "torn.pth").write_bytes(b"PK\x03\x04 not really")
    with pytest.raises(CheckpointError, match=re.escape("torn.pth: cannot read a state dict")):
        read_state_dict(tmp_path / "torn.pth")
    with pytest.raises(CheckpointError, match=re.escape("absent.pth: checkpoint file not found")):
        read_state_dict(tmp_path / "absent.pth")


def test_motion_key_conversion_and_position_tables():
    pe = sinusoid_table(32, 8)
    state = {
        "up_blocks.1.motion_modules.2.temporal_transformer.transformer_blocks.0.attention_blocks.0.pos_encoder.pe": pe,
        "up_blocks.1.motion_modules.2.temporal_transformer.transformer_blocks.0.attention_blocks.1.pos_encoder.pe": pe,
        "up_blocks.1.motion_modules.2.temporal_transformer.transformer_blocks.0.norms.1.bias": torch.zeros(8),
        "conv_in.weight": torch.zeros(1),
    }
    converted = convert_motion_keys(state)
    assert sorted(converted) == [
        "conv_in.weight",
        "up_blocks.1.motion_modules.2.transformer_blocks.0.norm2.bias",
        "up_blocks.1.motion_modules.2.transformer_blocks.0.pos_embed.pe",
    ]
    state[
        "up_blocks.1.motion_modules.2.temporal_transformer.transformer_blocks.0.attention_blocks.1.pos_encoder.pe"
    ] = pe + 1
    with pytest.raises(CheckpointError, match=r"positional tables .* differ"):
        convert_motion_keys(state)
    wide = widen_conv_in({"conv_in.weight": torch.ones(3, 4, 3, 3)}, 9)["conv_in.weight"]
    assert wide.shape == (3, 9, 3, 3) and wide[:, :4].eq(1).all() and wide[:, 4:].eq(0).all()


def test_published_size_layout_matches_key_for_key():
    """At the published size (on the meta device: shapes only), the official layouts convert to exactly our keys."""
    from official_layout import reference_unet_state, spatial_unet

    from vivid_model.config import VIVID
    from vivid_model.unets import build_motion_unet, build_reference_unet

    with torch.device("meta"):
        ours = build_motion_unet(VIVID).state_dict()
        reference = build_reference_unet(VIVID).state_dict()
        official_spatial = spatial_unet(VIVID, 9, seed=0).state_dict()
        official_reference = reference_unet_state(VIVID, seed=0)
    # one positional table per block (the equality of the two is checked by the conversion, tested above)
    motion = convert_motion_keys(
        {
            k: v
            for k, v in animatediff_motion_state_shapes(VIVID).items()
            if not k.endswith("attention_blocks.1.pos_encoder.pe")
        }
    )
    official = {**official_spatial, **motion}
    assert {k: tuple(v.shape) for k, v in official.items()} == {k: tuple(v.shape) for k, v in ours.items()}
    assert {k: tuple(v.shape) for k, v in official_reference.items()} == {
        k: tuple(v.shape) for k, v in reference.items()
    }
    assert sum(".motion_modules." in k for k in ours) == 21 * 27  # 8 down, 12 up, 1 mid; 27 keys each


def animatediff_motion_state_shapes(config) -> dict[str, torch.Tensor]:
    from official_layout import animatediff_motion_state

    with torch.device("meta"):
        return animatediff_motion_state(config, seed=0)


def test_the_published_reference_file_has_no_output_head_and_loads_strictly(ckpts: Path):
    """ViViD's reference UNet ends after its up blocks: 4 head keys fewer than a diffusers UNet, none missing."""
    from official_layout import REFERENCE_HEAD, spatial_unet

    from vivid_model.unets import build_reference_unet

    published = read_state_dict(ckpts / "ViViD" / "reference_unet.pth")
    assert not [k for k in published if k.startswith(REFERENCE_HEAD)]
    full = spatial_unet(TINY, 5, seed=4).state_dict()
    assert sorted(set(full) - set(published)) == [
        "conv_norm_out.bias",
        "conv_norm_out.weight",
        "conv_out.bias",
        "conv_out.weight",
    ]
    report = load_into(build_reference_unet(TINY), [("reference_unet.pth", published)], "reference UNet", strict=True)
    assert report.ok and report.sources == {"reference_unet.pth": len(published)}
    with pytest.raises(CheckpointError, match=r"4 unexpected in diffusers.pth \(e.g. conv_norm_out"):
        load_into(build_reference_unet(TINY), [("diffusers.pth", full)], "reference UNet", strict=True)
