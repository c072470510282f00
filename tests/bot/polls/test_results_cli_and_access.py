"""Results (chart, CSV, text), the CLI, who may create and read polls, and the guided
creation in chat."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from pathlib import Path

import matplotlib.image
import pytest
from sqlmodel import select

from bot.core.types import (
    Chat,
    FileReply,
    IncomingAction,
    IncomingText,
    PhotoReply,
    Sender,
    TextReply,
)
from bot.polls import chart, results, service, votes
from bot.polls.models import Poll, PollMessage
from bot.services.errors import PermissionDenied
from bot.storage.database import Database
from bot.storage.models import Identity, utcnow
from bot import messages as texts
from bot.polls import messages as poll_texts
from tests.bot.broadcast.world import World, build_world
from tests.bot.polls.conftest import Polls, officer
from tuyengiao.cli import main

OPTIONS = ["Rất hài lòng", "Hài lòng", "Chưa hài lòng"]


def _sample(p: Polls) -> results.PollResults:
    """A named poll with Zalo votes in two units."""
    actor = officer(p)
    poll = p.db.call(service.create, actor, question="Đánh giá buổi sinh hoạt chuyên đề?",
                     options=OPTIONS, anonymous=False, closes_at=utcnow() + timedelta(hours=1),
                     unit_ids=[p.world.district])
    p.db.call(service.open_poll, actor, poll.id)

    def vote(session) -> None:  # type: ignore[no-untyped-def]
        p_ = session.get(Poll, poll.id)
        for user, choice in (("z-7001", "1"), ("z-7002", "1"), ("z-7003", "3")):
            message = PollMessage(poll_id=poll.id, unit_id=p.world.cell, platform="zalo",
                                  chat_id=f"v-{user}", chat_kind="private", status="sent")
            session.add(message)
            session.flush()
            person = session.exec(select(Identity.person_id).where(
                Identity.platform == "zalo", Identity.platform_user_id == user)).one()
            votes.typed_vote(session, message, p_, user, person, choice)
        message = PollMessage(poll_id=poll.id, unit_id=p.world.commune2, platform="zalo",
                              chat_id="v-other", chat_kind="private", status="sent")
        session.add(message)
        session.flush()
        votes.typed_vote(session, message, p_, "z-9", None, "2")
        return None

    p.db.call(vote)
    return p.db.call(lambda s: results.compute(s, s.get(Poll, poll.id)))


def test_results_merge_units_and_export_csv(polls: Polls) -> None:
    found = _sample(polls)
    assert found.totals == [2, 1, 1] and found.voters == 4
    by_unit = {u.name: (u.counts, u.voters) for u in found.units}
    assert by_unit["Chi bộ thôn Đông"] == ([2, 0, 1], 3) and by_unit["Xã Tân Lập"] == ([0, 1, 0], 1)
    rows = list(csv.DictReader(io.StringIO(results.to_csv(found))))
    total = [r for r in rows if r["Đơn vị"] == poll_texts.POLL_TOTAL]
    assert [(r["Phương án"], int(r["Số phiếu"])) for r in total] == list(zip(OPTIONS, [2, 1, 1]))
    cell = [int(r["Số phiếu"]) for r in rows if r["Đơn vị"] == "Chi bộ thôn Đông"]
    assert cell == [2, 0, 1]


def test_named_results_say_who_chose_what(polls: Polls) -> None:
    p = polls
    found = _sample(p)

    def named(session):  # type: ignore[no-untyped-def]
        poll = session.get(Poll, found.poll_id)
        return results.text(found, poll, results.named_votes(session, poll), max_names=2)

    table = p.db.call(named)
    assert poll_texts.POLL_WHO_CHOSE in table
    assert "• Đảng viên z-7001 (Chi bộ thôn Đông): 1" in table
    assert "• Đảng viên z-7002 (Chi bộ thôn Đông): 1" in table
    assert poll_texts.POLL_MORE_NAMES.format(count=2) in table


def test_chart_is_a_real_png_with_the_labels(polls: Polls) -> None:
    found = _sample(polls)
    figure = chart.figure(found)
    shown = {t.get_text() for t in figure.findobj(lambda o: hasattr(o, "get_text"))}
    assert "Đánh giá buổi sinh hoạt chuyên đề?" in shown
    assert {"1. Rất hài lòng", "2. Hài lòng", "3. Chưa hài lòng"} <= shown
    assert {"Chi bộ thôn Đông", "Xã Tân Lập", poll_texts.POLL_TOTAL} <= shown  # the legend
    assert {"2", "1"} <= shown  # bar labels
    image = chart.png(found)
    assert image[:8] == b"\x89PNG\r\n\x1a\n" and 10_000 < len(image) < 500_000
    pixels = matplotlib.image.imread(io.BytesIO(image), format="png")
    assert pixels.shape[:2] == (450, 800) and pixels[..., :3].std() > 0.05  # not blank


def test_members_cannot_create_and_officers_stay_in_their_subtree(polls: Polls) -> None:
    p = polls
    member = p.world.actor(p.db, p.world.members[p.world.cell][0])
    with pytest.raises(PermissionDenied):
        p.db.call(service.create, member, question="?", options=["a", "b"], unit_ids=[p.world.cell])
    other = p.world.actor(p.db, p.world.other_officer_id)
    with pytest.raises(PermissionDenied):
        p.db.call(service.create, other, question="Câu hỏi", options=["a", "b"],
                  unit_ids=[p.world.district])


async def test_other_units_officer_is_refused_results(polls: Polls) -> None:
    p = polls
    found = _sample(p)
    other = Sender("telegram", p.world.other_officer_id, "Lê Văn Cường")
    chat = Chat("telegram", p.world.other_officer_id, "private")
    outcome = await p.assistant.handle(IncomingText("u1", other, chat, f"/ketqua {found.poll_id}", True))
    assert [r.text for r in outcome.replies if isinstance(r, TextReply)] == [poll_texts.POLL_OTHER_UNIT]
    mine = Sender("telegram", p.world.officer_id, "Trần Thị Bình")
    outcome = await p.assistant.handle(IncomingText(
        "u2", mine, Chat("telegram", p.world.officer_id, "private"), f"/ketqua {found.poll_id}", True))
    table, photo = outcome.replies
    assert isinstance(table, TextReply) and "1. Rất hài lòng: 2 (50%)" in table.text
    assert isinstance(photo, PhotoReply) and photo.image[:4] == b"\x89PNG"
    outcome = await p.assistant.handle(IncomingText(
        "u3", mine, Chat("telegram", p.world.officer_id, "private"), f"/ketqua {found.poll_id} CSV", True))
    (file,) = outcome.replies
    assert isinstance(file, FileReply) and file.filename == f"khaosat-{found.poll_id}.csv"
    rows = list(csv.reader(io.StringIO(file.data.decode("utf-8-sig"))))
    assert rows[0][:3] == ["Mã khảo sát", "Mã đơn vị", "Đơn vị"]
    totals = [r for r in rows[1:] if r[1] == ""]
    assert [(r[4], r[5]) for r in totals][0] == ("Rất hài lòng", "2")
    outcome = await p.assistant.handle(IncomingText("u4", other, chat, f"/ketqua {found.poll_id} csv", True))
    assert [r.text for r in outcome.replies if isinstance(r, TextReply)] == [poll_texts.POLL_OTHER_UNIT]


async def test_a_member_of_the_polls_own_unit_is_told_results_are_for_officers(polls: Polls) -> None:
    p = polls
    found = _sample(p)  # a poll of the district, whose cell this member belongs to
    member = Sender("telegram", p.world.members[p.world.cell][0], "An")
    chat = Chat("telegram", member.user_id, "private")
    for n, command in enumerate((f"/ketqua {found.number}", f"/ketqua {found.number} csv",
                                 f"/dongkhaosat {found.number}")):
        outcome = await p.assistant.handle(IncomingText(f"m{n}", member, chat, command, True))
        assert [r.text for r in outcome.replies if isinstance(r, TextReply)] == [
            "Kết quả khảo sát chỉ gửi tới cán bộ phụ trách đơn vị; đảng viên không xem kết quả hay "
            "kết thúc khảo sát. Đồng chí trả lời khảo sát bằng cách chọn phương án (Telegram) hoặc "
            "gõ số phương án (Zalo)."]
    assert p.db.call(lambda s: s.get(Poll, found.poll_id).status) == "open"


async def test_the_poll_list_cuts_long_questions_after_a_whole_word(polls: Polls) -> None:
    p = polls
    question = ("Đồng chí đánh giá thế nào về việc tổ chức học tập, quán triệt nghị quyết bằng "
                "hình thức trực tuyến?")
    poll = p.db.call(service.create, officer(p), question=question, options=["Tốt", "Chưa tốt"],
                     closes_at=utcnow() + timedelta(hours=1), unit_ids=[p.world.cell])
    p.db.call(service.open_poll, officer(p), poll.id)
    me = Sender("telegram", p.world.officer_id, "Trần Thị Bình")
    outcome = await p.assistant.handle(IncomingText(
        "l1", me, Chat("telegram", p.world.officer_id, "private"), "/dskhaosat", True))
    assert [r.text for r in outcome.replies] == [
        poll_texts.POLL_LIST_TITLE + "\n#1 — đang mở — Đồng chí đánh giá thế nào về việc tổ chức "
        "học tập, quán…"]


async def test_guided_creation_with_buttons(polls: Polls) -> None:
    p = polls
    me = Sender("telegram", p.world.officer_id, "Trần Thị Bình")
    chat = Chat("telegram", p.world.officer_id, "private")
    handle = p.assistant.handle
    first = await handle(IncomingText("c1", me, chat, "/khaosat Đồng chí đã đọc Kết luận 01?\nĐã đọc\nChưa đọc", True))
    step = first.replies[0]
    assert isinstance(step, TextReply) and step.text == poll_texts.POLL_ASK_KIND
    for label in (poll_texts.POLL_MULTIPLE_BUTTON, poll_texts.POLL_NAMED_BUTTON, "24 giờ", "Chi bộ thôn Đông"):
        action = next(a for a in step.actions if a.label == label)
        step = (await handle(IncomingAction(f"a-{label}", me, chat, action.data))).replies[0]
    assert isinstance(step, TextReply) and step.text.startswith("XEM TRƯỚC KHẢO SÁT")
    assert "Gửi tới 9 cuộc trò chuyện (2 nhóm)" in step.text
    send = next(a for a in step.actions if a.label == poll_texts.POLL_SEND_BUTTON)
    done = await handle(IncomingAction("go", me, chat, send.data))
    poll = p.db.call(lambda s: s.exec(select(Poll)).one())
    assert poll.status == "open" and poll.multiple and not poll.anonymous
    assert done.replies[0].text == poll_texts.POLL_OPENED.format(id=poll.id, messages=9)
    member = Sender("telegram", p.world.members[p.world.cell][0], "An")
    refused = await handle(IncomingText("m1", member, Chat("telegram", member.user_id, "private"),
                                        "/khaosat Câu hỏi?\nCó\nKhông", True))
    assert refused.replies[0].text == texts.NOT_OFFICER
    in_group = await handle(IncomingText("g1", me, Chat("telegram", "-5001", "group"),
                                         "/khaosat Câu hỏi?\nCó\nKhông", True))
    assert in_group.replies[0].text == poll_texts.POLL_PRIVATE_ONLY


@pytest.fixture
def cli_world(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> World:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    with Database.open(url) as db:
        db.create_all()
        return build_world(db)


def test_cli_create_results_csv_close(cli_world: World, tmp_path: Path,
                                      capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["poll", "create", "--units", str(cli_world.cell), "--question", "Họp chi bộ lúc nào?",
                 "--option", "Sáng", "--option", "Chiều", "--hours", "2"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("poll #1 opened: 5 chats")  # 4 members who wrote to the bot + 1 group
    assert main(["poll", "create", "--units", str(cli_world.cell), "--question", "x",
                 "--option", "một"]) == 1
    assert poll_texts.POLL_OPTIONS_COUNT.format(low=2, high=10) in capsys.readouterr().err
    assert main(["poll", "results", "1", "--chart", str(tmp_path / "c.png")]) == 0
    assert "Số người trả lời: 0" in capsys.readouterr().out
    assert (tmp_path / "c.png").read_bytes()[:4] == b"\x89PNG"
    assert main(["poll", "csv", "1"]) == 0
    assert capsys.readouterr().out.splitlines()[0] == (
        "Mã khảo sát,Mã đơn vị,Đơn vị,Số thứ tự phương án,Phương án,Số phiếu,Số người trả lời")
    # A file is written with a BOM, like the reports' CSV files, so that Excel reads it as UTF-8.
    assert main(["poll", "csv", "1", "--out", str(tmp_path / "k.csv")]) == 0
    assert (tmp_path / "k.csv").read_bytes().startswith("\ufeffMã khảo sát,".encode())
    assert main(["poll", "close", "1"]) == 0 and "closed" in capsys.readouterr().out
    assert main(["poll", "list"]) == 0 and "1\tclosed\tanonymous" in capsys.readouterr().out
