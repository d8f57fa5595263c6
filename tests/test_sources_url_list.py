import json
from pathlib import Path

import pandas as pd
import pytest

from vivid_data.sources.url_list import UrlListSource

ROWS = [
    {
        "video_url": "https://shop.example/v/1.mp4",
        "garment_url": "https://shop.example/g/1.jpg",
        "category": "upper_body",
        "product_id": "1",
        "license": "CC-BY-4.0",
    },
    {
        "video_url": "https://shop.example/v/2.mp4",
        "garment_url": "https://shop.example/g/2.jpg",
        "category": "dresses",
        "garment_mask_url": "https://shop.example/m/2.png",
        "split": "test",
    },
]


@pytest.mark.parametrize("suffix", [".csv", ".jsonl", ".parquet"])
def test_reads_all_formats(tmp_path: Path, suffix: str):
    path = tmp_path / f"urls{suffix}"
    frame = pd.DataFrame(ROWS)
    if suffix == ".csv":
        frame.to_csv(path, index=False)
    elif suffix == ".jsonl":
        path.write_text("".join(json.dumps(r) + "\n" for r in ROWS))
    else:
        frame.to_parquet(path)
    candidates = UrlListSource(str(path)).candidates().candidates
    assert list(candidates["category"]) == ["upper_body", "dresses"]
    assert candidates.loc[1, "garment_mask_src"] == "https://shop.example/m/2.png"
    assert candidates.loc[0, "license"] == "CC-BY-4.0" and candidates.loc[1, "split"] == "test"
    assert not candidates["local_files"].any()


def test_errors_name_file_and_row(tmp_path: Path):
    path = tmp_path / "urls.csv"
    pd.DataFrame([{**ROWS[0], "category": "shoes"}, ROWS[1], {**ROWS[1], "video_url": "v", "split": "val"}]).to_csv(
        path, index=False
    )
    result = UrlListSource(str(path)).candidates()  # one bad line never stops the build
    assert list(result.candidates["category"]) == ["dresses"]
    assert result.notes["problems"] == [
        f"urls.csv:2 ({ROWS[0]['video_url']}): unknown category 'shoes'; "
        "expected one of upper_body, lower_body, dresses",
        "urls.csv:4 (v): unknown split 'val'; expected one of train, test",
    ]
    path.write_text("video_url,garment_url,category\n")
    with pytest.raises(
        ValueError, match=r"urls.csv: the URL list has its columns \(video_url, garment_url, category\) but no rows"
    ):
        UrlListSource(str(path)).candidates()
    pd.DataFrame([{"video_url": "x"}]).to_csv(path, index=False)
    with pytest.raises(ValueError, match="missing columns"):
        UrlListSource(str(path)).candidates()
    with pytest.raises(FileNotFoundError):
        UrlListSource(str(tmp_path / "absent.csv")).candidates()
    (tmp_path / "urls.txt").write_text("x")
    with pytest.raises(ValueError, match="unsupported"):
        UrlListSource(str(tmp_path / "urls.txt")).candidates()


def test_lines_that_repeat_a_pair_are_counted(tmp_path: Path):
    """5,000 identical lines that differ only in product_id are one candidate, and the notes say so."""
    path = tmp_path / "urls.csv"
    pd.DataFrame([{**ROWS[0], "product_id": f"P{i}"} for i in range(5000)]).to_csv(path, index=False)
    result = UrlListSource(str(path)).candidates()
    assert len(result.candidates) == 1 and result.candidates.loc[0, "product_id"] == "P0"
    assert result.notes["duplicates"]["lines"] == 4999
    assert result.notes["duplicates"]["examples"][0] == "urls.csv:3 repeats urls.csv:2"


def test_a_long_list_is_read_in_chunks_with_line_numbers_and_one_copy_of_each_pair(tmp_path: Path):
    """More lines than one chunk (2,048): origins keep their line numbers, a pair repeated in a later
    chunk is kept once, an empty URL is a problem naming its line, and text is held compactly."""
    lines = [
        {"video_url": f"https://shop.example/v/{i}.mp4", "garment_url": f"https://shop.example/g/{i}.jpg"}
        for i in range(2500)
    ]
    lines[2300] = dict(lines[5])  # the same pair again, 2,295 lines later
    lines[2400]["garment_url"] = ""
    path = tmp_path / "urls.csv"
    pd.DataFrame([{**line, "category": "dresses"} for line in lines]).to_csv(path, index=False)
    result = UrlListSource(str(path)).candidates()
    frame = result.candidates
    assert len(frame) == 2498 and frame["candidate_id"].is_unique
    assert frame.set_index("video_src").at["https://shop.example/v/2499.mp4", "origin"] == "urls.csv:2501"
    assert result.notes["problems"] == ["urls.csv:2402: empty video_url or garment_url"]
    assert frame["video_src"].dtype == "str" and frame["video_url"].dtype == "str"
