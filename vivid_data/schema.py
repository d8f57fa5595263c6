"""The one record of a garment-video pair, shared by every stage, shard and loader."""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import asdict, dataclass, field, fields
from typing import Any

CATEGORIES: tuple[str, ...] = ("upper_body", "lower_body", "dresses")
SPLITS: tuple[str, ...] = ("train", "test")
SETTINGS: tuple[str, ...] = ("paired", "unpaired")
STATUSES: tuple[str, ...] = ("ok", "rejected", "failed")

#: Modalities of a sample; each column holds a content-store key (or None when absent).
MODALITIES: tuple[str, ...] = (
    "video",
    "garment",
    "garment_mask",
    "agnostic",
    "agnostic_mask",
    "densepose",
    "pose",
    "keypoints",
)

SAMPLE_ID_PATTERN = re.compile(r"^[A-Za-z0-9_-]{1,128}$")
SAMPLE_ID_HEX_CHARS = 24


def make_sample_id(*content_hashes: str) -> str:
    """Stable id from the content hashes of a pair (video first, then garment).

    24 hex characters (96 bits): no dots, safe as a file name and a WebDataset key,
    and the same bytes always give the same id on any machine.
    """
    if not content_hashes or not all(content_hashes):
        raise ValueError("make_sample_id needs at least one non-empty content hash")
    digest = hashlib.sha256(":".join(content_hashes).encode("ascii")).hexdigest()
    return digest[:SAMPLE_ID_HEX_CHARS]


def check_sample_id(sample_id: str) -> str:
    if not isinstance(sample_id, str) or not SAMPLE_ID_PATTERN.match(sample_id):
        raise ValueError(f"invalid sample id {sample_id!r}: use 1-128 of [A-Za-z0-9_-], no dots")
    return sample_id


def check_category(category: str) -> str:
    if category not in CATEGORIES:
        raise ValueError(f"unknown category {category!r}; expected one of {', '.join(CATEGORIES)}")
    return category


@dataclass
class SampleRecord:
    """A garment-video pair. Modality columns are content-store keys; facts describe the model video."""

    sample_id: str
    category: str
    product_id: str | None = None
    video_name: str | None = None
    garment_name: str | None = None
    # modalities (store keys)
    video: str | None = None
    garment: str | None = None
    garment_mask: str | None = None
    agnostic: str | None = None
    agnostic_mask: str | None = None
    densepose: str | None = None
    pose: str | None = None
    keypoints: str | None = None
    # content hashes
    video_sha256: str | None = None
    garment_sha256: str | None = None
    # video facts
    num_frames: int | None = None
    fps: float | None = None
    width: int | None = None
    height: int | None = None
    duration_s: float | None = None
    codec: str | None = None
    garment_width: int | None = None
    garment_height: int | None = None
    # provenance
    video_url: str | None = None
    garment_url: str | None = None
    license: str | None = None
    attribution: str | None = None
    # placement and progress
    split: str | None = None
    #: whether the garment image is the one worn in the video (paired) or another (unpaired); None: unknown
    setting: str | None = None
    status: str = "ok"
    reason: str | None = None
    #: for rows that are not ok: one readable line naming the URL or file and what was wrong
    detail: str | None = None
    stages: dict[str, dict[str, Any]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        check_sample_id(self.sample_id)
        check_category(self.category)
        if self.split is not None and self.split not in SPLITS:
            raise ValueError(f"sample {self.sample_id}: unknown split {self.split!r}; expected {SPLITS}")
        if self.setting is not None and self.setting not in SETTINGS:
            raise ValueError(f"sample {self.sample_id}: unknown setting {self.setting!r}; expected {SETTINGS}")
        if self.status not in STATUSES:
            raise ValueError(f"sample {self.sample_id}: unknown status {self.status!r}; expected {STATUSES}")

    def to_row(self) -> dict[str, Any]:
        row = asdict(self)
        row["stages"] = json.dumps(self.stages, sort_keys=True)
        return row

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> SampleRecord:
        known = {f.name for f in fields(cls)}
        values = {k: _none_if_missing(v) for k, v in row.items() if k in known}
        stages = values.get("stages")
        values["stages"] = json.loads(stages) if isinstance(stages, str) and stages else {}
        for name in ("num_frames", "width", "height", "garment_width", "garment_height"):
            if values.get(name) is not None:
                values[name] = int(values[name])
        return cls(**values)


def _none_if_missing(value: Any) -> Any:
    try:
        import pandas as pd

        if value is pd.NA or value is pd.NaT:
            return None
    except ImportError:  # pragma: no cover - pandas is a dependency
        pass
    if isinstance(value, float) and value != value:
        return None
    return value


#: Column names in manifest order, and the pandas dtype each is stored with.
COLUMN_DTYPES: dict[str, str] = {
    f.name: (
        "Int64"
        if f.name in ("num_frames", "width", "height", "garment_width", "garment_height")
        else "Float64"
        if f.name in ("fps", "duration_s")
        else "string"
    )
    for f in fields(SampleRecord)
}
#: columns added after the first manifests were written: filled with nulls when missing
OPTIONAL_COLUMNS: tuple[str, ...] = ("detail", "setting")
REQUIRED_COLUMNS: tuple[str, ...] = tuple(c for c in COLUMN_DTYPES if c not in OPTIONAL_COLUMNS)
