"""Social-listening logic without Beam or servers: watchlists, influence, near-duplicates, alert rules, text patterns."""
