"""Small stand-ins for the real pose and parsing models, with the real ones' signatures and file formats."""

from __future__ import annotations

from pathlib import Path

import numpy as np

K, H, W = 17, 256, 192


def write_rtmpose_model(path: Path, peaks_x: np.ndarray, peaks_y: np.ndarray) -> Path:
    """An ONNX model with RTMPose's signature: outputs simcc_x (1, K, 2W) and simcc_y (1, K, 2H) peaking at
    the given SimCC bins, plus a term from the input (0 * mean), so onnxruntime runs a real graph over it."""
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    simcc_x = np.full((1, K, 2 * W), 0.01, np.float32)
    simcc_y = np.full((1, K, 2 * H), 0.01, np.float32)
    simcc_x[0, np.arange(K), peaks_x] = 0.9
    simcc_y[0, np.arange(K), peaks_y] = 0.8
    nodes = [
        helper.make_node("ReduceMean", ["input"], ["mean"], keepdims=0),
        helper.make_node("Mul", ["mean", "zero"], ["nothing"]),
        helper.make_node("Add", ["base_x", "nothing"], ["simcc_x"]),
        helper.make_node("Add", ["base_y", "nothing"], ["simcc_y"]),
    ]
    graph = helper.make_graph(
        nodes,
        "tiny_rtmpose",
        [helper.make_tensor_value_info("input", TensorProto.FLOAT, [1, 3, H, W])],
        [
            helper.make_tensor_value_info("simcc_x", TensorProto.FLOAT, [1, K, 2 * W]),
            helper.make_tensor_value_info("simcc_y", TensorProto.FLOAT, [1, K, 2 * H]),
        ],
        [
            numpy_helper.from_array(simcc_x, "base_x"),
            numpy_helper.from_array(simcc_y, "base_y"),
            numpy_helper.from_array(np.zeros((), np.float32), "zero"),
        ],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    onnx.checker.check_model(model)
    onnx.save(model, str(path))
    return path


def standing_person_model(path: Path) -> Path:
    """COCO keypoints of an upright person filling most of the input: a pose the stage accepts."""
    rows = {
        0: 0.12,
        1: 0.1,
        2: 0.1,
        3: 0.11,
        4: 0.11,
        5: 0.25,
        6: 0.25,
        7: 0.4,
        8: 0.4,
        9: 0.52,
        10: 0.52,
        11: 0.55,
        12: 0.55,
        13: 0.72,
        14: 0.72,
        15: 0.9,
        16: 0.9,
    }
    left = {1, 3, 5, 7, 9, 11, 13, 15}
    peaks_y = np.array([int(2 * H * rows[k]) for k in range(K)])
    peaks_x = np.array([int(2 * W * (0.4 if k in left else 0.6 if k else 0.5)) for k in range(K)])
    return write_rtmpose_model(path, peaks_x, peaks_y)


def write_segformer(path: Path) -> Path:
    """A randomly initialised SegFormer with the ATR clothes labels, saved like a downloaded one."""
    import torch
    from transformers import SegformerConfig, SegformerForSemanticSegmentation

    from vivid_data.parse.segformer_backend import ATR_LABELS

    torch.manual_seed(0)
    config = SegformerConfig(
        num_channels=3,
        num_encoder_blocks=2,
        depths=[1, 1],
        sr_ratios=[2, 1],
        hidden_sizes=[8, 16],
        num_attention_heads=[1, 1],
        decoder_hidden_size=16,
        num_labels=len(ATR_LABELS),
        id2label=dict(enumerate(ATR_LABELS)),
        label2id={name: i for i, name in enumerate(ATR_LABELS)},
    )
    SegformerForSemanticSegmentation(config).save_pretrained(path)
    return path


def model_build_overrides(folder: Path, models: Path, work: Path) -> list[str]:
    """A build of ``folder`` with pose=rtmpose and parse=segformer on the stand-in models above."""
    models.mkdir(parents=True, exist_ok=True)
    onnx_file = standing_person_model(models / "rtmpose.onnx")
    segformer = models / "segformer"
    if not (segformer / "config.json").is_file():
        write_segformer(segformer)
    return [
        f"work_dir={work}",
        "source=vivid_folder",
        f"path={folder}",
        "stages=[ingest,pose,parse]",
        "pose=rtmpose",
        f"pose.backend.model_path={onnx_file}",
        "pose.backend.box=full_frame",
        "parse=segformer",
        f"parse.segformer.model_dir={segformer}",
        "parse.segformer.height=64",
        "parse.keep_existing=false",
    ]
