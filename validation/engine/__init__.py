"""Validation of each interview (``validate``): XLSForm skip logic, inclusion criteria, flags."""
