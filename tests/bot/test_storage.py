"""The database and identities: a real SQLite file per test, WAL, foreign keys, aware
timestamps, `run` off the event loop, and `identify` / `record_chat`."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, func, select

from bot.services.errors import InvalidInput
from bot.services.people import (
    LAST_SEEN_STEP,
    identify,
    is_admin_id,
    parse_admin_ids,
    record_chat,
)
from bot.storage import ChatRecord, Database, Identity, Membership, Person, Unit, to_local

NO_ADMINS: frozenset[str] = frozenset()


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Database]:
    database = Database.open(f"sqlite:///{tmp_path / 'data' / 'nested' / 'bot.db'}")
    database.create_all()
    yield database
    database.close()


def test_open_creates_the_folder_and_uses_wal(tmp_path: Path, db: Database) -> None:
    assert (tmp_path / "data" / "nested" / "bot.db").is_file()
    with db.session() as s:
        assert s.exec(text("PRAGMA journal_mode")).one()[0] == "wal"  # type: ignore[call-overload]
        assert s.exec(text("PRAGMA foreign_keys")).one()[0] == 1  # type: ignore[call-overload]
        # 1 = NORMAL: commits survive a process crash without a flush each
        assert s.exec(text("PRAGMA synchronous")).one()[0] == 1  # type: ignore[call-overload]


def test_sqlite_durability_is_configurable(tmp_path: Path) -> None:
    with Database.open(f"sqlite:///{tmp_path / 'full.db'}", sqlite_synchronous="full") as full:
        with full.session() as s:
            assert s.exec(text("PRAGMA synchronous")).one()[0] == 2  # type: ignore[call-overload]
    with pytest.raises(ValueError, match="synchronous"):
        Database.open(f"sqlite:///{tmp_path / 'x.db'}", sqlite_synchronous="sometimes")


def test_create_all_is_idempotent(db: Database) -> None:
    db.create_all()
    with db.session() as s:
        s.add(Person(display_name="A"))
    db.create_all()
    with db.session() as s:
        assert s.exec(select(func.count()).select_from(Person)).one() == 1


def test_foreign_keys_are_enforced(db: Database) -> None:
    with pytest.raises(IntegrityError):
        with db.session() as s:
            s.add(Membership(person_id=41, unit_id=42, role="member"))


def test_check_constraints_reject_bad_values(db: Database) -> None:
    with pytest.raises(IntegrityError):
        with db.session() as s:
            s.add(Unit(name="X", kind="galaxy"))


def test_session_rolls_back_on_error(db: Database) -> None:
    with pytest.raises(RuntimeError):
        with db.session() as s:
            s.add(Person(display_name="ghost"))
            s.flush()
            raise RuntimeError("boom")
    with db.session() as s:
        assert s.exec(select(Person)).all() == []


def test_timestamps_are_aware_utc_and_convert_to_vietnam_time(db: Database) -> None:
    moment = datetime(2026, 5, 19, 1, 30, tzinfo=timezone(timedelta(hours=7)))
    with db.session() as s:
        s.add(Person(display_name="B", created_at=moment))
    with db.session() as s:
        stored = s.exec(select(Person)).one().created_at
    assert stored.tzinfo is not None and stored.utcoffset() == timedelta(0)
    assert stored == moment
    local = to_local(stored)
    assert (local.hour, local.utcoffset()) == (1, timedelta(hours=7))
    assert to_local(datetime(2026, 1, 1, 17, 0)).day == 2  # naive means UTC


def test_naive_datetimes_are_refused(db: Database) -> None:
    with pytest.raises(Exception, match="naive"):
        with db.session() as s:
            s.add(Person(display_name="C", created_at=datetime(2026, 1, 1)))
            s.flush()


async def test_run_works_in_a_worker_thread(db: Database) -> None:
    loop_thread = threading.get_ident()

    def work(session: Session, name: str) -> tuple[int, int]:
        person = Person(display_name=name)
        session.add(person)
        session.flush()
        assert person.id is not None
        return person.id, threading.get_ident()

    person_id, worker = await db.run(work, "Nguyễn Văn A")
    assert worker != loop_thread
    with db.session() as s:
        assert s.get(Person, person_id) is not None  # committed


async def test_concurrent_identify_of_one_user_makes_one_person(db: Database) -> None:
    actors = await asyncio.gather(
        *(db.run(identify, "telegram", "777", f"Lan {i}", admin_ids=NO_ADMINS) for i in range(12))
    )
    assert len({a.person_id for a in actors}) == 1
    with db.session() as s:
        assert s.exec(select(func.count()).select_from(Identity)).one() == 1
        assert s.exec(select(func.count()).select_from(Person)).one() == 1


def test_identify_creates_then_finds_and_refreshes(db: Database) -> None:
    t0 = datetime(2026, 3, 1, tzinfo=timezone.utc)
    with db.session() as s:
        first = identify(s, "telegram", "123", "Trần Thị B", admin_ids=NO_ADMINS, now=t0)
    with db.session() as s:
        again = identify(s, "telegram", "123", "Chị B", admin_ids=NO_ADMINS, now=t0 + timedelta(hours=1))
        other = identify(s, "zalo", "123", "Trần Thị B", admin_ids=NO_ADMINS, now=t0)
    assert (again.person_id, again.identity_id) == (first.person_id, first.identity_id)
    assert other.person_id != first.person_id  # identities are per platform
    assert again.display_name == "Chị B" and again.memberships == ()
    with db.session() as s:
        identity = s.get(Identity, first.identity_id)
        assert identity is not None
        assert identity.last_seen_at == t0 + timedelta(hours=1)
        assert identity.created_at == t0
        person = s.get(Person, first.person_id)
        assert person is not None and person.display_name == "Chị B"


def test_a_repeat_visit_within_the_last_seen_step_writes_nothing(db: Database) -> None:
    t0 = datetime(2026, 3, 1, tzinfo=timezone.utc)
    with db.session() as s:
        first = identify(s, "telegram", "7", "Anh C", admin_ids=NO_ADMINS, now=t0)
        record_chat(s, "telegram", "7", "private", "", now=t0)
    soon = t0 + LAST_SEEN_STEP - timedelta(seconds=1)
    with db.session() as s:
        identify(s, "telegram", "7", "Anh C", admin_ids=NO_ADMINS, now=soon)
        record_chat(s, "telegram", "7", "private", "", now=soon)
        assert not s.dirty and not s.new  # nothing to write: no write lock taken for long
    with db.session() as s:
        identity = s.get(Identity, first.identity_id)
        assert identity is not None and identity.last_seen_at == t0
        chat = s.exec(select(ChatRecord)).one()
        assert chat.last_seen_at == t0
    later = t0 + LAST_SEEN_STEP
    with db.session() as s:
        identify(s, "telegram", "7", "Anh C", admin_ids=NO_ADMINS, now=later)
        record_chat(s, "telegram", "7", "private", "", now=later)
    with db.session() as s:
        identity = s.get(Identity, first.identity_id)
        assert identity is not None and identity.last_seen_at == later
        assert s.exec(select(ChatRecord)).one().last_seen_at == later


def test_identify_rejects_unknown_platform(db: Database) -> None:
    with pytest.raises(InvalidInput), db.session() as s:
        identify(s, "facebook", "1", "X", admin_ids=NO_ADMINS)


def test_admin_ids_with_and_without_platform(db: Database) -> None:
    admins = parse_admin_ids("telegram:100, 200 ,zalo:abc")
    assert admins == frozenset({"telegram:100", "200", "zalo:abc"})
    assert is_admin_id(admins, "telegram", "100")
    assert not is_admin_id(admins, "zalo", "100")  # the platform prefix counts
    assert is_admin_id(admins, "zalo", "200") and is_admin_id(admins, "telegram", "200")
    with db.session() as s:
        assert identify(s, "telegram", "100", "Admin", admin_ids=admins).is_admin
        assert not identify(s, "zalo", "100", "Not admin", admin_ids=admins).is_admin
        assert identify(s, "zalo", "abc", "Zalo admin", admin_ids=admins).is_admin
        assert not identify(s, "local", "someone", "User", admin_ids=admins).is_admin


def test_record_chat_upserts(db: Database) -> None:
    t0 = datetime(2026, 3, 1, tzinfo=timezone.utc)
    with db.session() as s:
        first = record_chat(s, "zalo", "g1", "group", "Chi bộ 1", now=t0)
    with db.session() as s:
        second = record_chat(s, "zalo", "g1", "group", "Chi bộ Khu phố 1", now=t0 + timedelta(days=1))
        record_chat(s, "telegram", "g1", "private", "")
    assert second.id == first.id
    with db.session() as s:
        chats = s.exec(select(ChatRecord).order_by(ChatRecord.id)).all()
        assert [(c.platform, c.title) for c in chats] == [("zalo", "Chi bộ Khu phố 1"), ("telegram", "")]
        assert chats[0].last_seen_at == t0 + timedelta(days=1) and chats[0].created_at == t0
    with pytest.raises(InvalidInput), db.session() as s:
        record_chat(s, "zalo", "g2", "channel", "")
