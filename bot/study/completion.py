"""Completion per unit, rolled up the unit tree: members, exempt, attended, self-studied,
quiz passed, not yet — counts and percentages — as a text table, CSV rows and the chart's
data.

How the seeds count ("ngoài số đảng viên được miễn sinh hoạt, hơn 99% cán bộ, đảng viên
tham gia học tập"): a member is `exempt` when the roll call said so or their membership is
flagged (bot.services.exemptions); the exempt are out of every denominator (`due` =
members − exempt). Among the others: `attended` (present at the session), `self_studied`
(not present, but confirmed «đã học» or passed the quiz), `done` = attended + self-studied,
`not_yet` = due − done; `passed` counts everyone who passed the quiz, present or not.
Each person counts once, in the unit the campaign counts them in.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import and_, literal
from sqlmodel import Session, col, select

from bot.messages import UNIT_KIND_NAMES
from bot.services import export
from bot.services.audience import target_units
from bot.services.rollup import TreeRow, percent, roots, sum_rows, tree_rows
from bot.storage.models import Membership
from bot.study import messages as texts
from bot.study.announce import document_name
from bot.study.dates import shown
from bot.study.models import StudyCampaign, StudyParticipant

MAX_TABLE_UNITS = 40  # lines of the chat table; the CSV has every unit
KEYS = ("members", "exempt", "attended", "self_studied", "passed")


@dataclass(frozen=True)
class Figures:
    members: int = 0
    exempt: int = 0
    attended: int = 0
    self_studied: int = 0
    passed: int = 0

    @classmethod
    def of(cls, counts: Counter[str]) -> Figures:
        return cls(**{key: int(counts.get(key, 0)) for key in KEYS})

    @property
    def due(self) -> int:
        return self.members - self.exempt

    @property
    def done(self) -> int:
        return self.attended + self.self_studied

    @property
    def not_yet(self) -> int:
        return self.due - self.done

    def pct(self, part: int) -> float:
        return percent(part, self.due)


@dataclass(frozen=True)
class UnitLine:
    unit_id: int
    name: str
    kind: str
    depth: int
    figures: Figures


@dataclass
class Completion:
    campaign_id: int
    title: str
    status: str
    document: str
    deadline: datetime | None
    lines: list[UnitLine] = field(default_factory=list)
    total: Figures = field(default_factory=Figures)
    partial: bool = False  # only the viewer's own units
    doc_state: str = "ok"
    doc_note: str = ""


def compute(session: Session, campaign: StudyCampaign,
            scope: list[str] | None = None) -> Completion:
    """The campaign's figures per unit of its target subtrees (`scope`: only units under
    these paths — an officer who manages part of it)."""
    assert campaign.id is not None
    units = target_units(session, campaign.unit_ids)
    if scope is not None:
        units = [u for u in units if any(u.path.startswith(p) for p in scope)]
    kept = {u.id: u.path for u in units}
    flagged = (select(literal(1)).where(and_(
        col(Membership.person_id) == col(StudyParticipant.person_id),
        col(Membership.exempt_at).is_not(None))).exists())
    rows = session.exec(
        select(StudyParticipant.unit_id, StudyParticipant.attendance,
               col(StudyParticipant.self_studied_at).is_not(None),
               col(StudyParticipant.quiz_passed_at).is_not(None), flagged)
        .where(StudyParticipant.campaign_id == campaign.id)
    ).all()
    own: dict[str, Counter[str]] = {}  # by unit path (bot.services.rollup)
    for unit_id, attendance, self_studied, passed, is_flagged in rows:
        if unit_id not in kept:
            continue
        counts = own.setdefault(kept[unit_id], Counter())
        counts["members"] += 1
        if attendance == "exempt" or is_flagged:
            counts["exempt"] += 1
            continue
        counts["passed"] += bool(passed)
        if attendance == "present":
            counts["attended"] += 1
        elif self_studied or passed:
            counts["self_studied"] += 1
    rolled = tree_rows(units, own)
    total = sum_rows(roots(rolled))
    return Completion(campaign.id, campaign.title, campaign.status, document_name(campaign),
                      campaign.deadline_at, [_line(r) for r in rolled], Figures.of(total),
                      scope is not None, campaign.doc_state, campaign.doc_note)


def _line(row: TreeRow) -> UnitLine:
    return UnitLine(row.unit_id, row.name, row.kind, row.depth, Figures.of(row.total))


def text(report: Completion) -> str:
    f = report.total
    lines = [texts.REPORT_HEADER.format(
        id=report.campaign_id, title=report.title,
        status=texts.STATUS_NAMES.get(report.status, report.status), document=report.document,
        deadline=shown(report.deadline))]
    if report.doc_state == "replaced":
        lines.append(texts.REPORT_DOC_REPLACED.format(document=report.document,
                                                      note=report.doc_note))
    elif report.doc_state == "deleted":
        lines.append(texts.REPORT_DOC_DELETED.format(document=report.document))
    if report.partial:
        lines.append(texts.REPORT_PARTIAL)
    lines += ["", texts.REPORT_TOTAL.format(
        members=f.members, exempt=f.exempt, attended=f.attended, attended_pct=_p(f, f.attended),
        self_studied=f.self_studied, self_pct=_p(f, f.self_studied), passed=f.passed,
        passed_pct=_p(f, f.passed), done=f.done, done_pct=_p(f, f.done), not_yet=f.not_yet,
        not_yet_pct=_p(f, f.not_yet)), "", texts.REPORT_BY_UNIT]
    for line in report.lines[:MAX_TABLE_UNITS]:
        g = line.figures
        lines.append(texts.REPORT_UNIT_LINE.format(
            indent="  " * line.depth, name=line.name, done=g.done, due=g.due,
            done_pct=_p(g, g.done), attended=g.attended, self_studied=g.self_studied,
            passed=g.passed, not_yet=g.not_yet, exempt=g.exempt))
    if len(report.lines) > MAX_TABLE_UNITS:
        lines.append(texts.REPORT_MORE_UNITS.format(count=len(report.lines) - MAX_TABLE_UNITS,
                                                    id=report.campaign_id))
    return "\n".join(lines)


def _p(figures: Figures, part: int) -> str:
    """A percentage as Vietnamese writes it: "99,5"."""
    return f"{figures.pct(part):.1f}".replace(".", ",")


def csv_rows(report: Completion) -> list[tuple[object, ...]]:
    rows: list[tuple[object, ...]] = [texts.CSV_HEADER]
    for line in report.lines:
        g = line.figures
        rows.append((line.unit_id, line.name, UNIT_KIND_NAMES.get(line.kind, line.kind),
                     line.depth, g.members,
                     g.exempt, g.due, g.attended, g.self_studied, g.passed, g.done, g.not_yet,
                     g.pct(g.done)))
    return rows


def to_csv(report: Completion) -> str:
    """The table as CSV (bot.services.export: formula-safe cells, CRLF)."""
    return export.table(csv_rows(report))


__all__ = ["Completion", "Figures", "UnitLine", "compute", "csv_rows", "text", "to_csv"]
