"""Sources say where garment-video pairs come from (Hydra group ``source``)."""
