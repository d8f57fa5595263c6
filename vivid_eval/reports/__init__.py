"""Leaderboard reports: Markdown for a README or pull request, and a self-contained HTML page."""
