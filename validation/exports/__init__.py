"""Exports for analysts: the cleaning log and the clean dataset, streamed as CSV or XLSX."""
