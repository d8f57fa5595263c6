"""``vivid-generate`` and ``vivid-train``: the command lines of the reference model."""

from __future__ import annotations

from vivid_data.hydra_cli import App, run

GENERATE = App(
    name="vivid-generate",
    config_name="generate",
    summary=(
        "Dress the person of each test video in its garment with the ViViD model; writes <sample id>.mp4\n"
        "in the layout vivid-eval reads. model=tiny runs a small random model on a CPU (a smoke test)."
    ),
    parameters=(
        ("references=DATASET_OR_FOLDER", "a built dataset, or a ViViD folder with pairs=FILE (required)"),
        ("out_dir=DIR", "where the videos go (required)"),
        ("model=vivid|tiny", "the published model (weights: vivid-weights list) or a tiny one for CPUs"),
        ("model.weights=published|checkpoint|random model.checkpoint=FILE", "which weights"),
        ("generation.steps=N generation.guidance=G generation.seed=S", "sampling"),
        ("limit=N max_frames=N", "a quick look: the first N samples, the first N frames"),
        ("device=auto|cpu|cuda dtype=auto|fp16|fp32", "where and in which precision"),
    ),
    examples=(
        "vivid-generate references=work/dataset out_dir=out/preds",
        "vivid-generate references=/data/ViViD pairs=/data/ViViD/test_pairs.txt out_dir=out/preds",
        "vivid-generate model=tiny references=work/dataset out_dir=/tmp/smoke limit=1 generation.steps=2 "
        "generation.height=64 generation.width=48",
    ),
    task="vivid_model.generate:main",
)

TRAIN = App(
    name="vivid-train",
    config_name="train",
    summary=(
        "Train the ViViD model's two stages (stage 1: image, reference network; stage 2: motion modules)\n"
        "from a built dataset's training loader; resumes from its last checkpoint."
    ),
    parameters=(
        ("data=DATASET", "a built dataset (dataset.json or its folder) (required)"),
        ("stage=1|2", "which training stage"),
        ("out_dir=DIR", "checkpoints and train_log.jsonl"),
        ("steps=N batch_size=B learning_rate=LR", "the schedule"),
        ("model=vivid|tiny", "model=tiny trains a small model on a CPU (a smoke test)"),
    ),
    examples=(
        "vivid-train data=work/dataset stage=1 out_dir=runs/stage1",
        "vivid-train model=tiny data=work/dataset stage=1 steps=2 out_dir=/tmp/smoke",
    ),
    task="vivid_model.train:main",
)


def generate_main() -> None:
    run(GENERATE)


def train_main() -> None:
    run(TRAIN)
