"""A collaborator's flash report on Zalo, through the real Zalo adapter against the loopback
Zalo Bot API: numbered typed steps, a photo sent as a link that the bot fetches (a page that
is not an image refused with the reason), and the alert queued for the officers at once."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest
from aiohttp import web
from sqlmodel import Session, select

from bot.channels.zalo.api import RetryPolicy, ZaloBotApi
from bot.channels.zalo.channel import ZaloChannel
from bot.core.dispatcher import Dispatcher
from bot.reports.config import ReportConfig
from bot.reports.models import OpinionCollaborator, OpinionReport, ReportFile
from bot.services import people
from bot.storage.database import Database
from tests.bot.broadcast.conftest import WAIT
from tests.bot.broadcast.world import ADMIN_IDS, World, add_person
from tests.bot.reports.conftest import COMMUNE_OFFICER, Talk, notices, number_of, text_of
from tests.fakes.zalo_api import ZaloApiServer
from tests.fakes.zalo_updates import image_update

COLLAB = "z-ctv-1"
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 3000 + b"\xff\xd9"


@pytest.fixture
async def images() -> AsyncIterator[str]:
    """A loopback web server standing in for Zalo's image host."""
    async def photo(_: web.Request) -> web.Response:
        return web.Response(body=JPEG, content_type="image/jpeg")

    async def page(_: web.Request) -> web.Response:
        return web.Response(text="<html>", content_type="text/html")

    app = web.Application()
    app.router.add_get("/anh.jpg", photo)
    app.router.add_get("/trang", page)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        await runner.cleanup()


@pytest.fixture
async def zalo(core: Dispatcher) -> AsyncIterator[ZaloApiServer]:
    async with ZaloApiServer(max_poll_wait=0.5) as api, aiohttp.ClientSession() as session:
        client = ZaloBotApi(api.token, session, base_url=api.base_url,
                            retry=RetryPolicy(backoff=0.01))
        async with ZaloChannel(client, core.handle, poll_timeout=1):
            yield api


async def say(api: ZaloApiServer, text: str, expect: str) -> str:
    api.text_update(COLLAB, COLLAB, text)
    return await bot_says(api, expect)


async def bot_says(api: ZaloApiServer, expect: str) -> str:
    sent = await api.wait_for("sendMessage", lambda p: p["chat_id"] == COLLAB
                              and expect in p["text"], timeout=WAIT)
    return str(sent["text"])


async def test_a_flash_report_with_a_photo_link_on_zalo(
        core: Dispatcher, db: Database, world: World, zalo: ZaloApiServer, images: str,
        config: ReportConfig, tmp_path: Path) -> None:
    def collaborator(session: Session) -> None:
        add_person(session, COLLAB, "Lò Thị Dung", world.cell, "member", platform="zalo")
        actor = people.identify(session, "zalo", COLLAB, "", admin_ids=ADMIN_IDS)
        session.add(OpinionCollaborator(person_id=actor.person_id, unit_id=world.cell))

    db.call(collaborator)
    await Talk(core, world.officer_id).say("/chude thêm Đất đai")

    topic = await say(zalo, "/baocaonhanh", "(1/5) Chủ đề")
    mood = await say(zalo, number_of(topic, "Đất đai"), "(2/5)")
    await say(zalo, number_of(mood, "Băn khoăn"), "(3/5)")
    await say(zalo, "Bà con lo về quy hoạch khu dân cư mới", "(4/5) Ảnh minh họa")

    zalo.push_update(image_update(COLLAB, COLLAB, photo_url=f"{images}/trang"))
    assert "Không tải được ảnh" in await bot_says(zalo, "Không tải được ảnh")
    zalo.push_update(image_update(COLLAB, COLLAB, photo_url=f"{images}/anh.jpg"))
    named = await bot_says(zalo, "(5/5)")
    summary = await say(zalo, number_of(named, "Không"), "5. Cho cấp trên biết")
    done = await say(zalo, number_of(summary, "Gửi báo cáo"), "Đã nhận")
    # The cell has no officer: the reporter is told who was alerted, not promised the cell.
    assert "Chi bộ thôn Đông chưa có cán bộ phụ trách" in done, done
    assert "báo ngay cán bộ Xã Hòa Bình" in done, done

    report = db.call(lambda s: s.exec(select(OpinionReport)).one())
    assert (report.urgent, report.mood, report.topic_name) == (True, 3, "Đất đai")
    kept = db.call(lambda s: s.exec(select(ReportFile)).one())
    assert kept.source_url == f"{images}/anh.jpg" and kept.size == len(JPEG)
    assert [p.read_bytes() for p in Path(config.files_dir).rglob("*") if p.is_file()] == [JPEG]
    alerts = [(text, chats) for text, chats in notices(db) if "BÁO CÁO NHANH" in text]
    assert [chats for _, chats in alerts] == [[COMMUNE_OFFICER]]
    alert = alerts[0][0]
    assert "xem ở đơn vị" not in alert and "Lò Thị Dung" not in alert, alert
    assert "Chi bộ thôn Đông chưa có cán bộ phụ trách: chỉ cấp trên nhận được" in alert
    seen = await Talk(core, COMMUNE_OFFICER).say("/tonghopdlxh 5/2026")
    assert "quy hoạch khu dân cư" in text_of(seen)
