"""Temporal activities: thin, idempotent adapters, one module per external system."""
