"""Who may broadcast to whom, who a broadcast reaches, reading confirmations, reminders,
cancelling and the audit trail — on a real SQLite database."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from sqlmodel import select

from bot.broadcast import compose, report, service
from bot.broadcast.models import BroadcastRecipient, Delivery
from bot.services import linking, people
from bot.services.errors import InvalidInput, PermissionDenied
from bot.storage.database import Database
from bot.storage.models import LOCAL_TZ, Membership
from bot import messages as texts
from bot.broadcast import messages as broadcast_texts
from tests.bot.broadcast.world import World, add_person

TEXT = "Tổ chức học tập, quán triệt Chỉ thị 05-CT/TW trước ngày 30/11."


def draft(db: Database, world: World, actor_id: str, units: list[int], **options) -> int:  # type: ignore[no-untyped-def]
    actor = world.actor(db, actor_id)
    created = db.call(service.create, actor, text=TEXT, unit_ids=units, **options)
    assert created.id is not None
    return created.id


def rows(db: Database, broadcast_id: int) -> list[Delivery]:
    return list(db.call(lambda s: s.exec(select(Delivery).where(
        Delivery.broadcast_id == broadcast_id).order_by(Delivery.id)).all()))


def test_members_cannot_broadcast(db: Database, world: World) -> None:
    member = world.actor(db, world.members[world.cell][0])
    with pytest.raises(PermissionDenied) as refused:
        db.call(service.create, member, text=TEXT, unit_ids=[world.cell])
    assert refused.value.message == texts.NOT_OFFICER
    with pytest.raises(PermissionDenied):
        db.call(compose.start, member, "telegram", member.platform_user_id, "")


def test_an_officer_cannot_target_a_unit_outside_their_subtree(db: Database, world: World) -> None:
    officer = world.actor(db, world.officer_id)
    for units in ([world.other_province], [world.province], [world.cell, world.other_province]):
        with pytest.raises(PermissionDenied) as refused:
            db.call(service.create, officer, text=TEXT, unit_ids=units)
        assert refused.value.message == texts.OUTSIDE_SCOPE
    # Nor through the buttons of a draft, nor by confirming a draft whose targets were edited.
    own = db.call(compose.start, officer, "telegram", "901", "")
    broadcast_id = db.call(service.draft_in_chat, officer, "telegram", "901").id
    assert own.actions
    with pytest.raises(PermissionDenied):
        db.call(compose.press, officer, broadcast_id, "unit", str(world.other_province))

    def tamper(session) -> None:  # type: ignore[no-untyped-def]
        b = service.own_draft(session, officer, broadcast_id)
        b.text, b.target_unit_ids = TEXT, str(world.other_province)
        session.add(b)

    db.call(tamper)
    with pytest.raises(PermissionDenied):
        db.call(service.confirm, officer, broadcast_id)
    assert rows(db, broadcast_id) == []


def test_admins_may_target_anywhere(db: Database, world: World) -> None:
    broadcast_id = draft(db, world, "1", [world.other_province, world.cell])
    counts = db.call(service.confirm, world.actor(db, "1"), broadcast_id)
    assert counts.groups == 2  # the cell's and the other province's
    assert counts.people == len(world.members[world.cell]) + len(world.silent) + 1


def test_recipients_by_role_innermost_unit_every_platform_and_groups(db: Database, world: World) -> None:
    member = world.members[world.cell][0]

    def extend(session) -> None:  # type: ignore[no-untyped-def]
        # The member also belongs to the commune, and uses Zalo too (linked, with a chat).
        actor = people.identify(session, "telegram", member, "", admin_ids=frozenset())
        session.add(Membership(person_id=actor.person_id, unit_id=world.commune, role="member"))
        zalo = people.identify(session, "zalo", "z-" + member, "", admin_ids=frozenset())
        people.record_chat(session, "zalo", "z-" + member, "private")
        code = linking.link_code(session, actor)
        request = linking.request_link(session, zalo, code)  # and the owner confirms:
        linking.decide(session, actor, request.request_id, True)
        # A second officer in the cell: excluded when only members are targeted.
        add_person(session, "950", "Phó bí thư", world.cell, "officer")

    db.call(extend)
    broadcast_id = draft(db, world, world.officer_id, [world.commune], roles=["member"])
    counts = db.call(service.confirm, world.actor(db, world.officer_id), broadcast_id)
    cell_members = world.members[world.cell]
    assert counts.people == len(cell_members) + len(world.silent)  # the member counted once
    assert counts.reachable_people == len(cell_members)
    assert counts.private_messages == len(cell_members) + 1  # + the member's Zalo chat
    assert counts.groups == 1  # only the cell's group is under the commune
    deliveries = rows(db, broadcast_id)
    assert {(d.platform, d.chat_id) for d in deliveries if d.person_id is not None} == (
        {("telegram", m) for m in cell_members} | {("zalo", "z-" + member)})
    assert all(d.unit_id == world.cell for d in deliveries)  # innermost unit
    audience = db.call(lambda s: s.exec(select(BroadcastRecipient).where(
        BroadcastRecipient.broadcast_id == broadcast_id)).all())
    assert all(r.role == "member" and r.unit_id == world.cell for r in audience)


def test_groups_can_be_left_out_and_an_empty_audience_is_refused(db: Database, world: World) -> None:
    broadcast_id = draft(db, world, world.officer_id, [world.commune2], include_groups=False,
                         roles=["member"])
    counts = db.call(service.confirm, world.actor(db, world.officer_id), broadcast_id)
    assert counts.groups == 0 and counts.private_messages == 3
    empty = draft(db, world, world.officer_id, [world.commune], roles=["officer"],
                  include_groups=False)
    with pytest.raises(InvalidInput) as refused:
        db.call(service.confirm, world.actor(db, world.officer_id), empty)
    assert refused.value.message == broadcast_texts.BROADCAST_NOBODY


def test_reading_confirmation_and_reminding_exactly_the_others(db: Database, world: World) -> None:
    officer = world.actor(db, world.officer_id)
    broadcast_id = draft(db, world, world.officer_id, [world.cell], roles=["member"],
                         require_confirmation=True)
    db.call(service.confirm, officer, broadcast_id)
    readers = world.members[world.cell][:2]
    for reader in readers:
        assert db.call(service.confirm_read, world.actor(db, reader), broadcast_id) == "ok"
    assert db.call(service.confirm_read, world.actor(db, readers[0]), broadcast_id) == "again"
    outsider = world.members[world.commune2][0]
    assert db.call(service.confirm_read, world.actor(db, outsider), broadcast_id) == "not_for_you"
    listing = db.call(report.confirmation_text, db.call(service.get, officer, broadcast_id))
    assert "Chi bộ thôn Đông: đã đọc 2/5 (40%)" in listing
    for name in world.members[world.cell][2:] + world.silent:
        assert f"Đảng viên {name}" in listing
    for name in readers:
        assert f"Đảng viên {name}" not in listing
    counts = db.call(service.remind, officer, broadcast_id)
    reminder_rows = [d for d in db.call(lambda s: s.exec(select(Delivery)).all())
                     if d.broadcast_id != broadcast_id]
    # Exactly the unconfirmed who can be reached in private; no groups.
    assert sorted(d.chat_id for d in reminder_rows) == sorted(world.members[world.cell][2:])
    assert counts.reachable_people == len(world.members[world.cell]) - 2
    # The reminder's "Đã đọc" confirms the original broadcast.
    reminder_id = reminder_rows[0].broadcast_id
    late = world.members[world.cell][2]
    assert db.call(service.confirm_read, world.actor(db, late), broadcast_id) == "ok"
    remaining = [name for name, _ in db.call(report.unconfirmed, broadcast_id)]
    assert remaining == [f"Đảng viên {world.members[world.cell][3]}", f"Đảng viên {world.silent[0]}"]
    assert reminder_id != broadcast_id


def test_cancel_is_for_the_author_admins_and_officers_above(db: Database, world: World) -> None:
    broadcast_id = draft(db, world, world.officer_id, [world.cell])
    db.call(service.confirm, world.actor(db, world.officer_id), broadcast_id)
    with pytest.raises(PermissionDenied):
        db.call(service.cancel, world.actor(db, world.other_officer_id), broadcast_id)
    with pytest.raises(PermissionDenied):
        db.call(service.cancel, world.actor(db, world.members[world.cell][0]), broadcast_id)
    cancelled = db.call(service.cancel, world.actor(db, "1"), broadcast_id)
    assert cancelled == len(rows(db, broadcast_id))
    assert {d.status for d in rows(db, broadcast_id)} == {"cancelled"}
    with pytest.raises(InvalidInput):
        db.call(service.cancel, world.actor(db, "1"), broadcast_id)
    audit = db.call(report.audit_text)
    lines = audit.splitlines()
    assert lines[0] == broadcast_texts.BROADCAST_AUDIT_TITLE
    assert f"user 1 — dừng/hủy #{broadcast_id}" in lines[1]
    assert f"user {world.officer_id} — gửi #{broadcast_id}" in lines[2]
    assert f"user {world.officer_id} — soạn #{broadcast_id}" in lines[3]


def test_scheduled_time_parsing() -> None:
    now = datetime(2026, 11, 24, 10, 0, tzinfo=LOCAL_TZ)
    at = compose.parse_time("20:00 25/11", now)
    assert at == datetime(2026, 11, 25, 13, 0, tzinfo=timezone.utc)
    assert compose.parse_time("25/11/2026 7h30", now).astimezone(LOCAL_TZ).hour == 7
    assert compose.parse_time("07:30 01/02", now).astimezone(LOCAL_TZ).year == 2027
    assert compose.parse_time("9:15", now) - now.astimezone(timezone.utc) == timedelta(hours=23, minutes=15)
    for bad in ("mai", "31/02 10:00", "25/11"):
        with pytest.raises(InvalidInput):
            compose.parse_time(bad, now)
