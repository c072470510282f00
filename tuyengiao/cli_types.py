"""Argument types for the server commands (`admin`, `broadcast`, `poll`): numbers are
range-checked while parsing, so a mistyped id or an enormous count ends in argparse's usage
error ("argument id: ...") instead of a database overflow traceback. The bot's own limits
are imported when a value is parsed, not when the parser is built (other commands do not
pay for loading SQLAlchemy)."""

from __future__ import annotations

import argparse
from collections.abc import Callable


def row_id(text: str) -> int:
    """A row id of ours (1..MAX_ID)."""
    from bot.core.arguments import row_id as parse

    value = parse(text)
    if value is None:
        raise argparse.ArgumentTypeError(f"{text[:30]!r} is not an id (a whole number from 1)")
    return value


def row_ids(text: str) -> list[int]:
    """Comma-separated row ids ("4,7")."""
    parts = [part for part in text.split(",") if part.strip()]
    if not parts:
        raise argparse.ArgumentTypeError("give at least one id")
    return [row_id(part) for part in parts]


def whole(low: int, high: int) -> Callable[[str], int]:
    """A whole number in [low, high]."""
    def parse(text: str) -> int:
        from bot.core.arguments import number_in

        value = number_in(text, low, high)
        if value is None:
            raise argparse.ArgumentTypeError(f"{text[:30]!r} is not a whole number from {low} to {high}")
        return value
    return parse


def hours(high: float) -> Callable[[str], float]:
    """A positive number of hours, at most `high`."""
    def parse(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            value = float("nan")
        if not 0 < value <= high:  # NaN fails too
            raise argparse.ArgumentTypeError(f"{text[:30]!r} is not a number of hours above 0 and at most {high:g}")
        return value
    return parse


__all__ = ["hours", "row_id", "row_ids", "whole"]
