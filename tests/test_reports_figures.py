"""Which figures a report gets: one bar chart per section metric, curves and strips per selected video."""

from vivid_eval.leaderboard import load_result
from vivid_eval.reports.figures import selected_videos, video_figures


def test_selected_videos_and_their_figures(sanity_report):
    results = [load_result(p) for p in sorted((sanity_report["root"] / "eval").iterdir())]
    assert selected_videos(results, 5) == ["clip_a", "clip_b"]  # strips=2 in vivid-eval
    figures = video_figures(results, 1)
    names = [f.name for f in figures]
    assert names == ["v-clip-a-ssim", "v-clip-a-lpips", "v-clip-a-agnostic", "v-clip-a-frozen", "v-clip-a-shuffled"]
    assert all(f.png.startswith(b"\x89PNG") for f in figures if f.suffix == "png")
    strips = [f for f in figures if f.suffix == "jpg"]
    assert len(strips) == 3 and all(f.png.startswith(b"\xff\xd8") and len(f.png) < 60_000 for f in strips)
