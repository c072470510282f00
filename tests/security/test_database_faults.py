"""A database that cannot be written, through the real Telegram adapter and the real core
against the loopback Bot API: members still get their answers (the question log and
last-seen writes are best-effort, counted, logged once), and officers' changes are refused
with a clear message naming the reason, never the generic apology.

The faults are real SQLite faults on a real file (the tests run as root, so chmod would not
stop a write): a read-only connection (SQLITE_READONLY, what a read-only file or mount gives),
a full database (SQLITE_FULL through `PRAGMA max_page_count`, what a full disk gives), and a
write lock held by another process (SQLITE_BUSY).
"""

from __future__ import annotations

import logging
import sqlite3
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event
from sqlmodel import func, select

from bot.channels.telegram.channel import TelegramChannel
from bot.core.dispatcher import Dispatcher
from tests.dispatchers import dispatcher
from bot.core.knowledge_base import KnowledgeBase
from bot.storage.database import Database
from bot.storage.models import QuestionLog, Unit
from indexer.build import build_store
from indexer.opening import opening_section
from bot import messages
from knowledge.answers import AnswerPolicy
from knowledge.embedder import HashingEmbedder
from knowledge.search import Searcher
from knowledge.store import StoreReader
from tests.bot.broadcast.world import ADMIN_IDS, World, build_world
from tests.fakes.telegram_api import TelegramApiServer

WAIT = 10.0  # seconds; only reached when something is broken
QUESTION = "Mỗi thôn có tổ xung kích phòng, chống thiên tai không?"
# A passage of Chỉ thị 05-CT/TW (tests/conftest.py) the answer to QUESTION quotes.
PASSAGE = "Mỗi thôn, bản có một tổ xung kích phòng, chống thiên tai được tập huấn hằng năm."
MEMBER = 1001  # in the world (tests/bot/broadcast/world.py)
NEWCOMER = 7777  # never wrote before: no person in the database
OFFICER = 901
FAULT_LOGGER = "bot.storage.faults"
NAMES = {MEMBER: f"Đảng viên {MEMBER}", OFFICER: "Trần Thị Bình"}


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "bot.db"


@pytest.fixture
def world(db_path: Path) -> World:
    """The unit world written through a normal connection, which is then closed."""
    with Database.open(f"sqlite:///{db_path}") as setup:
        setup.create_all()
        return build_world(setup)


@pytest.fixture
def searcher(knowledge_dir: Path, tmp_path: Path) -> Searcher:
    embedder = HashingEmbedder()
    build_store([knowledge_dir], tmp_path / "store", embedder)
    return Searcher(StoreReader(tmp_path / "store"), embedder)


def make_assistant(db: Database, searcher: Searcher) -> Dispatcher:
    knowledge = KnowledgeBase(searcher, AnswerPolicy(), opening_section)
    return dispatcher(db, knowledge, ADMIN_IDS, broadcasts=True, polls=True)


@asynccontextmanager
async def telegram(assistant: Dispatcher) -> AsyncIterator[TelegramApiServer]:
    async with TelegramApiServer() as api:
        async with TelegramChannel(api.token, assistant.handle, base_url=api.base_url,
                                   commands=assistant.menu(),
                                   poll_timeout=1.0):
            yield api


async def say(api: TelegramApiServer, user: int, text: str) -> dict[str, Any]:
    """`user` writes `text` in their private chat; the bot's reply there (sendMessage params).
    Their name is the one the world stored, so identifying them writes nothing."""
    api.text_update(user, user, text, first_name=NAMES.get(user, "Nguyễn Văn An"))
    return await api.wait_for("sendMessage", lambda p: p["chat_id"] == user, timeout=WAIT)


def assert_answered(reply: dict[str, Any]) -> None:
    assert PASSAGE in reply["text"]
    assert "05-CT/TW" in reply["text"]
    # no feedback buttons: they would point at a question that was not logged
    assert "reply_markup" not in reply or not reply["reply_markup"].get("inline_keyboard")


def fault_lines(caplog: pytest.LogCaptureFixture, level: int = logging.ERROR) -> list[str]:
    return [r.getMessage() for r in caplog.records
            if r.name == FAULT_LOGGER and r.levelno == level]


def counts(db: Database) -> dict[tuple[str, str], tuple[int, int]]:
    return {(f.operation, f.kind): (f.failed, f.skipped) for f in db.faults.snapshot()}


def not_saved(kind: str) -> str:
    return messages.NOT_SAVED.format(reason=messages.NOT_SAVED_REASONS[kind])


def rows(db_path: Path, table: type[Any]) -> int:
    with Database.open(f"sqlite:///{db_path}") as check:
        return int(check.call(lambda s: s.exec(select(func.count()).select_from(table)).one()))


# --- a read-only database -------------------------------------------------------------------
@pytest.fixture
def read_only_db(db_path: Path, world: World) -> Iterator[Database]:
    db = Database.open(f"sqlite:///file:{db_path}?mode=ro&uri=true", best_effort_wait=1.0)
    yield db
    db.close()


async def test_read_only_database_members_get_answers_and_officers_are_told(
    read_only_db: Database, searcher: Searcher, world: World, db_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO)
    units_before = rows(db_path, Unit)
    async with telegram(make_assistant(read_only_db, searcher)) as api:
        for _ in range(4):
            assert_answered(await say(api, MEMBER, QUESTION))
        # someone the database has never seen: served as a guest, answered all the same
        assert_answered(await say(api, NEWCOMER, QUESTION))

        officer_commands = [
            f"/taodonvi {world.district} xa Xã Phú Lộc",  # a unit
            f"/taoma {world.cell} dangvien",  # an invite
            "/thongbao Đề nghị các chi bộ học tập Chỉ thị 05-CT/TW.",  # a broadcast
            "/khaosat Đồng chí đã học Chỉ thị 05 chưa?\nĐã học\nChưa học",  # a poll
        ]
        for command in officer_commands:
            reply = await say(api, OFFICER, command)
            assert reply["text"] == not_saved("read-only"), command
        generic = [p for p in api.calls_of("sendMessage") if messages.ERROR_GENERIC in p["text"]]
        assert generic == []

    assert rows(db_path, Unit) == units_before
    assert rows(db_path, QuestionLog) == 0
    # one line per (operation, kind), however many questions; the rest are counted
    errors = fault_lines(caplog)
    assert len(errors) == 2, errors
    assert "question log write failed (read-only)" in errors[0]
    assert "attempt to write a readonly database [SQLITE_READONLY]" in errors[0]
    assert "change write failed (read-only)" in errors[1]
    assert counts(read_only_db) == {
        ("question log", "read-only"): (1, 4),  # tried once, then skipped while it fails
        # not tried while failures are recent: 3 questions, the newcomer, 4 officer commands
        # (the member and the officer are read as stored; the newcomer is a guest)
        ("last seen", "read-only"): (0, 8),
        ("change", "read-only"): (4, 0),  # every change is tried and refused
    }


# --- a full database (SQLite's max_page_count: what a full disk gives) ---------------------
def fill(db_path: Path, max_pages: int) -> int:
    """Log QUESTION (the very row the bot writes) until the database is full; returns how
    many fitted."""
    con = sqlite3.connect(db_path, isolation_level=None)
    con.execute(f"PRAGMA max_page_count={max_pages}")
    added = 0
    try:
        while True:
            con.execute(
                "INSERT INTO question_log (person_id, unit_id, platform, chat_id, text, "
                "normalized_text, latency_ms, answered, top_doc_id, top_section, created_at) "
                "VALUES (NULL, NULL, 'telegram', ?, ?, ?, 5, 1, 'chi-thi-05-CT-TW.txt', "
                "'II. NHIỆM VỤ, GIẢI PHÁP', datetime('now'))",
                (str(MEMBER), QUESTION, QUESTION.lower()),
            )
            added += 1
    except sqlite3.OperationalError as exc:
        assert exc.sqlite_errorname == "SQLITE_FULL"
    finally:
        con.close()
    return added


async def test_full_database_members_still_get_answers(
    db_path: Path, world: World, searcher: Searcher, caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO)
    with sqlite3.connect(db_path) as con:
        pages = con.execute("PRAGMA page_count").fetchone()[0]
    max_pages = pages + 2
    db = Database.open(f"sqlite:///{db_path}", best_effort_wait=1.0)

    @event.listens_for(db.engine, "connect")
    def _cap(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.execute(f"PRAGMA max_page_count={max_pages}")

    try:
        assert fill(db_path, max_pages) > 0
        async with telegram(make_assistant(db, searcher)) as api:
            for _ in range(3):
                assert_answered(await say(api, MEMBER, QUESTION))
        errors = fault_lines(caplog)
        assert len(errors) == 1, errors
        assert "question log write failed (full)" in errors[0]
        assert "database or disk is full [SQLITE_FULL]" in errors[0]
        assert counts(db) == {("question log", "full"): (1, 2), ("last seen", "full"): (0, 2)}
    finally:
        db.close()


# --- a lock held by another process ---------------------------------------------------------
LOCK_HOLDER = """
import sqlite3, sys
con = sqlite3.connect(sys.argv[1], isolation_level=None)
con.execute("BEGIN IMMEDIATE")
print("locked", flush=True)
sys.stdin.readline()
con.execute("ROLLBACK")
"""


@pytest.fixture
def locked(db_path: Path, world: World) -> Iterator[subprocess.Popen[str]]:
    holder = subprocess.Popen([sys.executable, "-c", LOCK_HOLDER, str(db_path)],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
    yield holder
    if holder.poll() is None:
        holder.communicate("\n", timeout=WAIT)


async def test_locked_database_answers_within_the_best_effort_wait_then_recovers(
    locked: subprocess.Popen[str], db_path: Path, searcher: Searcher,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO)
    db = Database.open(f"sqlite:///{db_path}", best_effort_wait=0.3, fault_retry_seconds=0.0)
    try:
        async with telegram(make_assistant(db, searcher)) as api:
            started = time.monotonic()
            assert_answered(await say(api, MEMBER, QUESTION))
            # not SQLite's 30 s busy timeout: identifying and logging waited 0.3 s each
            assert time.monotonic() - started < 10.0
            assert counts(db) == {("last seen", "locked"): (1, 0), ("question log", "locked"): (1, 0)}

            locked.communicate("\n", timeout=WAIT)  # the other process lets go
            reply = await say(api, MEMBER, QUESTION)
            assert PASSAGE in reply["text"]
            buttons = [b["callback_data"] for row in reply["reply_markup"]["inline_keyboard"]
                       for b in row]
            assert buttons[0].startswith("fb:")  # logged again: the buttons are back
        assert rows(db_path, QuestionLog) == 1
        recovered = fault_lines(caplog, logging.WARNING)
        assert recovered == [f"database {db_path}: writes succeed again; "
                             "lost meanwhile: last seen 1, question log 1"]
    finally:
        db.close()
