"""Surveys app: rounds, locations, quotas, teams, KoBo forms and the submissions synced from KoBo."""
