"""The local channel: chat with the assistant in a terminal, through the same core as the
platforms. Lets a newcomer try it with no bot token; the terminal's user is an admin (they
already control the server)."""

from __future__ import annotations

import asyncio
import logging
import sys
from collections.abc import Awaitable, Callable
from typing import TextIO

from bot.channels.plain_render import render_outcome
from bot.channels.text_actions import ActionMemory
from bot.core.types import (
    Chat,
    Incoming,
    IncomingAction,
    IncomingText,
    Outcome,
    Sender,
)
from knowledge import messages

logger = logging.getLogger(__name__)

LOCAL_USER_ID = "terminal"
PROMPT = "> "


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
        self._sender = Sender("local", LOCAL_USER_ID, "Người dùng cục bộ")
        self._chat = Chat("local", LOCAL_USER_ID, "private", "terminal")
        self._actions = ActionMemory(max_conversations=1)  # the last numbered actions
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
        rendered = render_outcome(outcome)
        self._actions.remember(LOCAL_USER_ID, rendered.actions)
        for text in rendered.texts:
            self._write(text + "\n")
        self._write("\n")

    def _write(self, text: str) -> None:
        self.writer.write(text)
        self.writer.flush()
