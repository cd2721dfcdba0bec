"""KoBo (kpi v2) access: HTTP client, typed payloads, errors and a fake server for tests."""
