from pathlib import Path

import numpy as np
import pytest
from conftest import mask_iou

from vivid_data.parse.garment_mask import GarmentMaskConfig, garment_mask
from vivid_data.video import read_image, read_mask

TARGET_IOU = 0.9  # the quality target


@pytest.mark.parametrize("name", ["00057_00", "00126_00", "051985_1"])
def test_official_garments(vivid_samples: Path, name: str):
    image = read_image(vivid_samples / "cloth" / f"{name}.jpg")
    truth = read_mask(vivid_samples / "cloth_mask" / f"{name}.jpg")
    assert mask_iou(garment_mask(image), truth) >= TARGET_IOU


def test_garment_on_a_coloured_backdrop(vivid_samples: Path):
    image = read_image(vivid_samples / "cloth" / "00126_00.jpg")
    truth = read_mask(vivid_samples / "cloth_mask" / "00126_00.jpg")
    yy, xx = np.mgrid[0 : image.shape[0], 0 : image.shape[1]]
    backdrop = np.stack([60 + yy * 0.05, 140 + xx * 0.02, 90 + 0 * xx], -1).astype(np.uint8)  # a soft green gradient
    composed = np.where(truth[..., None], image, backdrop)
    assert mask_iou(garment_mask(composed), truth) >= TARGET_IOU


def test_white_print_inside_the_garment_is_kept():
    image = np.full((200, 150, 3), 250, np.uint8)
    image[40:160, 30:120] = (20, 30, 120)
    image[80:100, 60:90] = 250  # a white logo, same colour as the backdrop, not connected to it
    mask = garment_mask(image, GarmentMaskConfig(grabcut_iterations=0))
    assert mask[90, 75] and not mask[10, 10]
    assert mask_iou(mask, np.pad(np.ones((120, 90), bool), ((40, 40), (30, 30)))) > 0.95
