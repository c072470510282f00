"""Numbers in what people type and in button data, checked before anything uses them.

Every number from outside is hostile until checked: "99999999999999999999" would overflow the
database driver, "-1" or "0" names no row, "²" passes `str.isdigit()` but not `int()`, and a
forged button can carry any text at all. These helpers accept ASCII digits only and a range,
and return None (commands: the caller shows its usage line) or raise ValueError (button data:
the core answers "this button can no longer be used").
"""

from __future__ import annotations

import re

from bot.storage.models import MAX_ID

_DIGITS = re.compile(r"[0-9]{1,12}")  # 12 digits already exceed every range used here


def number_in(text: str, low: int, high: int) -> int | None:
    """`text` as an int in [low, high] (ASCII digits only), or None."""
    text = text.strip()
    if not _DIGITS.fullmatch(text):
        return None
    value = int(text)
    return value if low <= value <= high else None


def row_id(text: str) -> int | None:
    """A row id as typed ("7", "#7"): 1..MAX_ID, or None."""
    return number_in(text.strip().removeprefix("#"), 1, MAX_ID)


def first_id(args: str) -> int | None:
    """The first word of a command's arguments as a row id, or None."""
    words = args.split()
    return row_id(words[0]) if words else None


def data_id(text: str) -> int:
    """A row id inside button data; ValueError if it is not one."""
    value = row_id(text)
    if value is None:
        raise ValueError(f"not an id: {text[:20]!r}")
    return value


def data_number(text: str, low: int, high: int) -> int:
    """A number inside button data, in [low, high]; ValueError otherwise ("-1" allowed when
    low < 0)."""
    negative = text.startswith("-") and low < 0
    value = number_in(text[1:] if negative else text, 0, max(high, -low))
    if value is None or not low <= (-value if negative else value) <= high:
        raise ValueError(f"not a number in [{low}, {high}]: {text[:20]!r}")
    return -value if negative else value


__all__ = ["data_id", "data_number", "first_id", "number_in", "row_id"]
