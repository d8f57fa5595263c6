import json
import re
from pathlib import Path

import pytest
from hydra import compose, initialize_config_module

from vivid_data.build import run_build, work_paths
from vivid_data.manifest import load_manifest

SMALL_CLEAN = [
    "clean.filters.min_frames=8",
    "clean.filters.min_width=64",
    "clean.filters.min_height=64",
    "clean.filters.min_garment_side=64",
]


def compose_build(overrides: list[str]):
    with initialize_config_module(config_module="vivid_conf", version_base="1.3"):
        return compose(config_name="build", overrides=overrides)


def test_build_of_a_folder_writes_manifests_stats_and_export(small_example: Path, tmp_path: Path, capsys):
    cfg = compose_build(
        [
            f"work_dir={tmp_path / 'work'}",
            "source=vivid_folder",
            f"path={small_example}",
            f"export_to={tmp_path / 'export'}",
            "executor.workers=1",
            *SMALL_CLEAN,
        ]
    )
    stats = run_build(cfg, progress=False)
    paths = work_paths(tmp_path / "work")
    manifest = load_manifest(paths["manifests"] / "clean.parquet")
    assert len(manifest) == 6 and set(manifest["status"]) == {"ok"}
    assert len(load_manifest(paths["manifests"] / "ingest.parquet")) == 6
    on_disk = json.loads((paths["stats"] / "ingest.json").read_text())
    assert on_disk["counts"] == {"ok": 6, "rejected": 0, "failed": 0} == stats["ingest"]["counts"]
    assert on_disk["source"]["layout"] == "release"
    assert (tmp_path / "export" / "dresses" / "test_pairs.txt").is_file()
    printed = capsys.readouterr().out
    assert "upper_body" in printed and "96x128" in printed and "[clean] ok=6" in printed


def test_embedded_example_is_downloaded_over_loopback(tmp_path: Path):
    cfg = compose_build(
        [f"work_dir={tmp_path / 'work'}", "source.per_category=1", "source.num_frames=24", "executor.workers=1"]
    )
    stats = run_build(cfg, progress=False)
    assert stats["ingest"]["source"]["served_at"].startswith("http://127.0.0.1:")
    assert stats["clean"]["counts"]["ok"] == 3 and stats["ingest"]["bytes"] > 0


def test_failed_scan_leaves_no_manifest(small_example: Path, tmp_path: Path):
    import shutil

    from vivid_data.formats.folder_pair import FolderImportError

    root = tmp_path / "copy"
    shutil.copytree(small_example, root)
    with open(root / "dresses" / "test_pairs.txt", "a") as handle:
        handle.write("ghost_detail.mp4 9100006_in_xl.jpg\n")
    cfg = compose_build([f"work_dir={tmp_path / 'work'}", "source=vivid_folder", f"path={root}"])
    with pytest.raises(FolderImportError, match=re.escape("ghost_detail.mp4")):
        run_build(cfg, progress=False)
    assert not (tmp_path / "work" / "manifests").exists()


def test_parse_without_pose_says_so_before_anything_runs(small_example: Path, tmp_path: Path):
    from vivid_data.build import BuildConfigError

    cfg = compose_build(
        [
            f"work_dir={tmp_path / 'work'}",
            "source=vivid_folder",
            f"path={small_example}",
            "stages=[ingest,parse]",
            "parse.keep_existing=false",
        ]
    )
    with pytest.raises(BuildConfigError, match=r"stage parse needs keypoints, .* run pose before parse"):
        run_build(cfg, progress=False)
    assert not (tmp_path / "work" / "manifests").exists()
    # the imported folder's own agnostic masks are enough when they are kept
    keep = compose_build(
        [
            f"work_dir={tmp_path / 'work2'}",
            "source=vivid_folder",
            f"path={small_example}",
            "stages=[ingest,parse]",
            "executor.workers=1",
        ]
    )
    assert run_build(keep, progress=False)["parse"]["counts"]["ok"] == 6


def test_a_build_under_umask_022_is_readable_by_everyone(small_example: Path, tmp_path: Path):
    import os
    import stat

    old = os.umask(0o022)
    try:
        cfg = compose_build(
            [
                f"work_dir={tmp_path / 'work'}",
                "source=vivid_folder",
                f"path={small_example}",
                "stages=[ingest,clean,shard]",
                f"export_to={tmp_path / 'export'}",
                "executor.workers=1",
                *SMALL_CLEAN,
            ]
        )
        run_build(cfg, progress=False)
    finally:
        os.umask(old)
    modes = {
        p: stat.S_IMODE(p.stat().st_mode)
        for root in (tmp_path / "work", tmp_path / "export")
        for p in [root, *root.rglob("*")]
        if p.name != ".vivid-build.lock"
    }
    wrong = {str(p.relative_to(tmp_path)): oct(m) for p, m in modes.items() if m != (0o755 if p.is_dir() else 0o644)}
    assert not wrong
    assert any(p.name == "dataset.json" for p in modes) and any(p.suffix == ".tar" for p in modes)


def test_stale_temporaries_of_a_killed_run_are_removed(small_example: Path, tmp_path: Path, capsys):
    work = tmp_path / "work"
    stale = work / "store" / "aa" / ".download.999999999-0123abcd.tmp"
    stale.parent.mkdir(parents=True)
    stale.write_bytes(b"partial")
    cfg = compose_build(
        [f"work_dir={work}", "source=vivid_folder", f"path={small_example}", "stages=[ingest]", "executor.workers=1"]
    )
    run_build(cfg, progress=False)
    assert not stale.exists() and "removed 1 temporary file(s)" in capsys.readouterr().out
