import pandas as pd

from vivid_data.shards.splits import assign_splits, check_no_leakage, leakage_groups, unpaired_partners


def frame(rows) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["sample_id", "category", "garment_sha256", "video_sha256"])


def repeated_garments() -> pd.DataFrame:
    rows = []
    for i in range(60):
        category = ("upper_body", "lower_body", "dresses")[i % 3]
        rows.append((f"s{i:02d}", category, f"g{i // 3}", f"v{i}"))  # every garment in 3 samples... of 3 categories
    rows.append(("t1", "dresses", "gx", "v0"))  # shares a source video with s00
    return frame(rows)


def test_groups_join_garments_and_videos():
    f = repeated_garments()
    groups = leakage_groups(f).set_axis(f["sample_id"])
    assert groups["s00"] == groups["s01"] == groups["s02"] == groups["t1"]
    assert groups["s03"] != groups["s00"]


def test_group_split_has_no_leakage_and_is_deterministic():
    f = repeated_garments()
    f["split"] = assign_splits(f, 0.2, seed=1)
    assert check_no_leakage(f) == []
    assert f["split"].tolist() == assign_splits(f, 0.2, seed=1).tolist()
    assert assign_splits(f, 0.2, seed=2).tolist() != f["split"].tolist()
    share = (f["split"] == "test").mean()
    assert 0.1 <= share <= 0.35
    for category in ("upper_body", "lower_body", "dresses"):
        assert (f[f["category"] == category]["split"] == "test").any()


def test_leakage_is_reported():
    f = frame([("a", "dresses", "g1", "v1"), ("b", "dresses", "g1", "v2")])
    f["split"] = ["train", "test"]
    assert check_no_leakage(f) and "garment" in check_no_leakage(f)[0]


def test_unpaired_partners_same_category_other_garment():
    f = frame([(f"s{i}", "upper_body" if i < 4 else "dresses", f"g{i}", f"v{i}") for i in range(7)])
    partners = unpaired_partners(f, seed=0)
    assert set(partners) == {f"s{i}" for i in range(7)}
    categories = dict(zip(f["sample_id"], f["category"]))
    garments = dict(zip(f["sample_id"], f["garment_sha256"]))
    for a, b in partners.items():
        assert categories[a] == categories[b] and garments[a] != garments[b]
    assert unpaired_partners(f, seed=0) == partners
