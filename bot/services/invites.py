"""Codes people type: unit invites (`/dangky <mã>`) and, sharing their table and alphabet,
personal link codes (`/lienket <mã>`, bot.services.linking).

The two kinds are told apart in two ways, on purpose. The server keeps them apart: each
command accepts only its own kind (`join_with_code` refuses a link code, `linking` refuses an
invite), so a member who hands their link code to an officer "as an invite" gets nothing
from `/dangky` but a warning. People see them apart: a link code carries the prefix "LK"
("LK-ABCD-EFGH"), and since L is not in the alphabet no invite can ever start with it.

Officer invites are single-use unless widened (`uses`); member invites default to a
bounded number of uses (`DEFAULT_MEMBER_USES`, a setting at the entry point), so a code that
leaks out of its unit lets in at most that many people before it runs out.
"""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session, col, or_, select, update

from bot import messages as texts

from bot.services.errors import InvalidInput, InviteInvalid, NotFound, PermissionDenied
from bot.services.people import Actor, actor_for
from bot.services.units import can_act_on, get_unit, officer_units, parse_role
from bot.storage.models import ROLE_RANK, Identity, InviteCode, Membership, Unit, utcnow

logger = logging.getLogger(__name__)

# No 0/O, 1/I/L: codes are read aloud and typed on phones.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 8
LINK_PREFIX = "LK"  # L is not in CODE_ALPHABET: no invite code starts with it
# Default number of uses: an officer invite makes one officer; a member invite is shared
# with a unit (a party cell rarely has more than a few dozen members), and its bound is how
# many strangers a leaked code can let in. Widened per code (`/taoma ... <số lượt>`,
# `tuyengiao admin invite --uses N`) up to MAX_USES.
OFFICER_USES = 1
DEFAULT_MEMBER_USES = 50
MAX_USES = 1000
DEFAULT_INVITE_TTL = timedelta(days=7)


@dataclass(frozen=True)
class JoinResult:
    """What an invite did: the unit and the person's `role` there now (an officer who
    redeems a member code stays an officer); `actor` is refreshed."""

    unit: Unit
    role: str
    actor: Actor


def normalize_code(code: str) -> str:
    """What people type ("abcd-efgh ", "ABCD EFGH", "lk-abcd-efgh") → the stored form."""
    return "".join(ch for ch in code.upper() if ch.isascii() and ch.isalnum())[:32]


def is_link_code(code: str) -> bool:
    """Whether a typed code has the shape of a link code ("LK" + 8 letters)."""
    stored = normalize_code(code)
    return stored.startswith(LINK_PREFIX) and len(stored) == len(LINK_PREFIX) + CODE_LENGTH


def show_link_code(stored: str) -> str:
    """"LKABCDEFGH" → "LK-ABCD-EFGH" (how it is shown to its owner)."""
    body = stored[len(LINK_PREFIX):]
    return f"{LINK_PREFIX}-{body[:4]}-{body[4:]}"


def new_code(session: Session, prefix: str = "") -> str:
    """A fresh random code (with `prefix`), not used by any existing code."""
    while True:
        code = prefix + "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
        if session.exec(select(InviteCode.id).where(InviteCode.code == code)).first() is None:
            return code


def default_uses(role: str, member_uses: int = DEFAULT_MEMBER_USES) -> int:
    return OFFICER_USES if role == "officer" else member_uses


def find_code(session: Session, code: str) -> InviteCode | None:
    """The code as typed, of either kind; a link code typed without its "LK" is found too."""
    stored = normalize_code(code)
    if not stored:
        return None
    candidates = [stored]
    if len(stored) == CODE_LENGTH:
        candidates.append(LINK_PREFIX + stored)
    found = session.exec(select(InviteCode).where(col(InviteCode.code).in_(candidates))).all()
    return min(found, key=lambda c: len(c.code)) if found else None  # an exact match first


def usable(invite: InviteCode | None, now: datetime) -> InviteCode:
    """The code if it can still be redeemed; InviteInvalid with the reason otherwise."""
    if invite is None:
        raise InviteInvalid("unknown")
    if invite.revoked:
        raise InviteInvalid("revoked")
    if invite.expires_at is not None and invite.expires_at <= now:
        raise InviteInvalid("expired")
    if invite.max_uses is not None and invite.uses >= invite.max_uses:
        raise InviteInvalid("used_up")
    return invite


def consume(session: Session, invite: InviteCode) -> None:
    """Count one use, atomically: two people racing for the last use cannot both get it."""
    result = session.exec(
        update(InviteCode)
        .where(
            col(InviteCode.id) == invite.id,
            col(InviteCode.revoked).is_(False),
            or_(
                col(InviteCode.max_uses).is_(None),
                col(InviteCode.uses) < col(InviteCode.max_uses),
            ),
        )
        .values(uses=col(InviteCode.uses) + 1)
    )
    if result.rowcount != 1:
        raise InviteInvalid("used_up")
    session.refresh(invite)


def withdraw(session: Session, code: str) -> None:
    """Revoke a code that was made but could not be handed over (the private message with it
    did not go): nobody has seen it, and nobody should find it later."""
    session.exec(update(InviteCode).where(col(InviteCode.code) == normalize_code(code))
                 .values(revoked=True))


def join_with_code(
    session: Session, actor: Actor, code: str, *, now: datetime | None = None
) -> JoinResult:
    """Redeem a unit invite: join its unit with its role. Raises InviteInvalid with the
    reason; a link code is refused ("link_code") and left untouched."""
    now = now or utcnow()
    invite = find_code(session, code)
    if invite is not None and invite.kind == "link":
        raise InviteInvalid("link_code")
    invite = usable(invite, now)
    assert invite.unit_id is not None and invite.role is not None
    unit = session.get(Unit, invite.unit_id)
    if unit is None:  # cannot happen with foreign keys, but do not trust that blindly
        raise InviteInvalid("unknown")
    consume(session, invite)
    membership = session.exec(
        select(Membership).where(
            Membership.person_id == actor.person_id, Membership.unit_id == unit.id
        )
    ).first()
    if membership is None:
        assert unit.id is not None
        membership = Membership(
            person_id=actor.person_id, unit_id=unit.id, role=invite.role, created_at=now
        )
    elif ROLE_RANK[invite.role] > ROLE_RANK[membership.role]:
        membership.role = invite.role
    session.add(membership)
    session.flush()
    logger.info("person %s joined unit %s as %s (invite %s)", actor.person_id, unit.id,
                membership.role, invite.id)
    identity = session.get(Identity, actor.identity_id)
    assert identity is not None
    return JoinResult(unit=unit, role=membership.role,
                      actor=actor_for(session, identity, is_admin=actor.is_admin))


# --- unit invites (officers and the operator) ---------------------------------------------


def _insert_invite(
    session: Session, unit: Unit, role: str, *, expires_in: timedelta | None,
    max_uses: int | None, created_by: int | None, now: datetime | None,
) -> InviteCode:
    if max_uses is None:
        max_uses = default_uses(role)
    if not 1 <= max_uses <= MAX_USES:
        raise InvalidInput(texts.MAX_USES_INVALID.format(max=MAX_USES))
    if expires_in is not None and expires_in <= timedelta(0):
        raise InvalidInput(texts.EXPIRY_INVALID)
    now = now or utcnow()
    invite = InviteCode(
        code=new_code(session), kind="unit", unit_id=unit.id, role=role,
        created_by_person_id=created_by, created_at=now,
        expires_at=now + expires_in if expires_in is not None else None, max_uses=max_uses,
    )
    session.add(invite)
    session.flush()
    logger.info("invite %s for unit %s as %s (%s uses) created by %s", invite.id, unit.id, role,
                max_uses, created_by or "operator")
    return invite


def create_invite(
    session: Session, actor: Actor, unit_id: int, role: str,
    *, expires_in: timedelta | None = DEFAULT_INVITE_TTL, max_uses: int | None = None,
    now: datetime | None = None,
) -> InviteCode:
    """A unit invite from an officer (their subtree; officer invites for strict sub-units
    only) or an admin. `max_uses` None: the role's default (bot.services.invites: one use
    for an officer invite, DEFAULT_MEMBER_USES for a member invite); 1..MAX_USES otherwise
    (InvalidInput)."""
    role = parse_role(role)
    if actor.is_admin:
        unit = get_unit(session, unit_id)
    else:
        officer_of = officer_units(session, actor)
        if not officer_of:
            raise PermissionDenied(texts.NOT_OFFICER)
        unit = get_unit(session, unit_id)
        covering = [u for u in officer_of if unit.path.startswith(u.path)]
        if not covering:
            raise PermissionDenied(texts.OUTSIDE_SCOPE)
        if role == "officer" and all(u.id == unit.id for u in covering):
            raise PermissionDenied(texts.OFFICER_INVITE_OWN_UNIT)
    return _insert_invite(
        session, unit, role, expires_in=expires_in, max_uses=max_uses,
        created_by=actor.person_id, now=now,
    )


def admin_create_invite(
    session: Session, unit_id: int, role: str,
    *, expires_in: timedelta | None = DEFAULT_INVITE_TTL, max_uses: int | None = None,
    now: datetime | None = None,
) -> InviteCode:
    """For the server operator's CLI: no actor, no permission check."""
    unit = get_unit(session, unit_id)
    return _insert_invite(
        session, unit, parse_role(role), expires_in=expires_in, max_uses=max_uses,
        created_by=None, now=now,
    )


def revoke_invite(session: Session, actor: Actor, code: str) -> InviteCode:
    """Revoke a unit invite: its creator, or anyone who may act on its unit."""
    invite = session.exec(
        select(InviteCode).where(InviteCode.code == normalize_code(code), InviteCode.kind == "unit")
    ).first()
    if invite is None or invite.unit_id is None:
        raise NotFound()
    if invite.created_by_person_id != actor.person_id and not can_act_on(
        session, actor, invite.unit_id
    ):
        raise PermissionDenied()
    invite.revoked = True
    session.add(invite)
    session.flush()
    return invite


__all__ = [
    "CODE_ALPHABET", "CODE_LENGTH", "DEFAULT_INVITE_TTL", "DEFAULT_MEMBER_USES", "JoinResult",
    "LINK_PREFIX", "MAX_USES", "OFFICER_USES", "admin_create_invite", "consume", "create_invite",
    "default_uses", "find_code", "is_link_code", "join_with_code", "new_code", "normalize_code",
    "revoke_invite", "show_link_code", "usable", "withdraw",
]
