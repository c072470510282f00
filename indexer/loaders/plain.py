"""Plain text files (.txt): decoded as they are; structure lives in their line breaks."""

from __future__ import annotations

from indexer.loaders.base import Extracted, decode_text


def extract(data: bytes) -> Extracted:
    return Extracted(decode_text(data))
