"""微心愿: residents' small wishes, claimed and fulfilled by members and units."""
