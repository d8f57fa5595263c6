"""Read and write garment images and masks, with the same clear errors as for videos."""

from __future__ import annotations

import io
import os
import warnings
from pathlib import Path

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from vivid_data.atomic import atomic_write_bytes
from vivid_data.sniff import IMAGE_KINDS, sniff_bytes
from vivid_data.video.errors import MediaError, describe_source
from vivid_data.video.source import MediaSource, is_bytes

MASK_THRESHOLD = 127
#: images larger than this are refused before their pixels are decoded (a 20000x20000 PNG would take 1.2 GB)
MAX_IMAGE_PIXELS = 64_000_000
WHITE = (255, 255, 255)


def _open(source: MediaSource, name: str | None, max_pixels: int | None) -> tuple[Image.Image, str]:
    """The image with only its header read, after the cheap checks (missing, empty, not an image, too large)."""
    label = describe_source(source, name)
    if is_bytes(source):
        data = bytes(source)
    else:
        path = Path(source)
        if not path.is_file():
            raise MediaError(label, "missing", "no such file")
        data = path.read_bytes()
    if not data:
        raise MediaError(label, "empty", "0 bytes")
    kind = sniff_bytes(data[:64])
    if kind not in IMAGE_KINDS:
        what = "a video container" if kind and kind != "html" else ("an HTML document" if kind else "unrecognised")
        raise MediaError(label, "not_an_image", f"content is {what}")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)  # our own cap decides below
            image = Image.open(io.BytesIO(data))
    except Image.DecompressionBombError as exc:
        raise MediaError(label, "too_many_pixels", str(exc)) from exc
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise MediaError(label, "truncated", f"image data incomplete or corrupt: {exc}") from exc
    width, height = image.size
    if max_pixels is not None and width * height > max_pixels:
        raise MediaError(
            label, "too_many_pixels", f"{width}x{height} = {width * height} pixels, more than the cap of {max_pixels}"
        )
    return image, label


def _load(source: MediaSource, name: str | None, max_pixels: int | None = MAX_IMAGE_PIXELS) -> Image.Image:
    image, label = _open(source, name, max_pixels)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            image.load()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise MediaError(label, "truncated", f"image data incomplete or corrupt: {exc}") from exc
    return ImageOps.exif_transpose(image)


def has_alpha(image: Image.Image) -> bool:
    return image.mode in ("RGBA", "LA", "PA", "RGBa", "La") or (image.mode == "P" and "transparency" in image.info)


def _eight_bit(image: Image.Image) -> Image.Image:
    """16-bit and 32-bit grey images scaled to 8 bits: PIL's own conversion clips them, so a 16-bit PNG
    garment (values up to 65,535) would come out all white."""
    if image.mode not in ("I;16", "I;16L", "I;16B", "I;16N", "I", "F"):
        return image
    values = np.asarray(image, dtype=np.float64)
    top = 65535.0 if image.mode.startswith("I;16") or (image.mode == "I" and values.max(initial=0) > 255) else 255.0
    if image.mode == "F":
        top = max(1.0, float(values.max(initial=0))) if values.max(initial=0) > 1 else 1.0
    return Image.fromarray(np.clip(np.rint(values / top * 255), 0, 255).astype(np.uint8), mode="L")


def _rgb(image: Image.Image) -> Image.Image:
    """RGB with transparent pixels composited on white (a product cut-out on a white page), not black."""
    image = _eight_bit(image)
    if not has_alpha(image):
        return image.convert("RGB")
    rgba = image.convert("RGBA")
    background = Image.new("RGBA", rgba.size, (*WHITE, 255))
    return Image.alpha_composite(background, rgba).convert("RGB")


def read_image(source: MediaSource, name: str | None = None) -> np.ndarray:
    """Decode an image as uint8 RGB (H, W, 3), honouring EXIF orientation; transparency becomes white."""
    return np.asarray(_rgb(_load(source, name)))


def read_mask(source: MediaSource, name: str | None = None, threshold: int = MASK_THRESHOLD) -> np.ndarray:
    """Decode a mask image as bool (H, W): True where the grey level exceeds ``threshold``.

    The threshold matters for JPEG masks (ViViD's ``cloth_mask``), whose edges are not binary.
    """
    return np.asarray(_eight_bit(_load(source, name)).convert("L")) > threshold


def encode_image(array: np.ndarray, fmt: str = "JPEG", quality: int = 95) -> bytes:
    """Encode uint8 RGB (H, W, 3), grey (H, W) or bool (H, W) as image bytes."""
    data = np.asarray(array)
    if data.dtype == bool:
        data = data.astype(np.uint8) * 255
    if data.dtype != np.uint8 or data.ndim not in (2, 3):
        raise ValueError(f"expected uint8 (H, W[, 3]) or bool (H, W), got {data.dtype} {data.shape}")
    buffer = io.BytesIO()
    options = {"quality": quality} if fmt.upper() in ("JPEG", "WEBP") else {}
    Image.fromarray(data).save(buffer, format=fmt, **options)
    return buffer.getvalue()


def write_image(path: str | os.PathLike, array: np.ndarray, quality: int = 95) -> Path:
    """Write an image atomically; the format follows the suffix (.jpg, .png, .webp)."""
    suffix = Path(path).suffix.lower()
    formats = {".jpg": "JPEG", ".jpeg": "JPEG", ".png": "PNG", ".webp": "WEBP"}
    if suffix not in formats:
        raise ValueError(f"{path}: unsupported image suffix {suffix!r}; use one of {sorted(formats)}")
    return atomic_write_bytes(path, encode_image(array, formats[suffix], quality))


def image_size(
    source: MediaSource, name: str | None = None, max_pixels: int | None = MAX_IMAGE_PIXELS, verify: bool = True
) -> tuple[int, int]:
    """(width, height) of an image after EXIF orientation.

    The size is read from the header first: an image over ``max_pixels`` raises ``MediaError``
    (``too_many_pixels``) before any pixel is decoded. ``verify`` then decodes the pixels to
    catch truncated files.
    """
    image, label = _open(source, name, max_pixels)
    width, height = image.size
    if verify:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", Image.DecompressionBombWarning)
                image.load()
        except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
            raise MediaError(label, "truncated", f"image data incomplete or corrupt: {exc}") from exc
    try:
        orientation = image.getexif().get(0x0112, 1)
    except Exception:
        orientation = 1
    return (height, width) if orientation in (5, 6, 7, 8) else (width, height)
