"""Periods and deadlines of a report request (all in Asia/Ho_Chi_Minh).

- once: one instance; the deadline is the end of the chosen day; it opens at once.
- monthly, day N: the instance of month M is due at the end of day N of M (the 31st of a
  30-day month is its last day); it opens on the 1st of M at 00:00. Named "tháng 5/2026",
  key "2026-05".
- quarterly, day N: the instance of quarter Q is due at the end of day N of Q's last month;
  it opens on the quarter's first day. Named "quý II/2026", key "2026-Q2".

"End of day N" is 00:00 of the next day: a report sent at 23:59 on the 20th is on time for
"hạn: hết ngày 20". A recurring request created after this period's deadline starts with the
next period. An instance accepts late submissions until `closes_at` (deadline +
REPORT_CLOSE_AFTER_DAYS), then whoever has not submitted stays "missing".

Typed periods ("5/2026", "tháng 5", "q2/2026", "quý 2") are read by `parse_period`.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from bot.reports import messages as texts
from bot.storage.models import LOCAL_TZ, to_local
from knowledge.text import fold

ROMAN = ("I", "II", "III", "IV")
_MONTH = re.compile(r"(?:thang\s*)?(\d{1,2})\s*[/\-.]\s*(\d{4})|thang\s*(\d{1,2})")
_QUARTER = re.compile(r"(?:q|quy)\s*(\d|i{1,3}|iv)(?:\s*[/\-.]\s*(\d{4}))?")
ONE_TICK = timedelta(microseconds=1)  # a deadline minus this falls on its last day
_ISO = re.compile(r"(\d{4})-(?:(\d{1,2})|q(\d))")  # "2026-05", "2026-q2" (the period keys)


@dataclass(frozen=True)
class Period:
    key: str
    label: str
    opens_at: datetime
    deadline_at: datetime


def end_of_day(day: date) -> datetime:
    """The moment day `day` ends, local time (00:00 of the next day)."""
    return datetime.combine(day + timedelta(days=1), time(0), tzinfo=LOCAL_TZ)


def start_of_day(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=LOCAL_TZ)


def _day_in(year: int, month: int, day: int) -> date:
    return date(year, month, min(day, calendar.monthrange(year, month)[1]))


def month_period(year: int, month: int, due_day: int) -> Period:
    return Period(f"{year:04d}-{month:02d}", texts.PERIOD_MONTH.format(month=month, year=year),
                  start_of_day(date(year, month, 1)), end_of_day(_day_in(year, month, due_day)))


def quarter_period(year: int, quarter: int, due_day: int) -> Period:
    first = 3 * (quarter - 1) + 1
    return Period(f"{year:04d}-Q{quarter}",
                  texts.PERIOD_QUARTER.format(quarter=ROMAN[quarter - 1], year=year),
                  start_of_day(date(year, first, 1)),
                  end_of_day(_day_in(year, first + 2, due_day)))


def once_period(deadline_day: date, label: str, opens_at: datetime) -> Period:
    shown = label or texts.PERIOD_ONCE.format(day=deadline_day.strftime("%d/%m/%Y"))
    return Period("once", shown, opens_at, end_of_day(deadline_day))


def passed_period(schedule: str, due_day: int, now: datetime) -> Period | None:
    """This month's (quarter's) period when its deadline has already passed at `now` (a
    request created then starts with the next one: `current_period`), else None."""
    if schedule not in ("monthly", "quarterly"):
        return None
    local = to_local(now)
    if schedule == "monthly":
        period = month_period(local.year, local.month, due_day)
    else:
        period = quarter_period(local.year, (local.month - 1) // 3 + 1, due_day)
    return period if period.deadline_at <= now else None


def current_period(schedule: str, due_day: int, now: datetime) -> Period:
    """The recurring period to open at `now`: this month's (quarter's) unless its deadline
    has passed, then the next one's (which opens in the future)."""
    local = to_local(now)
    if schedule == "monthly":
        period = month_period(local.year, local.month, due_day)
        if period.deadline_at <= now:
            year, month = (local.year + 1, 1) if local.month == 12 else (local.year, local.month + 1)
            period = month_period(year, month, due_day)
        return period
    if schedule == "quarterly":
        quarter = (local.month - 1) // 3 + 1
        period = quarter_period(local.year, quarter, due_day)
        if period.deadline_at <= now:
            year, quarter = (local.year + 1, 1) if quarter == 4 else (local.year, quarter + 1)
            period = quarter_period(year, quarter, due_day)
        return period
    raise ValueError(f"not a recurring schedule: {schedule!r}")


def next_period(schedule: str, due_day: int, key: str) -> Period:
    """The period after the one keyed `key`."""
    year, _, rest = key.partition("-")
    if schedule == "monthly":
        y, m = int(year), int(rest)
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
        return month_period(y, m, due_day)
    y, q = int(year), int(rest.removeprefix("Q"))
    y, q = (y + 1, 1) if q == 4 else (y, q + 1)
    return quarter_period(y, q, due_day)


@dataclass(frozen=True)
class Span:
    """A stretch of time asked about ("tháng 5/2026"): [start, end) and its name."""

    start: datetime
    end: datetime
    label: str
    months: tuple[str, ...]  # the month keys it covers ("2026-04", "2026-05", "2026-06")


def month_span(year: int, month: int) -> Span:
    start = start_of_day(date(year, month, 1))
    y, m = (year + 1, 1) if month == 12 else (year, month + 1)
    return Span(start, start_of_day(date(y, m, 1)),
                texts.PERIOD_MONTH.format(month=month, year=year), (f"{year:04d}-{month:02d}",))


def quarter_span(year: int, quarter: int) -> Span:
    first = 3 * (quarter - 1) + 1
    start = start_of_day(date(year, first, 1))
    y, m = (year + 1, 1) if quarter == 4 else (year, first + 3)
    return Span(start, start_of_day(date(y, m, 1)),
                texts.PERIOD_QUARTER.format(quarter=ROMAN[quarter - 1], year=year),
                tuple(f"{year:04d}-{first + k:02d}" for k in range(3)))


def parse_period(text: str, now: datetime) -> Span | None:
    """"5/2026", "tháng 5", "Q2/2026", "quý II", "2026-05", "2026-Q2" → the span; "" → this
    month; None when the text is no period (the caller shows its usage line)."""
    local = to_local(now)
    words = " ".join(fold(text).lower().split())
    if not words:
        return month_span(local.year, local.month)
    if m := _ISO.fullmatch(words):
        year = int(m[1])
        if m[2] is not None:
            return month_span(year, int(m[2])) if 1 <= int(m[2]) <= 12 else None
        return quarter_span(year, int(m[3])) if 1 <= int(m[3]) <= 4 else None
    if m := _MONTH.fullmatch(words):
        month = int(m[1] or m[3])
        year = int(m[2]) if m[2] else local.year
        return month_span(year, month) if 1 <= month <= 12 and 2000 <= year <= 2100 else None
    if m := _QUARTER.fullmatch(words):
        raw = m[1]
        quarter = int(raw) if raw.isdigit() else ROMAN.index(raw.upper()) + 1
        year = int(m[2]) if m[2] else local.year
        return quarter_span(year, quarter) if 1 <= quarter <= 4 and 2000 <= year <= 2100 else None
    return None


def month_key(moment: datetime) -> str:
    local = to_local(moment)
    return f"{local.year:04d}-{local.month:02d}"


def show_day(moment: datetime) -> str:
    """The last day a deadline covers, "20/05/2026"."""
    return to_local(moment - timedelta(microseconds=1)).strftime("%d/%m/%Y")


def show_moment(moment: datetime) -> str:
    return to_local(moment).strftime("%H:%M %d/%m/%Y")


def days_late(deadline: datetime, at: datetime) -> int:
    """Whole days after the deadline's day (1 for the day after); 0 when on time."""
    if at <= deadline:
        return 0
    return max((to_local(at).date() - to_local(deadline - timedelta(microseconds=1)).date()).days, 1)


__all__ = ["ONE_TICK", "Period", "Span", "current_period", "days_late", "end_of_day", "month_key",
           "month_period", "month_span", "next_period", "once_period", "parse_period", "passed_period",
           "quarter_period", "quarter_span", "show_day", "show_moment", "start_of_day"]
