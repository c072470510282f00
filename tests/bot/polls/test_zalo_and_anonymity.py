"""Zalo votes (numbered replies through the real Zalo adapter) and how anonymous polls count
them. The anonymity guarantee itself (after the close nothing in any table, the SQLite file
and WAL, PostgreSQL's files or the logs links a voter to a choice) is replayed as a database
reader would try it in tests/security/test_anonymous_polls.py."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import select

from bot.core.types import IncomingPollUpdate
from bot.polls import results, service
from bot.polls.models import Poll, PollVote
from bot.storage.models import QuestionLog, utcnow
from bot.polls import messages as poll_texts
from tests.bot.broadcast.world import add_members, add_person
from tests.bot.polls.conftest import WAIT, Polls, channels, officer


def _open(p: Polls, *, anonymous: bool, multiple: bool = False) -> int:
    actor = officer(p)
    poll = p.db.call(service.create, actor, question="Mức độ hài lòng với buổi học tập nghị quyết?",
                     options=["Rất hài lòng", "Hài lòng", "Chưa hài lòng"], anonymous=anonymous,
                     multiple=multiple, closes_at=utcnow() + timedelta(hours=2),
                     unit_ids=[p.world.cell], origin=("zalo", "z-officer"))
    assert poll.id is not None
    p.db.call(service.open_poll, actor, poll.id)
    return poll.id


async def _say(p: Polls, handled, chat: str, user: str, said: str, group: bool = False,  # type: ignore[no-untyped-def]
               reply: bool = True) -> str:
    """Send as a member; the bot's answer (waited for), or "" when none is expected."""
    before = len(p.zalo.sent_texts(chat))
    p.zalo.text_update(chat, user, said, chat_type="GROUP" if group else "PRIVATE")
    if not reply:  # group chatter: the adapter drops it before the core sees it
        return ""
    await handled.wait(1)
    return await p.zalo._until(
        lambda: sent[-1] if len(sent := p.zalo.sent_texts(chat)) > before else None, WAIT)


async def test_zalo_votes_are_confirmed_changed_and_checked(polls: Polls) -> None:
    p = polls
    poll_id = _open(p, anonymous=False)
    await p.runner.tick()
    async with channels(p) as handled:
        assert await _say(p, handled, "z-7001", "z-7001", "1") == poll_texts.POLL_VOTE_RECORDED.format(choice="1", id=poll_id)
        assert await _say(p, handled, "z-7001", "z-7001", "2") == poll_texts.POLL_VOTE_CHANGED.format(choice="2", id=poll_id)
        assert await _say(p, handled, "z-7001", "z-7001", "1,1") == poll_texts.POLL_VOTE_REPEATED
        assert await _say(p, handled, "z-7001", "z-7001", "7") == poll_texts.POLL_VOTE_UNKNOWN.format(id=poll_id, count=3)
        assert await _say(p, handled, "z-7001", "z-7001", "1 3") == poll_texts.POLL_VOTE_TOO_MANY.format(id=poll_id)
        # In the group: a bare number from anyone is a vote (no mention needed).
        assert await _say(p, handled, "zg-cell", "z-7003", "3", group=True) == \
            poll_texts.POLL_VOTE_RECORDED.format(choice="3", id=poll_id)
        await _say(p, handled, "zg-cell", "z-7003", "chào cả nhà", group=True, reply=False)
        p.db.call(service.close, officer(p), poll_id)
        assert await _say(p, handled, "z-7002", "z-7002", "1") == poll_texts.POLL_VOTE_CLOSED.format(id=poll_id)
        assert await _say(p, handled, "zg-cell", "z-7001", "2", group=True) == \
            poll_texts.POLL_VOTE_CLOSED.format(id=poll_id)
    # The poll, one confirmation, one "closed": members' chatter in the group got no answer.
    assert len(p.zalo.sent_texts("zg-cell")) == 3
    found = p.db.call(lambda s: results.compute(s, s.get(Poll, poll_id)))
    assert found.totals == [0, 1, 1] and found.voters == 2
    assert p.db.call(lambda s: s.exec(select(QuestionLog)).all()) == [], "votes are not questions"


async def test_an_open_poll_outranks_an_older_answers_number_hints(polls: Polls) -> None:
    p = polls
    async with channels(p) as handled:
        answer = await _say(p, handled, "z-7002", "z-7002", "Mỗi thôn có tổ xung kích phòng, chống thiên tai không?")
        assert "1: 👍" in answer  # the answer offers "Gõ 1: 👍 · 2: 👎 ..."
        poll_id = _open(p, anonymous=True)
        await p.runner.tick()
        assert await _say(p, handled, "z-7002", "z-7002", "1") == \
            poll_texts.POLL_VOTE_RECORDED.format(choice="1", id=poll_id)
    assert p.db.call(lambda s: s.exec(select(PollVote)).one().option_ids) == "0"


async def test_anonymous_group_poll_is_answered_in_private(polls: Polls) -> None:
    p = polls
    # A member who never wrote to the bot: the poll reaches them only through the group.
    p.db.call(lambda s: add_members(s, p.world.cell, ["z-7100"], known_chat=False, platform="zalo"))
    poll_id = _open(p, anonymous=True)
    await p.runner.tick()
    assert poll_texts.POLL_TEXT_ANSWER_IN_PRIVATE in p.zalo.sent_texts("zg-cell")[0]
    assert poll_texts.POLL_TEXT_ANSWER_IN_PRIVATE not in p.zalo.sent_texts("z-7001")[0]
    async with channels(p) as handled:
        assert await _say(p, handled, "z-7100", "z-7100", "2") == \
            poll_texts.POLL_VOTE_RECORDED.format(choice="2", id=poll_id)
    vote = p.db.call(lambda s: s.exec(select(PollVote)).one())
    assert vote.unit_id == p.world.cell and vote.option_ids == "1" and vote.person_id is None


async def test_results_merge_telegram_and_zalo_per_unit(polls: Polls) -> None:
    p = polls
    poll_id = _open(p, anonymous=True, multiple=True)
    await p.runner.tick()
    m1 = p.world.members[p.world.cell][0]
    async with channels(p) as handled:
        p.tg.vote(p.tg.poll_sent_to(int(m1))["id"], int(m1), [0, 1])
        await handled.wait(1)
        await _say(p, handled, "z-7001", "z-7001", "1, 3")
        await _say(p, handled, "zg-cell", "z-7002", "1", group=True)
    found = p.db.call(lambda s: results.compute(s, s.get(Poll, poll_id)))
    assert found.totals == [3, 1, 1] and found.voters == 3
    assert [(u.name, u.voters) for u in found.units] == [("Chi bộ thôn Đông", 3)]


async def test_a_zalo_officer_creates_a_poll_by_typing_numbers(polls: Polls) -> None:
    p = polls

    def zalo_officer(session) -> None:  # type: ignore[no-untyped-def]
        add_person(session, "z-officer", "Phạm Văn Dũng", p.world.commune2, "officer",
                   platform="zalo")

    p.db.call(zalo_officer)
    async with channels(p) as handled:
        said = await _say(p, handled, "z-officer", "z-officer",
                          "/khaosat Đồng chí có tham gia tổ tuyên truyền không?\nCó\nKhông")
        assert said.startswith(poll_texts.POLL_ASK_KIND) and "Gõ 1: Một phương án" in said
        await _say(p, handled, "z-officer", "z-officer", "1")
        await _say(p, handled, "z-officer", "z-officer", "2")  # named
        said = await _say(p, handled, "z-officer", "z-officer", "1")  # 1 hour
        assert said.startswith(poll_texts.POLL_ASK_UNITS) and "Xã Tân Lập" in said
        assert "Huyện Đông Hà" not in said  # only the officer's own subtree is offered
        said = await _say(p, handled, "z-officer", "z-officer", "1")
        assert said.startswith("XEM TRƯỚC KHẢO SÁT") and "Đơn vị: Xã Tân Lập" in said
        said = await _say(p, handled, "z-officer", "z-officer", "1")
        # 3 Telegram members, their Telegram group, and the officer (role officer) on Zalo
        assert said == poll_texts.POLL_OPENED.format(id=1, messages=5)
        # Results on Zalo: the table, then the chart's caption (Zalo cannot upload a PNG).
        said = await _say(p, handled, "z-officer", "z-officer", "/ketqua 1")
        assert said.startswith("📊 Kết quả khảo sát #1 (đang mở)")
        caption = poll_texts.POLL_CHART_FOOTER.format(id=1, voters=0)
        await p.zalo._until(lambda: True if caption in p.zalo.sent_texts("z-officer") else None, WAIT)
    poll = p.db.call(lambda s: s.get(Poll, 1))
    assert poll.status == "open" and not poll.anonymous and not poll.multiple


async def test_late_telegram_counts_after_the_close_change_nothing(polls: Polls) -> None:
    p = polls
    poll_id = _open(p, anonymous=True)
    await p.runner.tick()
    poll_ref = p.tg.poll_sent_to(int(p.world.members[p.world.cell][0]))["id"]
    await p.assistant.handle(IncomingPollUpdate("u1", "telegram", poll_ref, (1, 0, 0), 1))
    p.db.call(service.close, officer(p), poll_id)
    await p.assistant.handle(IncomingPollUpdate("u2", "telegram", poll_ref, (0, 5, 0), 5))
    found = p.db.call(lambda s: results.compute(s, s.get(Poll, poll_id)))
    assert found.totals == [1, 0, 0] and found.voters == 1
