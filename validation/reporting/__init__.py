"""Round reporting: the round summary (figures, published shares, page, downloads), scorecards."""
