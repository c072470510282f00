"""The poll runner's units of work (bot.polls.runner): each is one transaction on the
database, run through `Database.run`, so the runner's tick holds no session across a network
call. `Ready` is one message to post now: (the PollMessage, its Poll, the original to forward
as (row id, chat id, message id) or None)."""

from __future__ import annotations

import logging

from sqlalchemy import update
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from bot.core.outbound import OutboundPort, PermanentError, Unreachable
from bot.polls import service
from bot.polls.models import Poll, PollMessage
from bot.services import reachability

logger = logging.getLogger(__name__)

Ready = tuple[PollMessage, Poll, "tuple[int, str, str] | None"]
# (the message, its poll, the original to forward: (row id, chat id, message id) or None)


def ready_messages(session: Session, senders: dict[str, OutboundPort],
                   limit: int) -> list[Ready]:
    """The pending messages of open polls that can go now. On a platform that forwards
    polls, an anonymous poll's messages of one unit are its original (the unit's group
    first, then private chats, each by row) and forwards of it: the original is posted
    first, the forwards once it is sent."""
    rows = session.exec(
        select(PollMessage, Poll).join(Poll, col(Poll.id) == col(PollMessage.poll_id))
        .where(col(Poll.status) == "open", col(PollMessage.status) == "pending",
               col(PollMessage.platform).in_(list(senders)))
        .order_by(col(PollMessage.id)).limit(limit)).all()
    ready: list[Ready] = []
    shared: dict[tuple[int, int, str], list[PollMessage]] = {}
    for message, poll in rows:
        if poll.anonymous and senders[message.platform].capabilities.forwards_polls:
            shared.setdefault((poll.id or 0, message.unit_id, message.platform), []).append(message)
        else:
            ready.append((message, poll, None))
    polls = {poll.id: poll for _, poll in rows}
    for (poll_id, unit_id, platform), waiting in shared.items():
        original = session.exec(select(PollMessage).where(
            col(PollMessage.poll_id) == poll_id, col(PollMessage.unit_id) == unit_id,
            col(PollMessage.platform) == platform, col(PollMessage.status) == "sent",
            col(PollMessage.forwarded_from).is_(None))).first()
        if original is not None and original.id is not None and original.message_id:
            source = (original.id, original.chat_id, original.message_id)
            ready += [(m, polls[poll_id], source) for m in waiting]
            continue
        candidates = session.exec(select(PollMessage).where(
            col(PollMessage.poll_id) == poll_id, col(PollMessage.unit_id) == unit_id,
            col(PollMessage.platform) == platform, col(PollMessage.status) == "pending")
            .order_by(col(PollMessage.chat_kind) != "group", col(PollMessage.id))).first()
        if candidates is not None:
            ready.append((candidates, polls[poll_id], None))
    return ready


def set_message(session: Session, row_id: int | None, **values: object) -> None:
    session.execute(update(PollMessage).where(col(PollMessage.id) == row_id).values(**values))


def mark_failed(session: Session, message: PollMessage, exc: PermanentError) -> None:
    """`unreachable` when the chat is gone (its identity or group is marked too), else
    `failed`."""
    gone = isinstance(exc, Unreachable)
    set_message(session, message.id, status="unreachable" if gone else "failed", error=exc.reason)
    if gone:
        reachability.mark_unreachable(session, message.platform, message.chat_id,
                                      message.chat_kind, exc.reason)


def settle_forwards(session: Session, poll_id: int) -> None:
    """Forwards share their original's poll: stopped with it (or not)."""
    original = aliased(PollMessage)
    session.execute(update(PollMessage).where(
        col(PollMessage.poll_id) == poll_id, col(PollMessage.forwarded_from).is_not(None),
        col(PollMessage.status) == "sent")
        .values(status=select(original.status).where(
            original.id == PollMessage.forwarded_from).scalar_subquery()))


def close_due(session: Session, poll_id: int | None) -> None:
    poll = session.get(Poll, poll_id)
    if poll is not None and service.close_unchecked(session, poll):
        logger.info("poll %s: deadline reached", poll_id)


def closed_unfinished(session: Session) -> list[int]:
    return [p for p in session.exec(select(Poll.id).where(
        col(Poll.status) == "closed", col(Poll.results_sent) == False)).all()  # noqa: E712
        if p is not None]


def open_messages(session: Session, poll_id: int) -> tuple[Poll, list[PollMessage]]:
    poll = session.get(Poll, poll_id)
    assert poll is not None
    messages = session.exec(select(PollMessage).where(
        col(PollMessage.poll_id) == poll_id, col(PollMessage.status) == "sent",
        col(PollMessage.forwarded_from).is_(None))).all()
    return poll, list(messages)


def claim_results(session: Session, poll_id: int) -> bool:
    return bool(session.execute(update(Poll).where(
        col(Poll.id) == poll_id, col(Poll.results_sent) == False)  # noqa: E712
        .values(results_sent=True)).rowcount)


__all__ = ["Ready", "claim_results", "close_due", "closed_unfinished", "mark_failed",
           "open_messages", "ready_messages", "set_message", "settle_forwards"]
