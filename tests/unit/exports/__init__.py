"""Unit tests of the export writers (no database)."""
