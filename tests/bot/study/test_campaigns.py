"""Campaigns through the services on a real SQLite database: who takes part (each person
once, in their innermost unit; late joiners), the first deliveries written to the broadcast
outbox, check-in codes, the roll call, self-study and reminders, completion rolled up the
unit tree with the exempt out of every denominator."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import Session, col, select

from bot.broadcast.models import Broadcast, Delivery
from bot.services import exemptions, people, units
from bot.services.code_guard import GuardPolicy, redeem
from bot.services.errors import CodeLocked, InvalidInput, PermissionDenied
from bot.storage.models import Person, utcnow
from bot.study import announce, attendance, completion, members, service
from bot.study import messages as texts
from bot.study.attendance import SessionCodeInvalid
from bot.study.models import StudyParticipant
from tests.bot.broadcast.world import add_members
from tests.bot.study.conftest import CONFIG, SECRETARY, Stage, open_campaign

RULES = CONFIG.attendance


def _person(stage: Stage, user_id: str, platform: str = "telegram") -> int:
    return stage.actor(user_id, platform).person_id


def _participants(stage: Stage, campaign_id: int) -> dict[int, StudyParticipant]:
    return {p.person_id: p for p in stage.db.call(lambda s: s.exec(select(StudyParticipant).where(
        StudyParticipant.campaign_id == campaign_id)).all())}


def _bulletins(stage: Stage, campaign_id: int) -> list[tuple[Broadcast, list[Delivery]]]:
    def read(session: Session) -> list[tuple[Broadcast, list[Delivery]]]:
        found = session.exec(select(Broadcast).where(Broadcast.feature == "study")
                             .order_by(col(Broadcast.id))).all()
        return [(b, list(session.exec(select(Delivery).where(Delivery.broadcast_id == b.id)
                                      .order_by(col(Delivery.id))).all())) for b in found]
    return stage.db.call(read)


def test_opening_counts_each_person_once_and_fills_the_outbox(stage: Stage) -> None:
    w = stage.world
    campaign_id = open_campaign(stage)
    rows = _participants(stage, campaign_id)
    by_unit: dict[int, int] = {}
    for row in rows.values():
        by_unit[row.unit_id] = by_unit.get(row.unit_id, 0) + 1
    # The cell: 4 Telegram members, the silent one, 2 on Zalo, the secretary; the member on
    # both platforms once. Xã Tân Lập: 3 + 2. The district: its two officers.
    assert by_unit == {w.cell: 8, w.commune2: 5, w.district: 2}
    linked = _person(stage, w.members[w.cell][0])
    assert rows[linked].unit_id == w.cell
    bulletins = _bulletins(stage, campaign_id)
    assert [len(d) for _, d in bulletins] == [15, 3]  # private chats; the groups' notice
    private, groups = bulletins
    assert {(d.platform, d.chat_id) for d in groups[1]} == {
        ("telegram", "-5001"), ("telegram", "-5002"), ("zalo", "zg-tan-lap")}
    chats = [(d.platform, d.chat_id) for d in private[1]]
    assert ("telegram", w.silent[0]) not in chats  # never wrote to the bot: nothing to send
    assert chats.count(("zalo", f"z-linked-{w.members[w.cell][0]}")) == 1  # both accounts
    assert ("telegram", w.members[w.cell][0]) in chats
    text = private[0].text
    assert text.startswith(f"📚 Đợt học tập #{campaign_id}: Học tập, quán triệt Chỉ thị 05-CT/TW")
    assert "Bố cục: I. MỤC ĐÍCH, YÊU CẦU; II. NHIỆM VỤ, GIẢI PHÁP; III. TỔ CHỨC THỰC HIỆN" in text
    assert "Thời gian qua, công tác tuyên truyền phòng, chống thiên tai" in text
    assert private[0].actions_json == f'[["📖 Xem văn bản", "sh:doc:{campaign_id}"]]'
    assert private[0].plain_text.endswith(f"Gõ /hoctap {campaign_id} để xem văn bản.")
    assert all(r.notified_at is not None for p, r in rows.items()
               if p != _person(stage, w.silent[0]))


def test_people_who_join_later_or_write_first_later_get_the_campaign(stage: Stage) -> None:
    w = stage.world
    campaign_id = open_campaign(stage)
    stage.db.call(lambda s: add_members(s, w.commune2, ["2001"]))  # joined after the start
    stage.db.call(people.record_chat, "telegram", w.silent[0], "private")  # finally wrote

    def tick(session: Session) -> tuple[int, int]:
        campaign = service.find(session, campaign_id)
        service.sync_participants(session, campaign)
        return announce.announce_pending(session, campaign, stage.study.queue, utcnow())

    assert stage.db.call(tick) == (2, 0)  # the groups were told already
    assert stage.db.call(tick) == (0, 0)  # once
    rows = _participants(stage, campaign_id)
    late = rows[_person(stage, "2001")]
    assert late.late and late.unit_id == w.commune2


def _codes(stage: Stage, campaign_id: int) -> dict[int, str]:
    return {u: stage.session_of(campaign_id, u).code
            for u in (stage.world.cell, stage.world.commune2)}


def test_a_code_checks_in_only_its_own_session_and_only_in_time(stage: Stage) -> None:
    w = stage.world
    now = utcnow()
    campaign_id = open_campaign(stage, session_in=timedelta(hours=1), now=now)
    codes = _codes(stage, campaign_id)
    member = stage.actor(w.members[w.cell][1])
    other = stage.actor(w.members[w.commune2][0])

    def check(actor, code, at):  # type: ignore[no-untyped-def]
        return stage.db.call(attendance.check_in, actor, code, rules=RULES, now=at)

    campaign, again = check(member, codes[w.cell].lower(), now)  # typed in lower case
    assert campaign.id == campaign_id and not again
    assert check(member, codes[w.cell], now)[1] is True
    with pytest.raises(SessionCodeInvalid) as refused:
        check(other, codes[w.cell], now)  # a real code, but another cell's
    assert refused.value.reason == "other_session" and str(refused.value) == texts.CODE_OTHER_SESSION
    with pytest.raises(SessionCodeInvalid, match="không đúng"):
        check(other, "ZZZZZZ", now)
    with pytest.raises(InvalidInput) as early:
        check(other, codes[w.commune2], now - timedelta(hours=2))
    assert str(early.value).startswith("Chưa đến giờ sinh hoạt")
    with pytest.raises(InvalidInput) as late:
        check(other, codes[w.commune2], now + timedelta(hours=5, minutes=1))
    assert str(late.value).startswith("Buổi sinh hoạt này đã kết thúc điểm danh lúc")
    assert f"/hoctap {campaign_id}" in str(late.value)
    assert _participants(stage, campaign_id)[member.person_id].attendance_via == "code"


def test_guessing_session_codes_locks_the_guesser_out(stage: Stage) -> None:
    w = stage.world
    campaign_id = open_campaign(stage)
    codes = _codes(stage, campaign_id)
    guesser = stage.actor(w.members[w.commune2][1])
    policy = GuardPolicy(per_person=3, per_chat=20)

    def attempt(code: str):  # type: ignore[no-untyped-def]
        return stage.db.call(redeem, policy, guesser, "telegram", guesser.platform_user_id, code,
                             lambda s, a, c: attendance.check_in(s, a, c, rules=RULES))

    assert isinstance(attempt("AAAAAA"), SessionCodeInvalid)
    assert isinstance(attempt(codes[w.cell]), SessionCodeInvalid)  # another session's: counted
    assert isinstance(attempt("BBBBBB"), SessionCodeInvalid)
    with pytest.raises(CodeLocked):
        attempt(codes[w.commune2])  # even the right code, while locked out
    assert _participants(stage, campaign_id)[guesser.person_id].attendance is None


def test_roll_call_self_study_and_completion_rolled_up(stage: Stage) -> None:
    w = stage.world
    now = utcnow()
    campaign_id = open_campaign(stage, now=now)
    cell = stage.session_of(campaign_id, w.cell)
    secretary = stage.actor(SECRETARY)
    m = [stage.actor(u) for u in w.members[w.cell]]
    zalo = [stage.actor(u, "zalo") for u in stage.zalo.members[w.cell]]
    db = stage.db
    db.call(attendance.check_in, m[1], cell.code, rules=RULES, now=now)
    db.call(attendance.set_attendance, secretary, cell.id, m[0].person_id, "present")
    db.call(attendance.set_attendance, secretary, cell.id, m[2].person_id, "absent", reason="ốm")
    db.call(attendance.set_attendance, secretary, cell.id, m[3].person_id, "exempt")
    assert db.call(exemptions.exempt_people, [m[3].person_id]) == {m[3].person_id}
    with pytest.raises(PermissionDenied):  # the secretary of the cell has no say in Tân Lập
        db.call(attendance.rest_present, secretary,
                stage.session_of(campaign_id, w.commune2).id)
    counts = db.call(attendance.close_roll, secretary, cell.id)
    # Absent: m[2], the silent member, the two Zalo members, the secretary himself.
    assert counts == {"present": 2, "absent": 5, "exempt": 1}
    queued = db.call(lambda s: announce.send_self_study(s, service.find(s, campaign_id),
                                                        stage.study.queue, utcnow()))
    assert queued == 4  # m[2], two on Zalo, the secretary; the silent member has no chat
    bulletin, deliveries = _bulletins(stage, campaign_id)[-1]
    assert bulletin.actions_json == (f'[["📖 Xem văn bản", "sh:doc:{campaign_id}"], '
                                     f'["✅ Đã học", "sh:done:{campaign_id}"], '
                                     f'["📝 Làm bài kiểm tra", "sh:q:{campaign_id}"]]')
    assert f"Gõ /hoctap {campaign_id} để xem văn bản và làm bài kiểm tra" in bulletin.plain_text
    assert db.call(lambda s: announce.send_self_study(s, service.find(s, campaign_id),
                                                      stage.study.queue, utcnow())) == 0
    assert db.call(members.confirm_done, zalo[0], None) == texts.DONE_THANKS.format(
        id=campaign_id, title="Học tập, quán triệt Chỉ thị 05-CT/TW")
    assert db.call(members.confirm_done, zalo[0], None) == texts.DONE_AGAIN.format(id=campaign_id)
    assert db.call(members.confirm_done, m[0], None) == texts.DONE_PRESENT.format(id=campaign_id)

    report = db.call(lambda s: completion.compute(s, service.find(s, campaign_id)))
    lines = {line.name: line.figures for line in report.lines}
    assert lines["Chi bộ thôn Đông"] == completion.Figures(members=8, exempt=1, attended=2,
                                                           self_studied=1, passed=0)
    assert lines["Xã Hòa Bình"] == lines["Chi bộ thôn Đông"]  # rolled up from its cell
    assert lines["Huyện Đông Hà"] == completion.Figures(members=15, exempt=1, attended=2,
                                                        self_studied=1, passed=0)
    assert report.total.due == 14 and report.total.not_yet == 11
    assert report.total.pct(report.total.done) == 21.4  # 3 of 14, the exempt left out
    table = completion.text(report)
    assert ("Toàn bộ: 15 đảng viên, 1 miễn sinh hoạt; dự học 2 (14,3%), tự học 1 (7,1%), "
            "đạt kiểm tra 0 (0,0%), hoàn thành 3 (21,4%), chưa học 11 (78,6%).") in table
    assert "    Chi bộ thôn Đông: 3/7 (42,9%) — dự 2, tự học 1, đạt KT 0, chưa 4, miễn 1" in table
    # A cell's secretary sees only their own units.
    scope = db.call(units.scope_paths, secretary)
    mine = db.call(lambda s: completion.compute(s, service.find(s, campaign_id), scope))
    assert [line.name for line in mine.lines] == ["Chi bộ thôn Đông"] and mine.total.members == 8


def test_reminders_go_once_per_offset_to_absentees_not_done(stage: Stage) -> None:
    w = stage.world
    now = utcnow()
    campaign_id = open_campaign(stage, deadline=timedelta(days=5), now=now)
    cell = stage.session_of(campaign_id, w.cell)
    stage.db.call(attendance.close_roll, stage.actor(SECRETARY), cell.id, now)

    def run(at):  # type: ignore[no-untyped-def]
        def go(session: Session) -> tuple[int, int]:
            campaign = service.find(session, campaign_id)
            sent = announce.send_self_study(session, campaign, stage.study.queue, at)
            return sent, announce.send_reminders(session, campaign, stage.study.queue,
                                                 CONFIG.reminders, at)
        return stage.db.call(go)

    assert run(now) == (8, 0)  # self-study: every chat of the absentees; no reminder yet
    done = stage.actor(w.members[w.cell][2])
    stage.db.call(members.confirm_done, done, campaign_id)
    assert run(now + timedelta(days=2, hours=1)) == (0, 7)  # 72 h before: one fewer
    assert run(now + timedelta(days=2, hours=2)) == (0, 0)
    text = _bulletins(stage, campaign_id)[-1][0].text
    assert text.startswith(f"⏰ Nhắc tự học: đợt học tập #{campaign_id}")
    assert "Còn 2 ngày đến hạn hoàn thành" in text
    assert run(now + timedelta(days=4, hours=1)) == (0, 7)  # 24 h before
    assert "Còn 23 giờ đến hạn hoàn thành" in _bulletins(stage, campaign_id)[-1][0].text
    assert run(now + timedelta(days=4, hours=23)) == (0, 0)
    assert stage.campaign(campaign_id).reminders_sent == 2


def test_a_cell_officer_cannot_start_a_campaign_above_their_cell(stage: Stage) -> None:
    secretary = stage.actor(SECRETARY)
    with pytest.raises(PermissionDenied):
        open_campaign(stage, author=SECRETARY, units=[stage.world.district])
    with pytest.raises(PermissionDenied):
        stage.db.call(service.create_draft, stage.actor(stage.world.members[stage.world.cell][0]))
    campaign_id = open_campaign(stage)
    with pytest.raises(PermissionDenied):
        stage.db.call(service.get, secretary, campaign_id)
    assert stage.db.call(lambda s: service.visible_units(s, secretary, service.find(s, campaign_id))) \
        == [stage.world.cell]


def test_exemption_flags_stay_in_the_officers_subtree(stage: Stage) -> None:
    w = stage.world
    member = _person(stage, w.members[w.commune2][0])
    secretary = stage.actor(SECRETARY)
    with pytest.raises(PermissionDenied):
        stage.db.call(exemptions.set_exempt, secretary, member, w.commune2)
    assert stage.db.call(exemptions.set_exempt, stage.actor("901"), member, w.commune2, "ốm dài ngày")
    assert not stage.db.call(exemptions.set_exempt, None, member, w.commune2)
    name = stage.db.call(lambda s: s.get(Person, member).display_name)
    assert (member, name, "member", True) in stage.db.call(exemptions.members_of, w.commune2)
    assert stage.db.call(exemptions.clear_exempt, stage.actor("901"), member, w.commune2)
    assert stage.db.call(exemptions.exempt_people, [member]) == set()


def test_a_member_of_two_units_is_counted_once(stage: Stage) -> None:
    """A cell member who also belongs to Xã Tân Lập: one participant row, one message to
    their chat, one line in the report's totals."""
    from bot.storage.models import Membership

    w = stage.world
    person = _person(stage, w.members[w.cell][1])
    stage.db.call(lambda s: s.add(Membership(person_id=person, unit_id=w.commune2, role="member")))
    campaign_id = open_campaign(stage)
    rows = [r for r in _participants(stage, campaign_id).values() if r.person_id == person]
    assert len(rows) == 1
    private = _bulletins(stage, campaign_id)[0][1]
    assert [(d.platform, d.chat_id) for d in private].count(("telegram", w.members[w.cell][1])) == 1
    report = stage.db.call(lambda s: completion.compute(s, service.find(s, campaign_id)))
    assert report.total.members == 15  # as before: the second membership adds no one
