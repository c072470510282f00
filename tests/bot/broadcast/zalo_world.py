"""Zalo people and chats added to the broadcast test world, the loopback Zalo server and the
Zalo transport pointed at it, and a worker running on both platforms."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

from sqlmodel import Session

from bot.core.outbound import OutboundPort
from bot.broadcast.worker import BroadcastWorker, WorkerConfig
from bot.channels.zalo.outbound import ZaloOutbound
from bot.services import people
from bot.storage.database import Database
from tests.bot.broadcast.conftest import FAST, FAST_LIMITS, WAIT
from tests.bot.broadcast.world import ADMIN_IDS, World, add_members, add_person
from tests.fakes.zalo_api import ZaloApiServer

ZALO_OFFICER = "z-901"  # the district officer's Zalo id (a person of their own here)
ZALO_OTHER_OFFICER = "z-902"  # an officer of the other province
ZALO_GROUP = "zg-tan-lap"  # Xã Tân Lập's Zalo group


@dataclass
class ZaloPeople:
    members: dict[int, list[str]] = field(default_factory=dict)  # unit -> Zalo user ids
    group: str = ZALO_GROUP
    both: tuple[str, str] = ("", "")  # one member on both platforms: (telegram id, zalo id)

    def all_members(self) -> list[str]:
        return [m for ms in self.members.values() for m in ms]


def add_zalo_people(db: Database, world: World, *, per_unit: int = 2) -> ZaloPeople:
    """Zalo members in the cell and in Xã Tân Lập, a Zalo group for Xã Tân Lập, the two
    officers on Zalo, and the first Telegram member of the cell linked to a Zalo account."""
    z = ZaloPeople()

    def build(session: Session) -> None:
        for unit in (world.cell, world.commune2):
            ids = [f"z-{unit}-{i}" for i in range(per_unit)]
            add_members(session, unit, ids, platform="zalo")
            z.members[unit] = ids
        add_person(session, ZALO_OFFICER, "Trần Thị Bình (Zalo)", world.district, "officer",
                   platform="zalo")
        add_person(session, ZALO_OTHER_OFFICER, "Lê Văn Cường (Zalo)", world.other_province,
                   "officer", platform="zalo")
        group = people.record_chat(session, "zalo", ZALO_GROUP, "group", "Đảng bộ xã Tân Lập")
        group.unit_id = world.commune2
        session.add(group)
        # One person, two platforms: the Zalo identity joins the Telegram member's person.
        telegram_id = world.members[world.cell][0]
        person = people.identify(session, "telegram", telegram_id, "", admin_ids=ADMIN_IDS)
        zalo_id = f"z-linked-{telegram_id}"
        people.identify(session, "zalo", zalo_id, "", admin_ids=ADMIN_IDS)
        _link(session, person.person_id, zalo_id)  # what /lienket + /dangky end with
        people.record_chat(session, "zalo", zalo_id, "private")
        z.both = (telegram_id, zalo_id)

    db.call(build)
    return z


def _link(session: Session, person_id: int, zalo_id: str) -> None:
    from sqlmodel import select

    from bot.storage.models import Identity

    identity = session.exec(select(Identity).where(Identity.platform == "zalo",
                                                   Identity.platform_user_id == zalo_id)).one()
    identity.person_id = person_id
    session.add(identity)
    session.flush()


@asynccontextmanager
async def zalo_transport(api: ZaloApiServer) -> AsyncIterator[ZaloOutbound]:
    async with ZaloOutbound.bulk_sender(api.token, base_url=api.base_url, limits=FAST_LIMITS,
                             timeout=2.0) as transport:
        yield transport


@asynccontextmanager
async def running_on(db: Database, transports: Mapping[str, OutboundPort],
                     config: WorkerConfig = FAST) -> AsyncIterator[BroadcastWorker]:
    worker = BroadcastWorker(db, transports, config)
    stop = asyncio.Event()
    task = asyncio.create_task(worker.run(stop))
    try:
        yield worker
    finally:
        stop.set()
        await asyncio.wait_for(task, WAIT)


def zalo_texts(api: ZaloApiServer, chat_id: str, starts: str = "") -> list[str]:
    return [t for t in api.sent_texts(chat_id) if t.startswith(starts)]


def calls_for(api: ZaloApiServer, chat_id: str) -> list[Any]:
    return [c for c in api.calls if c.method == "sendMessage" and c.params.get("chat_id") == chat_id]
