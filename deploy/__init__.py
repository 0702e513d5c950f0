"""Deployment assets; a package only so that wheels carry the default watchlist, sample and Kibana objects."""
