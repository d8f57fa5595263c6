"""Reference | prediction | difference strips."""

from pathlib import Path

import cv2
import numpy as np

from vivid_eval.strips import DIFFERENCE_GAIN, make_strip, strip_frame_indices, write_strip


def test_frame_choice_and_layout(rgb_clip: np.ndarray, tmp_path: Path):
    assert strip_frame_indices(8) == [0, 2, 5, 7] and strip_frame_indices(1) == [0]
    same = make_strip(rgb_clip, rgb_clip)
    h, w = rgb_clip.shape[1:3]
    assert same.shape == (3 * h, 4 * w, 3)
    assert np.array_equal(same[:h], same[h : 2 * h]) and not same[2 * h :].any()  # no difference: a black row
    brighter = np.clip(rgb_clip.astype(int) + 10, 0, 255).astype(np.uint8)
    difference_row = make_strip(rgb_clip, brighter)[2 * h :]
    assert difference_row.max() == 10 * DIFFERENCE_GAIN
    path = write_strip(tmp_path / "strips" / "x.jpg", rgb_clip, brighter)
    assert cv2.imread(str(path)).shape == same.shape


def test_wide_frames_are_shrunk():
    frames = np.zeros((3, 100, 512, 3), np.uint8)
    assert make_strip(frames, frames).shape == (3 * 19, 3 * 96, 3)  # 96-pixel thumbnails
