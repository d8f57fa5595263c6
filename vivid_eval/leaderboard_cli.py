"""``vivid-leaderboard``: merge vivid-eval results with the published baselines and write the reports.

vivid-leaderboard out/eval/method_a out/eval/method_b --out out/leaderboard
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from vivid_data.atomic import atomic_write_text

if TYPE_CHECKING:  # the report modules pull in pandas and matplotlib: imported when the command runs
    from vivid_eval.leaderboard import Section


def run(
    results: list[Path],
    out: Path,
    baselines: Path | None = None,
    videos: int = 3,
    resamples: int = 10_000,
    seed: int = 0,
    vfid_resamples: int = 200,
) -> tuple[dict[str, Path], list[Section]]:
    """Write leaderboard.json, leaderboard.md (+ figures/) and leaderboard.html; return their paths and the sections."""
    from vivid_eval.baselines import load_baselines
    from vivid_eval.leaderboard import baseline_entries, build_leaderboard, load_result, to_json
    from vivid_eval.reports import html, markdown
    from vivid_eval.reports.figures import all_figures

    entries = [load_result(r) for r in results]
    sections = build_leaderboard(entries, baseline_entries(load_baselines(baselines)), resamples, seed, vfid_resamples)
    figures = all_figures(sections, entries, videos)
    out.mkdir(parents=True, exist_ok=True)
    written = {
        "json": out / "leaderboard.json",
        "markdown": markdown.write(out, sections, figures),
        "html": html.write(out, sections, figures),
    }
    atomic_write_text(written["json"], json.dumps(to_json(sections), indent=2) + "\n")
    return written, sections


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="vivid-leaderboard",
        description=__doc__.splitlines()[0],
        epilog="examples:\n  vivid-leaderboard out/eval/mine out/eval/other --out out/leaderboard\n"
        "  vivid-leaderboard out/eval/* --out out/leaderboard --videos 0 --resamples 2000",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("results", nargs="+", type=Path, help="vivid-eval output folders (or their summary.json)")
    parser.add_argument("--out", type=Path, required=True, help="folder for leaderboard.{md,html,json} and figures/")
    parser.add_argument("--baselines", type=Path, help="another baseline table (default: the one shipped)")
    parser.add_argument("--videos", type=int, default=3, help="videos shown with per-frame curves and strips")
    parser.add_argument("--resamples", type=int, default=10_000, help="paired bootstrap resamples")
    parser.add_argument(
        "--vfid-resamples",
        type=int,
        default=200,
        help="VFID bootstrap draws (each recomputes two Frechet distances; 0 turns it off)",
    )
    parser.add_argument("--seed", type=int, default=0, help="the bootstrap's random seed (default 0)")
    args = parser.parse_args(argv)
    from vivid_eval.baselines import BaselineTableError
    from vivid_eval.leaderboard import ResultError
    from vivid_eval.reports import markdown

    try:
        written, sections = run(
            args.results, args.out, args.baselines, args.videos, args.resamples, args.seed, args.vfid_resamples
        )
    except (ResultError, BaselineTableError) as exc:
        print(f"vivid-leaderboard: error: {exc}", file=sys.stderr)
        return 2
    print(markdown.render(sections, []))
    for kind, path in written.items():
        print(f"{kind}: {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
