"""Official answers joining the knowledge base: the port the entry point implements
(tuyengiao/official_store.py: the answers written as a JSONL file and the store republished
incrementally), and the one call the feature and its worker make.

The bot does not import the indexer (docs/developers.md, "Layout"): it hands the entry point
every published answer as an entry and gets back the store version that holds them — or why
not: another index run holds the store's lock (`busy`: the answer waits, and the feature's
worker tries again every `retry` seconds; a `tuyengiao index` run takes the answers' file in
as well, so whichever comes first publishes them), or the store cannot take them from here
(`error`: built by another model or pipeline, its folders gone — `tuyengiao index` must run).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from bot.ask import official
from bot.storage.database import Database

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class StoreResult:
    version: str | None = None  # the published store version holding every entry
    busy: str = ""  # another index run holds the store: who (its lock's owner line)
    error: str = ""  # why the store cannot take the entries from here (English, for logs)


class AnswerStore(Protocol):
    def publish(self, entries: Sequence[Mapping[str, Any]]) -> StoreResult:
        """Write every entry into the store (blocking: called in a worker thread); never
        waits for another index run."""
        ...


class Joiner:
    """Joins waiting answers to the store, one publish at a time in this process (other
    processes: the store's index lock)."""

    def __init__(self, db: Database, store: AnswerStore | None) -> None:
        self.db = db
        self.store = store
        self._lock: asyncio.Lock | None = None

    async def join(self) -> StoreResult | None:
        """Publish every official answer into the store and record the outcome on those
        that were waiting; None when none was waiting. Without a store (a process built
        without one) the answers wait for the next `tuyengiao index`."""
        if self._lock is None:
            self._lock = asyncio.Lock()
        async with self._lock:
            if not await self.db.read(official.waiting_for_store):
                return None
            if self.store is None:
                return StoreResult(error="no store to publish to in this process")
            entries = await self.db.read(official.entries)
            try:
                result = await asyncio.to_thread(self.store.publish, entries)
            except Exception as exc:  # a failed build must not lose the answer: retried
                logger.exception("official answers: the store could not take them")
                result = StoreResult(error=f"{type(exc).__name__}: {exc}")
            reason = None if result.version else (result.error or f"store busy ({result.busy})")
            ids = await self.db.run(official.mark_stored, [e["id"] for e in entries],
                                    result.version, reason)
            if result.version:
                logger.info("official answers %s joined store version %s", ids, result.version)
            else:
                logger.warning("official answers %s not in the store yet: %s", ids, reason)
            return result


__all__ = ["AnswerStore", "Joiner", "StoreResult"]
