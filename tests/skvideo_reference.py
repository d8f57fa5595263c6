"""scikit-video as an independent SSIM reference for the tests (its implementation, not ours).

scikit-video 1.1.11 still calls ``np.int`` and ``np.float``, which NumPy 2 removed; this adapter
restores them (as the built-in types they aliased) before importing it, and is the only place
that does. Its ``niqe`` needs ``scipy.misc.imresize`` and cannot run at all: we do not use it.
"""

import warnings

import numpy as np

for _name, _type in (("int", int), ("float", float), ("bool", bool)):
    if not hasattr(np, _name):
        setattr(np, _name, _type)

with warnings.catch_warnings():  # its scipy.misc import is deprecated; nothing of it is used here
    warnings.simplefilter("ignore", DeprecationWarning)
    import skvideo.measure


def skvideo_ssim(reference: np.ndarray, distorted: np.ndarray) -> np.ndarray:
    """Per-frame SSIM of grey (T, H, W) uint8 videos as scikit-video computes it, without its
    distance-based downsampling (``scaleFix=False``): Gaussian window 11 / sigma 1.5, K 0.01 / 0.03,
    range 255, the 5-pixel border cropped."""
    return skvideo.measure.ssim(reference[..., None], distorted[..., None], scaleFix=False)
