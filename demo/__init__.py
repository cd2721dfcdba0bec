"""The demo and test double, kept out of production: a KoBo-compatible server, the demo round.

Nothing in mtm, surveys or validation imports this package (an import-linter contract), and
the production image leaves it out (.dockerignore); settings install it only when present.
"""
