"""Pose estimation backends, keypoint smoothing and skeleton rendering."""
