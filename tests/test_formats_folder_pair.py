from pathlib import Path

import pytest

from vivid_data.formats.folder_pair import FolderImportError, FolderScan, product_id_from_name


def test_product_id_from_vivid_names():
    assert product_id_from_name("1057795_detail.mp4") == "1057795"
    assert product_id_from_name("1057795_in_xl.jpg") == "1057795"
    assert product_id_from_name("upper1.mp4") == "upper1"


def test_problems_raise_with_every_name(tmp_path: Path):
    scan = FolderScan(root=tmp_path, layout="release", problems=[f"line {i}: missing x{i}.mp4" for i in range(25)])
    with pytest.raises(FolderImportError) as info:
        scan.raise_if_problems()
    assert "25 problem(s)" in str(info.value) and "x0.mp4" in str(info.value) and "5 more" in str(info.value)
    assert len(info.value.problems) == 25
    FolderScan(root=tmp_path, layout="release").raise_if_problems()
