"""Surveys app: rounds, locations, quotas, teams, KoBo forms and their synced submissions."""
