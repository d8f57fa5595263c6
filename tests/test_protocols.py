import numpy as np
import pytest

from vivid_eval.protocols import CATV2TON_COMPAT, PROTOCOLS, VIVID_V1, Protocol, clip_windows, prepare_clip


def test_windows():
    assert clip_windows(35, VIVID_V1) == [list(range(0, 10)), list(range(10, 20)), list(range(20, 30))]
    assert clip_windows(35, CATV2TON_COMPAT) == [list(range(10))] * 3
    assert clip_windows(9, VIVID_V1) == []


def test_colour_order_resize_and_range():
    frames = np.zeros((10, 64, 48, 3), np.uint8)
    frames[..., 0] = 255  # pure red
    ours, compat = prepare_clip(frames, VIVID_V1), prepare_clip(frames, CATV2TON_COMPAT)
    assert ours.shape == compat.shape == (3, 10, 224, 224)
    assert ours[0].min() == 1.0 and ours[2].max() == -1.0      # red stays in channel 0
    assert compat[2].min() == 1.0 and compat[0].max() == -1.0  # BGR: red lands in channel 2
    stripes = np.zeros((10, 672, 672, 3), np.uint8)
    stripes[:, :, ::3] = 255  # one-pixel stripes every 3: antialiasing averages them, plain bilinear samples them
    # a third of the image is white: the antialiased resize keeps that brightness (-1/3 in [-1, 1]),
    # the resize without antialiasing samples between the stripes and loses it (aliasing)
    assert prepare_clip(stripes, VIVID_V1).mean().item() == pytest.approx(-1 / 3, abs=0.05)
    assert abs(prepare_clip(stripes, CATV2TON_COMPAT).mean().item() + 1 / 3) > 0.3


def test_records_and_validation():
    assert set(PROTOCOLS) == {"vivid_v1", "catv2ton_compat"}
    assert VIVID_V1.record()["id"] == "vivid_v1" and CATV2TON_COMPAT.record()["windows"] == "first_repeated"
    with pytest.raises(ValueError):
        Protocol("x", 1, colour="yuv")
