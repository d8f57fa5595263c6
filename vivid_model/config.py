"""Model configurations: the published ViViD model and a tiny one of the same shape for CPU tests.

The published model is Stable Diffusion 1.5's UNet layout (the ``sd-image-variations-diffusers``
UNet: CLIP image embeddings of 768 dimensions as cross-attention context), the ``sd-vae-ft-mse``
VAE, CLIP ViT-L/14's vision tower with projection, AnimateDiff v2 motion modules (8 heads,
positions up to 32 frames, at every resolution and the mid block) and a pose guider with blocks
(16, 32, 96, 256). The tiny configuration keeps every part and every key pattern with a few
channels, so that checkpoints in the official layout of that size load strictly in tests.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

LATENT_SCALE = 0.18215


@dataclass(frozen=True)
class ModelConfig:
    name: str
    block_out_channels: tuple[int, ...] = (320, 640, 1280, 1280)
    layers_per_block: int = 2
    attention_heads: int = 8
    cross_attention_dim: int = 768
    norm_num_groups: int = 32
    motion_heads: int = 8
    motion_max_frames: int = 32
    pose_blocks: tuple[int, ...] = (16, 32, 96, 256)
    vae_blocks: tuple[int, ...] = (128, 256, 512, 512)
    vae_layers: int = 2
    vae_norm_groups: int = 32
    clip: dict[str, Any] = field(
        default_factory=lambda: {
            "hidden_size": 1024,
            "intermediate_size": 4096,
            "num_hidden_layers": 24,
            "num_attention_heads": 16,
            "image_size": 224,
            "patch_size": 14,
            "projection_dim": 768,
        }
    )
    clip_image_size: int = 224

    def __post_init__(self) -> None:
        if len(self.pose_blocks) != len(self.vae_blocks):
            raise ValueError(
                f"{self.name}: the pose guider must downsample as much as the VAE "
                f"({len(self.pose_blocks)} vs {len(self.vae_blocks)} blocks)"
            )
        if self.clip["projection_dim"] != self.cross_attention_dim:
            raise ValueError(f"{self.name}: CLIP projection_dim must equal cross_attention_dim")

    @property
    def vae_scale_factor(self) -> int:
        return 2 ** (len(self.vae_blocks) - 1)

    @property
    def down_block_types(self) -> tuple[str, ...]:
        return ("CrossAttnDownBlock2D",) * (len(self.block_out_channels) - 1) + ("DownBlock2D",)

    @property
    def up_block_types(self) -> tuple[str, ...]:
        return ("UpBlock2D",) + ("CrossAttnUpBlock2D",) * (len(self.block_out_channels) - 1)

    def record(self) -> dict[str, Any]:
        return asdict(self)


VIVID = ModelConfig("vivid")
TINY = ModelConfig(
    "tiny",
    block_out_channels=(32, 64),
    layers_per_block=1,
    attention_heads=2,
    cross_attention_dim=32,
    norm_num_groups=8,
    motion_heads=2,
    pose_blocks=(8, 16),
    vae_blocks=(16, 32),
    vae_layers=1,
    vae_norm_groups=8,
    clip={
        "hidden_size": 32,
        "intermediate_size": 64,
        "num_hidden_layers": 2,
        "num_attention_heads": 2,
        "image_size": 32,
        "patch_size": 8,
        "projection_dim": 32,
    },
    clip_image_size=32,
)
CONFIGS = {c.name: c for c in (VIVID, TINY)}


def config_named(name: str) -> ModelConfig:
    if name not in CONFIGS:
        raise ValueError(f"unknown model configuration {name!r}; known: {', '.join(CONFIGS)}")
    return CONFIGS[name]
