"""FVD with VideoMAE-v2 features against the cd-fvd package's own code, on the same clips and random weights.

cd-fvd 0.1.1 (Ge et al.'s reference code, a dev dependency) builds its VisionTransformer; its random
state dict is saved in the released checkpoint's layout (``{"module": state}``) and loaded by our
loader, and both pipelines score the same uint8 clips: their ``preprocess_videomae`` and
``FeatureStats`` and ``compute_fvd_from_stats`` against our :class:`~vivid_eval.fvd.FVD`.
Tolerance: features 1e-5 absolute, the distance 1e-3 relative (float32 network, their ``sqrtm``
against our eigenvalue route).
"""

from functools import partial
from pathlib import Path

import numpy as np
import pytest
import torch

from vivid_eval.fvd import FVD, fvd_clips
from vivid_eval.networks.checkpoints import CheckpointError, load_videomae
from vivid_eval.networks.videomae import GIANT, VideoMAEConfig, VideoMAEv2

cdfvd = pytest.importorskip("cdfvd.fvd", reason="cd-fvd is a dev dependency (requirements/dev.lock)")
from cdfvd.third_party.VideoMAEv2.videomaev2_finetune import VisionTransformer  # noqa: E402
from cdfvd.utils.metric_utils import FeatureStats  # noqa: E402

TINY = VideoMAEConfig(embed_dim=48, depth=2, heads=3, classes=174)


def their_network(config: VideoMAEConfig, seed: int = 0) -> torch.nn.Module:
    """cd-fvd's VisionTransformer as its loader builds ViT-g, at a small width, with every parameter random."""
    torch.manual_seed(seed)
    model = VisionTransformer(
        img_size=config.image_size,
        patch_size=config.patch,
        embed_dim=config.embed_dim,
        depth=config.depth,
        num_heads=config.heads,
        mlp_ratio=config.mlp_ratio,
        qkv_bias=True,
        norm_layer=partial(torch.nn.LayerNorm, eps=1e-6),
        num_classes=config.classes,
        all_frames=config.frames,
        tubelet_size=config.tubelet,
        use_mean_pooling=True,
    ).eval()
    with torch.no_grad():
        for parameter in model.parameters():  # q_bias and v_bias too (zero at init)
            parameter.copy_(torch.randn_like(parameter) * 0.2)
    return model


@pytest.fixture(scope="module")
def checkpoint(tmp_path_factory) -> tuple[torch.nn.Module, Path]:
    theirs = their_network(TINY)
    path = tmp_path_factory.mktemp("videomae") / "vit_tiny.pth"
    torch.save({"module": theirs.state_dict()}, path)
    return theirs, path


def test_published_size_is_vit_giant():
    assert (GIANT.embed_dim, GIANT.depth, GIANT.heads, GIANT.patch, GIANT.tokens) == (1408, 40, 16, 14, 2048)
    assert int(GIANT.embed_dim * GIANT.mlp_ratio) == 6144


def test_features_equal_cd_fvd_network(checkpoint):
    theirs, path = checkpoint
    ours = load_videomae(path, TINY)
    clips = torch.rand(2, 3, 16, 224, 224, generator=torch.Generator().manual_seed(1))
    with torch.no_grad():
        expected = theirs.forward_features(clips)
        got = ours.features(clips)
    assert got.shape == (2, TINY.embed_dim)
    torch.testing.assert_close(got, expected, atol=1e-5, rtol=0)


def test_checkpoint_layout_is_checked(tmp_path: Path, checkpoint):
    theirs, _ = checkpoint
    state = theirs.state_dict()
    state.pop("blocks.1.attn.v_bias")
    path = tmp_path / "broken.pth"
    torch.save({"model": state}, path)
    with pytest.raises(CheckpointError, match=r"missing keys \[blocks.1.attn.v_bias\]"):
        load_videomae(path, TINY)
    with pytest.raises(ValueError, match=r"takes \(N, 3, 16, 224, 224\) clips, got \(1, 3, 8, 224, 224\)"):
        VideoMAEv2(TINY).features(torch.zeros(1, 3, 8, 224, 224))


def _videos(count: int, seed: int, frames: int = 32) -> list[np.ndarray]:
    """Moving gradients with noise: distinct, structured uint8 videos (T, 48, 64, 3)."""
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:48, 0:64]
    out = []
    for _ in range(count):
        speed, phase, colour = rng.uniform(0.5, 3), rng.uniform(0, 6.3), rng.uniform(0.2, 1, size=3)
        video = []
        for t in range(frames):
            wave = 0.5 + 0.5 * np.sin((x + speed * t) / 7 + phase + y / 11)
            frame = wave[..., None] * colour * 255 + rng.normal(0, 12, (48, 64, 3))
            video.append(np.clip(frame, 0, 255).astype(np.uint8))
        out.append(np.stack(video))
    return out


def scored(metric: FVD, fake: list[np.ndarray], real: list[np.ndarray]) -> dict:
    """The metric's result over both sets, each video under its own id."""
    for side, videos in ((False, fake), (True, real)):
        for i, video in enumerate(videos):
            metric.update(video, real=side, ids=[f"v{i}"])
    return metric.result()


def test_fvd_equals_cd_fvd_on_the_same_clips(checkpoint):
    theirs, path = checkpoint
    fake, real = _videos(20, seed=2), _videos(20, seed=3)
    # cd-fvd: (N, 16, H, W, 3) uint8 clips, its own preprocessing, feature statistics and distance
    clips = lambda videos: np.concatenate([v.reshape(-1, 16, *v.shape[1:]) for v in videos])  # noqa: E731
    stats = {}
    for name, videos in (("fake", fake), ("real", real)):
        stats[name] = cdfvd.get_videomae_features(
            FeatureStats(capture_mean_cov=True), theirs, clips(videos), batchsize=8, device="cpu"
        )
    expected = float(cdfvd.cdfvd.compute_fvd_from_stats(None, stats["fake"], stats["real"]))

    network = load_videomae(path, TINY)
    metric = FVD(features=network.features)
    result = scored(metric, fake, real)
    assert result["prediction_clips"] == result["reference_clips"] == 40
    assert result["value"] == pytest.approx(expected, rel=1e-3)
    assert expected > 0


def test_clips_are_non_overlapping_sixteen_frame_windows_from_frame_zero():
    video = np.arange(40, dtype=np.uint8)[:, None, None, None] * np.ones((1, 10, 12, 3), np.uint8)
    clips = fvd_clips(video)
    assert clips.shape == (2, 3, 16, 224, 224)
    assert clips[0, 0, :, 0, 0].mul(255).round().tolist() == list(range(16))
    assert clips[1, 0, :, 0, 0].mul(255).round().tolist() == list(range(16, 32))  # frames 32-39 dropped
    metric = FVD(features=lambda c: c.mean(dim=(2, 3, 4)))
    metric.update(video[:15], real=False, ids=["short"])
    assert metric.skipped["prediction"] == {"short": "15 frames: shorter than one 16-frame clip"}


def test_fvd_reports_unavailable_without_weights(tmp_path: Path, monkeypatch):
    from vivid_eval.metrics.base import MetricUnavailable

    monkeypatch.setenv("VIVID_HOME", str(tmp_path))
    with pytest.raises(MetricUnavailable, match="vivid-weights fetch videomae_v2_g_ssv2"):
        FVD().setup("cpu")


@pytest.mark.slow
def test_i3d_fvd_equals_cd_fvd_on_the_same_clips(tmp_path: Path):
    """cd-fvd's own InceptionI3d (He-initialised so that activations keep their scale through the network)
    saved in its layout, loaded strictly by ours with cd-fvd's batch-norm eps (1e-5, where piergiaj's is
    1e-3: with 1e-3 the features differ by up to 3%); its preprocess_i3d, FeatureStats and distance
    against our FVD(network="i3d")."""
    import math

    from cdfvd.third_party.i3d.pytorch_i3d import InceptionI3d as TheirI3d

    from vivid_eval.fvd import CD_FVD_I3D_BN_EPS
    from vivid_eval.networks.checkpoints import load_i3d

    torch.manual_seed(3)
    theirs = TheirI3d(400, in_channels=3).eval()
    with torch.no_grad():
        for name, tensor in theirs.state_dict().items():
            if name.endswith("conv3d.weight"):
                tensor.copy_(torch.randn_like(tensor) * math.sqrt(2.0 / tensor[0].numel()))
            elif "running_var" in name:
                tensor.copy_(torch.rand_like(tensor) * 0.5 + 0.75)
            elif "running_mean" in name:
                tensor.copy_(torch.randn_like(tensor) * 0.1)
    path = tmp_path / "i3d_pretrained_400.pt"
    torch.save(theirs.state_dict(), path)
    ours = load_i3d(path, bn_eps=CD_FVD_I3D_BN_EPS)
    probe = torch.rand(2, 3, 16, 224, 224, generator=torch.Generator().manual_seed(0)) * 2 - 1
    with torch.no_grad():
        expected_logits, logits = theirs(probe), ours(probe)
    assert float((logits - expected_logits).abs().max()) < 1e-3 * float(expected_logits.abs().mean())
    fake, real = _videos(3, seed=5), _videos(3, seed=6)
    clips = lambda videos: np.concatenate([v.reshape(-1, 16, *v.shape[1:]) for v in videos])  # noqa: E731
    stats = {
        name: cdfvd.get_i3d_logits(
            FeatureStats(capture_mean_cov=True), theirs, clips(videos), batchsize=2, device="cpu"
        )
        for name, videos in (("fake", fake), ("real", real))
    }
    expected = float(cdfvd.cdfvd.compute_fvd_from_stats(None, stats["fake"], stats["real"]))
    result = scored(FVD(network="i3d", features=lambda c: ours(c)), fake, real)
    assert result["prediction_clips"] == result["reference_clips"] == 6
    assert expected > 1.0 and result["value"] == pytest.approx(expected, rel=1e-3)
