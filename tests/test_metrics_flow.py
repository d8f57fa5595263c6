"""Optical flow for the warping error: OpenCV estimators follow a known shift; RAFT loads strictly from a file."""

import re
from pathlib import Path

import numpy as np
import pytest
import torch

from vivid_data.weights import WeightsUnavailable
from vivid_eval.metrics.flow import FlowConfig, RaftFlow, load_raft, pair_flows


def textured(shift: int = 0, size: tuple[int, int] = (96, 128)) -> np.ndarray:
    """A smooth random texture, moved ``shift`` pixels to the right."""
    rng = np.random.default_rng(0)
    import cv2

    base = cv2.GaussianBlur(rng.uniform(0, 255, (size[0], size[1] + 16)).astype(np.float32), (0, 0), 2.0)
    base = cv2.normalize(base, None, 0, 255, cv2.NORM_MINMAX).astype(np.uint8)
    grey = base[:, 8 - shift : 8 - shift + size[1]]
    return np.repeat(grey[..., None], 3, axis=-1)


@pytest.mark.parametrize("method", ["farneback", "dis"])
def test_opencv_flow_follows_a_known_shift(method: str):
    frames = np.stack([textured(0), textured(3)])
    [(forward, backward)] = pair_flows(frames, FlowConfig(method=method))
    centre = (slice(24, 72), slice(32, 96))
    assert forward.shape == (96, 128, 2) and forward.dtype == np.float32
    assert np.median(forward[centre][..., 0]) == pytest.approx(3.0, abs=0.3)
    assert np.median(backward[centre][..., 0]) == pytest.approx(-3.0, abs=0.3)
    assert np.abs(np.median(forward[centre][..., 1])) < 0.3


def test_thread_pool_gives_the_serial_result():
    frames = np.stack([textured(s) for s in (0, 2, 3, 5)])
    serial = pair_flows(frames, FlowConfig(workers=1))
    pooled = pair_flows(frames, FlowConfig(workers=2))
    for (a, b), (c, d) in zip(serial, pooled):
        assert np.array_equal(a, c) and np.array_equal(b, d)


def test_config_rejects_unknown_method():
    with pytest.raises(ValueError, match="flow method"):
        FlowConfig(method="lucas-kanade")
    assert FlowConfig().record() == {"method": "farneback"}
    assert FlowConfig(method="raft", raft_variant="small").record() == {"method": "raft", "raft_variant": "small"}


def test_raft_loads_strictly_and_pads_odd_sizes(tmp_path: Path):
    from torchvision.models.optical_flow import raft_small

    torch.manual_seed(0)
    path = tmp_path / "raft_small.pth"
    torch.save({f"module.{k}": v for k, v in raft_small(weights=None).state_dict().items()}, path)
    model = load_raft("small", path)
    model.num_flow_updates = 2  # few refinement steps keep the test fast; the shapes are what is checked
    frames = np.stack([textured(s, size=(70, 90)) for s in (0, 2, 4)])
    flows = pair_flows(frames, FlowConfig(method="raft", raft_variant="small"), RaftFlow(model))
    assert len(flows) == 2 and flows[0][0].shape == (70, 90, 2) and flows[0][1].dtype == np.float32

    wrong = tmp_path / "wrong.pth"
    torch.save({"conv.weight": torch.zeros(1)}, wrong)
    with pytest.raises(ValueError, match=re.escape("wrong.pth: not a RAFT-small state dict")):
        load_raft("small", wrong)


def test_raft_without_weights_names_the_fix(tmp_path: Path, monkeypatch):
    monkeypatch.setenv("VIVID_HOME", str(tmp_path))
    with pytest.raises(WeightsUnavailable, match="vivid-weights fetch raft_large"):
        load_raft("large")
