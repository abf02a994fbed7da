"""One settings object, read from the environment."""
