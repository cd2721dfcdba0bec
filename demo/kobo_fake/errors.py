"""Exceptions shared by the fake's modules (kept here to avoid import cycles)."""


class KpiServerError(Exception):
    """KPI raises something no handler catches here: Django's handler500 answers."""
