"""Infrastructure of the click & collect OMS: settings, database, embedded servers and the `oms` CLI."""
