"""Loader clips per second (24 frames, 512x384) against decoding the same clips from mp4 files.

Target (issue: shard stage and training loader): the loader at least 0.9x the clips per second
of decord reading the same frames straight from the mp4 files on disk, in the same run.
Also prints the peak resident memory of each DataLoader worker.

    python benchmarks/loader_throughput.py [--samples 12] [--frames 48] [--workers 2]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import cv2
import decord
import numpy as np
import torch

from vivid_data.example import ExampleSpec, generate_example
from vivid_data.executors.local import LocalExecutor
from vivid_data.loader import ClipConfig, ClipDataset
from vivid_data.manifest import validate_manifest
from vivid_data.shards.writer import ShardConfig, write_dataset
from vivid_data.sources.vivid_folder import VividFolderSource
from vivid_data.stages.ingest import IngestStage
from vivid_data.stages.runner import run_stage
from vivid_data.store import ContentStore
from vivid_data.video import read_image, read_mask

CLIP, SIZE = 24, (512, 384)


def build(tmp: Path, samples: int, frames: int) -> tuple[Path, list[dict]]:
    root = generate_example(
        tmp / "example", ExampleSpec(per_category=samples // 3, num_frames=frames, height=832, width=624, seed=2)
    )
    with VividFolderSource(path=str(root)).open() as found:
        report = run_stage(
            IngestStage(work_dir=str(tmp / "work")), found.candidates, tmp / "work", LocalExecutor(1), progress=False
        )
    frame = validate_manifest(report.frame)
    frame["pose"] = frame["densepose"]  # the example has no pose video yet; any aligned video will do
    frame["split"] = "train"
    store = ContentStore(tmp / "work" / "store")
    index = write_dataset(
        frame, store, ShardConfig(out_dir=str(tmp / "ds"), maxcount=4, split_mode="keep"), progress=False
    )
    files = [
        {m: store.path(row[m]) for m in ("video", "agnostic", "agnostic_mask", "pose", "garment", "garment_mask")}
        | {"num_frames": int(row["num_frames"]), "key": row["sample_id"]}
        for row in frame.to_dict("records")
    ]
    return index, files


def reference(files: list[dict], seed: int) -> int:
    """The same work without the loader: decord on the files, same indices, same tensors."""
    count = 0
    for item in files:
        rng = np.random.default_rng(seed + count)
        start = int(rng.integers(0, item["num_frames"] - CLIP + 1))
        indices = list(range(start, start + CLIP))
        for name in ("video", "agnostic", "agnostic_mask", "pose"):
            reader = decord.VideoReader(str(item[name]), width=SIZE[1], height=SIZE[0], num_threads=1)
            frames = reader.get_batch(indices).asnumpy()
            if name == "agnostic_mask":
                torch.from_numpy(frames[..., :1] > 127).to(torch.float32).permute(0, 3, 1, 2)
            else:
                torch.from_numpy(frames).to(torch.float32).div_(127.5).sub_(1.0).permute(0, 3, 1, 2)
        # the loader's outputs include the garment and its mask at the clip size
        garment = cv2.resize(read_image(item["garment"]), (SIZE[1], SIZE[0]), interpolation=cv2.INTER_AREA)
        torch.from_numpy(garment).permute(2, 0, 1).float().div_(127.5).sub_(1.0)
        mask = cv2.resize(
            read_mask(item["garment_mask"]).astype(np.uint8) * 255, (SIZE[1], SIZE[0]), interpolation=cv2.INTER_AREA
        )
        torch.from_numpy(mask > 127)[None].float()
        count += 1
    return count


def peak_rss_kib(pid: int) -> int:
    """Peak resident set of a process (VmHWM), 0 once it has exited."""
    try:
        lines = Path(f"/proc/{pid}/status").read_text().splitlines()
    except OSError:
        return 0
    return next((int(line.split()[1]) for line in lines if line.startswith("VmHWM:")), 0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=12)
    parser.add_argument("--frames", type=int, default=48)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    torch.set_num_threads(1)
    with tempfile.TemporaryDirectory(prefix="vivid-loader-bench-") as tmp:
        index, files = build(Path(tmp), args.samples, args.frames)
        config = ClipConfig(clip_len=CLIP, size=SIZE)
        unchecked = ClipConfig(clip_len=CLIP, size=SIZE, verify_hashes=False)
        times_ref, times_loader, times_unchecked = [], [], []
        for _ in range(args.repeat):
            started = time.perf_counter()
            n_ref = reference(files, 0)
            times_ref.append(time.perf_counter() - started)
            started = time.perf_counter()
            n_loader = sum(1 for _ in ClipDataset(index, "train", config, shuffle=False))
            times_loader.append(time.perf_counter() - started)
            started = time.perf_counter()
            n_unchecked = sum(1 for _ in ClipDataset(index, "train", unchecked, shuffle=False))
            times_unchecked.append(time.perf_counter() - started)
        ref_rate, loader_rate = n_ref / min(times_ref), n_loader / min(times_loader)
        unchecked_rate = n_unchecked / min(times_unchecked)
        print(f"decord from mp4 files : {ref_rate:6.2f} clips/s ({n_ref} clips, best of {args.repeat})")
        print(f"loader from shards    : {loader_rate:6.2f} clips/s ({n_loader} clips, one process, sha256 checked)")
        print(
            f"  without the check   : {unchecked_rate:6.2f} clips/s: the check costs "
            f"{(1 - loader_rate / unchecked_rate) * 100:.1f}% (verify_hashes=False)"
        )
        print(f"ratio loader / files  : {loader_rate / ref_rate:.2f} (target >= 0.9)")
        loader = torch.utils.data.DataLoader(
            ClipDataset(index, "train", config, shuffle=True), batch_size=1, num_workers=args.workers
        )
        iterator = iter(loader)
        started = time.perf_counter()
        count = 0
        peaks: dict[int, int] = {}
        for _ in iterator:
            count += 1
            for worker in getattr(iterator, "_workers", []):
                peaks[worker.pid] = max(peaks.get(worker.pid, 0), peak_rss_kib(worker.pid))
        elapsed = time.perf_counter() - started
        print(
            f"DataLoader, {args.workers} workers: {count / elapsed:6.2f} clips/s; peak memory per worker: "
            + ", ".join(f"{kib / 1024:.0f} MiB" for kib in peaks.values())
        )


if __name__ == "__main__":
    main()
