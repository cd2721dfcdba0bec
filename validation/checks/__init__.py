"""Pure-Python high-frequency quality checks: no Django; the engine wires them to the DB."""
