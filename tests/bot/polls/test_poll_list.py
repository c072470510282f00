"""/dskhaosat for everyone (bot.polls.listing over bot.polls.service.recent / open_to): a
member sees the open polls addressed to them — their unit's and its parents' polls, for
their role — each with its options, deadline and how to answer on the platform they asked
from; an officer sees the polls they manage (created, or addressed only to units in their
scope: the /ketqua rule) and, apart, the open polls addressed to them as voters. Other
units' polls, closed ones and polls for another role are never shown to a voter."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from bot.core.types import Chat, IncomingText, Sender, TextReply
from bot.polls import messages as poll_texts
from bot.polls import service
from tests.bot.broadcast.world import ADMIN
from tests.bot.polls.conftest import WAIT, Polls, channels, officer

DEADLINE = datetime(2099, 12, 20, 13, 0, tzinfo=timezone.utc)  # 20:00 20/12/2099 in Hà Nội


def _open(p: Polls, actor, question: str, options: list[str], units: list[int], **kw):  # type: ignore[no-untyped-def]
    poll = p.db.call(service.create, actor, question=question, options=options,
                     closes_at=DEADLINE, unit_ids=units, **kw)
    p.db.call(service.open_poll, actor, poll.id)
    return p.db.call(lambda s: s.get(type(poll), poll.id))


def _world(p: Polls) -> dict[str, int]:
    """Polls #1..#6 (numbers in opening order):
    #1 the district officer's, to the cell (anonymous, one answer)
    #2 the admin's, to the province, named, several answers (reaches the district officer too)
    #3 the other province officer's, to their province
    #4 the admin's, to commune 2, members only
    #5 the district officer's, to the cell, closed
    #6 the admin's, to commune 1 (the district officer manages it: in their scope)"""
    admin = p.world.actor(p.db, ADMIN.split(":")[1])
    other = p.world.actor(p.db, p.world.other_officer_id)
    w = p.world
    numbers = {
        "cell": _open(p, officer(p), "Đồng chí đã học Chỉ thị 05 chưa?", ["Đã học", "Chưa học"],
                      [w.cell]).number,
        "province": _open(p, admin, "Nội dung nào cần tuyên truyền thêm?",
                          ["Chuyển đổi số", "Phòng chống tham nhũng", "Cải cách hành chính"],
                          [w.province], anonymous=False, multiple=True).number,
        "other": _open(p, other, "Câu hỏi của tỉnh khác?", ["Có", "Không"],
                       [w.other_province]).number,
        "members2": _open(p, admin, "Xã Tân Lập họp chi bộ ngày nào?", ["Thứ hai", "Thứ sáu"],
                          [w.commune2], roles=["member"]).number,
    }
    closed = _open(p, officer(p), "Khảo sát đã kết thúc?", ["Có", "Không"], [w.cell])
    p.db.call(service.close, officer(p), closed.id)
    numbers["closed"] = closed.number
    numbers["commune"] = _open(p, admin, "Xã Hòa Bình cần tài liệu gì?", ["Sách", "Video"],
                               [w.commune]).number
    assert list(numbers.values()) == [1, 2, 3, 4, 5, 6]
    return numbers


async def _say(p: Polls, user_id: str, text: str = "/dskhaosat") -> list[str]:
    me = Sender("telegram", user_id, "An")
    outcome = await p.assistant.handle(IncomingText("l", me, Chat("telegram", user_id, "private"),
                                                    text, True))
    return [r.text for r in outcome.replies if isinstance(r, TextReply)]


PROVINCE_ITEM = ("#2 — Nội dung nào cần tuyên truyền thêm?\n"
                 "1. Chuyển đổi số · 2. Phòng chống tham nhũng · 3. Cải cách hành chính\n"
                 "Hạn trả lời: 20:00 20/12/2099\n")
CELL_ITEM = ("#1 — Đồng chí đã học Chỉ thị 05 chưa?\n1. Đã học · 2. Chưa học\n"
             "Hạn trả lời: 20:00 20/12/2099\n")
COMMUNE_ITEM = ("#6 — Xã Hòa Bình cần tài liệu gì?\n1. Sách · 2. Video\n"
                "Hạn trả lời: 20:00 20/12/2099\n")


async def test_a_cell_member_on_telegram_sees_the_open_polls_addressed_to_them(polls: Polls) -> None:
    p = polls
    _world(p)
    how = poll_texts.POLL_HOW_NATIVE
    assert await _say(p, p.world.members[p.world.cell][0]) == [
        "Khảo sát đang mở gửi tới đồng chí:\n\n" + COMMUNE_ITEM + how + "\n\n" + PROVINCE_ITEM
        + how + "\n\n" + CELL_ITEM + how]
    # A member of commune 2 gets its members-only poll and the province's; not the cell's.
    assert await _say(p, p.world.members[p.world.commune2][0]) == [
        "Khảo sát đang mở gửi tới đồng chí:\n\n#4 — Xã Tân Lập họp chi bộ ngày nào?\n"
        "1. Thứ hai · 2. Thứ sáu\nHạn trả lời: 20:00 20/12/2099\n" + how + "\n\n"
        + PROVINCE_ITEM + how]


async def test_a_zalo_member_is_told_to_type_the_number_and_where(polls: Polls) -> None:
    p = polls
    _world(p)
    async with channels(p) as handled:
        p.zalo.text_update("z-7001", "z-7001", "/dskhaosat")
        await handled.wait(1)
        reply = await p.zalo._until(lambda: sent[-1] if (sent := p.zalo.sent_texts("z-7001")) else None,
                                    WAIT)
    # Several polls: each is answered by its number, then the choice (a bare number answers
    # only the newest poll of a chat).
    assert reply == (
        "Khảo sát đang mở gửi tới đồng chí:\n\n"
        + COMMUNE_ITEM + "Trả lời: gõ mã rồi một số, ví dụ: #6 1 — nhắn riêng cho trợ lý (khảo "
        "sát ẩn danh: giữ kín lựa chọn).\n\n"
        + PROVINCE_ITEM + "Trả lời: gõ mã rồi một hoặc nhiều số, ví dụ: #2 1,3 — trong cuộc trò "
        "chuyện đã nhận khảo sát.\n\n"
        + CELL_ITEM + "Trả lời: gõ mã rồi một số, ví dụ: #1 1 — nhắn riêng cho trợ lý (khảo sát "
        "ẩn danh: giữ kín lựa chọn).")


async def test_officers_see_the_polls_they_manage_and_apart_those_they_answer(polls: Polls) -> None:
    p = polls
    _world(p)
    # The district officer: their own (#1, #5) and the admin's polls to communes in their
    # scope (#6, and #4 for members only); the province's poll (#2) is not theirs to manage
    # but asks them.
    assert await _say(p, p.world.officer_id) == [
        poll_texts.POLL_LIST_TITLE + "\n#6 — đang mở — Xã Hòa Bình cần tài liệu gì?\n"
        "#5 — đã kết thúc — Khảo sát đã kết thúc?\n"
        "#4 — đang mở — Xã Tân Lập họp chi bộ ngày nào?\n"
        "#1 — đang mở — Đồng chí đã học Chỉ thị 05 chưa?\n\n"
        "Khảo sát đang mở gửi tới đồng chí:\n\n" + PROVINCE_ITEM + poll_texts.POLL_HOW_NATIVE]
    # The other province's officer: their poll only.
    assert await _say(p, p.world.other_officer_id) == [
        poll_texts.POLL_LIST_TITLE + "\n#3 — đang mở — Câu hỏi của tỉnh khác?"]
    # The admin: everything (a list for managing).
    listed = (await _say(p, ADMIN.split(":")[1]))[0]
    assert [line.split(" — ")[0] for line in listed.splitlines()[1:]] == [
        "#6", "#5", "#4", "#3", "#2", "#1"]


async def test_nothing_open_says_so_to_a_member(polls: Polls) -> None:
    p = polls
    member = p.world.members[p.world.cell][0]
    assert await _say(p, member) == [poll_texts.POLL_NONE_OPEN]
    assert await _say(p, p.world.officer_id) == [poll_texts.POLL_NONE_YET]
    poll = _open(p, officer(p), "Đồng chí đã học Chỉ thị 05 chưa?", ["Đã học", "Chưa học"],
                 [p.world.cell])
    assert await _say(p, member) == ["Khảo sát đang mở gửi tới đồng chí:\n\n" + CELL_ITEM
                                     + poll_texts.POLL_HOW_NATIVE]
    p.db.call(service.close, officer(p), poll.id)
    assert await _say(p, member) == [poll_texts.POLL_NONE_OPEN]
