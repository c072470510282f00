"""People, their platform identities, chats, and joining units with invite codes.

Who is acting is always an `Actor`, built by `identify` from the platform's user id on every
update; every service checks what the actor may do (authorisation lives in the services, not
in the channel adapters).

Linking a second platform. A member who already uses the bot on Telegram and starts using it
on Zalo (or the other way round) gets a fresh Person on the new platform. To make the two one
person: on the platform they already use, they ask for a personal link code (`link_code`: one
use, valid 15 minutes, shown only to them); on the new platform they enter it like an invite
code (`join_with_code`). The new platform's identity then moves to the existing Person, who
keeps all memberships and roles; if the Person left behind has no identity any more, its
memberships, question log and feedback are folded into the existing Person and it is deleted.
A Person keeps at most one identity per platform. Admin rights (ADMIN_IDS) stay attached to
the identities listed there: linking never grants them.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, delete, or_, select, update

from bot.services.errors import InvalidInput, InviteInvalid
from bot.storage.models import (
    CHAT_KINDS,
    PLATFORMS,
    ROLE_RANK,
    ChatRecord,
    Feedback,
    Identity,
    InviteCode,
    Membership,
    Person,
    QuestionLog,
    Unit,
    utcnow,
)

logger = logging.getLogger(__name__)

# No 0/O, 1/I/L: codes are read aloud and typed on phones.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 8
LINK_CODE_TTL = timedelta(minutes=15)
LAST_SEEN_STEP = timedelta(minutes=5)  # last-seen times are kept to this precision


@dataclass(frozen=True)
class Actor:
    """The person behind one update, as the services see them."""

    person_id: int
    identity_id: int
    platform: str
    platform_user_id: str
    display_name: str
    is_admin: bool
    memberships: tuple[tuple[int, str], ...]  # (unit_id, role), innermost unit first

    @property
    def officer_unit_ids(self) -> tuple[int, ...]:
        return tuple(unit_id for unit_id, role in self.memberships if role == "officer")

    @property
    def is_officer(self) -> bool:
        return bool(self.officer_unit_ids)

    def role_in(self, unit_id: int) -> str | None:
        """The actor's own role in exactly this unit (not inherited from a parent)."""
        return next((role for uid, role in self.memberships if uid == unit_id), None)


@dataclass(frozen=True)
class JoinResult:
    """What a code did. kind "unit": `unit` and the person's `role` there now (an officer
    who redeems a member code stays an officer). kind "link": this identity now belongs to
    the person who asked for the link code; `unit`/`role` are None. `actor` is the refreshed
    actor (after a link its person_id is the linked person's)."""

    kind: Literal["unit", "link"]
    unit: Unit | None
    role: str | None
    actor: Actor


# --- admin ids ----------------------------------------------------------------------------


def parse_admin_ids(raw: str | Iterable[str]) -> frozenset[str]:
    """"telegram:123, zalo:abc, 42" → a frozenset for `identify` (a bare id: any platform)."""
    items = raw.replace(";", ",").split(",") if isinstance(raw, str) else raw
    return frozenset(item.strip() for item in items if item.strip())


def is_admin_id(admin_ids: frozenset[str], platform: str, platform_user_id: str) -> bool:
    return f"{platform}:{platform_user_id}" in admin_ids or platform_user_id in admin_ids


# --- identities ---------------------------------------------------------------------------


def memberships_of(session: Session, person_id: int) -> tuple[tuple[int, str], ...]:
    """(unit_id, role) of a person, innermost unit first (then by id)."""
    rows = session.exec(
        select(Membership.unit_id, Membership.role, Unit.path)
        .join(Unit, col(Unit.id) == col(Membership.unit_id))
        .where(Membership.person_id == person_id)
    ).all()
    ordered = sorted(rows, key=lambda r: (-r[2].count("/"), r[0]))
    return tuple((unit_id, role) for unit_id, role, _ in ordered)


def actor_for(session: Session, identity: Identity, *, is_admin: bool) -> Actor:
    assert identity.id is not None
    return Actor(
        person_id=identity.person_id,
        identity_id=identity.id,
        platform=identity.platform,
        platform_user_id=identity.platform_user_id,
        display_name=identity.display_name,
        is_admin=is_admin,
        memberships=memberships_of(session, identity.person_id),
    )


def _find_identity(session: Session, platform: str, platform_user_id: str) -> Identity | None:
    return session.exec(
        select(Identity).where(
            Identity.platform == platform, Identity.platform_user_id == platform_user_id
        )
    ).first()


def identify(
    session: Session,
    platform: str,
    platform_user_id: str,
    display_name: str,
    *,
    admin_ids: frozenset[str],
    now: datetime | None = None,
) -> Actor:
    """The actor for a platform user: creates Person + Identity on first contact, and
    refreshes the display name and last-seen time."""
    if platform not in PLATFORMS:
        raise InvalidInput()
    platform_user_id = str(platform_user_id).strip()
    if not platform_user_id:
        raise InvalidInput()
    now = now or utcnow()
    display_name = display_name.strip()[:200]
    identity = _find_identity(session, platform, platform_user_id)
    if identity is None:
        try:
            with session.begin_nested():
                person = Person(display_name=display_name, created_at=now)
                session.add(person)
                session.flush()
                assert person.id is not None
                identity = Identity(
                    platform=platform, platform_user_id=platform_user_id,
                    display_name=display_name, person_id=person.id,
                    created_at=now, last_seen_at=now,
                )
                session.add(identity)
            logger.info("new person %s (%s identity %s)", person.id, platform, identity.id)
        except IntegrityError:  # the same user's other update created it a moment ago
            identity = _find_identity(session, platform, platform_user_id)
            if identity is None:
                raise
    else:
        if _stale(identity.last_seen_at, now):
            identity.last_seen_at = now
        if identity.unreachable_at is not None:  # they wrote: reachable again
            identity.unreachable_at = identity.unreachable_reason = None
        if display_name and identity.display_name != display_name:
            identity.display_name = display_name
            person = session.get(Person, identity.person_id)
            if person is not None:
                person.display_name = display_name
    session.flush()
    return actor_for(
        session, identity, is_admin=is_admin_id(admin_ids, platform, platform_user_id)
    )


def _stale(last_seen: datetime, now: datetime) -> bool:
    """Whether a last-seen time is worth rewriting: once per LAST_SEEN_STEP is precise enough
    for reports, and it keeps a repeat visitor's update free of writes (no write lock, no
    commit to flush)."""
    return now - last_seen >= LAST_SEEN_STEP or now < last_seen


def record_chat(
    session: Session, platform: str, chat_id: str, kind: str, title: str = "",
    *, now: datetime | None = None,
) -> ChatRecord:
    """Remember a chat the bot is in (get or create; refresh kind, title and last-seen)."""
    if platform not in PLATFORMS or kind not in CHAT_KINDS:
        raise InvalidInput()
    now = now or utcnow()
    chat_id = str(chat_id)
    query = select(ChatRecord).where(ChatRecord.platform == platform, ChatRecord.chat_id == chat_id)
    chat = session.exec(query).first()
    if chat is None:
        try:
            with session.begin_nested():
                chat = ChatRecord(
                    platform=platform, chat_id=chat_id, kind=kind, title=title[:255],
                    created_at=now, last_seen_at=now,
                )
                session.add(chat)
        except IntegrityError:
            chat = session.exec(query).one()
    else:
        if chat.kind != kind:
            chat.kind = kind
        if title and chat.title != title[:255]:
            chat.title = title[:255]
        if _stale(chat.last_seen_at, now):
            chat.last_seen_at = now
        if chat.unreachable_at is not None:  # the group wrote: reachable again
            chat.unreachable_at = chat.unreachable_reason = None
    session.flush()
    return chat


# --- codes --------------------------------------------------------------------------------


def normalize_code(code: str) -> str:
    """What people type ("abcd-efgh ", "ABCD EFGH") → the stored form."""
    return "".join(ch for ch in code.upper() if ch.isalnum())


def new_code(session: Session) -> str:
    """A fresh random code, not used by any existing invite."""
    while True:
        code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
        if session.exec(select(InviteCode.id).where(InviteCode.code == code)).first() is None:
            return code


def link_code(session: Session, actor: Actor, *, now: datetime | None = None) -> str:
    """A personal one-time code (15 minutes) that links another platform's identity to the
    actor's Person (see the module docstring). Earlier unused link codes are revoked."""
    now = now or utcnow()
    session.exec(
        update(InviteCode)
        .where(
            col(InviteCode.kind) == "link",
            col(InviteCode.person_id) == actor.person_id,
            col(InviteCode.revoked).is_(False),
        )
        .values(revoked=True)
    )
    invite = InviteCode(
        code=new_code(session), kind="link", person_id=actor.person_id, max_uses=1,
        expires_at=now + LINK_CODE_TTL, created_by_person_id=actor.person_id, created_at=now,
    )
    session.add(invite)
    session.flush()
    return invite.code


def _usable_invite(session: Session, code: str, now: datetime) -> InviteCode:
    invite = session.exec(select(InviteCode).where(InviteCode.code == normalize_code(code))).first()
    if invite is None:
        raise InviteInvalid("unknown")
    if invite.revoked:
        raise InviteInvalid("revoked")
    if invite.expires_at is not None and invite.expires_at <= now:
        raise InviteInvalid("expired")
    if invite.max_uses is not None and invite.uses >= invite.max_uses:
        raise InviteInvalid("used_up")
    return invite


def _consume(session: Session, invite: InviteCode) -> None:
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


def join_with_code(
    session: Session, actor: Actor, code: str, *, now: datetime | None = None
) -> JoinResult:
    """Redeem an invite code (join a unit with a role) or a personal link code (merge this
    identity into the Person who asked for it). Raises InviteInvalid with the reason."""
    now = now or utcnow()
    invite = _usable_invite(session, code, now)
    if invite.kind == "link":
        return _link(session, actor, invite)
    assert invite.unit_id is not None and invite.role is not None
    unit = session.get(Unit, invite.unit_id)
    if unit is None:  # cannot happen with foreign keys, but do not trust that blindly
        raise InviteInvalid("unknown")
    _consume(session, invite)
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
    logger.info("person %s joined unit %s as %s", actor.person_id, unit.id, membership.role)
    identity = session.get(Identity, actor.identity_id)
    assert identity is not None
    return JoinResult(
        kind="unit", unit=unit, role=membership.role,
        actor=actor_for(session, identity, is_admin=actor.is_admin),
    )


def _link(session: Session, actor: Actor, invite: InviteCode) -> JoinResult:
    target_id = invite.person_id
    assert target_id is not None
    if target_id == actor.person_id:
        raise InviteInvalid("same_person")
    taken = session.exec(
        select(Identity.id).where(Identity.person_id == target_id, Identity.platform == actor.platform)
    ).first()
    if taken is not None:
        raise InviteInvalid("platform_taken")
    _consume(session, invite)
    identity = session.get(Identity, actor.identity_id)
    assert identity is not None
    source_id = identity.person_id
    identity.person_id = target_id
    session.add(identity)
    session.flush()
    left = session.exec(select(Identity.id).where(Identity.person_id == source_id)).first()
    if left is None:
        _fold_person(session, source_id, target_id)
    logger.info("identity %s linked to person %s", identity.id, target_id)
    return JoinResult(
        kind="link", unit=None, role=None,
        actor=actor_for(session, identity, is_admin=actor.is_admin),
    )


def _fold_person(session: Session, source_id: int, target_id: int) -> None:
    """Move everything of a Person without identities onto another, then delete it."""
    target_roles = {
        m.unit_id: m for m in session.exec(select(Membership).where(Membership.person_id == target_id))
    }
    for m in session.exec(select(Membership).where(Membership.person_id == source_id)).all():
        kept = target_roles.get(m.unit_id)
        if kept is None:
            m.person_id = target_id
            session.add(m)
        else:
            if ROLE_RANK[m.role] > ROLE_RANK[kept.role]:
                kept.role = m.role
                session.add(kept)
            session.delete(m)
    voted = set(session.exec(select(Feedback.question_id).where(Feedback.person_id == target_id)))
    for fb in session.exec(select(Feedback).where(Feedback.person_id == source_id)).all():
        if fb.question_id in voted:
            session.delete(fb)
        else:
            fb.person_id = target_id
            session.add(fb)
    session.flush()
    session.exec(
        update(QuestionLog).where(col(QuestionLog.person_id) == source_id).values(person_id=target_id)
    )
    session.exec(
        update(InviteCode)
        .where(col(InviteCode.created_by_person_id) == source_id)
        .values(created_by_person_id=target_id)
    )
    session.exec(
        update(InviteCode)
        .where(col(InviteCode.person_id) == source_id)
        .values(person_id=target_id, revoked=True)
    )
    session.exec(delete(Person).where(col(Person.id) == source_id))
    session.flush()


__all__ = [
    "Actor", "JoinResult", "CODE_ALPHABET", "CODE_LENGTH", "LINK_CODE_TTL", "actor_for",
    "identify", "is_admin_id", "join_with_code", "link_code", "memberships_of", "new_code",
    "normalize_code", "parse_admin_ids", "record_chat",
]
