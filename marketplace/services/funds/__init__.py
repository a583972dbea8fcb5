"""Funds and materials: the ledger's entries, its totals, exports and public disclosure."""
