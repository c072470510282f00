"""Loopback servers that speak the platforms' wire formats, for end-to-end adapter tests."""
