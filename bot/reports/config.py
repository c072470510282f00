"""The reports feature's settings as plain values (the entry point fills them from
tuyengiao/settings.py: REPORT_*), and the clock everything reads the time from — a function,
so tests drive deadlines and reminders by moving it, never by sleeping."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from bot.services.reminders import ReminderPlan
from bot.storage.models import LOCAL_TZ, utcnow

# The name this feature's bulletins carry in the outbox (bot.core.delivery.Bulletin.feature).
FEATURE = "reports"

Clock = Callable[[], datetime]


@dataclass(frozen=True)
class ReportConfig:
    reminder_days: tuple[int, ...] = (3, 1)  # defaults of a new request
    overdue_every_days: int = 1
    escalate_after_days: int = 3
    reminder_hour: int = 8  # local hour reminders go out
    close_after_days: int = 30  # late submissions accepted this long after the deadline
    files_dir: Path = Path("data/report-files")
    max_file_bytes: int = 10 * 1024 * 1024
    fetch_timeout: float = 15.0
    fetch_allow_private: bool = False  # tests only: image links on a loopback server
    form_idle: timedelta = timedelta(minutes=60)  # a form left this long stops taking texts
    tick_seconds: float = 60.0  # how often the tracker looks for due work
    worker: bool = True  # run the tracker in this process
    clock: Clock = field(default=utcnow)

    def plan(self, reminder_days: tuple[int, ...], overdue_every: int, escalate_after: int
             ) -> ReminderPlan:
        return ReminderPlan(reminder_days, overdue_every, escalate_after, self.reminder_hour,
                            LOCAL_TZ)

    @property
    def close_after(self) -> timedelta:
        return timedelta(days=self.close_after_days)

    @property
    def max_file_mb(self) -> str:
        return _mb(self.max_file_bytes)


def _mb(size: int) -> str:
    value = size / (1024 * 1024)
    return f"{value:.0f}" if value >= 10 or value.is_integer() else f"{value:.1f}".replace(".", ",")


def megabytes(size: int) -> str:
    """A size in MB as people read it ("25", "2,5")."""
    return _mb(size)


__all__ = ["FEATURE", "Clock", "ReportConfig", "megabytes"]
