import numpy as np
import pytest

from vivid_data.candidates import candidates_frame, make_candidate_id


def test_defaults_ids_and_repeats():
    rows = [
        {
            "category": "dresses",
            "video_src": "https://s.example/v/1.mp4?x=1",
            "garment_src": "https://s.example/g/1.jpg",
            "origin": "list:1",
        },
        {
            "category": "dresses",
            "video_src": "https://s.example/v/1.mp4?x=1",
            "garment_src": "https://s.example/g/1.jpg",
            "origin": "list:2",
        },
        {
            "category": "upper_body",
            "video_src": "https://s.example/v/2.mp4",
            "garment_src": "https://s.example/g/2.jpg",
            "origin": "list:3",
            "local_files": np.nan,
            "license": "CC-BY-4.0",
        },
    ]
    frame = candidates_frame(rows)
    assert len(frame) == 2
    first = frame.iloc[0]
    assert first["candidate_id"] == make_candidate_id("dresses", rows[0]["video_src"], rows[0]["garment_src"])
    assert (first["video_name"], first["garment_name"]) == ("1.mp4", "1.jpg")
    assert first["video_url"] == rows[0]["video_src"] and first["status"] == "ok"
    # anything but an explicit True never allows reading local files
    assert not frame["local_files"].any()


def test_unknown_category_names_origin():
    with pytest.raises(ValueError, match="list:7: unknown category 'hats'"):
        candidates_frame([{"category": "hats", "video_src": "a", "garment_src": "b", "origin": "list:7"}])
