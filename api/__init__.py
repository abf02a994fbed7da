"""The thin HTTP API: validate, then start, update or query an order workflow, or read the database."""
