"""KoBo (kpi v2) access: HTTP client, typed payloads, errors (the fake server: demo.kobo_fake)."""
