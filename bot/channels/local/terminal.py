"""The terminal the local channel talks through: reading what the person types (one message
per line, or a block of several lines) and printing messages without tangling them with the
prompt.

Multi-line messages (a poll's question and options, a long guidance text): a line that ends
with a backslash opens a block (the backslash is dropped); every following line belongs to
it until an empty line sends it. A block's lines may end with a backslash too (it is
dropped). At the end of input an open block is sent as it is.

Messages that arrive while the prompt waits (a broadcast, a reminder, a poll's results sent
by a background worker) are printed on a line of their own and the prompt is shown again,
so what was being typed is not lost from view.
"""

from __future__ import annotations

import asyncio
import contextlib
import sys
import threading
from dataclasses import dataclass, field
from typing import Protocol, TextIO

PROMPT = "> "
CONTINUATION_PROMPT = "… "
CONTINUE_MARK = "\\"


class Terminal(Protocol):
    """Where the local channel reads and writes."""

    async def read_line(self, prompt: str) -> str | None:
        """The next line typed, without its line end; None at the end of input."""
        ...

    def show(self, text: str) -> None:
        """Print one message (text that already ends with a line break)."""
        ...


class StreamTerminal:
    """A terminal over two text streams (stdin and stdout by default)."""

    def __init__(self, reader: TextIO | None = None, writer: TextIO | None = None) -> None:
        self.reader = reader or sys.stdin
        self.writer = writer or sys.stdout
        self._prompt: str | None = None  # the prompt on screen while a read waits

    async def read_line(self, prompt: str) -> str | None:
        self._write(prompt)
        self._prompt = prompt
        try:
            line = await _read_in_daemon_thread(self.reader)
        finally:
            self._prompt = None
        if not line:
            self._write("\n")
            return None
        return line.rstrip("\r\n")

    def show(self, text: str) -> None:
        waiting = self._prompt
        if waiting is not None:
            self._write("\n")  # off the prompt's line; the prompt comes back below
        self._write(text)
        if waiting is not None:
            self._write(waiting)

    def _write(self, text: str) -> None:
        self.writer.write(text)
        self.writer.flush()


async def _read_in_daemon_thread(reader: TextIO) -> str:
    """`reader.readline()` off the event loop, in a daemon thread: a stop (SIGTERM, Ctrl-C)
    must not wait for a line nobody is going to type."""
    loop = asyncio.get_running_loop()
    future: asyncio.Future[str] = loop.create_future()

    def settle(line: str | None, error: BaseException | None) -> None:
        if future.done():
            return
        if error is not None:
            future.set_exception(error)
        else:
            future.set_result(line or "")

    def read() -> None:
        try:
            line, error = reader.readline(), None
        except BaseException as exc:  # handed to the awaiting task
            line, error = None, exc
        with contextlib.suppress(RuntimeError):  # the loop closed meanwhile: nobody waits
            loop.call_soon_threadsafe(settle, line, error)

    threading.Thread(target=read, name="terminal-input", daemon=True).start()
    return await future


@dataclass
class LineAssembler:
    """Lines typed → messages (see the module notes). `feed` returns a whole message, or
    None while a block is open (or for an empty line outside a block)."""

    _block: list[str] = field(default_factory=list)
    _open: bool = False

    @property
    def prompt(self) -> str:
        return CONTINUATION_PROMPT if self._open else PROMPT

    def feed(self, line: str) -> str | None:
        stripped = line.rstrip()
        if self._open:
            if not stripped.strip():
                return self.flush()
            self._block.append(_without_mark(stripped))
            return None
        if stripped.endswith(CONTINUE_MARK):
            self._open = True
            self._block = [_without_mark(stripped)]
            return None
        return stripped.strip() or None

    def flush(self) -> str | None:
        """The open block as one message (at the end of input, or on its empty line)."""
        text = "\n".join(self._block).strip()
        self._block, self._open = [], False
        return text or None


def _without_mark(line: str) -> str:
    return line[:-len(CONTINUE_MARK)].rstrip() if line.endswith(CONTINUE_MARK) else line


__all__ = ["CONTINUATION_PROMPT", "PROMPT", "LineAssembler", "StreamTerminal", "Terminal"]
