"""The methods app's part of the demo lab (called by caltrace.demo.seed after the base data)."""


def seed(today):
    """Add this app's demo records (idempotent)."""
