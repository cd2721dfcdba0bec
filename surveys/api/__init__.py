"""REST API of the surveys app: set-up data, submissions and sync runs (read-only)."""
