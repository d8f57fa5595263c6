"""Scores the clean stage records: scene cuts, motion, sharpness, perceptual hashes, garment checks."""
