"""Members exempt from party activities ("miễn sinh hoạt đảng"): a per-member flag an
officer sets, kept on the membership (`Membership.exempt_at`, reason, who set it).

The Party's rules (Điều lệ Đảng; Hướng dẫn 01-HD/TW on its implementation) let a cell
exempt a member from activities — old age, long illness — and the study reports count as
the seeds do: "trừ đảng viên được miễn sinh hoạt", the exempt are out of every
denominator. A person is exempt when any of their memberships carries the flag (they are
exempt from the party's activities, not from one unit's).

Authorisation: an officer sets or clears the flag only on memberships of units in their
subtree (`units.can_act_on`); admins anywhere; `actor=None` is the operator's CLI. Members
never.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import datetime

from sqlmodel import Session, col, select

from bot import messages as texts
from bot.services.errors import InvalidInput, NotFound, PermissionDenied
from bot.services.people import Actor
from bot.services.units import can_act_on, get_unit
from bot.storage.models import Membership, Person, utcnow, valid_id

logger = logging.getLogger(__name__)

MAX_REASON = 200


def _membership(session: Session, actor: Actor | None, person_id: int,
                unit_id: int) -> Membership:
    get_unit(session, unit_id)  # NotFound for a unit that does not exist
    if actor is not None and not can_act_on(session, actor, unit_id):
        raise PermissionDenied(texts.OUTSIDE_SCOPE)
    row = session.exec(select(Membership).where(
        Membership.person_id == person_id, Membership.unit_id == unit_id)).first() \
        if valid_id(person_id) else None
    if row is None:
        raise NotFound()
    return row


def set_exempt(session: Session, actor: Actor | None, person_id: int, unit_id: int,
               reason: str = "", *, now: datetime | None = None) -> bool:
    """Flag the person's membership of `unit_id` exempt; False when it already was.
    Raises PermissionDenied outside the actor's subtree, NotFound for no such membership."""
    row = _membership(session, actor, person_id, unit_id)
    if row.exempt_at is not None:
        return False
    reason = " ".join(reason.split())
    if len(reason) > MAX_REASON:
        raise InvalidInput()
    row.exempt_at = now or utcnow()
    row.exempt_reason = reason or None
    row.exempt_by_person_id = actor.person_id if actor else None
    session.add(row)
    session.flush()
    logger.info("person %s exempt from activities in unit %s (set by %s)", person_id, unit_id,
                actor.person_id if actor else "the CLI")
    return True


def clear_exempt(session: Session, actor: Actor | None, person_id: int, unit_id: int) -> bool:
    """Clear the flag on that membership; False when it was not set."""
    row = _membership(session, actor, person_id, unit_id)
    if row.exempt_at is None:
        return False
    row.exempt_at = row.exempt_reason = row.exempt_by_person_id = None
    session.add(row)
    session.flush()
    logger.info("person %s no longer exempt in unit %s (cleared by %s)", person_id, unit_id,
                actor.person_id if actor else "the CLI")
    return True


def exempt_people(session: Session, person_ids: Iterable[int] | None = None) -> set[int]:
    """The people (of `person_ids`, or all) with any exempt membership."""
    query = select(Membership.person_id).where(col(Membership.exempt_at).is_not(None))
    if person_ids is not None:
        wanted = list(set(person_ids))
        if not wanted:
            return set()
        found: set[int] = set()
        for start in range(0, len(wanted), 900):  # SQLite's bound-parameter limit
            found |= set(session.exec(query.where(
                col(Membership.person_id).in_(wanted[start:start + 900]))).all())
        return found
    return set(session.exec(query).all())


def members_of(session: Session, unit_id: int) -> list[tuple[int, str, str, bool]]:
    """(person id, name, role, exempt) of a unit's own members, by name."""
    rows = session.exec(
        select(Membership.person_id, Person.display_name, Membership.role, Membership.exempt_at)
        .join(Person, col(Person.id) == col(Membership.person_id))
        .where(Membership.unit_id == unit_id)
    ).all()
    return sorted(((p, name or f"#{p}", role, at is not None) for p, name, role, at in rows),
                  key=lambda r: (r[1].casefold(), r[0]))


__all__ = ["clear_exempt", "exempt_people", "members_of", "set_exempt"]
