from pathlib import Path

import pytest

from vivid_data.sniff import sniff_bytes, sniff_file


@pytest.mark.parametrize(
    "head, kind",
    [
        (b"\x00\x00\x00\x20ftypisom\x00\x00\x02\x00", "mp4"),
        (b"\x00\x00\x00\x14ftypqt  \x00\x00\x00\x00", "mov"),
        (b"\x1aE\xdf\xa3\x9fB\x86\x81\x01webm", "webm"),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF", "jpeg"),
        (b"\x89PNG\r\n\x1a\n\x00\x00", "png"),
        (b"RIFF\x00\x00\x00\x00WEBPVP8 ", "webp"),
        (b"GIF89a\x01\x00", "gif"),
        (b"  <!DOCTYPE html><html>", "html"),
        (b"<html><body>video</body>", "html"),
        (b"\x00\x01\x02\x03random", None),
        (b"", None),
    ],
)
def test_sniff_bytes(head: bytes, kind):
    assert sniff_bytes(head) == kind


def test_sniff_real_files(vivid_samples: Path):
    assert sniff_file(vivid_samples / "videos" / "upper1.mp4") == "mp4"
    assert sniff_file(vivid_samples / "cloth" / "00057_00.jpg") == "jpeg"
