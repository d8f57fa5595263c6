"""What a result did differently from scoring every listed video in full: recorded, shown, never ranked.

A run that truncated frames, resized predictions, accepted another frame rate, skipped videos or
references, or scored a subset built by our own rule measured something other than the
published setting. Each such deviation is a line in ``summary.json`` (``deviations``); the
leaderboard lists it beside the result and keeps the result out of every ranking; a built subset
only out of the ranking with published rows (two results on the same built windows still rank).
"""

from __future__ import annotations

from typing import Any

BUILT_SUBSET = "built subset"


def is_reference_deviation(deviation: str) -> bool:
    """A deviation in what was measured on (a built subset), not in how: it keeps a result away from the
    published rows, while results on the same windows still rank against each other."""
    return deviation.startswith(BUILT_SUBSET)


#: metrics that skip a video for what it is (one context window has no seam; a mask empty on every frame
#: has no region), not for how it was measured: their skips are counted per metric (``videos``), not deviations
CONTEXT_METRICS = frozenset({"seams", "ssim_region", "lpips_region", "preserve"})


def deviations_of(summary: dict[str, Any]) -> list[str]:
    """The deviations a summary carries (also for summaries written before they were recorded)."""
    out: list[str] = []
    mismatched = summary.get("mismatched_videos") or {}
    policy = summary.get("mismatch_policy", "error")
    if mismatched.get("frame_count") and policy != "error":
        out.append(
            f"mismatch={policy}: {mismatched['frame_count']} video(s) scored on fewer frames than their reference"
        )
    if mismatched.get("size") and policy == "resize":
        out.append(f"mismatch=resize: {mismatched['size']} prediction(s) resized to the reference size")
    if mismatched.get("fps") and summary.get("fps_policy") == "allow":
        out.append(f"fps_mismatch=allow: {mismatched['fps']} prediction(s) at another frame rate than the reference")
    for metric, videos in sorted((summary.get("skipped_videos") or {}).items()):
        if videos and metric not in CONTEXT_METRICS:
            out.append(f"{metric}: {len(videos)} video(s) skipped ({', '.join(sorted(videos)[:3])})")
    missing = summary.get("missing_predictions") or []
    if missing:
        out.append(f"on_missing=skip: {len(missing)} reference(s) without a prediction ({', '.join(missing[:3])})")
    reference = summary.get("reference_set") or {}
    built = reference.get("built_subset")
    if built:
        out.append(
            f"{BUILT_SUBSET} {built.get('name')}: windows chosen by our rule, not a published list "
            f"(windows {built.get('windows_sha256')})"
        )
    return out
