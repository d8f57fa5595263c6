import hashlib
import json
import shutil
from pathlib import Path

import cv2
import numpy as np
import pandas as pd
import pytest
from conftest import import_folder

from vivid_data.executors.local import LocalExecutor
from vivid_data.stages.clean import CleanStage
from vivid_data.stages.runner import run_stage
from vivid_data.store import ContentStore
from vivid_data.video import decode_video, encode_video, probe_video, read_image, write_image

SIZE = (256, 192)


@pytest.fixture(scope="module")
def clip_folder(tmp_path_factory, vivid_samples: Path, small_example: Path) -> Path:
    """A released-layout folder of clips made to trip each check, plus two good ones."""
    person = decode_video(vivid_samples / "videos" / "upper1.mp4", size=SIZE)
    scene = decode_video(small_example / "dresses" / "videos" / "9100005_detail.mp4", size=SIZE)
    scene = np.concatenate([scene, scene[::-1], scene])[:30]
    blurred = np.stack([cv2.GaussianBlur(f, (0, 0), 4) for f in person])
    clips = {
        "good": encode_video(person),
        "twoshot": encode_video(np.concatenate([person[:30], scene])),
        "static": encode_video(np.repeat(person[:1], 30, axis=0)),
        "short": encode_video(person[:2]),
        "blurred": encode_video(blurred),
        "dupe_hq": encode_video(person[::-1], crf=16),
        "dupe_lq": encode_video(person[::-1], crf=32),
        "blankgarment": encode_video(person[::2]),
    }
    corrupt = encode_video(person[:30])
    third = len(corrupt) // 3
    clips["corrupt"] = corrupt[:third] + bytes(third) + corrupt[2 * third :]
    root = tmp_path_factory.mktemp("clips") / "vivid"
    folder = root / "upper_body"
    garments = sorted((small_example).rglob("images/*.jpg"))
    lines = []
    for index, (name, data) in enumerate(clips.items()):
        (folder / "videos").mkdir(parents=True, exist_ok=True)
        (folder / "videos" / f"{name}.mp4").write_bytes(data)
        garment = read_image(garments[min(index, 5)] if not name.startswith("dupe") else garments[5])
        garment = cv2.resize(garment, (192, 256), interpolation=cv2.INTER_NEAREST)
        # make every non-duplicate garment unique in colour as well
        if name == "blankgarment":  # a placeholder image: one flat grey
            garment = np.full_like(garment, 231)
        write_image(
            folder / "images" / f"{name}.jpg",
            np.roll(garment, index * 7, axis=2) if not name.startswith("dupe") else garment,
        )
        lines.append(f"{name}.mp4 {name}.jpg\n")
    (folder / "test_pairs.txt").write_text("".join(lines))
    return root


@pytest.fixture(scope="module")
def ingested(clip_folder: Path, tmp_path_factory):
    work = tmp_path_factory.mktemp("work")
    frame, _ = import_folder(clip_folder, work)
    return frame, work


def run_clean(ingested, **overrides):
    frame, work = ingested
    stage = CleanStage(work_dir=str(work), **overrides)
    return run_stage(stage, frame, work, LocalExecutor(1), progress=False)


def test_each_check(ingested):
    report = run_clean(ingested)
    frame = report.frame
    by_name = {}
    for row in frame.itertuples():
        by_name.setdefault(row.video_name, []).append(row)
    status = {
        name: [(r.status, r.reason if isinstance(r.reason, str) else None) for r in rows]
        for name, rows in by_name.items()
    }
    assert status["good.mp4"] == [("ok", None)]
    assert status["static.mp4"] == [("rejected", "static")]
    assert status["short.mp4"] == [("rejected", "too_short")]
    assert status["blurred.mp4"] == [("rejected", "blurry")]
    assert status["corrupt.mp4"] == [("rejected", "undecodable")]
    assert status["blankgarment.mp4"] == [("rejected", "blank_garment")]
    blank = by_name["blankgarment.mp4"][0]
    assert "blankgarment.jpg" in blank.detail and blank.clean_garment_contrast < 1
    assert sorted(status["dupe_hq.mp4"] + status["dupe_lq.mp4"]) == [("ok", None), ("rejected", "duplicate_video")]
    lq = by_name["dupe_lq.mp4"][0]
    assert lq.reason == "duplicate_video" and lq.clean_duplicate_of == by_name["dupe_hq.mp4"][0].sample_id
    # the two-shot clip became two samples, each one shot, each with its own content id
    shots = by_name["twoshot.mp4"]
    assert [(r.status, r.clean_segment, r.num_frames) for r in shots] == [("ok", "0-30", 30), ("ok", "30-60", 30)]
    store = ContentStore(ingested[1] / "store")
    for shot in shots:
        assert probe_video(store.path(shot.video)).num_frames == 30
        assert shot.clean_parent_id == frame[frame["video_name"].eq("twoshot.mp4")].iloc[0]["clean_parent_id"]
    assert len({r.sample_id for r in shots}) == 2
    assert report.stats["filtered"] == {"static": 1, "too_short": 1, "blurry": 1, "blank_garment": 1}
    assert report.stats["duplicate_videos"] == 1


def test_scene_cut_rejects_when_not_splitting(ingested):
    frame = run_clean(ingested, split_at_cuts=False).frame
    row = frame[frame["video_name"].eq("twoshot.mp4")].iloc[0]
    assert (row["status"], row["reason"]) == ("rejected", "scene_cut")
    assert "cuts at frames [30]" in json.loads(row["stages"])["clean"]["detail"]


def test_thresholds_refilter_without_recomputing(ingested):
    run_clean(ingested)
    relaxed = run_clean(
        ingested, filters={"min_motion": 0.0, "min_frames": 2, "min_duration_s": 0.0, "min_sharpness": 0.0}
    )
    assert relaxed.stats["computed_rows"] == 0
    statuses = dict(zip(relaxed.frame["video_name"], relaxed.frame["status"]))
    assert statuses["static.mp4"] == statuses["short.mp4"] == statuses["blurred.mp4"] == "ok"


def test_bad_orientation_setting():
    with pytest.raises(ValueError, match="orientation"):
        CleanStage(work_dir=".", filters={"orientation": "square"})


def test_both_shot_detectors_split_the_two_shot_clip_the_same_way(ingested):
    transnet, hsv = run_clean(ingested).frame, run_clean(ingested, cuts="hsv").frame
    for frame in (transnet, hsv):
        shots = frame[frame["video_name"].eq("twoshot.mp4")]
        assert shots["clean_segment"].tolist() == ["0-30", "30-60"]
    good = {name: f[f["video_name"].eq("good.mp4")].iloc[0] for name, f in (("transnetv2", transnet), ("hsv", hsv))}
    # the peak score each detector saw: a TransNetV2 probability, an HSV change on the 0-255 scale
    assert good["transnetv2"]["clean_cut_peak"] < 0.5 and good["hsv"]["clean_cut_peak"] < 27
    assert (
        json.loads(good["transnetv2"]["stages"])["clean"]["config_hash"]
        != json.loads(good["hsv"]["stages"])["clean"]["config_hash"]
    )


def test_a_dissolve_leaves_its_blended_frames_out_of_both_shots(vivid_samples: Path, tmp_path: Path):
    person = decode_video(vivid_samples / "videos" / "upper1.mp4", size=(128, 96))
    other = decode_video(vivid_samples / "densepose" / "upper1.mp4", size=(128, 96))
    weights = np.linspace(0, 1, 12)[:, None, None, None]
    frames = np.concatenate(
        [person[:24], ((1 - weights) * person[24:36] + weights * other[:12]).astype(np.uint8), other[12:]]
    )
    stage = CleanStage(work_dir=str(tmp_path))
    stage.setup()
    runs, peak = stage.shot_transitions(frames)
    assert len(runs) == 1 and 22 <= runs[0][0] < runs[0][1] <= 38 and peak > 0.5
    assert stage.config()["cuts"] == "transnetv2" and "cut_ratio" not in stage.config()
    assert "cut_threshold" in stage.config()  # it confirms transitions at the clip's ends


def test_unknown_shot_detector():
    with pytest.raises(ValueError, match=r"clean.cuts must be one of transnetv2, hsv"):
        CleanStage(work_dir=".", cuts="pyscenedetect")


def _garment_manifest(tmp_path: Path, rows: list[tuple[str, int, np.ndarray]]) -> Path:
    """A manifest of (garment sha256, shape hash, 16x16 colour thumbnail) rows."""
    frame = pd.DataFrame(
        {
            "garment_sha256": [sha for sha, _, _ in rows],
            "clean_garment_phash": [f"{phash:016x}" for _, phash, _ in rows],
            "clean_garment_thumb": [thumb.astype(np.uint8).tobytes().hex() for _, _, thumb in rows],
        }
    )
    path = tmp_path / "assembled.parquet"
    frame.to_parquet(path, index=False)
    return path


def _groups_by_pairs(rows: list[tuple[str, int, np.ndarray]], stage: CleanStage) -> tuple[dict[int, str], int]:
    """Reference: every pair of rows compared (shape hash, then colour), joined, labelled by the smallest hash."""
    parent = list(range(len(rows)))

    def root(i: int) -> int:
        while parent[i] != i:
            i = parent[i]
        return i

    for a in range(len(rows)):
        for b in range(a + 1, len(rows)):
            shape = bin(rows[a][1] ^ rows[b][1]).count("1") <= stage.filters.garment_duplicate_distance
            colour = np.abs(rows[a][2].astype(int) - rows[b][2].astype(int)).mean()
            if shape and colour <= stage.filters.garment_duplicate_colour:
                parent[root(b)] = root(a)
    members: dict[int, list[int]] = {}
    for i in range(len(rows)):
        members.setdefault(root(i), []).append(i)
    labels, shared = {}, 0
    for group in members.values():
        if len(group) > 1:
            labels.update(dict.fromkeys(group, min(rows[i][0] for i in group)[:16]))
            shared += len({rows[i][0] for i in group}) > 1
    return labels, shared


def test_garment_groups_equal_comparing_every_pair_of_rows(tmp_path: Path):
    rng = np.random.default_rng(3)
    images = []
    for index in range(40):
        sha = hashlib.sha256(str(index).encode()).hexdigest()
        if index % 4 == 1:  # a re-encode of the previous image: near shape, near colour
            _, phash, thumb = images[-1]
            images.append((sha, phash ^ (1 << int(rng.integers(64))), np.clip(thumb + 1, 0, 255)))
        elif index % 4 == 2:  # another print of the same cut: same shape, other colours
            _, phash, thumb = images[-1]
            images.append((sha, phash, (thumb + 90) % 256))
        else:
            images.append((sha, int(rng.integers(2**63)), rng.integers(0, 256, (16, 16, 3))))
    rows = [images[int(i)] for i in rng.integers(0, len(images), 200)]  # images shown by several rows
    stage = CleanStage(work_dir=str(tmp_path))
    edits, shared = stage._garment_groups(_garment_manifest(tmp_path, rows))
    labels, expected_shared = _groups_by_pairs(rows, stage)
    assert {p: e["clean_garment_group"] for p, e in edits.items()} == labels
    assert shared == expected_shared > 0
    one_group = [p for p, label in labels.items() if label == next(iter(labels.values()))]
    assert all(edits[p] is edits[one_group[0]] for p in one_group)  # one edit object per group, not per row


def test_rows_without_a_garment_hash_are_in_no_group(tmp_path: Path):
    thumb = np.zeros((16, 16, 3))
    path = _garment_manifest(tmp_path, [("a" * 64, 5, thumb), ("a" * 64, 5, thumb), ("b" * 64, 5, thumb)])
    frame = pd.read_parquet(path)
    frame.loc[2, "clean_garment_phash"] = None
    frame.to_parquet(path, index=False)
    edits, shared = CleanStage(work_dir=str(tmp_path))._garment_groups(path)
    assert {p: e["clean_garment_group"] for p, e in edits.items()} == {0: "a" * 16, 1: "a" * 16}
    assert shared == 0


def test_a_fade_and_a_cut_at_the_end_are_trimmed_before_pose_and_parse(vivid_dataset_clips: Path, tmp_path: Path):
    """The real lower-body clip fades in from white over 12 frames and cuts to a close-up at frame 103 of 106:
    the clean stage keeps frames [12, 103) only, with its official mask cut the same way."""
    root = tmp_path / "ViViD"
    shutil.copytree(vivid_dataset_clips / "lower_body", root / "lower_body")
    (root / "lower_body" / "images").mkdir()
    garment = np.full((256, 192, 3), 240, np.uint8)
    garment[60:200, 50:140] = (40, 60, 120)
    write_image(root / "lower_body" / "images" / "g.jpg", garment)
    (root / "lower_body" / "test_pairs.txt").write_text("1221158_detail.mp4 g.jpg\n")
    work = tmp_path / "work"
    frame, _ = import_folder(root, work)
    stage = CleanStage(work_dir=str(work))
    stage.setup()
    (row,) = stage(frame.iloc[0].to_dict())
    assert row["status"] == "ok" and row["clean_segment"] == "12-103" and row["num_frames"] == 91
    assert row["clean_fade_in"] == 12 and row["clean_fade_out"] == 0 and row["clean_cuts"] == 1
    source_mask = decode_video(vivid_dataset_clips / "lower_body" / "agnostic_mask" / "1221158_detail.mp4")[12:103]
    kept_mask = decode_video(stage.store.path(row["agnostic_mask"]))
    assert kept_mask.shape == source_mask.shape
    assert ((kept_mask[..., 0] > 127) == (source_mask[..., 0] > 127)).mean() > 0.999  # frame for frame
    without = CleanStage(work_dir=str(work), trim_fades=False)
    without.setup()
    (untrimmed,) = without(frame.iloc[0].to_dict())
    assert untrimmed["clean_segment"] == "0-103"  # the cut alone
