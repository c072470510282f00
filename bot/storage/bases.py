"""What feature tables share, in one place: the field helpers for timestamps, and the
columns of something an officer addresses to units (a broadcast, a poll, and the coming
study campaigns and report requests) — who it targets and where it was composed.

SQLModel copies a base's fields into each table that inherits it (one column per table), as
its docs do with `HeroBase`; a feature's table class lists the base first:

    class Poll(Addressed, Composed, PollBase, table=True): ...
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import func
from sqlalchemy.exc import IntegrityError
from sqlmodel import Field, Session, SQLModel, col, select

from bot.storage.models import ROLES, UTCDateTime, utcnow


def now_field(**kwargs: Any) -> Any:
    """A timestamp column filled with the moment the row is made (UTC, timezone-aware)."""
    return Field(default_factory=utcnow, sa_type=UTCDateTime, **kwargs)  # type: ignore[arg-type]


def moment_field(**kwargs: Any) -> Any:
    """A timestamp column that starts empty."""
    return Field(default=None, sa_type=UTCDateTime, **kwargs)  # type: ignore[arg-type]


class Addressed(SQLModel):
    """Who an officer's message reaches: units (each with its subtree), the roles in them,
    and whether the units' registered groups get it (bot.services.audience.resolve)."""

    target_unit_ids: str = Field(default="", max_length=2000)  # "4,9,12"
    roles: str = Field(default="member,officer", max_length=32)  # "member,officer"
    include_groups: bool = True

    @property
    def unit_ids(self) -> list[int]:
        return [int(part) for part in self.target_unit_ids.split(",") if part.strip().isdigit()]

    @property
    def role_list(self) -> list[str]:
        return [role for role in self.roles.split(",") if role in ROLES]


class Composed(SQLModel):
    """Who made it (None: the server operator's CLI), where they composed it (progress and
    results go back there), the step of its guided conversation, and when it was made."""

    created_by_person_id: int | None = Field(default=None, foreign_key="person.id", index=True)
    origin_platform: str | None = Field(default=None, max_length=16)
    origin_chat_id: str | None = Field(default=None, max_length=64)
    compose_step: str | None = Field(default=None, max_length=16)
    created_at: datetime = now_field()


class Numbered(SQLModel):
    """The number people see and type ("thông báo #3", `/tiendo 3`): given when the thing is
    sent, so a draft that is abandoned takes none and the numbers people see run 1, 2, 3.
    Rows sent before numbers existed have none: their id is their number (the id was what
    people saw then), and new numbers continue above them."""

    number: int | None = Field(default=None, unique=True, index=True)


N = TypeVar("N", bound=Any)
_NUMBER_ATTEMPTS = 5


def give_number(session: Session, row: Any, sent: Any) -> int:
    """Give `row` (a table with `Numbered`) the next number, in the session's transaction.
    `sent`: the SQL condition of the rows that were sent (`confirmed_at IS NOT NULL`), for
    those numbered by their id. Two processes numbering at once: the loser's insert breaks
    the unique index and it takes the next number (savepoints, a few times)."""
    model = type(row)
    for attempt in range(_NUMBER_ATTEMPTS):
        top = session.exec(select(func.max(model.number))).one() or 0
        legacy = session.exec(select(func.max(model.id)).where(
            col(model.number).is_(None), sent, model.id != row.id)).one() or 0
        row.number = max(top, legacy) + 1
        try:
            with session.begin_nested():
                session.add(row)
                session.flush()
            return int(row.number)
        except IntegrityError:
            if attempt == _NUMBER_ATTEMPTS - 1:
                raise
    raise AssertionError("unreachable")


def by_number(session: Session, model: type[N], number: int, sent: Any) -> N | None:
    """The row people call `number`: the one given it, or a row sent before numbers
    existed whose id it is."""
    found = session.exec(select(model).where(model.number == number)).first()
    if found is not None:
        return found
    return session.exec(select(model).where(model.id == number, col(model.number).is_(None),
                                            sent)).first()


def shown_number(row: Any) -> int:
    """What to show for a row: its number, else its id (a row sent before numbers)."""
    return int(row.number if row.number is not None else row.id)


__all__ = ["Addressed", "Composed", "Numbered", "by_number", "give_number", "moment_field",
           "now_field", "shown_number"]
