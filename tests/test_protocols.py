import numpy as np
import pytest

from vivid_eval.protocols import (
    CATV2TON_COMPAT,
    PROTOCOLS,
    VIVID_V1,
    Protocol,
    catv2ton_clip_counts,
    clip_windows,
    prepare_clip,
    protocol_named,
)


def test_windows():
    assert clip_windows(35, VIVID_V1) == [list(range(0, 10)), list(range(10, 20)), list(range(20, 30))]
    assert clip_windows(35, CATV2TON_COMPAT) == [list(range(10))]  # the one clip it can read; how often: the set
    assert clip_windows(9, VIVID_V1) == []


def test_catv2ton_allocation_by_hand():
    """VideoDataset: acc = cumulative frames // 10 in listing order; clip i goes to the first video with acc >= i.
    23, 31, 64 frames: acc = 2, 5, 11; 11 clips: 0-2 -> first (3), 3-5 -> second (3), 6-10 -> third (5)."""
    assert catv2ton_clip_counts([23, 31, 64]) == [3, 3, 5]
    assert [n // 10 for n in (23, 31, 64)] == [2, 3, 6]  # vivid_v1's windows, for contrast
    assert catv2ton_clip_counts([64, 31, 23]) == [7, 3, 1]  # acc 6, 9, 11: the order changes who gets what
    assert catv2ton_clip_counts([23, 5, 31]) == [3, 0, 2]  # acc 2, 2, 5: a 5-frame video gets none
    assert catv2ton_clip_counts([40]) == [4] and catv2ton_clip_counts([]) == []
    # ViViD-S: 180 clips of 64 frames -> 1152 clips (we used to score 180 x 6 = 1080)
    assert sum(catv2ton_clip_counts([64] * 180)) == 1152


def test_colour_order_resize_and_range():
    frames = np.zeros((10, 64, 48, 3), np.uint8)
    frames[..., 0] = 255  # pure red
    ours, compat = prepare_clip(frames, VIVID_V1), prepare_clip(frames, CATV2TON_COMPAT)
    assert ours.shape == compat.shape == (3, 10, 224, 224)
    assert ours[0].min() == 1.0 and ours[2].max() == -1.0  # red stays in channel 0
    assert compat[2].min() == 1.0 and compat[0].max() == -1.0  # BGR: red lands in channel 2
    stripes = np.zeros((10, 672, 672, 3), np.uint8)
    stripes[:, :, ::3] = 255  # one-pixel stripes every 3: antialiasing averages them, plain bilinear samples them
    # a third of the image is white: the antialiased resize keeps that brightness (-1/3 in [-1, 1]),
    # the resize without antialiasing samples between the stripes and loses it (aliasing)
    assert prepare_clip(stripes, VIVID_V1).mean().item() == pytest.approx(-1 / 3, abs=0.05)
    assert abs(prepare_clip(stripes, CATV2TON_COMPAT).mean().item() + 1 / 3) > 0.3


def test_records_and_validation():
    assert set(PROTOCOLS) == {"vivid_v1", "catv2ton_compat"}
    assert VIVID_V1.record()["id"] == "vivid_v1" and CATV2TON_COMPAT.record()["windows"] == "catv2ton"
    with pytest.raises(ValueError):
        Protocol("x", 1, colour="yuv")
    assert protocol_named("catv2ton_compat") is CATV2TON_COMPAT
    with pytest.raises(ValueError, match="did you mean 'vivid_v1'"):
        protocol_named("vivid_1")
