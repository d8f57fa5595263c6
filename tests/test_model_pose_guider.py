"""Pose guider: 3-channel pose video to UNet-width features at latent resolution, zero at start."""

import torch

from vivid_model.config import TINY, VIVID
from vivid_model.pose_guider import PoseGuider


def test_shapes_keys_and_zero_output():
    guider = PoseGuider(320, 3, VIVID.pose_blocks)
    out = guider(torch.rand(1, 3, 2, 64, 48))
    assert out.shape == (1, 320, 2, 8, 6) and out.abs().max() == 0  # zero-initialised output convolution
    assert sorted(guider.state_dict())[:4] == ["blocks.0.bias", "blocks.0.weight", "blocks.1.bias", "blocks.1.weight"]
    assert len(guider.blocks) == 6 and guider.conv_out.out_channels == 320
    tiny = PoseGuider(TINY.block_out_channels[0], 3, TINY.pose_blocks)
    torch.nn.init.normal_(tiny.conv_out.weight)
    out = tiny(torch.rand(2, 3, 5, 16, 12))
    assert out.shape == (2, 32, 5, 8, 6)
    # frames are independent: changing frame 0 leaves frame 1 unchanged
    pose = torch.rand(1, 3, 2, 16, 12)
    changed = pose.clone()
    changed[:, :, 0] = 0
    assert torch.equal(tiny(pose)[:, :, 1], tiny(changed)[:, :, 1]) and not torch.equal(
        tiny(pose)[:, :, 0], tiny(changed)[:, :, 0]
    )
