"""Record a transcript for a guide from a real session (a developer's tool, not a test):

    .venv/bin/python -m tests.doc_replay.record inputs.txt [--store data/store] > out.md

`inputs.txt` holds the steps as a transcript writes them (`> ...`, `> [An] ...`, `… ...`,
`$ .venv/bin/tuyengiao ...`), one per line, without output; a line `---` starts a fresh
database. The real `tuyengiao run` answers on a scripted terminal over the given store (build
it first with `tuyengiao index`) and a new database in a temporary folder; each step's output
is what was printed until nothing more came for `--quiet` seconds (background workers
included), written under the step in the transcript format. Check what it wrote before
pasting it into a guide: the guide's test replays it.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import sys
import tempfile
from pathlib import Path

from tests.doc_replay.match import CODES
from tests.doc_replay.parse import transcripts
from tests.doc_replay.session import Session
from tuyengiao.settings import Settings


async def record(steps_file: Path, store: Path, quiet: float) -> str:
    from tests.doc_replay.terminal import ScriptedTerminal

    text = steps_file.read_text(encoding="utf-8")
    out: list[str] = []
    with tempfile.TemporaryDirectory() as folder:
        for n, part in enumerate(text.split("\n---\n")):
            base = Path(folder) / f"s{n}"
            base.mkdir()
            settings = Settings(_env_file=None, database_url=f"sqlite:///{base / 'db.sqlite'}",
                                store_dir=store, log_file=base / "log.txt")
            os.environ.update(DATABASE_URL=settings.database_url, STORE_DIR=str(store))
            piece = base / "steps.md"
            piece.write_text("```\n" + part.strip("\n") + "\n```\n", encoding="utf-8")
            session = Session(settings, store)
            printed_so_far: list[str] = []
            for transcript in transcripts(piece):
                for step in transcript.steps:
                    out += [f"$ {step.text}" if step.kind != "input" else f"> {step.typed[0]}",
                            *(f"… {line}".rstrip() for line in step.typed[1:])]
                    if step.kind == "command":
                        out.append(await asyncio.to_thread(session._command, step.text, "record"))
                        continue
                    if step.kind == "start" or session.terminal is None:
                        await session.start_chat()
                        opening = session.terminal.take() if session.terminal else ""
                        if step.kind == "start":
                            out.append(opening)
                            continue
                    terminal: ScriptedTerminal = session.terminal  # type: ignore[assignment]
                    reads = terminal.reads
                    for line in step.typed:
                        terminal.type(_latest_codes(line, printed_so_far))
                    await terminal.read_after(reads + len(step.typed) - 1, 60)
                    while True:  # a recording tool: it may wait for quiet
                        before = terminal.printed
                        await asyncio.sleep(quiet)
                        if terminal.printed == before:
                            break
                    printed = terminal.take()
                    printed_so_far.append(printed)
                    out.append(printed.rstrip("\n") + "\n")
            await session.stop_chat()
            out.append("")
    return "\n".join(line.rstrip("\n") for line in out)


def _latest_codes(line: str, printed: list[str]) -> str:
    """An input's invite or link code that was never printed stands for the latest one
    printed (the guide's example code, typed before the run made the real one)."""
    text = "".join(printed)
    for spot, shape in CODES:
        for written in re.findall(spot, line):
            if written not in text and (made := re.findall(shape, text)):
                line = line.replace(written, made[-1])
    return line


def main() -> int:
    parser = argparse.ArgumentParser(prog="record")
    parser.add_argument("steps", type=Path)
    parser.add_argument("--store", type=Path, default=Path("data/store"))
    parser.add_argument("--quiet", type=float, default=3.0,
                        help="seconds without output that end a step")
    args = parser.parse_args()
    sys.stdout.write(asyncio.run(record(args.steps, args.store.resolve(), args.quiet)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
