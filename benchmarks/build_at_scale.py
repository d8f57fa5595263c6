"""A 10,000-pair build from a loopback shop in which about 3% of the rows carry each fault a real scrape meets.

Runs ``ingest,clean,shard`` with 2 local workers over a URL list, three ways:

1. uninterrupted (the reference),
2. SIGKILLed at a random point, then resumed with the same command (no ``retry_failed``),
3. a 1,000-row prefix, to measure how the main process's memory grows per row.

Prints samples/min, peak resident memory of the main process and of a worker, every fault kind
with its count and the statuses and reasons it ended with, whether each row ended as expected
(good rows ``ok``; faulty rows ``rejected``/``failed`` with their URL in ``detail``), and whether
the resumed build equals the uninterrupted one (manifests equal as sets, shards byte-identical).
Reference throughput, measured in the same run: ``ingest_clean_throughput.py``'s build (48
frames of 512x384 from a loopback catalog) on 1 worker, per worker; and a fault-free build of
the same small clips, per worker.

    python benchmarks/build_at_scale.py [--pairs 10000] [--share 0.03] [--seed 0]
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import os
import random
import signal
import struct
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
#: fault kind -> (expected status, expected reason); None: the row is dropped as a duplicate of another
FAULTS = {
    "accented_path": ("ok", None),
    "space_in_path": ("ok", None),
    "rotated": ("ok", None),
    "alpha_garment": ("ok", None),
    "bad_port": ("rejected", "video_bad_url"),
    "bad_host": ("rejected", "video_bad_url"),
    "broken_location": ("rejected", "video_bad_url"),
    "not_found": ("rejected", "video_http_404"),
    "html_as_video": ("rejected", "video_not_a_video"),
    "truncated_file": ("rejected", "video_truncated"),
    "metadata_redirect": ("rejected", "video_blocked_address"),
    "robots": ("rejected", "video_robots_disallowed"),
    "oversize": ("rejected", "video_too_many_pixels"),
    "too_long": ("rejected", "video_too_long"),
    "huge_image": ("rejected", "garment_too_many_pixels"),
    "blank_garment": ("rejected", "blank_garment"),
    "server_error": ("failed", "video_http_503"),
    "stall": ("failed", "video_timeout"),
    "drip": ("failed", "video_deadline_exceeded"),
    "duplicate": (None, None),
}
INGEST = [
    "ingest.allow_private_hosts=[127.0.0.0/8]",
    "ingest.min_interval_s=0",
    "ingest.read_timeout_s=0.4",
    "ingest.retries=1",
    "ingest.backoff_s=0.01",
    "ingest.deadline_s=1.2",
    "ingest.max_frame_pixels=100000",
    "ingest.max_frames=48",
    # the HSV shot detector: this benchmark measures fault containment, resumption and throughput
    # against ingest_clean_throughput.py (also HSV); TransNetV2's cost is shot_detection.py's subject
    "clean.cuts=hsv",
]


# ---- media --------------------------------------------------------------------------------------
def free_box(index: int) -> bytes:
    """An mp4 ``free`` box: appended to a clip it makes the bytes unique without changing the frames."""
    payload = f"vivid-bench-{index}".encode()
    return struct.pack(">I", 8 + len(payload)) + b"free" + payload


def garment_jpeg(index: int, blank: bool = False, alpha: bool = False) -> bytes:
    """A product shot unlike every other (stripes of seeded colours and angle on white), or a blank one."""
    import cv2
    from PIL import Image

    rng = np.random.default_rng(index)
    image = np.full((256, 192, 3), 255, np.uint8)
    if not blank:
        colours = rng.integers(0, 230, size=(4, 3))
        yy, xx = np.mgrid[0:180, 0:120]
        stripes = ((xx * np.cos(rng.uniform(0, 3)) + yy * np.sin(rng.uniform(0, 3))) // rng.integers(6, 20)) % 4
        image[40:220, 36:156] = colours[stripes.astype(int)]
        cv2.circle(
            image,
            (int(rng.integers(60, 130)), int(rng.integers(60, 200))),
            int(rng.integers(8, 30)),
            tuple(int(c) for c in rng.integers(0, 255, 3)),
            -1,
        )
    else:
        image[:] = 238
    buffer = io.BytesIO()
    if alpha:
        rgba = np.dstack([image, np.where((image == 255).all(-1), 0, 255).astype(np.uint8)])
        rgba[rgba[..., 3] == 0, :3] = 0  # transparent pixels are black underneath
        Image.fromarray(rgba, "RGBA").save(buffer, format="PNG")
    else:
        Image.fromarray(image).save(buffer, format="JPEG", quality=92)
    return buffer.getvalue()


def make_clips(folder: Path, count: int) -> dict[str, list[bytes]]:
    """Base clips (24 frames of 256x192, the embedded example's moving figure), their rotated phone versions,
    one oversize (512x384) and one too long (60 frames)."""
    import av

    from vivid_data.example import ExampleSpec, generate_example
    from vivid_data.formats.release_layout import scan_release_layout
    from vivid_data.video import decode_video, encode_video

    root = generate_example(
        folder, ExampleSpec(per_category=max(1, count // 3), num_frames=24, height=256, width=192, seed=7)
    )
    base = [pair.video.read_bytes() for pair in scan_release_layout(root).pairs]
    rotated = []
    for data in base[:8]:
        frames = np.ascontiguousarray(np.rot90(decode_video(data), k=-1, axes=(1, 2)))
        buffer = io.BytesIO()
        with av.open(buffer, mode="w", format="mp4") as container:
            stream = container.add_stream("libx264", rate=24)
            stream.height, stream.width, stream.pix_fmt = frames.shape[1], frames.shape[2], "yuv420p"
            stream.set_display_rotation(90)
            for number, frame in enumerate(frames):
                video_frame = av.VideoFrame.from_ndarray(frame, format="rgb24")
                video_frame.pts = number
                for packet in stream.encode(video_frame):
                    container.mux(packet)
            for packet in stream.encode():
                container.mux(packet)
        rotated.append(buffer.getvalue())
    frames = decode_video(base[0])
    big = encode_video(np.repeat(np.repeat(frames, 2, axis=1), 2, axis=2), fps=24)
    long = encode_video(np.concatenate([frames, frames, frames[:12]]), fps=24)
    return {"base": base, "rotated": rotated, "oversize": [big], "too_long": [long]}


def huge_png() -> bytes:
    import zlib

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (1, 1)).save(buffer, format="PNG")
    data = bytearray(buffer.getvalue())
    at = data.index(b"IHDR")
    data[at + 4 : at + 12] = struct.pack(">II", 20000, 20000)
    data[at + 17 : at + 21] = struct.pack(">I", zlib.crc32(bytes(data[at : at + 17])) & 0xFFFFFFFF)
    return bytes(data)


# ---- the shop -----------------------------------------------------------------------------------
class Shop:
    """Serves /v/<kind>/<i>.mp4 and /g/<kind>/<i>.jpg with each fault's behaviour, on 127.0.0.1."""

    def __init__(self, clips: dict[str, list[bytes]]) -> None:
        self.clips = clips
        self.huge = huge_png()
        shop = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args) -> None:
                pass

            def do_GET(self) -> None:
                try:
                    shop.answer(self)
                except (BrokenPipeError, ConnectionResetError):
                    pass

        class QuietServer(ThreadingHTTPServer):
            def handle_error(self, request, client_address) -> None:
                pass  # clients that give up on a stalled answer reset the connection: expected here

        self.server = QuietServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.server.request_queue_size = 256
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"

    def send(self, request, body: bytes, status: int = 200, headers: dict | None = None) -> None:
        request.send_response(status)
        for key, value in {"Content-Length": str(len(body)), **(headers or {})}.items():
            request.send_header(key, value)
        request.end_headers()
        request.wfile.write(body)

    def answer(self, request) -> None:
        path = request.path
        if path == "/robots.txt":
            return self.send(request, b"User-agent: *\nDisallow: /members/\n")
        parts = path.strip("/").split("/")
        if len(parts) != 3:
            return self.send(request, b"not found", 404)
        what, kind, name = parts
        index = int(name.split(".")[0].split("-")[-1].split("%20")[-1].replace("%C3%A9", ""))
        if what == "g":
            if kind == "huge_image":
                return self.send(request, self.huge)
            return self.send(request, garment_jpeg(index, blank=kind == "blank_garment", alpha=kind == "alpha_garment"))
        base = self.clips["base"][index % len(self.clips["base"])] + free_box(index)
        if kind in (
            "good",
            "accented_path",
            "space_in_path",
            "robots",
            "huge_image",
            "blank_garment",
            "alpha_garment",
            "duplicate",
        ):
            return self.send(request, base)
        if kind == "rotated":
            return self.send(request, self.clips["rotated"][index % len(self.clips["rotated"])] + free_box(index))
        if kind in ("oversize", "too_long"):
            return self.send(request, self.clips[kind][0] + free_box(index))
        if kind == "not_found":
            return self.send(request, b"gone", 404)
        if kind == "server_error":
            return self.send(request, b"", 503)
        if kind == "html_as_video":
            return self.send(request, b"<!DOCTYPE html><html><body>Please sign in</body></html>")
        if kind == "truncated_file":
            return self.send(request, base[: len(base) // 2])
        if kind == "broken_location":
            return self.send(request, b"", 302, {"Location": "http://[broken"})
        if kind == "metadata_redirect":
            return self.send(request, b"", 302, {"Location": "http://169.254.169.254/latest/meta-data/"})
        if kind == "stall":
            request.send_response(200)
            request.send_header("Content-Length", str(len(base)))
            request.end_headers()
            request.wfile.write(base[:200])
            request.wfile.flush()
            time.sleep(3)
            return None
        if kind == "drip":
            request.send_response(200)
            request.send_header("Content-Length", str(len(base)))
            request.end_headers()
            for byte in base[:40]:
                request.wfile.write(bytes([byte]))
                request.wfile.flush()
                time.sleep(0.1)
            return None
        return self.send(request, b"unknown", 404)

    def close(self) -> None:
        self.server.shutdown()


def url_list(shop: Shop, pairs: int, share: float, seed: int, path: Path) -> dict[str, str]:
    """The CSV a user would give ``source=url_list``; returns each row's fault kind by video URL."""
    import csv

    rng = random.Random(seed)
    kinds = [kind for kind in FAULTS for _ in range(round(pairs * share))]
    kinds += ["good"] * (pairs - len(kinds))
    rng.shuffle(kinds)
    rows: list[dict] = []
    by_url: dict[str, str] = {}
    good_rows: list[int] = []
    port = shop.base.rsplit(":", 1)[1]
    for index, kind in enumerate(kinds):
        video = f"{shop.base}/v/{kind}/{index}.mp4"
        garment = f"{shop.base}/g/{kind}/{index}.jpg"
        if kind == "accented_path":
            video = f"{shop.base}/v/{kind}/robe-été-{index}.mp4"
        elif kind == "space_in_path":
            video = f"{shop.base}/v/{kind}/summer dress {index}.mp4"
        elif kind == "bad_port":
            video = video.replace(f":{port}/", ":99999/")
        elif kind == "bad_host":
            video = video.replace("127.0.0.1", "shop example.com")
        elif kind == "robots":
            video = f"{shop.base}/members/{kind}/{index}.mp4"
        elif kind == "alpha_garment":
            garment = garment[:-4] + ".png"
        elif kind == "duplicate" and good_rows:  # other URLs, the same bytes as an earlier good row
            twin = rng.choice(good_rows)
            video = f"{shop.base}/v/duplicate/{twin}.mp4"
            garment = f"{shop.base}/g/good/{twin}.jpg"
        elif kind == "duplicate":
            kind = kinds[index] = "good"
            video, garment = f"{shop.base}/v/good/{index}.mp4", f"{shop.base}/g/good/{index}.jpg"
        if kind == "good":
            good_rows.append(index)
        category = ("upper_body", "lower_body", "dresses")[index % 3]
        rows.append({"video_url": video, "garment_url": garment, "category": category, "product_id": str(index)})
        by_url[video] = kind
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return by_url


# ---- one build in a child process -------------------------------------------------------------
def drive(config_file: str) -> None:
    """Child process: run the build with a started pool; print wall time and peak memory as JSON."""
    from hydra import compose, initialize_config_module

    from vivid_data.build import run_build
    from vivid_data.executors.local import LocalExecutor
    from vivid_data.heap import prepare_main_process

    config = json.loads(Path(config_file).read_text())
    with initialize_config_module(config_module="vivid_conf", version_base="1.3"):
        cfg = compose(config_name="build", overrides=config["overrides"])
    prepare_main_process()  # what vivid-build's process does before it builds
    executor = LocalExecutor(workers=config["workers"])
    executor.start()
    started = time.perf_counter()
    try:
        run_build(cfg, progress=False, executor=executor)
        workers = [_hwm_kb(w.process.pid) for w in executor._pool if w.process.pid is not None]
    finally:
        executor.close()
    print(
        "RESULT "
        + json.dumps(
            {
                "wall_s": time.perf_counter() - started,
                "main_hwm_kb": _hwm_kb(os.getpid()),
                "worker_hwm_kb": workers,
                "worker_deaths": len(executor.deaths),
            }
        ),
        flush=True,
    )


def _hwm_kb(pid: int) -> int:
    with open(f"/proc/{pid}/status") as handle:
        return next(int(line.split()[1]) for line in handle if line.startswith("VmHWM:"))


def _start(overrides: list[str], workers: int, folder: Path) -> subprocess.Popen:
    folder.mkdir(parents=True, exist_ok=True)
    config = folder / "drive.json"
    config.write_text(json.dumps({"overrides": overrides, "workers": workers}))
    return subprocess.Popen(
        [sys.executable, __file__, "--drive", str(config)], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True
    )


def kill_build(overrides: list[str], workers: int, folder: Path, after_s: float) -> bool:
    """Start a build and SIGKILL it after ``after_s`` seconds; False when it finished before that."""
    child = _start(overrides, workers, folder)
    try:
        child.communicate(timeout=after_s)
        return False
    except subprocess.TimeoutExpired:
        child.send_signal(signal.SIGKILL)
        child.communicate()
        return True


def build(overrides: list[str], workers: int, folder: Path) -> dict:
    """Run a build to its end in a child process; its RESULT line."""
    child = _start(overrides, workers, folder)
    out, _ = child.communicate()
    result = [line for line in out.splitlines() if line.startswith("RESULT ")]
    if child.returncode != 0 or not result:
        raise RuntimeError(f"build in {folder} failed (exit {child.returncode}):\n{out[-3000:]}")
    return json.loads(result[0][len("RESULT ") :])


def shard_hashes(work: Path) -> dict[str, str]:
    index = json.loads((work / "dataset" / "dataset.json").read_text())
    return {
        shard["path"]: hashlib.sha256((work / "dataset" / shard["path"]).read_bytes()).hexdigest()
        for split in index["splits"].values()
        for shard in split["shards"]
    }


def manifest_set(work: Path) -> set[tuple]:
    import pandas as pd

    frame = pd.read_parquet(work / "manifests" / "clean.parquet")
    columns = ["sample_id", "status", "reason", "video", "garment", "split", "num_frames"]
    return {tuple(str(v) for v in row) for row in frame[columns].itertuples(index=False)}


def reference_throughput(tmp: Path) -> float:
    """samples/min of ingest_clean_throughput.py's build on 1 worker, measured now (its defaults but 24 pairs)."""
    sys.path.insert(0, str(HERE))
    import ingest_clean_throughput as reference

    from vivid_data.example import ExampleSpec, generate_example
    from vivid_data.executors.local import LocalExecutor
    from vivid_data.net.serve import serve_directory

    root = generate_example(tmp / "catalog", ExampleSpec(per_category=8, num_frames=48, height=512, width=384, seed=1))
    index = reference.write_catalog(root)
    with serve_directory(root) as base_url:
        reference.timed_build(base_url, index, tmp / "warm", LocalExecutor(workers=1), 3)
        seconds, ok = reference.timed_build(base_url, index, tmp / "ref", LocalExecutor(workers=1), 24)
    return ok / seconds * 60


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=int, default=10_000)
    parser.add_argument("--share", type=float, default=0.03, help="share of the rows carrying each fault kind")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--small", type=int, default=1000, help="rows of the build used for memory growth per row")
    parser.add_argument("--drive", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.drive:
        return drive(args.drive)

    import pandas as pd

    with tempfile.TemporaryDirectory(prefix="vivid-scale-") as tmp_dir:
        tmp = Path(tmp_dir)
        print("measuring the reference (ingest_clean_throughput.py's build, 1 worker) ...", flush=True)
        reference = reference_throughput(tmp / "reference")
        shop = Shop(make_clips(tmp / "clips", 66))
        try:
            kinds = url_list(shop, args.pairs, args.share, args.seed, tmp / "pairs.csv")
            pd.read_csv(tmp / "pairs.csv").iloc[: args.small].to_csv(tmp / "small.csv", index=False)
            clean_only = [f"path={tmp / 'pairs.csv'}", "source=url_list", "stages=[ingest,clean,shard]", *INGEST]
            print(f"{args.pairs} pairs, {len(FAULTS)} fault kinds at {args.share:.0%} each; building ...", flush=True)
            full = build([*clean_only, f"work_dir={tmp / 'full'}"], args.workers, tmp / "full")
            rng = random.Random(args.seed)
            kill_at = rng.uniform(0.25, 0.75) * full["wall_s"]
            assert kill_build([*clean_only, f"work_dir={tmp / 'resumed'}"], args.workers, tmp / "resumed", kill_at)
            journaled = len((tmp / "resumed" / "journal" / "ingest.jsonl").read_text().splitlines())
            resumed = build([*clean_only, f"work_dir={tmp / 'resumed'}"], args.workers, tmp / "resumed")
            small = build(
                [
                    f"path={tmp / 'small.csv'}",
                    "source=url_list",
                    "stages=[ingest,clean,shard]",
                    *INGEST,
                    f"work_dir={tmp / 'small'}",
                ],
                args.workers,
                tmp / "small",
            )
            good_only = pd.read_csv(tmp / "pairs.csv")
            good_only = good_only[good_only["video_url"].map(kinds) == "good"].iloc[: args.small]
            good_only.to_csv(tmp / "good.csv", index=False)
            fault_free = build(
                [
                    f"path={tmp / 'good.csv'}",
                    "source=url_list",
                    "stages=[ingest,clean,shard]",
                    *INGEST,
                    f"work_dir={tmp / 'good'}",
                ],
                args.workers,
                tmp / "good",
            )
        finally:
            shop.close()
        report(tmp, kinds, args, full, resumed, small, fault_free, reference, kill_at, journaled, len(good_only))


def report(
    tmp: Path,
    kinds: dict[str, str],
    args,
    full: dict,
    resumed: dict,
    small: dict,
    fault_free: dict,
    reference: float,
    kill_at: float,
    journaled: int,
    good_rows: int,
) -> None:
    import pandas as pd

    frame = pd.read_parquet(tmp / "full" / "manifests" / "clean.parquet")
    candidates = pd.read_parquet(tmp / "full" / "manifests" / "candidates.parquet")
    duplicates = json.loads((tmp / "full" / "stats" / "ingest.json").read_text())["duplicates"]
    by_kind: dict[str, Counter] = defaultdict(Counter)
    wrong: list[str] = []
    present = set(frame["video_url"])
    for row in frame.itertuples():
        kind = kinds.get(row.video_url, "?")
        reason = row.reason if isinstance(row.reason, str) else None
        by_kind[kind][f"{row.status} {reason or ''}".strip()] += 1
        status, expected_reason = FAULTS.get(kind, ("ok", None))
        if (row.status, reason) != (status, expected_reason):
            wrong.append(f"{kind}: {row.video_url} ended {row.status} {reason}")
        elif row.status != "ok" and not any(str(u) in str(row.detail) for u in (row.video_url, row.garment_url)):
            wrong.append(f"{kind}: {row.video_url}: detail names neither URL: {row.detail}")
    for url in set(candidates["video_url"]) - present:
        by_kind[kinds.get(url, "?")]["dropped as a duplicate"] += 1
        if kinds.get(url) != "duplicate":
            wrong.append(f"{kinds.get(url)}: {url} is missing from the manifest")
    rows = len(candidates)
    ok = int((frame["status"] == "ok").sum())
    print(f"\n{'fault kind':20s} {'rows':>5s}  expected                          outcome")
    for kind in ["good", *FAULTS]:
        expected = (
            "ok"
            if kind == "good"
            else ("dropped as a duplicate" if kind == "duplicate" else " ".join(x for x in FAULTS[kind] if x))
        )
        outcome = ", ".join(f"{k} x{v}" for k, v in sorted(by_kind[kind].items()))
        print(f"{kind:20s} {sum(by_kind[kind].values()):5d}  {expected:33s} {outcome}")
    print(f"duplicates noted by ingest: {len(duplicates)}")
    print(f"rows not as expected: {len(wrong)}" + "".join(f"\n  {w}" for w in wrong[:20]))
    per_worker = ok / full["wall_s"] * 60 / args.workers
    fault_free_rate = good_rows / fault_free["wall_s"] * 60 / args.workers
    print(
        f"\nuninterrupted: {rows} rows, {ok} ok samples in {full['wall_s']:.0f} s = {rows / full['wall_s'] * 60:.0f} "
        f"rows/min, {ok / full['wall_s'] * 60:.0f} ok samples/min ({per_worker:.0f} per worker); "
        f"worker deaths {full['worker_deaths']}"
    )
    print(
        f"reference, ingest_clean_throughput.py's build (48 frames 512x384, 1 worker): {reference:.0f} samples/min"
        f" per worker -> ratio {per_worker / reference:.2f} (target >= 1; our clips are 24 frames of 256x192)"
    )
    print(
        f"fault-free build of {good_rows} of the same good rows: {fault_free_rate:.0f} samples/min per worker -> "
        f"ratio {per_worker / fault_free_rate:.2f} (the cost of the faulty rows' waits: stalls, drips, retries)"
    )
    growth = (full["main_hwm_kb"] - small["main_hwm_kb"]) * 1024 / max(1, rows - args.small)
    print(
        f"peak RSS: main {full['main_hwm_kb'] / 1024:.0f} MiB ({args.small} rows: {small['main_hwm_kb'] / 1024:.0f} "
        f"MiB) -> growth {growth:.0f} bytes per row (target < 1024); workers "
        f"{', '.join(f'{w / 1024:.0f}' for w in full['worker_hwm_kb'])} MiB"
    )
    same_manifest = manifest_set(tmp / "full") == manifest_set(tmp / "resumed")
    same_shards = shard_hashes(tmp / "full") == shard_hashes(tmp / "resumed")
    print(
        f"SIGKILL after {kill_at:.0f} s ({journaled} ingest rows journaled), resumed in {resumed['wall_s']:.0f} s: "
        f"manifests equal as sets: {same_manifest}; shards byte-identical: {same_shards} "
        f"({len(shard_hashes(tmp / 'full'))} shards)"
    )


if __name__ == "__main__":
    main()
