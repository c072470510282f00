"""What a poll looks like when posted: the `PollSpec` handed to a platform's outbound port
(bot.core.outbound) — its question and options for platforms with native polls (Telegram:
sendPoll, anonymous or not, one or several answers), and its numbered text for the others
(Zalo, the terminal: members answer with the number(s), or the poll's number and the
number(s) where several polls are open in the chat; a group is asked to answer an anonymous
poll in private).
"""

from __future__ import annotations
from bot.polls import messages as poll_texts
from bot.core.outbound import PollSpec
from bot.polls.models import Poll
from bot.storage.bases import shown_number
from bot.storage.models import to_local


def poll_spec(poll: Poll, chat_kind: str = "private", several: bool = False) -> PollSpec:
    return PollSpec(poll.question, tuple(poll.options), poll.anonymous, poll.multiple,
                    poll_text(poll, chat_kind, several))


def poll_text(poll: Poll, chat_kind: str = "private", several: bool = False) -> str:
    """The numbered text of a poll, for platforms without native polls. In a group, an
    anonymous poll asks for the answer in private (a number typed in the group is seen by
    all). `several`: another poll is open in the chat it goes to, so a bare number would
    answer whichever is newest — the text asks for this poll's number before the choice
    ("#12 1", bot.polls.votes.read_typed)."""
    kind = poll_texts.POLL_KIND_ANONYMOUS if poll.anonymous else poll_texts.POLL_KIND_NAMED
    number = shown_number(poll)
    lines = [poll_texts.POLL_TEXT_HEADER.format(id=number, kind=kind), poll.question, ""]
    lines += [f"{i}. {option}" for i, option in enumerate(poll.options, 1)]
    if several:
        how = poll_texts.POLL_TEXT_CODED_MULTIPLE if poll.multiple \
            else poll_texts.POLL_TEXT_CODED_SINGLE
    else:
        how = poll_texts.POLL_TEXT_MULTIPLE if poll.multiple else poll_texts.POLL_TEXT_SINGLE
    lines += ["", how.format(id=number)]
    if poll.anonymous and chat_kind == "group":
        lines.append((poll_texts.POLL_TEXT_ANSWER_IN_PRIVATE_CODED if several
                      else poll_texts.POLL_TEXT_ANSWER_IN_PRIVATE).format(id=number))
    if poll.closes_at is not None:
        lines.append(poll_texts.POLL_TEXT_DEADLINE.format(
            at=to_local(poll.closes_at).strftime("%H:%M %d/%m/%Y")))
    return "\n".join(lines)


__all__ = ["poll_spec", "poll_text"]
