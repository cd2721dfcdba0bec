"""Template tags of the validation app."""
