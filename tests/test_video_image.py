import re
from pathlib import Path

import numpy as np
import pytest
from mediafaults import png_claiming, rgba_png

from vivid_data.video import MediaError, encode_image, image_size, read_image, read_mask, write_image


def test_read_real_garment_and_mask(vivid_samples: Path):
    image = read_image(vivid_samples / "cloth" / "00057_00.jpg")
    assert image.shape == (1024, 768, 3) and image.dtype == np.uint8
    mask = read_mask(vivid_samples / "cloth_mask" / "00057_00.jpg")
    assert mask.shape == (1024, 768) and mask.dtype == bool
    assert 0.1 < mask.mean() < 0.9
    assert image_size(vivid_samples / "cloth" / "00057_00.jpg") == (768, 1024)


def test_png_round_trip_is_exact(tmp_path: Path):
    rng = np.random.default_rng(1)
    image = (rng.random((20, 30, 3)) * 255).astype(np.uint8)
    np.testing.assert_array_equal(read_image(write_image(tmp_path / "a.png", image)), image)
    mask = rng.random((20, 30)) > 0.5
    np.testing.assert_array_equal(read_mask(write_image(tmp_path / "m.png", mask)), mask)


def test_bytes_equal_path(vivid_samples: Path):
    path = vivid_samples / "cloth" / "051985_1.jpg"
    np.testing.assert_array_equal(read_image(path.read_bytes()), read_image(path))


@pytest.mark.parametrize(
    "content, problem",
    [(b"", "empty"), (b"<html>nope</html>", "not_an_image"), (b"\x00\x00\x00\x18ftypmp42xxxx", "not_an_image")],
)
def test_bad_images(tmp_path: Path, content: bytes, problem: str):
    path = tmp_path / "garment.jpg"
    path.write_bytes(content)
    with pytest.raises(MediaError) as info:
        read_image(path)
    assert info.value.problem == problem and "garment.jpg" in str(info.value)


def test_truncated_jpeg_and_missing(tmp_path: Path):
    data = encode_image(np.full((64, 64, 3), 100, np.uint8))
    path = tmp_path / "cut.jpg"
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(MediaError, match=re.escape("cut.jpg: truncated")):
        read_image(path)
    with pytest.raises(MediaError, match="missing"):
        read_image(tmp_path / "absent.jpg")


def test_unknown_suffix(tmp_path: Path):
    with pytest.raises(ValueError, match="suffix"):
        write_image(tmp_path / "a.tiff", np.zeros((2, 2, 3), np.uint8))


def test_transparent_cut_out_is_composited_on_white():
    rgb = np.full((40, 30, 3), (200, 30, 30), np.uint8)
    alpha = np.zeros((40, 30), np.uint8)
    alpha[10:30, 8:22] = 255
    image = read_image(rgba_png(rgb, alpha))
    assert (image[0, 0] == 255).all() and (image[20, 15] == (200, 30, 30)).all()


def test_huge_image_is_refused_from_its_header():
    """A 20000x20000 PNG is never decoded (1.2 GB of RGB): the header alone decides."""
    with pytest.raises(MediaError) as info:
        image_size(png_claiming(20000, 20000), name="huge.png")
    assert info.value.problem == "too_many_pixels" and "huge.png" in str(info.value)
    with pytest.raises(MediaError, match="more than the cap of 1000000"):
        image_size(png_claiming(2000, 1000), name="big.png", max_pixels=1_000_000)
    with pytest.raises(MediaError) as info:
        read_image(png_claiming(9000, 9000))
    assert info.value.problem == "too_many_pixels"
    assert image_size(png_claiming(300, 200), verify=False) == (300, 200)


def test_a_sixteen_bit_grey_png_keeps_its_tones():
    """PIL's own conversion clips 16-bit values: the garment would be all white and rejected as blank."""
    import io

    from PIL import Image

    ramp = np.linspace(0, 65535, 64 * 48).reshape(64, 48).astype(np.uint16)
    buffer = io.BytesIO()
    Image.fromarray(ramp).save(buffer, "PNG")
    image = read_image(buffer.getvalue())
    assert image.shape == (64, 48, 3) and image.dtype == np.uint8
    assert image[0, 0, 0] == 0 and image[-1, -1, 0] == 255 and 120 < image.mean() < 135
    assert np.abs(image[..., 0].astype(int) - np.rint(ramp / 257).astype(int)).max() <= 1
    assert read_mask(buffer.getvalue()).mean() == pytest.approx(0.5, abs=0.02)
