"""Opinion reports added up: by period, topic and unit, up the unit tree — counts, urgent ones,
the mood observed — with the texts; as a chat table, chart data and CSV.

The reporter's name shows only to officers of the reporter's own unit, or when the reporter
agreed (bot.reports.opinions.reporter_name); everyone else sees the unit, topic, mood and
text.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlmodel import Session, col, or_, select

from bot import messages as bot_texts
from bot.reports import messages as texts
from bot.reports.models import OpinionReport, ReportInstance, ReportRequest
from bot.reports.periods import Span, month_span, quarter_span
from bot.services import export
from bot.services.errors import PermissionDenied
from bot.services.people import Actor
from bot.services.rollup import TreeRow, path_ids, tree_rows
from bot.services.units import get_unit, scope_paths
from bot.storage.models import Person, Unit, to_local

MAX_TEXTS = 15
MAX_UNIT_LINES = 20
MAX_DEPTH = 2  # levels below the view's top shown in the chat table
MAX_TEXT = 300


@dataclass
class OpinionRollup:
    period: str
    scope: str  # the unit the view is about ("" for everything)
    reports: list[OpinionReport] = field(default_factory=list)
    tree: list[TreeRow] = field(default_factory=list)
    names: dict[int, str] = field(default_factory=dict)  # report id → reporter (visible only)

    @property
    def urgent(self) -> int:
        return sum(1 for r in self.reports if r.urgent)

    def by_topic(self) -> list[tuple[str, int, int, Counter[int]]]:
        """(topic, reports, urgent, moods), most reported first."""
        found: dict[str, tuple[int, int, Counter[int]]] = {}
        for r in self.reports:
            n, u, moods = found.get(r.topic_name, (0, 0, Counter()))
            moods[r.mood] += 1
            found[r.topic_name] = (n + 1, u + int(r.urgent), moods)
        return sorted(((t, n, u, m) for t, (n, u, m) in found.items()), key=lambda x: (-x[1], x[0]))


def _visible_names(session: Session, reports: Sequence[OpinionReport],
                   viewer_units: Sequence[int] | None) -> dict[int, str]:
    wanted = [r for r in reports if r.share_name or (viewer_units and r.unit_id in viewer_units)]
    if not wanted:
        return {}
    names = dict(session.exec(select(Person.id, Person.display_name).where(
        col(Person.id).in_(list({r.person_id for r in wanted})))).all())
    return {r.id or 0: names.get(r.person_id, "") for r in wanted}


def _collect(session: Session, months: Sequence[str], roots: list[str] | None,
             label: str, scope: str, viewer_units: Sequence[int] | None) -> OpinionRollup:
    query = select(OpinionReport).where(col(OpinionReport.period_key).in_(list(months)))
    if roots is not None:
        if not roots:
            return OpinionRollup(label, scope)
        query = query.where(or_(*(col(OpinionReport.unit_path).like(f"{p}%") for p in roots)))
    reports = list(session.exec(query.order_by(col(OpinionReport.urgent).desc(),
                                               col(OpinionReport.created_at))).all())
    own: dict[str, Counter[str]] = {}
    for r in reports:
        figures = own.setdefault(r.unit_path, Counter())
        figures["reports"] += 1
        figures["urgent"] += int(r.urgent)
    tops = {path_ids(p)[-1] for p in roots} if roots else set()
    shown_ids: set[int] = set()
    for path in own:  # the units from the view's top down to each reporting unit
        ids = path_ids(path)
        start = next((k for k, i in enumerate(ids) if i in tops), 0)
        shown_ids.update(ids[start:])
    units = list(session.exec(select(Unit).where(col(Unit.id).in_(list(shown_ids))))) \
        if shown_ids else []
    return OpinionRollup(label, scope, reports, tree_rows(units, own),
                         _visible_names(session, reports, viewer_units))


def compute(session: Session, actor: Actor | None, span: Span,
            unit_id: int | None = None) -> OpinionRollup:
    """The actor's view (their scope; admins and the CLI: everything, or `unit_id`'s
    subtree) for `span`."""
    roots = None if actor is None else scope_paths(session, actor)
    scope = ""
    if unit_id is not None:
        unit = get_unit(session, unit_id)
        if roots is not None and not any(unit.path.startswith(p) for p in roots):
            raise PermissionDenied(bot_texts.OUTSIDE_SCOPE)
        roots, scope = [unit.path], unit.name
    elif actor is not None and actor.officer_unit_ids:  # the title names the officer's units
        scope = ", ".join(get_unit(session, u).name for u in list(actor.officer_unit_ids)[:3])
    viewer = list(actor.officer_unit_ids) if actor is not None else None
    return _collect(session, span.months, roots, span.label, scope, viewer)


def for_instance(session: Session, request: ReportRequest, instance: ReportInstance,
                 viewer_units: Sequence[int] | None = None) -> OpinionRollup:
    """Every opinion report of the instance's months under the request's units (periodic,
    extra and flash reports alike)."""
    year, _, rest = instance.period_key.partition("-")
    if rest.startswith("Q"):
        span = quarter_span(int(year), int(rest[1:]))
    elif rest:
        span = month_span(int(year), int(rest))
    else:
        span = month_span(to_local(instance.deadline_at).year, to_local(instance.deadline_at).month)
    roots = [u.path for u in session.exec(select(Unit).where(
        col(Unit.id).in_(request.unit_ids))).all()]
    scope = ", ".join(u.name for u in session.exec(select(Unit).where(
        col(Unit.id).in_(request.unit_ids))).all())
    return _collect(session, span.months, roots, instance.period_label, scope, viewer_units)


def text(found: OpinionRollup) -> str:
    if not found.reports:
        return texts.OPINION_ROLLUP_NONE.format(period=found.period)
    lines = [texts.OPINION_ROLLUP_TITLE.format(period=found.period, unit=found.scope or "—",
                                               count=len(found.reports), urgent=found.urgent)]
    for topic, n, urgent, moods in found.by_topic():
        shown = " · ".join(f"{texts.MOOD_NAMES[m]} {moods[m]}" for m in sorted(moods))
        lines.append(texts.OPINION_ROLLUP_TOPIC.format(
            topic=topic, count=n, moods=shown,
            urgent=texts.OPINION_ROLLUP_URGENT.format(count=urgent) if urgent else ""))
    rows = [r for r in found.tree if r.depth <= MAX_DEPTH and r.total["reports"]]
    if rows:
        lines.append(texts.OPINION_ROLLUP_UNITS)
        for row in rows[:MAX_UNIT_LINES]:
            urgent = row.total["urgent"]
            lines.append(texts.OPINION_ROLLUP_UNIT.format(
                indent="  " * row.depth, name=row.name, count=int(row.total["reports"]),
                urgent=texts.OPINION_ROLLUP_URGENT.format(count=int(urgent)) if urgent else ""))
        if len(rows) > MAX_UNIT_LINES:
            lines.append(texts.MORE_LINES.format(count=len(rows) - MAX_UNIT_LINES))
    lines.append(texts.OPINION_ROLLUP_TEXTS)
    for report in found.reports[:MAX_TEXTS]:
        name = found.names.get(report.id or 0)
        body = " ".join(report.text.split())
        lines.append(texts.OPINION_ROLLUP_TEXT.format(
            mark="⚡" if report.urgent else "", topic=report.topic_name, unit=report.unit_name,
            mood=texts.MOOD_NAMES.get(report.mood, ""),
            reporter=texts.OPINION_ROLLUP_REPORTER.format(name=name) if name else "",
            text=body if len(body) <= MAX_TEXT else body[:MAX_TEXT - 1] + "…"))
    if len(found.reports) > MAX_TEXTS:
        lines.append(texts.MORE_LINES.format(count=len(found.reports) - MAX_TEXTS))
    return "\n".join(lines)


def to_csv(session: Session, found: OpinionRollup) -> str:
    parents = {}
    ids = {path_ids(r.unit_path)[-2] for r in found.reports if len(path_ids(r.unit_path)) > 1}
    if ids:
        parents = dict(session.exec(select(Unit.id, Unit.name).where(col(Unit.id).in_(list(ids)))).all())
    rows: list[list[object]] = [list(texts.OPINION_CSV_HEADER)]
    for r in found.reports:
        ids_ = path_ids(r.unit_path)
        rows.append([r.id, to_local(r.created_at).strftime("%Y-%m-%d %H:%M"),
                     parents.get(ids_[-2], "") if len(ids_) > 1 else "", r.unit_name,
                     r.topic_name, texts.MOOD_NAMES.get(r.mood, ""),
                     texts.YES if r.urgent else texts.NO, r.text, found.names.get(r.id or 0, "")])
    return export.table(rows)


__all__ = ["OpinionRollup", "compute", "for_instance", "text", "to_csv"]
