"""The HTML report in a real headless Chromium: the table is there, every image decodes, every link resolves."""

import shutil
import tempfile
from pathlib import Path

import numpy as np
import pytest

from vivid_eval.reports.html import render

CHROMIUM_FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--no-first-run", "--disable-sync", "--window-size=1280,1600")


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
    headers = browser.execute_script("return [...document.querySelectorAll('section')[0].querySelectorAll('th')]"
                                     ".map(th => th.textContent)")
    assert headers[:3] == ["method", "kind", "SSIM ↑"] and "warping error ↓" in headers
    rows = browser.execute_script("return [...document.querySelectorAll('section')[0].querySelectorAll('tbody tr')]"
                                  ".map(tr => tr.cells[0].textContent)")
    assert [r.split(" (")[0] for r in rows[:3]] == ["agnostic", "shuffled", "frozen"]
    images = browser.execute_script(
        "return [...document.images].map(i => [i.complete, i.naturalWidth, i.naturalHeight, i.src.slice(0, 22)])")
    assert len(images) >= 14  # bar charts, per-frame curves, six strips
    for complete, width, height, source in images:
        assert complete and width > 0 and height > 0, "an image did not decode"
        assert source == "data:image/png;base64,"  # self-contained: nothing fetched
    broken = browser.execute_script(
        "return [...document.querySelectorAll('a[href]')].map(a => a.getAttribute('href'))"
        ".filter(h => !h.startsWith('#') || !document.getElementById(h.slice(1)))")
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
