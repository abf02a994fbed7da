"""Temporal workflows: they orchestrate, and hold no business rule of their own."""
