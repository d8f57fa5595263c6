"""Evaluation of try-on videos: metrics, protocols, leaderboard (see the Evaluator issue)."""
