"""Keeping the search index in step with the database, and searching it."""
