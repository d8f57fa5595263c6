"""The loader on shards whose frames carry their own index, so alignment can be read back."""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import torch

from vivid_data.loader import ClipConfig, ClipDataset, make_loader
from vivid_data.shards.writer import ShardConfig, write_dataset
from vivid_data.store import ContentStore
from vivid_data.video import encode_image, encode_mask_video, encode_video

H, W, FRAMES = 96, 64, 40


def level(t: int) -> int:
    return 20 + 5 * t


def clip_with_index(offset: int) -> np.ndarray:
    frames = np.zeros((FRAMES, H, W, 3), np.uint8)
    for t in range(FRAMES):
        frames[t] = level(t) + offset
    return frames


def index_of(frames: torch.Tensor, offset: int) -> np.ndarray:
    """Frame index from the mean grey level of (T, 3, H, W) frames in [-1, 1]."""
    grey = (frames.mean(dim=(1, 2, 3)).numpy() + 1) * 127.5
    return np.round((grey - 20 - offset) / 5).astype(int)


def make_dataset(root: Path, corrupt: bool = False, short: bool = False) -> Path:
    store = ContentStore(root / "store")
    rows = []
    for number, category in enumerate(("upper_body", "lower_body", "dresses", "upper_body")):
        masks = np.zeros((FRAMES, H, W), bool)
        for t in range(FRAMES):
            masks[t, : t + 10] = True  # mask height encodes the frame index
        video = encode_video(clip_with_index(0), fps=24)
        if corrupt and number == 1:
            video = video[: len(video) // 2]
        length = 10 if short and number == 2 else FRAMES
        garment = np.full((H, W, 3), 200, np.uint8)
        row = {
            "sample_id": f"sample{number}",
            "category": category,
            "split": "train",
            "status": "ok",
            "fps": 24.0,
            "num_frames": length,
            "width": W,
            "height": H,
            "video": store.put_bytes(video + bytes([number]) if corrupt and number == 1 else video, "mp4").key,
            "agnostic": store.put_bytes(encode_video(clip_with_index(10), fps=24), "mp4").key,
            "pose": store.put_bytes(encode_video(clip_with_index(20), fps=24), "mp4").key,
            "agnostic_mask": store.put_bytes(encode_mask_video(masks, fps=24), "mp4").key,
            "garment": store.put_bytes(encode_image(garment), "jpg").key,
            "garment_mask": store.put_bytes(encode_image(np.ones((H, W), bool), "PNG"), "png").key,
            "garment_sha256": f"g{number}",
            "video_sha256": f"v{number}",
        }
        rows.append(row)
    return write_dataset(
        pd.DataFrame(rows), store, ShardConfig(out_dir=str(root / "ds"), maxcount=2, split_mode="keep"), progress=False
    )


@pytest.fixture(scope="module")
def dataset(tmp_path_factory) -> Path:
    return make_dataset(tmp_path_factory.mktemp("loader"))


@pytest.mark.parametrize("workers", [0, 2])
def test_shapes_ranges_and_aligned_frames(dataset: Path, workers: int):
    config = ClipConfig(clip_len=8, stride=2, size=(48, 32), seed=3)
    loader = make_loader(dataset, "train", batch_size=2, num_workers=workers, config=config)
    batches = list(loader)
    assert sum(len(b["key"]) for b in batches) == 4
    batch = batches[0]
    assert batch["video"].shape == (2, 8, 3, 48, 32) and batch["agnostic_mask"].shape == (2, 8, 1, 48, 32)
    assert batch["garment"].shape == (2, 3, 48, 32) and batch["garment_mask"].shape == (2, 1, 48, 32)
    assert batch["video"].min() >= -1 and batch["video"].max() <= 1
    assert set(torch.unique(batch["agnostic_mask"]).tolist()) <= {0.0, 1.0}
    for i in range(2):
        indices = batch["frame_indices"][i].numpy()
        assert (np.diff(indices) == 2).all()
        np.testing.assert_array_equal(index_of(batch["video"][i], 0), indices)
        np.testing.assert_array_equal(index_of(batch["agnostic"][i], 10), indices)
        np.testing.assert_array_equal(index_of(batch["pose"][i], 20), indices)
        rows = batch["agnostic_mask"][i, :, 0].any(dim=2).sum(dim=1).numpy() * H / 48
        np.testing.assert_allclose(rows, indices + 10, atol=2.5)


def test_crop_policies_and_seeded_starts(dataset: Path):
    for crop in ("resize", "center", "random"):
        sample = next(
            iter(ClipDataset(dataset, config=ClipConfig(clip_len=4, size=(40, 40), crop=crop), shuffle=False))
        )
        assert sample["video"].shape == (4, 3, 40, 40)

    def starts(seed: int, epoch: int) -> list[int]:
        ds = ClipDataset(dataset, config=ClipConfig(clip_len=4, size=(48, 32), seed=seed), shuffle=False)
        ds.set_epoch(epoch)
        return [int(s["frame_indices"][0]) for s in ds]

    assert starts(1, 0) == starts(1, 0)
    assert starts(1, 0) != starts(1, 1) or starts(1, 0) != starts(2, 0)


def test_corrupt_and_short_samples_are_skipped_and_counted(tmp_path: Path):
    index = make_dataset(tmp_path, corrupt=True, short=True)
    dataset = ClipDataset(index, config=ClipConfig(clip_len=16, size=(48, 32)), shuffle=False)
    keys = [s["key"] for s in dataset]
    assert sorted(keys) == ["sample0", "sample3"]
    assert dataset.skipped.counts() == {
        "corrupt": 1,
        "checksum": 0,
        "too_short": 1,
        "missing_member": 0,
        "unreadable_shard": 0,
    }


def flip_a_byte(shard: Path, member: str) -> None:
    """Flip one byte in the middle of a member's data inside the tar (a bad disk, a bad copy)."""
    from vivid_data.shards.index import member_spans

    offset, size = next(spans[member] for spans in member_spans(shard).values() if member in spans)
    data = bytearray(shard.read_bytes())
    data[offset + size // 2] ^= 0xFF
    shard.write_bytes(bytes(data))


def test_a_flipped_byte_in_a_video_member_is_skipped_and_counted(tmp_path: Path):
    import json

    index = make_dataset(tmp_path)
    shards = json.loads(Path(index).read_text())["splits"]["train"]["shards"]
    flip_a_byte(Path(index).parent / shards[0]["path"], "video.mp4")
    checked = ClipDataset(index, config=ClipConfig(clip_len=8, size=(48, 32)), shuffle=False)
    assert len(list(checked)) == 3 and checked.skipped.counts()["checksum"] == 1
    trusting = ClipDataset(index, config=ClipConfig(clip_len=8, size=(48, 32), verify_hashes=False), shuffle=False)
    assert len(list(trusting)) + sum(trusting.skipped.counts().values()) == 4  # not checked: decoded, or corrupt


def test_a_truncated_shard_is_counted(tmp_path: Path):
    import json

    index = make_dataset(tmp_path)
    shard = Path(index).parent / json.loads(Path(index).read_text())["splits"]["train"]["shards"][0]["path"]
    shard.write_bytes(shard.read_bytes()[: shard.stat().st_size // 3])
    dataset = ClipDataset(index, config=ClipConfig(clip_len=8, size=(48, 32)), shuffle=False)
    with pytest.warns(Warning):
        list(dataset)
    assert dataset.skipped.counts()["unreadable_shard"] >= 1


def test_bad_config():
    with pytest.raises(ValueError, match="crop"):
        ClipConfig(crop="zoom")
