from pathlib import Path

import numpy as np
from conftest import mask_iou

from vivid_data.pose.mediapipe_backend import MediapipePose
from vivid_data.stages.parse import ParseStage
from vivid_data.stages.pose import PoseStage
from vivid_data.store import ContentStore
from vivid_data.video import decode_video, read_mask


def posed_row(tmp_path: Path, vivid_samples: Path) -> dict:
    store = ContentStore(tmp_path / "store")
    row = {
        "sample_id": "s",
        "status": "ok",
        "category": "upper_body",
        "fps": 24.0,
        "video_url": "upper1.mp4",
        "garment_url": "00057_00.jpg",
        "video": store.put_file(vivid_samples / "videos" / "upper1.mp4", "mp4").key,
        "garment": store.put_file(vivid_samples / "cloth" / "00057_00.jpg", "jpg").key,
        "agnostic_mask": store.put_file(vivid_samples / "agnostic_mask" / "upper1.mp4", "mp4").key,
    }
    return PoseStage(work_dir=str(tmp_path), backend=MediapipePose(people_frames=2))(row)[0]


def test_computed_masks_meet_the_target_and_existing_ones_are_kept(tmp_path: Path, vivid_samples: Path):
    row = posed_row(tmp_path, vivid_samples)
    store = ContentStore(tmp_path / "store")
    computed = ParseStage(work_dir=str(tmp_path), keep_existing=False)(row)[0]
    assert computed["status"] == "ok" and computed["parse_agnostic"] == "computed"
    masks = decode_video(store.path(computed["agnostic_mask"]))[..., 0] > 127
    official = decode_video(vivid_samples / "agnostic_mask" / "upper1.mp4")[..., 0] > 127
    assert np.mean([mask_iou(a, b) for a, b in zip(masks, official)]) >= 0.6
    agnostic = decode_video(store.path(computed["agnostic"]), indices=[30])[0]
    assert np.abs(agnostic[masks[30]].astype(int) - 128).mean() < 8
    garment = read_mask(store.path(computed["garment_mask"]))
    assert mask_iou(garment, read_mask(vivid_samples / "cloth_mask" / "00057_00.jpg")) >= 0.9
    assert computed["parse_mask_flicker"] > 0.9
    assert computed["parse_agnostic_iou_vs_source"] >= 0.6  # measured against the official mask it replaced

    kept = ParseStage(work_dir=str(tmp_path))(row)[0]
    assert kept["parse_agnostic"] == "kept" and kept["agnostic_mask"] == row["agnostic_mask"]
    assert kept["agnostic"] and 0.85 < kept["parse_mask_flicker"] < 0.95


def test_missing_keypoints_is_a_rejection(tmp_path: Path, vivid_samples: Path):
    store = ContentStore(tmp_path / "store")
    row = {
        "sample_id": "s",
        "status": "ok",
        "category": "dresses",
        "fps": 24.0,
        "video_url": "v.mp4",
        "video": store.put_file(vivid_samples / "videos" / "upper1.mp4", "mp4").key,
        "garment": store.put_file(vivid_samples / "cloth" / "00057_00.jpg", "jpg").key,
        "garment_mask": "x",
    }
    out = ParseStage(work_dir=str(tmp_path))(row)[0]
    assert (out["status"], out["reason"]) == ("rejected", "undecodable") and "pose stage" in out["_detail"]
