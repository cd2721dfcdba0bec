"""Imports of locations, quotas, teams and enumerators: file reading, index, background jobs."""
