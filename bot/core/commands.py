"""Parsing commands out of text (the command menu is collected from the features:
bot.core.feature.MenuCommand, bot.core.dispatcher.menu_of)."""

from __future__ import annotations

import re
from dataclasses import dataclass

_COMMAND = re.compile(r"^/(?P<name>[A-Za-z_]{1,32})(?:@(?P<bot>\w+))?(?:\s+(?P<args>.*))?$", re.S)


@dataclass(frozen=True)
class Command:
    name: str  # lowercase, without "/" and "@bot"
    args: str  # the rest of the text, stripped


def parse_command(text: str) -> Command | None:
    """"/hoi@TuyenGiaoBot  nghị quyết 57" -> Command("hoi", "nghị quyết 57")."""
    m = _COMMAND.match(text.strip())
    if not m:
        return None
    return Command(m["name"].lower(), (m["args"] or "").strip())
