"""The console scripts, run as a user runs them: a subprocess from an unrelated working directory."""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import hydra.utils
import pandas as pd
import pytest
from httpfaults import FaultServer
from hydra import compose, initialize_config_module

from vivid_data.formats.release_layout import scan_release_layout
from vivid_data.manifest import load_manifest

REPO = Path(__file__).resolve().parents[1]
CONF = REPO / "conf"


def bin_path(name: str) -> str:
    return str(Path(sys.executable).parent / name)


def run(args: list[str], cwd: Path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("HYDRA")}
    return subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=600)


#: what an option needs from the world to be built (a file it checks, a seed URL)
NEEDS = {
    "pose=rtmpose": ["pose.backend.model_path={tmp}/model.onnx"],
    "parse=segformer": ["parse.segformer.model_dir={tmp}/segformer"],
    "source=catalog": ["source.seeds=[https://shop.example/]"],
}


@pytest.mark.parametrize("group_option", [f"{p.parent.name}={p.stem}" for p in sorted(CONF.glob("*/*.yaml"))])
def test_every_config_composes_and_instantiates(group_option: str, tmp_path: Path):
    """Every option of every group has a _target_ and builds the object the CLIs build from it."""
    (tmp_path / "model.onnx").write_bytes(b"onnx")
    (tmp_path / "segformer").mkdir()
    (tmp_path / "segformer" / "config.json").write_text("{}")
    group, option = group_option.split("=")
    needs = [n.format(tmp=tmp_path) for n in NEEDS.get(group_option, [])]
    if group == "metric":  # one package per metric: metric@metric.<name>
        group_option, group = f"metric@metric.{option}={option}", f"metric.{option}"
    primary, extra = {
        "protocol": ("eval", ["predictions=p", "references=r"]),
        "metric": ("eval", ["predictions=p", "references=r"]),
        "model": ("generate", ["references=r", "out_dir=o"]),
    }.get(group.split(".")[0], ("build", [f"path={tmp_path}", f"work_dir={tmp_path / 'work'}"]))
    with initialize_config_module(config_module="vivid_conf", version_base="1.3"):
        cfg = compose(config_name=primary, overrides=[group_option, *extra, *needs], return_hydra_config=False)
    node = cfg.metric[option] if group.startswith("metric.") else cfg[group]
    assert node["_target_"]
    kwargs = {"work_dir": str(tmp_path / "work")} if group in ("ingest", "clean", "pose", "parse") else {}
    built = hydra.utils.instantiate(node, _convert_="all", **kwargs)
    target = node["_target_"]
    if target.endswith("protocol_named"):
        assert built.id == option
    else:
        assert type(built).__name__ == target.rpartition(".")[2]
    if group == "model":  # the same option in the training config
        from vivid_model.config import config_named

        assert config_named(built.config).name == option
        with initialize_config_module(config_module="vivid_conf", version_base="1.3"):
            assert compose(config_name="train", overrides=[group_option, "data=d", "out_dir=o"]).model.config == option


def test_python_defaults_are_the_yaml_values():
    """A class built from Python (no Hydra) gets the defaults written in conf/, not values of its own."""
    from vivid_data.config_defaults import yaml_defaults
    from vivid_data.stages.clean import CleanFilters, CleanStage
    from vivid_data.stages.ingest import IngestStage
    from vivid_model.loading import ModelSpec

    assert CleanFilters().min_frames == yaml_defaults("clean/default.yaml", "filters")["min_frames"]
    assert CleanStage(work_dir="w").cut_threshold == yaml_defaults("clean/default.yaml")["cut_threshold"]
    assert IngestStage(work_dir="w").resources.cpus == yaml_defaults("ingest/default.yaml")["resources"]["cpus"]
    assert ModelSpec().weights == "published" and ModelSpec(config="tiny", weights="random").seed == 0


def test_vivid_build_from_another_directory_on_the_real_sample(vivid_samples: Path, tmp_path: Path):
    pairs = tmp_path / "pairs.txt"
    pairs.write_text("upper1.mp4 00057_00.jpg\nupper1.mp4 00126_00.jpg\n")
    result = run(
        [
            bin_path("vivid-build"),
            "source=vivid_folder",
            f"path={vivid_samples}",
            "source.pairs=pairs.txt",
            "work_dir=work",
            "executor.workers=1",
        ],
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    assert "624x832" in result.stdout
    manifest = load_manifest(tmp_path / "work" / "manifests" / "clean.parquet")
    assert len(manifest) == 2 and set(manifest["num_frames"]) == {48} and set(manifest["status"]) == {"ok"}


def test_vivid_build_reports_a_clear_error(tmp_path: Path):
    result = run([bin_path("vivid-build"), "source=vivid_folder", f"path={tmp_path / 'absent'}"], cwd=tmp_path)
    assert result.returncode == 2
    assert f"vivid-build: error: {tmp_path / 'absent'}: ViViD folder not found" in result.stderr
    assert "Traceback" not in result.stderr


def test_vivid_build_s_process_sets_the_allocator_before_it_builds(tmp_path: Path, monkeypatch, capsys):
    from omegaconf import OmegaConf

    import vivid_data.heap
    from vivid_data import cli

    made: list[str] = []
    monkeypatch.setattr(vivid_data.heap, "prepare_main_process", lambda: made.append("allocator"))
    with pytest.raises(SystemExit):
        cli.build(OmegaConf.create({"verify": str(tmp_path / "absent")}))  # the task vivid-build runs
    assert made == ["allocator"]  # glibc's settings stay in this process: only vivid-build's own makes them
    assert "absent" in capsys.readouterr().err


def test_vivid_example_cli(tmp_path: Path):
    result = run(
        [
            bin_path("vivid-example"),
            "ex",
            "--per-category",
            "1",
            "--num-frames",
            "3",
            "--height",
            "64",
            "--width",
            "64",
        ],
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in (tmp_path / "ex").iterdir() if p.is_dir()) == ["dresses", "lower_body", "upper_body"]


def test_sigkill_then_rerun_resumes_without_redoing_work(small_example: Path, tmp_path: Path):
    """Kill a build halfway with SIGKILL; the rerun finishes it, fetching only what was not done."""
    with FaultServer() as server:
        rows = []
        for pair in scan_release_layout(small_example).pairs:
            video = f"/{pair.category}/{pair.video.name}"
            server.add(video, pair.video.read_bytes(), delay_s=0.6)
            garment = f"/{pair.category}/{pair.garment.name}"
            server.add(garment, pair.garment.read_bytes())
            rows.append({"video_url": server.url(video), "garment_url": server.url(garment), "category": pair.category})
        pd.DataFrame(rows).to_csv(tmp_path / "urls.csv", index=False)
        args = [
            bin_path("vivid-build"),
            "source=url_list",
            "path=urls.csv",
            "work_dir=work",
            "executor.workers=1",
            "ingest.allow_private_hosts=[127.0.0.0/8]",
            "stages=[ingest]",
        ]
        env = {k: v for k, v in os.environ.items() if not k.startswith("HYDRA")}
        process = subprocess.Popen(
            args, cwd=tmp_path, env=env, start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        journal = tmp_path / "work" / "journal" / "ingest.jsonl"
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if journal.is_file() and len(journal.read_text().splitlines()) >= 2:
                break
            time.sleep(0.05)
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
        done_before = [json.loads(line) for line in journal.read_text().splitlines() if line.strip()]
        assert 2 <= len(done_before) < len(rows), "the kill must land halfway"
        assert not (tmp_path / "work" / "manifests" / "ingest.parquet").exists()
        requests_before = dict(server.requests)

        result = run(args, cwd=tmp_path)
        assert result.returncode == 0, result.stderr
    manifest = load_manifest(tmp_path / "work" / "manifests" / "ingest.parquet")
    assert len(manifest) == len(rows) and manifest["sample_id"].is_unique
    assert set(manifest["status"]) == {"ok"}
    finished_videos = {row["video_url"] for entry in done_before for row in entry["rows"]}
    for url in finished_videos:
        path = url[len(server.base) :]
        assert server.requests[path] == requests_before[path] == 1, f"{path} was fetched again"
    stats = json.loads((tmp_path / "work" / "stats" / "ingest.json").read_text())
    assert stats["reused_rows"] >= len(done_before)
    assert stats["computed_rows"] == len(rows) - stats["reused_rows"]


def test_vivid_build_verify_option(small_example: Path, tmp_path: Path):
    from conftest import import_folder

    from vivid_data.shards.writer import ShardConfig, write_dataset
    from vivid_data.store import ContentStore

    frame, _ = import_folder(small_example, tmp_path / "work")
    index = write_dataset(
        frame, ContentStore(tmp_path / "work" / "store"), ShardConfig(out_dir=str(tmp_path / "ds")), progress=False
    )
    ok = run([bin_path("vivid-build"), f"verify={index}"], cwd=tmp_path)
    assert ok.returncode == 0 and "OK" in ok.stdout
    shard = next((tmp_path / "ds" / "shards" / "train").glob("*.tar"))
    shard.write_bytes(shard.read_bytes()[:-2048])
    bad = run([bin_path("vivid-build"), f"verify={tmp_path / 'ds'}"], cwd=tmp_path)
    assert bad.returncode == 1 and "train-000000.tar" in bad.stderr and "1 problem" in bad.stdout


def test_embedded_example_with_a_relative_work_dir(tmp_path: Path):
    result = run(
        [
            bin_path("vivid-build"),
            "work_dir=rel/work",
            "source.per_category=1",
            "source.num_frames=8",
            "source.height=64",
            "source.width=64",
            "stages=[ingest]",
            "executor.workers=1",
        ],
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    assert load_manifest(tmp_path / "rel" / "work" / "manifests" / "ingest.parquet")["status"].eq("ok").all()


def test_two_builds_on_one_work_dir_the_second_is_refused(small_example: Path, tmp_path: Path):
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import time\nfrom vivid_data.worklock import WorkDirLock\n"
            f"with WorkDirLock({str(tmp_path / 'work')!r}):\n    print('held', flush=True)\n    time.sleep(60)\n",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "held"
        result = run(
            [bin_path("vivid-build"), "source=vivid_folder", f"path={small_example}", f"work_dir={tmp_path / 'work'}"],
            cwd=tmp_path,
        )
    finally:
        holder.kill()
        holder.wait()
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert f"another vivid-build is using this work directory (pid {holder.pid}" in result.stderr
    assert not (tmp_path / "work" / "manifests").exists()


NOISE = ("W0000", "TensorFlow Lite", "absl::InitializeLog", "inference_feedback_manager", "XNNPACK", "WARNING:")


def test_a_build_with_pose_prints_no_third_party_noise_unless_verbose(tmp_path: Path):
    args = [bin_path("vivid-build"), "source.per_category=1", "source.num_frames=16", "executor.workers=2"]
    result = run([*args, "work_dir=quiet", "stages=[ingest,pose]"], cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "[pose] ok=3" in result.stdout
    lines = [line for line in result.stderr.replace("\r", "\n").splitlines() if line.strip()]
    assert not [line for line in lines if any(n in line for n in NOISE)], lines
    assert all(line.split(":")[0] in ("ingest", "pose") for line in lines), lines  # progress bars only
    loud = run([*args, "work_dir=loud", "stages=[ingest,pose]", "-v"], cwd=tmp_path)
    assert loud.returncode == 0 and any(n in loud.stderr for n in NOISE), loud.stderr
