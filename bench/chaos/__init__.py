"""The chaos suite: the OMS's parts killed and started again under load, and what it cost (see
`python -m bench.chaos --help` and docs/reliability.md)."""
