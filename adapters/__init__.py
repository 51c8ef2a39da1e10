"""Venue adapters: one package per venue, each normalizing a venue to engine events."""
