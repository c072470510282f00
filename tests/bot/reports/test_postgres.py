"""The reports flow on a real PostgreSQL server (the session's server fixture): a request
sent, a late submission, reminders and the escalation claimed once (UPDATE … RETURNING),
the tracker page and the roll-up."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from bot.core.dispatcher import Dispatcher
from bot.reports.config import ReportConfig
from bot.reports.worker import tick_once
from bot.storage.database import Database
from tests.bot.broadcast.world import World
from tests.bot.reports.conftest import (
    COMMUNE_OFFICER,
    Clock,
    Talk,
    buttons,
    create_request,
    local,
    notices,
    reports_of,
    text_of,
)


@pytest.fixture
def db(postgres: Any) -> Iterator[Database]:
    database = Database.open(postgres.create_database())
    database.create_all()
    yield database
    database.close()


async def test_reports_on_postgresql(core: Dispatcher, db: Database, world: World, clock: Clock,
                                     config: ReportConfig) -> None:
    assert db.engine.dialect.name == "postgresql"
    officer = Talk(core, world.officer_id)
    preview = await create_request(officer, "Huyện Đông Hà", "Các đơn vị trực thuộc",
                                   "Hằng tháng", "20")
    await officer.press(buttons(preview)["📨 Gửi yêu cầu"])

    def tick() -> list[str]:
        before = len(notices(db))
        db.call(tick_once, clock(), config, reports_of(core).notices)
        return [text for text, _ in notices(db)[before:]]

    clock.set(local(2026, 5, 17, 8))
    assert ["còn 3 ngày" in t for t in tick()] == [True]
    clock.set(local(2026, 5, 22, 10))
    commune = Talk(core, COMMUNE_OFFICER)
    await commune.say("/nopbaocao")
    await commune.say("4")
    asked = await commune.say("Hội nghị")
    asked = await commune.press(buttons(asked)["Tốt"])
    summary = await commune.press(buttons(asked)["⏭ Bỏ qua"])
    done = await commune.press(buttons(summary)["✅ Gửi báo cáo"])
    assert "nộp muộn 2 ngày" in text_of(done), text_of(done)
    clock.set(local(2026, 5, 23, 8))
    escalated = [t for t in tick() if t.startswith("⚠️ Báo cáo")]
    assert len(escalated) == 1 and "Xã Tân Lập" in escalated[0]
    assert not [t for t in tick() if t.startswith("⚠️ Báo cáo")]
    page = await officer.say("/theodoibaocao 1")
    assert "Xã Hòa Bình — nộp muộn 2 ngày" in text_of(page), text_of(page)
    table = await officer.say("/tonghopbaocao 1")
    assert "1. Số buổi sinh hoạt chi bộ — tổng: 4" in text_of(table)


def test_a_bulletin_to_many_units_fits_postgresql(db: Database) -> None:
    """PostgreSQL enforces column lengths: a bulletin to 700 units (3,000+ characters of ids)
    is queued, its unit list cut on a whole id."""
    from sqlalchemy import insert
    from sqlmodel import select

    from bot.broadcast.models import Broadcast, Delivery
    from bot.broadcast.queue import OutboxQueue
    from bot.core.delivery import Addressee, Bulletin
    from bot.storage.models import Unit

    def queue(session: Any) -> int | None:
        ids = list(session.execute(insert(Unit).returning(Unit.id), [
            {"name": f"Xã {i}", "kind": "commune", "path": "/"} for i in range(700)]).scalars())
        return OutboxQueue().enqueue(session, Bulletin("reports", "Nhắc hạn"), [
            Addressee(None, unit_id, "telegram", str(10_000 + unit_id)) for unit_id in ids])

    broadcast_id = db.call(queue)
    row = db.call(lambda s: s.get(Broadcast, broadcast_id))
    assert 0 < len(row.target_unit_ids) <= 2000
    assert all(part.isdigit() for part in row.target_unit_ids.split(","))
    assert len(db.call(lambda s: s.exec(select(Delivery.id).where(
        Delivery.broadcast_id == broadcast_id)).all())) == 700
