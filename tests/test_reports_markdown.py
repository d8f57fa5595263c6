"""Markdown report: tables per section, the reason for separate sections, figure files beside it."""

from pathlib import Path

from vivid_eval.leaderboard import Entry, build_leaderboard
from vivid_eval.reports.figures import Figure
from vivid_eval.reports.markdown import render, write


def test_render_and_write(tmp_path: Path):
    ours = Entry("new | method", "result", "ViViD", "vivid_s", "paired", "vivid_v1", {"ssim": 0.8})
    paper = Entry("paper", "baseline", "ViViD", "vivid_s", "paired", "catv2ton_compat", {"ssim": 0.9}, source="T4")
    sections = build_leaderboard([ours], [paper], resamples=100)
    figure = Figure("s1-ssim", "SSIM chart", b"\x89PNG fake", sections[0].title)
    text = render(sections, [figure])
    assert "## ViViD / vivid_s / paired / protocol vivid_v1" in text and "new \\| method" in text
    assert "*published under protocol 'catv2ton_compat'; the results here were measured under vivid_v1" in text
    assert "![SSIM chart](figures/s1-ssim.png)" in text
    path = write(tmp_path, sections, [figure])
    assert path.read_text() == text and (tmp_path / "figures" / "s1-ssim.png").read_bytes() == b"\x89PNG fake"
