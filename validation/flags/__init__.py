"""What validation records about each interview, below the engine that writes it.

``eligibility`` (criterion verdicts), ``criteria_presets`` (the published inclusion criteria),
``priority`` (the review queue's risk score), ``status`` (the review status machine).
"""
