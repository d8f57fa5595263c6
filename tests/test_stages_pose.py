import io
from pathlib import Path

import numpy as np

from vivid_data.pose.mediapipe_backend import MediapipePose
from vivid_data.pose.orientation import FRONTAL, SIDE, longest_run
from vivid_data.pose.result import PoseTrack
from vivid_data.stages.pose import PoseStage
from vivid_data.store import ContentStore
from vivid_data.video import decode_video, encode_video, probe_video


def row_for(store: ContentStore, frames: np.ndarray, fps: float = 24.0) -> dict:
    video = store.put_bytes(encode_video(frames, fps=fps), "mp4")
    return {
        "sample_id": "s",
        "video": video.key,
        "video_url": "test.mp4",
        "fps": fps,
        "status": "ok",
        "category": "upper_body",
    }


def stage(tmp_path: Path) -> PoseStage:
    return PoseStage(work_dir=str(tmp_path), backend=MediapipePose(people_frames=4))


def test_real_clip_gives_keypoints_pose_video_and_person_masks(tmp_path: Path, upper1_frames):
    frames = upper1_frames[::2]
    out = stage(tmp_path)(row_for(ContentStore(tmp_path / "store"), frames))[0]
    assert out["status"] == "ok" and out["pose_detected"] == 1.0
    assert out["pose_jitter"] < out["pose_jitter_raw"]
    store = ContentStore(tmp_path / "store")
    track = PoseTrack.from_npz(store.read_bytes(out["keypoints"]))
    assert track.keypoints.shape == (24, 33, 3) and (track.height, track.width) == (832, 624)
    info = probe_video(store.path(out["pose"]))
    assert (info.num_frames, info.width, info.height, info.fps) == (24, 624, 832, 24.0)
    rendered = decode_video(store.path(out["pose"]), indices=[5])[0]
    assert (rendered.max(-1) < 16).mean() > 0.8  # mostly black, with a coloured skeleton
    assert rendered.max() > 150
    assert probe_video(store.path(out["pose_person_mask"])).num_frames == 24
    # orientation: every other frame of upper1, which is in profile for its first 9 frames, then faces the camera
    with np.load(io.BytesIO(store.read_bytes(out["keypoints"]))) as npz:
        labels, confidence = npz["orientation"], npz["orientation_confidence"]
    assert labels.shape == confidence.shape == (24,) and labels.dtype == np.int8
    assert (labels[:4] == SIDE).all() and (labels[8:] == FRONTAL).all()
    start, end = longest_run(labels)
    assert out["pose_frontal_run"] == end - start and out["pose_frontal_start"] == start and end == 24
    assert out["pose_frontal_share"] == float((labels == FRONTAL).mean()) and out["pose_back_share"] == 0.0


def test_no_person_is_rejected(tmp_path: Path):
    frames = np.full((10, 256, 192, 3), 180, np.uint8)
    out = stage(tmp_path)(row_for(ContentStore(tmp_path / "store"), frames))[0]
    assert (out["status"], out["reason"]) == ("rejected", "person_missing")


def test_two_people_are_rejected(tmp_path: Path, upper1_frames):
    frames = np.concatenate([upper1_frames[20:44:2], upper1_frames[24:48:2]], axis=2)
    out = stage(tmp_path)(row_for(ContentStore(tmp_path / "store"), frames))[0]
    assert (out["status"], out["reason"]) == ("rejected", "multiple_people")


def test_tiny_person_is_rejected(tmp_path: Path, upper1_frames):
    import cv2

    small = [cv2.resize(f, (156, 208), interpolation=cv2.INTER_AREA) for f in upper1_frames[20:32]]
    frames = np.full((12, 832, 624, 3), 240, np.uint8)
    for canvas, person in zip(frames, small):
        canvas[500:708, 300:456] = person
    out = stage(tmp_path)(row_for(ContentStore(tmp_path / "store"), frames))[0]
    assert out["status"] == "rejected" and out["reason"] in ("person_too_small", "person_missing")
