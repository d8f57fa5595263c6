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
    location_free = [
        c for c in first.columns if c not in ("video_url", "garment_url", "stages", "candidate_id", "origin")
    ]
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
    store.path(frame.loc[2, "video"]).unlink()  # a store object lost
    with pytest.raises(ExportError, match=f"{frame.loc[2, 'sample_id']}: video .* is not in the store"):
        export_release_layout(frame, store, tmp_path / "export")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["work"]


def test_same_names_of_different_content_get_unique_names(small_example: Path, tmp_path: Path):
    """Two shops' products both called video.mp4 / image.jpg: two files each, the pairs say which is which."""
    store = ContentStore(tmp_path / "work" / "store")
    frame, _ = import_folder(small_example, tmp_path / "work")
    frame["category"] = "dresses"
    frame["video_name"] = "video.mp4"
    frame["garment_name"] = "../../image.png"  # a crafted name: must stay inside the export
    exported = export_release_layout(frame, store, tmp_path / "export")
    videos = sorted((exported / "dresses" / "videos").iterdir())
    garments = sorted((exported / "dresses" / "images").iterdir())
    assert len(videos) == len(frame) and all(p.name.startswith("video-") for p in videos)
    assert len(garments) == len(frame) and all(p.name.startswith("image-") and p.suffix == ".jpg" for p in garments)
    assert not (tmp_path / "image.png").exists() and not list(tmp_path.glob("*.jpg"))
    lines = [
        line.split() for path in (exported / "dresses").glob("*_pairs.txt") for line in path.read_text().splitlines()
    ]
    by_video = {v: g for v, g in lines}
    for row in frame.itertuples():
        name = next(p.name for p in videos if p.read_bytes() == store.read_bytes(row.video))
        assert (exported / "dresses" / "images" / by_video[name]).read_bytes()[:3] == b"\xff\xd8\xff"
    again, _ = import_folder(exported, tmp_path / "work2")
    assert sorted(again["sample_id"]) == sorted(frame["sample_id"])


def test_pairs_lines_that_leave_the_folder_are_refused_not_read(small_example: Path, tmp_path: Path):
    """'../' lines, absolute paths and symlinks out of the folder: a problem each, nothing imported from outside."""
    root = copy_of(small_example, tmp_path)
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text("not a video")
    garment = next((root / "lower_body" / "images").iterdir()).name
    link = root / "lower_body" / "videos" / "link_detail.mp4"
    link.symlink_to(outside / "secret.txt")
    with open(root / "lower_body" / "test_pairs.txt", "a") as handle:
        handle.write(f"../../../outside/secret.txt {garment}\n")
        handle.write(f"{outside / 'secret.txt'} {garment}\n")
        handle.write(f"link_detail.mp4 {garment}\n")
        handle.write("9100004_detail.mp4 ../../../outside/secret.txt\n")
    scan = scan_release_layout(root)
    escaped = [p for p in scan.problems if "resolves outside" in p]
    assert len(escaped) == 4 and all("refused" in p for p in escaped)
    assert "lower_body/test_pairs.txt:2: '../../../outside/secret.txt' resolves outside" in escaped[0]
    assert not any(str(outside) in str(p.video) or str(outside) in str(p.garment) for p in scan.pairs)
    assert len(scan.pairs) == 6
