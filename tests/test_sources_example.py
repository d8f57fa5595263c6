from pathlib import Path

from conftest import SMALL_SPEC
from vivid_data.sources.example import EmbeddedExampleSource


def test_generates_then_scans(tmp_path: Path):
    source = EmbeddedExampleSource(out_dir=str(tmp_path / "ex"), per_category=1, num_frames=4,
                                   height=64, width=64, seed=SMALL_SPEC.seed)
    scan = source.scan()
    assert scan.layout == "release" and len(scan.pairs) == 3 and scan.problems == []
    # no test split with one sample per category: everything is train
    assert {p.split for p in scan.pairs} == {"train"}
