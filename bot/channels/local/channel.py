"""The local channel: chat with the assistant in a terminal, through the same core as the
platforms. Lets a newcomer try everything with no bot token: questions, and — since its
user is an admin — units, invites, broadcasts, polls, speaking for members by name
(`[An] đã đọc`, bot.channels.local.people) to see what they get and answer as they would.

Each message typed is an update for the core; a typed number that matches the numbered
hint last shown to that person is the button press it stands for. Lines are assembled into
messages by bot.channels.local.terminal (a trailing backslash opens a multi-line block).
`/help` gets the terminal's own notes after the core's help.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Awaitable, Callable, Sequence
from typing import TextIO

from bot import messages
from bot.channels.local.outbound import LocalOutbound
from bot.channels.local.people import LOCAL_USER_ID, private_chat, sender, split_speaker
from bot.channels.local.terminal import LineAssembler, StreamTerminal, Terminal
from bot.channels.text_actions import ActionMemory
from bot.core.commands import parse_command
from bot.core.outbound import Destination
from bot.core.types import Incoming, IncomingAction, IncomingText, Outcome, TextReply

logger = logging.getLogger(__name__)

MAX_PEOPLE = 1000  # people whose numbered hints are remembered at once


class LocalChannel:
    def __init__(
        self,
        handler: Callable[[Incoming], Awaitable[Outcome]],
        terminal: Terminal | None = None,
        *,
        reader: TextIO | None = None,
        writer: TextIO | None = None,
        own_name: str = messages.LOCAL_USER_NAME,
    ) -> None:
        self.handler = handler
        self.terminal = terminal or StreamTerminal(reader or sys.stdin, writer or sys.stdout)
        self.own_name = own_name
        self._actions = ActionMemory(max_conversations=MAX_PEOPLE)  # per person
        self.outbound = LocalOutbound(self.terminal, self._actions)
        self._count = 0

    async def serve(self, greeting: Sequence[str] = ()) -> None:
        """Show the banner (and `greeting`: first steps, where the log is), then read
        messages until the end of input."""
        self.terminal.show("\n".join([messages.LOCAL_BANNER, *greeting]) + "\n")
        lines = LineAssembler()
        while True:
            line = await self.terminal.read_line(lines.prompt)
            text = lines.flush() if line is None else lines.feed(line)
            if text:
                await self.handle_line(text)
            if line is None:
                return

    async def handle_line(self, text: str) -> None:
        """One message typed (its lines already joined), from the terminal user or from the
        person it names (`[An] ...`)."""
        name, body = split_speaker(text)
        body = body.strip()
        if not body:
            return
        user_id = name or LOCAL_USER_ID
        self._count += 1
        update_id = f"local-{self._count}"
        who, chat = sender(user_id, self.own_name), private_chat(user_id)
        incoming: Incoming
        if (action := self._actions.match(user_id, body)) is not None:
            incoming = IncomingAction(update_id, who, chat, action.data, typed=body)
        else:
            incoming = IncomingText(update_id, who, chat, body, addressed=True)
        try:
            outcome = await self.handler(incoming)
        except Exception:
            logger.exception("update %s failed", update_id)
            self.terminal.show(messages.ERROR_GENERIC + "\n\n")
            return
        replies = list(outcome.replies or ([TextReply(outcome.notice)] if outcome.notice else []))
        if (command := parse_command(body)) is not None and command.name == "help":
            replies.append(TextReply(messages.LOCAL_HELP))
        if replies:
            await self.outbound.send(Destination(user_id), replies)


__all__ = ["LocalChannel"]
