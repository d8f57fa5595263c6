"""The dataset card of a real build: its Hugging Face header, its numbers, its page in Chromium, and
the loading recipes it gives (webdataset and Hugging Face ``datasets`` on the real shards)."""

import json
from pathlib import Path

import numpy as np
import pytest
import yaml
from test_build import SMALL_CLEAN, compose_build
from test_reports_html import browser  # noqa: F401 - the Chromium fixture

from vivid_data.build import run_build
from vivid_data.card import CardFacts, card_header, gather, size_category, write_card


@pytest.fixture(scope="module")
def built(small_example: Path, tmp_path_factory) -> Path:
    """ingest, clean, shard of the small example folder: the work directory (card in work/dataset)."""
    work = tmp_path_factory.mktemp("card") / "work"
    overrides = [f"work_dir={work}", "source=vivid_folder", f"path={small_example}", "stages=[ingest,clean,shard]"]
    # some of the small clips move less: rejected as static
    static = "clean.filters.min_motion=2.5"
    run_build(compose_build([*overrides, "executor.workers=1", *SMALL_CLEAN, static]), progress=False)
    return work


def header_of(readme: Path) -> dict:
    text = readme.read_text()
    assert text.startswith("---\n")
    return yaml.safe_load(text.split("---\n")[1])


def test_the_build_writes_a_hugging_face_card(built: Path):
    dataset = built / "dataset"
    index = json.loads((dataset / "dataset.json").read_text())
    header = header_of(dataset / "README.md")
    total = sum(part["count"] for part in index["splits"].values())
    assert header["size_categories"] == ["n<1K"] and header["task_categories"] == ["image-to-video"]
    assert "virtual-try-on" in header["tags"] and header["license"]
    files = header["configs"][0]["data_files"]
    # every split's shards, and only them, match the card's patterns
    for entry in files:
        matched = sorted(p.relative_to(dataset).as_posix() for p in dataset.glob(entry["path"]))
        assert matched == [s["path"] for s in index["splits"][entry["split"]]["shards"]]
    text = (dataset / "README.md").read_text()
    stats = json.loads((built / "stats" / "clean.json").read_text())
    assert 0 < total < 6 and stats["reasons"] == {"static": 6 - total}
    assert f"| clean | {total} | {6 - total} | 0 | static {6 - total} |" in text
    assert f"| all | {index['splits']['train']['count']} | {index['splits']['test']['count']} |" in text


def test_card_facts_count_scores_and_thresholds(built: Path):
    facts = gather(built / "dataset", built, thresholds={"min_motion": 2.5, "min_sharpness": 10.0})
    assert facts.total == sum(part["count"] for part in facts.splits.values())
    assert len(facts.scores["clean_motion"]) == 6  # every scored row, kept or rejected
    assert facts.thresholds == {"clean_motion": 2.5, "clean_sharpness": 10.0}
    assert sum(facts.scores["clean_motion"] < 2.5) == 6 - facts.total
    assert set(facts.thumbnails) <= {"upper_body", "lower_body", "dresses"}
    assert all(data[:2] == b"\xff\xd8" for thumbs in facts.thumbnails.values() for _, data in thumbs)


def test_size_categories_and_licence():
    assert [size_category(n) for n in (0, 999, 1000, 9999, 10_000, 2_000_000)] == [
        "n<1K",
        "n<1K",
        "1K<n<10K",
        "1K<n<10K",
        "10K<n<100K",
        "1M<n<10M",
    ]
    from collections import Counter

    facts = CardFacts(name="x", splits={"train": {"count": 1, "categories": {}, "shards": []}})
    facts.licenses = Counter({"CC-BY-4.0": 3})
    assert card_header(facts)["license"] == "cc-by-4.0"
    facts.licenses = Counter({"CC-BY-4.0": 3, "Apache-2.0": 1})
    assert card_header(facts)["license"] == "other"
    assert card_header(facts)["configs"][0]["data_files"] == []  # a split without shards is not listed
    facts.licenses = Counter({"unknown": 6})
    assert card_header(facts)["license"] == "unknown"  # what every sample says, not "other"


def test_names_and_licences_are_text_in_the_markdown():
    from collections import Counter

    from vivid_data.card import card_markdown

    facts = CardFacts(
        name="<script>alert(1)</script>", splits={"train": {"count": 1, "categories": {"dresses": 1}, "shards": []}}
    )
    facts.licenses = Counter({"<img src=x onerror=alert(1)>": 1})
    text = card_markdown(facts)
    body = text.split("---", 2)[2]  # after the YAML header (which yaml.safe_dump quotes)
    assert "<script>" not in body and "<img" not in body
    assert "# &lt;script&gt;alert(1)&lt;/script&gt;" in body and "&lt;img src=x onerror=alert(1)&gt; (1)" in body


def test_the_page_in_chromium(browser, built: Path):  # noqa: F811
    page = built / "dataset" / "card.html"
    assert page.stat().st_size < 5 * 1024 * 1024
    browser.get(page.as_uri())
    images = browser.find_elements("css selector", "img")
    assert images and all(browser.execute_script("return arguments[0].naturalWidth", i) > 0 for i in images)
    histograms = browser.find_elements("css selector", "figure.score img")
    assert {h.get_attribute("alt") for h in histograms} >= {"clean_motion", "clean_sharpness"}
    sheets = browser.find_elements("css selector", "[id^=sheet-] img")
    assert len(sheets) == len(images) - len(histograms)
    counts = browser.find_element("id", "counts").text
    assert "upper_body" in counts and "dresses" in counts
    assert "static" in browser.find_element("id", "stages").text


def test_rewriting_the_card_is_byte_identical(built: Path):
    rules = {"min_motion": 2.5, "min_sharpness": 10.0}
    readme, page = write_card(built / "dataset", built, thresholds=rules)
    before = readme.read_bytes(), page.read_bytes()
    write_card(built / "dataset", built, thresholds=rules)
    assert (readme.read_bytes(), page.read_bytes()) == before


def test_the_cards_webdataset_recipe_reads_every_sample(built: Path):
    import webdataset as wds

    dataset = built / "dataset"
    index = json.loads((dataset / "dataset.json").read_text())
    urls = [str(dataset / s["path"]) for part in index["splits"].values() for s in part["shards"]]
    keys = [sample["__key__"] for sample in wds.WebDataset(urls, shardshuffle=False)]
    assert len(keys) == sum(part["count"] for part in index["splits"].values())


def test_hugging_face_datasets_reads_the_shards_the_card_names(built: Path, tmp_path: Path, monkeypatch):
    import datasets

    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_DATASETS_OFFLINE", "1")
    dataset = built / "dataset"
    index = json.loads((dataset / "dataset.json").read_text())
    loaded = datasets.load_dataset(str(dataset), cache_dir=str(tmp_path / "hf"))
    for split, part in index["splits"].items():
        if not part["count"]:
            continue
        rows = loaded[split]
        for name in [n for n, f in rows.features.items() if isinstance(f, datasets.Video)]:
            rows = rows.cast_column(name, datasets.Video(decode=False))  # as the card says: bytes, no torchcodec
        assert len(rows) == part["count"]
        first = rows[0]
        assert first["json"]["split"] == split and first["json"]["category"] in part["categories"]
        assert first["video.mp4"]["bytes"][4:8] == b"ftyp"  # an mp4, as stored
        assert np.asarray(first["garment.jpg"]).ndim == 3
