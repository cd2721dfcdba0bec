"""The supervisor's review screen for one interview, and their team's progress at home."""
