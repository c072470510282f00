"""Poll numbers: a poll takes its number when it is opened (bot.storage.bases.Numbered), so
drafts dropped or left half-way take none and the first poll people see is #1 whatever row
it lives in; every command, reply, posted text, chart and file names that number, and a
number that was never given (a draft's row id, a forged one) finds nothing."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

from sqlmodel import select

from bot.core.types import Chat, FileReply, IncomingAction, IncomingText, PhotoReply, Sender, TextReply
from bot.polls import service
from bot.polls.models import Poll
from bot.storage.models import utcnow
from bot import messages as texts
from bot.polls import messages as poll_texts
from tests.bot.polls.conftest import WAIT, Polls, channels, officer

QUESTION = "Đồng chí đã đọc Kết luận 01?\nĐã đọc\nChưa đọc"


async def _compose(p: Polls, me: Sender, chat: Chat, labels: tuple[str, ...]) -> TextReply:
    """/khaosat, then the buttons labelled `labels` in turn; the last step's reply."""
    step = (await p.assistant.handle(IncomingText(f"k-{len(labels)}", me, chat,
                                                  f"/khaosat {QUESTION}", True))).replies[0]
    for label in labels:
        assert isinstance(step, TextReply)
        action = next(a for a in step.actions if a.label == label)
        step = (await p.assistant.handle(IncomingAction(f"a-{label}", me, chat, action.data))).replies[0]
    assert isinstance(step, TextReply)
    return step


def _texts(outcome) -> list[str]:  # type: ignore[no-untyped-def]
    return [r.text for r in outcome.replies if isinstance(r, TextReply)]


async def test_drafts_take_no_number_and_everything_uses_it(polls: Polls) -> None:
    p = polls
    me = Sender("telegram", p.world.officer_id, "Trần Thị Bình")
    chat = Chat("telegram", p.world.officer_id, "private")
    handle = p.assistant.handle

    def say(text: str, key: str):  # type: ignore[no-untyped-def]
        return handle(IncomingText(key, me, chat, text, True))

    # A draft dropped with «Hủy», and one left half-way: rows 1 and 2, no numbers.
    dropped = await _compose(p, me, chat, (texts.COMPOSE_CANCEL_BUTTON,))
    assert dropped.text == poll_texts.POLL_DROPPED
    await _compose(p, me, chat, (poll_texts.POLL_SINGLE_BUTTON,))
    preview = await _compose(p, me, chat, (poll_texts.POLL_SINGLE_BUTTON, poll_texts.POLL_NAMED_BUTTON,
                                           "24 giờ", "Chi bộ thôn Đông"))
    send = next(a for a in preview.actions if a.label == poll_texts.POLL_SEND_BUTTON)
    opened = await handle(IncomingAction("go", me, chat, send.data))
    polls_by_row = p.db.call(lambda s: {q.id: (q.status, q.number) for q in s.exec(select(Poll))})
    assert polls_by_row == {1: ("cancelled", None), 2: ("draft", None), 3: ("open", 1)}
    assert _texts(opened) == [poll_texts.POLL_OPENED.format(id=1, messages=9)]
    # Pressing «Gửi» again (a replayed or forged button) opens nothing twice.
    again = await handle(IncomingAction("go2", me, chat, send.data))
    assert _texts(again) == [poll_texts.POLL_NOT_DRAFT]

    # The list shows the one poll people know, by its number; drafts are not polls.
    listed = _texts(await say("/dskhaosat", "l"))
    assert listed == [poll_texts.POLL_LIST_TITLE + "\n#1 — đang mở — Đồng chí đã đọc Kết luận 01?"]

    # Posted: the members' numbered text says #1 and so does the reply to their vote.
    await p.runner.tick()
    posted = p.zalo.sent_texts("z-7001")
    assert posted and posted[-1].startswith(poll_texts.POLL_TEXT_HEADER.format(
        id=1, kind=poll_texts.POLL_KIND_NAMED))
    async with channels(p) as handled:
        p.zalo.text_update("z-7001", "z-7001", "2")
        await handled.wait(1)
        reply = await p.zalo._until(
            lambda: sent[-1] if len(sent := p.zalo.sent_texts("z-7001")) > len(posted) else None,
            WAIT)
    assert reply == poll_texts.POLL_VOTE_RECORDED.format(choice="2", id=1)

    # Results by number: the text, the chart's caption and the CSV file name and rows.
    table, photo = (await say("/ketqua 1", "r1")).replies
    assert isinstance(table, TextReply) and table.text.startswith(
        poll_texts.POLL_RESULTS_HEADER.format(id=1, status="đang mở", question="Đồng chí đã đọc Kết luận 01?"))
    assert "2. Chưa đọc: 1 (100%)" in table.text
    assert isinstance(photo, PhotoReply) and photo.filename == "khaosat-1.png"
    assert photo.caption == poll_texts.POLL_CHART_FOOTER.format(id=1, voters=1)
    (file,) = (await say("/ketqua 1 csv", "r2")).replies
    assert isinstance(file, FileReply) and file.filename == "khaosat-1.csv"
    rows = list(csv.reader(io.StringIO(file.data.decode("utf-8-sig"))))
    assert {r[0] for r in rows[1:]} == {"1"}

    # The row ids (3: the poll's, 1 and 2: drafts') and forged numbers find nothing.
    for forged in ("3", "2", "0", "-1", "99999999999999999999999", "1e3"):
        answered = _texts(await say(f"/ketqua {forged}", f"f-{forged}"))
        assert answered in ([poll_texts.POLL_NOT_FOUND],
                            [poll_texts.POLL_ID_USAGE.format(command="ketqua")]), (forged, answered)
        assert _texts(await say(f"/dongkhaosat {forged}", f"c-{forged}")) in (
            [poll_texts.POLL_NOT_FOUND], [poll_texts.POLL_ID_USAGE.format(command="dongkhaosat")])
    assert p.db.call(lambda s: s.get(Poll, 3).status) == "open"

    # Closing by number; the final results sent back to the officer say #1.
    assert _texts(await say("/dongkhaosat 1", "close")) == [poll_texts.POLL_CLOSED_NOW.format(id=1)]
    await p.runner.tick()
    final = [m for m in p.tg.calls_of("sendMessage") if str(m["chat_id"]) == p.world.officer_id]
    assert final and final[-1]["text"].startswith(poll_texts.POLL_FINAL_TITLE.format(id=1))
    assert _texts(await say("/dongkhaosat 1", "close2")) == [poll_texts.POLL_ALREADY_CLOSED.format(id=1)]


def test_numbers_follow_each_other_and_old_rows_keep_their_id(polls: Polls) -> None:
    """Rows opened before numbers existed (number empty) are known by their id; the next
    poll opened takes the number after the highest of either."""
    p = polls
    actor = officer(p)

    def make() -> Poll:
        return p.db.call(service.create, actor, question="Câu hỏi?", options=["Có", "Không"],
                         closes_at=utcnow() + timedelta(hours=1), unit_ids=[p.world.cell])

    old = make()
    p.db.call(service.open_poll, actor, old.id)
    p.db.call(lambda s: s.get(Poll, old.id).__setattr__("number", None))  # as an old row
    for _ in range(3):
        make()  # drafts never opened
    new = make()
    p.db.call(service.open_poll, actor, new.id)
    assert p.db.call(lambda s: s.get(Poll, new.id).number) == 2
    assert p.db.call(lambda s: service.numbered(s, actor, 1).id) == old.id
    assert p.db.call(lambda s: service.numbered(s, actor, 2).id) == new.id
