"""Reports fixtures: the unit world (tests/bot/broadcast/world.py) with commune officers and a
collaborator, a controllable clock, and the real core with the broadcast feature (its outbox
carries the notices) and the reports feature.

    Tỉnh Minh Sơn
    └── Huyện Đông Hà             officer 901 (Trần Thị Bình)
        ├── Xã Hòa Bình           officer 911 (Phạm Văn Hải); collaborator 1001 (a member)
        │   └── Chi bộ thôn Đông  members 1001..1004, 1008 (silent)
        └── Xã Tân Lập            no officer (until a test adds 912); members 1005..1007
    Tỉnh Lâm Giang                officer 902
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import Session, col, select

from bot.broadcast.models import Broadcast, Delivery
from bot.core.dispatcher import Dispatcher
from bot.core.knowledge_base import KnowledgeBase
from bot.core.types import (
    Capabilities,
    Chat,
    IncomingAction,
    IncomingText,
    Outcome,
    Sender,
    TextReply,
)
from bot.reports.config import ReportConfig
from bot.reports.feature import ReportsFeature
from bot.reports.models import OpinionCollaborator
from bot.services import people
from bot.storage.database import Database
from bot.storage.models import LOCAL_TZ, Membership
from tests.bot.broadcast.world import ADMIN_IDS, World, add_person, build_world
from tests.dispatchers import broadcast_feature, dispatcher

COMMUNE_OFFICER = "911"
COMMUNE2_OFFICER = "912"
COLLABORATOR = "1001"
TELEGRAM_CAPS = Capabilities()
TEXT_CAPS = Capabilities(buttons=False, edits=False, files=False, native_polls=False,
                         forwards_polls=False, max_text=2000)


class Clock:
    """The time every part of the feature reads; tests move it (never sleep)."""

    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def set(self, moment: datetime) -> None:
        self.now = moment

    def advance(self, **delta: float) -> datetime:
        self.now += timedelta(**delta)
        return self.now


def local(year: int, month: int, day: int, hour: int = 9, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=LOCAL_TZ)


@pytest.fixture
def clock() -> Clock:
    return Clock(local(2026, 5, 4, 9, 0))


@pytest.fixture
def world(db: Database) -> World:
    found = build_world(db)

    def more(session: Session) -> None:
        add_person(session, COMMUNE_OFFICER, "Phạm Văn Hải", found.commune, "officer")
        person = people.identify(session, "telegram", COLLABORATOR, "", admin_ids=ADMIN_IDS)
        session.add(OpinionCollaborator(person_id=person.person_id, unit_id=found.cell))

    db.call(more)
    return found


def add_commune2_officer(db: Database, world: World) -> None:
    db.call(add_person, COMMUNE2_OFFICER, "Đỗ Thị Mai", world.commune2, "officer")


@pytest.fixture
def config(clock: Clock, tmp_path: Path) -> ReportConfig:
    return ReportConfig(clock=clock, files_dir=tmp_path / "files", fetch_allow_private=True,
                        worker=False)


@pytest.fixture
def core(db: Database, knowledge: KnowledgeBase, config: ReportConfig) -> Dispatcher:
    """The core with broadcasts (the outbox) and reports."""
    base = dispatcher(db, knowledge, ADMIN_IDS, broadcasts=True)
    reports = ReportsFeature(db, base.outbound, broadcast_feature(base).queue, config)
    return Dispatcher(db, [*base.features, reports], base.settings, base.outbound)


def reports_of(core: Dispatcher) -> ReportsFeature:
    found = core.feature("reports")
    assert isinstance(found, ReportsFeature)
    return found


@dataclass
class Talk:
    """Messages typed to the core by one person in their private chat."""

    core: Dispatcher
    user_id: str
    platform: str = "telegram"
    caps: Capabilities = TELEGRAM_CAPS
    name: str = ""
    count: list[int] = field(default_factory=lambda: [0])

    def _chat(self) -> tuple[Sender, Chat]:
        return (Sender(self.platform, self.user_id, self.name or f"user {self.user_id}"),  # type: ignore[arg-type]
                Chat(self.platform, self.user_id, "private", capabilities=self.caps))  # type: ignore[arg-type]

    async def say(self, text: str) -> Outcome:
        self.count[0] += 1
        sender, chat = self._chat()
        return await self.core.handle(IncomingText(f"t{self.user_id}-{self.count[0]}", sender,
                                                   chat, text, True))

    async def press(self, data: str) -> Outcome:
        self.count[0] += 1
        sender, chat = self._chat()
        return await self.core.handle(IncomingAction(f"a{self.user_id}-{self.count[0]}", sender,
                                                     chat, data))


def text_of(outcome: Outcome) -> str:
    return "\n".join(r.text for r in outcome.replies if isinstance(r, TextReply)) or (
        outcome.notice or "")


def buttons(outcome: Outcome) -> dict[str, str]:
    return {a.label: a.data for r in outcome.replies if isinstance(r, TextReply)
            for a in r.actions}


def keys(params: dict[str, Any]) -> dict[str, str]:
    """A Telegram message's inline buttons, as the loopback Bot API received them: label → data."""
    rows = params.get("reply_markup", {}).get("inline_keyboard", [])
    return {b["text"]: b["callback_data"] for row in rows for b in row}


def number_of(text: str, label: str) -> str:
    """The number the typed hint ("Gõ 1: Tốt · 2: Khá") gives `label`."""
    hint = text.rsplit("Gõ ", 1)[1]
    for part in hint.split(" · "):
        number, _, name = part.partition(": ")
        if label in name:
            return number.strip()
    raise AssertionError(f"{label!r} not in {hint!r}")


def notices(db: Database) -> list[tuple[str, list[str]]]:
    """Every notice queued so far: (text, chat ids), oldest first."""
    def read(session: Session) -> list[tuple[str, list[str]]]:
        found = []
        for broadcast in session.exec(select(Broadcast).where(Broadcast.feature == "reports")
                                      .order_by(col(Broadcast.id))):
            chats = session.exec(select(Delivery.chat_id).where(
                Delivery.broadcast_id == broadcast.id).order_by(col(Delivery.chat_id))).all()
            found.append((broadcast.text, list(chats)))
        return found

    return db.call(read)


FIELDS = ("Báo cáo công tác tuyên giáo tháng\n"
          "Số buổi sinh hoạt chi bộ | số\n"
          "Nội dung nổi bật | chữ\n"
          "Đánh giá chung | chọn: Tốt; Khá; Trung bình\n"
          "Ảnh biên bản | tệp | không bắt buộc")


async def create_request(officer: Talk, unit_button: str, who: str, schedule: str,
                         deadline: str, text: str = FIELDS) -> Outcome:
    """The officer's whole creation conversation by buttons; the preview's outcome."""
    found = await officer.say(f"/yeucaubaocao {text}")
    found = await officer.press(buttons(found)[unit_button])
    if who:
        found = await officer.press(next(d for label, d in buttons(found).items()
                                         if label.startswith(who)))
    found = await officer.press(buttons(found)[schedule])
    return await officer.say(deadline)


def membership_roles(db: Database, unit_id: int) -> Sequence[tuple[int, str]]:
    return db.call(lambda s: s.exec(select(Membership.person_id, Membership.role)
                                    .where(Membership.unit_id == unit_id)).all())


__all__ = ["COLLABORATOR", "COMMUNE2_OFFICER", "COMMUNE_OFFICER", "Clock", "FIELDS", "Talk",
           "add_commune2_officer", "buttons", "create_request", "local", "notices",
           "reports_of", "replace", "text_of"]
