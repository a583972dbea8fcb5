"""Excel in and out: the county's ledgers, each community's and unit's own book, imports."""
