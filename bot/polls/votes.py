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
from bot.storage.bases import shown_number
from bot.storage.models import Identity, Membership, Unit

logger = logging.getLogger(__name__)

# "1", "1,3", "1 3", "1, 3", "1;3" — digits and separators only.
_CHOICE = re.compile(r"^\s*\d{1,3}(?:\s*[,;\s]\s*\d{1,3})*\s*[.]?\s*$")
# "#12 2", "#12: 1,3", "# 12 - 2": a poll's number as people see it, then the choice.
_CODED = re.compile(r"^\s*#\s*(\d{1,6})(?:\s*[:.\-–]\s*|\s+)(\d.*)$", re.DOTALL)

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


@dataclass(frozen=True)
class TypedChoice:
    """A typed answer: the poll it names by the number people see ("#12 2": 12), or None
    for a bare choice ("2", the newest poll there); and the choice's text ("2", "1,3")."""

    number: int | None
    choice: str


def read_typed(text: str) -> TypedChoice | None:
    """A typed answer, or None when `text` is not one: "2", "1,3", "1 3", or a poll's number
    as the poll's text and /dskhaosat show it ("#12") followed by a choice ("#12 2",
    "#12: 1,3"). "12 2" stays a bare choice of options 12 and 2: the "#" is what names a poll."""
    coded = _CODED.match(text)
    if coded is not None and looks_like_choice(coded.group(2)):
        return TypedChoice(int(coded.group(1)), coded.group(2))
    return TypedChoice(None, text) if looks_like_choice(text) else None


@dataclass(frozen=True)
class TypedTarget:
    """The poll a typed answer goes to (`poll` None: the answer named a poll by a number no
    poll there has), and the numbers of the other open polls the chat could answer (the
    reply tells a bare number's sender how to name them)."""

    message: PollMessage | None
    poll: Poll | None
    others_open: tuple[int, ...] = ()


def typed_poll_in_chat(session: Session, platform: str, chat_id: str,
                       user_id: str | None = None, private: bool = False,
                       number: int | None = None) -> TypedTarget | None:
    """The poll an answer typed in this chat goes to, on a platform where polls are numbered
    texts (Zalo, the terminal). A bare choice (`number` None): the newest poll posted there
    (open, or else the newest closed one, to say it is closed); in a private chat that got
    no poll, the newest poll posted to a Zalo group of the sender's units (or their
    parents): typing the number in a group shows everyone the choice, so members of an
    anonymous poll are asked to answer in private. None: no poll to answer here (the text
    is not a vote). A poll named by its `number`: that poll among those, a private chat
    also reaching its sender's units' group polls; a target without a poll when none has
    that number (None in a group no poll was posted to). Read only: nothing about the
    sender is written."""
    rows = _typed_rows(session, platform, chat_id, user_id, private, group_fallback=False)
    if number is not None and private and user_id is not None:
        rows = _typed_rows(session, platform, chat_id, user_id, private,
                           group_fallback=True) + rows
    if number is not None:
        named = [(m, p) for m, p in rows if shown_number(p) == number]
        if not named:  # a group that never got a poll: chatter, not an answer
            return TypedTarget(None, None) if rows or private else None
        rows = named
    elif not rows:
        return None
    rows.sort(key=lambda row: (row[1].status == "open", row[1].id or 0))
    message, poll = rows[-1]
    others = sorted({shown_number(p) for _, p in rows if p.status == "open" and p.id != poll.id})
    return TypedTarget(message, poll, tuple(others))


def open_polls_in_chat(session: Session, platform: str, chat_id: str,
                       besides: int | None = None) -> int:
    """How many open polls other than `besides` (a poll's row id) were posted to this chat
    (the poll runner words a new poll's text by it)."""
    polls = set(session.exec(
        select(PollMessage.poll_id).join(Poll, col(Poll.id) == col(PollMessage.poll_id))
        .where(col(PollMessage.platform) == platform, col(PollMessage.chat_id) == chat_id,
               col(PollMessage.status) == "sent", col(Poll.status) == "open")).all())
    return len(polls - {besides})


def _typed_rows(session: Session, platform: str, chat_id: str, user_id: str | None,
                private: bool, *, group_fallback: bool) -> list[tuple[PollMessage, Poll]]:
    """The poll messages a typed answer in this chat may answer: the chat's own; with
    `group_fallback` (or in a private chat that got no poll) the groups' of the sender's
    units instead."""
    where = [col(PollMessage.chat_id) == chat_id]
    if private and user_id is not None and (
            group_fallback or not _posted_to(session, platform, chat_id)):
        units = _units_of(session, platform, user_id)
        if not units:
            return []
        where = [col(PollMessage.chat_kind) == "group", col(PollMessage.unit_id).in_(units)]
    return list(session.exec(
        select(PollMessage, Poll).join(Poll, col(Poll.id) == col(PollMessage.poll_id))
        .where(col(PollMessage.platform) == platform,
               col(PollMessage.status).in_(("sent", "stopped")), *where)).all())


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


__all__ = ["TypedChoice", "TypedTarget", "TypedVote", "looks_like_choice", "open_polls_in_chat",
           "parse_choice", "read_typed", "record_answer", "record_counts", "typed_poll_in_chat",
           "typed_vote"]
