"""Model configurations: the published shape and the tiny one keep the same structure."""

import pytest

from vivid_model.config import TINY, VIVID, ModelConfig, config_named


def test_published_and_tiny_shapes():
    assert VIVID.block_out_channels == (320, 640, 1280, 1280) and VIVID.cross_attention_dim == 768
    assert VIVID.pose_blocks == (16, 32, 96, 256) and VIVID.vae_scale_factor == 8 and VIVID.motion_max_frames == 32
    assert VIVID.down_block_types == ("CrossAttnDownBlock2D",) * 3 + ("DownBlock2D",)
    assert TINY.vae_scale_factor == 2 and config_named("tiny") is TINY
    with pytest.raises(ValueError, match="unknown model configuration"):
        config_named("huge")
    with pytest.raises(ValueError, match="downsample as much as the VAE"):
        ModelConfig("bad", pose_blocks=(4, 8))
