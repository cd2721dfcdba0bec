"""Management commands of the surveys app."""
