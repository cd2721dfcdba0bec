"""Correction tasks: enumerators re-ask what a supervisor returned; the loop closes by itself."""
