import json
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from vivid_data.executors.local import LocalExecutor
from vivid_data.stages.base import outcome
from vivid_data.stages.runner import format_stage_summary, run_stage, write_stage_outputs


@dataclass
class Doubler:
    """A toy stage: doubles ``x``; x == 3 is rejected, x == 4 raises, x == 5 splits into two rows."""

    factor: int = 2
    name: str = field(default="double", init=False)
    key: str = field(default="sample_id", init=False)

    def config(self):
        return {"factor": self.factor}

    def __call__(self, row):
        if row["x"] == 3:
            return [outcome(row, "rejected", "three", detail="x is 3")]
        if row["x"] == 4:
            raise RuntimeError("x is 4")
        if row["x"] == 5:
            return [outcome({**row, "sample_id": f"{row['sample_id']}_{i}"}, "ok", y=row["x"] * self.factor + i)
                    for i in range(2)]
        return [outcome(row, "ok", y=row["x"] * self.factor)]

    def finalize(self, frame):
        return frame, {"rows_seen": len(frame)}


def manifest(values=(1, 2, 3, 4, 5, 6)) -> pd.DataFrame:
    rows = [{"sample_id": f"s{x}", "x": x, "status": "ok", "reason": None, "stages": "{}"} for x in values]
    rows.append({"sample_id": "old", "x": 0, "status": "rejected", "reason": "earlier", "stages": "{}"})
    return pd.DataFrame(rows)


def test_statuses_passthrough_split_and_exceptions(tmp_path: Path):
    report = run_stage(Doubler(), manifest(), tmp_path, LocalExecutor(1), progress=False)
    frame = report.frame.set_index("sample_id")
    assert list(report.frame["sample_id"]) == ["s1", "s2", "s3", "s4", "s5_0", "s5_1", "s6", "old"]
    assert frame.loc["s2", "y"] == 4 and frame.loc["s5_1", "y"] == 11
    assert (frame.loc["s3", "status"], frame.loc["s3", "reason"]) == ("rejected", "three")
    assert (frame.loc["s4", "status"], frame.loc["s4", "reason"]) == ("failed", "exception")
    assert "RuntimeError: x is 4" in json.loads(frame.loc["s4", "stages"])["double"]["detail"]
    assert frame.loc["old", "reason"] == "earlier" and json.loads(frame.loc["old", "stages"]) == {}
    assert json.loads(frame.loc["s1", "stages"])["double"]["status"] == "ok"
    stats = report.stats
    assert stats["counts"] == {"ok": 5, "rejected": 1, "failed": 1}
    assert (stats["computed_rows"], stats["passed_through"], stats["rows_seen"]) == (6, 1, 8)
    assert "[double] ok=5 rejected=1 failed=1" in format_stage_summary(report)


def test_rerun_reuses_retry_failed_and_config_change(tmp_path: Path):
    run_stage(Doubler(), manifest(), tmp_path, LocalExecutor(1), progress=False)
    again = run_stage(Doubler(), manifest(), tmp_path, LocalExecutor(1), progress=False)
    assert (again.stats["computed_rows"], again.stats["reused_rows"]) == (0, 6)
    retried = run_stage(Doubler(), manifest(), tmp_path, LocalExecutor(1), retry_failed=True, progress=False)
    assert retried.stats["computed_rows"] == 1  # only the failed row
    changed = run_stage(Doubler(factor=10), manifest(), tmp_path, LocalExecutor(1), progress=False)
    assert changed.stats["computed_rows"] == 6
    assert changed.frame.set_index("sample_id").loc["s2", "y"] == 20


def test_process_pool_gives_the_same_rows(tmp_path: Path):
    inline = run_stage(Doubler(), manifest(), tmp_path / "a", LocalExecutor(1), progress=False).frame
    pooled = run_stage(Doubler(), manifest(), tmp_path / "b", LocalExecutor(2), progress=False).frame
    pd.testing.assert_frame_equal(inline.drop(columns="stages"), pooled.drop(columns="stages"))


def test_outputs_are_written(tmp_path: Path):
    report = run_stage(Doubler(), manifest(), tmp_path, LocalExecutor(1), progress=False)
    path = write_stage_outputs(report, tmp_path)
    assert path == tmp_path / "manifests" / "double.parquet" and len(pd.read_parquet(path)) == 8
    stats = json.loads((tmp_path / "stats" / "double.json").read_text())
    assert stats["counts"]["ok"] == 5 and stats["manifest"] == str(path)
