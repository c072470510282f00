"""Guessing codes (issue 11): a person, or a group, that types wrong codes is locked out of
redeeming any code, the lockout survives a restart, and each wrong code is logged with the
person's id. Through the real adapters; the window and the lockout's end with a set clock."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlmodel import select

from bot.core.dispatcher import Dispatcher
from bot.services import code_guard, invites, units
from bot.services.code_guard import GuardPolicy
from bot.services.errors import CodeLocked, InviteInvalid
from bot.services.people import identify
from bot.storage.database import Database
from bot.storage.models import CodeGuard, Identity, Membership
from bot import messages
from bot.core.knowledge_base import KnowledgeBase
from tests.dispatchers import dispatcher
from tests.bot.broadcast.world import build_world
from tests.bot.conftest import assistant, db, knowledge  # noqa: F401  (fixtures)
from tests.security.chats import both_platforms

WRONG = ["ABCD2345", "QWER6789", "ZXCV2345", "PLMN3456", "HJKT7892"]


def member_code(db: Database, unit: int) -> str:
    return db.call(invites.admin_create_invite, unit, "member").code


def joined(db: Database, platform: str, user: str) -> list[int]:
    with db.session() as s:
        return list(s.exec(select(Membership.unit_id).join(
            Identity, Identity.person_id == Membership.person_id).where(
            Identity.platform == platform, Identity.platform_user_id == user)).all())


async def test_a_person_guessing_codes_is_locked_out_even_after_a_restart(
        assistant: Dispatcher, knowledge: KnowledgeBase, db: Database, tmp_path: Path,
        caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING, logger="bot.services.code_guard")
    world = build_world(db)
    valid = member_code(db, world.cell)
    async with both_platforms(assistant) as chats:
        for guess in WRONG:  # five wrong codes: the default limit
            assert await chats.zalo("z-42", "z-42", f"/dangky {guess}") == messages.INVITE_UNKNOWN
        # Now even a right code is refused, for an hour.
        assert await chats.zalo("z-42", "z-42", f"/dangky {valid}") == \
            messages.CODE_LOCKED_PERSON.format(minutes=60)
        assert await chats.zalo("z-42", "z-42", f"/lienket LK-{WRONG[0]}") == \
            messages.CODE_LOCKED_PERSON.format(minutes=60)
    person = db.call(identify, "zalo", "z-42", "", admin_ids=frozenset()).person_id
    refused = [r.getMessage() for r in caplog.records]
    assert sum(f"code refused (unknown): person {person} (zalo user z-42) in chat zalo:z-42" in m
               for m in refused) == 5
    assert refused[4].endswith(f"; locked out: person {person}")
    assert sum(f"code refused (person {person} locked out)" in m for m in refused) == 2

    # A restart: a new process opens the same database.
    restarted_db = Database.open(f"sqlite:///{tmp_path / 'bot.db'}")
    try:
        restarted = dispatcher(restarted_db, knowledge, assistant.settings.admin_ids)
        async with both_platforms(restarted) as chats:
            said = await chats.zalo("z-42", "z-42", f"/dangky {valid}")
            assert said in (messages.CODE_LOCKED_PERSON.format(minutes=60),
                            messages.CODE_LOCKED_PERSON.format(minutes=59))
            # Someone else with the same code is not affected.
            assert await chats.zalo("z-43", "z-43", f"/dangky {valid}") == \
                messages.JOINED_UNIT.format(unit="Chi bộ thôn Đông", role="đảng viên")
    finally:
        restarted_db.close()
    assert joined(db, "zalo", "z-42") == [] and joined(db, "zalo", "z-43") == [world.cell]


async def test_a_group_guessing_together_is_locked_out_as_a_chat(assistant: Dispatcher,
                                                                 db: Database) -> None:
    world = build_world(db)
    group = int(world.groups[world.cell])
    valid = member_code(db, world.cell)
    guessers = [1001, 1002, 1003, 1004, 1005]
    async with both_platforms(assistant) as chats:
        for i in range(20):  # four each: nobody reaches the personal limit of five
            guesser = guessers[i % 5]
            assert await chats.telegram(group, guesser, f"/dangky ZZZZ{i + 2000}", group=True) == \
                messages.INVITE_UNKNOWN
        # The group is locked: a member who never guessed cannot use a right code there...
        assert await chats.telegram(group, 1006, f"/dangky {valid}", group=True) == \
            messages.CODE_LOCKED_CHAT.format(minutes=60)
        # ...but can in private.
        assert await chats.telegram(1006, 1006, f"/dangky {valid}") == \
            messages.JOINED_UNIT.format(unit="Chi bộ thôn Đông", role="đảng viên")
    with db.session() as s:
        rows = {(g.scope, g.key): g.locked_until is not None for g in s.exec(select(CodeGuard))}
    assert rows[("chat", f"telegram:{group}")] is True
    assert [locked for (scope, _), locked in rows.items() if scope == "person"] == [False] * 5


def test_the_window_and_the_lockout_end(db: Database) -> None:
    t0 = datetime(2026, 6, 1, 8, 0, tzinfo=timezone.utc)
    policy = GuardPolicy(per_person=3, per_chat=100, window=timedelta(minutes=15),
                         lockout=timedelta(minutes=60))
    world = build_world(db)
    valid = member_code(db, world.cell)
    with db.session() as s:
        actor = identify(s, "telegram", "77", "Người đoán", admin_ids=frozenset())

    def attempt(code: str, minutes: float) -> object:
        with db.session() as s:
            return code_guard.redeem(s, policy, actor, "telegram", "77", code,
                                     invites.join_with_code, now=t0 + timedelta(minutes=minutes))

    assert isinstance(attempt("ABCD2345", 0), InviteInvalid)
    assert isinstance(attempt("ABCD2346", 1), InviteInvalid)
    # The window (15 minutes) passed: the count starts again, so two more are allowed.
    assert isinstance(attempt("ABCD2347", 17), InviteInvalid)
    assert isinstance(attempt("ABCD2348", 18), InviteInvalid)
    assert isinstance(attempt("ABCD2349", 19), InviteInvalid)  # the third in this window
    with pytest.raises(CodeLocked) as locked:
        attempt(valid, 19 + 59)
    assert locked.value.minutes == 1
    result = attempt(valid, 19 + 60)  # the hour is over
    assert not isinstance(result, InviteInvalid) and result.unit.id == world.cell  # type: ignore[attr-defined]
