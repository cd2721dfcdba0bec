"""Validation app: skip-logic, inclusion and quality checks, flags, review and corrections."""
