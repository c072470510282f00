"""Broadcasts as the services see them: drafts, preview, confirm (now or at a time), cancel,
remind, reading confirmations, and who may do which.

Rules (enforced here, never in adapters): members cannot broadcast. An officer targets only
units in their subtree (`bot.services.units.can_act_on`); admins anywhere. A broadcast is
seen, cancelled and reminded by its author, by admins, and by officers whose scope covers
all its target units. `actor=None` is the server operator's CLI (trusted).
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import insert, update
from sqlmodel import Session, col, select

from bot.broadcast import outbox
from bot.broadcast.models import Broadcast, BroadcastEvent, BroadcastRecipient, Delivery
from bot.services.audience import Audience, check_targets, may_manage, require_sender, resolve
from bot.services.errors import InvalidInput, NotFound, PermissionDenied
from bot.services.people import Actor
from bot.services.units import officer_units
from bot.storage.bases import by_number, give_number
from bot.storage.models import ROLES, utcnow, valid_id
from bot import messages as texts
from bot.broadcast import messages as broadcast_texts
from knowledge.text import normalize

logger = logging.getLogger(__name__)

MAX_TEXT = 3500  # leaves room for the header within Telegram's 4096 (Zalo: 2000, split)
ROLE_ORDER = ("member", "officer")


@dataclass(frozen=True)
class Preview:
    people: int
    reachable_people: int
    private_messages: int
    groups: int
    blocked_people: int = 0  # of the unreachable: every private chat marked unreachable
    unreachable_groups: int = 0  # registered groups marked unreachable: not sent to

    @property
    def unreachable(self) -> int:
        return self.people - self.reachable_people

    @property
    def never_wrote(self) -> int:
        """Unreachable in private because the bot never had a private chat with them."""
        return self.unreachable - self.blocked_people

    @classmethod
    def of(cls, audience: Audience) -> Preview:
        return cls(len(audience.people), audience.reachable_people, len(audience.private_chats),
                   len(audience.groups), audience.blocked_people,
                   len(audience.unreachable_groups))


SENT = col(Broadcast.confirmed_at).is_not(None)  # confirmed: sent, scheduled or stopped since


def get(session: Session, actor: Actor | None, broadcast_id: int) -> Broadcast:
    """The broadcast (by its row id) if the actor may see and manage it."""
    broadcast = session.get(Broadcast, broadcast_id) if valid_id(broadcast_id) else None
    return _managed(session, actor, broadcast)


def numbered(session: Session, actor: Actor | None, number: int) -> Broadcast:
    """The broadcast officers call #`number` (what they type: /tiendo 3), if the actor may
    see and manage it. Drafts and reminders have no number."""
    broadcast = by_number(session, Broadcast, number, SENT) if valid_id(number) else None
    return _managed(session, actor, broadcast)


def _managed(session: Session, actor: Actor | None, broadcast: Broadcast | None) -> Broadcast:
    if broadcast is None:
        raise NotFound(broadcast_texts.BROADCAST_NOT_FOUND)
    if may_manage(session, actor, broadcast.created_by_person_id, broadcast.unit_ids):
        return broadcast
    raise PermissionDenied()


# --- drafts -------------------------------------------------------------------------------


def clean_text(text: str) -> str:
    cleaned = normalize(text).strip()
    if not cleaned:
        raise InvalidInput(broadcast_texts.BROADCAST_TEXT_EMPTY)
    if len(cleaned) > MAX_TEXT:
        raise InvalidInput(broadcast_texts.BROADCAST_TEXT_TOO_LONG.format(limit=MAX_TEXT))
    return cleaned


def create(
    session: Session, actor: Actor | None, *, text: str = "", unit_ids: Sequence[int] = (),
    roles: Sequence[str] = ROLE_ORDER, include_groups: bool = True,
    require_confirmation: bool = False, deadline_at: datetime | None = None,
    doc_number: str | None = None, origin: tuple[str, str] | None = None,
    compose_step: str | None = None,
) -> Broadcast:
    """A draft. From the chat conversation `text` may still be empty (it is asked first)."""
    require_sender(session, actor)
    check_targets(session, actor, unit_ids)
    if any(r not in ROLES for r in roles):
        raise InvalidInput(texts.ROLE_INVALID)
    broadcast = Broadcast(
        text=clean_text(text) if text or compose_step is None else "",
        doc_number=(doc_number or None), target_unit_ids=",".join(map(str, unit_ids)),
        roles=",".join(r for r in ROLE_ORDER if r in roles), include_groups=include_groups,
        require_confirmation=require_confirmation, deadline_at=deadline_at,
        created_by_person_id=actor.person_id if actor else None,
        origin_platform=origin[0] if origin else None,
        origin_chat_id=origin[1] if origin else None, compose_step=compose_step,
    )
    session.add(broadcast)
    session.flush()
    assert broadcast.id is not None
    _event(session, broadcast.id, actor, "created")
    return broadcast


def draft_in_chat(session: Session, actor: Actor, platform: str, chat_id: str) -> Broadcast | None:
    """The actor's draft being composed in this chat, if any (the newest)."""
    return session.exec(
        select(Broadcast).where(
            Broadcast.status == "draft", Broadcast.created_by_person_id == actor.person_id,
            Broadcast.origin_platform == platform, Broadcast.origin_chat_id == chat_id,
            col(Broadcast.compose_step).is_not(None))
        .order_by(col(Broadcast.id).desc())
    ).first()


def own_draft(session: Session, actor: Actor, broadcast_id: int) -> Broadcast:
    broadcast = session.get(Broadcast, broadcast_id) if valid_id(broadcast_id) else None
    if broadcast is None or broadcast.created_by_person_id != actor.person_id:
        raise NotFound(broadcast_texts.BROADCAST_NOT_FOUND)
    if broadcast.status != "draft":
        raise InvalidInput(broadcast_texts.BROADCAST_NOT_DRAFT)
    return broadcast


def preview(session: Session, broadcast: Broadcast) -> Preview:
    return Preview.of(_audience(session, broadcast))


def messages_by_platform(session: Session, broadcast: Broadcast) -> Counter[str]:
    """Messages the broadcast would send, per platform (an attachment reaches one only)."""
    audience = _audience(session, broadcast)
    return Counter([platform for _, _, platform, _ in audience.private_chats]
                   + [platform for _, platform, _ in audience.groups])


def _audience(session: Session, broadcast: Broadcast) -> Audience:
    return resolve(session, broadcast.unit_ids, broadcast.role_list, broadcast.include_groups)


# --- sending ------------------------------------------------------------------------------


def confirm(session: Session, actor: Actor | None, broadcast_id: int,
            *, at: datetime | None = None, now: datetime | None = None) -> Preview:
    """Freeze the audience and fill the outbox; sending starts now or at `at`."""
    now = now or utcnow()
    broadcast = get(session, actor, broadcast_id)
    if broadcast.status != "draft":
        raise InvalidInput(broadcast_texts.BROADCAST_NOT_DRAFT)
    targets = broadcast.unit_ids
    if not targets:
        raise InvalidInput(broadcast_texts.BROADCAST_NO_TARGETS)
    check_targets(session, actor, targets)  # scope may have changed since the draft
    broadcast.text = clean_text(broadcast.text)
    if at is not None and at <= now:
        raise InvalidInput(broadcast_texts.BROADCAST_TIME_PAST)
    audience = _audience(session, broadcast)
    if not audience.messages:
        raise InvalidInput(broadcast_texts.BROADCAST_NOBODY)
    broadcast.sender_label = _sender_label(session, actor)
    broadcast.status = "scheduled" if at else "sending"
    broadcast.scheduled_at = at
    broadcast.confirmed_at = now
    broadcast.compose_step = None
    give_number(session, broadcast, SENT)  # the first number it takes: a draft takes none
    assert broadcast.id is not None
    _fill(session, broadcast.id, audience, at or now)
    detail = broadcast_texts.AUDIT_CONFIRMED.format(
        people=len(audience.people), messages=audience.messages,
        units=broadcast.target_unit_ids, roles=broadcast.roles)
    _event(session, broadcast.id, actor, "scheduled" if at else "confirmed", detail)
    logger.info("broadcast %s confirmed: %s", broadcast.id, detail)
    return Preview.of(audience)


def _fill(session: Session, broadcast_id: int, audience: Audience, due: datetime) -> None:
    if audience.people:
        session.execute(insert(BroadcastRecipient), [
            {"broadcast_id": broadcast_id, "person_id": person, "unit_id": unit, "role": role}
            for person, (unit, role) in audience.people.items()])
    rows = [
        {"broadcast_id": broadcast_id, "person_id": person, "unit_id": unit,
         "platform": platform, "chat_id": chat_id, "chat_kind": "private",
         "next_attempt_at": due}
        for person, unit, platform, chat_id in audience.private_chats
    ] + [
        {"broadcast_id": broadcast_id, "person_id": None, "unit_id": unit, "platform": platform,
         "chat_id": chat_id, "chat_kind": "group", "next_attempt_at": due}
        for unit, platform, chat_id in audience.groups
    ]
    if rows:
        session.execute(insert(Delivery), rows)


def _sender_label(session: Session, actor: Actor | None) -> str:
    if actor is None:
        return broadcast_texts.BROADCAST_OPERATOR
    units = officer_units(session, actor)
    name = actor.display_name or broadcast_texts.BROADCAST_OPERATOR
    if units:
        top = min(units, key=lambda u: (u.depth, u.id or 0))
        return f"{name} — {top.name}"
    return name


def cancel(session: Session, actor: Actor | None, broadcast_id: int) -> int:
    """Stop a scheduled or running broadcast and its running reminders (or drop a draft);
    returns rows cancelled. A reminder has no number of its own: officers stop it by its
    original's, which may be done already."""
    broadcast = get(session, actor, broadcast_id)
    reminders = list(session.exec(select(Broadcast).where(
        Broadcast.parent_id == broadcast_id, col(Broadcast.status) == "sending")).all())
    over = broadcast.status in ("done", "cancelled")
    if over and not reminders:
        raise InvalidInput(broadcast_texts.BROADCAST_ALREADY_OVER)
    was_draft = broadcast.status == "draft"
    for stopped in ([] if over else [broadcast]) + reminders:
        stopped.status = "cancelled"
        stopped.compose_step = None
        session.add(stopped)
    session.flush()
    cancelled = outbox.cancel_open(session, broadcast_id)
    for reminder in reminders:
        assert reminder.id is not None
        cancelled += outbox.cancel_open(session, reminder.id)
    if was_draft:
        broadcast.report_sent = True  # nothing was sent: no report to give
        session.add(broadcast)
    _event(session, broadcast_id, actor, "cancelled", broadcast_texts.AUDIT_CANCELLED.format(cancelled=cancelled))
    return cancelled


def remind(session: Session, actor: Actor | None, broadcast_id: int,
           *, now: datetime | None = None) -> Preview:
    """A reminder, in private, to exactly the audience who has not confirmed reading."""
    now = now or utcnow()
    original = get(session, actor, broadcast_id)
    if original.parent_id is not None:
        original = get(session, actor, original.parent_id)
    assert original.id is not None
    if not original.require_confirmation:
        raise InvalidInput(broadcast_texts.BROADCAST_NO_CONFIRMATION)
    if original.status not in ("sending", "done"):
        raise InvalidInput(broadcast_texts.BROADCAST_NOT_SENT)
    missing = session.exec(
        select(BroadcastRecipient).where(BroadcastRecipient.broadcast_id == original.id,
                                         col(BroadcastRecipient.confirmed_at).is_(None))
    ).all()
    targets = {r.person_id: r.unit_id for r in missing}
    chats = session.exec(
        select(Delivery.person_id, Delivery.platform, Delivery.chat_id)
        .where(Delivery.broadcast_id == original.id, Delivery.chat_kind == "private",
               col(Delivery.status) != "failed_permanent")
    ).all()
    audience = Audience(people={p: (u, "") for p, u in targets.items()})
    audience.private_chats = [(p, targets[p], platform, chat) for p, platform, chat in chats
                              if p in targets]
    if not audience.private_chats:
        raise InvalidInput(broadcast_texts.BROADCAST_NOBODY_TO_REMIND)
    reminder = Broadcast(
        text=original.text, doc_number=original.doc_number, sender_label=original.sender_label,
        target_unit_ids=original.target_unit_ids, roles=original.roles, include_groups=False,
        require_confirmation=True, deadline_at=original.deadline_at, status="sending",
        created_by_person_id=actor.person_id if actor else None,
        origin_platform=original.origin_platform if actor is None else actor.platform,
        origin_chat_id=original.origin_chat_id if actor is None else actor.platform_user_id,
        parent_id=original.id, confirmed_at=now,
    )
    session.add(reminder)
    session.flush()
    assert reminder.id is not None
    _fill(session, reminder.id, Audience(private_chats=audience.private_chats), now)
    _event(session, original.id, actor, "reminded",
           broadcast_texts.AUDIT_REMINDED.format(people=audience.reachable_people))
    return Preview(len(targets), audience.reachable_people, len(audience.private_chats), 0)


def confirm_read(session: Session, actor: Actor, broadcast_id: int,
                 *, now: datetime | None = None) -> str:
    """The person read it: "ok", "again" (already confirmed) or "not_for_you"."""
    recipient = session.exec(
        select(BroadcastRecipient).where(BroadcastRecipient.broadcast_id == broadcast_id,
                                         BroadcastRecipient.person_id == actor.person_id)
    ).first()
    if recipient is None:
        return "not_for_you"
    result = session.exec(  # type: ignore[call-overload]
        update(BroadcastRecipient)
        .where(col(BroadcastRecipient.id) == recipient.id,
               col(BroadcastRecipient.confirmed_at).is_(None))
        .values(confirmed_at=now or utcnow(), confirmed_platform=actor.platform)
    )
    return "ok" if result.rowcount else "again"


READ_REPLY_LOOKBACK = 20  # recent broadcasts in a chat a typed «đã đọc» may answer


def confirm_read_in_chat(session: Session, actor: Actor, platform: str, chat_id: str,
                         *, now: datetime | None = None) -> tuple[str, int | None]:
    """A typed «đã đọc» (platforms without buttons): it confirms the latest broadcast
    delivered to this chat that asked for confirmation and that this person has not confirmed
    yet (a reminder confirms its original). Returns ("ok", broadcast id), ("again", id) when
    every such broadcast is confirmed already, or ("none", None) when none reached this person
    here. In a group only the members the broadcast was meant for can confirm it."""
    delivered = session.exec(
        select(Broadcast.id, Broadcast.parent_id)
        .join(Delivery, col(Delivery.broadcast_id) == col(Broadcast.id))
        .where(Delivery.platform == platform, Delivery.chat_id == chat_id,
               Delivery.status == "sent", col(Broadcast.require_confirmation).is_(True))
        .order_by(col(Delivery.sent_at).desc(), col(Delivery.id).desc())
        .limit(READ_REPLY_LOOKBACK)
    ).all()
    confirmed: int | None = None
    for broadcast_id, parent_id in delivered:
        root = parent_id or broadcast_id
        outcome = confirm_read(session, actor, root, now=now)
        if outcome == "ok":
            logger.info("broadcast %s: person %s confirmed reading by a reply on %s", root,
                        actor.person_id, platform)
            return "ok", root
        if outcome == "again" and confirmed is None:
            confirmed = root
    return ("again", confirmed) if confirmed is not None else ("none", None)


def recent(session: Session, actor: Actor | None, limit: int = 10) -> list[Broadcast]:
    query = select(Broadcast).where(col(Broadcast.status) != "draft",
                                    col(Broadcast.feature).is_(None),
                                    col(Broadcast.parent_id).is_(None))  # reminders: in their original
    if actor is not None and not actor.is_admin:
        query = query.where(Broadcast.created_by_person_id == actor.person_id)
    return list(session.exec(query.order_by(col(Broadcast.id).desc()).limit(limit)).all())


def _event(session: Session, broadcast_id: int, actor: Actor | None, action: str,
           detail: str = "") -> None:
    session.add(BroadcastEvent(broadcast_id=broadcast_id, action=action, detail=detail[:1000],
                               person_id=actor.person_id if actor else None))
    session.flush()


__all__ = ["MAX_TEXT", "Preview", "cancel", "check_targets", "clean_text", "confirm",
           "confirm_read", "confirm_read_in_chat", "create", "draft_in_chat", "get",
           "may_manage", "messages_by_platform", "numbered", "own_draft", "preview", "recent",
           "remind", "require_sender"]
