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
their voters' traces; `purge_deleted` then empties the WAL that still holds them). `read` runs a unit of work that only reads in a plain
(deferred) transaction, which needs no write lock and works on a read-only database.

`run_best_effort` is for writes an answer does not depend on (the question log, last-seen
times): it waits at most `best_effort_wait` seconds for the database and, when the write fails
because the database cannot be written (bot/storage/faults.py), returns None and counts the
fault instead of raising.
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

from sqlalchemy import event, text
from sqlalchemy.engine import Connection, Engine, make_url
from sqlalchemy.exc import OperationalError
from sqlalchemy.pool import StaticPool
from sqlmodel import Session, SQLModel, create_engine

from bot.storage import models  # noqa: F401  (the core's tables; features' come with them)
from bot.storage.faults import DatabaseBusy, WriteFaults, fault_kind
from bot.storage.models import LOCAL_TZ, to_local, utcnow

logger = logging.getLogger(__name__)

P = ParamSpec("P")
T = TypeVar("T")

SQLITE_BUSY_TIMEOUT_MS = 30_000
PURGE_LOCK_TIMEOUT_MS = 10_000
BEST_EFFORT_WAIT_SECONDS = 2.0
# Execution options read by the "begin" hook (per unit of work, not per connection).
_READ_ONLY = "tuyengiao_read_only"
_WAIT_MS = "tuyengiao_wait_ms"
_RLOCK = type(threading.RLock())

__all__ = ["Database", "LOCAL_TZ", "to_local", "utcnow"]


SQLITE_SYNCHRONOUS_MODES = ("OFF", "NORMAL", "FULL", "EXTRA")


def _sqlite_engine(url: str, synchronous: str) -> Engine:
    parsed = make_url(url)
    database = parsed.database or ""
    in_memory = database in ("", ":memory:") or database.startswith("file::memory:")
    if not in_memory and not database.startswith("file:"):  # a URI filename names its own
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
        options = connection.get_execution_options()
        wait_ms = int(options.get(_WAIT_MS, SQLITE_BUSY_TIMEOUT_MS))
        info = connection.connection.info
        if info.get(_WAIT_MS, SQLITE_BUSY_TIMEOUT_MS) != wait_ms:
            # Per connection, so set it back for the next unit of work that does not ask.
            connection.exec_driver_sql(f"PRAGMA busy_timeout={wait_ms}")
            info[_WAIT_MS] = wait_ms
        # A read needs no write lock: a plain BEGIN reads beside a writer (WAL) and on a
        # read-only file.
        connection.exec_driver_sql("BEGIN" if options.get(_READ_ONLY) else "BEGIN IMMEDIATE")

    return engine


class Database:
    """Owns an engine. `Database.open(url)`, then `close()` (or use it as a context manager)."""

    def __init__(self, engine: Engine, *, best_effort_wait: float = BEST_EFFORT_WAIT_SECONDS,
                 faults: WriteFaults | None = None) -> None:
        self.engine = engine
        self.best_effort_wait = best_effort_wait
        self._binds: dict[tuple[bool, int | None], Engine] = {}
        self.faults = faults or WriteFaults(
            describe=engine.url.render_as_string(hide_password=True)
        )
        # SQLite lets one transaction at a time in (every one starts BEGIN IMMEDIATE), and a
        # thread that finds it busy polls with growing sleeps (up to 100 ms each). Queueing
        # this process's threads on a lock instead hands the database over the moment it is
        # free: under load that removed most of a question's database wait. Other processes
        # still meet SQLite's busy timeout. PostgreSQL needs no such thing.
        self._one_at_a_time = (
            threading.RLock() if engine.dialect.name == "sqlite" else contextlib.nullcontext()
        )

    @classmethod
    def open(cls, url: str, *, sqlite_synchronous: str = "NORMAL",
             best_effort_wait: float = BEST_EFFORT_WAIT_SECONDS,
             fault_retry_seconds: float = 30.0) -> Database:
        """Open `url`. `sqlite_synchronous` is SQLite's durability level (see `_on_connect`);
        other databases ignore it. `best_effort_wait` (seconds): how long a best-effort write
        waits for the database; `fault_retry_seconds`: how long best-effort writes are skipped
        after one failed (bot/storage/faults.py)."""
        if make_url(url).get_backend_name() == "sqlite":
            mode = sqlite_synchronous.upper()
            if mode not in SQLITE_SYNCHRONOUS_MODES:
                raise ValueError(f"SQLite synchronous mode {sqlite_synchronous!r} is not one of "
                                 f"{', '.join(SQLITE_SYNCHRONOUS_MODES)}")
            engine = _sqlite_engine(url, mode)
        else:
            engine = create_engine(url, pool_pre_ping=True)
        parsed = make_url(url)
        shown = parsed.render_as_string(hide_password=True)
        logger.debug("database opened: %s", shown)
        if parsed.get_backend_name() == "sqlite":
            shown = (parsed.database or ":memory:").removeprefix("file:")  # the file to look at
        faults = WriteFaults(retry_after=fault_retry_seconds, describe=shown)
        return cls(engine, best_effort_wait=best_effort_wait, faults=faults)

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> Database:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def create_all(self) -> None:
        """Create the tables that do not exist yet (existing ones are left as they are): every
        table whose model was imported (the entry point imports them all: tuyengiao/tables.py;
        bot.storage.schema.upgrade also adds what existing tables lack)."""
        SQLModel.metadata.create_all(self.engine)

    @contextmanager
    def session(self, *, read_only: bool = False, wait: float | None = None) -> Iterator[Session]:
        """A unit of work: committed when the block ends normally, rolled back on an error.

        Objects stay readable after the commit (`expire_on_commit=False`), so results can be
        handed back across the thread boundary of `run`. `read_only`: the work only reads
        (SQLite: no write lock). `wait` (seconds): wait at most this long for the database
        (this process's queue and SQLite's lock, PostgreSQL's locks), raising DatabaseBusy or
        the driver's "locked" error beyond it; None waits as long as usual.
        """
        bind = self._bind(read_only, None if wait is None else max(int(wait * 1000), 1))
        with contextlib.ExitStack() as stack:
            if wait is None or not isinstance(self._one_at_a_time, _RLOCK):
                stack.enter_context(self._one_at_a_time)
            elif self._one_at_a_time.acquire(timeout=wait):
                stack.callback(self._one_at_a_time.release)
            else:
                raise DatabaseBusy(f"no turn at the database within {wait:.1f} s")
            session = stack.enter_context(Session(bind, expire_on_commit=False))
            try:
                if wait is not None and self.engine.dialect.name == "postgresql":
                    session.execute(text(f"SET LOCAL lock_timeout = {max(int(wait * 1000), 1)}"))
                yield session
                session.commit()
            except BaseException:
                session.rollback()
                raise

    def _bind(self, read_only: bool, wait_ms: int | None) -> Engine:
        """The engine with the options the "begin" hook reads (made once per combination)."""
        key = (read_only, wait_ms)
        bind = self._binds.get(key)
        if bind is None:
            options: dict[str, Any] = {_READ_ONLY: True} if read_only else {}
            if wait_ms is not None:
                options[_WAIT_MS] = wait_ms
            bind = self._binds[key] = self.engine.execution_options(**options) if options else self.engine
        return bind

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

    def _call_read(self, fn: Callable[..., T], args: tuple[Any, ...], kwargs: dict[str, Any]) -> T:
        with self.session(read_only=True) as session:
            return fn(session, *args, **kwargs)

    async def read(
        self, fn: Callable[Concatenate[Session, P], T], *args: P.args, **kwargs: P.kwargs
    ) -> T:
        """Like `run`, for a unit of work that only reads (it must not write)."""
        return await asyncio.to_thread(self._call_read, fn, args, kwargs)

    def _call_within(self, fn: Callable[..., T], args: tuple[Any, ...], kwargs: dict[str, Any]) -> T:
        with self.session(wait=self.best_effort_wait) as session:
            return fn(session, *args, **kwargs)

    async def run_best_effort(
        self, operation: str, fn: Callable[Concatenate[Session, P], T],
        *args: P.args, **kwargs: P.kwargs,
    ) -> T | None:
        """`run` for a write the caller can do without: None when the database cannot be
        written (read-only, full, locked beyond `best_effort_wait`, away), counted under
        `operation` in `self.faults`; other errors are raised as usual."""
        if self.faults.suspended():
            self.faults.skipped(operation)
            return None
        try:
            result = await asyncio.to_thread(self._call_within, fn, args, kwargs)
        except Exception as exc:
            kind = fault_kind(exc)
            if kind is None:
                raise
            self.faults.record(operation, kind, exc)
            return None
        self.faults.succeeded()
        return result

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
        is left in the database (VACUUM cannot run inside a transaction: autocommit) — except
        rows some open transaction might still see: VACUUM copies those into the new file as
        "recently dead". So while another session of this database holds a transaction id or
        a snapshot (it may predate the delete), nothing is vacuumed: False. What neither can
        reach: PostgreSQL's WAL segments until recycled, backups and replicas (the anonymity
        statement in docs/officers.md)."""
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
                # A session whose transaction began after this check sees the delete, so it
                # does not hold the rows back; one that holds an id or a snapshot now might.
                readers = conn.exec_driver_sql(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                    "AND pid <> pg_backend_pid() AND backend_type = 'client backend' "
                    "AND (backend_xmin IS NOT NULL OR backend_xid IS NOT NULL)"
                ).scalar_one()
                if readers:
                    logger.warning("database: %d other transaction(s) open, deleted rows may "
                                   "still be visible to them; will retry", readers)
                    return False
                try:
                    for table in tables:
                        conn.exec_driver_sql(f"VACUUM FULL {preparer.quote(table)}")
                except OperationalError as exc:
                    logger.warning("database: VACUUM of %s did not finish (%s); will retry",
                                   ", ".join(tables), exc.orig)
                    return False
            return True
        return True
