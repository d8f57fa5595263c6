from pathlib import Path

import pytest

from vivid_data.formats.inference_layout import category_from_name, is_inference_layout, scan_inference_layout


def test_pairs_file_on_real_sample(vivid_samples: Path, tmp_path: Path):
    pairs = tmp_path / "pairs.txt"
    pairs.write_text("upper1.mp4 00057_00.jpg\nupper1.mp4 00126_00.jpg\n")
    assert is_inference_layout(vivid_samples)
    scan = scan_inference_layout(vivid_samples, pairs_file=pairs, split="test")
    assert scan.problems == [] and scan.unpaired == []
    assert [(p.category, p.video.name, p.garment.name, p.split) for p in scan.pairs] == [
        ("upper_body", "upper1.mp4", "00057_00.jpg", "test"),
        ("upper_body", "upper1.mp4", "00126_00.jpg", "test"),
    ]
    assert set(scan.pairs[0].extras) == {"agnostic", "agnostic_mask", "densepose", "garment_mask"}


def test_vivid_prompt_config(vivid_samples: Path, tmp_path: Path):
    config = tmp_path / "upper1.yaml"
    config.write_text(
        'model_video_paths:\n  - "data/videos/upper1.mp4"\n'
        'cloth_image_paths:\n  - "data/cloth/00057_00.jpg"\n  - "data/cloth/00126_00.jpg"\n'
    )
    scan = scan_inference_layout(vivid_samples, prompt_config=config)
    assert [p.garment.name for p in scan.pairs] == ["00057_00.jpg", "00126_00.jpg"]


def test_missing_files_and_categories_are_reported_by_name(vivid_samples: Path, tmp_path: Path):
    pairs = tmp_path / "pairs.txt"
    pairs.write_text("upper1.mp4 00057_00.jpg\nghost.mp4 00057_00.jpg\nupper1.mp4 nope.jpg lower_body\n")
    scan = scan_inference_layout(vivid_samples, pairs_file=pairs)
    assert len(scan.pairs) == 1
    assert scan.problems == ["pairs.txt:2: missing videos/ghost.mp4", "pairs.txt:3: missing cloth/nope.jpg"]


def test_pairing_is_required(vivid_samples: Path):
    with pytest.raises(ValueError, match="pairs file"):
        scan_inference_layout(vivid_samples)


def test_category_from_official_names():
    assert category_from_name("upper1.mp4") == "upper_body"
    assert category_from_name("lower1.mp4") == "lower_body"
    assert category_from_name("dress_03.mp4") == "dresses"
    assert category_from_name("1057795_detail.mp4") is None
