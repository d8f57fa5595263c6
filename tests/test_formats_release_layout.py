import shutil
from pathlib import Path

import pandas as pd
import pytest

from conftest import import_folder
from vivid_data.formats.release_layout import ExportError, export_release_layout, scan_release_layout
from vivid_data.store import ContentStore


def test_scan_generated_release_layout(small_example: Path):
    scan = scan_release_layout(small_example)
    assert scan.problems == [] and scan.unpaired == []
    assert len(scan.pairs) == 6
    assert {p.category for p in scan.pairs} == {"upper_body", "lower_body", "dresses"}
    assert sorted(p.split for p in scan.pairs) == ["test"] * 3 + ["train"] * 3
    first = scan.pairs[0]
    assert set(first.extras) == {"agnostic", "agnostic_mask", "densepose", "garment_mask"}
    assert first.provenance["license"] == "CC0-1.0"


def copy_of(folder: Path, tmp_path: Path) -> Path:
    target = tmp_path / "copy"
    shutil.copytree(folder, target)
    return target


def test_missing_and_unpaired_files_are_named(small_example: Path, tmp_path: Path):
    root = copy_of(small_example, tmp_path)
    (root / "upper_body" / "videos" / "9100001_detail.mp4").unlink()
    (root / "dresses" / "videos" / "extra_detail.mp4").write_bytes(b"x")
    with open(root / "lower_body" / "test_pairs.txt", "a") as handle:
        handle.write("9100004_detail.mp4 missing_in_xl.jpg\n")
    scan = scan_release_layout(root)
    assert scan.problems == [
        "upper_body/train_pairs.txt:1: missing upper_body/videos/9100001_detail.mp4",
        "lower_body/test_pairs.txt:2: missing lower_body/images/missing_in_xl.jpg",
    ]
    assert scan.unpaired == ["dresses/videos/extra_detail.mp4"]
    assert len(scan.pairs) == 5


def test_unknown_category_folder_is_an_error(small_example: Path, tmp_path: Path):
    root = copy_of(small_example, tmp_path)
    (root / "shoes" / "videos").mkdir(parents=True)
    with pytest.raises(ValueError, match=r"unknown category folder\(s\) \['shoes'\]"):
        scan_release_layout(root)


def test_export_then_reimport_gives_the_same_manifest(small_example: Path, tmp_path: Path):
    store = ContentStore(tmp_path / "work" / "store")
    first, _ = import_folder(small_example, tmp_path / "work")
    exported = export_release_layout(first, store, tmp_path / "export")
    assert sorted(p.name for p in exported.iterdir()) == ["dresses", "lower_body", "metadata.jsonl", "upper_body"]
    assert (exported / "upper_body" / "test_pairs.txt").read_text() == "9100002_detail.mp4 9100002_in_xl.jpg\n"
    second, _ = import_folder(exported, tmp_path / "work2")
    location_free = [c for c in first.columns if c not in ("video_url", "garment_url", "stages", "candidate_id", "origin")]
    key = ["sample_id"]
    pd.testing.assert_frame_equal(
        first.sort_values(key).reset_index(drop=True)[location_free],
        second.sort_values(key).reset_index(drop=True)[location_free],
    )


def test_export_keeps_provenance_and_refuses_non_empty_target(small_example: Path, tmp_path: Path):
    store = ContentStore(tmp_path / "work" / "store")
    frame, _ = import_folder(small_example, tmp_path / "work")
    frame["video_url"] = "https://shop.example/v/" + frame["product_id"] + ".mp4"
    exported = export_release_layout(frame, store, tmp_path / "export")
    again, _ = import_folder(exported, tmp_path / "work2")
    assert set(again["video_url"]) == set(frame["video_url"])
    with pytest.raises(FileExistsError, match="not empty"):
        export_release_layout(frame, store, exported)


def test_failed_export_leaves_nothing(small_example: Path, tmp_path: Path):
    store = ContentStore(tmp_path / "work" / "store")
    frame, _ = import_folder(small_example, tmp_path / "work")
    frame.loc[1, "video_name"] = frame.loc[0, "video_name"]  # two different videos under one name
    frame.loc[1, "category"] = frame.loc[0, "category"]
    with pytest.raises(ExportError, match="conflicts"):
        export_release_layout(frame, store, tmp_path / "export")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["work"]
