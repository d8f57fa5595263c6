"""Stage ``ingest``: fetch a candidate's files into the content store and make its sample row."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import pandas as pd

from vivid_data.net.download import DownloadConfig, DownloadError, download
from vivid_data.net.http import HttpConfig
from vivid_data.schema import SampleRecord, make_sample_id
from vivid_data.sniff import IMAGE_KINDS, VIDEO_KINDS, sniff_file
from vivid_data.stages.base import BYTES, Row, outcome
from vivid_data.store import ContentStore
from vivid_data.video import MediaError, image_size, probe_video

#: manifest modality -> (candidate column, expected kind)
FETCHED = {
    "video": ("video_src", "video"),
    "garment": ("garment_src", "image"),
    "garment_mask": ("garment_mask_src", "image"),
    "agnostic": ("agnostic_src", "video"),
    "agnostic_mask": ("agnostic_mask_src", "video"),
    "densepose": ("densepose_src", "video"),
}


class _Problem(Exception):
    def __init__(self, status: str, reason: str, detail: str) -> None:
        self.status, self.reason, self.detail = status, reason, detail
        super().__init__(detail)


@dataclass
class IngestStage:
    """Download (or copy, for trusted local folders) every file of a candidate, then probe it.

    Dead links, blocked addresses, wrong content and unusable media give ``rejected`` rows;
    network failures after the retries give ``failed`` rows (``retry_failed=true`` retries them).
    """

    work_dir: str
    max_bytes: int = 512 * 1024 * 1024
    retries: int = 3
    backoff_s: float = 0.5
    connect_timeout_s: float = 10.0
    read_timeout_s: float = 30.0
    max_redirects: int = 5
    user_agent: str | None = None
    allow_private_hosts: Any = False
    name: str = field(default="ingest", init=False)
    key: str = field(default="candidate_id", init=False)

    def config(self) -> dict[str, Any]:
        values = asdict(self)
        values.pop("work_dir")
        values["allow_private_hosts"] = self._download_config().http.allow_private_hosts
        return values

    @property
    def store(self) -> ContentStore:
        return ContentStore(Path(self.work_dir) / "store")

    def _download_config(self) -> DownloadConfig:
        http = HttpConfig(connect_timeout=self.connect_timeout_s, read_timeout=self.read_timeout_s,
                          max_redirects=self.max_redirects,
                          allow_private_hosts=self.allow_private_hosts)
        if self.user_agent:
            http.user_agent = self.user_agent
        return DownloadConfig(http=http, max_bytes=self.max_bytes, retries=self.retries, backoff_s=self.backoff_s)

    def _fetch(self, location: str, expect: str, local_files: bool, modality: str):
        """Store one file; returns the stored object. Raises _Problem with the row's status."""
        parts = urlsplit(location)
        if parts.scheme == "file" or (not parts.scheme and location.startswith("/")):
            if not local_files:
                raise _Problem("rejected", f"{modality}_bad_url",
                               f"{location}: local files are only read from trusted folder sources")
            path = Path(unquote(parts.path) if parts.scheme else location)
            if not path.is_file():
                raise _Problem("rejected", f"{modality}_missing", f"{path}: no such file")
            kind = sniff_file(path) if path.stat().st_size else None
            allowed = VIDEO_KINDS if expect == "video" else IMAGE_KINDS
            suffix = kind if kind in allowed else (path.suffix.lstrip(".").lower() or "bin")
            return self.store.put_file(path, suffix)
        try:
            return download(location, self.store, self._download_config(), expect=expect).stored
        except DownloadError as exc:
            status = "rejected" if exc.permanent else "failed"
            raise _Problem(status, f"{modality}_{exc.reason}", str(exc)) from exc

    def __call__(self, row: Row) -> list[Row]:
        stored = {}
        try:
            for modality, (column, expect) in FETCHED.items():
                location = row.get(column)
                if location:
                    stored[modality] = self._fetch(location, expect, bool(row.get("local_files")), modality)
                    expected = row.get(f"{modality}_sha256")
                    if expected and expected != stored[modality].sha256:
                        raise _Problem("rejected", f"{modality}_checksum_mismatch",
                                       f"{location}: sha256 {stored[modality].sha256}, expected {expected}")
        except _Problem as problem:
            return [self._row(row, stored, problem.status, problem.reason, problem.detail)]
        problems = []
        try:
            info = probe_video(self.store.path(stored["video"].key), name=row["video_url"])
            facts = {"num_frames": info.num_frames, "fps": info.fps, "width": info.width, "height": info.height,
                     "duration_s": info.duration_s, "codec": info.codec}
        except MediaError as exc:
            facts = {}
            problems.append((f"video_{exc.problem}", str(exc)))
        try:
            width, height = image_size(self.store.path(stored["garment"].key), name=row["garment_url"])
            facts.update(garment_width=width, garment_height=height)
        except MediaError as exc:
            problems.append((f"garment_{exc.problem}", str(exc)))
        if problems:
            return [self._row(row, stored, "rejected", problems[0][0], "; ".join(d for _, d in problems), **facts)]
        return [self._row(row, stored, "ok", None, None, **facts)]

    def _row(self, row: Row, stored: dict, status: str, reason: str | None, detail: str | None, **facts) -> Row:
        video, garment = stored.get("video"), stored.get("garment")
        # ok rows are named by their content; a rejected or failed one by its candidate (its URLs),
        # so it can never collide with, or be mistaken for, a good copy of the same bytes
        sample_id = (make_sample_id(video.sha256, garment.sha256) if status == "ok"
                     else f"u{row['candidate_id'][:23]}")
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
            **{m: s.key for m, s in stored.items()},
            **facts,
        ).to_row()
        record["candidate_id"] = row["candidate_id"]
        record["origin"] = row.get("origin")
        record[BYTES] = sum(s.size for s in stored.values())
        return outcome(record, status, reason, detail)

    def finalize(self, frame: pd.DataFrame) -> tuple[pd.DataFrame, dict[str, Any]]:
        """Candidates whose bytes turned out identical (same video and garment) are kept once."""
        duplicated = frame["sample_id"].duplicated(keep="first")
        firsts = frame.drop_duplicates("sample_id").set_index("sample_id")["origin"]
        notes = [f"{origin}: same video and garment bytes as {firsts[sid]}"
                 for sid, origin in zip(frame.loc[duplicated, "sample_id"], frame.loc[duplicated, "origin"])]
        return frame[~duplicated].reset_index(drop=True), {"duplicates": notes}

