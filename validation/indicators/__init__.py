"""The round summary's indicator definitions (``definitions``): pure Python, no Django."""
