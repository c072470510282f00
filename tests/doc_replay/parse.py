"""Reading the transcripts out of the guides (the format is in docs/developers.md,
"Transcripts in the guides").

A fenced block with no language (or `text`) is a transcript. Its lines are steps:

    $ make run                  starts (or restarts) the terminal chat; what follows until
                                the first input is its opening (banner, first steps)
    $ .venv/bin/tuyengiao ARGS  runs the command line; what follows is its output
    > text                      the terminal user types a message
    > [An] text                 ... as the person An
    > text \\                    opens a multi-line message; its next lines are `… line`,
    … line                      and `…` alone is the empty line that sends it
    anything else               output expected after the step above it

In expected output a line `…` (or `...`) stands for any number of lines. An HTML comment
right before the block directs the replay: `<!-- replay: not replayed: <reason> -->`,
`<!-- replay: fresh -->` (an empty database from here on).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

ELLIPSES = ("…", "...")
CONTINUATION = "… "
_FENCE = re.compile(r"^(?P<indent> *)(?P<fence>```+|~~~+)(?P<info>[^`]*)$")
_DIRECTIVE = re.compile(r"<!--\s*replay:\s*(?P<body>.*?)\s*-->", re.S)
MIN_REASON_WORDS = 4


@dataclass
class Step:
    kind: str  # "start" | "command" | "input"
    text: str  # the command line, or the first line typed
    line: int  # where it is in the file (1-based)
    expected: list[str] = field(default_factory=list)  # output lines after it
    typed: list[str] = field(default_factory=list)  # an input's lines as typed, in order


@dataclass
class Transcript:
    path: Path
    line: int  # the fence's line (1-based)
    steps: list[Step]
    preamble: list[str]  # lines before the first step (must be empty)
    skip_reason: str | None = None
    fresh: bool = False

    @property
    def where(self) -> str:
        return f"{self.path.name}:{self.line}"


class TranscriptError(ValueError):
    """A transcript the harness cannot read (a malformed directive or step)."""


def transcripts(path: Path) -> list[Transcript]:
    """Every transcript of a Markdown file, in order."""
    lines = path.read_text(encoding="utf-8").splitlines()
    found: list[Transcript] = []
    i = 0
    while i < len(lines):
        opening = _FENCE.match(lines[i])
        if opening is None:
            i += 1
            continue
        fence, indent = opening["fence"], len(opening["indent"])
        end = next((j for j in range(i + 1, len(lines))
                    if lines[j].strip().startswith(fence) and not lines[j].strip()[len(fence):].strip()),
                   len(lines))
        info = opening["info"].strip()
        if info in ("", "text"):
            # A fence indented in a list item: its lines lose that indent (not their own).
            body = [line[indent:] if not line[:indent].strip() else line.lstrip()
                    for line in lines[i + 1:end]]
            transcript = _read(path, i + 1, body, _directive(lines, i))
            found.append(transcript)
        i = end + 1
    return found


def _directive(lines: list[str], fence: int) -> str:
    """The replay directive in the comment just above a fence (blank lines between allowed)."""
    j = fence - 1
    while j >= 0 and not lines[j].strip():
        j -= 1
    if j < 0 or not lines[j].rstrip().endswith("-->"):
        return ""
    start = j
    while start >= 0 and "<!--" not in lines[start]:
        start -= 1
    found = _DIRECTIVE.search("\n".join(lines[max(start, 0):j + 1]))
    return " ".join(found["body"].split()) if found else ""


def _read(path: Path, fence_line: int, body: list[str], directive: str) -> Transcript:
    transcript = Transcript(path, fence_line, [], [])
    if directive.startswith("not replayed"):
        reason = directive[len("not replayed"):].lstrip(":").strip()
        if len(reason.split()) < MIN_REASON_WORDS:
            raise TranscriptError(f"{path.name}:{fence_line}: 'not replayed' needs a reason of "
                                  f"{MIN_REASON_WORDS} words or more")
        transcript.skip_reason = reason
        return transcript
    if directive == "fresh":
        transcript.fresh = True
    elif directive:
        raise TranscriptError(f"{path.name}:{fence_line}: unknown replay directive {directive!r}")
    open_block: Step | None = None
    for offset, raw in enumerate(body, start=fence_line + 1):
        line = raw.rstrip()
        if open_block is not None:
            if line == "…" or line.startswith(CONTINUATION):
                part = "" if line == "…" else line[len(CONTINUATION):]
                open_block.typed.append(part)
                if not part.strip():
                    open_block = None  # the empty line: the message is sent
                continue
            raise TranscriptError(f"{path.name}:{offset}: a multi-line message must go on with "
                                  f"'… ' lines and end with a line '…'")
        if line.startswith("> ") or line == ">":
            text = line[2:]
            step = Step("input", text, offset, typed=[text])
            if text.rstrip().endswith("\\"):
                open_block = step
            transcript.steps.append(step)
        elif line.startswith("$ "):
            command = line[2:].strip()
            kind = "start" if command in ("make run", ".venv/bin/tuyengiao run",
                                          "tuyengiao run") else "command"
            transcript.steps.append(Step(kind, command, offset))
        elif transcript.steps:
            transcript.steps[-1].expected.append(line)
        else:
            transcript.preamble.append(line)
    if open_block is not None:
        raise TranscriptError(f"{path.name}:{open_block.line}: a multi-line message is not closed")
    return transcript


__all__ = ["ELLIPSES", "Step", "Transcript", "TranscriptError", "transcripts"]
