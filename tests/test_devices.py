import torch

from vivid_data.devices import resolve_device


def test_named_devices_pass_through():
    assert resolve_device("cpu") == "cpu" and resolve_device("cuda:1") == "cuda:1"


def test_auto_is_the_gpu_when_one_is_visible():
    assert resolve_device("auto") == ("cuda" if torch.cuda.is_available() else "cpu")
