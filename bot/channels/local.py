"""The local channel: chat with the assistant in a terminal, through the same core as the
platforms. Lets a newcomer try it with no bot token; the terminal's user is an admin (they
already control the server).

It is a platform like the others behind the outbound port (`LocalOutbound`): plain text, no
buttons (a reply's actions become a numbered hint, remembered, so "1" chooses it), no edits,
no files (a photo shows as its caption, a short file as its text), polls as numbered text.
The entry point attaches its port, so whatever the core or a worker of this process sends to
the terminal's chat is printed there.
"""

from __future__ import annotations

import asyncio
import logging
import sys
from collections.abc import Awaitable, Callable, Sequence
from typing import TextIO

from bot import messages
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
from bot.core.types import (
    Action,
    Capabilities,
    Chat,
    Incoming,
    IncomingAction,
    IncomingText,
    Outcome,
    Reply,
    Sender,
    TextReply,
)

logger = logging.getLogger(__name__)

LOCAL_USER_ID = "terminal"
PROMPT = "> "
LOCAL_CAPABILITIES = Capabilities(buttons=False, edits=False, files=False, native_polls=False,
                                  forwards_polls=False, max_text=0)


class LocalOutbound:
    """The terminal as a platform: every message is printed (there is one chat)."""

    platform = "local"
    capabilities = LOCAL_CAPABILITIES
    limits = RateLimits(global_per_second=0)

    def __init__(self, writer: TextIO, memory: ActionMemory) -> None:
        self._writer = writer
        self._memory = memory
        self._sent = 0

    async def send(self, to: Destination, replies: Sequence[Reply]) -> str:
        rendered = render_outcome(Outcome(list(replies)))
        self._memory.remember(LOCAL_USER_ID, rendered.actions)
        if not rendered.texts:
            raise PermanentError("empty message")
        for text in rendered.texts:
            self._writer.write(text + "\n")
        self._writer.write("\n")
        self._writer.flush()
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


class LocalChannel:
    def __init__(
        self,
        handler: Callable[[Incoming], Awaitable[Outcome]],
        *,
        reader: TextIO = sys.stdin,
        writer: TextIO = sys.stdout,
    ) -> None:
        self.handler = handler
        self.reader = reader
        self.writer = writer
        self._sender = Sender("local", LOCAL_USER_ID, messages.LOCAL_USER_NAME)
        self._chat = Chat("local", LOCAL_USER_ID, "private", "terminal",
                          capabilities=LOCAL_CAPABILITIES)
        self._actions = ActionMemory(max_conversations=1)  # the last numbered actions
        self.outbound = LocalOutbound(writer, self._actions)
        self._count = 0

    async def serve(self) -> None:
        """Read lines until end of input; each line is one message."""
        self._write(messages.LOCAL_BANNER + "\n")
        while True:
            self._write(PROMPT)
            line = await asyncio.to_thread(self.reader.readline)
            if not line:
                self._write("\n")
                return
            text = line.strip()
            if text:
                await self.handle_line(text)

    async def handle_line(self, text: str) -> None:
        self._count += 1
        update_id = f"local-{self._count}"
        incoming: Incoming
        if (action := self._actions.match(LOCAL_USER_ID, text)) is not None:
            incoming = IncomingAction(update_id, self._sender, self._chat, action.data)
        else:
            incoming = IncomingText(update_id, self._sender, self._chat, text, addressed=True)
        try:
            outcome = await self.handler(incoming)
        except Exception:
            logger.exception("update %s failed", update_id)
            self._write(messages.ERROR_GENERIC + "\n")
            return
        replies = outcome.replies or ([TextReply(outcome.notice)] if outcome.notice else [])
        if replies:
            await self.outbound.send(Destination(LOCAL_USER_ID), replies)
        else:
            self._write("\n")

    def _write(self, text: str) -> None:
        self.writer.write(text)
        self.writer.flush()
