"""VFID windows and protocols with a cheap feature function (the networks plug in the same way)."""

import numpy as np
import pytest
import torch

from vivid_eval.protocols import CATV2TON_COMPAT, VIVID_V1
from vivid_eval.vfid import vfid, video_clip_features


def colour_features(clips: torch.Tensor) -> torch.Tensor:
    """(N, 3, T, H, W) -> (N, 6): per-channel mean and the mean of the first frame, stand-ins for I3D."""
    return torch.cat([clips.mean(dim=(2, 3, 4)), clips[:, :, 0].mean(dim=(2, 3))], dim=1)


def videos(seed: int, count: int = 6, frames: int = 30, same_start: np.ndarray | None = None) -> list[np.ndarray]:
    rng = np.random.default_rng(seed)
    out = []
    for i in range(count):
        video = rng.integers(0, 256, size=(frames, 32, 32, 3), dtype=np.uint8)
        if same_start is not None:
            video[:10] = same_start[i]
        out.append(video)
    return out


def test_identical_sets_give_zero():
    a = videos(0)
    assert vfid(a, a, VIVID_V1, colour_features)[0] == pytest.approx(0.0, abs=1e-9)


def test_compat_sees_only_the_first_ten_frames():
    """Videos that agree on frames 0-9 and differ afterwards: the published convention cannot tell them apart."""
    references = videos(1)
    predictions = []
    for video in references:
        changed = video.copy()
        changed[10:] = (changed[10:] // 2) + 100  # a method that goes wrong after the first ten frames
        predictions.append(changed)
    compat, info = vfid(predictions, references, CATV2TON_COMPAT, colour_features)
    ours, _ = vfid(predictions, references, VIVID_V1, colour_features)
    assert compat == pytest.approx(0.0, abs=1e-9) and ours > 0.01
    assert info == {"prediction_clips": 18, "reference_clips": 18, "protocol": "catv2ton_compat"}


def test_clip_features_and_short_videos():
    assert video_clip_features(videos(3, count=1, frames=25)[0], VIVID_V1, colour_features).shape == (2, 6)
    with pytest.raises(ValueError, match="at least two 10-frame clips"):
        vfid(videos(4, frames=5), videos(5, frames=5), VIVID_V1, colour_features)


def test_a_short_video_is_skipped_by_name_not_fatal():
    from vivid_eval.vfid import VFID

    metric = VFID(protocol=VIVID_V1, features=colour_features)
    for i, frames in enumerate((30, 1, 25)):
        video = videos(10 + i, count=1, frames=frames)[0]
        metric.update(video, real=False, ids=[f"v{i}"])
        metric.update(video, real=True, ids=[f"v{i}"])
    result = metric.result()
    assert result["value"] == pytest.approx(0.0, abs=1e-9) and result["prediction_clips"] == 5
    assert result["skipped_videos"]["prediction"] == {"v1": "1 frames: shorter than one 10-frame clip"}


def test_compat_allocation_follows_the_listing_order():
    from vivid_eval.vfid import VFID

    metric = VFID(protocol=CATV2TON_COMPAT, features=colour_features)
    for name, frames in (("a", 23), ("b", 31), ("c", 64)):
        video = videos(20, count=1, frames=frames)[0]
        metric.update(video, real=False, ids=[name])
        metric.update(video, real=True, ids=[name])
    assert metric.result()["clips_per_video"]["prediction"] == {"a": 3, "b": 3, "c": 5}
    metric.order = {"prediction": ["c", "b", "a"], "reference": None}
    assert metric.result()["clips_per_video"]["prediction"] == {"c": 7, "b": 3, "a": 1}


def test_clip_features_round_trip(tmp_path):
    import numpy as np

    from vivid_eval.vfid import load_clip_features, save_clip_features

    prediction = [np.ones((2, 4)), np.zeros((1, 4))]
    reference = [np.full((2, 4), 2.0), np.full((2, 4), 3.0)]
    path = save_clip_features(tmp_path / "features" / "vfid_i3d.npz", ["a", "b"], prediction, reference)
    loaded = load_clip_features(path)
    assert list(loaded.videos) == ["a", "b"] and loaded.prediction.dtype == np.float32
    pred, ref = loaded.of(np.array([1, 1, 0]))  # a bootstrap draw: video b twice, then a
    assert pred.shape == (4, 4) and pred[:2].sum() == 0 and ref.shape == (6, 4) and ref[0, 0] == 3.0
