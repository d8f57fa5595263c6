import shutil
from pathlib import Path

from vivid_data.formats.release_layout import scan_release_layout
from vivid_data.ingest_folder import config_hash, ingest_scan
from vivid_data.store import ContentStore


def test_ingest_records_facts_keys_and_provenance(small_example: Path, tmp_path: Path):
    store = ContentStore(tmp_path / "store")
    result = ingest_scan(scan_release_layout(small_example), store, {"a": 1}, progress=False)
    assert len(result.records) == 6 and result.duplicates == []
    record = result.records[0]
    assert record.status == "ok" and record.reason is None
    assert (record.num_frames, record.width, record.height, record.fps) == (12, 96, 128, 24.0)
    assert (record.garment_width, record.garment_height) == (96, 128)
    for modality in ("video", "garment", "agnostic", "agnostic_mask", "densepose", "garment_mask"):
        assert store.has(getattr(record, modality)), modality
    assert record.video_url.startswith("file://") and record.license == "CC0-1.0"
    assert record.stages["ingest"]["config_hash"] == config_hash({"a": 1})
    assert result.bytes_stored > 0


def test_corrupt_and_wrong_type_files_become_rejections(small_example: Path, tmp_path: Path):
    root = tmp_path / "copy"
    shutil.copytree(small_example, root)
    video = root / "upper_body" / "videos" / "9100001_detail.mp4"
    video.write_bytes(video.read_bytes()[:2000])  # truncated
    garment = root / "lower_body" / "images" / "9100003_in_xl.jpg"
    garment.write_bytes(b"")  # zero bytes
    jpeg_as_video = root / "dresses" / "videos" / "9100005_detail.mp4"
    jpeg_as_video.write_bytes((root / "dresses" / "images" / "9100005_in_xl.jpg").read_bytes())
    result = ingest_scan(scan_release_layout(root), ContentStore(tmp_path / "store"), {}, progress=False)
    by_name = {r.video_name: r for r in result.records}
    assert len(result.records) == 6
    assert (by_name["9100001_detail.mp4"].status, by_name["9100001_detail.mp4"].reason) == ("rejected", "video_truncated")
    assert by_name["9100003_detail.mp4"].reason == "garment_empty"
    rejected = by_name["9100005_detail.mp4"]
    assert rejected.reason == "video_not_a_video"
    assert "JPEG" in rejected.stages["ingest"]["detail"] and "9100005_detail.mp4" in rejected.stages["ingest"]["detail"]
    assert sum(r.status == "ok" for r in result.records) == 3


def test_same_pair_twice_is_kept_once_and_leakage_named(small_example: Path, tmp_path: Path):
    root = tmp_path / "copy"
    shutil.copytree(small_example, root)
    train = (root / "upper_body" / "train_pairs.txt").read_text()
    with open(root / "upper_body" / "test_pairs.txt", "a") as handle:
        handle.write(train)
    result = ingest_scan(scan_release_layout(root), ContentStore(tmp_path / "store"), {}, progress=False)
    assert len(result.records) == 6
    assert len(result.duplicates) == 1 and "leakage" in result.duplicates[0]
