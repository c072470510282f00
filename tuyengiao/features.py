"""The features this application runs, in the order the core offers them updates — the one
place that lists them. Importing it registers every table (tuyengiao/tables.py).

Adding a feature: a folder under bot/ with its models, services and a `Feature`
(bot.core.feature), its models imported in tuyengiao/tables.py, and one line in
`build_features`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import tuyengiao.tables  # noqa: F401  (every table registered)
from bot.ask.feature import AskFeature
from bot.ask.joining import StoreResult
from bot.ask.notices import NoticeConfig
from bot.ask.official_feature import OfficialAnswersFeature
from bot.broadcast.feature import BroadcastFeature
from bot.core.feature import Feature
from bot.core.knowledge_base import KnowledgeBase
from bot.core.outbound import Outbound
from bot.polls.feature import PollFeature
from bot.reports.config import ReportConfig
from bot.reports.feature import ReportsFeature
from bot.services.code_guard import GuardPolicy
from bot.services.reminders import ReminderPlan
from bot.storage.database import Database
from bot.study.feature import StudyFeature
from bot.units.feature import CodeSettings, UnitsFeature
from knowledge.embedder import Embedder
from tuyengiao.official_store import OfficialStore
from tuyengiao.settings import Settings


@dataclass(frozen=True)
class FeatureContext:
    """What features are built from: the process's resources and the settings."""

    db: Database
    knowledge: KnowledgeBase
    outbound: Outbound
    admin_ids: frozenset[str] = frozenset()
    settings: Settings = field(default_factory=lambda: Settings(_env_file=None))
    workers: bool = True  # run the features' background workers in this process


def build_features(ctx: FeatureContext) -> list[Feature]:
    """The application's features, in order (the Q&A takes any text the others leave)."""
    from tuyengiao.ports import platform_limits, runner_config, study_config, worker_config

    settings = ctx.settings
    broadcast = BroadcastFeature(ctx.db, ctx.knowledge, worker=worker_config(settings)
                                 if ctx.workers and settings.broadcast_worker else None)
    return [
        # Before the Q&A: an officer's reply to a step of an official answer is not a question.
        OfficialAnswersFeature(ctx.db, ctx.knowledge, ServingAnswerStore(ctx),
                               days=settings.official_answer_days,
                               notices=NoticeConfig() if ctx.workers
                               and settings.official_answer_worker else None),
        AskFeature(ctx.db, ctx.knowledge,
                   followup_window=timedelta(minutes=settings.followup_minutes)),
        UnitsFeature(ctx.db, ctx.outbound, code_settings(settings)),
        broadcast,
        PollFeature(ctx.db, ctx.admin_ids, runner=runner_config(settings)
                    if ctx.workers and settings.poll_runner else None,
                    limits=platform_limits(settings)),
        StudyFeature(ctx.db, ctx.knowledge, ctx.outbound, broadcast.queue, study_config(settings),
                     guard=code_settings(settings).guard, admin_ids=ctx.admin_ids,
                     runner=ctx.workers and settings.study_runner),
        ReportsFeature(ctx.db, ctx.outbound, broadcast.queue, report_config(settings, ctx.workers)),
    ]


def report_config(settings: Settings, workers: bool = True) -> ReportConfig:
    """The reports feature's settings (REPORT_*); its tracker runs where workers run."""
    return ReportConfig(
        reminder_days=ReminderPlan.parse_days(settings.report_reminder_days),
        overdue_every_days=settings.report_overdue_every_days,
        escalate_after_days=settings.report_escalate_after_days,
        reminder_hour=settings.report_reminder_hour,
        close_after_days=settings.report_close_after_days,
        files_dir=settings.report_files_dir,
        max_file_bytes=int(settings.report_max_file_mb * 1024 * 1024),
        fetch_timeout=settings.report_fetch_timeout_seconds,
        fetch_allow_private=settings.report_fetch_allow_private,
        form_idle=timedelta(minutes=settings.report_form_idle_minutes),
        tick_seconds=settings.report_tick_seconds,
        worker=workers and settings.report_worker)


class ServingAnswerStore:
    """Where official answers join the knowledge base: the store the knowledge base reads,
    republished with the passage embedder of the serving process (its exported encoder, or
    one loaded on the first publish when search runs without the dense side). Resolved on
    the first publish: building the features reads nothing from the knowledge base."""

    def __init__(self, ctx: FeatureContext) -> None:
        self.ctx = ctx
        self._store: OfficialStore | None = None

    def publish(self, entries: Sequence[Mapping[str, Any]]) -> StoreResult:
        if self._store is None:
            self._store = self._open()
        return self._store.publish(entries)

    def _open(self) -> OfficialStore:
        from tuyengiao.commands import make_query_embedder

        searcher = self.ctx.knowledge.searcher
        store = searcher.reader.store_dir

        def embedder() -> Embedder:
            serving = searcher.embedder
            if serving is not None:
                return getattr(serving, "inner", serving)  # the batcher batches queries only
            return make_query_embedder(self.ctx.settings, store, serving=True)

        return OfficialStore(self.ctx.settings, store, embedder)


def code_settings(settings: Settings) -> CodeSettings:
    return CodeSettings(
        invite_days=settings.invite_days, member_uses=settings.invite_member_uses,
        guard=GuardPolicy(
            per_person=settings.code_max_failures_per_person,
            per_chat=settings.code_max_failures_per_chat,
            window=timedelta(minutes=settings.code_failure_window_minutes),
            lockout=timedelta(minutes=settings.code_lockout_minutes)))


__all__ = ["FeatureContext", "build_features", "code_settings", "report_config"]
