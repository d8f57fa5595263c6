"""The weights registry: fetch over a loopback server (safe downloader, hash check), verify, pin."""

import hashlib
from pathlib import Path

import pytest
import torch
from httpfaults import FaultServer

from vivid_data import weights
from vivid_data.weights import WeightsUnavailable, fetch, main, path_of, pin


@pytest.fixture
def home(tmp_path: Path, monkeypatch) -> Path:
    monkeypatch.setenv("VIVID_HOME", str(tmp_path))
    return tmp_path / "weights"


@pytest.fixture(scope="module")
def checkpoint(tmp_path_factory) -> bytes:
    path = tmp_path_factory.mktemp("ckpt") / "fixture.pt"
    torch.save({"conv.weight": torch.ones(2, 2)}, path)
    return path.read_bytes()


def test_missing_weights_name_the_fix(home: Path):
    with pytest.raises(
        WeightsUnavailable, match=r"VFID-I3D needs rgb_imagenet.pt in .*vivid-weights fetch i3d_rgb_imagenet"
    ):
        path_of("i3d_rgb_imagenet")
    with pytest.raises(WeightsUnavailable, match="no public URL"):
        fetch("resnext101_kinetics")


def test_fetch_from_loopback_verify_and_pin(home: Path, checkpoint: bytes, monkeypatch):
    with FaultServer() as server:
        url = server.add("/rgb_imagenet.pt", checkpoint)
        with pytest.raises(WeightsUnavailable, match="blocked_address"):
            fetch("i3d_rgb_imagenet", url)  # loopback is refused unless allowed
        path = fetch("i3d_rgb_imagenet", url, allow_private_hosts=("127.0.0.0/8",))
    assert path == home / "rgb_imagenet.pt" and path.read_bytes() == checkpoint
    assert torch.load(path_of("i3d_rgb_imagenet"), weights_only=True)["conv.weight"].sum() == 4
    assert pin("i3d_rgb_imagenet") == hashlib.sha256(checkpoint).hexdigest()
    path.write_bytes(checkpoint + b"tampered")
    with pytest.raises(WeightsUnavailable, match="does not match"):
        path_of("i3d_rgb_imagenet")


def test_prefix_pinned_file_with_wrong_content_is_refused(home: Path, checkpoint: bytes):
    with FaultServer() as server:
        url = server.add("/alexnet.pth", checkpoint)
        with pytest.raises(WeightsUnavailable, match="7be5be79"):
            fetch("alexnet", url, allow_private_hosts=("127.0.0.0/8",))
    assert not (home / "alexnet-owt-7be5be79.pth").exists()


def test_html_instead_of_a_checkpoint_is_refused(home: Path):
    with FaultServer() as server:
        url = server.add("/rgb_imagenet.pt", b"<!DOCTYPE html><html>quota exceeded</html>")
        with pytest.raises(WeightsUnavailable, match="HTML"):
            fetch("i3d_rgb_imagenet", url, allow_private_hosts=("127.0.0.0/8",))


def test_cli_list_and_verify(home: Path, capsys):
    assert main(["list"]) == 0
    listed = capsys.readouterr().out
    assert "i3d_rgb_imagenet" in listed and "vivid_denoising_unet" in listed
    assert "sd-vae-ft-mse" in listed and "missing" in listed.splitlines()[-1]
    assert main(["verify", "alexnet"]) == 1
    assert "unavailable" in capsys.readouterr().out
    assert set(weights.REGISTRY) >= {"i3d_rgb_imagenet", "resnext101_kinetics", "alexnet", "squeezenet1_1", "vgg16"}
