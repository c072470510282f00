"""For supervisors (/baocaodonvi): over every instance whose deadline fell in a period and has
passed, the recipients in the officer's scope that were late or have not submitted, and a
ranking of the units by punctuality — share of reports on time, then fewest missing, then
fewest days late on average. People's reports count for their unit.

Scope: the officer's subtree (any request, whoever made it: a district's officers see their
communes' punctuality towards the province too); admins and the CLI see everything.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlmodel import Session, col, or_, select

from bot.reports import messages as texts
from bot.reports.models import ReportAssignment, ReportInstance, ReportRequest
from bot.reports.periods import Span, days_late
from bot.services import export
from bot.services.people import Actor
from bot.services.units import scope_paths

MAX_LATE_LINES = 25
MAX_RANK_LINES = 30


@dataclass
class UnitScore:
    unit_id: int
    name: str
    path: str
    total: int = 0
    on_time: int = 0
    late: int = 0
    missing: int = 0
    late_days: int = 0
    items: list[str] = field(default_factory=list)  # what was late or missing, for the list

    @property
    def share(self) -> float:
        return self.on_time / self.total if self.total else 0.0

    @property
    def average_late(self) -> float:
        return self.late_days / self.late if self.late else 0.0


@dataclass
class Punctuality:
    span: Span
    requests: int
    scores: list[UnitScore]

    @property
    def ranking(self) -> list[UnitScore]:
        return sorted(self.scores, key=lambda s: (-s.share, s.missing, s.average_late, s.name))


def compute(session: Session, actor: Actor | None, span: Span, now: datetime) -> Punctuality:
    roots = None if actor is None else scope_paths(session, actor)
    query = (select(ReportAssignment.unit_id, ReportAssignment.unit_name,
                    ReportAssignment.unit_path, ReportAssignment.status, ReportAssignment.late,
                    ReportAssignment.first_submitted_at, ReportInstance.deadline_at,
                    ReportRequest.id, ReportRequest.title)
             .join(ReportInstance, col(ReportInstance.id) == col(ReportAssignment.instance_id))
             .join(ReportRequest, col(ReportRequest.id) == col(ReportInstance.request_id))
             .where(col(ReportInstance.deadline_at) > span.start,
                    col(ReportInstance.deadline_at) <= min(span.end, now),
                    col(ReportAssignment.status) != "closed"))
    if roots is not None:
        if not roots:
            return Punctuality(span, 0, [])
        query = query.where(or_(*(col(ReportAssignment.unit_path).like(f"{p}%") for p in roots)))
    scores: dict[int, UnitScore] = {}
    requests: set[int] = set()
    for unit_id, name, path, status, late, first, deadline, request_id, title in session.exec(query):
        requests.add(request_id)
        score = scores.setdefault(unit_id, UnitScore(unit_id, name, path))
        score.total += 1
        if status == "submitted" and not late:
            score.on_time += 1
        elif status == "submitted":
            days = days_late(deadline, first)
            score.late += 1
            score.late_days += days
            score.items.append(texts.PUNCTUALITY_LATE_ITEM.format(title=title, days=days))
        else:
            score.missing += 1
            score.items.append(texts.PUNCTUALITY_MISSING_ITEM.format(title=title))
    return Punctuality(span, len(requests), sorted(scores.values(), key=lambda s: s.path))


def _number(value: float) -> str:
    return f"{value:.1f}".replace(".", ",")


def text(found: Punctuality) -> str:
    if not found.scores:
        return texts.PUNCTUALITY_EMPTY.format(period=found.span.label)
    lines = [texts.PUNCTUALITY_TITLE.format(period=found.span.label, requests=found.requests,
                                            units=len(found.scores))]
    behind = [s for s in found.scores if s.items]
    lines.append(texts.PUNCTUALITY_LATE if behind else texts.PUNCTUALITY_NONE_LATE)
    lines += [texts.PUNCTUALITY_LATE_LINE.format(name=s.name, items="; ".join(s.items))
              for s in behind[:MAX_LATE_LINES]]
    if len(behind) > MAX_LATE_LINES:
        lines.append(texts.MORE_LINES.format(count=len(behind) - MAX_LATE_LINES))
    lines.append(texts.PUNCTUALITY_RANKING)
    ranking = found.ranking
    for rank, s in enumerate(ranking[:MAX_RANK_LINES], 1):
        extra = ""
        if s.late:
            extra += texts.PUNCTUALITY_EXTRA_LATE.format(count=s.late, avg=_number(s.average_late))
        if s.missing:
            extra += texts.PUNCTUALITY_EXTRA_MISSING.format(count=s.missing)
        lines.append(texts.PUNCTUALITY_RANK_LINE.format(rank=rank, name=s.name, on_time=s.on_time,
                                                        total=s.total, extra=extra))
    if len(ranking) > MAX_RANK_LINES:
        lines.append(texts.MORE_LINES.format(count=len(ranking) - MAX_RANK_LINES))
    return "\n".join(lines)


def to_csv(found: Punctuality) -> str:
    rows: list[list[object]] = [list(texts.PUNCTUALITY_CSV_HEADER)]
    rows += [[s.name, s.path, s.total, s.on_time, s.late, s.missing,
              round(s.average_late, 1) if s.late else ""] for s in found.ranking]
    return export.table(rows)


__all__ = ["Punctuality", "UnitScore", "compute", "text", "to_csv"]
