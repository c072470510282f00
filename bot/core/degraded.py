"""What the core does when the database cannot be written (bot/storage/faults.py).

Answering a question needs no write: who is asking (and when they were last seen) and the
question log are best-effort, so a member still gets the answer from a read-only, full or
locked database — without feedback buttons, which point at the logged question. A person the
database cannot even be read for is served as a guest (no units, no roles beyond ADMIN_IDS).
An action whose point is a change (units, invites, broadcasts, polls, votes, feedback) gets
`NOT_SAVED` with the reason, instead of the channel's generic apology.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from sqlmodel import Session, select

from bot.core.types import Incoming, Outcome, TextReply
from bot.services import people
from bot.storage.database import Database
from bot.storage.faults import fault_kind
from bot.storage.models import Identity

from bot import messages

logger = logging.getLogger(__name__)

# Operation names in WriteFaults' counts and log lines.
LAST_SEEN = "last seen"  # identify: a new person, last-seen times, display names, chats
QUESTION_LOG = "question log"
CHANGE = "change"  # an action that is a change: refused with NOT_SAVED
READ = "read"  # the database could not even be read (the asker is served as a guest)


async def identify(
    db: Database,
    write_identify: Callable[[Session, Incoming, frozenset[str]], people.Actor],
    incoming: Incoming,
    admin_ids: frozenset[str],
) -> people.Actor:
    """The actor for an update: `write_identify` as a best-effort write; when the database
    cannot be written, the person as already stored (read without writing), else a guest."""
    actor = await db.run_best_effort(LAST_SEEN, write_identify, incoming, admin_ids)
    if actor is not None:
        return actor
    try:
        known = await db.read(_known_actor, incoming, admin_ids)
    except Exception as exc:
        kind = fault_kind(exc)
        if kind is None:
            raise
        db.faults.record(READ, kind, exc)
        known = None
    return known if known is not None else guest(incoming, admin_ids)


def _known_actor(session: Session, incoming: Incoming,
                 admin_ids: frozenset[str]) -> people.Actor | None:
    sender = incoming.sender
    identity = session.exec(
        select(Identity).where(
            Identity.platform == sender.platform,
            Identity.platform_user_id == str(sender.user_id).strip(),
        )
    ).first()
    if identity is None:
        return None
    is_admin = people.is_admin_id(admin_ids, identity.platform, identity.platform_user_id)
    return people.actor_for(session, identity, is_admin=is_admin)


def guest(incoming: Incoming, admin_ids: frozenset[str]) -> people.Actor:
    """An actor with no stored person (id 0 matches no row): can ask, cannot change."""
    sender = incoming.sender
    user_id = str(sender.user_id).strip()
    return people.Actor(
        person_id=0, identity_id=0, platform=sender.platform, platform_user_id=user_id,
        display_name=sender.display_name.strip()[:200],
        is_admin=people.is_admin_id(admin_ids, sender.platform, user_id), memberships=(),
    )


def not_saved(db: Database, incoming: Incoming, exc: BaseException) -> Outcome | None:
    """The reply to an action that failed because the database cannot be written (counted
    under CHANGE), or None when `exc` is not such a fault."""
    kind = fault_kind(exc)
    if kind is None:
        return None
    db.faults.record(CHANGE, kind, exc)
    logger.info("update %s: change not saved (%s)", incoming.update_id, kind)
    text = messages.NOT_SAVED.format(reason=messages.NOT_SAVED_REASONS[kind])
    return Outcome([TextReply(text)], notice=messages.NOT_SAVED_SHORT)
