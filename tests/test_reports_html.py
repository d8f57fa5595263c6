"""The HTML report in a real headless Chromium: the table is there, every image decodes, every link resolves."""

import shutil
import tempfile
from pathlib import Path

import numpy as np
import pytest

from vivid_eval.reports.html import render

CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--window-size=1280,1600",
)


@pytest.fixture(scope="module")
def browser():
    """Chromium through its WebDriver (Debian's chromium and chromium-driver, installed by `make test`)."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    binary, driver_path = shutil.which("chromium"), shutil.which("chromedriver")
    if not binary or not driver_path:
        pytest.fail("chromium and chromedriver are needed: run `bash scripts/browser.sh` (make test does)")
    profile = tempfile.mkdtemp(prefix="vivid-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = binary
    for flag in (*CHROMIUM_FLAGS, f"--user-data-dir={profile}"):
        options.add_argument(flag)
    driver = webdriver.Chrome(options=options, service=Service(executable_path=driver_path))
    yield driver
    driver.quit()
    shutil.rmtree(profile, ignore_errors=True)


def test_report_table_images_and_links(browser, sanity_report, tmp_path: Path):
    page = sanity_report["html"]
    browser.get(page.resolve().as_uri())
    assert browser.title == "ViViD toolkit leaderboard"
    headers = browser.execute_script(
        "return [...document.querySelectorAll('section')[0].querySelectorAll('th')].map(th => th.textContent)"
    )
    assert (
        headers[:3] == ["method", "kind", "SSIM ↑"]
        and "warp diff ↓" in headers
        and "SSIM (garment region) ↑" in headers
    )
    rows = browser.execute_script(
        "return [...document.querySelectorAll('section')[0].querySelectorAll('tbody tr')]"
        ".map(tr => tr.cells[0].textContent)"
    )
    assert [r.split(" (")[0] for r in rows[:3]] == ["agnostic", "shuffled", "frozen"]
    images = browser.execute_script(
        "return [...document.images].map(i => [i.complete, i.naturalWidth, i.naturalHeight, i.src.slice(0, 22)])"
    )
    assert len(images) >= 14  # bar charts, per-frame curves, six strips
    for complete, width, height, source in images:
        assert complete and width > 0 and height > 0, "an image did not decode"
        assert source.startswith(("data:image/png;base64", "data:image/jpeg;base6"))  # self-contained: nothing fetched
    broken = browser.execute_script(
        "return [...document.querySelectorAll('a[href]')].map(a => a.getAttribute('href'))"
        ".filter(h => !h.startsWith('#') || !document.getElementById(h.slice(1)))"
    )
    assert broken == []
    shot = tmp_path / "report.png"
    assert browser.save_screenshot(str(shot))
    import cv2

    pixels = cv2.imread(str(shot))
    assert pixels.shape[1] >= 1200 and pixels.std() > 20  # text, tables and plots, not a blank page
    assert np.count_nonzero(pixels.min(axis=2) < 100) > 2000  # dark pixels: text is drawn


def test_html_escapes_names(sanity_report):
    from vivid_eval.leaderboard import Entry, build_leaderboard

    entry = Entry("<script>alert(1)</script>", "result", "d", "s", "paired", "p", {"ssim": 0.5})
    text = render(build_leaderboard([entry], [], resamples=100), [])
    assert "<script>" not in text and "&lt;script&gt;" in text


def test_comparability_is_shown_per_row_in_the_browser(browser, tmp_path: Path):
    """A 3-video result labelled ViViD-S beside CatV2TON's rows: its row says why it is not ranked."""
    from test_leaderboard import VIVID_S_SET, write_result

    from vivid_eval.baselines import load_baselines
    from vivid_eval.leaderboard import baseline_entries, build_leaderboard, load_result

    missing = [f"c{i}" for i in range(12)]
    small = {
        **VIVID_S_SET,
        "videos": 168,
        "benchmark": {**VIVID_S_SET["benchmark"], "clips_scored": 168, "missing_clips": missing},
    }
    entries = [
        load_result(write_result(tmp_path / "small", "small run", protocol="catv2ton_compat", reference_set=small)),
        load_result(write_result(tmp_path / "full", "full run", protocol="catv2ton_compat")),
    ]
    page = tmp_path / "board.html"
    page.write_text(render(build_leaderboard(entries, baseline_entries(load_baselines()), resamples=100), []))
    browser.get(page.resolve().as_uri())
    rows = browser.execute_script(
        "return [...document.querySelectorAll('section')[0].querySelector('table').querySelectorAll('tbody tr')]"
        ".map(tr => [tr.className, tr.cells[0].textContent, tr.cells[tr.cells.length - 2].textContent])"
    )
    by_name = {name.split(" (")[0]: (cls, measured) for cls, name, measured in rows}
    assert (
        "incomparable" in by_name["small run"][0]
        and "not comparable: 12 of 180 vivid_s clips missing" in by_name["small run"][1]
    )
    assert "incomparable" not in by_name["full run"][0] and by_name["full run"][1].startswith("180 videos, 64 frames")
    assert by_name["CatV2TON"][1] == "measured by CatV2TON; 180 videos, 60 per category, 64 frames each"
    cells = browser.execute_script(
        "return [...document.querySelectorAll('section')[0].querySelectorAll('td')].map(td => td.textContent)"
    )
    assert any("(not ranked)" in c for c in cells)


def test_the_report_stays_small(sanity_report):
    """Thumbnails, not full frames: three results with strips and figures in well under 3 MB."""
    assert sanity_report["html"].stat().st_size < 3_000_000
