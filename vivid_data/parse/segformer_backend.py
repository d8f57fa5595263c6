"""Parse backend ``segformer``: human parsing with a SegFormer clothes model from a local directory.

Expects a transformers ``SegformerForSemanticSegmentation`` checkpoint with ATR labels (as in
the public "segformer_b2_clothes" model): its garment labels refine the keypoint-based
agnostic mask with the real garment outline.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from vivid_data.config_defaults import yaml_defaults

ATR_LABELS = (
    "Background",
    "Hat",
    "Hair",
    "Sunglasses",
    "Upper-clothes",
    "Skirt",
    "Pants",
    "Dress",
    "Belt",
    "Left-shoe",
    "Right-shoe",
    "Face",
    "Left-leg",
    "Right-leg",
    "Left-arm",
    "Right-arm",
    "Bag",
    "Scarf",
)
GARMENT_LABELS = {
    "upper_body": ("Upper-clothes", "Scarf", "Left-arm", "Right-arm"),
    "lower_body": ("Skirt", "Pants", "Belt"),
    "dresses": ("Dress", "Upper-clothes", "Skirt", "Belt", "Left-arm", "Right-arm"),
}
PROTECTED_LABELS = ("Face", "Hair", "Hat", "Sunglasses")


#: defaults: conf/parse/segformer.yaml
DEFAULTS = yaml_defaults("parse/segformer.yaml", "segformer")


class SegformerParser:
    """The folder is checked when the config is made; the model is loaded by :meth:`setup` in each worker
    (a parser object is plain data until then, so it pickles to pool and Ray workers cheaply)."""

    def __init__(self, model_dir: str, device: str = DEFAULTS["device"], height: int = DEFAULTS["height"]) -> None:
        path = Path(model_dir).expanduser()
        if not (path / "config.json").is_file():
            raise FileNotFoundError(
                f"{path}: no SegFormer checkpoint (config.json) here; save one with "
                "save_pretrained() or download a clothes-parsing SegFormer to this folder"
            )
        self.model_dir = str(path)
        self.device = device
        self.height = height
        self._model = None
        self._label_ids: dict[str, int] | None = None

    def __getstate__(self) -> dict:
        return {
            "model_dir": self.model_dir,
            "device": self.device,
            "height": self.height,
            "_model": None,
            "_label_ids": None,
        }

    def setup(self) -> None:
        """Load the model (once per worker process)."""
        if self._model is not None:
            return
        from transformers import SegformerForSemanticSegmentation

        model = SegformerForSemanticSegmentation.from_pretrained(self.model_dir, local_files_only=True)
        model = model.eval().to(self.device)
        self._model = model
        id2label = {int(k): v for k, v in model.config.id2label.items()}
        self._label_ids = {name: i for i, name in id2label.items()}

    @property
    def model(self):
        self.setup()
        return self._model

    @property
    def label_ids(self) -> dict[str, int]:
        self.setup()
        assert self._label_ids is not None
        return self._label_ids

    def labels(self, frames: np.ndarray) -> np.ndarray:
        """Per-pixel label ids (T, H, W) at the frames' size."""
        import torch
        import torch.nn.functional as F

        t, h, w = frames.shape[:3]
        scale = self.height / h
        size = (self.height, max(32, int(round(w * scale / 32)) * 32))
        mean = torch.tensor([0.485, 0.456, 0.406]).view(1, 3, 1, 1)
        std = torch.tensor([0.229, 0.224, 0.225]).view(1, 3, 1, 1)
        out = np.empty((t, h, w), np.uint8)
        with torch.inference_mode():
            for i in range(t):
                x = torch.from_numpy(frames[i]).permute(2, 0, 1)[None].float() / 255.0
                x = F.interpolate(x, size=size, mode="bilinear", align_corners=False, antialias=True)
                logits = self.model(pixel_values=((x - mean) / std).to(self.device)).logits
                logits = F.interpolate(logits, size=(h, w), mode="bilinear", align_corners=False)
                out[i] = logits.argmax(1)[0].cpu().numpy().astype(np.uint8)
        return out

    def refine(self, masks: np.ndarray, labels: np.ndarray, category: str, grow: int = 9) -> np.ndarray:
        """Keypoint masks united with the (grown) garment labels, minus face and hair."""
        import cv2

        garment = np.isin(labels, [self.label_ids[n] for n in GARMENT_LABELS[category] if n in self.label_ids])
        protected = np.isin(labels, [self.label_ids[n] for n in PROTECTED_LABELS if n in self.label_ids])
        kernel = np.ones((grow, grow), np.uint8)
        grown = np.stack([cv2.dilate(g.astype(np.uint8), kernel) > 0 for g in garment])
        return (masks | grown) & ~protected
