"""Keep pytest out of the npm dependencies."""

collect_ignore = ["node_modules"]
