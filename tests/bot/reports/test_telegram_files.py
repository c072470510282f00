"""Through the real Telegram adapter against the loopback Bot API, with the real broadcast
worker delivering the request from the outbox: the commune officer presses «Nộp báo cáo»,
fills the form with buttons, sends a file (an oversized one and a disguised one refused with
the reason), and the copy is kept under the files folder with its Telegram file id."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import select

from bot.channels.telegram.channel import TelegramChannel
from bot.channels.telegram.outbound import TelegramOutbound
from bot.core.dispatcher import Dispatcher
from bot.reports.config import ReportConfig
from bot.reports.models import ReportFile
from bot.storage.database import Database
from tests.bot.broadcast.conftest import FAST_LIMITS, WAIT, running_worker
from tests.bot.broadcast.world import World
from tests.bot.reports.conftest import Talk, buttons, create_request, keys, text_of
from tests.fakes.telegram_api import TelegramApiServer

COMMUNE = 911
PDF = b"%PDF-1.4\n" + b"0" * 2000 + b"\n%%EOF\n"


@pytest.fixture
async def api() -> AsyncIterator[TelegramApiServer]:
    async with TelegramApiServer() as server:
        yield server


@pytest.fixture
async def bot(api: TelegramApiServer, core: Dispatcher) -> AsyncIterator[TelegramChannel]:
    async with TelegramChannel(api.token, core.handle, base_url=api.base_url,
                               commands=core.menu(), poll_timeout=1.0) as channel:
        core.outbound.attach("telegram", channel.outbound)
        yield channel


async def reply(api: TelegramApiServer, starts: str) -> dict[str, Any]:
    return await api.wait_for("sendMessage", lambda p: p["chat_id"] == COMMUNE
                              and starts in p["text"], timeout=WAIT)


async def test_a_unit_report_with_a_file_through_telegram(
        api: TelegramApiServer, bot: TelegramChannel, core: Dispatcher, db: Database,
        world: World, config: ReportConfig) -> None:
    officer = Talk(core, world.officer_id)
    preview = await create_request(officer, "Huyện Đông Hà", "Các đơn vị trực thuộc", "Một lần",
                                   "30/5/2026")
    await officer.press(buttons(preview)["📨 Gửi yêu cầu"])
    async with TelegramOutbound.bulk(api.token, base_url=api.base_url,
                                     limits=FAST_LIMITS) as transport, \
            running_worker(db, transport):
        request = await reply(api, "YÊU CẦU BÁO CÁO")
    assert "hạn nộp: hết ngày 30/05/2026" in request["text"]

    api.callback_update(COMMUNE, COMMUNE, keys(request)["📝 Nộp báo cáo"])
    await reply(api, "(1/4)")
    api.text_update(COMMUNE, COMMUNE, "7")
    await reply(api, "(2/4)")
    api.text_update(COMMUNE, COMMUNE, "Tổ chức hội nghị học tập Nghị quyết")
    choice = await reply(api, "(3/4)")
    api.callback_update(COMMUNE, COMMUNE, keys(choice)["Tốt"])
    await reply(api, "(4/4) Ảnh biên bản")

    api.document_update(COMMUNE, COMMUNE, "bien-ban.exe", mime_type="application/octet-stream",
                        file_id="BQ-exe")
    await reply(api, "Chưa nhận loại tệp này")
    api.add_file("BQ-big", PDF + b"0" * (11 * 1024 * 1024), "documents/file_1.pdf")
    api.document_update(COMMUNE, COMMUNE, "bien-ban-lon.pdf", file_id="BQ-big",
                        file_size=11 * 1024 * 1024 + len(PDF))
    too_big = await reply(api, "Tệp lớn quá")
    assert "giới hạn là 10 MB" in too_big["text"]
    api.add_file("BQ-fake", b"MZ\x90\x00 not a pdf", "documents/file_2.pdf")
    api.document_update(COMMUNE, COMMUNE, "gia-mao.pdf", file_id="BQ-fake", file_size=14)
    await reply(api, "Chưa nhận loại tệp này")

    api.add_file("BQ-ok", PDF, "documents/file_3.pdf")
    api.document_update(COMMUNE, COMMUNE, "bien-ban.pdf", file_id="BQ-ok", file_size=len(PDF))
    summary = await reply(api, "KIỂM TRA TRƯỚC KHI GỬI")
    assert "bien-ban.pdf" in summary["text"]
    api.callback_update(COMMUNE, COMMUNE, keys(summary)["✅ Gửi báo cáo"])
    done = await reply(api, "Đã nhận báo cáo")
    assert "lần 1" in done["text"] and "đúng hạn" in done["text"]

    kept = db.call(lambda s: list(s.exec(select(ReportFile)).all()))
    assert [(f.file_id, f.size) for f in kept] == [("BQ-ok", len(PDF))]
    stored = [p for p in Path(config.files_dir).rglob("*") if p.is_file()]
    assert [p.read_bytes() for p in stored] == [PDF]
    tracked = await officer.say("/theodoibaocao 1")
    assert "Xã Hòa Bình" in text_of(tracked)
