"""One input contract for every metric: what a video may be, and the error for anything else.

Accepted: a numpy array or a torch tensor, uint8 (0-255) or float in [0, 1], frames last
(T, H, W, 3) or channels first (T, 3, H, W), one video or a batch (B, T, ...), each turned into
(T, H, W, 3) frames, the form the evaluator decodes and the metric cores take. Anything else
(floats outside [0, 1], such as the training loader's [-1, 1] clips; another number of channels;
an empty video) is a ``ValueError`` naming the caller's shape and dtype,
never a silently wrong number. :func:`from_loader` turns a loader clip into the accepted range.
Per-frame metrics keep float input as float (frames last, in [0, 1]: SSIM and LPIPS are not
rounded to 8 bits); the temporal metrics and the Frechet distances take uint8 (``quantize``).
"""

from __future__ import annotations

from typing import Any

import numpy as np

ACCEPTED = "uint8 or float in [0, 1]; (T, H, W, 3) or (T, 3, H, W); or a batch (B, T, ...) of those"


def _array(value: Any) -> np.ndarray:
    if hasattr(value, "detach"):  # a torch tensor, on any device
        value = value.detach().cpu().numpy()
    return np.asarray(value)


def _describe(array: np.ndarray, what: str) -> str:
    return f"{what}: got {array.dtype} of shape {tuple(array.shape)}"


def _one(array: np.ndarray, what: str, quantize: bool) -> np.ndarray:
    """(T, H, W, 3) frames of one video in any accepted form: uint8 as given, floats in [0, 1] as floats
    (or rounded to uint8 with ``quantize``)."""
    if array.shape[-1] == 3:
        frames_last = array
    elif array.shape[1] == 3:
        frames_last = np.moveaxis(array, 1, -1)
    else:
        raise ValueError(f"{_describe(array, what)}; no axis of 3 colour channels ({ACCEPTED})")
    if frames_last.size == 0 or 0 in frames_last.shape:
        raise ValueError(f"{_describe(array, what)}: an empty video")
    if frames_last.dtype == np.uint8:
        return np.ascontiguousarray(frames_last)
    if frames_last.dtype == bool or not np.issubdtype(frames_last.dtype, np.number):
        raise ValueError(f"{_describe(array, what)}; expected {ACCEPTED}")
    if np.issubdtype(frames_last.dtype, np.integer):
        raise ValueError(f"{_describe(array, what)}; integers must be uint8 (0-255), floats in [0, 1]")
    low, high = float(frames_last.min()), float(frames_last.max())
    if not (np.isfinite(low) and np.isfinite(high)) or low < 0 or high > 1:
        hint = (
            " (the training loader's clips are in [-1, 1]: vivid_eval.from_loader(clip) converts them)"
            if low < 0
            else " (0-255 values belong in a uint8 array)"
            if high > 1
            else ""
        )
        raise ValueError(
            f"{_describe(array, what)} with values in [{low:.3g}, {high:.3g}]; floats must be in [0, 1]{hint}"
        )
    if quantize:
        return np.ascontiguousarray(np.rint(frames_last.astype(np.float64) * 255).astype(np.uint8))
    return np.ascontiguousarray(frames_last, dtype=np.float64 if frames_last.dtype == np.float64 else np.float32)


def as_videos(value: Any, what: str = "video", quantize: bool = True) -> list[np.ndarray]:
    """(T, H, W, 3) videos from one video (4-D) or a batch (5-D) in any accepted form: uint8, or with
    ``quantize=False`` float input kept as float in [0, 1]."""
    array = _array(value)
    if array.ndim == 4:
        return [_one(array, what, quantize)]
    if array.ndim == 5:
        if array.shape[0] == 0:
            raise ValueError(f"{_describe(array, what)}: an empty batch")
        return [_one(video, f"{what}[{i}] of a batch {tuple(array.shape)}", quantize) for i, video in enumerate(array)]
    raise ValueError(f"{_describe(array, what)}; expected {ACCEPTED}")


def as_video(value: Any, what: str = "video") -> np.ndarray:
    """One uint8 (T, H, W, 3) video; a batch is refused (use :func:`as_videos`)."""
    videos = as_videos(value, what)
    if len(videos) != 1:
        raise ValueError(f"{what}: one video expected, got a batch of {len(videos)}")
    return videos[0]


def video_pairs(prediction: Any, reference: Any) -> list[tuple[np.ndarray, np.ndarray]]:
    """Matching (prediction, reference) (T, H, W, 3) videos from two inputs of the same size (floats kept)."""
    predictions = as_videos(prediction, "prediction", quantize=False)
    references = as_videos(reference, "reference", quantize=False)
    if len(predictions) != len(references):
        raise ValueError(f"{len(predictions)} prediction video(s) but {len(references)} reference video(s)")
    for i, (p, r) in enumerate(zip(predictions, references)):
        if p.shape != r.shape:
            where = f" (video {i} of the batch)" if len(predictions) > 1 else ""
            raise ValueError(
                f"prediction and reference differ{where}: {p.shape} vs {r.shape} as (T, H, W, 3) frames "
                f"(given {tuple(_array(prediction).shape)} and {tuple(_array(reference).shape)})"
            )
    return list(zip(predictions, references))


def from_loader(clip: Any) -> Any:
    """The training loader's clips are float in [-1, 1]; metrics take [0, 1]: ``(clip + 1) / 2``, clipped."""
    if hasattr(clip, "clamp"):
        return ((clip + 1) / 2).clamp(0, 1)
    return np.clip((np.asarray(clip) + 1) / 2, 0, 1)


MASKS_ACCEPTED = "bool, uint8 (> 127 is inside) or float in [0, 1] (> 0.5); (T, H, W), (T, H, W, 1) or (T, 1, H, W)"


def _one_mask(array: np.ndarray, what: str) -> np.ndarray:
    """(T, H, W) bool of one mask video in any accepted form."""
    if array.ndim == 4 and array.shape[-1] in (1, 3):
        array = array[..., 0]
    elif array.ndim == 4 and array.shape[1] == 1:
        array = array[:, 0]
    if array.ndim != 3 or array.size == 0:
        raise ValueError(f"{_describe(array, what)}; expected {MASKS_ACCEPTED}")
    if array.dtype == bool:
        return array
    if array.dtype == np.uint8:
        return array > 127
    if np.issubdtype(array.dtype, np.floating) and float(array.min()) >= 0 and float(array.max()) <= 1:
        return array > 0.5
    raise ValueError(f"{_describe(array, what)}; expected {MASKS_ACCEPTED}")


def as_masks(value: Any, videos: list[np.ndarray], what: str = "mask") -> list[np.ndarray]:
    """One (T, H, W) bool mask per video of ``videos`` (the generated region: the agnostic mask), of the same
    frames and size; a mask video decoded as (T, H, W, 3) uint8 is accepted as it comes."""
    array = _array(value)
    batched = array.ndim == 5 or (array.ndim == 4 and array.shape[-1] not in (1, 3) and array.shape[1] != 1)
    masks = [_one_mask(m, f"{what}[{i}]") for i, m in enumerate(array)] if batched else [_one_mask(array, what)]
    if len(masks) != len(videos):
        raise ValueError(f"{len(masks)} mask video(s) for {len(videos)} video(s)")
    for i, (mask, video) in enumerate(zip(masks, videos)):
        if mask.shape != video.shape[:3]:
            where = f" (video {i} of the batch)" if len(videos) > 1 else ""
            raise ValueError(f"{what}{where}: {mask.shape} as (T, H, W) does not match the video's {video.shape[:3]}")
    return masks
