"""Write faults: each driver error sorted into its kind, and the counts and log lines of
`WriteFaults` over time (a controllable clock)."""

from __future__ import annotations

import logging
import sqlite3
from pathlib import Path

import pytest
from psycopg import errors as pg
from sqlalchemy.exc import IntegrityError, OperationalError

from bot.storage.faults import DatabaseBusy, WriteFaults, fault_kind


def sqlite_error(path: str, sql: str, pragma: str = "") -> OperationalError:
    con = sqlite3.connect(path, isolation_level=None, uri=path.startswith("file:"))
    try:
        if pragma:
            con.execute(pragma)
        con.execute(sql)
    except sqlite3.OperationalError as exc:
        return OperationalError(sql, (), exc)
    finally:
        con.close()
    raise AssertionError("no error")


def test_real_driver_errors_are_sorted_by_kind(tmp_path: Path) -> None:
    path = tmp_path / "x.db"
    with sqlite3.connect(path) as con:
        con.execute("CREATE TABLE t (x)")
    read_only = sqlite_error(f"file:{path}?mode=ro", "INSERT INTO t VALUES (1)")
    assert fault_kind(read_only) == "read-only"
    con = sqlite3.connect(path)
    pages = con.execute("PRAGMA page_count").fetchone()[0]
    con.close()
    full = sqlite_error(str(path), "INSERT INTO t VALUES (randomblob(100000))",
                        f"PRAGMA max_page_count={pages}")
    assert fault_kind(full) == "full"
    assert fault_kind(DatabaseBusy("queue")) == "locked"
    for error, kind in ((pg.ReadOnlySqlTransaction("ro"), "read-only"), (pg.DiskFull("full"), "full"),
                        (pg.LockNotAvailable("lock"), "locked"), (pg.AdminShutdown("bye"), "unavailable"),
                        (pg.IoError("io"), "io")):
        assert fault_kind(OperationalError("SELECT 1", (), error)) == kind
    # a bug or a constraint is not a fault to hide
    assert fault_kind(IntegrityError("INSERT", (), sqlite3.IntegrityError("UNIQUE"))) is None
    assert fault_kind(ValueError("x")) is None


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_one_error_line_per_kind_a_summary_every_interval_and_one_recovery_line(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO, logger="bot.storage.faults")
    clock = Clock()
    faults = WriteFaults(retry_after=30, summary_every=600, clock=clock, wall_clock=clock,
                         describe="data/tuyengiao.db")
    exc = DatabaseBusy("no turn")
    faults.record("question log", "locked", exc)
    assert faults.suspended()
    for _ in range(50):
        clock.now += 1
        faults.skipped("question log")
    clock.now += 30
    assert not faults.suspended()  # tried again after retry_after
    faults.record("question log", "locked", exc)
    clock.now += 600
    faults.record("question log", "locked", exc)  # ten minutes on: a summary
    faults.succeeded()
    faults.succeeded()  # said once
    lines = [(r.levelname, r.getMessage()) for r in caplog.records]
    assert lines == [
        ("ERROR", "database data/tuyengiao.db: question log write failed (locked): no turn — "
                  "answers go on; such writes are counted and not retried for 30 s"),
        ("WARNING", "database data/tuyengiao.db: writes still failing: question log (locked): "
                    "3 failed, 50 skipped"),
        ("WARNING", "database data/tuyengiao.db: writes succeed again; lost meanwhile: "
                    "question log 53"),
    ]
    [count] = faults.snapshot()
    assert (count.operation, count.kind, count.failed, count.skipped) == ("question log", "locked", 3, 50)
    assert not faults.failing()
