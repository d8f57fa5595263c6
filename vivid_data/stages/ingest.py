"""Stage ``ingest``: fetch a candidate's files into the content store and make its sample row.

Everything that can go wrong with one candidate ends as that candidate's row: a malformed or
non-ASCII URL, a blocked address, robots.txt, a dead link, a stalled server, wrong content, a
video or image too large to decode safely. Rows are ``rejected`` when the input is bad and
``failed`` when something transient broke (``retry_failed=true`` tries those again).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from vivid_data.candidates import SOURCE_COLUMNS
from vivid_data.config_defaults import FROM_YAML, defaults_from
from vivid_data.executors.base import StageResources
from vivid_data.manifest_stream import read_columns
from vivid_data.net.download import DownloadConfig, DownloadError, download
from vivid_data.net.http import HttpConfig
from vivid_data.net.polite import Politeness
from vivid_data.schema import SampleRecord, make_sample_id
from vivid_data.sniff import IMAGE_KINDS, VIDEO_KINDS, sniff_file
from vivid_data.stages.base import BYTES, Row, outcome
from vivid_data.store import ContentStore, StoredObject
from vivid_data.video import MediaError, decode_upright, encode_video, image_size, probe_video

#: manifest modality -> (candidate column, expected kind)
FETCHED = {
    "video": ("video_src", "video"),
    "garment": ("garment_src", "image"),
    "garment_mask": ("garment_mask_src", "image"),
    "agnostic": ("agnostic_src", "video"),
    "agnostic_mask": ("agnostic_mask_src", "video"),
    "densepose": ("densepose_src", "video"),
}
UPRIGHT_CRF = 16


class _Problem(Exception):
    def __init__(self, status: str, reason: str, detail: str) -> None:
        self.status, self.reason, self.detail = status, reason, detail
        super().__init__(detail)


@dataclass
@defaults_from("ingest/default.yaml")
class IngestStage:
    """Download (or copy, for trusted local folders) every file of a candidate, then probe it.

    Dead links, blocked addresses, robots.txt refusals, bad URLs, wrong content and media over
    the caps give ``rejected`` rows; network failures after the retries, a passed deadline and
    unexpected errors give ``failed`` rows. Caps are checked from the container and the image
    header before any pixel is decoded. Rotated phone videos are stored upright.
    """

    work_dir: str
    max_bytes: int = FROM_YAML
    retries: int = FROM_YAML
    backoff_s: float = FROM_YAML
    connect_timeout_s: float = FROM_YAML
    read_timeout_s: float = FROM_YAML
    deadline_s: float = FROM_YAML
    max_redirects: int = FROM_YAML
    user_agent: str | None = FROM_YAML
    allow_private_hosts: Any = FROM_YAML
    obey_robots: bool = FROM_YAML
    min_interval_s: float = FROM_YAML
    max_frame_pixels: int = FROM_YAML  # 1920x1080 (either orientation) and smaller
    max_frames: int = FROM_YAML
    max_duration_s: float = FROM_YAML
    max_image_pixels: int = FROM_YAML
    resources: Any = FROM_YAML
    #: workers downloading at once (set by the build from the executor): spreads the per-host interval
    parallel_workers: int = 1
    name: str = field(default="ingest", init=False)
    key: str = field(default="candidate_id", init=False)
    reads: tuple[str, ...] = field(
        default=("category", "local_files", "video_sha256", "garment_sha256", *SOURCE_COLUMNS), init=False
    )
    requires: tuple[str, ...] = field(default=("video_src", "garment_src"), init=False)
    provides: tuple[str, ...] = field(
        default=(
            "sample_id",
            "video",
            "garment",
            "num_frames",
            "fps",
            "width",
            "height",
            "garment_width",
            "garment_height",
        ),
        init=False,
    )

    def __post_init__(self) -> None:
        self.resources = StageResources.of(self.resources)
        self._politeness: Politeness | None = None

    def config(self) -> dict[str, Any]:
        """What changes a row's result (not timeouts' bookkeeping like the worker count or resources)."""
        values = asdict(self)
        for key in ("work_dir", "resources", "parallel_workers", "reads", "requires", "provides"):
            values.pop(key)
        values["allow_private_hosts"] = self._download_config().http.allow_private_hosts
        return values

    def setup(self) -> None:
        """Per worker: the robots.txt cache and the per-host clock."""
        config = self._download_config()
        self._politeness = Politeness(config.http, self.min_interval_s, self.obey_robots, self.parallel_workers)

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        state["_politeness"] = None  # per process
        return state

    @property
    def store(self) -> ContentStore:
        return ContentStore(Path(self.work_dir) / "store")

    def _download_config(self) -> DownloadConfig:
        http = HttpConfig(
            connect_timeout=self.connect_timeout_s,
            read_timeout=self.read_timeout_s,
            max_redirects=self.max_redirects,
            allow_private_hosts=self.allow_private_hosts,
        )
        if self.user_agent:
            http.user_agent = self.user_agent
        return DownloadConfig(
            http=http,
            max_bytes=self.max_bytes,
            retries=self.retries,
            backoff_s=self.backoff_s,
            deadline_s=self.deadline_s,
        )

    # ---- fetching ----------------------------------------------------------------------
    def _fetch(self, location: str, expect: str, local_files: bool, modality: str) -> StoredObject:
        """Store one file; returns the stored object. Raises _Problem with the row's status."""
        if not isinstance(location, str) or not location.strip():
            raise _Problem("rejected", f"{modality}_bad_url", f"{location!r}: not a URL")
        parts = urlsplit(location.strip())
        if parts.scheme == "file" or (not parts.scheme and location.startswith("/")):
            return self._copy_local(location, parts, expect, local_files, modality)
        if self._politeness is None:
            self.setup()
        try:
            return download(
                location, self.store, self._download_config(), expect=expect, politeness=self._politeness
            ).stored
        except DownloadError as exc:
            status = "rejected" if exc.permanent else "failed"
            raise _Problem(status, f"{modality}_{exc.reason}", str(exc)) from exc

    def _copy_local(self, location: str, parts, expect: str, local_files: bool, modality: str) -> StoredObject:
        if not local_files:
            raise _Problem(
                "rejected", f"{modality}_bad_url", f"{location}: local files are only read from trusted folder sources"
            )
        path = Path(unquote(parts.path) if parts.scheme else location)
        if not path.is_file():
            raise _Problem("rejected", f"{modality}_missing", f"{path}: no such file")
        if path.stat().st_size > self.max_bytes:
            raise _Problem(
                "rejected", f"{modality}_too_large", f"{path}: {path.stat().st_size} bytes > cap {self.max_bytes}"
            )
        kind = sniff_file(path) if path.stat().st_size else None
        allowed = VIDEO_KINDS if expect == "video" else IMAGE_KINDS
        suffix = kind if kind in allowed else (path.suffix.lstrip(".").lower() or "bin")
        if not suffix.isalnum():
            suffix = "bin"
        try:
            return self.store.put_file(path, suffix)
        except OSError as exc:
            raise _Problem("failed", f"{modality}_store_error", str(exc)) from exc

    # ---- checking ----------------------------------------------------------------------
    def _check_video(self, stored: StoredObject, url: str, modality: str) -> tuple[StoredObject, dict[str, Any], int]:
        """Probe (no decoding) and apply the caps; a rotated video is stored upright.

        Returns what is stored, its facts, and the rotation the source file had.
        """
        path = self.store.path(stored.key)
        try:
            info = probe_video(path, name=url)
        except MediaError as exc:
            raise _Problem("rejected", f"{modality}_{exc.problem}", str(exc)) from exc
        if info.pixels > self.max_frame_pixels:
            raise _Problem(
                "rejected",
                f"{modality}_too_many_pixels",
                f"{url}: frames of {info.width}x{info.height} = {info.pixels} pixels, more than the cap "
                f"of {self.max_frame_pixels} (ingest.max_frame_pixels)",
            )
        if info.num_frames > self.max_frames or info.duration_s > self.max_duration_s:
            raise _Problem(
                "rejected",
                f"{modality}_too_long",
                f"{url}: {info.num_frames} frames, {info.duration_s:.1f}s; caps {self.max_frames} frames, "
                f"{self.max_duration_s:g}s (ingest.max_frames, ingest.max_duration_s)",
            )
        rotation = info.rotation
        if rotation:
            stored, info = self._upright(path, url, info)
        facts = {
            "num_frames": info.num_frames,
            "fps": info.fps,
            "width": info.width,
            "height": info.height,
            "duration_s": info.duration_s,
            "codec": info.codec,
        }
        return stored, facts, rotation

    def _upright(self, path: Path, url: str, info):
        """Phone videos store sideways frames and a display rotation that decord ignores: re-encode upright."""
        try:
            frames = decode_upright(path, name=url, max_frames=self.max_frames)
            data = encode_video(frames, fps=info.fps, crf=UPRIGHT_CRF, reproducible=True)
        except (MediaError, ValueError) as exc:
            raise _Problem(
                "rejected", "video_bad_frames", f"{url}: cannot turn the rotated video upright: {exc}"
            ) from exc
        try:
            upright = self.store.put_bytes(data, "mp4")
        except OSError as exc:
            raise _Problem("failed", "video_store_error", str(exc)) from exc
        return upright, probe_video(self.store.path(upright.key), name=url)

    def _check_image(self, stored: StoredObject, url: str, modality: str) -> tuple[int, int]:
        try:
            return image_size(self.store.path(stored.key), name=url, max_pixels=self.max_image_pixels)
        except MediaError as exc:
            raise _Problem("rejected", f"{modality}_{exc.problem}", str(exc)) from exc

    # ---- one row -----------------------------------------------------------------------
    def __call__(self, row: Row) -> list[Row]:
        stored: dict[str, StoredObject] = {}
        facts: dict[str, Any] = {}
        rotation = 0
        try:
            for modality, (column, expect) in FETCHED.items():
                location = row.get(column)
                if not location:
                    continue
                stored[modality] = self._fetch(location, expect, bool(row.get("local_files")), modality)
                expected = row.get(f"{modality}_sha256")
                if expected and expected != stored[modality].sha256:
                    raise _Problem(
                        "rejected",
                        f"{modality}_checksum_mismatch",
                        f"{location}: sha256 {stored[modality].sha256}, expected {expected}",
                    )
            for modality, (column, expect) in FETCHED.items():
                if modality not in stored:
                    continue
                url = str(row.get(column))
                if expect == "video":
                    stored[modality], video_facts, turned = self._check_video(stored[modality], url, modality)
                    if modality == "video":
                        facts.update(video_facts)
                        rotation = turned
                else:
                    width, height = self._check_image(stored[modality], url, modality)
                    if modality == "garment":
                        facts.update(garment_width=width, garment_height=height)
        except _Problem as problem:
            return [self._row(row, stored, problem.status, problem.reason, problem.detail, rotation, **facts)]
        return [self._row(row, stored, "ok", None, None, rotation, **facts)]

    def _row(
        self, row: Row, stored: dict, status: str, reason: str | None, detail: str | None, rotation: int, **facts
    ) -> Row:
        video, garment = stored.get("video"), stored.get("garment")
        # ok rows are named by their content; a rejected or failed one by its candidate (its URLs),
        # so it can never collide with, or be mistaken for, a good copy of the same bytes
        sample_id = (
            make_sample_id(video.sha256, garment.sha256)
            if status == "ok" and video and garment
            else f"u{row['candidate_id'][:23]}"
        )
        record = SampleRecord(
            sample_id=sample_id,
            category=row["category"],
            product_id=row.get("product_id"),
            video_name=row.get("video_name"),
            garment_name=row.get("garment_name"),
            video_sha256=video.sha256 if video else None,
            garment_sha256=garment.sha256 if garment else None,
            video_url=row.get("video_url"),
            garment_url=row.get("garment_url"),
            license=row.get("license"),
            attribution=row.get("attribution"),
            split=row.get("split"),
            setting=row.get("setting"),
            **{m: s.key for m, s in stored.items()},
            **facts,
        ).to_row()
        record["candidate_id"] = row["candidate_id"]
        record["origin"] = row.get("origin")
        record["video_rotation"] = int(rotation)  # what the source file asked for; stored upright
        record[BYTES] = sum(s.size for s in stored.values())
        return outcome(record, status, reason, detail)

    def finalize(self, manifest: Path) -> tuple[dict[int, Row | None], dict[str, Any]]:
        """Candidates whose bytes turned out identical (same video and garment) are kept once."""
        frame = read_columns(manifest, ["sample_id", "origin"])
        duplicated = frame["sample_id"].duplicated(keep="first")
        firsts = frame.drop_duplicates("sample_id").set_index("sample_id")["origin"]
        notes = [
            f"{origin}: same video and garment bytes as {firsts[sid]}"
            for sid, origin in zip(frame.loc[duplicated, "sample_id"], frame.loc[duplicated, "origin"])
        ]
        return dict.fromkeys((int(i) for i in frame.index[duplicated]), None), {"duplicates": notes}
