"""Generation inputs from a built dataset (paired and unpaired) and from a ViViD folder with pairs."""

import json
import re
from pathlib import Path

import numpy as np
import pytest

from vivid_model.samples import SampleError, dataset_samples, folder_samples


def test_dataset_paired_and_unpaired(example_dataset: Path, unpaired_dataset: Path):
    paired = list(dataset_samples(example_dataset))
    assert len(paired) == 3 and all(s.sample_id == s.garment_id for s in paired)
    data = paired[0].load()
    assert data["agnostic"].shape == (12, 128, 96, 3) and data["pose"].shape == (12, 128, 96, 3)
    assert set(np.unique(data["agnostic_mask"])) <= {0, 255} and data["garment_mask"].dtype == np.uint8
    with pytest.raises(SampleError, match="no unpaired pair"):
        list(dataset_samples(example_dataset, setting="unpaired"))  # one test sample per category
    unpaired = list(dataset_samples(unpaired_dataset, setting="unpaired"))
    partners = {
        json.loads(line)["sample_id"]: json.loads(line)["garment_sample_id"]
        for line in (unpaired_dataset.parent / "pairs" / "test.jsonl").read_text().splitlines()
        if json.loads(line)["setting"] == "unpaired"
    }
    assert len(unpaired) == 3 and {s.sample_id: s.garment_id for s in unpaired} == partners
    assert all(s.sample_id != s.garment_id for s in unpaired)
    other = unpaired[0].load()["garment"]
    assert not np.array_equal(other, paired[0].load()["garment"]) or unpaired[0].sample_id != paired[0].sample_id
    with pytest.raises(SampleError, match=re.escape("has no pose.mp4")):
        list(dataset_samples(example_dataset, pose_input="pose"))


def test_vivid_folder_with_pairs(vivid_samples: Path, tmp_path: Path):
    pairs = tmp_path / "pairs.txt"
    pairs.write_text("upper1.mp4 00057_00.jpg\n")
    [sample] = folder_samples(vivid_samples, pairs)
    assert (sample.sample_id, sample.garment_id) == ("upper1", "00057_00") and sample.fps > 0
    data = sample.load()
    assert data["video"].shape == data["pose"].shape and data["garment"].ndim == 3
    pairs.write_text("upper1.mp4 missing.jpg\n")
    with pytest.raises(SampleError, match=re.escape("missing.jpg")):
        list(folder_samples(vivid_samples, pairs))
