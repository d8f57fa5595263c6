"""All parts of the model in one place: built fresh (tiny tests, training from scratch) or
loaded from the published files."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

import torch
from diffusers import AutoencoderKL, UNet2DConditionModel
from transformers import CLIPVisionConfig, CLIPVisionModelWithProjection

from vivid_model.checkpoints import (
    CheckpointError,
    LoadReport,
    convert_motion_keys,
    load_into,
    read_state_dict,
    widen_conv_in,
)
from vivid_model.config import VIVID, ModelConfig
from vivid_model.pose_guider import PoseGuider
from vivid_model.reference_attention import ReferenceBank, install
from vivid_model.unets import DenoisingUNet, build_motion_unet, build_reference_unet

ModuleT = TypeVar("ModuleT", bound=torch.nn.Module)


def cast(module: ModuleT, device: str | torch.device | None, dtype: torch.dtype | None) -> ModuleT:
    """``module.to(device, dtype)`` through torch's own ``Module.to``.

    diffusers' override adds only a warning about modules to keep in float32 (it prints it even
    when its list is empty, as for every model here) and checks for quantized weights, which
    these models never have.
    """
    torch.nn.Module.to(module, device=device, dtype=dtype)
    return module


@dataclass
class Components:
    config: ModelConfig
    vae: AutoencoderKL
    image_encoder: CLIPVisionModelWithProjection
    reference_unet: UNet2DConditionModel
    denoiser: DenoisingUNet
    pose_guider: PoseGuider
    bank: ReferenceBank = field(default_factory=ReferenceBank)
    reports: list[LoadReport] = field(default_factory=list)

    def __post_init__(self) -> None:
        install(self.reference_unet, self.bank)
        install(self.denoiser.unet, self.bank, reader=True)

    def fill_reference(
        self,
        garment: torch.Tensor,
        embeds: torch.Tensor,
        conditioned: torch.Tensor,
        reference_unet: torch.nn.Module | None = None,
    ) -> None:
        """Run the reference UNet once (timestep 0) on garment latent + mask (B, 5, h, w) with the
        garment embeddings (B, 1, D), filling the bank, and switch it to reading for the batch
        entries marked ``conditioned``; the caller sets ``bank.frames`` and clears the bank."""
        self.bank.mode = "write"
        (reference_unet or self.reference_unet)(
            garment, torch.zeros(garment.shape[0], device=garment.device), encoder_hidden_states=embeds
        )
        self.bank.mode, self.bank.conditioned = "read", conditioned

    def modules(self) -> dict[str, torch.nn.Module]:
        return {
            "vae": self.vae,
            "image_encoder": self.image_encoder,
            "reference_unet": self.reference_unet,
            "denoiser": self.denoiser,
            "pose_guider": self.pose_guider,
        }

    def to(self, device: str | torch.device | None = None, dtype: torch.dtype | None = None) -> Components:
        for module in self.modules().values():
            cast(module, device, dtype)
        return self

    def eval(self) -> Components:
        for module in self.modules().values():
            module.eval()
        return self


def build_vae(config: ModelConfig) -> AutoencoderKL:
    blocks = len(config.vae_blocks)
    return AutoencoderKL(
        in_channels=3,
        out_channels=3,
        latent_channels=4,
        block_out_channels=config.vae_blocks,
        down_block_types=("DownEncoderBlock2D",) * blocks,
        up_block_types=("UpDecoderBlock2D",) * blocks,
        layers_per_block=config.vae_layers,
        norm_num_groups=config.vae_norm_groups,
        sample_size=512,
    )


def build_image_encoder(config: ModelConfig) -> CLIPVisionModelWithProjection:
    return CLIPVisionModelWithProjection(CLIPVisionConfig(**config.clip))


def build_components(config: ModelConfig, seed: int = 0) -> Components:
    """Every part freshly initialised (seeded): the tiny test model, or the start of training from scratch."""
    torch.manual_seed(seed)
    return Components(
        config,
        build_vae(config),
        build_image_encoder(config),
        build_reference_unet(config),
        DenoisingUNet(build_motion_unet(config)),
        PoseGuider(config.block_out_channels[0], 3, config.pose_blocks),
    ).eval()


@dataclass(frozen=True)
class PublishedPaths:
    """Where the published files are (the layout of the ViViD README's ``ckpts/``)."""

    base_model: Path  # sd-image-variations-diffusers (unet/, image_encoder/)
    vae: Path  # sd-vae-ft-mse
    denoising_unet: Path  # ViViD denoising_unet.pth
    reference_unet: Path  # ViViD reference_unet.pth
    pose_guider: Path  # ViViD pose_guider.pth
    motion_module: Path  # AnimateDiff mm_sd_v15_v2.ckpt

    @classmethod
    def under(cls, root: str | Path) -> PublishedPaths:
        root = Path(root)
        return cls(
            root / "sd-image-variations-diffusers",
            root / "sd-vae-ft-mse",
            root / "ViViD" / "denoising_unet.pth",
            root / "ViViD" / "reference_unet.pth",
            root / "ViViD" / "pose_guider.pth",
            root / "MotionModule" / "mm_sd_v15_v2.ckpt",
        )


def _unet_weights(folder: Path) -> Path:
    for name in ("diffusion_pytorch_model.safetensors", "diffusion_pytorch_model.bin"):
        if (folder / name).is_file():
            return folder / name
    raise CheckpointError(f"{folder}: no diffusion_pytorch_model.safetensors or .bin")


def load_published(
    paths: PublishedPaths,
    config: ModelConfig = VIVID,
    strict: bool = True,
    vae: AutoencoderKL | None = None,
    image_encoder: CLIPVisionModelWithProjection | None = None,
) -> Components:
    """The published model from local files; ``reports`` lists where every key came from.

    ``vae`` and ``image_encoder`` may be given (tests build small ones); otherwise they load from
    the diffusers / transformers folders with ``local_files_only``.
    """
    folders = [
        p
        for p, needed in (
            (paths.vae, vae is None),
            (paths.base_model / "image_encoder", image_encoder is None),
            (paths.base_model / "unet", True),
        )
        if needed
    ]
    for folder in folders:
        if not (folder / "config.json").is_file():
            raise CheckpointError(f"{folder}: not a model folder (no config.json); see docs/model.md")
    if vae is None:
        vae = AutoencoderKL.from_pretrained(paths.vae, local_files_only=True)
    if image_encoder is None:
        image_encoder = CLIPVisionModelWithProjection.from_pretrained(
            paths.base_model / "image_encoder", local_files_only=True
        )
    reference_unet = build_reference_unet(config)
    reports = [
        load_into(
            reference_unet,
            [(str(paths.reference_unet), read_state_dict(paths.reference_unet))],
            "reference UNet",
            strict,
        )
    ]
    motion_unet = build_motion_unet(config)
    base_file = _unet_weights(paths.base_model / "unet")
    parts = [
        (str(base_file), widen_conv_in(read_state_dict(base_file), 9)),
        (str(paths.motion_module), convert_motion_keys(read_state_dict(paths.motion_module), str(paths.motion_module))),
        (
            str(paths.denoising_unet),
            convert_motion_keys(read_state_dict(paths.denoising_unet), str(paths.denoising_unet)),
        ),
    ]
    reports.append(load_into(motion_unet, parts, "denoising UNet", strict))
    pose_guider = PoseGuider(config.block_out_channels[0], 3, config.pose_blocks)
    reports.append(
        load_into(pose_guider, [(str(paths.pose_guider), read_state_dict(paths.pose_guider))], "pose guider", strict)
    )
    components = Components(config, vae, image_encoder, reference_unet, DenoisingUNet(motion_unet), pose_guider)
    components.reports = reports
    return components.eval()
