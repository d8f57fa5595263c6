"""``vivid-eval``: the command line of the evaluator (the work is in :mod:`vivid_eval.evaluate`)."""

from __future__ import annotations

from vivid_data.hydra_cli import App, run

APP = App(
    name="vivid-eval",
    config_name="eval",
    summary=(
        "Score try-on videos against their references (SSIM, LPIPS, flicker, warping error, VFID, FVD) under a\n"
        "named protocol; writes per_video.csv, per_frame.csv and summary.json for vivid-leaderboard."
    ),
    parameters=(
        ("predictions=DIR", "your method's videos: a folder of <sample id>.mp4 (required)"),
        ("references=DATASET_OR_FOLDER", "a built dataset (dataset.json or its folder) or a ViViD folder (required)"),
        ("out_dir=DIR", "where the results go (default: eval_out)"),
        ("protocol=vivid_v1|catv2ton_compat", "the measurement convention; catv2ton_compat meets published VFIDs"),
        ("metrics=[ssim,lpips,flicker,warp,vfid_i3d,vfid_resnext,fvd_videomae,fvd_i3d]", "which metrics run"),
        (
            "subset=vivid_s setting=paired|unpaired",
            "score exactly the published ViViD-S clips and windows (vivid-benchmarks fetch vivid_s)",
        ),
        ("method=NAME dataset=ViViD", "labels that place the run beside the published baselines"),
        ("device=auto|cpu|cuda", "where the networks run"),
    ),
    examples=(
        "vivid-eval predictions=out/preds references=work/dataset out_dir=out/eval",
        "vivid-eval predictions=preds references=/data/ViViD subset=vivid_s protocol=catv2ton_compat method=MyMethod",
        "vivid-eval predictions=preds_unpaired references=/data/ViViD subset=vivid_s setting=unpaired",
    ),
    task="vivid_eval.evaluate:main",
)


def main() -> None:
    run(APP)


if __name__ == "__main__":
    main()
