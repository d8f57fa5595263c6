"""The shipped baseline table: every row of reference-numbers.md with a protocol and a source; bad edits are named."""

from pathlib import Path

import numpy as np
import pytest

from vivid_eval.baselines import BaselineTableError, default_path, load_baselines


def test_shipped_table_loads_with_sources():
    table = load_baselines()
    assert len(table) == 58
    assert (table["measured_by"].str.len() > 0).all()
    assert (table["source"].str.len() > 0).all() and (table["protocol"].str.len() > 0).all()
    assert set(table["subset"]) == {"vvt_test", "vivid_test_no_back", "vivid_s", "vivid_sl"}
    catv2ton = table[table["protocol"] == "catv2ton_compat"]
    assert set(catv2ton["source"].str.extract(r"(Table \d)")[0]) == {"Table 3", "Table 4"}
    row = table[(table["method"] == "CatV2TON") & (table["subset"] == "vivid_s") & (table["setting"] == "paired")].iloc[
        0
    ]
    assert (row["ssim"], row["lpips"], row["vfid_i3d"], row["vfid_resnext"]) == (0.8727, 0.0639, 13.5962, 0.2963)
    unpaired = table[table["setting"] == "unpaired"]
    assert unpaired["ssim"].isna().all()
    assert (unpaired["vfid_i3d"].notna() | unpaired["fvd_videomae"].notna()).all()
    # the published ResNeXt scale clash is recorded, not hidden
    assert table[table["method"] == "FW-GAN"]["note"].str.contains("0.1215").all()


def _write(tmp_path: Path, edit) -> Path:
    lines = default_path().read_text().splitlines()
    path = tmp_path / "baselines.csv"
    path.write_text("\n".join(edit(lines)) + "\n")
    return path


@pytest.mark.parametrize(
    "edit, message",
    [
        (lambda lines: [*lines, lines[1].replace(",paired,", ",side,")], "row 60 .*setting must be one of"),
        (lambda lines: [lines[0], lines[1].replace("0.459", "n/a")], "row 2: ssim is not a number: 'n/a'"),
        (
            lambda lines: [lines[0], lines[1].replace("DPIDM (arXiv 2505.16980) Table 1; SwiftTry Table 3", "")],
            "row 2 .*empty source",
        ),
        (lambda lines: [lines[0], lines[1], lines[1]], "duplicate rows"),
        (lambda lines: [lines[0].replace("vfid_i3d", "fvd"), lines[1]], "missing column"),
    ],
)
def test_schema_errors_name_the_row(tmp_path: Path, edit, message: str):
    with pytest.raises(BaselineTableError, match=message):
        load_baselines(_write(tmp_path, edit))


def test_unpaired_rows_cannot_carry_ssim(tmp_path: Path):
    table = load_baselines()
    table.loc[int(np.flatnonzero(table["setting"] == "unpaired")[0]), "ssim"] = 0.9
    path = tmp_path / "baselines.csv"
    table.to_csv(path, index=False)
    with pytest.raises(BaselineTableError, match="unpaired rows report VFID only"):
        load_baselines(path)


def test_one_method_keeps_each_measurer():
    """MagicTryOn's ViViD-S SSIM as three papers measured it: three rows, each naming its measurer and table."""
    table = load_baselines()
    rows = table[(table["method"] == "MagicTryOn") & (table["subset"] == "vivid_s")].sort_values("ssim")
    assert list(rows["measured_by"]) == ["BooM-VVT", "DreamVVT", "TexTailor"]
    assert list(rows["ssim"]) == [0.869, 0.8841, 0.9024]
    assert rows["source"].str.contains("Table 2|comparison table").all()
    textailor = table[(table["method"] == "TexTailor") & (table["setting"] == "paired")].iloc[0]
    assert (textailor["vfid_i3d"], textailor["memory_gb"], textailor["seconds_per_clip"]) == (7.943, 25.3, 197.0)


def test_cost_only_rows_load_but_empty_rows_do_not(tmp_path: Path):
    table = load_baselines()
    cost_only = table[table[["ssim", "lpips", "vfid_i3d", "vfid_resnext", "fvd_videomae"]].isna().all(axis=1)]
    assert set(cost_only["measured_by"]) == {"TexTailor", "BooM-VVT"}
    table.loc[cost_only.index[0], ["memory_gb", "seconds_per_clip"]] = np.nan
    path = tmp_path / "baselines.csv"
    table.to_csv(path, index=False)
    with pytest.raises(BaselineTableError, match="no metric value and no cost"):
        load_baselines(path)
