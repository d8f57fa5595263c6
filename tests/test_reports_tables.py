"""Cell text: numbers, intervals, ranks, and the best entry marked only when it beats someone."""

from vivid_eval.leaderboard import Comparison, Entry, Section, rank
from vivid_eval.reports.tables import cell, comparison_row, metric_header, number
from vivid_eval.significance import paired_bootstrap


def test_cells_and_headers():
    assert number(0.123456) == "0.1235" and number(123.456) == "123.46" and number(float("nan")) == "-"
    assert metric_header("ssim") == "SSIM ↑" and metric_header("vfid_i3d") == "VFID-I3D ↓"
    a = Entry("a", "result", "d", "s", "paired", "p", {"ssim": 0.9}, {"ssim": (0.8, 0.95)})
    b = Entry("b", "baseline", "d", "s", "paired", "p", {"ssim": 0.7})
    section = Section("d", "s", "paired", "p", [a, b], True, ranks={"ssim": rank([a, b], "ssim")})
    assert cell(section, a, "ssim") == ("0.9000 [0.8000, 0.9500] (1/2)", True)
    assert cell(section, b, "ssim") == ("0.7000 (2/2)", False)
    assert cell(section, b, "lpips") == ("not measured", False)
    c = Entry("c", "result", "d", "s", "paired", "p", {}, unavailable={"lpips": "weights missing"})
    assert cell(section, c, "lpips") == ("unavailable", False)  # tried and could not run: not the same as '-'
    alone = Section("d", "s", "paired", "p", [a], True, ranks={"ssim": rank([a], "ssim")})
    assert cell(alone, a, "ssim")[1] is False  # 1/1 is not "best"


def test_comparison_row_warns_on_few_videos():
    test = paired_bootstrap([0.9, 0.8, 0.85], [0.5, 0.4, 0.45], resamples=500)
    row = comparison_row(Comparison("a", "b", "ssim", test))
    assert row[:4] == ["a", "b", "SSIM", "3"] and row[-1].startswith("yes (only 3 videos")


def test_more_digits_where_values_would_print_alike_but_rank_apart():
    from vivid_eval.reports.tables import column_digits

    assert column_digits([0.91234, 0.5]) == 4 and column_digits([150.0, 12.5]) == 2
    assert column_digits([0.912341, 0.912349]) == 5 and column_digits([0.9, 0.9]) == 4  # a tie stays a tie
    a = Entry("a", "result", "d", "s", "paired", "p", {"ssim": 0.912341})
    b = Entry("b", "result", "d", "s", "paired", "p", {"ssim": 0.912349})
    section = Section("d", "s", "paired", "p", [a, b], True, ranks={"ssim": rank([a, b], "ssim")})
    assert cell(section, a, "ssim")[0] == "0.91234 (2/2)" and cell(section, b, "ssim")[0] == "0.91235 (1/2)"


def test_breakdown_rows_per_result_category_and_view():
    from vivid_eval.reports.tables import breakdown_table

    groups = {
        "category": {"upper_body": {"ssim": {"mean": 0.9, "ci95": [0.85, 0.95], "videos": 2}}},
        "view": {"back": {"ssim": {"mean": 0.6, "ci95": None, "videos": 1}}},
    }
    a = Entry("a", "result", "d", "s", "paired", "p", {"ssim": 0.8}, breakdowns=groups)
    b = Entry("b", "baseline", "d", "s", "paired", "p", {"ssim": 0.7})
    section = Section("d", "s", "paired", "p", [a, b], True, ranks={"ssim": rank([a, b], "ssim")})
    header, rows = breakdown_table(section)
    assert header == ["method", "by", "group", "videos", "SSIM ↑"]
    assert rows == [
        ["a", "category", "upper_body", "2", "0.9000 [0.8500, 0.9500]"],
        ["a", "view", "back", "1", "0.6000"],
    ]
    assert breakdown_table(Section("d", "s", "paired", "p", [b], False)) == ([], [])
