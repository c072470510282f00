"""Best-effort writes on a real PostgreSQL server (here for the session's server fixture): a
table locked by another transaction costs at most `best_effort_wait` (SET LOCAL
lock_timeout), and a read-only server (default_transaction_read_only) is a "read-only" fault;
both are counted, not raised."""

from __future__ import annotations

import time

from sqlalchemy import text
from sqlmodel import Session

from bot.services import questions
from bot.storage.database import Database


def log(session: Session, text_: str) -> int:
    return questions.log_question(session, None, "telegram", "42", text_, latency_ms=5,
                                  answered=True)


async def test_a_locked_table_costs_one_bounded_wait(pg_db: Database) -> None:
    url = pg_db.engine.url.render_as_string(hide_password=False)
    with Database.open(url, best_effort_wait=0.3, fault_retry_seconds=0.0) as db:
        with pg_db.session() as holder:
            holder.execute(text("LOCK TABLE question_log IN ACCESS EXCLUSIVE MODE"))
            started = time.monotonic()
            assert await db.run_best_effort("question log", log, "nghị quyết 57") is None
            assert 0.3 <= time.monotonic() - started < 5.0
        assert [(f.operation, f.kind, f.failed) for f in db.faults.snapshot()] == [
            ("question log", "locked", 1)]
        assert isinstance(await db.run_best_effort("question log", log, "nghị quyết 57"), int)
        assert not db.faults.failing()


async def test_a_read_only_server_is_a_read_only_fault(pg_db: Database) -> None:
    url = pg_db.engine.url.render_as_string(hide_password=False)
    read_only = url + ("&" if "?" in url else "?") + "options=-c%20default_transaction_read_only%3Don"
    with Database.open(read_only, best_effort_wait=0.3) as db:
        assert await db.run_best_effort("question log", log, "chỉ thị 05") is None
        assert [(f.operation, f.kind, f.failed) for f in db.faults.snapshot()] == [
            ("question log", "read-only", 1)]
        assert await db.read(lambda s: s.execute(text("SELECT 1")).scalar_one()) == 1
