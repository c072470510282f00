"""An anonymous poll read by someone with the database (issue 11, case "anonymity after close"):
votes are cast through the real Telegram and Zalo adapters against the loopback servers, the
officer closes the poll from Telegram, the runner stops it; then every table, the database's
own files (SQLite: the main file and its WAL; PostgreSQL: the poll tables' heap files), the
logs at DEBUG and the exports are searched for anything that links a voter to a choice: the
voters' ids, the HMACs of the voters, the poll's key.

The anonymity statement in docs/officers.md is what these tests check; the same searches run while the
poll is open find the hashes (the search can fail), and show that on Telegram no chat has
counts of its own (one poll per unit, forwarded).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import inspect, text
from sqlmodel import select

from bot.polls import results, service
from bot.polls.models import Poll, PollKey, PollMessage, PollTally, PollVote
from bot.storage.database import Database
from bot.storage.models import utcnow
from bot.polls import messages as poll_texts
from tests.bot.broadcast.world import add_members
from tests.security.stage import OFFICER, WAIT, Stage, build, stage, telegram_says, zalo_says
from tuyengiao.cli import LIBRARY_LOG_LEVELS

# Ids long and odd enough not to occur by chance in a database file (timestamps, counters).
TG_VOTERS = {"880011223344": [0], "880011223355": [1]}  # cell members, in their forwarded copy
TG_COMMUNE_VOTER = ("880011223366", [2])  # a Xã Tân Lập member
TG_STRANGER = 990077665544  # votes in the cell's group: not a member, never known to the bot
ZALO_VOTERS = ["zv-a1b2c3d4", "zv-e5f6a7b8"]  # cell members on Zalo, answering in private
ZALO_STRANGER = "zv-stranger-9f9f"  # answers in the cell's Zalo group; no record anywhere
MEMBER_VOTERS = [*TG_VOTERS, TG_COMMUNE_VOTER[0], *ZALO_VOTERS]
STRANGERS = [str(TG_STRANGER), ZALO_STRANGER]


@dataclass
class Secrets:
    """What linked voters to choices while the poll was open."""

    key: bytes = b""
    hashes: list[str] = field(default_factory=list)

    def needles(self) -> list[bytes]:
        return [self.key, self.key.hex().encode(), *(h.encode() for h in self.hashes)]


def _world_with_voters(db: Database, caplog: pytest.LogCaptureFixture) -> Any:
    """The stage's world plus the voters; every logger at DEBUG from now on (the libraries
    at the levels `tuyengiao` sets)."""
    world = build(db)

    def add(session: Any) -> None:
        add_members(session, world.cell, list(TG_VOTERS))
        add_members(session, world.commune2, [TG_COMMUNE_VOTER[0]])
        add_members(session, world.cell, ZALO_VOTERS, platform="zalo")

    db.call(add)
    caplog.set_level(logging.DEBUG)
    for name, level in LIBRARY_LOG_LEVELS.items():
        caplog.set_level(level, logger=name)
    return world


async def _open_and_vote(s: Stage) -> tuple[int, Secrets]:
    actor = s.officer()
    poll = s.db.call(service.create, actor, question="Đồng chí đánh giá buổi học Chỉ thị 05 thế nào?",
                     options=["Rất bổ ích", "Bổ ích", "Chưa thiết thực"], anonymous=True,
                     closes_at=utcnow() + timedelta(hours=2), unit_ids=[s.world.district],
                     origin=("telegram", str(OFFICER)))
    assert poll.id is not None
    s.db.call(service.open_poll, actor, poll.id)
    await s.post_polls(poll.id)
    cell_poll = s.tg.poll_sent_to(int(s.world.groups[s.world.cell]))
    commune_poll = s.tg.poll_sent_to(int(s.world.groups[s.world.commune2]))
    assert cell_poll and commune_poll
    for user, choice in TG_VOTERS.items():
        assert s.tg.poll_sent_to(int(user))["id"] == cell_poll["id"]  # a forward: the same poll
        s.tg.vote(cell_poll["id"], int(user), choice)
    s.tg.vote(cell_poll["id"], TG_STRANGER, [1])
    s.tg.vote(commune_poll["id"], int(TG_COMMUNE_VOTER[0]), TG_COMMUNE_VOTER[1])
    await s.handled.wait(4)  # four `poll` updates: counts only
    said = poll_texts.POLL_VOTE_RECORDED.format(choice="1", id=poll.id)
    assert await zalo_says(s, ZALO_VOTERS[0], ZALO_VOTERS[0], "1") == said
    await zalo_says(s, ZALO_VOTERS[1], ZALO_VOTERS[1], "2")
    assert await zalo_says(s, ZALO_VOTERS[1], ZALO_VOTERS[1], "3") == \
        poll_texts.POLL_VOTE_CHANGED.format(choice="3", id=poll.id)
    await zalo_says(s, "zg-cell", ZALO_STRANGER, "2", group=True)

    def secrets(session: Any) -> Secrets:
        key = session.get(PollKey, poll.id)
        votes = session.exec(select(PollVote).where(PollVote.poll_id == poll.id)).all()
        return Secrets(key.key, [v.voter_key for v in votes])

    found = s.db.call(secrets)
    assert len(found.hashes) == 3 and all(len(h) == 64 for h in found.hashes)
    return poll.id, found


async def _close_from_telegram(s: Stage, poll_id: int) -> None:
    said = await telegram_says(s, OFFICER, OFFICER, f"/dongkhaosat {poll_id}")
    assert said["text"] == poll_texts.POLL_CLOSED_NOW.format(id=poll_id)
    await s.runner.tick()  # stopPoll, wipe the private chats, purge, final results
    final = await s.tg.wait_for("sendMessage", lambda p: p["chat_id"] == OFFICER and
                                p["text"].startswith(poll_texts.POLL_FINAL_TITLE.format(id=poll_id)),
                                timeout=WAIT)
    assert "Số người trả lời: 7" in final["text"]


def _check_results(s: Stage, poll_id: int) -> None:
    found = s.db.call(lambda session: results.compute(session, session.get(Poll, poll_id)))
    assert found.totals == [2, 3, 2] and found.voters == 7
    by_unit = {u.unit_id: (u.counts, u.voters) for u in found.units}
    assert by_unit == {s.world.district: ([0, 0, 0], 0), s.world.cell: ([2, 3, 1], 6),
                       s.world.commune2: ([0, 0, 1], 1)}
    tallies = s.db.call(lambda session: [(t.unit_id, t.platform, t.counts_json, t.voters)
                                         for t in session.exec(select(PollTally))])
    assert tallies == [(s.world.cell, "zalo", "[1, 1, 1]", 3)]
    exported = results.text(found, s.db.call(lambda session: session.get(Poll, poll_id))) \
        + results.to_csv(found)
    assert not [v for v in MEMBER_VOTERS + STRANGERS if v in exported]


def _rows(db: Database) -> set[tuple[str, tuple[str, ...]]]:
    def read(session: Any) -> set[tuple[str, tuple[str, ...]]]:
        rows = set()
        for table in inspect(session.connection()).get_table_names():
            for row in session.execute(text(f'SELECT * FROM "{table}"')):
                rows.add((table, tuple(v.hex() if isinstance(v, bytes) else str(v) for v in row)))
        return rows
    return db.call(read)


def _check_tables(db: Database, before: set[tuple[str, tuple[str, ...]]], poll_id: int,
                  secrets: Secrets) -> None:
    after = _rows(db)
    needles = [*STRANGERS, secrets.key.hex(), *secrets.hashes]
    anywhere = [(t, r) for t, r in after if any(n in v for v in r for n in needles)]
    assert anywhere == [], f"a stranger's id, a voter's hash or the key is stored: {anywhere}"
    # Members' ids are in their own identity and chat rows, from before: nothing the poll
    # wrote or changed holds one.
    new = [(t, r) for t, r in after - before if any(m in v for v in r for m in MEMBER_VOTERS)]
    assert new == [], f"a voter's id in a row the poll wrote: {new}"
    assert db.call(lambda s: s.exec(select(PollVote).where(PollVote.poll_id == poll_id)).all()) == []
    assert db.call(lambda s: s.get(PollKey, poll_id)) is None
    private = db.call(lambda s: [m.chat_id for m in s.exec(select(PollMessage).where(
        PollMessage.poll_id == poll_id, PollMessage.chat_kind == "private"))])
    assert private and all(c.startswith("wiped-") for c in private)


def _check_logs(records: list[logging.LogRecord], secrets: Secrets) -> None:
    logged = "\n".join(r.getMessage() for r in records)
    found = [n for n in [*MEMBER_VOTERS, *STRANGERS, secrets.key.hex(), *secrets.hashes]
             if n in logged]
    assert found == [], f"in the logs: {found}"


def _check_per_unit_counts_only(s: Stage, poll_id: int) -> None:
    """While open: one native poll per unit; only a unit's original holds counts."""
    rows = s.db.call(lambda session: session.exec(select(PollMessage).where(
        PollMessage.poll_id == poll_id, PollMessage.platform == "telegram")).all())
    originals = [m for m in rows if m.forwarded_from is None]
    assert len(s.tg.calls_of("sendPoll")) == len(originals) == 3  # district, cell, commune
    assert len(s.tg.calls_of("forwardMessage")) == len(rows) - 3
    assert all(m.counts_json is None for m in rows if m.forwarded_from is not None)
    counted = {m.chat_id: m.counts_json for m in originals if m.counts_json}
    assert counted == {s.world.groups[s.world.cell]: "[1, 2, 0]",
                       s.world.groups[s.world.commune2]: "[0, 0, 1]"}


# --- SQLite -----------------------------------------------------------------------------------


def _files(path: Path) -> dict[str, bytes]:
    return {suffix: (Path(f"{path}{suffix}").read_bytes() if Path(f"{path}{suffix}").exists()
                     else b"") for suffix in ("", "-wal", "-shm")}


async def test_sqlite_file_and_wal_keep_nothing_of_the_voters_after_close(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    path = tmp_path / "bot.db"
    db = Database.open(f"sqlite:///{path}")
    db.create_all()
    try:
        async with stage(db, tmp_path, world=_world_with_voters(db, caplog)) as s:
            assert db.purge_deleted(())  # a clean start: every page in the main file
            baseline = {v: sum(b.count(v.encode()) for b in _files(path).values())
                        for v in MEMBER_VOTERS}
            before = _rows(db)
            poll_id, secrets = await _open_and_vote(s)
            _check_per_unit_counts_only(s, poll_id)
            while_open = b"".join(_files(path).values())
            assert any(h.encode() in while_open for h in secrets.hashes), \
                "the search must find the hashes while the poll is open"
            await _close_from_telegram(s, poll_id)
            _check_results(s, poll_id)
            _check_tables(db, before, poll_id, secrets)
            raw = b"".join(_files(path).values())  # the WAL holds only what came after
            assert [n for n in secrets.needles() if n in raw] == []
            assert [v for v in STRANGERS if v.encode() in raw] == []
            # Members' ids: exactly as often as before the poll (their identity, their chat).
            assert {v: raw.count(v.encode()) for v in MEMBER_VOTERS} == baseline
        _check_logs(caplog.records, secrets)
    finally:
        db.close()


# --- PostgreSQL -------------------------------------------------------------------------------


def _heap_files(db: Database, postgres: Any) -> bytes:
    """The poll tables' files, and the update inbox's (it held each vote until counted, and
    its chat while it was answered), as they are on disk (after a CHECKPOINT wrote every dirty page)."""
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.exec_driver_sql("CHECKPOINT")
        paths = [conn.exec_driver_sql(f"SELECT pg_relation_filepath('{t}')").scalar_one()
                 for t in ("poll_key", "poll_vote", "poll_message", "inbox_update", "inbox_chat")]
    return b"".join((postgres.data / p).read_bytes() for p in paths)


async def test_postgresql_tables_and_heap_files_keep_nothing_of_the_voters_after_close(
        tmp_path: Path, postgres: Any, caplog: pytest.LogCaptureFixture) -> None:
    db = Database.open(postgres.create_database())
    db.create_all()
    try:
        async with stage(db, tmp_path, world=_world_with_voters(db, caplog)) as s:
            before = _rows(db)
            poll_id, secrets = await _open_and_vote(s)
            _check_per_unit_counts_only(s, poll_id)
            while_open = _heap_files(db, postgres)
            assert any(h.encode() in while_open for h in secrets.hashes), \
                "the search must find the hashes while the poll is open"
            # The update inbox erased each vote once counted, but PostgreSQL keeps the erased
            # copy (sender and number) as a dead tuple until the purge at the close.
            assert any(v.encode() in while_open for v in ZALO_VOTERS)
            await _close_from_telegram(s, poll_id)
            # A purge that met another open transaction (one that might still see the deleted
            # rows) is left for a later tick: the runner ticks until it is done, as it would.
            for _ in range(20):
                if not s.runner.purge_pending:
                    break
                await s.runner.tick()
            assert not s.runner.purge_pending
            _check_results(s, poll_id)
            _check_tables(db, before, poll_id, secrets)
            heap = _heap_files(db, postgres)
            assert [n for n in secrets.needles() if n in heap] == [], \
                "dead tuples survived the VACUUM"
            assert [v for v in MEMBER_VOTERS + STRANGERS if v.encode() in heap] == []
        _check_logs(caplog.records, secrets)
    finally:
        db.close()


def test_postgresql_purge_waits_while_an_open_transaction_may_still_see_the_rows(
        postgres: Any) -> None:
    """VACUUM FULL copies rows an open snapshot may still see into the new file: a purge run
    then would report done and keep them. It reports not done, and scrubs once that ends."""
    db = Database.open(postgres.create_database())
    secret = "zalo:voter-4711-" + "x" * 16

    def heap() -> bytes:
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("CHECKPOINT")
            path = conn.exec_driver_sql("SELECT pg_relation_filepath('purge_probe')").scalar_one()
        return (postgres.data / path).read_bytes()

    try:
        with db.engine.begin() as conn:
            conn.exec_driver_sql("CREATE TABLE purge_probe (id int, voter text)")
            conn.exec_driver_sql(f"INSERT INTO purge_probe VALUES (1, '{secret}')")
            conn.exec_driver_sql("CREATE TABLE other (id int)")
        # Another session's transaction took its snapshot reading some other table: it holds
        # no lock on the purged one (VACUUM FULL would wait for a lock), only the snapshot.
        reader = db.engine.connect().execution_options(isolation_level="REPEATABLE READ")
        reader.begin()
        assert reader.exec_driver_sql("SELECT count(*) FROM other").scalar_one() == 0
        with db.engine.begin() as conn:
            conn.exec_driver_sql("DELETE FROM purge_probe")

        assert db.purge_deleted(["purge_probe"]) is False
        assert secret.encode() in heap()  # the reader may still see it: nothing was rewritten
        assert reader.exec_driver_sql("SELECT voter FROM purge_probe").scalar_one() == secret

        reader.rollback()
        reader.close()
        assert db.purge_deleted(["purge_probe"]) is True
        assert secret.encode() not in heap()
    finally:
        db.close()
