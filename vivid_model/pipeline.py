"""Generation: the published ViViD sampling loop on our components.

Inputs are uint8 frames as decoded, preprocessed as the published pipeline does
(``preprocess.py``: PIL Lanczos resizes, masks binarised at grey 224). The garment goes through
CLIP (its image embedding is the cross-attention context; zeros for the unconditional branch)
and through the VAE into the reference UNet, which runs once (at timestep 0) and fills the
reference bank. Each DDIM step runs the denoising UNet over overlapping context windows on
[noisy latent, agnostic latent, agnostic mask] with the pose features, combines the windows'
predictions per frame (averaged under guidance; summed without, as published), applies
classifier-free guidance and steps the scheduler.

Random numbers are drawn as the published script draws them, so a seed reproduces its run:
``torch.manual_seed(seed)`` seeds every device's default generator; the initial noise
(1, 4, F, h, w) is drawn first, on the CPU, in the pipeline's dtype; then the VAE samples the
garment latent and then all agnostic latents in one draw, from the device's default generator.
The global generators are restored afterwards, so generation does not disturb the caller's.
"""

from __future__ import annotations

import contextlib
from dataclasses import asdict, dataclass

import numpy as np
import torch
from tqdm import tqdm

from vivid_model.components import Components, ModuleT, cast
from vivid_model.config import LATENT_SCALE
from vivid_model.context import blend_windows, context_windows
from vivid_model.preprocess import clip_input, latent_masks, pose_input, vae_input
from vivid_model.reference_attention import CROSS_ATTENTION
from vivid_model.scheduler import make_scheduler

BANK_DTYPES = {"fp16": torch.float16, "model": None}
UNGUIDED_OVERLAP = ("sum", "average")


@dataclass(frozen=True)
class GenerationSettings:
    height: int = 512
    width: int = 384
    steps: int = 20
    guidance: float = 3.5
    seed: int = 42
    context_frames: int = 24
    context_overlap: int = 4
    closed_loop: bool = True
    vae_batch: int = 8  # frames per VAE call (VAE slicing; the noise is still one draw)
    vae_tiling: bool = False
    cpu_offload: bool = False  # keep parts on the CPU and move each to the device while it runs
    # published behaviours that look unintended: the default reproduces them, the other value does not
    cross_attention: str = "discard"  # discard: the denoiser drops its attn2 output (published) | keep
    reference_bank: str = "fp16"  # fp16: the reference bank is rounded to fp16 (published) | model
    unguided_overlap: str = "sum"  # sum: overlapping windows add up when guidance <= 1 (published) | average

    def __post_init__(self) -> None:
        for name, allowed in (
            ("cross_attention", CROSS_ATTENTION),
            ("reference_bank", tuple(BANK_DTYPES)),
            ("unguided_overlap", UNGUIDED_OVERLAP),
        ):
            if getattr(self, name) not in allowed:
                raise ValueError(f"generation.{name} must be one of {allowed}, got {getattr(self, name)!r}")

    def record(self) -> dict:
        return asdict(self)


@contextlib.contextmanager
def seeded(seed: int, device: torch.device):
    """``torch.manual_seed(seed)`` as the published script calls it, with the previous states restored after."""
    devices = [device.index or 0] if device.type == "cuda" else []
    with torch.random.fork_rng(devices=devices):
        torch.manual_seed(seed)
        yield


class ViViDPipeline:
    def __init__(
        self, components: Components, device: str = "cpu", dtype: torch.dtype = torch.float32, scheduler=None
    ) -> None:
        self.parts, self.device, self.dtype = components, torch.device(device), dtype
        self.scheduler = scheduler or make_scheduler()
        self._offload = False

    def _use(self, module: ModuleT) -> ModuleT:
        return cast(module, self.device, self.dtype) if self._offload else module

    def _release(self, module: torch.nn.Module) -> None:
        if self._offload:
            module.to("cpu")

    def garment_embedding(self, garment: np.ndarray) -> torch.Tensor:
        pixels = clip_input(garment, self.parts.config.clip_image_size).to(self.device, self.dtype)
        encoder = self._use(self.parts.image_encoder)
        embeds = encoder(pixel_values=pixels).image_embeds[:, None]
        self._release(encoder)
        return embeds

    def encode(self, frames: torch.Tensor, batch: int) -> torch.Tensor:
        """VAE latents of (N, 3, H, W) frames, sliced by ``batch`` frames but sampled in one draw.

        As diffusers' ``DiagonalGaussianDistribution.sample()`` without a generator: mean + std * noise,
        the noise from the device's default generator, of the whole batch's shape.
        """
        vae = self._use(self.parts.vae)
        means, stds = [], []
        for i in range(0, len(frames), batch):
            posterior = vae.encode(frames[i : i + batch].to(self.device, self.dtype)).latent_dist
            means.append(posterior.mean)
            stds.append(posterior.std)
        self._release(vae)
        mean, std = torch.cat(means), torch.cat(stds)
        noise = torch.randn(mean.shape, device=mean.device, dtype=mean.dtype)
        return (mean + std * noise) * LATENT_SCALE

    def decode(self, latents: torch.Tensor, batch: int) -> torch.Tensor:
        vae = self._use(self.parts.vae)
        images = [vae.decode(latents[i : i + batch] / LATENT_SCALE).sample for i in range(0, len(latents), batch)]
        self._release(vae)
        return torch.cat(images)

    @torch.inference_mode()
    def __call__(
        self,
        agnostic: np.ndarray,
        agnostic_mask: np.ndarray,
        garment: np.ndarray,
        garment_mask: np.ndarray,
        pose: np.ndarray,
        settings: GenerationSettings = GenerationSettings(),
        progress: bool = True,
    ) -> np.ndarray:
        """agnostic (F, H, W, 3), agnostic_mask (F, H, W[, 3]), garment (H, W, 3), garment_mask (H, W[, 3]),
        pose (F, H, W, 3), all uint8 -> generated frames (F, settings.height, settings.width, 3) uint8."""
        frames = len(agnostic)
        if not (len(agnostic_mask) == len(pose) == frames):
            raise ValueError(f"agnostic {frames}, mask {len(agnostic_mask)} and pose {len(pose)} frame counts differ")
        s, parts = settings, self.parts
        factor = parts.config.vae_scale_factor
        if s.height % factor or s.width % factor:
            raise ValueError(f"height and width must be multiples of {factor}")
        self._offload = s.cpu_offload and self.device.type != "cpu"
        if s.vae_tiling:
            parts.vae.enable_tiling()
        else:
            parts.vae.disable_tiling()
        parts.bank.store_dtype, parts.bank.cross_attention = BANK_DTYPES[s.reference_bank], s.cross_attention
        with seeded(s.seed, self.device):
            return self._generate(agnostic, agnostic_mask, garment, garment_mask, pose, s, progress)

    def _generate(
        self, agnostic, agnostic_mask, garment, garment_mask, pose, s: GenerationSettings, progress: bool
    ) -> np.ndarray:
        parts, frames = self.parts, len(agnostic)
        factor = parts.config.vae_scale_factor
        guided = s.guidance > 1.0
        h, w = s.height // factor, s.width // factor
        # 1. the initial noise, first, on the CPU in the pipeline's dtype (diffusers' randn_tensor)
        latents = torch.randn((1, 4, frames, h, w), dtype=self.dtype).to(self.device)
        latents = latents * self.scheduler.init_noise_sigma
        embeds = self.garment_embedding(garment)
        context = torch.cat([torch.zeros_like(embeds), embeds]) if guided else embeds
        # 2. the VAE samples: the garment, then every agnostic frame in one draw
        garment_latent = self.encode(vae_input(garment[None], s.height, s.width), 1)
        garment_mask_latent = latent_masks(garment_mask[None], s.height, s.width, factor).to(self.device, self.dtype)
        agnostic_latents = self.encode(vae_input(agnostic, s.height, s.width), s.vae_batch)
        agnostic_latents = agnostic_latents.permute(1, 0, 2, 3)[None]  # (1, 4, F, h, w)
        mask_latents = latent_masks(agnostic_mask, s.height, s.width, factor).permute(1, 0, 2, 3)[None]
        mask_latents = mask_latents.to(self.device, self.dtype)
        guider = self._use(parts.pose_guider)
        pose_features = guider(
            pose_input(pose, s.height, s.width)[None].permute(0, 2, 1, 3, 4).to(self.device, self.dtype)
        )
        self._release(guider)

        batch = 2 if guided else 1
        reference = self._use(parts.reference_unet)
        parts.fill_reference(
            torch.cat([garment_latent, garment_mask_latent], dim=1).repeat(batch, 1, 1, 1),
            context,
            torch.tensor([False, True] if guided else [True]),
            reference,
        )
        self._release(reference)
        denoiser = self._use(parts.denoiser)
        windows = context_windows(frames, s.context_frames, s.context_overlap, s.closed_loop)
        average = guided or s.unguided_overlap == "average"
        self.scheduler.set_timesteps(s.steps, device=self.device)
        try:
            for t in tqdm(self.scheduler.timesteps, desc="denoise", unit="step", disable=not progress):
                model_input = torch.cat([latents, agnostic_latents, mask_latents], dim=1)

                def predict(window: list[int], model_input: torch.Tensor = model_input, t=t) -> torch.Tensor:
                    parts.bank.frames = len(window)
                    window_input = self.scheduler.scale_model_input(model_input[:, :, window], t).repeat(
                        batch, 1, 1, 1, 1
                    )
                    return denoiser(window_input, t, context, pose_features[:, :, window].repeat(batch, 1, 1, 1, 1))

                prediction = blend_windows(predict, frames, windows, average=average)
                if guided:
                    unconditional, conditional = prediction.chunk(2)
                    prediction = unconditional + s.guidance * (conditional - unconditional)
                latents = self.scheduler.step(prediction, t, latents).prev_sample
        finally:
            parts.bank.clear()
            self._release(denoiser)
        images = self.decode(latents[0].permute(1, 0, 2, 3), s.vae_batch)
        images = ((images.float().clamp(-1, 1) + 1) * 127.5).round().to(torch.uint8)
        return images.permute(0, 2, 3, 1).cpu().numpy()
