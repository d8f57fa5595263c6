"""Generation: the published ViViD sampling loop on our components.

Inputs are uint8 frames as decoded. The garment goes through CLIP (its image embedding is the
cross-attention context; zeros for the unconditional branch) and through the VAE into the
reference UNet, which runs once (at timestep 0) and fills the reference bank. Each DDIM step
runs the denoising UNet over overlapping context windows on [noisy latent, agnostic latent,
agnostic mask] with the pose features, averages the windows' predictions per frame, applies
classifier-free guidance and steps the scheduler. Masks are binarised as the published
pipeline does (``conditioning.py``) and reduced to the latent grid by nearest-neighbour sampling.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import cv2
import numpy as np
import torch
from tqdm import tqdm

from vivid_model.components import Components
from vivid_model.conditioning import clip_pixels, latent_mask
from vivid_model.config import LATENT_SCALE
from vivid_model.context import blend_windows, context_windows
from vivid_model.scheduler import make_scheduler



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
    vae_batch: int = 8            # frames per VAE call (VAE slicing)
    vae_tiling: bool = False
    cpu_offload: bool = False     # keep parts on the CPU and move each to the device while it runs

    def record(self) -> dict:
        return asdict(self)


def _resize(frames: np.ndarray, height: int, width: int, nearest: bool = False) -> np.ndarray:
    mode = cv2.INTER_NEAREST if nearest else cv2.INTER_AREA
    return np.stack([cv2.resize(f, (width, height), interpolation=mode) for f in frames])


def _signed(frames: np.ndarray) -> torch.Tensor:
    """uint8 (N, H, W, 3) -> float (N, 3, H, W) in [-1, 1]."""
    return torch.from_numpy(np.ascontiguousarray(frames)).permute(0, 3, 1, 2).float() / 127.5 - 1


def _mask_latent(masks: np.ndarray, height: int, width: int, factor: int) -> torch.Tensor:
    """(N, H, W[, C]) uint8/bool masks -> (N, 1, h, w) {0, 1} at latent size."""
    masks = masks[..., 0] if masks.ndim == 4 else masks
    scaled = _resize(masks.astype(np.float32) / (1.0 if masks.dtype == bool else 255.0), height, width)
    return latent_mask(torch.from_numpy(scaled)[:, None], factor)


class ViViDPipeline:
    def __init__(self, components: Components, device: str = "cpu", dtype: torch.dtype = torch.float32,
                 scheduler=None) -> None:
        self.parts, self.device, self.dtype = components, torch.device(device), dtype
        self.scheduler = scheduler or make_scheduler()
        self._offload = False

    def _use(self, module: torch.nn.Module) -> torch.nn.Module:
        return module.to(self.device, self.dtype) if self._offload else module

    def _release(self, module: torch.nn.Module) -> None:
        if self._offload:
            module.to("cpu")

    def garment_embedding(self, garment: np.ndarray) -> torch.Tensor:
        unit = torch.from_numpy(np.ascontiguousarray(garment)).permute(2, 0, 1)[None].float() / 255
        pixels = clip_pixels(unit, self.parts.config.clip_image_size).to(self.device, self.dtype)
        encoder = self._use(self.parts.image_encoder)
        embeds = encoder(pixel_values=pixels).image_embeds[:, None]
        self._release(encoder)
        return embeds

    def encode(self, frames: torch.Tensor, generator: torch.Generator, batch: int) -> torch.Tensor:
        vae = self._use(self.parts.vae)
        latents = [vae.encode(frames[i:i + batch].to(self.device, self.dtype)).latent_dist.sample(generator)
                   for i in range(0, len(frames), batch)]
        self._release(vae)
        return torch.cat(latents) * LATENT_SCALE

    def decode(self, latents: torch.Tensor, batch: int) -> torch.Tensor:
        vae = self._use(self.parts.vae)
        images = [vae.decode(latents[i:i + batch] / LATENT_SCALE).sample for i in range(0, len(latents), batch)]
        self._release(vae)
        return torch.cat(images)

    @torch.inference_mode()
    def __call__(self, agnostic: np.ndarray, agnostic_mask: np.ndarray, garment: np.ndarray, garment_mask: np.ndarray,
                 pose: np.ndarray, settings: GenerationSettings = GenerationSettings(),
                 progress: bool = True) -> np.ndarray:
        """agnostic (F, H, W, 3), agnostic_mask (F, H, W), garment (H, W, 3), garment_mask (H, W), pose (F, H, W, 3),
        all uint8 -> generated frames (F, settings.height, settings.width, 3) uint8."""
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
        generator = torch.Generator(device="cpu").manual_seed(s.seed)
        guided = s.guidance > 1.0
        h, w = s.height // factor, s.width // factor

        embeds = self.garment_embedding(garment)
        context = torch.cat([torch.zeros_like(embeds), embeds]) if guided else embeds
        garment_latent = self.encode(_signed(_resize(garment[None], s.height, s.width)), generator, 1)
        garment_mask_latent = _mask_latent(garment_mask[None], s.height, s.width, factor).to(self.device, self.dtype)
        agnostic_latents = self.encode(_signed(_resize(agnostic, s.height, s.width)), generator, s.vae_batch)
        agnostic_latents = agnostic_latents.permute(1, 0, 2, 3)[None]                     # (1, 4, F, h, w)
        mask_latents = _mask_latent(agnostic_mask, s.height, s.width, factor).permute(1, 0, 2, 3)[None]
        mask_latents = mask_latents.to(self.device, self.dtype)
        pose_input = torch.from_numpy(_resize(pose, s.height, s.width)).permute(3, 0, 1, 2)[None].float() / 255
        guider = self._use(parts.pose_guider)
        pose_features = guider(pose_input.to(self.device, self.dtype))
        self._release(guider)

        noise = torch.randn((1, 4, frames, h, w), generator=generator).to(self.device, self.dtype)
        latents = noise * self.scheduler.init_noise_sigma
        batch = 2 if guided else 1
        reference = self._use(parts.reference_unet)
        parts.fill_reference(torch.cat([garment_latent, garment_mask_latent], dim=1).repeat(batch, 1, 1, 1), context,
                             torch.tensor([False, True] if guided else [True]), reference)
        self._release(reference)
        denoiser = self._use(parts.denoiser)
        windows = context_windows(frames, s.context_frames, s.context_overlap, s.closed_loop)
        self.scheduler.set_timesteps(s.steps, device=self.device)
        try:
            for t in tqdm(self.scheduler.timesteps, desc="denoise", unit="step", disable=not progress):
                model_input = torch.cat([latents, agnostic_latents, mask_latents], dim=1)

                def predict(window: list[int]) -> torch.Tensor:
                    parts.bank.frames = len(window)
                    window_input = self.scheduler.scale_model_input(model_input[:, :, window], t).repeat(batch, 1, 1, 1, 1)
                    return denoiser(window_input, t, context, pose_features[:, :, window].repeat(batch, 1, 1, 1, 1))

                prediction = blend_windows(predict, frames, windows)
                if guided:
                    unconditional, conditional = prediction.chunk(2)
                    prediction = unconditional + s.guidance * (conditional - unconditional)
                latents = self.scheduler.step(prediction, t, latents, generator=generator).prev_sample
        finally:
            parts.bank.clear()
            self._release(denoiser)
        images = self.decode(latents[0].permute(1, 0, 2, 3), s.vae_batch)
        images = ((images.float().clamp(-1, 1) + 1) * 127.5).round().to(torch.uint8)
        return images.permute(0, 2, 3, 1).cpu().numpy()
