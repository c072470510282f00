"""Native Telegram polls end to end: the runner posts them to the loopback Bot API, the real
Telegram adapter turns `poll` / `poll_answer` updates into votes, the close stops them and
sends the officer the final results."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import select

from bot.polls import results, service
from bot.polls.models import Poll, PollAnswerEvent, PollMessage
from bot.polls.runner import PollRunner, RunnerConfig
from bot.storage.models import utcnow
from bot.polls import messages as poll_texts
from tests.bot.polls.conftest import Polls, channels, officer


def _create(p: Polls, *, anonymous: bool, multiple: bool = False) -> int:
    actor = officer(p)
    poll = p.db.call(service.create, actor, question="Đồng chí đã học Chỉ thị 05-CT/TW chưa?",
                     options=["Đã học", "Chưa học", "Đang học"], anonymous=anonymous,
                     multiple=multiple, closes_at=utcnow() + timedelta(hours=1),
                     unit_ids=[p.world.cell], origin=("telegram", p.world.officer_id))
    assert poll.id is not None
    p.db.call(service.open_poll, actor, poll.id)
    return poll.id


def _results(p: Polls, poll_id: int) -> results.PollResults:
    return p.db.call(lambda s: results.compute(s, s.get(Poll, poll_id)))


async def test_polls_reach_every_member_and_group_on_both_platforms(polls: Polls) -> None:
    p = polls
    _create(p, anonymous=False)
    await p.runner.tick()
    tg_chats = sorted(str(c["chat_id"]) for c in p.tg.calls_of("sendPoll"))
    assert tg_chats == sorted(p.world.members[p.world.cell] + [p.world.groups[p.world.cell]])
    first = p.tg.calls_of("sendPoll")[0]
    assert first["is_anonymous"] is False and first["question"].startswith("Đồng chí đã học")
    zalo_chats = sorted(c["chat_id"] for c in p.zalo.calls_of("sendMessage"))
    assert zalo_chats == sorted(["z-7001", "z-7002", "z-7003", "zg-cell"])
    text = p.zalo.sent_texts("z-7001")[0]
    assert "1. Đã học" in text and "3. Đang học" in text and poll_texts.POLL_TEXT_SINGLE in text


async def test_named_poll_keeps_every_answer_changed_and_retracted(polls: Polls) -> None:
    p = polls
    poll_id = _create(p, anonymous=False)
    await p.runner.tick()
    m1, m2 = p.world.members[p.world.cell][:2]
    async with channels(p) as handled:
        p.tg.vote(p.tg.poll_sent_to(int(m1))["id"], int(m1), [0])
        p.tg.vote(p.tg.poll_sent_to(int(m1))["id"], int(m1), [1])  # changed
        p.tg.vote(p.tg.poll_sent_to(int(m2))["id"], int(m2), [0])
        p.tg.vote(p.tg.poll_sent_to(int(m2))["id"], int(m2), [])  # retracted
        await handled.wait(8)  # four `poll` and four `poll_answer` updates
    events = p.db.call(lambda s: [(e.voter_key, e.option_ids) for e in s.exec(
        select(PollAnswerEvent).where(PollAnswerEvent.poll_id == poll_id).order_by(PollAnswerEvent.id))])
    # Each voter's answers in order (different voters' may interleave).
    assert [o for k, o in events if k == f"telegram:{m1}"] == ["0", "1"]
    assert [o for k, o in events if k == f"telegram:{m2}"] == ["0", ""]
    found = _results(p, poll_id)
    assert found.totals == [0, 1, 0] and found.voters == 1


async def test_anonymous_counts_are_summed_across_poll_messages(polls: Polls) -> None:
    p = polls
    poll_id = _create(p, anonymous=True, multiple=True)
    await p.runner.tick()
    m1 = p.world.members[p.world.cell][0]
    group = int(p.world.groups[p.world.cell])
    async with channels(p) as handled:
        p.tg.vote(p.tg.poll_sent_to(int(m1))["id"], int(m1), [0, 2])
        p.tg.vote(p.tg.poll_sent_to(group)["id"], 2001, [0])
        p.tg.vote(p.tg.poll_sent_to(group)["id"], 2002, [1])
        p.tg.vote(p.tg.poll_sent_to(group)["id"], 2002, [2])  # changed: counts are replaced
        await handled.wait(4)  # anonymous: `poll` updates only
    assert not p.tg.calls_of("sendMessage"), "votes are never answered on Telegram"
    found = _results(p, poll_id)
    assert found.totals == [2, 0, 2] and found.voters == 3
    assert [u.voters for u in found.units] == [3]


async def test_deadline_stops_every_poll_even_after_a_restart(polls: Polls) -> None:
    p = polls
    poll_id = _create(p, anonymous=False)
    await p.runner.tick()
    group = int(p.world.groups[p.world.cell])
    sent = p.tg.poll_sent_to(group)
    chat_message = p.tg.poll_messages[sent["id"]]
    p.tg.delete_message(*chat_message)  # a group admin deleted the poll message
    kicked = p.world.members[p.world.cell][1]
    p.tg.kick_bot(int(kicked))  # and one member blocked the bot
    # The deadline passes while the process is down: a new runner closes it.
    p.db.call(lambda s: s.get(Poll, poll_id).__setattr__("closes_at", utcnow() - timedelta(seconds=1)))
    # The same process restarted (its stable name): it takes the runner's lease back at once.
    restarted = PollRunner(p.db, p.runner.senders, RunnerConfig(interval=0.05, holder=p.runner.holder))
    await restarted.tick()
    assert restarted.finished.get_nowait() == poll_id
    stopped = p.db.call(lambda s: {m.chat_id: m.status for m in s.exec(
        select(PollMessage).where(PollMessage.poll_id == poll_id, PollMessage.platform == "telegram"))})
    assert stopped[str(group)] == "stop_failed" and stopped[kicked] == "stop_failed"
    assert {s for c, s in stopped.items() if c not in (str(group), kicked)} == {"stopped"}
    assert p.db.call(lambda s: s.get(Poll, poll_id).status) == "closed"
    final = [m for m in p.tg.calls_of("sendMessage") if str(m["chat_id"]) == p.world.officer_id]
    assert final and poll_texts.POLL_FINAL_TITLE.format(id=poll_id) in final[-1]["text"]
    photo = p.tg.photos[-1]
    assert str(photo["chat_id"]) == p.world.officer_id and photo["photo"]["data"][:8] == b"\x89PNG\r\n\x1a\n"
    await restarted.tick()  # nothing is sent twice
    assert len(p.tg.photos) == 1


async def test_bot_removed_from_a_group_before_posting(polls: Polls) -> None:
    p = polls
    p.tg.kick_bot(int(p.world.groups[p.world.cell]))
    poll_id = _create(p, anonymous=True)
    await p.runner.tick()
    rows = p.db.call(lambda s: {m.chat_id: (m.status, m.error) for m in s.exec(
        select(PollMessage).where(PollMessage.poll_id == poll_id))})
    status, error = rows[p.world.groups[p.world.cell]]
    assert status == "unreachable" and "403" in (error or "")
    assert sum(1 for s, _ in rows.values() if s == "sent") == len(rows) - 1


async def test_transient_failures_are_retried_and_a_zalo_group_that_left_is_failed(polls: Polls) -> None:
    p = polls
    p.tg.fail_next("sendPoll", 429, "Too Many Requests: retry after 1", retry_after=1)
    p.tg.fail_next("sendPoll", 502, "Bad Gateway")
    p.zalo.fail_next("sendMessage", 403, "Forbidden: bot is not a member of the group",
                     chat_id="zg-cell", times=None)
    poll_id = _create(p, anonymous=True)
    await p.runner.tick()
    status = lambda: p.db.call(lambda s: sorted(m.status for m in s.exec(  # noqa: E731
        select(PollMessage).where(PollMessage.poll_id == poll_id))))
    # Anonymous: the unit's original (its group) got the 429; its 4 forwards wait for it.
    assert status().count("pending") == 5
    await p.runner.tick()  # the 502: still waiting, once per tick
    assert status().count("pending") == 5 and len(p.tg.calls_of("sendPoll", include_failed=True)) == 2
    await p.runner.tick()
    assert status() == ["sent"] * 8 + ["unreachable"]
    assert len(p.tg.calls_of("sendPoll")) == 1 and len(p.tg.calls_of("forwardMessage")) == 4
    failed = p.db.call(lambda s: s.exec(select(PollMessage).where(PollMessage.status == "unreachable")).one())
    assert failed.chat_id == "zg-cell" and "not a member" in (failed.error or "")
