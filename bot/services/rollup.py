"""Figures rolled up the unit tree: each unit's own counts added into every unit above it
(a commune's figure holds its cells', a district's its communes'), as the seeds' reports
read ("toàn huyện … 99%"). Any feature that counts per unit (study campaigns, unit reports)
gives its own counts per unit and gets the rolled-up rows back, in tree order.

A unit's path ("/1/4/9/") names its ancestors, so the roll-up is one pass over the counts,
no query per unit: 200 cells under a province cost a few thousand additions.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from bot.services.units import path_key
from bot.storage.models import Unit


@dataclass(frozen=True)
class RolledUp:
    """One unit's line: `depth` counts its ancestors among the reported units (0 for the
    top ones), `own` its own counts, `total` its own plus everything under it."""

    unit_id: int
    name: str
    kind: str
    depth: int
    own: Counter[str]
    total: Counter[str]


def roll_up(units: Sequence[Unit], own: Mapping[int, Mapping[str, int]]) -> list[RolledUp]:
    """`units`: the units reported on (subtrees, each unit once); `own`: counts per unit id
    (units outside `units` are ignored). Returns every unit's line in tree order."""
    by_id = {u.id: u for u in units if u.id is not None}
    totals: dict[int, Counter[str]] = {unit_id: Counter() for unit_id in by_id}
    for unit_id, counts in own.items():
        unit = by_id.get(unit_id)
        if unit is None:
            continue
        for ancestor in unit.path_ids:
            if ancestor in totals:
                totals[ancestor].update(counts)
    return [RolledUp(u.id, u.name, u.kind, sum(1 for a in u.path_ids[:-1] if a in by_id),
                     Counter(own.get(u.id, {})), totals[u.id])
            for u in sorted(by_id.values(), key=path_key) if u.id is not None]


def roots(rows: Iterable[RolledUp]) -> list[RolledUp]:
    """The top lines (depth 0): their totals add up to the whole report without double
    counting."""
    return [row for row in rows if row.depth == 0]


def percent(part: int, whole: int) -> float:
    """`part` of `whole` in percent, one decimal; 0.0 when there is no whole."""
    return round(100.0 * part / whole, 1) if whole > 0 else 0.0


__all__ = ["RolledUp", "percent", "roll_up", "roots"]
