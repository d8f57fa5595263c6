"""A small randomly initialised SegFormer with the ATR labels, saved and loaded like a real one."""

from pathlib import Path

import numpy as np
import pytest

from vivid_data.parse.segformer_backend import ATR_LABELS, SegformerParser


@pytest.fixture(scope="module")
def model_dir(tmp_path_factory) -> Path:
    import torch
    from transformers import SegformerConfig, SegformerForSemanticSegmentation

    torch.manual_seed(0)
    config = SegformerConfig(num_channels=3, num_encoder_blocks=2, depths=[1, 1], sr_ratios=[2, 1],
                             hidden_sizes=[8, 16], num_attention_heads=[1, 1], decoder_hidden_size=16,
                             num_labels=len(ATR_LABELS), id2label=dict(enumerate(ATR_LABELS)),
                             label2id={name: i for i, name in enumerate(ATR_LABELS)})
    path = tmp_path_factory.mktemp("segformer")
    SegformerForSemanticSegmentation(config).save_pretrained(path)
    return path


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
    with pytest.raises(FileNotFoundError, match="config.json"):
        SegformerParser(str(tmp_path))
