"""The reference ViViD try-on model (see the Reference model issue)."""
