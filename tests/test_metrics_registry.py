"""Every metric config composes, instantiates and runs on the real sample: the classes the CLI runs."""

from pathlib import Path

import numpy as np
import pytest
import torch
from hydra import compose, initialize_config_module
from hydra.utils import instantiate

from vivid_data.video import decode_video
from vivid_data.windows import context_windows
from vivid_eval.metrics.base import VideoMetric
from vivid_eval.metrics.registry import BY_COLUMN, METRIC_CLASSES, RANKED, direction
from vivid_eval.protocols import VIVID_V1

CONF = Path(__file__).resolve().parents[1] / "conf" / "metric"


def test_every_registered_metric_has_a_config_and_back():
    assert sorted(p.stem for p in CONF.glob("*.yaml")) == sorted(METRIC_CLASSES)
    assert {r.metric for r in RANKED} == set(METRIC_CLASSES)
    assert direction("ssim") == "higher" and direction("vfid_resnext") == "lower"
    assert all(BY_COLUMN[r.column].higher_is_better == METRIC_CLASSES[r.metric].higher_is_better for r in RANKED)


@pytest.fixture(scope="module")
def weights(tmp_path_factory) -> Path:
    """Random state dicts in the official I3D and ResNeXt-101 layouts, where the registry looks for them."""
    from test_networks_checkpoints import official_i3d_state, official_resnext101_state

    home = tmp_path_factory.mktemp("vivid_home")
    (home / "weights").mkdir()
    torch.manual_seed(0)
    torch.save(official_i3d_state(), home / "weights" / "rgb_imagenet.pt")
    torch.save(official_i3d_state(), home / "weights" / "i3d_pretrained_400.pt")  # FVD (I3D): the same layout
    torch.save({"state_dict": official_resnext101_state()}, home / "weights" / "resnext-101-kinetics.pth")
    return home


@pytest.mark.slow
def test_every_metric_config_runs_on_the_real_sample(vivid_samples: Path, weights: Path, monkeypatch):
    monkeypatch.setenv("VIVID_HOME", str(weights))
    reference = decode_video(vivid_samples / "videos" / "upper1.mp4", indices=list(range(20)), size=(112, 84))
    prediction = np.clip(reference.astype(int) + np.random.default_rng(0).normal(0, 12, reference.shape), 0, 255)
    prediction = prediction.astype(np.uint8)
    mask = decode_video(vivid_samples / "agnostic_mask" / "upper1.mp4", indices=list(range(20)), size=(112, 84))
    mask = mask[..., 0] > 127
    scored = {}
    for path in sorted(CONF.glob("*.yaml")):
        with initialize_config_module(config_module="vivid_conf", version_base="1.3"):
            cfg = compose(
                config_name="eval",
                overrides=[
                    f"metric@metric.{path.stem}={path.stem}",
                    "predictions=x",
                    "references=y",
                    "metric.lpips.random_backbone=true",
                    "metric.lpips_region.random_backbone=true",
                ],
            )
        metric: VideoMetric = instantiate(cfg.metric[path.stem], _convert_="all")
        assert isinstance(metric, METRIC_CLASSES[path.stem]) and metric.name == path.stem
        if path.stem == "fvd_videomae":  # ViT-g (1 B parameters) is too large for a test: a small one of its kind
            from test_fvd import TINY

            from vivid_eval.networks.videomae import VideoMAEv2

            metric.features, metric.custom_features = VideoMAEv2(TINY).eval().features, True
        metric.setup("cpu", VIVID_V1)
        if metric.set_level:
            for video in (prediction, reference[::-1].copy()):
                metric.update(video, real=False)
            for video in (reference, reference):
                metric.update(video, real=True)
            scored[path.stem] = metric.result()["value"]
        else:
            context = {"mask": mask, "windows": context_windows(len(reference), 8, 2)}
            metric.update(prediction, reference, **context)
            metric.update(reference, reference, **context)
            scored[path.stem] = float(metric.compute())
            assert set(metric.last) == set(metric.columns)
    assert 0.5 < scored["ssim"] < 1 and scored["lpips"] > 0 and scored["flicker"] >= 0 and scored["warp"] >= 0
    assert scored["vfid_i3d"] > 0 and scored["vfid_resnext"] > 0 and scored["fvd_videomae"] > 0
    assert scored["fvd_i3d"] > 0
    assert 0 < scored["ssim_region"] < 1 and scored["lpips_region"] > 0 and scored["preserve"] > 0
    assert scored["seams"] > 0
