"""Recording votes from both platforms.

- Telegram anonymous polls: Telegram tells no one who voted; `poll` updates carry the latest
  counts of one poll message, which replace that message's counts (results sum them).
- Telegram named polls: every `poll_answer` is kept (PollAnswerEvent) and replaces the
  voter's current vote; an empty `option_ids` is a retracted vote.
- Zalo: a member replies with the number(s) of their choice in the chat the poll was posted
  to; one vote per member (HMAC-keyed for anonymous polls), changeable until the close.

Nothing here logs a voter's id.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from sqlmodel import Session, col, select

from bot.polls import anonymity
from bot.polls.models import Poll, PollAnswerEvent, PollMessage, PollVote
from bot.storage.models import Identity, Membership, Unit

logger = logging.getLogger(__name__)

# "1", "1,3", "1 3", "1, 3", "1;3" — digits and separators only.
_CHOICE = re.compile(r"^\s*\d{1,3}(?:\s*[,;\s]\s*\d{1,3})*\s*[.]?\s*$")

VoteOutcome = Literal["recorded", "changed", "closed", "unknown_option", "repeated", "too_many",
                      "no_key"]


@dataclass(frozen=True)
class TypedVote:
    outcome: VoteOutcome
    poll: Poll
    options: tuple[int, ...] = ()


def looks_like_choice(text: str) -> bool:
    return bool(_CHOICE.match(text))


def parse_choice(text: str) -> list[int]:
    return [int(n) for n in re.findall(r"\d+", text)]


# --- Telegram ------------------------------------------------------------------------------


def record_counts(session: Session, platform: str, native_poll_id: str, counts: Sequence[int],
                  voters: int) -> bool:
    """A native poll's update (Telegram's `poll`): the latest counts of one message
    (anonymous polls only; named polls count their answers). False when no open poll has
    that message."""
    found = _native_message(session, platform, native_poll_id)
    if found is None:
        return False
    message, poll = found
    if poll.status != "open" or not poll.anonymous:
        return False
    message.counts_json = json.dumps([int(c) for c in counts][:len(poll.options)])
    message.voters = int(voters)
    session.add(message)
    return True


def record_answer(session: Session, platform: str, native_poll_id: str, user_id: str,
                  person_id: int | None, option_ids: Sequence[int]) -> bool:
    """A vote in a named native poll (Telegram's `poll_answer`: none for anonymous ones)."""
    found = _native_message(session, platform, native_poll_id)
    if found is None:
        return False
    message, poll = found
    if poll.status != "open" or poll.anonymous or poll.id is None:
        return False
    options = sorted({i for i in option_ids if 0 <= i < len(poll.options)})
    key = f"{platform}:{user_id}"
    session.add(PollAnswerEvent(poll_id=poll.id, person_id=person_id, voter_key=key,
                                option_ids=_join(options)))
    _upsert(session, poll.id, message.unit_id, platform, key, person_id, options)
    return True


def is_our_poll(session: Session, platform: str, native_poll_id: str) -> bool:
    """Whether a native poll id is one of this feature's poll messages."""
    return _native_message(session, platform, native_poll_id) is not None


def _native_message(session: Session, platform: str,
                    native_poll_id: str) -> tuple[PollMessage, Poll] | None:
    message = session.exec(select(PollMessage).where(
        col(PollMessage.platform) == platform,
        col(PollMessage.telegram_poll_id) == native_poll_id)).first()
    if message is None:
        return None
    poll = session.get(Poll, message.poll_id)
    return (message, poll) if poll is not None else None


# --- Zalo ----------------------------------------------------------------------------------


def typed_poll_in_chat(session: Session, platform: str, chat_id: str,
                       user_id: str | None = None,
                       private: bool = False) -> tuple[PollMessage, Poll] | None:
    """The poll a number typed in this chat answers, on a platform where polls are numbered
    texts (Zalo): the newest one posted there (open,
    or else the newest closed one, to say it is closed). In a private chat that got no poll,
    the newest poll posted to a Zalo group of the sender's units (or their parents): typing
    the number in a group shows everyone the choice, so members of an anonymous poll are
    asked to answer in private (read only: nothing about the sender is written)."""
    where = [col(PollMessage.chat_id) == chat_id]
    if private and user_id is not None and not _posted_to(session, platform, chat_id):
        units = _units_of(session, platform, user_id)
        if not units:
            return None
        where = [col(PollMessage.chat_kind) == "group", col(PollMessage.unit_id).in_(units)]
    rows = session.exec(
        select(PollMessage, Poll).join(Poll, col(Poll.id) == col(PollMessage.poll_id))
        .where(col(PollMessage.platform) == platform,
               col(PollMessage.status).in_(("sent", "stopped")), *where)
        .order_by(col(Poll.status) == "open", col(Poll.id))).all()
    if not rows:
        return None
    message, poll = rows[-1]
    return message, poll


def _posted_to(session: Session, platform: str, chat_id: str) -> bool:
    return session.exec(select(PollMessage.id).where(
        col(PollMessage.platform) == platform, col(PollMessage.chat_id) == chat_id).limit(1)
    ).first() is not None


def _units_of(session: Session, platform: str, user_id: str) -> list[int]:
    """The user's units and their ancestors (a cell member answers the commune's
    group's poll too)."""
    paths = session.exec(
        select(Unit.path).join(Membership, col(Membership.unit_id) == col(Unit.id))
        .join(Identity, col(Identity.person_id) == col(Membership.person_id))
        .where(col(Identity.platform) == platform,
               col(Identity.platform_user_id) == user_id)).all()
    return sorted({int(part) for path in paths for part in path.split("/") if part.isdigit()})


def typed_vote(session: Session, message: PollMessage, poll: Poll, user_id: str,
               person_id: int | None, text: str) -> TypedVote:
    """A vote typed as numbers, in the chat `message` was posted to (its platform's)."""
    assert poll.id is not None
    if poll.status != "open":
        return TypedVote("closed", poll)
    numbers = parse_choice(text)
    if len(set(numbers)) != len(numbers):
        return TypedVote("repeated", poll)
    if any(not 1 <= n <= len(poll.options) for n in numbers):
        return TypedVote("unknown_option", poll)
    if len(numbers) > 1 and not poll.multiple:
        return TypedVote("too_many", poll)
    key = anonymity.voter_key(session, poll.id, poll.anonymous, message.platform,
                              user_id)
    if key is None:
        return TypedVote("no_key", poll)
    options = sorted(n - 1 for n in numbers)
    if not poll.anonymous:
        session.add(PollAnswerEvent(poll_id=poll.id, person_id=person_id, voter_key=key,
                                    option_ids=_join(options)))
    changed = _upsert(session, poll.id, message.unit_id, message.platform, key,
                      None if poll.anonymous else person_id, options)
    return TypedVote("changed" if changed else "recorded", poll, tuple(options))


def _upsert(session: Session, poll_id: int, unit_id: int, platform: str, key: str,
            person_id: int | None, options: Sequence[int]) -> bool:
    """Replace the voter's current vote; True when there was one."""
    vote = session.exec(select(PollVote).where(col(PollVote.poll_id) == poll_id,
                                               col(PollVote.voter_key) == key)).first()
    existed = vote is not None
    if vote is None:
        vote = PollVote(poll_id=poll_id, unit_id=unit_id, platform=platform, voter_key=key,
                        person_id=person_id)
    vote.option_ids = _join(options)
    session.add(vote)
    session.flush()
    return existed


def _join(options: Sequence[int]) -> str:
    return ",".join(str(i) for i in options)


__all__ = ["TypedVote", "looks_like_choice", "parse_choice", "record_answer", "record_counts",
           "typed_poll_in_chat", "typed_vote"]
