"""People, their platform identities, and the chats the bot knows.

Who is acting is always an `Actor`, built by `identify` from the platform's user id on every
update; every service checks what the actor may do (authorisation lives in the services, not
in the channel adapters). Joining a unit with an invite code is bot.services.invites;
linking a second platform's account to the same person is bot.services.linking. Admin
rights (ADMIN_IDS) stay attached to the identities listed there: linking never grants them.
"""

from __future__ import annotations

import logging
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from bot.services.errors import InvalidInput
from bot.storage.models import (
    CHAT_KINDS,
    PLATFORMS,
    ChatRecord,
    Identity,
    Membership,
    Person,
    Unit,
    utcnow,
)
from knowledge.text import strip_unsafe

logger = logging.getLogger(__name__)

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
    display_name = clean_name(display_name)
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


def clean_name(name: str) -> str:
    """A display name as the platform sent it, minus what no name needs and every list,
    report and export would trip on: control characters (tab, newline, carriage return…)
    and line separators become spaces, runs of spaces one; at most 200 characters."""
    kept = "".join(" " if unicodedata.category(ch) in ("Cc", "Zl", "Zp") else ch
                   for ch in strip_unsafe(name))
    return " ".join(kept.split())[:200]


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


def private_chat_known(session: Session, platform: str, platform_user_id: str) -> bool:
    """Whether the bot has had a private chat with this user (on Telegram and Zalo a private
    chat's id is the user's id): only then can it write to them first."""
    return session.exec(
        select(ChatRecord.id).where(
            ChatRecord.platform == platform, ChatRecord.chat_id == str(platform_user_id),
            ChatRecord.kind == "private",
        )
    ).first() is not None


__all__ = [
    "Actor", "actor_for", "clean_name", "identify", "is_admin_id", "memberships_of", "parse_admin_ids",
    "private_chat_known", "record_chat",
]
