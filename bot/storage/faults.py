"""Database write faults: what kind a failed write was, and the running count of them.

When the database cannot be written — a read-only file or mount, a full disk, a lock held by
another process for longer than we wait, an I/O error, a PostgreSQL server that is away — the
assistant keeps answering questions: the writes an answer does not depend on (the question
log, last-seen times) are best-effort (`Database.run_best_effort`), and actions whose whole
point is a change (units, invites, broadcasts, polls, votes) tell the person it was not saved.

`WriteFaults` is the operator's view of it, per process: the first failure of each
(operation, kind) is logged at ERROR with the database error; later ones are only counted,
with a WARNING summary at most every `summary_every` seconds while they go on, and one line
when writes succeed again. After a failure, best-effort writes are skipped (and counted) for
`retry_after` seconds, so a database that waits for a lock does not slow every answer down.
`snapshot()` gives the counts (shown to admins by `/tinhtrang`).

The kinds come from the driver's own codes: SQLite's result code names (`sqlite3.Error.
sqlite_errorname`, https://www.sqlite.org/rescode.html) and PostgreSQL's SQLSTATE classes
(https://www.postgresql.org/docs/current/errcodes-appendix.html).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from sqlalchemy.exc import DBAPIError

logger = logging.getLogger(__name__)

FaultKind = Literal["read-only", "full", "locked", "io", "unavailable"]

# SQLite primary result codes (the extended ones share the prefix: SQLITE_READONLY_DBMOVED...).
_SQLITE_KINDS: tuple[tuple[str, FaultKind], ...] = (
    ("SQLITE_READONLY", "read-only"),
    ("SQLITE_PERM", "read-only"),
    ("SQLITE_FULL", "full"),
    ("SQLITE_BUSY", "locked"),
    ("SQLITE_LOCKED", "locked"),
    ("SQLITE_IOERR", "io"),
    ("SQLITE_CANTOPEN", "io"),
    ("SQLITE_CORRUPT", "io"),
    ("SQLITE_NOTADB", "io"),
)
# PostgreSQL SQLSTATEs: exact codes first, then classes (the first two characters).
_PG_CODES: dict[str, FaultKind] = {
    "25006": "read-only",  # read_only_sql_transaction (a hot standby, default_transaction_read_only)
    "55P03": "locked",  # lock_not_available (lock_timeout)
    "57014": "locked",  # query_canceled (statement_timeout)
    "40P01": "locked",  # deadlock_detected
}
_PG_CLASSES: dict[str, FaultKind] = {
    "53": "full",  # insufficient resources: disk_full, out_of_memory, too_many_connections
    "58": "io",  # system error: io_error
    "08": "unavailable",  # connection exception
    "57": "unavailable",  # operator intervention: admin_shutdown, cannot_connect_now
}


class DatabaseBusy(Exception):
    """This process's own queue for the database did not free up within a best-effort wait."""


def fault_kind(exc: BaseException) -> FaultKind | None:
    """The kind of write fault `exc` is, or None when it is something else (a bug, a
    constraint violation): those must not be hidden."""
    if isinstance(exc, DatabaseBusy):
        return "locked"
    if not isinstance(exc, DBAPIError):
        return None
    orig = exc.orig
    name = getattr(orig, "sqlite_errorname", None)
    if isinstance(name, str):
        return next((kind for prefix, kind in _SQLITE_KINDS if name.startswith(prefix)), None)
    state = getattr(orig, "sqlstate", None) or getattr(orig, "pgcode", None)
    if isinstance(state, str) and len(state) == 5:
        return _PG_CODES.get(state) or _PG_CLASSES.get(state[:2])
    if exc.connection_invalidated:
        return "unavailable"
    return None


@dataclass(frozen=True)
class FaultCount:
    operation: str  # "question log", "last seen", "change" (an officer's or member's action)
    kind: FaultKind
    failed: int  # writes that were tried and failed
    skipped: int  # best-effort writes not tried while failures were recent
    first_at: float  # wall-clock seconds (time.time())
    last_at: float
    last_error: str


@dataclass
class _Entry:
    failed: int
    skipped: int
    first_at: float
    last_at: float
    last_error: str


class WriteFaults:
    """Counts of failed and skipped writes since the process started. Thread-safe."""

    def __init__(
        self,
        *,
        retry_after: float = 30.0,
        summary_every: float = 600.0,
        clock: Callable[[], float] = time.monotonic,
        wall_clock: Callable[[], float] = time.time,
        describe: str = "",
    ) -> None:
        self.retry_after = retry_after
        self.summary_every = summary_every
        self.describe = describe  # which database, for the log lines
        self._clock = clock
        self._wall = wall_clock
        self._lock = threading.Lock()
        self._entries: dict[tuple[str, FaultKind], _Entry] = {}
        self._since_recovery: dict[str, int] = {}  # operation -> writes lost in this outage
        self._last_failure: float | None = None
        self._last_kind: FaultKind | None = None
        self._last_summary: float | None = None

    def record(self, operation: str, kind: FaultKind, exc: BaseException) -> None:
        """A write of `operation` failed with a fault of `kind`."""
        now, wall = self._clock(), self._wall()
        error = _short(exc)
        with self._lock:
            entry = self._entries.get((operation, kind))
            first = entry is None
            if entry is None:
                entry = self._entries[(operation, kind)] = _Entry(0, 0, wall, wall, error)
            entry.failed += 1
            entry.last_at, entry.last_error = wall, error
            self._since_recovery[operation] = self._since_recovery.get(operation, 0) + 1
            self._last_failure, self._last_kind = now, kind
            summary = self._summary_due(now)
        if first:
            logger.error(
                "database %s: %s write failed (%s): %s — answers go on; such writes are "
                "counted and not retried for %.0f s",
                self.describe, operation, kind, error, self.retry_after,
            )
        if summary:
            logger.warning("database %s: writes still failing: %s", self.describe, summary)

    def suspended(self) -> bool:
        """Whether a best-effort write should be skipped: a fault happened within the last
        `retry_after` seconds."""
        with self._lock:
            last = self._last_failure
        return last is not None and self._clock() - last < self.retry_after

    def skipped(self, operation: str) -> None:
        """A best-effort write of `operation` was not tried (see `suspended`)."""
        now, wall = self._clock(), self._wall()
        with self._lock:
            kind = self._last_kind or "unavailable"
            entry = self._entries.setdefault((operation, kind), _Entry(0, 0, wall, wall, ""))
            entry.skipped += 1
            entry.last_at = wall
            self._since_recovery[operation] = self._since_recovery.get(operation, 0) + 1
            summary = self._summary_due(now)
        if summary:
            logger.warning("database %s: writes still failing: %s", self.describe, summary)

    def succeeded(self) -> None:
        """A write went through: if writes were failing, say they work again (once)."""
        with self._lock:
            if not self._since_recovery:
                return
            lost = ", ".join(f"{op} {n}" for op, n in sorted(self._since_recovery.items()))
            self._since_recovery.clear()
            self._last_failure = self._last_kind = None
        logger.warning("database %s: writes succeed again; lost meanwhile: %s",
                       self.describe, lost)

    def snapshot(self) -> list[FaultCount]:
        """Every (operation, kind) that failed since start, oldest first."""
        with self._lock:
            items = list(self._entries.items())
        return sorted(
            (FaultCount(op, kind, e.failed, e.skipped, e.first_at, e.last_at, e.last_error)
             for (op, kind), e in items),
            key=lambda f: f.first_at,
        )

    def failing(self) -> bool:
        """Whether writes failed since the last success."""
        with self._lock:
            return bool(self._since_recovery)

    def _summary_due(self, now: float) -> str:
        # Called with the lock held.
        if self._last_summary is None:  # the first failure's ERROR line is the first summary
            self._last_summary = now
            return ""
        if now - self._last_summary < self.summary_every:
            return ""
        self._last_summary = now
        return ", ".join(
            f"{op} ({kind}): {e.failed} failed, {e.skipped} skipped"
            for (op, kind), e in self._entries.items()
        )


def _short(exc: BaseException) -> str:
    """The database's message without SQLAlchemy's SQL and parameters (which may carry a
    member's question or ids)."""
    orig = getattr(exc, "orig", None)
    text = str(orig if orig is not None else exc).strip().splitlines()
    name = getattr(orig, "sqlite_errorname", None) or getattr(orig, "sqlstate", None)
    first = text[0] if text else type(exc).__name__
    return f"{first} [{name}]" if name else first
