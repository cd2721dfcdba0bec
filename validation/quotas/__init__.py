"""Quotas: progress per stratum (``progress``), over-quota flags and alerts (``alerts``), task."""
