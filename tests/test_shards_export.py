from pathlib import Path

import pandas as pd
import pytest

from conftest import import_folder
from vivid_data.shards.export import export_shards
from vivid_data.shards.writer import ShardConfig, write_dataset
from vivid_data.store import ContentStore


def test_export_then_reimport_round_trips(small_example: Path, tmp_path: Path):
    frame, _ = import_folder(small_example, tmp_path / "work")
    index = write_dataset(frame, ContentStore(tmp_path / "work" / "store"),
                          ShardConfig(out_dir=str(tmp_path / "ds")), progress=False)
    exported = export_shards(index, tmp_path / "released")
    assert (exported / "dresses" / "test_pairs.txt").read_text() == "9100006_detail.mp4 9100006_in_xl.jpg\n"
    assert (exported / "upper_body" / "densepose" / "9100001_detail.mp4").is_file()
    again, _ = import_folder(exported, tmp_path / "work2")
    columns = ["sample_id", "category", "split", "video_name", "garment_name", "video_sha256", "garment_sha256",
               "num_frames", "width", "height", "license", "product_id"]
    pd.testing.assert_frame_equal(frame.sort_values("sample_id")[columns].reset_index(drop=True),
                                  again.sort_values("sample_id")[columns].reset_index(drop=True))
    with pytest.raises(FileExistsError):
        export_shards(index, exported)
