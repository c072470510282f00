"""GET /healthz in webhook mode (issue 16, item 5): is this process fit to take updates?

Fit means: the database answers a query within DB_TIMEOUT_SECONDS, and the document store
has a published version. The answer names the store version and the channels served, so a
monitor sees a re-index land; it holds no error text (a database error can name hosts and
users): the details go to the log.
"""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

from sqlalchemy import text

from bot.channels.webhooks import Health
from bot.storage.database import Database
from knowledge.store import current_version_name, versions_dir

logger = logging.getLogger(__name__)

DB_TIMEOUT_SECONDS = 5.0


def checker(db: Database, store: Path, channels: list[str]) -> Health:
    """The health check of a service over `db` and `store` serving `channels`."""

    async def check() -> tuple[bool, dict[str, object]]:
        database = await _database(db)
        version = current_version_name(store)
        if version is not None and not (versions_dir(store) / version).is_dir():
            version = None
        if version is None:
            logger.warning("health: no published document store in %s", store)
        return database and version is not None, {
            "database": "ok" if database else "unavailable",
            "store_version": version,
            "channels": list(channels),
        }

    return check


async def _database(db: Database) -> bool:
    def ping() -> None:
        with db.engine.connect() as conn:
            conn.execute(text("SELECT 1"))

    try:
        await asyncio.wait_for(asyncio.to_thread(ping), DB_TIMEOUT_SECONDS)
        return True
    except Exception as exc:  # any failure means "not fit": say so, and log what it was
        logger.warning("health: database check failed: %s", exc)
        return False


__all__ = ["DB_TIMEOUT_SECONDS", "checker"]
