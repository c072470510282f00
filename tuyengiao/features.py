"""The features this application runs, in the order the core offers them updates — the one
place that lists them. Importing it registers every table (tuyengiao/tables.py).

Adding a feature: a folder under bot/ with its models, services and a `Feature`
(bot.core.feature), its models imported in tuyengiao/tables.py, and one line in
`build_features`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

import tuyengiao.tables  # noqa: F401  (every table registered)
from bot.ask.feature import AskFeature
from bot.broadcast.feature import BroadcastFeature
from bot.core.feature import Feature
from bot.core.knowledge_base import KnowledgeBase
from bot.core.outbound import Outbound
from bot.polls.feature import PollFeature
from bot.reports.config import ReportConfig
from bot.reports.feature import ReportsFeature
from bot.services.code_guard import GuardPolicy
from bot.services.reminder_plan import ReminderPlan
from bot.storage.database import Database
from bot.units.feature import CodeSettings, UnitsFeature
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
    from tuyengiao.ports import platform_limits, runner_config, worker_config

    settings = ctx.settings
    broadcast = BroadcastFeature(ctx.db, ctx.knowledge, worker=worker_config(settings)
                                 if ctx.workers and settings.broadcast_worker else None)
    return [
        AskFeature(ctx.db, ctx.knowledge),
        UnitsFeature(ctx.db, ctx.outbound, code_settings(settings)),
        broadcast,
        PollFeature(ctx.db, ctx.admin_ids, runner=runner_config(settings)
                    if ctx.workers and settings.poll_runner else None,
                    limits=platform_limits(settings)),
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


def code_settings(settings: Settings) -> CodeSettings:
    return CodeSettings(
        invite_days=settings.invite_days, member_uses=settings.invite_member_uses,
        guard=GuardPolicy(
            per_person=settings.code_max_failures_per_person,
            per_chat=settings.code_max_failures_per_chat,
            window=timedelta(minutes=settings.code_failure_window_minutes),
            lockout=timedelta(minutes=settings.code_lockout_minutes)))


__all__ = ["FeatureContext", "build_features", "code_settings", "report_config"]
