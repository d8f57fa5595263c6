"""Feature networks for VFID, with the module names of the published checkpoints."""
