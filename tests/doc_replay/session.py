"""Replaying a guide's transcripts: the real `tuyengiao run` (tuyengiao.serve.serve, no
platform token, so the terminal chat with its workers) on a scripted terminal, and the real
command line (tuyengiao.cli.main) for `$ tuyengiao ...` steps, over one database per session
and the store the test gives.
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import shlex
from dataclasses import dataclass, field
from pathlib import Path

from tests.doc_replay.match import Bindings, clean, matches
from tests.doc_replay.parse import Step, Transcript
from tests.doc_replay.terminal import ScriptedTerminal
from tuyengiao.settings import Settings

STEP_TIMEOUT = 20.0  # seconds an expected output may take to be printed (workers included)
SHOWN_LOG_FILE = Path("data/logs/tuyengiao.log")  # the path `make run` shows


class ReplayFailure(AssertionError):
    pass


@dataclass
class Session:
    """One database, one terminal chat at a time, the values bound so far."""

    settings: Settings
    store: Path
    bindings: Bindings = field(default_factory=Bindings)
    terminal: ScriptedTerminal | None = None
    _stop: asyncio.Event | None = None
    _task: asyncio.Task[None] | None = None

    async def replay(self, transcript: Transcript) -> None:
        if any(line.strip() for line in transcript.preamble):
            raise ReplayFailure(f"{transcript.where}: lines before the first step "
                                f"('$ make run', '> ...'): {transcript.preamble[:2]}")
        for step in transcript.steps:
            where = f"{transcript.path.name}:{step.line}"
            if step.kind == "start":
                await self.start_chat()
                await self._expect(step, where, self._take_opening())
            elif step.kind == "command":
                printed = await asyncio.to_thread(self._command, step.text, where)
                self._compare(step, where, printed)
            else:
                await self._input(step, where)

    # --- the terminal chat ------------------------------------------------------------------
    async def start_chat(self) -> None:
        from tuyengiao.serve import serve

        await self.stop_chat()
        self.terminal, self._stop = ScriptedTerminal(), asyncio.Event()
        self._task = asyncio.create_task(serve(self.settings, self.store, self._stop,
                                               terminal=self.terminal, log_file=SHOWN_LOG_FILE))
        if not await self.terminal.read_after(0, STEP_TIMEOUT * 3):
            raise ReplayFailure(f"the chat did not start: {self._task!r}")

    def _take_opening(self) -> str:
        assert self.terminal is not None
        return self.terminal.take()

    async def stop_chat(self) -> None:
        if self._task is None or self.terminal is None or self._stop is None:
            return
        self.terminal.type(None)  # Ctrl-D
        try:
            await asyncio.wait_for(asyncio.shield(self._task), STEP_TIMEOUT)
        except TimeoutError:
            self._stop.set()
            await asyncio.wait_for(self._task, STEP_TIMEOUT)
        self._task.result()
        self._task = None

    async def _input(self, step: Step, where: str) -> None:
        if self._task is None:
            await self.start_chat()
            self._take_opening()  # not part of a transcript that does not start the chat
        terminal = self.terminal
        assert terminal is not None
        if self._task is not None and self._task.done():
            self._task.result()
            raise ReplayFailure(f"{where}: the chat has ended")
        left = terminal.take()
        if left.strip():
            raise ReplayFailure(f"{where}: printed before this step, and not in the guide:\n{left}")
        reads = terminal.reads
        for line in step.typed:
            terminal.type(self.bindings.typed(line))
        await self._expect(step, where, None, reads + len(step.typed))

    async def _expect(self, step: Step, where: str, printed: str | None, reads: int = 0) -> None:
        if printed is not None:
            self._compare(step, where, printed)
            return
        terminal = self.terminal
        assert terminal is not None
        ok = await terminal.until(
            lambda: terminal.reads >= reads and matches(step.expected, terminal.printed,
                                                        self.bindings), STEP_TIMEOUT)
        if not ok:
            raise ReplayFailure(_difference(where, step, terminal.printed))
        terminal.take()

    def _compare(self, step: Step, where: str, printed: str) -> None:
        if not matches(step.expected, printed, self.bindings):
            raise ReplayFailure(_difference(where, step, printed))

    # --- the command line ---------------------------------------------------------------------
    def _command(self, command: str, where: str) -> str:
        from tuyengiao import cli

        argv = shlex.split(self.bindings.typed(command))
        if not argv or Path(argv[0]).name != "tuyengiao":
            raise ReplayFailure(f"{where}: only tuyengiao commands are replayed: {command!r}")
        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = cli.main(argv[1:])
        if code != 0:
            err.write(f"(exit code {code})\n")
        return out.getvalue() + err.getvalue()


def _difference(where: str, step: Step, printed: str) -> str:
    expected = "\n".join(clean(step.expected))
    shown = "\n".join(clean(printed.split("\n")))
    return (f"{where}: after «{step.text}» the guide says:\n---\n{expected}\n---\n"
            f"but the assistant printed:\n---\n{shown}\n---")


__all__ = ["ReplayFailure", "STEP_TIMEOUT", "Session"]
