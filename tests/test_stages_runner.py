import json
import os
import signal
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import pytest

from vivid_data.executors.local import LocalExecutor
from vivid_data.manifest_stream import count_rows, read_columns
from vivid_data.stages.base import outcome
from vivid_data.stages.runner import StageSetupError, format_stage_summary, run_stage, write_stage_outputs


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
            return [
                outcome({**row, "sample_id": f"{row['sample_id']}_{i}"}, "ok", y=row["x"] * self.factor + i)
                for i in range(2)
            ]
        return [outcome(row, "ok", y=row["x"] * self.factor)]

    def finalize(self, manifest):
        return {}, {"rows_seen": count_rows(manifest)}


def manifest(values=(1, 2, 3, 4, 5, 6)) -> pd.DataFrame:
    rows = [{"sample_id": f"s{x}", "x": x, "status": "ok", "reason": None, "stages": "{}"} for x in values]
    rows.append({"sample_id": "old", "x": 0, "status": "rejected", "reason": "earlier", "stages": "{}"})
    return pd.DataFrame(rows)


def test_statuses_passthrough_split_and_exceptions(tmp_path: Path):
    report = run_stage(Doubler(), manifest(), tmp_path, LocalExecutor(1), progress=False, validate=False)
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
    run_stage(Doubler(), manifest(), tmp_path, LocalExecutor(1), progress=False, validate=False)
    again = run_stage(Doubler(), manifest(), tmp_path, LocalExecutor(1), progress=False, validate=False)
    assert (again.stats["computed_rows"], again.stats["reused_rows"]) == (0, 6)
    retried = run_stage(
        Doubler(), manifest(), tmp_path, LocalExecutor(1), retry_failed=True, progress=False, validate=False
    )
    assert retried.stats["computed_rows"] == 1  # only the failed row
    changed = run_stage(Doubler(factor=10), manifest(), tmp_path, LocalExecutor(1), progress=False, validate=False)
    assert changed.stats["computed_rows"] == 6
    assert changed.frame.set_index("sample_id").loc["s2", "y"] == 20


def test_process_pool_gives_the_same_rows(tmp_path: Path):
    inline = run_stage(Doubler(), manifest(), tmp_path / "a", LocalExecutor(1), progress=False, validate=False).frame
    pooled = run_stage(Doubler(), manifest(), tmp_path / "b", LocalExecutor(2), progress=False, validate=False).frame
    pd.testing.assert_frame_equal(inline.drop(columns="stages"), pooled.drop(columns="stages"))


def test_outputs_are_written(tmp_path: Path):
    report = run_stage(Doubler(), manifest(), tmp_path, LocalExecutor(1), progress=False, validate=False)
    path = write_stage_outputs(report, tmp_path)
    assert path == tmp_path / "manifests" / "double.parquet" and len(pd.read_parquet(path)) == 8
    stats = json.loads((tmp_path / "stats" / "double.json").read_text())
    assert stats["counts"]["ok"] == 5 and stats["manifest"] == str(path)


@dataclass
class Fetcher:
    """An ingest-like toy stage keyed by candidate id: rows have no sample id until it succeeds."""

    name: str = field(default="fetch", init=False)
    key: str = field(default="candidate_id", init=False)
    reads: tuple = field(default=("video_src",), init=False)

    def config(self):
        return {}

    def __call__(self, row):
        if "é" in row["video_src"]:
            raise UnicodeEncodeError("ascii", row["video_src"], 0, 1, "ordinal not in range(128)")
        if "kill" in row["video_src"]:
            os.kill(os.getpid(), signal.SIGKILL)
        if "stop" in row["video_src"]:
            os.kill(os.getpid(), signal.SIGSTOP)  # hangs: only the row time limit ends it
        return [outcome({**row, "sample_id": f"s{row['candidate_id']}"}, "ok", fetched=True)]

    def finalize(self, manifest):
        return {}, {}


def candidates(*sources: str, split: str = "test") -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "candidate_id": f"{i:024x}",
                "video_src": s,
                "video_url": s,
                "garment_url": "http://g/x.jpg",
                "category": "dresses",
                "split": split,
                "status": "ok",
                "reason": None,
                "stages": "{}",
            }
            for i, s in enumerate(sources)
        ]
    )


def test_an_exception_keeps_the_row_identity_and_names_the_url(tmp_path: Path):
    from vivid_data.schema import check_sample_id

    def fetch(**options):
        sources = candidates("http://a/ok.mp4", "http://a/robe-été.mp4")
        return run_stage(Fetcher(), sources, tmp_path, LocalExecutor(1), progress=False, validate=False, **options)

    report = fetch()
    frame = report.frame
    assert all(check_sample_id(s) for s in frame["sample_id"])  # the failed row has a valid id of its own
    bad = frame[frame["status"] == "failed"].iloc[0]
    assert bad["sample_id"] == "u" + f"{1:024x}"[:23] and bad["reason"] == "exception"
    assert "http://a/robe-été.mp4" in bad["detail"] and "UnicodeEncodeError" in bad["detail"]
    assert (frame["status"] == "ok").sum() == 1
    again = fetch()
    assert again.stats["computed_rows"] == 0 and list(again.frame["sample_id"]) == list(frame["sample_id"])
    assert fetch(retry_failed=True).stats["computed_rows"] == 1


def fetch_with_one_bad_row(tmp_path: Path, bad: str, executor: LocalExecutor):
    """Five good rows and one whose worker the Fetcher kills or stops, on a pool of two."""
    try:
        return run_stage(
            Fetcher(),
            candidates(*[f"http://a/{i}.mp4" for i in range(5)], bad),
            tmp_path,
            executor,
            progress=False,
            validate=False,
        )
    finally:
        executor.close()


def test_a_worker_death_fails_its_row_only(tmp_path: Path):
    report = fetch_with_one_bad_row(tmp_path, "http://a/kill.mp4", LocalExecutor(2))
    frame = report.frame.set_index("video_src")
    assert (frame.loc["http://a/kill.mp4", "status"], frame.loc["http://a/kill.mp4", "reason"]) == (
        "failed",
        "worker_died",
    )
    assert "http://a/kill.mp4" in frame.loc["http://a/kill.mp4", "detail"]
    assert (frame["status"] == "ok").sum() == 5
    assert len(report.stats["worker_deaths"]) == 1 and "kill.mp4" in report.stats["worker_deaths"][0]


def test_a_hung_worker_fails_its_row_timeout_and_the_stage_finishes(tmp_path: Path):
    report = fetch_with_one_bad_row(tmp_path, "http://a/stop.mp4", LocalExecutor(2, row_timeout_s=2.0))
    frame = report.frame.set_index("video_src")
    row = frame.loc["http://a/stop.mp4"]
    assert (row["status"], row["reason"]) == ("failed", "timeout")
    assert "http://a/stop.mp4" in row["detail"] and "row_timeout_s=2" in row["detail"]
    assert (frame["status"] == "ok").sum() == 5


def test_a_changed_source_field_reaches_the_manifest_without_recomputing(tmp_path: Path):
    for split in ("test", "train"):
        sources = candidates("http://a/1.mp4", split=split)
        report = run_stage(Fetcher(), sources, tmp_path, LocalExecutor(1), progress=False, validate=False)
    assert report.stats["computed_rows"] == 0 and list(report.frame["split"]) == ["train"]
    assert json.loads(report.frame.loc[0, "stages"])["fetch"]["status"] == "ok"


def test_a_changed_input_that_the_stage_reads_recomputes(tmp_path: Path):
    frame = manifest((1, 2))
    run_stage(Doubler(), frame, tmp_path, LocalExecutor(1), progress=False, validate=False)
    frame.loc[0, "x"] = 6
    again = run_stage(Doubler(), frame, tmp_path, LocalExecutor(1), progress=False, validate=False)
    assert again.stats["computed_rows"] == 1 and again.frame.set_index("sample_id").loc["s1", "y"] == 12


@dataclass
class NeedsModel:
    name: str = field(default="needs", init=False)
    key: str = field(default="sample_id", init=False)

    def config(self):
        return {}

    def setup(self):
        raise FileNotFoundError("/models/parser: no config.json")

    def __call__(self, row):
        return [outcome(row, "ok")]

    def finalize(self, manifest):
        return {}, {}


def test_a_stage_that_cannot_set_up_stops_with_its_reason(tmp_path: Path):
    with pytest.raises(StageSetupError, match=r"stage needs could not be set up.*no config.json"):
        run_stage(NeedsModel(), manifest((1,)), tmp_path, LocalExecutor(1), progress=False, validate=False)


@dataclass
class Settler(Doubler):
    """Doubler with main-process hooks: ``settle`` rejects y > 10 (a threshold), ``finalize`` drops
    the second of two rows with equal y and marks the first."""

    def settle(self, row):
        if row.get("status") == "ok" and row.get("y", 0) > 10:
            return {**row, "status": "rejected", "reason": "too_big"}
        return row

    def finalize(self, manifest):
        frame = read_columns(manifest, ["y"])
        repeated = frame["y"].duplicated(keep="first") & frame["y"].notna()
        edits = dict.fromkeys((int(i) for i in frame.index[repeated]), None)
        firsts = frame["y"].duplicated(keep=False) & ~repeated & frame["y"].notna()
        edits.update({int(i): {"reason": "has_twin"} for i in frame.index[firsts]})
        return edits, {"dropped": int(repeated.sum())}


def test_settle_and_finalize_edit_rows_by_position(tmp_path: Path):
    frame = manifest((1, 2, 6, 2))  # s2 twice: the second becomes a duplicate sample id, then is dropped
    frame.loc[3, "sample_id"] = "s2b"
    report = run_stage(Settler(factor=2), frame, tmp_path, LocalExecutor(1), progress=False, validate=False)
    out = report.frame.set_index("sample_id")
    assert list(out.index) == ["s1", "s2", "s6", "old"]
    assert out.loc["s2", "reason"] == "has_twin"
    assert (out.loc["s6", "status"], out.loc["s6", "reason"]) == ("rejected", "too_big")  # y = 12
    assert report.stats["dropped"] == 1 and report.stats["counts"] == {"ok": 2, "rejected": 1, "failed": 0}
    # a changed threshold is applied to reused rows without recomputing them
    again = run_stage(Settler(factor=2), frame, tmp_path, LocalExecutor(1), progress=False, validate=False)
    assert again.stats["computed_rows"] == 0 and list(again.frame["sample_id"]) == list(report.frame["sample_id"])


def test_rows_stream_through_in_batches_in_order(tmp_path: Path):
    """More rows than one batch (512): order, content and the journal index survive the batching."""
    values = tuple(range(6, 1306))
    frame = manifest(values)
    report = run_stage(Doubler(), frame, tmp_path, LocalExecutor(2), progress=False, validate=False)
    out = report.frame
    assert list(out["sample_id"]) == [f"s{x}" for x in values] + ["old"]
    assert list(out["y"].iloc[:-1]) == [2 * x for x in values]
    again = run_stage(Doubler(), frame, tmp_path, LocalExecutor(1), progress=False, validate=False)
    assert again.stats["reused_rows"] == len(values)
    pd.testing.assert_frame_equal(again.frame.drop(columns="stages"), out.drop(columns="stages"))
