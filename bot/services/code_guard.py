"""Rate limit on redeeming codes (`/dangky`, `/lienket <mã>`, a study session's `/comat
<mã>`): guessing codes is slow, and
every wrong code is logged with the person's id.

A person may get `per_person` codes wrong, and a chat `per_chat` (a group holds many people),
within `window`; reaching either limit locks that person or chat out of redeeming any code for
`lockout`, even a right one. The counters live in the database (`CodeGuard` rows), so a
restart does not reset them. A right code does not reset them either: otherwise holding one
multi-use invite would buy unlimited guesses.

Why these defaults (settings CODE_*): codes are 8 characters from 31 (31^8 ≈ 8.5·10^11), so
even a few hundred valid codes leave a guess a chance below 10^-9; the limit is there to make
guessing visible in the log and slow, while a person who mistypes a code a few times is not
locked out.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TypeVar

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from bot.services.errors import CodeLocked, CodeRefused
from bot.services.invites import normalize_code
from bot.services.people import Actor
from bot.storage.models import CodeGuard, utcnow
from bot import messages as texts

logger = logging.getLogger(__name__)

T = TypeVar("T")


@dataclass(frozen=True)
class GuardPolicy:
    per_person: int = 5  # wrong codes per person within `window`
    per_chat: int = 20  # wrong codes per chat within `window`
    window: timedelta = timedelta(minutes=15)
    lockout: timedelta = timedelta(minutes=60)


def redeem(session: Session, policy: GuardPolicy, actor: Actor, platform: str, chat_id: str,
           code: str, use: Callable[[Session, Actor, str], T], *,
           now: datetime | None = None) -> T | CodeRefused:
    """`use(session, actor, code)` unless this person or chat is locked out (CodeLocked).
    A refused code (`CodeRefused`: an invite, a link code, a study session's check-in code)
    comes back as the error, not raised, so the failure it counted is committed with the
    unit of work; the caller raises it then. What `use` wrote before refusing is rolled
    back (a savepoint)."""
    now = now or utcnow()
    chat_key = f"{platform}:{chat_id}"
    for scope, key, message in (("person", str(actor.person_id), texts.CODE_LOCKED_PERSON),
                                ("chat", chat_key, texts.CODE_LOCKED_CHAT)):
        row = _row(session, scope, key)
        if row is not None and row.locked_until is not None and row.locked_until > now:
            minutes = max(1, -(-int((row.locked_until - now).total_seconds()) // 60))
            logger.warning("code refused (%s %s locked out): person %s (%s user %s) in chat %s",
                           scope, key, actor.person_id, actor.platform, actor.platform_user_id,
                           chat_key)
            raise CodeLocked(message.format(minutes=minutes), minutes)
    try:
        with session.begin_nested():
            return use(session, actor, code)
    except CodeRefused as refused:
        locked = [_count(session, scope, key, limit, policy, now)
                  for scope, key, limit in (("person", str(actor.person_id), policy.per_person),
                                            ("chat", chat_key, policy.per_chat))]
        logger.warning("code refused (%s): person %s (%s user %s) in chat %s typed %s%s",
                       refused.reason, actor.person_id, actor.platform, actor.platform_user_id,
                       chat_key, _masked(code),
                       "; locked out: " + ", ".join(k for k in locked if k) if any(locked) else "")
        return refused


def _row(session: Session, scope: str, key: str) -> CodeGuard | None:
    return session.exec(
        select(CodeGuard).where(CodeGuard.scope == scope, CodeGuard.key == key)
    ).first()


def _count(session: Session, scope: str, key: str, limit: int, policy: GuardPolicy,
           now: datetime) -> str | None:
    """Count one failure; returns "<scope> <key>" when it starts a lockout."""
    row = _row(session, scope, key)
    if row is None:
        try:
            with session.begin_nested():
                row = CodeGuard(scope=scope, key=key, window_started_at=now)
                session.add(row)
        except IntegrityError:  # another update of the same person made it a moment ago
            row = _row(session, scope, key)
            assert row is not None
    if row.window_started_at + policy.window <= now or row.window_started_at > now:
        row.failures, row.window_started_at = 0, now
    row.failures += 1
    started = None
    if row.failures >= limit:
        row.locked_until = now + policy.lockout
        row.failures, row.window_started_at = 0, now
        started = f"{scope} {key}"
    session.add(row)
    session.flush()
    return started


def _masked(code: str) -> str:
    """Enough of a typed code to recognise it in the log, not enough to use it."""
    stored = normalize_code(code)
    return f"{stored[:2]}{'*' * min(len(stored) - 2, 10)}" if len(stored) > 2 else "**"


__all__ = ["GuardPolicy", "redeem"]
