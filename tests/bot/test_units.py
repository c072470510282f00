"""The unit tree, who may act where, invite codes, joining, and linking a second platform."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlmodel import Session, select

from bot import messages as service_texts
from bot.services.errors import InvalidInput, InviteInvalid, NotFound, PermissionDenied
from bot.services.invites import (
    CODE_ALPHABET,
    CODE_LENGTH,
    admin_create_invite,
    create_invite,
    join_with_code,
    revoke_invite,
)
from bot.services.linking import cancel, decide, link_code, request_link
from bot.services.people import Actor, identify
from bot.services.questions import log_question, record_feedback
from bot.services.units import (
    admin_create_unit,
    can_act_on,
    create_unit,
    list_units,
    officer_scope,
    parse_kind,
    parse_role,
    subtree_unit_ids,
    unit_tree_text,
)
from bot.storage import Database, Feedback, Identity, InviteCode, Membership, Person, QuestionLog

T0 = datetime(2026, 6, 1, 8, 0, tzinfo=timezone.utc)
ADMINS = frozenset({"telegram:1"})



@dataclass
class Tree:
    province: int
    district: int  # Huyện Đông Hà, under the province
    district2: int  # Huyện Tây Sơn, under the province
    commune: int  # under district
    cell: int  # under commune
    commune2: int  # under district2


def build_tree(s: Session) -> Tree:
    p = admin_create_unit(s, "Tỉnh Minh Sơn", "province", None)
    d = admin_create_unit(s, "Huyện Đông Hà", "district", p.id)
    d2 = admin_create_unit(s, "Huyện Tây Sơn", "district", p.id)
    c = admin_create_unit(s, "Xã Hòa Bình", "commune", d.id)
    k = admin_create_unit(s, "Chi bộ Thôn 1", "cell", c.id)
    c2 = admin_create_unit(s, "Xã An Phú", "commune", d2.id)
    ids = [u.id for u in (p, d, d2, c, k, c2)]
    assert all(i is not None for i in ids)
    return Tree(*ids)  # type: ignore[arg-type]


def person(s: Session, user: str, *, platform: str = "telegram") -> Actor:
    return identify(s, platform, user, f"Người {user}", admin_ids=ADMINS)


def make_member(s: Session, user: str, unit_id: int, role: str, *, platform: str = "telegram") -> Actor:
    code = admin_create_invite(s, unit_id, role).code
    return join_with_code(s, person(s, user, platform=platform), code).actor


def test_paths_and_subtrees(db: Database) -> None:
    with db.session() as s:
        t = build_tree(s)
        assert subtree_unit_ids(s, t.province) == [
            t.province, t.district, t.commune, t.cell, t.district2, t.commune2
        ]
        assert subtree_unit_ids(s, t.district) == [t.district, t.commune, t.cell]
        assert subtree_unit_ids(s, t.cell) == [t.cell]
        assert subtree_unit_ids(s, t.district2) == [t.district2, t.commune2]
        with pytest.raises(NotFound):
            subtree_unit_ids(s, 999)


def test_subtree_does_not_confuse_id_prefixes(db: Database) -> None:
    """/1/2/ must not match /1/20/: the trailing slash is part of the prefix."""
    with db.session() as s:
        root = admin_create_unit(s, "Tỉnh", "province", None)
        units = [admin_create_unit(s, f"Huyện {i}", "district", root.id) for i in range(25)]
        two = next(u for u in units if u.id == 2)
        twenty = next(u for u in units if u.id == 20)
        child = admin_create_unit(s, "Xã con", "commune", two.id)
        assert subtree_unit_ids(s, 2) == [2, child.id]
        assert subtree_unit_ids(s, twenty.id) == [20]  # type: ignore[arg-type]
        # Tree order with ids past 9: numeric, not string, sibling order.
        order = subtree_unit_ids(s, root.id)  # type: ignore[arg-type]
        assert order[:4] == [root.id, 2, child.id, 3]
        assert order[-1] == units[-1].id


def test_create_unit_validates_input(db: Database) -> None:
    with db.session() as s:
        t = build_tree(s)
        for name, kind in (("  ", "cell"), ("x" * 121, "cell"), ("Chi bộ mới", "galaxy")):
            with pytest.raises(InvalidInput):
                admin_create_unit(s, name, kind, t.commune)
        assert admin_create_unit(s, "x" * 120, "cell", t.commune).name == "x" * 120
        with pytest.raises(InvalidInput):  # same name under the same parent (accents aside)
            admin_create_unit(s, "chi bo thon 1", "cell", t.commune)
        admin_create_unit(s, "Chi bộ Thôn 1", "cell", t.commune2)  # other parent: fine
        with pytest.raises(NotFound):
            admin_create_unit(s, "Xã lạc", "commune", 999)
        assert parse_kind("Chi bộ") == "cell" and parse_kind("huyen") == "district"
        assert parse_role("cán bộ") == "officer" and parse_role("member") == "member"


def test_officer_creates_units_only_in_their_subtree(db: Database) -> None:
    with db.session() as s:
        t = build_tree(s)
        officer = make_member(s, "10", t.district, "officer")
        assert officer.is_officer and officer.memberships == ((t.district, "officer"),)
        commune = create_unit(s, officer, "Xã Tân Lập", "commune", t.district)
        cell = create_unit(s, officer, "Chi bộ Thôn 2", "cell", t.commune)
        assert commune.parent_id == t.district and cell.path.startswith(f"/{t.province}/{t.district}/")
        for parent in (t.district2, t.commune2, t.province, None):
            with pytest.raises(PermissionDenied):
                create_unit(s, officer, "Không được", "cell", parent)
        with pytest.raises(NotFound):
            create_unit(s, officer, "Không có cha", "cell", 999)


def test_members_and_strangers_cannot_create_anything(db: Database) -> None:
    with db.session() as s:
        t = build_tree(s)
        member = make_member(s, "20", t.cell, "member")
        stranger = person(s, "21")
        for actor in (member, stranger):
            with pytest.raises(PermissionDenied):
                create_unit(s, actor, "Chi bộ X", "cell", t.cell)
            for unit_id, role in ((t.cell, "member"), (t.cell, "officer"), (t.province, "member")):
                with pytest.raises(PermissionDenied):
                    create_invite(s, actor, unit_id, role)


def test_admin_creates_roots_and_invites_anywhere(db: Database) -> None:
    with db.session() as s:
        t = build_tree(s)
        admin = person(s, "1")
        assert admin.is_admin and admin.memberships == ()
        root = create_unit(s, admin, "Thành phố Cảng", "province", None)
        assert root.parent_id is None and root.path == f"/{root.id}/"
        invite = create_invite(s, admin, t.province, "officer")
        assert invite.created_by_person_id == admin.person_id


def test_officer_invites(db: Database) -> None:
    with db.session() as s:
        t = build_tree(s)
        officer = make_member(s, "10", t.district, "officer")
        member_code = create_invite(s, officer, t.district, "member", now=T0)
        assert member_code.expires_at == T0 + timedelta(days=7)
        assert member_code.created_by_person_id == officer.person_id
        assert create_invite(s, officer, t.cell, "member", max_uses=30).max_uses == 30
        # Officers for strict sub-units only, never for their own unit.
        assert create_invite(s, officer, t.commune, "officer").role == "officer"
        with pytest.raises(PermissionDenied):
            create_invite(s, officer, t.district, "officer")
        for unit_id in (t.district2, t.commune2, t.province):
            for role in ("member", "officer"):
                with pytest.raises(PermissionDenied):
                    create_invite(s, officer, unit_id, role)
        with pytest.raises(NotFound):
            create_invite(s, officer, 999, "member")
        with pytest.raises(InvalidInput):
            create_invite(s, officer, t.cell, "member", max_uses=0)
        with pytest.raises(InvalidInput):
            create_invite(s, officer, t.cell, "boss")
        # An officer of the province and of a district under it may mint district officers.
        both = make_member(s, "11", t.province, "officer")
        both = join_with_code(s, both, admin_create_invite(s, t.district, "officer").code).actor
        assert create_invite(s, both, t.district, "officer").unit_id == t.district


def test_codes_look_right_and_are_typed_loosely(db: Database) -> None:
    with db.session() as s:
        t = build_tree(s)
        code = admin_create_invite(s, t.cell, "member").code
        assert len(code) == CODE_LENGTH and set(code) <= set(CODE_ALPHABET)
        assert not set(code) & set("0O1IL")
        typed = f" {code[:4].lower()}-{code[4:]} "
        result = join_with_code(s, person(s, "30"), typed)
        assert result.unit.id == t.cell
        assert result.role == "member" and result.actor.memberships == ((t.cell, "member"),)


def test_invalid_codes(db: Database) -> None:
    with db.session() as s:
        t = build_tree(s)
        joiner = person(s, "40")
        expired = admin_create_invite(s, t.cell, "member", expires_in=timedelta(days=1), now=T0).code
        revoked = admin_create_invite(s, t.cell, "member").code
        single = admin_create_invite(s, t.cell, "member", max_uses=1).code
        admin = person(s, "1")
        revoke_invite(s, admin, revoked)

        cases = {"ZZZZ2345": "unknown", revoked: "revoked", expired: "expired"}
        for code, reason in cases.items():
            with pytest.raises(InviteInvalid) as caught:
                join_with_code(s, joiner, code, now=T0 + timedelta(days=2))
            assert caught.value.reason == reason and caught.value.message
        # Still valid a moment before it expires.
        join_with_code(s, joiner, expired, now=T0 + timedelta(hours=23))

        join_with_code(s, person(s, "41"), single)
        with pytest.raises(InviteInvalid) as caught:
            join_with_code(s, person(s, "42"), single)
        assert caught.value.reason == "used_up"
        invite = s.exec(select(InviteCode).where(InviteCode.code == single)).one()
        assert invite.uses == 1
        assert s.exec(select(Membership).where(Membership.person_id == person(s, "42").person_id)).all() == []


def test_revoke_needs_rights(db: Database) -> None:
    with db.session() as s:
        t = build_tree(s)
        code = admin_create_invite(s, t.commune2, "member").code
        officer = make_member(s, "10", t.district, "officer")
        with pytest.raises(PermissionDenied):
            revoke_invite(s, officer, code)
        own = create_invite(s, officer, t.cell, "member").code
        assert revoke_invite(s, officer, own).revoked
        with pytest.raises(NotFound):
            revoke_invite(s, officer, "NOPE2345")


def test_join_keeps_the_higher_role(db: Database) -> None:
    with db.session() as s:
        t = build_tree(s)
        officer = make_member(s, "50", t.commune, "officer")
        again = join_with_code(s, officer, admin_create_invite(s, t.commune, "member").code)
        assert again.role == "officer"
        member = make_member(s, "51", t.commune, "member")
        promoted = join_with_code(s, member, admin_create_invite(s, t.commune, "officer").code)
        assert promoted.role == "officer" and promoted.actor.is_officer
        # Several units: innermost first.
        both = join_with_code(s, promoted.actor, admin_create_invite(s, t.cell, "member").code)
        assert both.actor.memberships == ((t.cell, "member"), (t.commune, "officer"))
        rows = s.exec(select(Membership).where(Membership.person_id == member.person_id)).all()
        assert len(rows) == 2


def test_scope_queries(db: Database) -> None:
    with db.session() as s:
        t = build_tree(s)
        officer = make_member(s, "10", t.district, "officer")
        member = make_member(s, "11", t.cell, "member")
        admin = person(s, "1")
        assert officer_scope(s, officer) == [t.district, t.commune, t.cell]
        assert officer_scope(s, member) == []
        assert officer_scope(s, admin) == [t.province, t.district, t.commune, t.cell, t.district2, t.commune2]
        assert can_act_on(s, officer, t.cell) and not can_act_on(s, officer, t.commune2)
        assert not can_act_on(s, officer, t.province) and not can_act_on(s, member, t.cell)
        assert not can_act_on(s, admin, 999) and can_act_on(s, admin, t.commune2)
        assert [u.id for u in list_units(s, officer)] == [t.district, t.commune, t.cell]
        assert [u.id for u in list_units(s, member)] == [t.cell]  # their own unit, read-only
        tree = unit_tree_text(s, officer)
        assert tree.splitlines()[0].startswith(f"[{t.district}] Huyện Đông Hà (huyện) — 1 cán bộ")
        assert tree.splitlines()[2] == f"    [{t.cell}] Chi bộ Thôn 1 (chi bộ) — 0 cán bộ, 1 đảng viên"
        assert "Tây Sơn" not in tree and "Tây Sơn" in unit_tree_text(s, None)


def link(s: Session, owner: Actor, joiner: Actor, code: str, when: datetime) -> int:
    """/lienket <code> from the joiner, «Đồng ý» from the owner; the request's id."""
    request = request_link(s, joiner, code, now=when)
    assert decide(s, owner, request.request_id, True, now=when).status == "accepted"
    return request.request_id


def test_link_code_merges_a_second_platform_into_the_same_person(db: Database) -> None:
    with db.session() as s:
        t = build_tree(s)
        on_telegram = make_member(s, "60", t.commune, "officer")
        code = link_code(s, on_telegram, now=T0)
        assert code.startswith("LK-") and len(code) == 12
        # The same human on Zalo: a fresh person who already joined a cell there, voted once.
        on_zalo = make_member(s, "zalo-60", t.cell, "member", platform="zalo")
        question = log_question(s, on_zalo, "zalo", "c1", "Hỏi thử", latency_ms=5, answered=True)
        record_feedback(s, on_zalo, question, 1)
        old_person = on_zalo.person_id
        assert old_person != on_telegram.person_id

        prompt = request_link(s, on_zalo, code.lower(), now=T0 + timedelta(minutes=5))
        # The owner is asked, seeing who asks and what that account holds.
        assert (prompt.joiner.platform, prompt.joiner.display_name) == ("zalo", "Người zalo-60")
        assert prompt.joiner_roles == (("Chi bộ Thôn 1", "member"),)
        assert [o.platform for o in prompt.owners] == ["telegram"]
        # Nothing moved yet.
        assert person(s, "zalo-60", platform="zalo").person_id == old_person
        decision = decide(s, on_telegram, prompt.request_id, True, now=T0 + timedelta(minutes=6))
        assert decision.status == "accepted"
        assert decision.actor.memberships == ((t.cell, "member"), (t.commune, "officer"))
        # Next time Zalo identifies this user, it is the same person, officer rights included.
        again = person(s, "zalo-60", platform="zalo")
        assert again.person_id == on_telegram.person_id and again.is_officer
        assert again.memberships == ((t.cell, "member"), (t.commune, "officer"))
        assert create_invite(s, again, t.cell, "officer").unit_id == t.cell
        # The person left behind is gone; their question and vote moved.
        assert s.get(Person, old_person) is None
        assert s.exec(select(QuestionLog.person_id)).all() == [on_telegram.person_id]
        assert s.exec(select(Feedback.person_id)).all() == [on_telegram.person_id]
        identities = s.exec(select(Identity).where(Identity.person_id == on_telegram.person_id)).all()
        assert sorted(i.platform for i in identities) == ["telegram", "zalo"]

        with pytest.raises(InviteInvalid) as caught:  # one use only
            request_link(s, person(s, "zalo-61", platform="zalo"), code, now=T0 + timedelta(minutes=6))
        assert caught.value.reason == "used_up"


def test_link_code_limits(db: Database) -> None:
    with db.session() as s:
        t = build_tree(s)
        owner = make_member(s, "70", t.cell, "member")
        code = link_code(s, owner, now=T0)
        with pytest.raises(InviteInvalid) as caught:
            request_link(s, owner, code, now=T0)
        assert caught.value.reason == "same_person"
        with pytest.raises(InviteInvalid) as caught:  # already has a telegram identity
            request_link(s, person(s, "71"), code, now=T0)
        assert caught.value.reason == "platform_taken"
        with pytest.raises(InviteInvalid) as caught:  # 15 minutes only
            request_link(s, person(s, "z70", platform="zalo"), code, now=T0 + timedelta(minutes=16))
        assert caught.value.reason == "expired"
        assert caught.value.message == service_texts.LINK_CODE_STALE  # told as a link code
        with pytest.raises(InviteInvalid) as caught:  # a made-up code: a link code's wording
            request_link(s, person(s, "z71", platform="zalo"), "LK-ZZZZ-2345", now=T0)
        assert (caught.value.reason, caught.value.message) == (
            "unknown", service_texts.LINK_CODE_UNKNOWN)
        newer = link_code(s, owner, now=T0)
        with pytest.raises(InviteInvalid) as caught:  # a new code revokes the older one
            request_link(s, person(s, "z70", platform="zalo"), code, now=T0 + timedelta(minutes=1))
        assert caught.value.reason == "revoked"
        # Typed without its "LK" prefix, the link code is still found.
        link(s, owner, person(s, "z70", platform="zalo"), newer[3:], T0 + timedelta(minutes=1))
        linked = person(s, "z70", platform="zalo")
        assert linked.person_id == owner.person_id
        assert linked.memberships == ((t.cell, "member"),)


def test_link_and_invite_codes_are_not_interchangeable(db: Database) -> None:
    """A member's link code handed to an officer "as an invite" does nothing through /dangky;
    an invite given to /lienket is refused too; neither is spent."""
    with db.session() as s:
        t = build_tree(s)
        member = make_member(s, "80", t.cell, "member")
        officer = make_member(s, "z81", t.district, "officer", platform="zalo")
        code = link_code(s, member, now=T0)
        for typed in (code, code[3:], code.replace("-", " ").lower()):
            with pytest.raises(InviteInvalid) as caught:
                join_with_code(s, officer, typed, now=T0)
            assert caught.value.reason == "link_code"
        invite = admin_create_invite(s, t.cell, "member").code
        with pytest.raises(InviteInvalid) as caught:
            request_link(s, officer, invite, now=T0)
        assert caught.value.reason == "invite_code"
        rows = {c.kind: c.uses for c in s.exec(select(InviteCode)).all() if c.kind == "link"}
        assert rows == {"link": 0}
        assert person(s, "80").memberships == ((t.cell, "member"),)
        assert person(s, "z81", platform="zalo").memberships == ((t.district, "officer"),)


def test_only_the_owner_confirms_a_link_and_a_refusal_moves_nothing(db: Database) -> None:
    with db.session() as s:
        t = build_tree(s)
        officer = make_member(s, "90", t.district, "officer")
        stranger = make_member(s, "z99", t.cell, "member", platform="zalo")
        other = make_member(s, "91", t.cell, "member")
        code = link_code(s, officer, now=T0)
        prompt = request_link(s, stranger, code, now=T0)  # e.g. the code was seen in a group
        for not_owner in (stranger, other):
            with pytest.raises(PermissionDenied):
                decide(s, not_owner, prompt.request_id, True, now=T0)
        assert decide(s, officer, prompt.request_id, False, now=T0).status == "declined"
        with pytest.raises(InvalidInput):  # answered once only
            decide(s, officer, prompt.request_id, True, now=T0)
        assert person(s, "z99", platform="zalo").memberships == ((t.cell, "member"),)
        assert person(s, "90").memberships == ((t.district, "officer"),)
        # The joiner may withdraw; a request not answered in 15 minutes lapses.
        second = request_link(s, stranger, link_code(s, officer, now=T0), now=T0)
        assert cancel(s, stranger, second.request_id, now=T0).status == "cancelled"
        with pytest.raises(InvalidInput):
            decide(s, officer, second.request_id, True, now=T0)
        third = request_link(s, stranger, link_code(s, officer, now=T0), now=T0)
        with pytest.raises(PermissionDenied):  # only the joiner withdraws
            cancel(s, officer, third.request_id, now=T0)
        with pytest.raises(InvalidInput):
            decide(s, officer, third.request_id, True, now=T0 + timedelta(minutes=16))
        assert not person(s, "z99", platform="zalo").is_officer


def test_invite_uses_default_by_role_and_are_bounded(db: Database) -> None:
    with db.session() as s:
        t = build_tree(s)
        assert admin_create_invite(s, t.district, "officer").max_uses == 1
        assert admin_create_invite(s, t.cell, "member").max_uses == 50
        assert admin_create_invite(s, t.district, "officer", max_uses=3).max_uses == 3
        for bad in (0, -1, 1001, 10**20):
            with pytest.raises(InvalidInput):
                admin_create_invite(s, t.cell, "member", max_uses=bad)
        officer_code = admin_create_invite(s, t.district, "officer").code
        join_with_code(s, person(s, "101"), officer_code)
        with pytest.raises(InviteInvalid) as caught:  # single use by default
            join_with_code(s, person(s, "102"), officer_code)
        assert caught.value.reason == "used_up"
