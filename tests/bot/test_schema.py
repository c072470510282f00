"""Start-up brings a database made by an older release up to the models
(bot.storage.schema): on SQLite and PostgreSQL, a database created with release e5a372c's
schema (tests/bot/data/, generated from that release's models) and holding its rows gets the
tables and columns added since — the update inbox and code guard tables, link requests,
unreachable marks, forwarded poll messages — each logged once, its rows kept and readable
through today's models; a second start changes nothing."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import inspect, text
from sqlmodel import select

from bot.polls.models import PollMessage
from bot.services import people
from bot.storage import schema
from bot.storage.database import Database
from bot.storage.models import ChatRecord, Identity, Unit

DATA = Path(__file__).parent / "data"
RELEASE = "e5a372c"


@pytest.fixture(params=["sqlite", "postgresql"])
def old_db(request: pytest.FixtureRequest, tmp_path: Path) -> Any:
    """An empty database with the old release's schema (no tables of today's made)."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'old.db'}"
    else:
        url = request.getfixturevalue("postgres").create_database()
    db = Database.open(url)
    ddl = (DATA / f"schema_{RELEASE}_{request.param}.sql").read_text(encoding="utf-8")
    statements = [s.strip() for s in ddl.split(";")]
    with db.engine.begin() as conn:
        for statement in statements:
            body = "\n".join(line for line in statement.splitlines() if not line.startswith("--"))
            if body.strip():
                conn.execute(text(body))
        # A row of the old release in the tables that gained columns.
        conn.execute(text("INSERT INTO person (id, display_name, created_at) "
                          "VALUES (1, 'Nguyễn Văn An', '2026-01-01 00:00:00')"))
        conn.execute(text("INSERT INTO identity (person_id, platform, platform_user_id, "
                          "display_name, created_at, last_seen_at) VALUES (1, 'telegram', '42', "
                          "'Nguyễn Văn An', '2026-01-01 00:00:00', '2026-01-01 00:00:00')"))
        conn.execute(text("INSERT INTO unit (id, name, kind, path, created_at) "
                          "VALUES (1, 'Tỉnh ủy', 'province', '/1/', '2026-01-01 00:00:00')"))
        conn.execute(text("INSERT INTO chat (platform, chat_id, kind, title, unit_id, "
                          "created_at, last_seen_at) VALUES ('telegram', '-100', 'group', "
                          "'Nhóm tỉnh', 1, '2026-01-01 00:00:00', '2026-01-01 00:00:00')"))
    yield db
    db.close()


def columns(db: Database, table: str) -> set[str]:
    with db.engine.connect() as conn:
        return {c["name"] for c in inspect(conn).get_columns(table)}


def test_an_old_database_is_brought_up_to_the_models(old_db: Database,
                                                      caplog: pytest.LogCaptureFixture) -> None:
    assert "unreachable_at" not in columns(old_db, "identity")
    assert "forwarded_from" not in columns(old_db, "poll_message")
    caplog.set_level(logging.INFO, logger="bot.storage.schema")
    changes = schema.upgrade(old_db)
    for change in ("created table inbox_update", "created table code_guard",
                   "created table link_request", "added column identity.unreachable_at",
                   "added column identity.unreachable_reason", "added column chat.unreachable_at",
                   "added column chat.unreachable_reason",
                   "added column poll_message.forwarded_from"):
        assert change in changes
        assert sum(r.getMessage() == f"database schema: {change}" for r in caplog.records) == 1
    assert {"unreachable_at", "unreachable_reason"} <= columns(old_db, "identity")
    # The old rows are there, read through today's models, and today's code works on them.
    with old_db.session() as s:
        identity = s.exec(select(Identity)).one()
        assert (identity.platform_user_id, identity.unreachable_at) == ("42", None)
        assert s.exec(select(ChatRecord)).one().unit_id == 1
        assert s.exec(select(Unit)).one().path == "/1/"
        assert s.exec(select(PollMessage)).all() == []
    actor = old_db.call(people.identify, "telegram", "42", "Nguyễn Văn An", admin_ids=frozenset())
    assert actor.person_id == 1
    # A second start finds nothing to do.
    assert schema.upgrade(old_db) == []


def test_a_new_database_needs_no_upgrade(db: Database) -> None:
    """`create_all` (what a fresh start makes) already matches the models."""
    assert schema.upgrade(db) == []


def test_a_column_that_cannot_be_added_is_refused_before_any_change(tmp_path: Path) -> None:
    """A NOT NULL column without a default cannot be given to existing rows: the upgrade
    says so and changes nothing."""
    from sqlalchemy import Column, Integer, MetaData, String, Table

    db = Database.open(f"sqlite:///{tmp_path / 'x.db'}")
    try:
        with db.engine.begin() as conn:
            conn.execute(text("CREATE TABLE person (id INTEGER PRIMARY KEY)"))
        metadata = MetaData()
        Table("person", metadata, Column("id", Integer, primary_key=True),
              Column("badge", String(10), nullable=False))
        Table("extra", metadata, Column("id", Integer, primary_key=True))
        with pytest.raises(schema.SchemaMismatch, match="person.badge"):
            schema.upgrade(db, metadata)
        with db.engine.connect() as conn:
            assert inspect(conn).get_table_names() == ["person"]
    finally:
        db.close()


def test_several_processes_starting_at_once_upgrade_the_database_once(old_db: Database) -> None:
    """Serving processes started together on one old database (several `tuyengiao run` on one
    PostgreSQL) each run the upgrade: one makes the changes, the others find none, and none
    fails on a table another one created meanwhile."""
    from concurrent.futures import ThreadPoolExecutor
    from threading import Barrier

    url = old_db.engine.url.render_as_string(hide_password=False)
    starts = [Database.open(url) for _ in range(4)]
    barrier = Barrier(len(starts))

    def start(db: Database) -> list[str]:
        barrier.wait(timeout=30)
        return schema.upgrade(db)

    try:
        with ThreadPoolExecutor(len(starts)) as pool:
            results = list(pool.map(start, starts))
    finally:
        for db in starts:
            db.close()
    made = [changes for changes in results if changes]
    assert len(made) == 1 and "created table inbox_update" in made[0]
    assert "inbox_update" in inspect(old_db.engine).get_table_names()
