"""Comparing what a guide says the assistant prints with what it printed.

Lines are compared exactly (trailing spaces aside; blank lines at either end of a step's
output ignored), except:
- a line `…` or `...` stands for any number of lines;
- values that differ from run to run — a date and time (`12:20 27/11/2026`, `12:20
  27/11`, the command line's `07/12/2026 11:38`), a date (`07/12/2026`), an invite code (8
  letters and digits of the code alphabet, at least one of each: `K7QX2M9P`), a roll-call
  code (6 of them: `V8SE8Q`), a link code (`LK-7QX2-M9PA`), a store version
  (`20261130T040535356058-013d3a`) — match any value of that shape. The first time a value
  written in the guide is matched it is bound to what was printed: later the same value
  must print the same, and an input that repeats it (`/dangky K7QX2M9P`) is typed with
  the value printed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from tests.doc_replay.parse import ELLIPSES

_CODE_CHARS = "[A-HJ-NP-Z2-9]"
# (how a value is spotted in the guide, what it matches in the output), longest first.
VOLATILE: tuple[tuple[str, str], ...] = (
    (r"\d{8}T\d{12}-[0-9a-f]{6}", r"\d{8}T\d{12}-[0-9a-f]{6}"),
    (r"\b\d{1,2}:\d{2} \d{2}/\d{2}/\d{4}\b", r"\d{1,2}:\d{2} \d{2}/\d{2}/\d{4}"),
    (r"\b\d{1,2}:\d{2} \d{2}/\d{2}\b", r"\d{1,2}:\d{2} \d{2}/\d{2}"),
    (rf"\bLK-{_CODE_CHARS}{{4}}-{_CODE_CHARS}{{4}}\b", rf"LK-{_CODE_CHARS}{{4}}-{_CODE_CHARS}{{4}}"),
    (rf"\b(?=[A-Z2-9]*\d)(?=[A-Z2-9]*[A-Z]){_CODE_CHARS}{{8}}\b", rf"{_CODE_CHARS}{{8}}"),
    (r"\b\d{2}/\d{2}/\d{4} \d{2}:\d{2}\b", r"\d{2}/\d{2}/\d{4} \d{2}:\d{2}"),  # the CLI's
    # A study session's roll-call code (6 letters and digits of the code alphabet; the guide
    # writes one with both, the run may print one without a digit).
    (rf"\b(?=[A-Z2-9]*\d)(?=[A-Z2-9]*[A-Z]){_CODE_CHARS}{{6}}\b", rf"{_CODE_CHARS}{{6}}"),
    # A date alone (a deadline a week from today, a prompt's example): typing the guide's
    # date after it was printed types the printed one, so a guide may answer "ví dụ
    # 07/12/2026" with that date and stay true on any day.
    (r"\b\d{2}/\d{2}/\d{4}\b", r"\d{2}/\d{2}/\d{4}"),
)
CODES = VOLATILE[3:5] + VOLATILE[6:7]  # the invite, link and roll-call codes (an input may repeat one)
_SPOT = re.compile("|".join(f"(?P<v{i}>{spot})" for i, (spot, _) in enumerate(VOLATILE)))


@dataclass
class Bindings:
    """Values written in the guide → what the run printed for them."""

    values: dict[str, str] = field(default_factory=dict)

    def typed(self, text: str) -> str:
        """An input with the guide's values replaced by the printed ones."""
        for written in sorted(self.values, key=len, reverse=True):
            text = text.replace(written, self.values[written])
        return text


def clean(lines: list[str]) -> list[str]:
    lines = [line.rstrip() for line in lines]
    while lines and not lines[0]:
        lines.pop(0)
    while lines and not lines[-1]:
        lines.pop()
    return lines


def matches(expected: list[str], printed: str, bindings: Bindings) -> bool:
    """Whether `printed` is what `expected` says (binding new values when it is)."""
    pattern, groups = _pattern(clean(expected), bindings)
    found = re.fullmatch(pattern, "\n".join(clean(printed.split("\n"))))
    if found is None:
        return False
    for group, written in groups.items():
        bindings.values[written] = found.group(group)
    return True


def _pattern(lines: list[str], bindings: Bindings) -> tuple[str, dict[str, str]]:
    groups: dict[str, str] = {}  # regex group → the guide's value it binds
    named: dict[str, str] = {}  # the guide's value → its group, within this step
    pieces: list[str | None] = []  # a line's pattern, or None for "any lines"
    for line in lines:
        if line.strip() in ELLIPSES:
            if not pieces or pieces[-1] is not None:
                pieces.append(None)
            continue
        piece, at = [], 0
        for found in _SPOT.finditer(line):
            piece.append(re.escape(line[at:found.start()]))
            written = found.group(0)
            if written in bindings.values:
                piece.append(re.escape(bindings.values[written]))
            elif written in named:
                piece.append(f"(?P={named[written]})")
            else:
                kind = int(next(k for k, v in found.groupdict().items() if v is not None)[1:])
                name = f"g{len(groups)}"
                named[written], groups[name] = name, written
                piece.append(f"(?P<{name}>{VOLATILE[kind][1]})")
            at = found.end()
        piece.append(re.escape(line[at:]))
        pieces.append("".join(piece))
    return _joined(pieces), groups


def _joined(pieces: list[str | None]) -> str:
    if pieces == [None]:
        return r"[\s\S]*"
    out = ""
    for i, piece in enumerate(pieces):
        if piece is None:
            out += r"(?:\n[\s\S]*)?" if i == len(pieces) - 1 else r"(?:[^\n]*\n)*?"
            continue
        if i > 0 and pieces[i - 1] is not None:
            out += "\n"
        elif i > 1:  # after "any lines" that followed a line: that line's end first
            out = out[:-len(r"(?:[^\n]*\n)*?")] + r"\n(?:[^\n]*\n)*?"
        out += piece
    return out


__all__ = ["Bindings", "CODES", "VOLATILE", "clean", "matches"]
