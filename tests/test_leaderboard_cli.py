"""vivid-leaderboard end to end on sanity baselines scored by vivid-eval on real frames."""

import json
import re
import subprocess
import sys
from pathlib import Path


def test_reports_are_written_with_every_figure(sanity_report):
    board = json.loads(sanity_report["json"].read_text())
    ours = board["sections"][0]
    assert ours["protocol"] == "vivid_v1" and [e["name"] for e in ours["entries"]] == ["agnostic", "shuffled", "frozen"]
    assert board["sections"][1]["protocol"] == "unknown (DPIDM Table 2)" and not board["sections"][1]["has_results"]
    # shuffled frames are the temporally worst sanity baseline
    warp = {e["name"]: e["ranks"]["warp_diff"] for e in ours["entries"]}
    assert warp["shuffled"] == "3/3"
    # the agnostic video keeps the frame and loses the garment: the whole-frame SSIM ranks it first, the
    # region SSIM sees the grey where the garment was
    values = {e["name"]: e["values"] for e in ours["entries"]}
    assert values["agnostic"]["ssim"] > values["agnostic"]["ssim_region"] + 0.15
    assert values["agnostic"]["preserve_mae"] < values["shuffled"]["preserve_mae"]
    markdown = sanity_report["markdown"].read_text()
    links = re.findall(r"!\[[^\]]*\]\((figures/[^)]+)\)", markdown)
    assert links and all((sanity_report["markdown"].parent / link).stat().st_size > 0 for link in links)
    assert (
        "Paired bootstrap" in markdown
        and "| agnostic (LPIPS-alex (random backbone: test only, not comparable)) | result |" in markdown
    )
    # strips (3 kinds x 2 videos), per-frame SSIM and LPIPS curves (2 videos), bar charts per section and metric
    assert sum("reference | prediction" in line for line in markdown.splitlines() if line.startswith("![")) == 6


def test_cli_prints_tables_and_refuses_a_bad_folder(sanity_report, tmp_path: Path):
    results = sorted(str(p) for p in (sanity_report["root"] / "eval").iterdir())
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "vivid_eval.leaderboard_cli",
            *results,
            "--out",
            str(tmp_path / "lb"),
            "--resamples",
            "500",
            "--videos",
            "1",
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    assert "## ViViD / vivid_test_no_back / paired / protocol vivid_v1" in done.stdout and "![" not in done.stdout
    assert (tmp_path / "lb" / "leaderboard.html").is_file()
    bad = subprocess.run(
        [sys.executable, "-m", "vivid_eval.leaderboard_cli", str(tmp_path), "--out", str(tmp_path / "x")],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert bad.returncode == 2 and f"{tmp_path}/summary.json: not a readable vivid-eval summary" in bad.stderr
