"""When to remind someone of a deadline, and when to tell their superior: a reminder schedule
any feature with deadlines can use (unit reports, study campaigns).

A `ReminderPlan` holds the offsets (days before the deadline, e.g. 3 and 1), how often to
remind once the deadline has passed (every day), and after how many days overdue to escalate
(tell the parent unit's officers). Every step falls on a calendar day of the deadline's time
zone at a fixed hour (`hour`, 08:00 by default), never at the moment the deadline itself
happens to fall (a deadline "hết ngày 20" is 00:00 on the 21st; nobody wants a reminder at
midnight):

    deadline day D (the day the deadline ends)   before steps: D-3 08:00, D-1 08:00
                                                  overdue steps: D+1 08:00, D+2 08:00, ...
                                                  escalation:   D+N 08:00 (once)

The plan is pure: callers store the moment of the last step they acted on (`last`), and ask
`due(deadline, last, now, opened)` for the step to act on now. When several steps passed
while nobody looked (the process was down), only the latest is due — one reminder, not a
burst. Steps before `opened` (the request reached the person after them) are skipped.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo
from typing import Literal

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
        if self.escalate_after_days <= 0:
            return None
        return self.step_moment(deadline, self.escalate_after_days)

    def escalation_due(self, deadline: datetime, now: datetime) -> bool:
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


__all__ = ["ReminderPlan", "ReminderStep"]
