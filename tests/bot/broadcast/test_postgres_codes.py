"""Codes and hostile ids on a real PostgreSQL server (here for the session's server fixture):
the largest id the parsers let through is one PostgreSQL's `integer` keys can hold, the
lockout rows and link requests work there as on SQLite."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from bot.core.arguments import row_id
from bot.services import code_guard, invites, linking, units
from bot.services.code_guard import GuardPolicy
from bot.services.errors import CodeLocked, InviteInvalid, NotFound
from bot.services.people import identify
from bot.storage.database import Database

T0 = datetime(2026, 6, 1, 8, 0, tzinfo=timezone.utc)


def test_ids_at_the_edge_of_postgresql_integers(pg_db: Database) -> None:
    assert row_id("2147483647") == 2147483647 and row_id("2147483648") is None
    with pg_db.session() as s:
        with pytest.raises(NotFound):
            units.get_unit(s, 2147483647)  # in range: simply not there
        with pytest.raises(NotFound):
            units.get_unit(s, 2**63)  # out of range: refused before the driver sees it


def test_lockout_and_a_confirmed_link_on_postgresql(pg_db: Database) -> None:
    policy = GuardPolicy(per_person=2, per_chat=50)
    with pg_db.session() as s:
        cell = units.admin_create_unit(s, "Chi bộ thôn Đông", "cell")
        valid = invites.admin_create_invite(s, cell.id, "member").code  # type: ignore[arg-type]
        guesser = identify(s, "zalo", "z-1", "Người đoán", admin_ids=frozenset())
    for minute in (0, 1):
        with pg_db.session() as s:
            refused = code_guard.redeem(s, policy, guesser, "zalo", "z-1", "ABCD2345",
                                        invites.join_with_code, now=T0 + timedelta(minutes=minute))
            assert isinstance(refused, InviteInvalid)
    with pg_db.session() as s, pytest.raises(CodeLocked):
        code_guard.redeem(s, policy, guesser, "zalo", "z-1", valid, invites.join_with_code,
                          now=T0 + timedelta(minutes=2))

    with pg_db.session() as s:
        owner = identify(s, "telegram", "7", "Chủ", admin_ids=frozenset())
        invites.join_with_code(s, owner, valid)
        code = linking.link_code(s, owner, now=T0)
        joiner = identify(s, "zalo", "z-7", "Chủ trên Zalo", admin_ids=frozenset())
        prompt = linking.request_link(s, joiner, code, now=T0)
        assert linking.decide(s, owner, prompt.request_id, True, now=T0).status == "accepted"
        again = identify(s, "zalo", "z-7", "Chủ trên Zalo", admin_ids=frozenset())
        assert again.person_id == owner.person_id and again.memberships == ((cell.id, "member"),)
