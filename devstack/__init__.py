"""The development stack: embedded Temporal and PostgreSQL servers, demo data."""
