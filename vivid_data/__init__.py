"""Dataset construction for video virtual try-on: sources, stages, manifests, video I/O, shards."""

__version__ = "0.1.0"
