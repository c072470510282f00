"""The database: one engine, owned by whoever opened it (no global engine).

SQLite is the default (`sqlite:///data/tuyengiao.db`); PostgreSQL works through
`postgresql+psycopg://user:pass@host/db`. The async core never touches the database on the
event loop: `await db.run(fn, *args)` runs a sync unit of work `fn(session, *args)` in a
worker thread and commits it.

On SQLite every transaction starts with `BEGIN IMMEDIATE` (the SQLAlchemy recipe for
pysqlite: the driver's own implicit transactions are switched off), so savepoints work and
two writers queue on the lock (busy timeout) instead of failing half-way through a
read-then-write. WAL mode lets readers continue while one writer holds the lock; foreign
keys are enforced as on PostgreSQL. `secure_delete` is on for every connection: deleted rows'
bytes are overwritten with zeros instead of lingering in free space (anonymous polls delete
their voters' traces; `purge_deleted` then empties the WAL that still holds them).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Concatenate, ParamSpec, TypeVar

from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine, make_url
from sqlalchemy.exc import OperationalError
from sqlalchemy.pool import StaticPool
from sqlmodel import Session, SQLModel, create_engine

from bot.storage import models  # noqa: F401  (registers the tables on SQLModel.metadata)
from bot.broadcast import models as _broadcast_models  # noqa: F401  (the broadcast tables)
from bot.polls import models as _poll_models  # noqa: F401  (the poll tables)
from bot.storage.models import LOCAL_TZ, to_local, utcnow

logger = logging.getLogger(__name__)

P = ParamSpec("P")
T = TypeVar("T")

SQLITE_BUSY_TIMEOUT_MS = 30_000
PURGE_LOCK_TIMEOUT_MS = 10_000

__all__ = ["Database", "LOCAL_TZ", "to_local", "utcnow"]


SQLITE_SYNCHRONOUS_MODES = ("OFF", "NORMAL", "FULL", "EXTRA")


def _sqlite_engine(url: str, synchronous: str) -> Engine:
    parsed = make_url(url)
    database = parsed.database or ""
    in_memory = database in ("", ":memory:") or database.startswith("file::memory:")
    if not in_memory:
        Path(database).expanduser().parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(
        url,
        connect_args={"check_same_thread": False, "timeout": SQLITE_BUSY_TIMEOUT_MS / 1000},
        # One shared connection for an in-memory database, or each thread would see its own.
        poolclass=StaticPool if in_memory else None,
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # we emit BEGIN ourselves (see "begin")
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            # Zero what is deleted (builds differ in their default): see purge_deleted.
            cursor.execute("PRAGMA secure_delete=ON")
            # NORMAL in WAL mode: a commit survives the process dying (kill -9, a crash) but
            # is not flushed to disk one by one; the last commits can be lost only if the
            # machine itself loses power. It halves the cost of a question's two small
            # transactions under load (bench/qa_load.py); FULL flushes every commit.
            cursor.execute(f"PRAGMA synchronous={synchronous}")
            cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        finally:
            cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Connection) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


class Database:
    """Owns an engine. `Database.open(url)`, then `close()` (or use it as a context manager)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        # SQLite lets one transaction at a time in (every one starts BEGIN IMMEDIATE), and a
        # thread that finds it busy polls with growing sleeps (up to 100 ms each). Queueing
        # this process's threads on a lock instead hands the database over the moment it is
        # free: under load that removed most of a question's database wait. Other processes
        # still meet SQLite's busy timeout. PostgreSQL needs no such thing.
        self._one_at_a_time = (
            threading.RLock() if engine.dialect.name == "sqlite" else contextlib.nullcontext()
        )

    @classmethod
    def open(cls, url: str, *, sqlite_synchronous: str = "NORMAL") -> Database:
        """Open `url`. `sqlite_synchronous` is SQLite's durability level (see `_on_connect`);
        other databases ignore it."""
        if make_url(url).get_backend_name() == "sqlite":
            mode = sqlite_synchronous.upper()
            if mode not in SQLITE_SYNCHRONOUS_MODES:
                raise ValueError(f"SQLite synchronous mode {sqlite_synchronous!r} is not one of "
                                 f"{', '.join(SQLITE_SYNCHRONOUS_MODES)}")
            engine = _sqlite_engine(url, mode)
        else:
            engine = create_engine(url, pool_pre_ping=True)
        logger.debug("database opened: %s", make_url(url).render_as_string(hide_password=True))
        return cls(engine)

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> Database:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def create_all(self) -> None:
        """Create the tables that do not exist yet (existing ones are left as they are)."""
        SQLModel.metadata.create_all(self.engine)

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A unit of work: committed when the block ends normally, rolled back on an error.

        Objects stay readable after the commit (`expire_on_commit=False`), so results can be
        handed back across the thread boundary of `run`.
        """
        with self._one_at_a_time, Session(self.engine, expire_on_commit=False) as session:
            try:
                yield session
                session.commit()
            except BaseException:
                session.rollback()
                raise

    def call(
        self, fn: Callable[Concatenate[Session, P], T], *args: P.args, **kwargs: P.kwargs
    ) -> T:
        """Run `fn(session, *args, **kwargs)` as one unit of work (synchronously)."""
        with self.session() as session:
            return fn(session, *args, **kwargs)

    async def run(
        self, fn: Callable[Concatenate[Session, P], T], *args: P.args, **kwargs: P.kwargs
    ) -> T:
        """`call` in a worker thread: the event loop never waits on the database."""
        return await asyncio.to_thread(self.call, fn, *args, **kwargs)

    def purge_deleted(self, tables: Sequence[str]) -> bool:
        """Scrub the bytes of rows just deleted or overwritten in `tables` from the database's
        files (an anonymous poll's key, hashed votes and private chats), blocking. Returns
        False when it could not finish now (try again later).

        SQLite runs with `secure_delete`, so the main file is zeroed where rows are deleted
        once the WAL is checkpointed into it; the WAL file itself still holds the old pages
        until then. A TRUNCATE checkpoint copies the WAL in and empties the file; it cannot
        finish while another connection (another process) reads an older snapshot: False.
        PostgreSQL keeps deleted and updated rows as dead tuples in the tables' files until
        VACUUM; VACUUM FULL rewrites each table into a new file, so no page of the old one
        is left in the database (VACUUM cannot run inside a transaction: autocommit). What
        neither can reach: PostgreSQL's WAL segments until recycled, backups and replicas
        (the README's anonymity statement)."""
        if self.engine.dialect.name == "sqlite":
            with self._one_at_a_time:
                raw = self.engine.raw_connection()
                try:
                    cursor = raw.cursor()
                    busy, _log, _done = cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
                    cursor.close()
                finally:
                    raw.close()
            if busy:
                logger.warning("database: WAL checkpoint busy (another reader); will retry")
            return not busy
        if self.engine.dialect.name == "postgresql":
            preparer = self.engine.dialect.identifier_preparer
            with self.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                # VACUUM FULL waits for an exclusive lock: give up after a while rather than
                # queue every vote behind a long reader.
                conn.exec_driver_sql(f"SET lock_timeout = '{PURGE_LOCK_TIMEOUT_MS}ms'")
                try:
                    for table in tables:
                        conn.exec_driver_sql(f"VACUUM FULL {preparer.quote(table)}")
                except OperationalError as exc:
                    logger.warning("database: VACUUM of %s did not finish (%s); will retry",
                                   ", ".join(tables), exc.orig)
                    return False
            return True
        return True
