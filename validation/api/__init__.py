"""REST API of the validation app: flags, review decisions, quota progress, exports."""
