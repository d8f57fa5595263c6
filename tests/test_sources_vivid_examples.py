from pathlib import Path

from conftest import import_folder  # noqa: F401 - shared helpers live there

from vivid_data.executors.local import LocalExecutor
from vivid_data.net.serve import serve_directory
from vivid_data.sources.vivid_examples import SHA256, VividExamplesSource
from vivid_data.stages.ingest import IngestStage
from vivid_data.stages.runner import run_stage


def test_pinned_files_download_and_verify_from_a_loopback_mirror(vivid_samples: Path, tmp_path: Path):
    with serve_directory(vivid_samples) as base:
        candidates = VividExamplesSource(base_url=base).candidates().candidates
        stage = IngestStage(work_dir=str(tmp_path), allow_private_hosts=("127.0.0.0/8",), retries=0)
        report = run_stage(stage, candidates, tmp_path, LocalExecutor(1), progress=False)
    frame = report.frame
    assert list(frame["status"]) == ["ok", "ok"]
    assert set(frame["video_sha256"]) == {SHA256["videos/upper1.mp4"]}
    assert (
        frame["video_url"]
        .str.startswith("https://raw.githubusercontent.com/alibaba-yuanjing-aigclab/ViViD/d8a01e8")
        .all()
    )
    assert frame["densepose"].notna().all() and frame["license"].eq("Apache-2.0").all()


def test_a_changed_file_is_rejected(tmp_path: Path, vivid_samples: Path):
    mirror = tmp_path / "mirror"
    for relative in SHA256:
        target = mirror / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes((vivid_samples / relative).read_bytes())
    (mirror / "cloth" / "00126_00.jpg").write_bytes((vivid_samples / "cloth" / "00057_00.jpg").read_bytes())
    with serve_directory(mirror) as base:
        stage = IngestStage(work_dir=str(tmp_path / "work"), allow_private_hosts=("127.0.0.0/8",), retries=0)
        report = run_stage(
            stage,
            VividExamplesSource(base_url=base).candidates().candidates,
            tmp_path / "work",
            LocalExecutor(1),
            progress=False,
        )
    assert sorted(report.frame["reason"].fillna("ok")) == ["garment_checksum_mismatch", "ok"]
