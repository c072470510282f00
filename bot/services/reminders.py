"""Reminders before (and after) a deadline, for any feature with one: study campaigns, unit
reports. Two schedules, because the features remind at different grains:

`ReminderSchedule` — exact offsets in hours before the deadline ("72,24": three days and one
day before, at the deadline's own clock time). What has been sent is one number kept with the
item (how many offsets are behind us when the last reminder went); nothing after the deadline.
Used by study campaigns (`StudyCampaign.reminders_sent`, STUDY_REMINDER_HOURS).

`ReminderPlan` — calendar days before the deadline's day at a fixed local hour (08:00), then
every N days once overdue, and one escalation to the superior N days after. What has been
acted on is the moment of the last step (`last`). Used by unit reports
(REPORT_REMINDER_DAYS and friends).

Both follow one rule after downtime: when several steps passed while nobody looked, only one
reminder is owed (members get one nudge, not a burst), and none for steps that had already
passed when the item reached the person.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo
from typing import Literal

MAX_OFFSETS = 10
MAX_OFFSET_HOURS = 24 * 366


@dataclass(frozen=True)
class ReminderSchedule:
    """Offsets in hours before a deadline; the state kept per item is `sent`, the number of
    offsets behind us at the last reminder (an int column)."""

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
        """The offsets in hours, largest first (72.0, 24.0)."""
        return [offset.total_seconds() / 3600 for offset in self.offsets]


StepKind = Literal["before", "overdue"]


@dataclass(frozen=True)
class ReminderStep:
    """One reminder: `days` before (kind "before") or after (kind "overdue") the deadline's
    day, at `moment` (timezone-aware)."""

    kind: StepKind
    days: int
    moment: datetime


@dataclass(frozen=True)
class ReminderPlan:
    """Calendar-day reminders (see the module's docstring). Every step falls on a calendar day
    of the deadline's time zone at `hour`, never at the moment the deadline itself happens to
    fall (a deadline "hết ngày 20" is 00:00 on the 21st; nobody wants a reminder at midnight):

        deadline day D (the day the deadline ends)   before steps: D-3 08:00, D-1 08:00
                                                      overdue steps: D+1 08:00, D+2 08:00, ...
                                                      escalation:   D+N 08:00 (once)

    The plan is pure: callers store the moment of the last step they acted on (`last`), and ask
    `due(deadline, last, now, opened)` for the step to act on now. When several steps passed
    while nobody looked (the process was down), only the latest is due — one reminder, not a
    burst. Steps before `opened` (the request reached the person after them) are skipped.
    """

    before_days: tuple[int, ...] = (3, 1)
    overdue_every_days: int = 1  # 0: no reminders once overdue
    escalate_after_days: int = 3  # 0: never escalate
    hour: int = 8  # local hour of every step
    tz: tzinfo | None = None  # the deadline's zone (None: the deadline's own tzinfo)

    @classmethod
    def parse_days(cls, text: str) -> tuple[int, ...]:
        """"3,1" / "3 1" / "" → (3, 1) / (3, 1) / (): distinct days in 1..60, largest first.
        ValueError for anything else."""
        parts = [p for p in text.replace(",", " ").replace(";", " ").split() if p]
        days = set()
        for part in parts:
            if not part.isascii() or not part.isdigit() or not 1 <= int(part) <= 60:
                raise ValueError(f"reminder days must be whole days in 1..60: {part[:10]!r}")
            days.add(int(part))
        return tuple(sorted(days, reverse=True))

    def deadline_day(self, deadline: datetime) -> date:
        """The calendar day a deadline ends (an end-of-day deadline at 00:00 belongs to the
        day before)."""
        return self._local(deadline - timedelta(microseconds=1)).date()

    def step_moment(self, deadline: datetime, days: int) -> datetime:
        """`days` after the deadline's day (negative: before) at the plan's hour."""
        day = self.deadline_day(deadline) + timedelta(days=days)
        zone = self.tz or deadline.tzinfo
        return datetime.combine(day, time(self.hour), tzinfo=zone)

    def steps(self, deadline: datetime, until: datetime) -> list[ReminderStep]:
        """Every step up to `until` (inclusive), in time order."""
        found = [ReminderStep("before", d, self.step_moment(deadline, -d))
                 for d in sorted(self.before_days, reverse=True)]
        if self.overdue_every_days > 0:
            k = self.overdue_every_days
            while (moment := self.step_moment(deadline, k)) <= until:
                found.append(ReminderStep("overdue", k, moment))
                k += self.overdue_every_days
        return [s for s in found if s.moment <= until]

    def due(self, deadline: datetime, last: datetime | None, now: datetime,
            opened: datetime | None = None) -> ReminderStep | None:
        """The step to act on at `now`: the latest one in (last, now] and not before `opened`;
        None when there is none."""
        latest = None
        for step in self._candidates(deadline, now):
            if step.moment > now:
                break
            if (last is None or step.moment > last) and (opened is None or step.moment >= opened):
                latest = step
        return latest

    def escalation_moment(self, deadline: datetime) -> datetime | None:
        """When to tell the superior (timezone-aware); None when the plan never escalates."""
        if self.escalate_after_days <= 0:
            return None
        return self.step_moment(deadline, self.escalate_after_days)

    def escalation_due(self, deadline: datetime, now: datetime) -> bool:
        """Whether the escalation moment is behind us at `now`."""
        moment = self.escalation_moment(deadline)
        return moment is not None and now >= moment

    def _candidates(self, deadline: datetime, now: datetime) -> Sequence[ReminderStep]:
        before = [ReminderStep("before", d, self.step_moment(deadline, -d))
                  for d in sorted(self.before_days, reverse=True)]
        overdue: list[ReminderStep] = []
        every = self.overdue_every_days
        if every > 0:
            # Only the latest overdue step can be due: jump straight to it (and the one
            # before, in case today's has not come yet) instead of walking every day.
            days = (self._local(now).date() - self.deadline_day(deadline)).days
            k = max(days // every * every, every)
            for step_days in (k - every, k):
                if step_days >= every:
                    overdue.append(ReminderStep("overdue", step_days,
                                                self.step_moment(deadline, step_days)))
        return sorted(before + overdue, key=lambda s: s.moment)

    def _local(self, moment: datetime) -> datetime:
        return moment.astimezone(self.tz) if self.tz is not None else moment


__all__ = ["ReminderPlan", "ReminderSchedule", "ReminderStep"]
