"""A quiz sent as a CSV file at step 6 of `/taohoctap`, through the real Telegram adapter
against the loopback Bot API server (getFile and the download served by it) and real
SQLite: the file is read like pasted text whatever encoding an office PC saved it in
(UTF-8 with Excel's BOM, UTF-16, Windows-1258, TCVN3), and each hostile file (a spreadsheet,
another kind, too big, binary bytes named .csv, a bad row, too few rows, a download that
fails) gets its own Vietnamese message while the draft keeps waiting for a quiz."""

from __future__ import annotations

import html
import itertools
import json
import unicodedata
from datetime import timedelta
from typing import Any

import pytest
from sqlmodel import Session, col, select

from bot.storage.models import utcnow
from bot.study import messages as texts
from bot.study import quiz, service
from bot.study.models import StudyQuestion
from bot.study.quizfile import MAX_QUIZ_FILE_BYTES
from knowledge.legacy import _TCVN3
from tests.bot.study.conftest import QUIZ, WAIT, Stage, live
from tests.security.chats import Chats

OFFICER = 901
_FILE_IDS = itertools.count(1)
_TONES = "\u0300\u0301\u0303\u0309\u0323"  # grave, acute, tilde, hook above, dot below
HEADER = "Câu hỏi;Phương án 1;Phương án 2;Phương án 3;Đáp án đúng;Đoạn trích"


def _csv(delimiter: str = ";", header: bool = True) -> str:
    """The conftest's quiz as a spreadsheet exports it: one row per question, options padded
    to three columns (a question with two options leaves its third cell empty)."""
    rows = []
    for line in QUIZ.split("\n"):
        cells = [c.strip() for c in line.split("|")]
        question, options, correct, passage = cells[0], cells[1:-2], cells[-2], cells[-1]
        options += [""] * (3 - len(options))
        rows.append([question, *options, correct, passage])
    lines = [HEADER.replace(";", delimiter)] if header else []
    for row in rows:
        lines.append(delimiter.join(f'"{c}"' if delimiter in c else c for c in row))
    return "\r\n".join(lines) + "\r\n"


def _cp1258(text: str) -> bytes:
    """Windows-1258 as Word and Excel write it: a base letter (with its hat or horn when the
    code page has one) followed by the tone as a combining mark."""
    out = b""
    for ch in unicodedata.normalize("NFC", text):
        try:
            out += ch.encode("cp1258")
        except UnicodeEncodeError:
            parts = unicodedata.normalize("NFD", ch)
            tone = "".join(c for c in parts if c in _TONES)
            base = unicodedata.normalize("NFC", "".join(c for c in parts if c not in _TONES))
            out += (base + tone).encode("cp1258")
    return out


def _tcvn3(text: str) -> bytes:
    """TCVN3 (.VnTime): each Vietnamese letter as its 8-bit stand-in (knowledge.legacy's
    table read backwards)."""
    back = {v: k for k, v in _TCVN3.items()}
    return "".join(back.get(ch, ch) for ch in unicodedata.normalize("NFC", text)).encode("latin-1")


def _lowercase_marked_capitals(text: str) -> str:
    """TCVN3 has no capitals for most marked letters (old documents typed them in a second
    font): the quiz's few such capitals ("Ít") are written lowercase for that test."""
    back = {v for v in _TCVN3.values()}
    return "".join(ch.lower() if ch.isupper() and not ch.isascii() and ch not in back else ch
                   for ch in unicodedata.normalize("NFC", text))


def _draft_at_quiz_step(stage: Stage) -> int:
    """An officer's draft on Chỉ thị 05-CT/TW that waits for its quiz (steps 1–5 done)."""
    actor = stage.actor(str(OFFICER))
    doc = stage.knowledge._find_by_number("05-CT/TW")[0]

    def make(session: Session) -> int:
        campaign = service.create_draft(session, actor, origin=("telegram", str(OFFICER)),
                                        compose_step="quiz")
        campaign.title = "Học tập, quán triệt Chỉ thị 05-CT/TW"
        campaign.doc_id, campaign.doc_label, campaign.doc_title = doc.doc_id, doc.label, doc.title
        service.set_targets(session, actor, campaign, [stage.world.cell])
        campaign.deadline_at = utcnow() + timedelta(days=7)
        session.add(campaign)
        assert campaign.id is not None
        return campaign.id

    return stage.db.call(make)


def _stored(stage: Stage, campaign_id: int) -> list[tuple[str, tuple[str, ...], int, str]]:
    rows = stage.db.call(lambda s: s.exec(select(StudyQuestion).where(
        StudyQuestion.campaign_id == campaign_id).order_by(col(StudyQuestion.position))).all())
    return [(q.text, tuple(json.loads(q.options_json)), q.correct, q.passage) for q in rows]


def _expected(text: str = QUIZ) -> list[tuple[str, tuple[str, ...], int, str]]:
    return [(d.text, d.options, d.correct, d.passage) for d in quiz.parse(text)]


async def _send(chats: Chats, name: str, data: bytes | None, *, announced: int | None = None,
                mime: str = "text/csv", start: str = "") -> str:
    """The officer sends `data` as the file `name`; the bot's next reply (starting with
    `start`), unescaped."""
    file_id = f"BQ-{next(_FILE_IDS)}-{name}"
    if data is not None:
        chats.tg.add_file(file_id, data, f"documents/{name}")
    chats.tg.document_update(OFFICER, OFFICER, name, file_id=file_id, mime_type=mime,
                             file_size=len(data or b"") if announced is None else announced)
    sent: dict[str, Any] = await chats.tg.wait_for(
        "sendMessage", lambda p: p["chat_id"] == OFFICER
        and html.unescape(str(p["text"])).startswith(start), timeout=WAIT)
    return html.unescape(str(sent["text"]))


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-16", "windows-1258", "tcvn3"])
async def test_a_quiz_csv_file_is_read_like_pasted_text(stage: Stage, encoding: str) -> None:
    """Excel's «CSV UTF-8» (BOM, semicolons as a Vietnamese-locale Excel writes), a UTF-16
    export, and the legacy 8-bit encodings of older office PCs all give the same questions
    as the same quiz pasted in chat."""
    campaign_id = _draft_at_quiz_step(stage)
    text, expected = _csv(), _expected()
    if encoding == "tcvn3":
        text = _lowercase_marked_capitals(text)
        expected = _expected(_lowercase_marked_capitals(QUIZ))
        data = _tcvn3(text)
    elif encoding == "windows-1258":
        data = _cp1258(_csv(delimiter=",", header=False))
    else:
        data = text.encode(encoding)
    async with live(stage) as running:
        reply = await _send(running.chats, "cau-hoi.csv", data, start="Bài kiểm tra")
        assert reply.startswith(texts.ASK_PASS.format(count=3))
    assert _stored(stage, campaign_id) == expected
    assert stage.campaign(campaign_id).compose_step == "pass"


async def test_hostile_quiz_files_are_refused_with_a_clear_message(stage: Stage) -> None:
    campaign_id = _draft_at_quiz_step(stage)
    good = _csv().encode("utf-8-sig")
    async with live(stage) as running:
        chats = running.chats
        assert await _send(chats, "cau-hoi.xlsx", b"PK\x03\x04" + b"\x00" * 64) \
            == texts.QUIZ_FILE_SPREADSHEET.format(name="cau-hoi.xlsx")
        assert await _send(chats, "cau-hoi.pdf", b"%PDF-1.4", mime="application/pdf") \
            == texts.QUIZ_FILE_TYPE.format(name="cau-hoi.pdf")
        # Announced over the limit: refused before anything is downloaded.
        downloads = len(chats.tg.calls_of("getFile"))
        big = MAX_QUIZ_FILE_BYTES + 1
        assert await _send(chats, "lon.csv", None, announced=big) == \
            texts.QUIZ_FILE_TOO_LARGE.format(name="lon.csv", size=257, limit=256)
        assert len(chats.tg.calls_of("getFile")) == downloads
        # Announced small, larger on the server: refused on getFile's size.
        padded = good + b"x" * MAX_QUIZ_FILE_BYTES
        assert await _send(chats, "nho.csv", padded, announced=100) == \
            texts.QUIZ_FILE_TOO_LARGE.format(name="nho.csv", size=-(-len(padded) // 1024),
                                             limit=256)
        # A workbook renamed .csv, and random high bytes: not text in any encoding read.
        for name, data in (("doi-ten.csv", b"PK\x03\x04\x14\x00\x06\x00" + bytes(200)),
                           ("rac.csv", bytes(range(0x80, 0x100)) * 8)):
            assert await _send(chats, name, data) == texts.QUIZ_FILE_NOT_TEXT.format(name=name)
        # A bad row: its number as the spreadsheet shows it (the header is row 1); its
        # question has two options (the third cell left empty).
        rows = _csv().split("\r\n")
        rows[2] = rows[2].replace(";1;", ";7;", 1)
        assert await _send(chats, "sai-dong.csv", "\r\n".join(rows).encode("utf-8-sig")) == \
            texts.QUIZ_FILE_ERROR.format(name="sai-dong.csv", reason=texts.QUIZ_LINE_ERROR.format(
                line=3, problem=texts.QUIZ_BAD_CORRECT.format(count=2)))
        two = "\r\n".join(_csv().split("\r\n")[:3]).encode("utf-8")
        assert await _send(chats, "hai-cau.csv", two) == texts.QUIZ_FILE_ERROR.format(
            name="hai-cau.csv", reason=texts.QUIZ_COUNT.format(low=3, high=10, count=2))
        # Telegram no longer has the file (getFile refused): resend or paste.
        assert await _send(chats, "mat.csv", None) == \
            texts.QUIZ_FILE_NOT_DOWNLOADED.format(name="mat.csv")
        assert _stored(stage, campaign_id) == []
        assert stage.campaign(campaign_id).compose_step == "quiz"
        # Still waiting for the quiz: the right file is taken.
        assert (await _send(chats, "dung.csv", good)).startswith(texts.ASK_PASS.format(count=3))
    assert _stored(stage, campaign_id) == _expected()
