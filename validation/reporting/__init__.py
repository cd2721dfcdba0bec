"""Round reporting: the round summary's indicators, their computation and the published figures."""
