"""Pages of the Excel ledgers and books."""
