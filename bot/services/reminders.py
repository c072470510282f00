"""Reminders before a deadline at configurable offsets ("72,24": three days and one day
before), for any feature with a deadline (study campaigns, unit reports).

A schedule is the offsets, largest first; what has been sent is one number kept with the
item (how many offsets are behind us when the last reminder went). `due` answers whether a
reminder is owed now: one reminder however many offsets passed while the process was
down (members get one nudge, not three at once), and none for offsets that had already
passed when the item started (`already_passed` at creation).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

MAX_OFFSETS = 10
MAX_OFFSET_HOURS = 24 * 366


@dataclass(frozen=True)
class ReminderSchedule:
    offsets: tuple[timedelta, ...]  # before the deadline, largest first

    @classmethod
    def parse(cls, text: str) -> ReminderSchedule:
        """"72,24" (hours before the deadline; fractions allowed, "0.5") → a schedule.
        ValueError for anything else: a negative, a zero, more than ten, over a year."""
        hours: list[float] = []
        for part in text.replace(";", ",").split(","):
            part = part.strip()
            if not part:
                continue
            value = float(part)
            if not 0 < value <= MAX_OFFSET_HOURS:
                raise ValueError(f"reminder offset out of range: {part!r}")
            hours.append(value)
        if len(hours) > MAX_OFFSETS:
            raise ValueError(f"at most {MAX_OFFSETS} reminder offsets")
        return cls(tuple(timedelta(hours=h) for h in sorted(set(hours), reverse=True)))

    def passed(self, deadline: datetime, now: datetime) -> int:
        """How many offsets are behind us at `now` (0 to len(offsets)); none after the
        deadline's own moment counts more."""
        return sum(1 for offset in self.offsets if now >= deadline - offset)

    def due(self, deadline: datetime | None, sent: int, now: datetime) -> int | None:
        """The new `sent` count when a reminder is owed now, else None. Nothing is owed
        without a deadline or once it has passed."""
        if deadline is None or now >= deadline:
            return None
        passed = self.passed(deadline, now)
        return passed if passed > sent else None

    def describe_hours(self) -> Sequence[float]:
        return [offset.total_seconds() / 3600 for offset in self.offsets]


__all__ = ["ReminderSchedule"]
