from pathlib import Path

import pytest

from vivid_data.formats.pairs import PairsFileError, read_pairs_file, write_pairs_file


def test_round_trip_and_comments(tmp_path: Path):
    path = write_pairs_file(tmp_path / "test_pairs.txt", [("1057795_detail.mp4", "1057795_in_xl.jpg")])
    assert path.read_text() == "1057795_detail.mp4 1057795_in_xl.jpg\n"
    path.write_text("# header\n\n1_detail.mp4 1_in_xl.jpg dresses\n" + path.read_text())
    lines = read_pairs_file(path)
    assert [(line.video, line.garment, line.category, line.line_no) for line in lines] == [
        ("1_detail.mp4", "1_in_xl.jpg", "dresses", 3),
        ("1057795_detail.mp4", "1057795_in_xl.jpg", None, 4),
    ]


def test_malformed_line_and_unknown_category_name_the_line(tmp_path: Path):
    path = tmp_path / "p.txt"
    path.write_text("a.mp4 b.jpg\nonly_one_field\n")
    with pytest.raises(PairsFileError, match=r"p\.txt:2: expected"):
        read_pairs_file(path)
    path.write_text("a.mp4 b.jpg shoes\n")
    with pytest.raises(PairsFileError, match=r"p\.txt:1: unknown category 'shoes'"):
        read_pairs_file(path)
    with pytest.raises(PairsFileError, match="not found"):
        read_pairs_file(tmp_path / "absent.txt")


def test_whitespace_in_names_is_refused(tmp_path: Path):
    with pytest.raises(PairsFileError, match="whitespace"):
        write_pairs_file(tmp_path / "p.txt", [("a b.mp4", "c.jpg")])
