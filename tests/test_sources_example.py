import urllib.request
from pathlib import Path

from conftest import SMALL_SPEC

from vivid_data.sources.example import EmbeddedExampleSource


def source(tmp_path: Path, **kwargs) -> EmbeddedExampleSource:
    return EmbeddedExampleSource(
        out_dir=str(tmp_path / "ex"), per_category=1, num_frames=4, height=64, width=64, seed=SMALL_SPEC.seed, **kwargs
    )


def test_served_over_loopback_while_open(tmp_path: Path):
    with source(tmp_path).open() as found:
        frame = found.candidates
        assert len(frame) == 3 and set(frame["split"]) == {"train"}  # one per category: no test split
        assert frame["video_src"].str.startswith(found.notes["served_at"]).all()
        assert not frame["local_files"].any()
        with urllib.request.urlopen(frame["video_src"][0], timeout=5) as response:
            assert response.read()[4:8] == b"ftyp"
        assert frame["densepose_src"].notna().all() and frame["license"].eq("CC0-1.0").all()


def test_local_mode(tmp_path: Path):
    with source(tmp_path, serve=False).open() as found:
        assert found.candidates["video_src"].str.startswith("file://").all()
        assert found.candidates["local_files"].all()
