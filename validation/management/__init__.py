"""Management commands of the validation app."""
