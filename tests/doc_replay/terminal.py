"""A terminal a test types into and reads from: the local channel's `Terminal`, scripted.

Typed lines wait in a queue; everything the channel prints (its replies and what background
workers send) is kept until taken. Waiting is on events with a timeout, never on sleeps.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable


class ScriptedTerminal:
    def __init__(self) -> None:
        self._lines: asyncio.Queue[str | None] = asyncio.Queue()
        self._printed: list[str] = []
        self._changed = asyncio.Event()
        self.reads = 0  # how many times the channel asked for a line
        self.prompts: list[str] = []

    # --- the channel's side ---------------------------------------------------------------
    async def read_line(self, prompt: str) -> str | None:
        self.reads += 1
        self.prompts.append(prompt)
        self._changed.set()
        return await self._lines.get()

    def show(self, text: str) -> None:
        self._printed.append(text)
        self._changed.set()

    # --- the test's side --------------------------------------------------------------------
    def type(self, line: str | None) -> None:
        """Type a line (None: the end of input, Ctrl-D)."""
        self._lines.put_nowait(line)

    @property
    def printed(self) -> str:
        return "".join(self._printed)

    def take(self) -> str:
        """What was printed since the last take."""
        text = self.printed
        self._printed.clear()
        return text

    async def until(self, done: Callable[[], bool], timeout: float) -> bool:
        """Wait until `done()` holds (checked whenever something is printed or a line is
        asked for), at most `timeout` seconds; whether it holds."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while not done():
            self._changed.clear()
            left = deadline - loop.time()
            if left <= 0:
                return done()
            try:
                await asyncio.wait_for(self._changed.wait(), left)
            except TimeoutError:
                return done()
        return True

    async def read_after(self, reads: int, timeout: float) -> bool:
        """Wait until the channel has asked for more than `reads` lines (it has handled
        what was typed before)."""
        return await self.until(lambda: self.reads > reads, timeout)


__all__ = ["ScriptedTerminal"]
