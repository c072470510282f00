"""`tuyengiao admin backup` and `tuyengiao admin restore`: a copy of the database taken while
the bot runs, and putting one back (with the bot stopped).

- SQLite: the online backup API (`sqlite3.Connection.backup`, https://sqlite.org/backup.html)
  copies a consistent snapshot page by page while other connections keep writing (WAL mode);
  copying the file with `cp` could catch a half-written page or miss the `-wal` file. Restore
  checks the copy (`PRAGMA integrity_check`, our tables present) before writing it over the
  database with the same API.
- PostgreSQL: `pg_dump --format=custom` (a consistent snapshot: one transaction) and
  `pg_restore --clean --if-exists --single-transaction` (all or nothing). The client programs
  come with the `postgresql-client` package; the password travels in PGPASSWORD, never on the
  command line (other users see command lines in `ps`).
"""

from __future__ import annotations

import logging
import os
import shutil
import sqlite3
import subprocess
from datetime import datetime
from pathlib import Path

from sqlalchemy.engine import URL, make_url

logger = logging.getLogger(__name__)

# A table every database of ours has since the first version: a file without it is not ours.
MARKER_TABLE = "unit"
PG_TIMEOUT_SECONDS = 3600


class BackupError(RuntimeError):
    """The backup or restore could not be done; the message says why, in one line."""


def default_target(url: str, folder: Path, now: datetime | None = None) -> Path:
    """`folder`/tuyengiao-YYYYMMDD-HHMMSS.sqlite (.dump on PostgreSQL)."""
    stamp = (now or datetime.now()).strftime("%Y%m%d-%H%M%S")
    suffix = ".sqlite" if _is_sqlite(make_url(url)) else ".dump"
    return folder / f"tuyengiao-{stamp}{suffix}"


def backup(url: str, target: Path) -> Path:
    """Copy the database at `url` (SQLAlchemy URL) to the new file `target`; returns it.
    BackupError: `target` exists, the database is missing, or pg_dump failed."""
    parsed = make_url(url)
    if target.exists():
        raise BackupError(f"{target} exists already; choose another file")
    target.parent.mkdir(parents=True, exist_ok=True)
    if _is_sqlite(parsed):
        source = _sqlite_path(parsed)
        if not source.exists():
            raise BackupError(f"no database at {source}")
        partial = target.with_name(target.name + ".partial")
        try:
            with _connect(source) as src, _connect(partial) as dst:
                src.backup(dst)
        except sqlite3.Error as exc:
            partial.unlink(missing_ok=True)
            raise BackupError(f"SQLite backup failed: {exc}") from exc
        partial.rename(target)  # a file at `target` is always a whole copy
    else:
        _pg("pg_dump", parsed, "--format=custom", "--no-owner", f"--file={target}")
    logger.info("database backed up to %s", target)
    return target


def restore(url: str, source: Path) -> None:
    """Replace the database at `url` with the copy `source` (stop the bot first).
    BackupError: `source` is missing, damaged or not one of ours; pg_restore failed."""
    parsed = make_url(url)
    if not source.is_file():
        raise BackupError(f"no backup file at {source}")
    if _is_sqlite(parsed):
        _check_sqlite_copy(source)
        target = _sqlite_path(parsed)
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            with _connect(source) as src, _connect(target) as dst:
                src.backup(dst)
        except sqlite3.Error as exc:
            raise BackupError(f"SQLite restore failed: {exc}") from exc
    else:
        _pg("pg_restore", parsed, "--clean", "--if-exists", "--no-owner",
            "--single-transaction", str(source))
    logger.info("database restored from %s", source)


def _check_sqlite_copy(path: Path) -> None:
    try:
        with _connect(path) as conn:
            verdict = conn.execute("PRAGMA integrity_check").fetchone()
            tables = {row[0] for row in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table'")}
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"{path} is not a SQLite database: {exc}") from exc
    if not verdict or verdict[0] != "ok":
        raise BackupError(f"{path} is damaged: {verdict[0] if verdict else 'no answer'}")
    if MARKER_TABLE not in tables:
        raise BackupError(f"{path} is not a tuyengiao database (no table {MARKER_TABLE})")


class _connect:
    """sqlite3.connect as a context manager that closes (sqlite3's own only commits)."""

    def __init__(self, path: Path) -> None:
        self.conn = sqlite3.connect(path)

    def __enter__(self) -> sqlite3.Connection:
        return self.conn

    def __exit__(self, *exc: object) -> None:
        self.conn.close()


def _pg(program: str, url: URL, *args: str) -> None:
    binary = shutil.which(program)
    if binary is None:
        raise BackupError(f"{program} not found: install the package postgresql-client")
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    libpq = url.set(drivername="postgresql", password=None).render_as_string(hide_password=False)
    try:
        done = subprocess.run([binary, f"--dbname={libpq}", *args], env=env, capture_output=True,
                              text=True, timeout=PG_TIMEOUT_SECONDS)
    except subprocess.TimeoutExpired as exc:
        raise BackupError(f"{program} took longer than {PG_TIMEOUT_SECONDS} s") from exc
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["no message"])[-1]
        raise BackupError(f"{program} failed ({done.returncode}): {last}")


def _is_sqlite(url: URL) -> bool:
    return url.get_backend_name() == "sqlite"


def _sqlite_path(url: URL) -> Path:
    if not url.database or url.database == ":memory:":
        raise BackupError("an in-memory database cannot be backed up")
    return Path(url.database)


__all__ = ["BackupError", "backup", "default_target", "restore"]
