"""Components: fresh ones are seeded; dtype conversion covers every part."""

import torch

from vivid_model.components import build_components
from vivid_model.config import TINY


def test_seeded_build_and_dtypes():
    a, b = build_components(TINY, seed=3), build_components(TINY, seed=3)
    assert torch.equal(a.denoiser.unet.conv_in.weight, b.denoiser.unet.conv_in.weight)
    assert set(a.modules()) == {"vae", "image_encoder", "reference_unet", "denoiser", "pose_guider"}
    a.to(dtype=torch.bfloat16)
    assert all(p.dtype == torch.bfloat16 for m in a.modules().values() for p in m.parameters())
    assert not any(m.training for m in b.modules().values())
