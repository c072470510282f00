"""Figures rolled up the unit tree: each unit's own figures added into every unit above it
(a commune's figure holds its cells', a district's its communes'), as the seeds' reports read
("toàn huyện … 99%"). For any feature that counts per unit (study completion, report
submissions, opinion reports).

Units carry a materialised path ("/1/4/9/": bot.storage.models.Unit), so a unit's figures go
to every unit on its path that is being shown: one pass over the figures, no query per unit
(200 cells under a province cost a few thousand additions). Figures are `Counter`s keyed by
whatever the caller counts ("attended", "on_time", "mood:2", "field:so_buoi"); numbers may be
floats (sums).

    totals = subtree_totals(shown_ids, own)   # {unit id: Counter of its subtree}
    rows = tree_rows(units, own)              # one TreeRow per unit, in tree order
    whole = sum_rows(roots(rows))             # the whole view, nothing counted twice

`own` is keyed by the path of the unit each figure belongs to (rows keep their unit's path),
so a unit not shown — outside the view, or deleted since — still adds to the shown units on
its path; a shown unit with no figures anywhere below gets an empty Counter.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from bot.services.units import path_key
from bot.storage.models import Unit


def path_ids(path: str) -> tuple[int, ...]:
    """"/1/4/9/" → (1, 4, 9); anything that is not an id is skipped."""
    return tuple(int(part) for part in path.strip("/").split("/") if part.isdigit())


def subtree_totals(shown: Iterable[int],
                   own: Mapping[str, Mapping[str, float]]) -> dict[int, Counter[str]]:
    """Each shown unit's figures with its whole subtree's. `shown`: unit ids; `own`: figures
    keyed by the path of the unit they belong to.

    Cost: one pass over `own`, each path's ids looked up once (O(rows × depth))."""
    totals: dict[int, Counter[str]] = {unit_id: Counter() for unit_id in shown}
    for path, figures in own.items():
        for unit_id in path_ids(path):
            if unit_id in totals:
                totals[unit_id].update(figures)
    return totals


@dataclass
class TreeRow:
    """One line of a rolled-up table: the unit, its `depth` (how many of its ancestors are
    shown: 0 for the view's top units), its own figures and its subtree's."""

    unit_id: int
    name: str
    kind: str
    depth: int
    own: Counter[str] = field(default_factory=Counter)
    total: Counter[str] = field(default_factory=Counter)


def tree_rows(units: Iterable[Unit], own: Mapping[str, Mapping[str, float]]) -> list[TreeRow]:
    """The units in tree order (pre-order, siblings by id: bot.services.units.path_key), each
    once, with its own figures and its subtree's (`own` keyed by unit path, as in
    `subtree_totals`). A unit's depth counts its shown ancestors, so top units at different
    levels of the tree are all depth 0 and `roots` adds up the whole view."""
    by_id = {u.id: u for u in units if u.id is not None}
    shown = sorted(by_id.values(), key=path_key)
    totals = subtree_totals(by_id, own)
    return [TreeRow(unit.id or 0, unit.name, unit.kind,
                    sum(1 for a in unit.path_ids[:-1] if a in by_id),
                    Counter(own.get(unit.path, {})), totals[unit.id or 0]) for unit in shown]


def roots(rows: Iterable[TreeRow]) -> list[TreeRow]:
    """The top lines (depth 0): their totals add up to the whole view without double
    counting."""
    return [row for row in rows if row.depth == 0]


def sum_rows(rows: Iterable[TreeRow]) -> Counter[str]:
    """The rows' totals added (give it `roots(...)` for the whole view)."""
    whole: Counter[str] = Counter()
    for row in rows:
        whole.update(row.total)
    return whole


def percent(part: float, whole: float) -> float:
    """`part` of `whole` in percent, one decimal; 0.0 when there is no whole."""
    return round(100.0 * part / whole, 1) if whole > 0 else 0.0


__all__ = ["TreeRow", "path_ids", "percent", "roots", "subtree_totals", "sum_rows",
           "tree_rows"]
