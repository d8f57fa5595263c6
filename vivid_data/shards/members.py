"""The one table of a shard sample's members: names, what each holds, which may be absent.

Written by the shard writer; read by the training loader, the model's sample reader, the
evaluator's inputs, the sanity baselines and the export. Each member's sha256 is recorded in
the sample's ``json`` member (``sha256``), which readers can check.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Member:
    name: str  # the member's suffix in the tar: <sample id>.<name>
    column: str  # the manifest column (content-store key) it is written from
    kind: str  # video | mask_video | image | mask_image | keypoints | json
    required: bool  # every sample has it


VIDEO = Member("video.mp4", "video", "video", True)
AGNOSTIC = Member("agnostic.mp4", "agnostic", "video", False)
AGNOSTIC_MASK = Member("agnostic_mask.mp4", "agnostic_mask", "mask_video", False)
POSE = Member("pose.mp4", "pose", "video", False)
DENSEPOSE = Member("densepose.mp4", "densepose", "video", False)
GARMENT = Member("garment.jpg", "garment", "image", True)
GARMENT_MASK = Member("garment_mask.png", "garment_mask", "mask_image", False)
KEYPOINTS = Member("keypoints.npz", "keypoints", "keypoints", False)
META = Member("json", "", "json", True)

#: written from the manifest, in this order, before ``json``
CONTENT_MEMBERS: tuple[Member, ...] = (
    VIDEO,
    AGNOSTIC,
    AGNOSTIC_MASK,
    POSE,
    DENSEPOSE,
    GARMENT,
    GARMENT_MASK,
    KEYPOINTS,
)
ALL_MEMBERS: tuple[Member, ...] = (*CONTENT_MEMBERS, META)
BY_NAME = {m.name: m for m in ALL_MEMBERS}
#: what a try-on model needs of a sample (besides its pose input)
TRYON_MEMBERS: tuple[Member, ...] = (VIDEO, AGNOSTIC, AGNOSTIC_MASK, GARMENT, GARMENT_MASK)


def pose_member(pose_input: str) -> Member:
    """The pose video a model reads: ``densepose`` (as published) or ``pose`` (our rendered skeleton)."""
    if pose_input not in ("densepose", "pose"):
        raise ValueError(f"pose_input must be densepose or pose, got {pose_input!r}")
    return DENSEPOSE if pose_input == "densepose" else POSE
