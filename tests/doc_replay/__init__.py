"""Replaying the transcripts of the guides against the terminal chat (tests/test_docs.py)."""
