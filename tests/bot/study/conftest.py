"""Study campaign fixtures: the broadcast tests' unit world with Zalo people (members in the
cell and in Xã Tân Lập, a Zalo officer of the district, one member on both platforms), a
cell secretary on Telegram, the real core with the study feature (its deliveries through
the broadcast outbox), the loopback Telegram and Zalo servers with the real adapters
attached to the core's outbound port, a broadcast worker delivering on both, and the study
runner ticked by hand (no timers to wait on).

    Huyện Đông Hà (district)   officers: 901 (Telegram), z-901 (Zalo)
    ├── Xã Hòa Bình
    │   └── Chi bộ thôn Đông   1001 (+ its Zalo z-linked-1001), 1002, 1003, 1004,
    │                          1008 (never wrote), z-<cell>-0, z-<cell>-1; secretary 911
    └── Xã Tân Lập             1005, 1006, 1007, z-<commune2>-0, z-<commune2>-1
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta

import pytest
from sqlmodel import Session, select

from bot.broadcast.worker import BroadcastWorker
from bot.channels.telegram.outbound import TelegramOutbound
from bot.channels.zalo.outbound import ZaloOutbound
from bot.core.dispatcher import Dispatcher
from bot.core.knowledge_base import KnowledgeBase
from bot.services.reminders import ReminderSchedule
from bot.storage.database import Database
from bot.storage.models import utcnow
from bot.study.attendance import AttendanceRules
from bot.study.feature import StudyFeature
from bot.study.models import StudyCampaign, StudySession
from bot.study.runner import StudyConfig, StudyRunner
from tests.bot.broadcast.conftest import FAST, FAST_LIMITS
from tests.bot.broadcast.world import ADMIN_IDS, World, add_person, build_world
from tests.bot.broadcast.zalo_world import ZaloPeople, add_zalo_people
from tests.dispatchers import dispatcher, study_feature
from tests.security.chats import Chats, both_platforms

WAIT = 10.0
SECRETARY = "911"  # the cell's secretary (an officer of the cell only)
CONFIG = StudyConfig(interval=0.05, reminders=ReminderSchedule.parse("72,24"),
                     attendance=AttendanceRules(checkin=timedelta(hours=4),
                                                auto_close=timedelta(hours=24)))


@dataclass
class Stage:
    db: Database
    world: World
    zalo: ZaloPeople
    core: Dispatcher
    study: StudyFeature
    knowledge: KnowledgeBase

    def actor(self, user_id: str, platform: str = "telegram"):  # type: ignore[no-untyped-def]
        return self.world.actor(self.db, user_id, platform)

    def campaign(self, campaign_id: int) -> StudyCampaign:
        found = self.db.call(lambda s: s.get(StudyCampaign, campaign_id))
        assert found is not None
        return found

    def session_of(self, campaign_id: int, unit_id: int) -> StudySession:
        return self.db.call(lambda s: s.exec(select(StudySession).where(
            StudySession.campaign_id == campaign_id, StudySession.unit_id == unit_id)).one())


def build_stage(db: Database, knowledge: KnowledgeBase) -> Stage:
    world = build_world(db)
    zalo = add_zalo_people(db, world)

    def secretary(session: Session) -> None:
        add_person(session, SECRETARY, "Hoàng Văn Em", world.cell, "officer")

    db.call(secretary)
    core = dispatcher(db, knowledge, ADMIN_IDS, study=CONFIG)
    return Stage(db, world, zalo, core, study_feature(core), knowledge)


@pytest.fixture
def stage(db: Database, knowledge: KnowledgeBase) -> Stage:
    return build_stage(db, knowledge)


@dataclass
class Live:
    chats: Chats
    runner: StudyRunner
    worker: BroadcastWorker


@asynccontextmanager
async def live(stage: Stage) -> AsyncIterator[Live]:
    """Both adapters over the core, a broadcast worker on both platforms, the runner."""
    async with both_platforms(stage.core) as chats, \
            TelegramOutbound.bulk(chats.tg.token, base_url=chats.tg.base_url, limits=FAST_LIMITS,
                                  timeout=2.0) as telegram, \
            ZaloOutbound.bulk_sender(chats.zl.token, base_url=chats.zl.base_url,
                                     limits=FAST_LIMITS, timeout=2.0) as zalo:
        ports = {"telegram": telegram, "zalo": zalo}
        worker = BroadcastWorker(stage.db, ports, FAST)
        broadcast = stage.core.feature("broadcast")
        broadcast.wake = worker.wake  # type: ignore[union-attr]
        runner = StudyRunner(stage.db, ports, stage.study.queue, stage.knowledge,
                             stage.core.outbound, CONFIG)
        stop = asyncio.Event()
        task = asyncio.create_task(worker.run(stop))
        try:
            yield Live(chats, runner, worker)
        finally:
            stop.set()
            await asyncio.wait_for(task, WAIT)


QUIZ = "\n".join([
    "Chỉ thị 05 yêu cầu chi bộ đưa nội dung phòng, chống thiên tai vào sinh hoạt bao lâu một "
    "lần? | Mỗi tháng một lần | Ít nhất mỗi quý một lần | Mỗi năm một lần | 2 | II.1.a) Các chi "
    "bộ đưa nội dung phòng, chống thiên tai vào sinh hoạt chi bộ ít nhất mỗi quý một lần.",
    "Mỗi thôn, bản có lực lượng nào được tập huấn hằng năm? | Tổ xung kích phòng, chống thiên "
    "tai | Đội văn nghệ | 1 | II.2.a) Mỗi thôn, bản có một tổ xung kích phòng, chống thiên tai "
    "được tập huấn hằng năm.",
    "Các tỉnh ủy báo cáo kết quả thực hiện trước ngày nào hằng năm? | 15 tháng 12 | 31 tháng 12 "
    "| 30 tháng 6 | 1 | III.2. Các tỉnh ủy, thành ủy báo cáo kết quả thực hiện trước ngày 15 "
    "tháng 12 hằng năm.",
])


def open_campaign(stage: Stage, *, author: str = "901", units: list[int] | None = None,
                  deadline: timedelta = timedelta(days=7),
                  session_in: timedelta | None = timedelta(hours=1), quiz_text: str | None = QUIZ,
                  pass_mark: int = 2, now: datetime | None = None) -> int:
    """A campaign on Chỉ thị 05-CT/TW for the district (or `units`), opened through the
    services as `/taohoctap` ends: returns its id."""
    from bot.study import lifecycle, quiz, service
    from bot.study.announce import overview_text

    actor = stage.actor(author)
    doc = stage.knowledge._find_by_number("05-CT/TW")[0]
    moment = now or utcnow()

    def make(session: Session) -> int:
        campaign = service.create_draft(session, actor, origin=("telegram", author),
                                        compose_step=None)
        campaign.title = "Học tập, quán triệt Chỉ thị 05-CT/TW"
        campaign.doc_id, campaign.doc_label, campaign.doc_title = doc.doc_id, doc.label, doc.title
        service.set_targets(session, actor, campaign, units or [stage.world.district])
        campaign.deadline_at = moment + deadline
        campaign.session_at = moment + session_in if session_in is not None else None
        if quiz_text:
            quiz.store(session, campaign, quiz.parse(quiz_text), pass_mark)
        assert campaign.id is not None
        return campaign.id

    campaign_id = stage.db.call(make)
    reply = stage.knowledge._overview(doc.doc_id)
    summary = overview_text(reply) if reply is not None else ""
    stage.db.call(lifecycle.open_campaign, actor, campaign_id, stage.study.queue,
                  CONFIG.reminders, summary, moment)
    return campaign_id
