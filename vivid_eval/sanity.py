"""Sanity baselines anyone can reproduce without a model, written as prediction folders.

- ``agnostic``: the agnostic video (garment region masked out) as the prediction: what a model
  that does nothing scores.
- ``shuffled``: the reference video with its frames in a random order (seeded): perfect frames,
  no temporal consistency.
- ``frozen``: the reference's first frame repeated: no motion at all.

Each is a folder of ``<sample id>.mp4`` that ``vivid-eval`` reads like any method's output.

    vivid-sanity work/dataset --out out/sanity
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
from tqdm import tqdm

from vivid_data.output_settings import OutputSettingsError, claim
from vivid_data.samples import split_samples
from vivid_data.shards.members import AGNOSTIC, VIDEO
from vivid_data.video import decode_video, encode_video

KINDS = ("agnostic", "shuffled", "frozen")


def _samples(references: Path, split: str):
    """(sample id, reference frames, agnostic frames) of a dataset.json split or a ViViD folder."""
    if references.suffix == ".json" or (references / "dataset.json").is_file():
        for sample in split_samples(references, split):
            if not sample.has(AGNOSTIC):
                raise ValueError(f"{sample.shard}: sample {sample.sample_id} has no {AGNOSTIC.name}")
            yield sample.sample_id, sample.video(VIDEO), sample.video(AGNOSTIC)
        return
    videos = references / "videos"
    if not videos.is_dir():
        raise ValueError(f"{references}: neither a dataset.json nor a ViViD folder with videos/")
    for video in sorted(videos.glob("*.mp4")):
        agnostic = references / "agnostic" / video.name
        if not agnostic.is_file():
            raise ValueError(f"{agnostic}: missing (the agnostic baseline needs it)")
        yield video.stem, decode_video(video), decode_video(agnostic)


def make_prediction(kind: str, reference: np.ndarray, agnostic: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    if kind == "agnostic":
        return agnostic
    if kind == "shuffled":
        return reference[rng.permutation(len(reference))]
    if kind == "frozen":
        return np.repeat(reference[:1], len(reference), axis=0)
    raise ValueError(f"sanity baseline must be one of {KINDS}, got {kind!r}")


def write_sanity_baselines(
    references: Path,
    out: Path,
    split: str = "test",
    kinds=KINDS,
    seed: int = 0,
    progress: bool = True,
    overwrite: bool = False,
) -> dict[str, Path]:
    """Write ``out/<kind>/<sample id>.mp4`` (lossless H.264, so the codec adds nothing) for each kind.

    A folder made with the same settings is resumed; one made with others (another seed) is refused,
    or with ``overwrite`` replaced: never a mix of seed-0 and seed-7 videos."""
    made_with = {"references": str(references), "split": split, "kinds": list(kinds), "seed": seed}
    claim(out, "vivid-sanity", made_with, overwrite, tuple(f"{kind}/*.mp4" for kind in KINDS))
    rng = np.random.default_rng(seed)
    folders = {kind: out / kind for kind in kinds}
    for folder in folders.values():
        folder.mkdir(parents=True, exist_ok=True)
    for key, reference, agnostic in tqdm(
        _samples(references, split), desc="sanity", unit="video", disable=not progress
    ):
        for kind, folder in folders.items():
            target = folder / f"{key}.mp4"
            if not target.is_file():
                encode_video(make_prediction(kind, reference, agnostic, rng), target, lossless=True)
    return folders


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="vivid-sanity",
        description=__doc__.splitlines()[0],
        epilog="examples:\n  vivid-sanity work/dataset --out out/sanity\n"
        "  vivid-sanity work/dataset --out out/sanity --kinds shuffled --seed 7 --overwrite",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("references", type=Path, help="a dataset.json (or its folder) or a ViViD folder")
    parser.add_argument("--out", type=Path, required=True, help="folder for <kind>/<sample id>.mp4")
    parser.add_argument("--split", default="test")
    parser.add_argument("--kinds", default=",".join(KINDS), help=f"comma-separated, from {', '.join(KINDS)}")
    parser.add_argument("--seed", type=int, default=0, help="the shuffled baseline's permutations (default 0)")
    parser.add_argument(
        "--overwrite", action="store_true", help="replace the videos of an --out made with other settings"
    )
    args = parser.parse_args(argv)
    try:
        folders = write_sanity_baselines(
            args.references, args.out, args.split, args.kinds.split(","), args.seed, overwrite=args.overwrite
        )
    except (OutputSettingsError, ValueError, FileNotFoundError, KeyError) as exc:
        print(f"vivid-sanity: error: {exc}", file=sys.stderr)
        return 2
    for kind, folder in folders.items():
        print(f"{kind}: {folder}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
