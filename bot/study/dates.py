"""Dates officers type for a campaign: "31/12/2026", "31-12-26", "20/12/2026 14:00",
"14h30 20/12" (Vietnam time), read into aware UTC moments.

A date alone means the end of that day for a deadline (23:59) and the morning for a session
(08:00, the usual start of a cell's meeting); a date without a year is the next such date.
"""

from __future__ import annotations

import re
from datetime import datetime, time, timedelta, timezone

from bot.services.errors import InvalidInput
from bot.storage.models import LOCAL_TZ, to_local, utcnow
from bot.study import messages as texts

_DATE = re.compile(r"(?<!\d)(?P<d>\d{1,2})[/.-](?P<mo>\d{1,2})(?:[/.-](?P<y>\d{2}|\d{4}))?(?!\d)")
_TIME = re.compile(r"(?<!\d)(?P<h>\d{1,2})\s*[:hH]\s*(?P<m>\d{2})?(?!\d)")
END_OF_DAY = time(23, 59)
SESSION_START = time(8, 0)


def parse_moment(text: str, default_time: time, now: datetime | None = None) -> datetime:
    """The moment `text` names (Vietnam time) as aware UTC; InvalidInput when it names none
    or an impossible date. Only 2000–2099 are accepted: a year is typed, never computed."""
    now_local = to_local(now or utcnow())
    found = _DATE.search(text[:100])
    if found is None:
        raise InvalidInput(texts.DATE_INVALID)
    rest = text[:found.start()] + " " + text[found.end():100]
    clock = _TIME.search(rest)
    try:
        at = default_time
        if clock is not None:
            at = time(int(clock["h"]), int(clock["m"] or 0))
        year = int(found["y"]) if found["y"] else now_local.year
        year += 2000 if year < 100 else 0
        if not 2000 <= year <= 2099:
            raise ValueError(year)
        moment = datetime.combine(datetime(year, int(found["mo"]), int(found["d"])).date(), at,
                                  tzinfo=LOCAL_TZ)
        if not found["y"] and moment < now_local:
            moment = moment.replace(year=year + 1)
    except ValueError:
        raise InvalidInput(texts.DATE_INVALID) from None
    return moment.astimezone(timezone.utc)


def end_of_day_after(days: int, now: datetime | None = None) -> datetime:
    """23:59 Vietnam time, `days` days from today."""
    local = to_local(now or utcnow()) + timedelta(days=days)
    return datetime.combine(local.date(), END_OF_DAY, tzinfo=LOCAL_TZ).astimezone(timezone.utc)


def shown(moment: datetime | None, fmt: str = texts.DATE_FORMAT) -> str:
    return to_local(moment).strftime(fmt) if moment is not None else texts.NO_DATE


__all__ = ["END_OF_DAY", "SESSION_START", "end_of_day_after", "parse_moment", "shown"]
