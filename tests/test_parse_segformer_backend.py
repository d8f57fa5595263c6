"""A small randomly initialised SegFormer with the ATR labels, saved and loaded like a real one."""

import re
from pathlib import Path

import numpy as np
import pytest
from tinymodels import write_segformer

from vivid_data.parse.segformer_backend import ATR_LABELS, SegformerParser


@pytest.fixture(scope="module")
def model_dir(tmp_path_factory) -> Path:
    return write_segformer(tmp_path_factory.mktemp("segformer"))


def test_labels_and_refine(model_dir: Path):
    parser = SegformerParser(str(model_dir), height=64)
    frames = (np.random.default_rng(0).random((2, 96, 72, 3)) * 255).astype(np.uint8)
    labels = parser.labels(frames)
    assert labels.shape == (2, 96, 72) and labels.max() < len(ATR_LABELS)
    # refine with hand-made labels: the garment label grows the mask, face is removed
    labels = np.zeros((1, 40, 40), np.uint8)
    labels[0, 20:30, 5:15] = ATR_LABELS.index("Upper-clothes")
    labels[0, 0:8, 0:40] = ATR_LABELS.index("Face")
    masks = np.zeros((1, 40, 40), bool)
    masks[0, 0:20, 20:40] = True
    refined = parser.refine(masks, labels, "upper_body", grow=3)
    assert refined[0, 25, 10] and refined[0, 12, 30] and not refined[0, 4, 30]
    assert not parser.refine(np.zeros_like(masks), labels, "lower_body", grow=3).any()


def test_missing_model_dir(tmp_path: Path):
    with pytest.raises(FileNotFoundError, match=re.escape("config.json")):
        SegformerParser(str(tmp_path))


def test_the_parser_loads_its_model_in_setup_and_pickles_without_it(model_dir: Path):
    import pickle

    parser = SegformerParser(str(model_dir), height=64)
    assert parser._model is None
    parser.setup()
    copy = pickle.loads(pickle.dumps(parser))
    assert copy._model is None and copy.labels(np.zeros((1, 32, 24, 3), np.uint8)).shape == (1, 32, 24)
