"""Pages of 微心愿."""
