"""The tables' own rules when two linked accounts' records collide (bot.services.person_merge):
what is kept (the earlier reading confirmation, the higher role, the better study record,
the report with submissions...), and what refuses the link (both voted in one named poll,
both submitted one report) with nothing moved — on SQLite and PostgreSQL, through the real
linking flow. Anonymous poll votes are never touched."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel import Session, col, select

from bot.ask.models import AnswerNotice, Conversation
from bot.broadcast.models import BroadcastRecipient
from bot.polls.models import Poll, PollVote
from bot.reports.models import OpinionCollaborator, ReportAssignment, ReportDraft, ReportInstance
from bot.storage.database import Database
from bot.storage.models import Identity, Membership, Person, utcnow
from bot.study.models import QuizAttempt, StudyParticipant
from tests.bot.person_rows import RowMaker, link, person

NOW = utcnow()


def _ago(minutes: int) -> datetime:
    return NOW - timedelta(minutes=minutes)


class Two:
    """The owner (Telegram, stays) and the joiner (Zalo, merged into the owner)."""

    def __init__(self, session: Session, n: int) -> None:
        self.owner = person(session, "telegram", f"{n}", "Chủ tài khoản").person_id
        self.joiner = person(session, "zalo", f"z-{n}", "Tài khoản mới").person_id
        bystander = person(session, "telegram", f"{n}9", "Người khác").person_id
        self.rows = RowMaker(session, bystander)
        self.session = session

    def parent(self, table: str) -> int:
        from sqlmodel import SQLModel

        return int(self.rows.make(SQLModel.metadata.tables[table], self.rows.bystander))


def test_colliding_rows_are_merged_by_each_tables_rule(database: Database) -> None:
    def stage(session: Session) -> dict[str, int]:
        t = Two(session, 8001)
        unit, broadcast = t.parent("unit"), t.parent("broadcast")
        campaign, answer = t.parent("study_campaign"), t.parent("official_answer")
        question, instance = t.parent("question_log"), t.parent("report_instance")
        add = session.add
        add(BroadcastRecipient(broadcast_id=broadcast, person_id=t.owner, unit_id=unit, role="member"))
        add(BroadcastRecipient(broadcast_id=broadcast, person_id=t.joiner, unit_id=unit, role="member",
                               confirmed_at=_ago(10), confirmed_platform="zalo"))
        add(Membership(person_id=t.owner, unit_id=unit, role="member"))
        add(Membership(person_id=t.joiner, unit_id=unit, role="officer", exempt_at=_ago(60),
                       exempt_reason="ốm dài ngày"))
        add(StudyParticipant(campaign_id=campaign, person_id=t.owner, unit_id=unit,
                             attendance="absent", best_score=1, notified_at=_ago(30)))
        add(StudyParticipant(campaign_id=campaign, person_id=t.joiner, unit_id=unit,
                             attendance="present", attendance_via="code", best_score=3,
                             quiz_passed_at=_ago(5), notified_at=_ago(50)))
        for person, number, score in ((t.owner, 1, 1), (t.joiner, 1, 2), (t.joiner, 2, 3)):
            add(QuizAttempt(campaign_id=campaign, person_id=person, number=number,
                            platform="zalo", chat_id="c", score=score))
        add(Conversation(platform="local", chat_id="g", person_id=t.owner, question="cũ",
                         updated_at=_ago(20)))
        add(Conversation(platform="local", chat_id="g", person_id=t.joiner, question="mới",
                         updated_at=_ago(2)))
        add(AnswerNotice(answer_id=answer, person_id=t.owner, question_id=question,
                         platform="local", chat_id="g"))
        add(AnswerNotice(answer_id=answer, person_id=t.joiner, question_id=question,
                         platform="local", chat_id="g", status="sent", sent_at=_ago(3)))
        add(OpinionCollaborator(person_id=t.owner, unit_id=unit, revoked_at=_ago(100)))
        add(OpinionCollaborator(person_id=t.joiner, unit_id=unit))
        owners = ReportAssignment(instance_id=instance, unit_id=unit, unit_name="Chi bộ",
                                  unit_path="/1/", person_id=t.owner, person_ref=t.owner)
        joiners = ReportAssignment(instance_id=instance, unit_id=unit, unit_name="Chi bộ",
                                   unit_path="/1/", person_id=t.joiner, person_ref=t.joiner,
                                   status="submitted", versions=1)
        add(owners)
        add(joiners)
        session.flush()
        add(ReportDraft(person_id=t.owner, assignment_id=owners.id, platform="telegram",
                        chat_id="8001"))
        session.flush()
        return {"owner": t.owner, "joiner": t.joiner, "campaign": campaign,
                "kept_assignment": int(joiners.id or 0)}

    ids = database.call(stage)
    decision = link(database, ("telegram", "8001"), ("zalo", "z-8001"))
    assert decision.status == "accepted"
    owner = ids["owner"]

    def check(session: Session) -> None:
        [recipient] = session.exec(select(BroadcastRecipient)).all()
        assert (recipient.person_id, recipient.confirmed_platform) == (owner, "zalo")
        assert recipient.confirmed_at == _ago(10)
        [membership] = session.exec(select(Membership).where(Membership.exempt_reason != None)).all()  # noqa: E711
        assert (membership.person_id, membership.role) == (owner, "officer")
        [participant] = session.exec(select(StudyParticipant)).all()
        assert (participant.person_id, participant.attendance, participant.attendance_via,
                participant.best_score) == (owner, "present", "code", 3)
        assert (participant.quiz_passed_at, participant.notified_at) == (_ago(5), _ago(50))
        attempts = session.exec(select(QuizAttempt.person_id, QuizAttempt.number, QuizAttempt.score)
                                .order_by(col(QuizAttempt.number))).all()
        assert [tuple(a) for a in attempts] == [(owner, 1, 1), (owner, 2, 2), (owner, 3, 3)]
        [conversation] = session.exec(select(Conversation)).all()
        assert (conversation.person_id, conversation.question) == (owner, "mới")
        [notice] = session.exec(select(AnswerNotice)).all()
        assert (notice.person_id, notice.status) == (owner, "sent")
        [collaborator] = session.exec(select(OpinionCollaborator)).all()
        assert (collaborator.person_id, collaborator.revoked_at) == (owner, None)
        [assignment] = session.exec(select(ReportAssignment)).all()
        assert (assignment.id, assignment.person_id, assignment.person_ref, assignment.versions) \
            == (ids["kept_assignment"], owner, owner, 1)
        [draft] = session.exec(select(ReportDraft)).all()
        assert (draft.person_id, draft.assignment_id) == (owner, ids["kept_assignment"])
        assert session.get(Person, ids["joiner"]) is None

    database.call(check)


def _refused(database: Database, n: int, make: object) -> tuple[object, int, int]:
    def stage(session: Session) -> tuple[int, int]:
        t = Two(session, n)
        make(t)  # type: ignore[operator]
        session.flush()
        return t.owner, t.joiner

    owner, joiner = database.call(stage)
    decision = link(database, ("telegram", f"{n}"), ("zalo", f"z-{n}"))
    return decision, owner, joiner


def _unmoved(database: Database, n: int, joiner: int) -> None:
    def check(session: Session) -> None:
        assert session.get(Person, joiner) is not None
        moved = session.exec(select(Identity.person_id).where(
            Identity.platform_user_id == f"z-{n}")).one()
        assert moved == joiner
    database.call(check)


def test_both_voted_in_one_named_poll_refuses_thelink(database: Database) -> None:
    def make(t: Two) -> None:
        poll = t.session.get(Poll, t.parent("poll"))
        assert poll is not None
        poll.anonymous, poll.number = False, 4
        t.session.add(poll)
        for person, key in ((t.owner, "telegram:8101"), (t.joiner, "zalo:z-8101")):
            t.session.add(PollVote(poll_id=poll.id, platform=key.split(":")[0], voter_key=key,
                                   person_id=person, option_ids="0"))
        # An anonymous poll's votes: no person, nothing the merge reads or writes.
        other = t.parent("poll")
        t.session.add(PollVote(poll_id=other, platform="zalo", voter_key="hmac-1", option_ids="1"))

    decision, owner, joiner = _refused(database, 8101, make)
    assert decision.status == "declined"  # type: ignore[attr-defined]
    assert decision.conflict == (  # type: ignore[attr-defined]
        "Chưa liên kết được: cả hai tài khoản đều đã bỏ phiếu trong khảo sát #4; gộp lại sẽ "
        "làm sai kết quả. Hai tài khoản vẫn để riêng như trước.")
    _unmoved(database, 8101, joiner)
    votes = database.call(lambda s: sorted((v.voter_key, v.person_id) for v in s.exec(select(PollVote))))
    assert votes == [("hmac-1", None), ("telegram:8101", owner), ("zalo:z-8101", joiner)]


def test_a_retracted_vote_does_not_block_thelink(database: Database) -> None:
    def make(t: Two) -> None:
        poll = t.parent("poll")
        t.session.add(PollVote(poll_id=poll, platform="telegram", voter_key="telegram:8201",
                               person_id=t.owner, option_ids="0"))
        t.session.add(PollVote(poll_id=poll, platform="zalo", voter_key="zalo:z-8201",
                               person_id=t.joiner, option_ids=""))  # retracted

    decision, owner, _ = _refused(database, 8201, make)
    assert decision.status == "accepted"  # type: ignore[attr-defined]
    people = database.call(lambda s: {v.person_id for v in s.exec(select(PollVote))})
    assert people == {owner}


def test_both_submitted_one_report_refuses_thelink(database: Database) -> None:
    def make(t: Two) -> None:
        unit, instance = t.parent("unit"), t.parent("report_instance")
        for person in (t.owner, t.joiner):
            t.session.add(ReportAssignment(instance_id=instance, unit_id=unit, unit_name="Chi bộ",
                                           unit_path="/1/", person_id=person, person_ref=person,
                                           status="submitted", versions=1))

    decision, _, joiner = _refused(database, 8301, make)
    request_id = database.call(lambda s: s.exec(select(ReportInstance.request_id)).one())
    assert decision.conflict == (  # type: ignore[attr-defined]
        "Chưa liên kết được: cả hai tài khoản đều đã nộp báo cáo cho cùng một kỳ của yêu cầu "
        f"báo cáo #{request_id}; gộp lại sẽ làm sai kết quả. Hai tài khoản vẫn để riêng như trước.")
    _unmoved(database, 8301, joiner)
