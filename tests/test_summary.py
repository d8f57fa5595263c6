from vivid_data.manifest import records_to_frame
from vivid_data.schema import SampleRecord
from vivid_data.summary import format_table, summary_table


def test_summary_counts_frames_and_resolutions():
    frame = records_to_frame(
        [
            SampleRecord(sample_id="a", category="upper_body", num_frames=48, fps=24.0, width=624, height=832),
            SampleRecord(sample_id="b", category="upper_body", num_frames=24, fps=30.0, width=384, height=512),
            SampleRecord(sample_id="c", category="dresses", status="rejected", reason="video_truncated"),
        ]
    )
    table = summary_table(frame).set_index("category")
    assert table.loc["upper_body", "ok"] == 2 and table.loc["upper_body", "frames"] == 72
    assert table.loc["upper_body", "resolution (WxH)"] == "384x512, 624x832"
    assert table.loc["upper_body", "fps"] == "24, 30"
    assert table.loc["dresses", "rejected"] == 1 and table.loc["dresses", "frames/video"] == "-"
    assert table.loc["total", "ok"] == 2
    text = format_table(summary_table(frame))
    assert text.splitlines()[0].startswith("category") and "lower_body" in text
