"""The unit tree (province → district → commune → party cell) and who may act where.

Rules: admins (ADMIN_IDS) may do anything. An officer acts on the subtree under each unit
where they are an officer: they create sub-units there (and invite codes for it,
bot.services.invites). Members do neither. The server operator's CLI (`admin_*` functions) is trusted.

Roles are not inherited downwards as memberships: an officer of a district is not a member of
its cells, but their scope covers them.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Sequence
from datetime import datetime

from sqlalchemy import ColumnElement
from sqlmodel import Session, col, func, or_, select

from bot import messages as texts
from bot.services.errors import InvalidInput, NotFound, PermissionDenied
from bot.services.people import Actor
from bot.storage.models import (
    ROLES,
    UNIT_KINDS,
    ChatRecord,
    InviteCode,
    Membership,
    Unit,
    utcnow,
    valid_id,
)
from knowledge.text import fold, normalize

logger = logging.getLogger(__name__)

MAX_NAME = 120

_KIND_ALIASES: dict[str, str] = {
    **{k: k for k in UNIT_KINDS},
    "tinh": "province", "thanh pho": "province",
    "huyen": "district", "quan": "district", "thi xa": "district",
    "xa": "commune", "phuong": "commune", "thi tran": "commune",
    "chi bo": "cell", "chibo": "cell",
    "khac": "other",
}
_ROLE_ALIASES: dict[str, str] = {
    **{r: r for r in ROLES},
    "can bo": "officer", "canbo": "officer",
    "dang vien": "member", "dangvien": "member", "thanh vien": "member",
}


def parse_kind(text: str) -> str:
    """"district", "huyện", "Huyen" → "district"; InvalidInput otherwise."""
    kind = _KIND_ALIASES.get(" ".join(fold(normalize(text)).split()))
    if kind is None:
        raise InvalidInput(texts.UNIT_KIND_INVALID)
    return kind


def parse_role(text: str) -> str:
    """"officer", "cán bộ" → "officer"; "member", "đảng viên" → "member"."""
    role = _ROLE_ALIASES.get(" ".join(fold(normalize(text)).split()))
    if role is None:
        raise InvalidInput(texts.ROLE_INVALID)
    return role


def path_key(unit: Unit) -> tuple[int, ...]:
    """Sort key giving tree (pre-)order with siblings by id, on any database collation."""
    return unit.path_ids


def get_unit(session: Session, unit_id: int) -> Unit:
    unit = session.get(Unit, unit_id) if valid_id(unit_id) else None
    if unit is None:
        raise NotFound(texts.UNIT_NOT_FOUND)
    return unit


def under_any(paths: Iterable[str]) -> ColumnElement[bool]:
    """A WHERE clause: the unit's path starts with one of the given paths (subtrees)."""
    return or_(*(col(Unit.path).like(f"{p}%") for p in paths))


def _top_paths(units: Iterable[Unit]) -> list[str]:
    """The smallest set of paths whose subtrees cover all the given units' subtrees."""
    paths = sorted({u.path for u in units}, key=len)
    tops: list[str] = []
    for p in paths:
        if not any(p.startswith(t) for t in tops):
            tops.append(p)
    return tops


def subtree_units(session: Session, unit_id: int) -> list[Unit]:
    """The unit and everything under it, in tree order."""
    unit = get_unit(session, unit_id)
    units = session.exec(select(Unit).where(col(Unit.path).like(f"{unit.path}%"))).all()
    return sorted(units, key=path_key)


def subtree_unit_ids(session: Session, unit_id: int) -> list[int]:
    return [u.id for u in subtree_units(session, unit_id) if u.id is not None]


def officer_units(session: Session, actor: Actor) -> list[Unit]:
    """The units where the actor is an officer (read from the database, not the snapshot)."""
    return list(
        session.exec(
            select(Unit)
            .join(Membership, col(Membership.unit_id) == col(Unit.id))
            .where(Membership.person_id == actor.person_id, Membership.role == "officer")
        ).all()
    )


def _scope_units(session: Session, actor: Actor) -> list[Unit]:
    if actor.is_admin:
        units: Sequence[Unit] = session.exec(select(Unit)).all()
    else:
        tops = _top_paths(officer_units(session, actor))
        units = session.exec(select(Unit).where(under_any(tops))).all() if tops else []
    return sorted(units, key=path_key)


def officer_scope(session: Session, actor: Actor) -> list[int]:
    """Ids of every unit the actor may act on (admins: all; members: none), in tree order."""
    return [u.id for u in _scope_units(session, actor) if u.id is not None]


def scope_paths(session: Session, actor: Actor) -> list[str] | None:
    """The subtree roots of the actor's scope as paths; None means everything (admins)."""
    if actor.is_admin:
        return None
    return _top_paths(officer_units(session, actor))


def can_act_on(session: Session, actor: Actor, unit_id: int) -> bool:
    unit = session.get(Unit, unit_id) if valid_id(unit_id) else None
    if unit is None:
        return False
    if actor.is_admin:
        return True
    return any(unit.path.startswith(u.path) for u in officer_units(session, actor))


def has_units(session: Session) -> bool:
    """Whether any unit exists (none: a first run, nothing set up yet)."""
    return session.exec(select(Unit.id).limit(1)).first() is not None


def list_units(session: Session, actor: Actor) -> list[Unit]:
    """The units the actor sees: their scope, plus the units they are a member of."""
    units = {u.id: u for u in _scope_units(session, actor)}
    if not actor.is_admin:
        own = session.exec(
            select(Unit)
            .join(Membership, col(Membership.unit_id) == col(Unit.id))
            .where(Membership.person_id == actor.person_id)
        ).all()
        units.update({u.id: u for u in own})
    return sorted(units.values(), key=path_key)


# --- creating units -----------------------------------------------------------------------


# What a unit name may not hold (rejected, not cleaned: a name typed as "<b>Chi bộ 3</b>"
# would otherwise be stored and shown with its tags): markup brackets, C0/C1 control
# characters (tab and line breaks are spacing, made single spaces) and the bidirectional
# overrides and isolates that make a name display in another order than it is stored
# (CVE-2021-42574, "Trojan Source"). The name is shown in chats, reports, CSV files and
# the officers' terminals.
_NAME_FORBIDDEN = re.compile(r"[<>\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def _clean_name(name: str) -> str:
    """A unit name as stored: single-spaced and normalised; InvalidInput when empty, too
    long, or holding markup or control characters (`_NAME_FORBIDDEN`)."""
    if _NAME_FORBIDDEN.search(name):
        logger.info("unit name refused: holds markup or control characters: %r", name[:200])
        raise InvalidInput(texts.UNIT_NAME_CHARACTERS)
    cleaned = " ".join(normalize(name).split())
    if not cleaned:
        raise InvalidInput(texts.UNIT_NAME_EMPTY)
    if len(cleaned) > MAX_NAME:
        raise InvalidInput(texts.UNIT_NAME_TOO_LONG)
    return cleaned


def _insert_unit(
    session: Session, name: str, kind: str, parent: Unit | None, now: datetime | None
) -> Unit:
    siblings = select(Unit.name).where(
        col(Unit.parent_id) == parent.id if parent else col(Unit.parent_id).is_(None)
    )
    if any(fold(existing) == fold(name) for existing in session.exec(siblings)):
        raise InvalidInput(texts.UNIT_NAME_TAKEN)
    unit = Unit(
        name=name, kind=kind, parent_id=parent.id if parent else None, created_at=now or utcnow()
    )
    session.add(unit)
    session.flush()  # the id goes into the path
    unit.path = f"{parent.path if parent else '/'}{unit.id}/"
    session.add(unit)
    session.flush()
    logger.info("unit %s created: %s (%s) at %s", unit.id, unit.name, unit.kind, unit.path)
    return unit


def create_unit(
    session: Session, actor: Actor, name: str, kind: str, parent_id: int | None,
    *, now: datetime | None = None,
) -> Unit:
    name, kind = _clean_name(name), parse_kind(kind)
    if not actor.is_admin:
        officer_of = officer_units(session, actor)
        if not officer_of:
            raise PermissionDenied(texts.NOT_OFFICER)
        if parent_id is None:
            raise PermissionDenied(texts.OUTSIDE_SCOPE)
        parent = get_unit(session, parent_id)
        if not any(parent.path.startswith(u.path) for u in officer_of):
            raise PermissionDenied(texts.OUTSIDE_SCOPE)
    else:
        parent = get_unit(session, parent_id) if parent_id is not None else None
    return _insert_unit(session, name, kind, parent, now)


def admin_create_unit(
    session: Session, name: str, kind: str, parent_id: int | None = None,
    *, now: datetime | None = None,
) -> Unit:
    """For the server operator's CLI: no actor, no permission check."""
    parent = get_unit(session, parent_id) if parent_id is not None else None
    return _insert_unit(session, _clean_name(name), parse_kind(kind), parent, now)


# --- chats --------------------------------------------------------------------------------


def attach_chat(
    session: Session, actor: Actor, platform: str, chat_id: str, unit_id: int | None
) -> ChatRecord:
    """Say which unit a (group) chat belongs to, or detach it with None."""
    chat = session.exec(
        select(ChatRecord).where(ChatRecord.platform == platform, ChatRecord.chat_id == str(chat_id))
    ).first()
    if chat is None:
        raise NotFound()
    for target in (unit_id, chat.unit_id):
        if target is not None and not can_act_on(session, actor, target):
            raise PermissionDenied(texts.OUTSIDE_SCOPE)
    if unit_id is not None:
        get_unit(session, unit_id)
    chat.unit_id = unit_id
    session.add(chat)
    session.flush()
    return chat


# --- showing the tree ---------------------------------------------------------------------


def role_counts(session: Session, unit_ids: Sequence[int] | None = None) -> dict[int, dict[str, int]]:
    """{unit_id: {"officer": n, "member": m}} for the given units (None: all)."""
    query = select(Membership.unit_id, Membership.role, func.count()).group_by(
        col(Membership.unit_id), col(Membership.role)
    )
    if unit_ids is not None:
        query = query.where(col(Membership.unit_id).in_(list(unit_ids)))
    counts: dict[int, dict[str, int]] = {}
    for unit_id, role, n in session.exec(query):
        counts.setdefault(unit_id, {"officer": 0, "member": 0})[role] = n
    return counts


def tree_text(session: Session, units: Sequence[Unit]) -> str:
    """The units as an indented tree with ids, kinds and officer/member counts."""
    if not units:
        return texts.UNITS_NONE
    ordered = sorted(units, key=path_key)
    counts = role_counts(session, [u.id for u in ordered if u.id is not None])
    base = min(u.depth for u in ordered)
    lines = []
    for u in ordered:
        c = counts.get(u.id or 0, {})
        lines.append(
            texts.UNIT_LINE.format(
                indent="  " * (u.depth - base), id=u.id, name=u.name,
                kind=texts.UNIT_KIND_NAMES.get(u.kind, u.kind),
                officers=c.get("officer", 0), members=c.get("member", 0),
            )
        )
    return "\n".join(lines)


def unit_tree_text(session: Session, actor: Actor | None = None) -> str:
    """The actor's units as a tree (`list_units`); None: every unit (server operator)."""
    if actor is None:
        units: Sequence[Unit] = session.exec(select(Unit)).all()
    else:
        units = list_units(session, actor)
    return tree_text(session, units)


__all__ = [
    "MAX_NAME", "admin_create_unit", "attach_chat",
    "can_act_on", "create_unit", "get_unit", "has_units", "list_units", "officer_scope",
    "officer_units", "parse_kind", "under_any", "parse_role", "path_key", "role_counts",
    "scope_paths", "subtree_unit_ids", "subtree_units", "tree_text", "unit_tree_text",
]
