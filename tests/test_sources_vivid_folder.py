import shutil
from pathlib import Path

import pytest

from vivid_data.formats.folder_pair import FolderImportError
from vivid_data.sources.vivid_folder import VividFolderSource


def test_auto_detects_both_layouts(small_example: Path, vivid_samples: Path, tmp_path: Path):
    assert VividFolderSource(path=str(small_example)).detect_layout() == "release"
    pairs = tmp_path / "pairs.txt"
    pairs.write_text("upper1.mp4 00057_00.jpg\n")
    source = VividFolderSource(path=str(vivid_samples), pairs=str(pairs))
    assert source.detect_layout() == "inference" and len(source.scan().pairs) == 1


def test_missing_file_stops_the_scan_or_is_listed(small_example: Path, tmp_path: Path):
    root = tmp_path / "copy"
    shutil.copytree(small_example, root)
    (root / "dresses" / "images" / "9100005_in_xl.jpg").unlink()
    with pytest.raises(FolderImportError, match=r"dresses/train_pairs.txt:1: missing dresses/images/9100005_in_xl.jpg"):
        VividFolderSource(path=str(root)).scan()
    scan = VividFolderSource(path=str(root), on_missing="skip").scan()
    assert len(scan.pairs) == 5 and len(scan.problems) == 1


def test_configuration_errors(tmp_path: Path):
    with pytest.raises(ValueError, match="needs a folder"):
        VividFolderSource(path=None)
    with pytest.raises(ValueError, match="layout"):
        VividFolderSource(path=str(tmp_path), layout="zip")
    with pytest.raises(FileNotFoundError, match="not found"):
        VividFolderSource(path=str(tmp_path / "absent")).scan()
    with pytest.raises(ValueError, match="neither ViViD layout"):
        VividFolderSource(path=str(tmp_path)).scan()


def test_setting_from_the_names_or_as_told(small_example: Path, vivid_samples: Path, tmp_path: Path):
    """ViViD names a video and its own garment by one product id: paired; the official examples dress
    upper1.mp4 in 00057_00.jpg: unpaired. source.setting overrides."""
    from vivid_data.sources.vivid_folder import VividFolderSource

    with VividFolderSource(path=str(small_example)).open() as found:
        assert set(found.candidates["setting"]) == {"paired"}
    pairs = tmp_path / "pairs.txt"
    pairs.write_text("upper1.mp4 00057_00.jpg upper_body\n")
    with VividFolderSource(path=str(vivid_samples), pairs=str(pairs)).open() as found:
        assert list(found.candidates["setting"]) == ["unpaired"]
    with VividFolderSource(path=str(vivid_samples), pairs=str(pairs), setting="paired").open() as found:
        assert list(found.candidates["setting"]) == ["paired"]
    with pytest.raises(ValueError, match=r"source\.setting must be one of"):
        VividFolderSource(path=str(small_example), setting="both")


def test_a_generic_folder_name_takes_its_parents(tmp_path: Path):
    from vivid_data.sources.vivid_folder import VividFolderSource

    for folder, expected in (("ViViD/data", "ViViD-data"), ("ViViD", "ViViD"), ("shop/videos", "shop-videos")):
        (tmp_path / folder).mkdir(parents=True, exist_ok=True)
        assert VividFolderSource(path=str(tmp_path / folder)).dataset_name == expected
