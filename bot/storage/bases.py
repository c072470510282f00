"""What feature tables share, in one place: the field helpers for timestamps, and the
columns of something an officer addresses to units (a broadcast, a poll, and the coming
study campaigns and report requests) — who it targets and where it was composed.

SQLModel copies a base's fields into each table that inherits it (one column per table), as
its docs do with `HeroBase`; a feature's table class lists the base first:

    class Poll(Addressed, Composed, PollBase, table=True): ...
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlmodel import Field, SQLModel

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


__all__ = ["Addressed", "Composed", "moment_field", "now_field"]
