"""The published sampler: DDIM with v-prediction and zero-terminal-SNR rescaled betas
(linear 0.00085 to 0.012), trailing timestep spacing, steps offset 1, no sample clipping."""

from __future__ import annotations

from diffusers import DDIMScheduler

PUBLISHED = {
    "beta_start": 0.00085,
    "beta_end": 0.012,
    "beta_schedule": "linear",
    "clip_sample": False,
    "steps_offset": 1,
    "prediction_type": "v_prediction",
    "rescale_betas_zero_snr": True,
    "timestep_spacing": "trailing",
}


def make_scheduler(**overrides) -> DDIMScheduler:
    return DDIMScheduler(**{**PUBLISHED, **overrides})
