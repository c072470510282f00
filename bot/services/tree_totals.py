"""Adding figures up the unit tree: what each unit's own rows say, and what its whole subtree
says — for any feature that reports per unit (report submissions, opinion reports, study
attendance).

Units carry a materialised path ("/1/4/9/": bot.storage.models.Unit), so a unit's figures
go to every unit on its path that is being shown. Figures are `Counter`s keyed by whatever
the caller counts ("on_time", "mood:2", "field:so_buoi"); numbers may be floats (sums).

    totals = roll_up(shown_ids, own)   # {unit id: Counter of its subtree}, per shown unit

`own` is keyed by the path of the unit each figure belongs to (rows keep their unit's path),
so a unit not shown — outside the view, or deleted since — still adds to the shown units on
its path; a shown unit with no figures anywhere below gets an empty Counter.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from sqlmodel import Session, col, select

from bot.services.units import under_any
from bot.storage.models import Unit


def path_ids(path: str) -> tuple[int, ...]:
    """"/1/4/9/" → (1, 4, 9); anything that is not an id is skipped."""
    return tuple(int(part) for part in path.strip("/").split("/") if part.isdigit())


def roll_up(shown: Iterable[int], own: Mapping[str, Counter[str]]) -> dict[int, Counter[str]]:
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
    """One line of a rolled-up table: the unit, its depth below the view's top, its own
    figures and its subtree's."""

    unit_id: int
    name: str
    depth: int
    own: Counter[str] = field(default_factory=Counter)
    total: Counter[str] = field(default_factory=Counter)


def tree_rows(units: Iterable[Unit], own_by_path: Mapping[str, Counter[str]]) -> list[TreeRow]:
    """The units in tree order (pre-order, siblings by id), each with its own figures and its
    subtree's; depth counted from the shallowest unit given."""
    shown = sorted((u for u in units if u.id is not None), key=lambda u: u.path_ids)
    if not shown:
        return []
    totals = roll_up([u.id for u in shown if u.id is not None], own_by_path)
    top = min(u.depth for u in shown)
    return [TreeRow(u.id or 0, u.name, u.depth - top, Counter(own_by_path.get(u.path, Counter())),
                    totals[u.id or 0]) for u in shown]


def subtree(session: Session, root_ids: Iterable[int]) -> list[Unit]:
    """The units under the given ones (each with its subtree, each once)."""
    roots = session.exec(select(Unit).where(col(Unit.id).in_(list(root_ids)))).all()
    if not roots:
        return []
    return list(session.exec(select(Unit).where(under_any([u.path for u in roots]))).all())


__all__ = ["TreeRow", "path_ids", "roll_up", "subtree", "tree_rows"]
