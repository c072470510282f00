"""Invite codes under a careless officer (issue 11): an officer code posted in a group makes
one officer, not three; counts widen it on purpose; the server command's `--uses`."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlmodel import select

from bot.core.dispatcher import Dispatcher
from bot.storage.database import Database
from bot.storage.models import Identity, InviteCode, Membership
from bot import messages
from tests.bot.broadcast.world import build_world
from tests.bot.conftest import assistant, db, knowledge  # noqa: F401  (fixtures)
from tests.security.chats import both_platforms
from tuyengiao.cli import main

INVITE = re.compile(r"/dangky ([A-Z2-9]{8})")


def officers_of(db: Database, unit: int) -> list[str]:
    with db.session() as s:
        return sorted(s.exec(
            select(Identity.platform_user_id)
            .join(Membership, Membership.person_id == Identity.person_id)
            .where(Membership.unit_id == unit, Membership.role == "officer")).all())


async def test_an_officer_code_posted_in_a_group_makes_one_officer(assistant: Dispatcher,
                                                                   db: Database) -> None:
    world = build_world(db)
    group = int(world.groups[world.cell])
    async with both_platforms(assistant) as chats:
        made = await chats.telegram(901, 901, f"/taoma {world.cell} canbo", name="Trần Thị Bình")
        code = INVITE.search(made)
        assert code is not None and "Dùng được 1 lần" in made
        # The officer posts it in the cell's group; three members try it.
        chats.tg.text_update(group, 901, f"Mã cán bộ: {code[1]}", "group")
        joined = await chats.telegram(group, 1001, f"/dangky {code[1]}", group=True)
        assert joined == messages.JOINED_UNIT.format(unit="Chi bộ thôn Đông", role="cán bộ")
        for member in (1002, 1003):
            assert await chats.telegram(group, member, f"/dangky {code[1]}", group=True) == \
                messages.INVITE_USED_UP
        # Widened on purpose: two officers; a member code's default is bounded too.
        widened = await chats.telegram(901, 901, f"/taoma {world.cell} canbo 2")
        assert "Dùng được 2 lần" in widened
        members = await chats.telegram(901, 901, f"/taoma {world.cell} dangvien")
        assert "Dùng được 50 lần" in members
        for bad in ("0", "1001", "-3", "99999999999999999999"):
            assert await chats.telegram(901, 901, f"/taoma {world.cell} canbo {bad}") == \
                messages.TAOMA_USAGE.format(member_uses=50, max=1000)
    assert officers_of(db, world.cell) == ["1001"]
    with db.session() as s:
        uses = [(c.role, c.max_uses, c.uses) for c in s.exec(select(InviteCode).order_by(InviteCode.id))]
    assert uses == [("officer", 1, 1), ("officer", 2, 0), ("member", 50, 0)]


def test_the_server_command_makes_single_use_officer_codes_unless_told(
        db: Database, monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    world = build_world(db)
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'bot.db'}")
    monkeypatch.setenv("INVITE_MEMBER_USES", "20")

    def invite(*args: str) -> tuple[int, str]:
        rc = main(["admin", "invite", str(world.cell), *args])
        return rc, capsys.readouterr().err

    assert invite("--role", "officer")[1].endswith(", uses 1\n")
    assert invite("--role", "officer", "--uses", "3")[1].endswith(", uses 3\n")
    assert invite("--role", "officer", "--max-uses", "2")[1].endswith(", uses 2\n")  # the old name
    assert invite("--role", "member")[1].endswith(", uses 20\n")
    for bad in ("0", "1001", "-1", "99999999999999999999", "x"):
        with pytest.raises(SystemExit) as stopped:
            invite("--role", "officer", "--uses", bad)
        assert stopped.value.code == 2
        err = capsys.readouterr().err
        assert "is not a whole number from 1 to 1000" in err and "Traceback" not in err
    with db.session() as s:
        assert [c.max_uses for c in s.exec(select(InviteCode).order_by(InviteCode.id))] == [1, 3, 2, 20]
