"""The Python API as docs/eval/python-api.md shows it: the snippet is run as it is written there."""

import os
import re
import shutil
from pathlib import Path

PAGE = Path(__file__).resolve().parents[1] / "docs" / "eval" / "python-api.md"


def documented_snippet() -> str:
    return re.search(r"```python\n(.*?)```", PAGE.read_text(), re.S).group(1)


def test_the_documented_snippet_runs(example_dataset: Path, tmp_path: Path, capsys):
    shutil.copytree(Path(example_dataset).parent, tmp_path / "work" / "dataset")
    previous = os.getcwd()
    os.chdir(tmp_path)
    try:
        exec(compile(documented_snippet(), str(PAGE), "exec"), {})
    finally:
        os.chdir(previous)
    printed = capsys.readouterr().out.split()
    assert 0 < float(printed[0]) < 1 and printed[1] == "3"  # mean SSIM of the agnostic baseline, 3 test videos
    assert 0 < float(printed[2]) < 1 and 0 < float(printed[3]) <= 1
    assert (
        sorted(p.stem for p in (tmp_path / "out" / "preds").glob("*.mp4"))
        and (tmp_path / "out" / "eval" / "summary.json").is_file()
    )


def test_the_exports_are_the_classes_the_cli_runs():
    import vivid_eval
    from vivid_eval.metrics.registry import METRIC_CLASSES

    assert {
        vivid_eval.VideoSSIM,
        vivid_eval.VideoLPIPS,
        vivid_eval.TemporalFlicker,
        vivid_eval.WarpingError,
        vivid_eval.VFID,
        vivid_eval.FVD,
        vivid_eval.RegionSSIM,
        vivid_eval.RegionLPIPS,
        vivid_eval.PreservationError,
        vivid_eval.SeamRatio,
    } == set(METRIC_CLASSES.values())  # FVD serves fvd_videomae and fvd_i3d
