"""The terminal as a platform behind the outbound port: every message is printed.

Plain text, no buttons (a message's actions become a numbered hint, remembered for the
person it went to, so their "1" chooses it), no edits (a progress update is a new message),
no files (a photo shows as its caption, a short file as its text), polls as numbered text
answered by typing the numbers. A message for a person the terminal user speaks for (see
bot.channels.local.people) is printed under a line `→ <name>`; the terminal user's own
messages have no such line.

The port is the workers' as well as the channel's: broadcasts, reminders, polls and their
results reach the terminal from the same process (the terminal is not reached from others).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from bot import messages
from bot.channels.local.people import LOCAL_CAPABILITIES, LOCAL_USER_ID
from bot.channels.local.terminal import Terminal
from bot.channels.plain_render import render_outcome
from bot.channels.text_actions import ActionMemory
from bot.core.outbound import (
    Destination,
    PermanentError,
    PollCounts,
    PollSpec,
    RateLimits,
    SentPoll,
)
from bot.core.types import Action, Outcome, Reply, TextReply

logger = logging.getLogger(__name__)


class LocalOutbound:
    """Prints what the assistant sends to the terminal's people."""

    platform = "local"
    capabilities = LOCAL_CAPABILITIES
    limits = RateLimits(global_per_second=0)

    def __init__(self, terminal: Terminal, memory: ActionMemory) -> None:
        self._terminal = terminal
        self._memory = memory
        self._sent = 0

    async def send(self, to: Destination, replies: Sequence[Reply]) -> str:
        rendered = render_outcome(Outcome(list(replies)))
        if not rendered.texts:
            raise PermanentError("empty message")
        self._memory.remember(to.chat_id, rendered.actions)
        header = "" if to.chat_id == LOCAL_USER_ID else \
            messages.LOCAL_TO_PERSON.format(name=to.chat_id) + "\n"
        # Separate messages, as a chat shows them: a blank line after each.
        self._terminal.show(header + "".join(text + "\n\n" for text in rendered.texts))
        self._sent += 1
        return str(self._sent)

    async def send_text(self, to: Destination, text: str, actions: Sequence[Action] = ()) -> str:
        return await self.send(to, [TextReply(text, tuple(actions))])

    async def edit(self, to: Destination, message_id: str, reply: TextReply) -> str:
        return await self.send(to, [reply])

    async def send_poll(self, to: Destination, poll: PollSpec) -> SentPoll:
        return SentPoll(await self.send_text(to, poll.text))

    async def forward(self, to: Destination, from_chat_id: str, message_id: str) -> str:
        raise PermanentError("the terminal has no native polls to forward")

    async def stop_poll(self, chat_id: str, message_id: str) -> PollCounts | None:
        return None


__all__ = ["LocalOutbound"]
