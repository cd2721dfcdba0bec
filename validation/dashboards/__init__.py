"""Dashboards inside the admin: round overview, progress, flags, scorecards, map, summary."""
