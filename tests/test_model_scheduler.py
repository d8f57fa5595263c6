"""The sampler matches the published inference configuration (configs/inference/inference.yaml)."""

import torch

from vivid_model.scheduler import make_scheduler


def test_published_settings():
    scheduler = make_scheduler()
    config = scheduler.config
    assert (config.beta_start, config.beta_end, config.beta_schedule) == (0.00085, 0.012, "linear")
    assert config.prediction_type == "v_prediction" and config.rescale_betas_zero_snr and not config.clip_sample
    assert config.timestep_spacing == "trailing" and config.steps_offset == 1
    assert scheduler.alphas_cumprod[-1] < 1e-6  # zero terminal SNR
    scheduler.set_timesteps(20)
    assert scheduler.timesteps.tolist() == list(range(999, 0, -50))  # trailing: starts at the last timestep
    # v-prediction: the velocity target of a clean sample at the last step is minus the clean sample
    sample, noise = torch.ones(1, 4, 2, 2), torch.zeros(1, 4, 2, 2)
    assert torch.allclose(scheduler.get_velocity(sample, noise, torch.tensor([999])), -sample, atol=1e-3)
