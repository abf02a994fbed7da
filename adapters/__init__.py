"""Adapters: the database, messaging providers, sales channels, Temporal and the payload codec."""
