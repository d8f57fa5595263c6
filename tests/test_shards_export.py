import re
from pathlib import Path

import pandas as pd
import pytest
from conftest import import_folder

from vivid_data.formats.release_layout import export_release_layout
from vivid_data.shards.export import export_shards
from vivid_data.shards.writer import ShardConfig, write_dataset
from vivid_data.store import ContentStore
from vivid_data.video import encode_image, read_mask


def test_export_then_reimport_round_trips(small_example: Path, tmp_path: Path):
    frame, _ = import_folder(small_example, tmp_path / "work")
    index = write_dataset(
        frame, ContentStore(tmp_path / "work" / "store"), ShardConfig(out_dir=str(tmp_path / "ds")), progress=False
    )
    exported = export_shards(index, tmp_path / "released")
    assert (exported / "dresses" / "test_pairs.txt").read_text() == "9100006_detail.mp4 9100006_in_xl.jpg\n"
    assert (exported / "upper_body" / "densepose" / "9100001_detail.mp4").is_file()
    again, _ = import_folder(exported, tmp_path / "work2")
    columns = [
        "sample_id",
        "category",
        "split",
        "video_name",
        "garment_name",
        "video_sha256",
        "garment_sha256",
        "num_frames",
        "width",
        "height",
        "license",
        "product_id",
    ]
    pd.testing.assert_frame_equal(
        frame.sort_values("sample_id")[columns].reset_index(drop=True),
        again.sort_values("sample_id")[columns].reset_index(drop=True),
    )
    with pytest.raises(FileExistsError):
        export_shards(index, exported)


def read_like_the_official_loaders(root: Path) -> int:
    """What ViViD's data code does with the released layout: every pairs line names files that decord
    (videos, agnostic masks, DensePose) and PIL (JPEG garments and masks) open. Returns pairs read."""
    import decord
    from PIL import Image

    count = 0
    for category in ("upper_body", "lower_body", "dresses"):
        for pairs in sorted((root / category).glob("*_pairs.txt")):
            for line in pairs.read_text().splitlines():
                video, garment = line.split()
                frames = len(decord.VideoReader(str(root / category / "videos" / video)))
                for folder in ("agnostic_mask", "densepose", "agnostic"):
                    path = root / category / folder / video
                    if path.exists():
                        assert len(decord.VideoReader(str(path))) == frames, path
                for folder in ("images", "cloth_mask"):
                    with Image.open(root / category / folder / garment) as image:
                        assert image.format == "JPEG", (folder, garment)
                        image.load()
                count += 1
    return count


def test_exports_are_read_by_the_official_layout_readers(small_example: Path, tmp_path: Path):
    frame, _ = import_folder(small_example, tmp_path / "work")
    store = ContentStore(tmp_path / "work" / "store")
    frame["garment_mask"] = [
        store.put_bytes(encode_image(read_mask(store.path(k)), "PNG"), "png").key for k in frame["garment_mask"]
    ]  # PNG masks, as the parse stage writes them
    index = write_dataset(frame, store, ShardConfig(out_dir=str(tmp_path / "ds")), progress=False)
    assert read_like_the_official_loaders(export_shards(index, tmp_path / "from_shards")) == 6
    assert read_like_the_official_loaders(export_release_layout(frame, store, tmp_path / "from_manifest")) == 6


def test_same_file_names_in_shards_are_exported_apart_and_crafted_names_stay_inside(
    small_example: Path, tmp_path: Path
):
    frame, _ = import_folder(small_example, tmp_path / "work")
    frame["category"] = "upper_body"
    frame["video_name"] = "video.mp4"
    frame["garment_name"] = "../../../escape.jpg"
    index = write_dataset(
        frame,
        ContentStore(tmp_path / "work" / "store"),
        ShardConfig(out_dir=str(tmp_path / "ds"), split_mode="keep"),
        progress=False,
    )
    exported = export_shards(index, tmp_path / "out" / "released")
    videos = sorted(p.name for p in (exported / "upper_body" / "videos").iterdir())
    assert len(videos) == 6 and all(name.startswith("video-") for name in videos)
    assert not list((tmp_path / "out").glob("*.jpg")) and not (tmp_path / "escape.jpg").exists()
    assert read_like_the_official_loaders(exported) == 6


def test_a_crafted_member_name_is_refused(tmp_path: Path):
    import io
    import tarfile

    from vivid_data.shards.index import DatasetIndexError, member_spans, shard_samples

    for name in ("../../evil.mp4", "/etc/passwd", "abc/../x.json", "abc...json"):
        path = tmp_path / "bad.tar"
        with tarfile.open(path, "w") as tar:
            info = tarfile.TarInfo(name)
            info.size = 2
            tar.addfile(info, io.BytesIO(b"{}"))
        with pytest.raises(DatasetIndexError, match=re.escape("is not <sample id>.<suffix>")):
            list(shard_samples(path))
        with pytest.raises(DatasetIndexError):
            member_spans(path)
