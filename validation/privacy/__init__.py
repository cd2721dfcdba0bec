"""Personal data: its masks (``masking``) and the append-only access log's calls (``audit``)."""
