"""Several polls open in one Zalo chat, through the real Zalo adapter and the loopback server:
a bare number answers the newest (and the reply names the others), "#<mã> <số>" answers the
poll named, a closed or unknown number is told apart; each poll posted while another is open
there tells how to answer it by its number. Anonymous votes stay keyed, never named."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import select

from bot.channels.zalo.translate import ZaloTranslator
from bot.core.types import IncomingText
from bot.polls import messages as poll_texts
from bot.polls import results, service, votes
from bot.polls.models import Poll, PollVote
from bot.storage.models import utcnow
from tests.bot.broadcast.world import add_members
from tests.bot.polls.conftest import Polls, channels, officer
from tests.bot.polls.test_zalo_and_anonymity import _say


def _open(p: Polls, question: str, *, anonymous: bool, multiple: bool = False) -> int:
    actor = officer(p)
    poll = p.db.call(service.create, actor, question=question,
                     options=["Rất hài lòng", "Hài lòng", "Chưa hài lòng"], anonymous=anonymous,
                     multiple=multiple, closes_at=utcnow() + timedelta(hours=2),
                     unit_ids=[p.world.cell], origin=("zalo", "z-officer"))
    assert poll.id is not None
    p.db.call(service.open_poll, actor, poll.id)
    number = p.db.call(lambda s: s.get(Poll, poll.id).number)  # given at the opening
    assert number is not None
    return int(number)


def test_a_typed_answer_names_a_poll_only_with_its_hash_number() -> None:
    assert votes.read_typed("#12 2") == votes.TypedChoice(12, "2")
    assert votes.read_typed(" # 12: 1,3 ") == votes.TypedChoice(12, "1,3 ")
    assert votes.read_typed("#12-2") == votes.TypedChoice(12, "2")
    assert votes.read_typed("12 2") == votes.TypedChoice(None, "12 2")  # options 12 and 2
    assert votes.read_typed("#122") is None  # no separator: not a poll and a choice
    assert votes.read_typed("#12") is None and votes.read_typed("#12 hai") is None


def test_a_named_poll_in_a_group_without_polls_is_chatter(polls: Polls) -> None:
    """Nothing was posted to the group: "#3 1" there is not an answer (the core stays silent
    in a group); in a private chat it is told no such poll is there."""
    p = polls
    assert p.db.call(votes.typed_poll_in_chat, "zalo", "zg-none", "z-7001", False, 3) is None
    assert p.db.call(votes.typed_poll_in_chat, "zalo", "z-7001", "z-7001", True, 3) == \
        votes.TypedTarget(None, None)
    update = {"event_name": "message.text.received", "message": {
        "message_id": "m1", "from": {"id": "z-7001", "display_name": "An"},
        "chat": {"id": "zg-cell", "chat_type": "GROUP"}, "date": 1, "text": "#12 1,3"}}
    translated = ZaloTranslator(["Trợ lý"]).translate(update)
    assert translated is not None and isinstance(translated.incoming, IncomingText)
    assert translated.incoming.text == "#12 1,3" and not translated.incoming.addressed


async def test_several_open_polls_in_one_zalo_chat(polls: Polls) -> None:
    p = polls
    # A member who gets polls only through the group (never wrote to the bot).
    p.db.call(lambda s: add_members(s, p.world.cell, ["z-7100"], known_chat=False,
                                    platform="zalo"))
    first = _open(p, "Buổi học tập thứ nhất thế nào?", anonymous=False)
    await p.runner.tick()
    second = _open(p, "Buổi học tập thứ hai thế nào?", anonymous=True)
    await p.runner.tick()
    older, newer = p.zalo.sent_texts("z-7001")[-2:]
    # The first was alone when posted; the second says how to name it.
    assert poll_texts.POLL_TEXT_SINGLE in older and "#" + str(second) not in older
    assert poll_texts.POLL_TEXT_CODED_SINGLE.format(id=second) in newer
    assert poll_texts.POLL_TEXT_SINGLE not in newer
    group_text = p.zalo.sent_texts("zg-cell")[-1]
    assert poll_texts.POLL_TEXT_ANSWER_IN_PRIVATE_CODED.format(id=second) in group_text

    async with channels(p) as handled:
        # A bare number: the newest poll, and the reply names the other open one.
        assert await _say(p, handled, "z-7001", "z-7001", "2") == (
            poll_texts.POLL_VOTE_RECORDED.format(choice="2", id=second) + "\n"
            + poll_texts.POLL_VOTE_OTHERS_OPEN.format(others=f"#{first}", example=first))
        # Naming the older poll answers it, with no hint.
        assert await _say(p, handled, "z-7001", "z-7001", f"#{first} 1") == \
            poll_texts.POLL_VOTE_RECORDED.format(choice="1", id=first)
        assert await _say(p, handled, "z-7001", "z-7001", f"#{first}: 3") == \
            poll_texts.POLL_VOTE_CHANGED.format(choice="3", id=first)
        assert await _say(p, handled, "z-7001", "z-7001", f"#{first} 9") == \
            poll_texts.POLL_VOTE_UNKNOWN.format(id=first, count=3)
        # A number no poll here has, in the chat and in the group.
        assert await _say(p, handled, "z-7001", "z-7001", "#99 1") == \
            poll_texts.POLL_VOTE_NO_SUCH_POLL.format(id=99)
        assert await _say(p, handled, "zg-cell", "z-7002", "#99 1", group=True) == \
            poll_texts.POLL_VOTE_NO_SUCH_POLL.format(id=99)
        # In private, a group-only member names the anonymous group poll.
        assert await _say(p, handled, "z-7100", "z-7100", f"#{second} 1") == \
            poll_texts.POLL_VOTE_RECORDED.format(choice="1", id=second)
        # A closed poll named: said closed, the open one still answers.
        p.db.call(lambda s: service.close(s, officer(p), s.exec(
            select(Poll.id).where(Poll.number == first)).one()))
        assert await _say(p, handled, "z-7002", "z-7002", f"#{first} 2") == \
            poll_texts.POLL_VOTE_CLOSED.format(id=first)
        assert await _say(p, handled, "z-7002", "z-7002", "3") == \
            poll_texts.POLL_VOTE_RECORDED.format(choice="3", id=second)  # no other open

    def counted(number: int) -> tuple[list[int], int]:
        found = p.db.call(lambda s: results.compute(s, s.exec(
            select(Poll).where(Poll.number == number)).one()))
        return found.totals, found.voters

    assert counted(first) == ([0, 0, 1], 1)
    assert counted(second) == ([1, 1, 1], 3)
    second_id = p.db.call(lambda s: s.exec(select(Poll.id).where(Poll.number == second)).one())
    anonymous = p.db.call(lambda s: s.exec(
        select(PollVote).where(PollVote.poll_id == second_id)).all())
    assert len(anonymous) == 3 and all(v.person_id is None for v in anonymous)
    assert not any("z-7" in v.voter_key for v in anonymous)  # keyed, never the user id
