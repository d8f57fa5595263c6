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


def test_text_we_did_not_write_is_escaped():
    """A method name carrying HTML lands as text: a Markdown viewer would pass raw HTML through."""
    ours = Entry("<script>alert(1)</script>", "result", "d", "<b>s</b>", "paired", "p", {"ssim": 0.8}, note="<img>")
    text = render(build_leaderboard([ours], [], resamples=10), [])
    assert "<script>" not in text and "<b>" not in text and "<img>" not in text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text and "## d / &lt;b&gt;s&lt;/b&gt; / paired" in text


def test_spread_of_measurers_is_listed():
    rows = [
        Entry("M", "baseline", "ViViD", "vivid_s", "paired", f"unknown ({who})", {"ssim": v}, measured_by=who)
        for who, v in (("A", 0.869), ("B", 0.902))
    ]
    ours = Entry("mine", "result", "ViViD", "vivid_s", "paired", "unknown (A)", {"ssim": 0.8})
    text = render(build_leaderboard([ours], rows, resamples=10), [])
    assert "One method, several measurers:" in text and "- M: SSIM 0.869-0.902, 2 measurers (A, B)" in text
