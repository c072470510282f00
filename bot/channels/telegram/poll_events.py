"""Telegram poll updates -> our Incoming types (split from the adapter to keep it small)."""

from __future__ import annotations

from telegram import Update

from bot.core.types import IncomingPollAnswer, IncomingPollUpdate, Sender


def poll_event(update: Update) -> IncomingPollUpdate | IncomingPollAnswer | None:
    """`poll` (a native poll's new counts: never who voted) and `poll_answer` (a vote in a
    named poll; no option ids = the vote was retracted)."""
    update_id = str(update.update_id)
    if (poll := update.poll) is not None:
        return IncomingPollUpdate(update_id, "telegram", poll.id,
                                  tuple(o.voter_count for o in poll.options),
                                  poll.total_voter_count, poll.is_closed)
    if (answer := update.poll_answer) is not None:
        if answer.user is not None:
            sender = Sender("telegram", str(answer.user.id), answer.user.full_name)
        elif answer.voter_chat is not None:  # an anonymous group admin votes as the chat
            sender = Sender("telegram", str(answer.voter_chat.id), answer.voter_chat.title or "")
        else:
            return None
        return IncomingPollAnswer(update_id, sender, answer.poll_id, tuple(answer.option_ids))
    return None
