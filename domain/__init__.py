"""The click & collect domain: pure models and rules, safe inside the Temporal workflow sandbox.

Nothing in this package performs I/O or imports a framework that does.
"""
