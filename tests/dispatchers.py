"""The real core as the tests build it: the dispatcher with the application's features
(bot.core.feature), over a test database and store. `features` chooses which of them run
beside the Q&A and the units (the core of every test); the broadcast and poll features are
added where a test uses them, without their background workers (tests start those
themselves, or drive them by hand)."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import tuyengiao.tables  # noqa: F401  (every table registered)
from bot.ask.feature import AskFeature
from bot.broadcast.feature import BroadcastFeature
from bot.core.dispatcher import CoreSettings, Dispatcher, menu_of
from bot.core.feature import Feature
from bot.core.knowledge_base import KnowledgeBase
from bot.core.outbound import Outbound
from bot.polls.feature import PollFeature
from bot.reports.feature import ReportsFeature
from bot.storage.database import Database
from bot.study.feature import StudyFeature
from bot.study.runner import StudyConfig
from bot.units.feature import CodeSettings, UnitsFeature

# The menus the application registers: the core with Q&A and units, and with every feature.
MENU = menu_of([AskFeature, UnitsFeature])  # type: ignore[list-item]
FULL_MENU = menu_of([AskFeature, UnitsFeature, BroadcastFeature, PollFeature,  # type: ignore[list-item]
                     StudyFeature, ReportsFeature])


def dispatcher(db: Database, knowledge: KnowledgeBase, admin_ids: frozenset[str] = frozenset(),
               *, broadcasts: bool = False, polls: bool = False,
               poll_wake: Callable[[], None] | None = None, codes: CodeSettings = CodeSettings(),
               study: StudyConfig | None = None, extra: Sequence[Feature] = ()) -> Dispatcher:
    """`study`: add the study campaigns (with the broadcast feature, whose outbox delivers
    them), without its runner."""
    outbound = Outbound()
    features: list[Feature] = [AskFeature(db, knowledge), UnitsFeature(db, outbound, codes)]
    broadcast = BroadcastFeature(db, knowledge)
    if broadcasts or study is not None:
        features.append(broadcast)
    if polls:
        features.append(PollFeature(db, admin_ids, wake=poll_wake or (lambda: None)))
    if study is not None:
        features.append(StudyFeature(db, knowledge, outbound, broadcast.queue, study,
                                     guard=codes.guard, admin_ids=admin_ids))
    features += extra
    return Dispatcher(db, features, CoreSettings(admin_ids=admin_ids), outbound)


def broadcast_feature(core: Dispatcher) -> BroadcastFeature:
    found = core.feature("broadcast")
    assert isinstance(found, BroadcastFeature)
    return found


def study_feature(core: Dispatcher) -> StudyFeature:
    found = core.feature("study")
    assert isinstance(found, StudyFeature)
    return found


def poll_feature(core: Dispatcher) -> PollFeature:
    found = core.feature("polls")
    assert isinstance(found, PollFeature)
    return found


__all__ = ["FULL_MENU", "MENU", "broadcast_feature", "dispatcher", "poll_feature",
           "study_feature"]
