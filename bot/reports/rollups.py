"""What an instance's submissions add up to: for each field, numbers summed up the unit tree,
choices counted, texts listed with their unit, files counted — from each recipient's latest
version — as a chat table, the data for the chart (bot.reports.chart) and a CSV file
(bot.services.export: formula-safe cells).
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import and_
from sqlmodel import Session, col, select

from bot.reports import messages as texts
from bot.reports.models import ReportAssignment, ReportInstance, ReportRequest, ReportSubmission
from bot.reports.periods import days_late
from bot.reports.tracker import Counts, counts, status_of
from bot.services import export, form_fields
from bot.services.form_fields import FieldSpec
from bot.services.rollup import path_ids, subtree_totals
from bot.storage.models import Person, Unit, to_local
from knowledge.text import shorten

MAX_UNIT_LINES = 12  # per field in the chat table (the CSV has every row)
MAX_TEXT_LINES = 10
MAX_TEXT = 200


@dataclass
class Row:
    assignment: ReportAssignment
    answers: dict[str, Any] | None  # the latest version's, None when not submitted
    submitted_by: int | None = None


@dataclass
class Rollup:
    request: ReportRequest
    instance: ReportInstance
    counts: Counts
    fields: list[FieldSpec]
    rows: list[Row] = field(default_factory=list)
    names: dict[int, str] = field(default_factory=dict)  # unit id → name (paths' units)
    people: dict[int, str] = field(default_factory=dict)  # person id → name

    @property
    def submitted(self) -> list[Row]:
        return [r for r in self.rows if r.answers is not None]

    def group_of(self, assignment: ReportAssignment) -> int:
        """The unit one level below the request's targets on the recipient's path (the
        recipient itself when it is a target): the chart's and the table's group."""
        targets = set(self.request.unit_ids)
        ids = path_ids(assignment.unit_path)
        below = [i for k, i in enumerate(ids) if k > 0 and ids[k - 1] in targets]
        return below[0] if below else assignment.unit_id

    def groups(self) -> list[tuple[int, str]]:
        seen: dict[int, str] = {}
        for row in self.rows:
            group = self.group_of(row.assignment)
            seen.setdefault(group, self.names.get(group, row.assignment.unit_name))
        return list(seen.items())

    def number_totals(self, spec: FieldSpec) -> dict[int, float]:
        """A number field summed for each group (subtree)."""
        own: dict[str, Counter[str]] = {}
        for row in self.submitted:
            value = row.answers.get(spec.key) if row.answers else None
            if isinstance(value, (int, float)):
                own.setdefault(row.assignment.unit_path, Counter())[spec.key] += value
        shown = [gid for gid, _ in self.groups()]
        totals = subtree_totals(shown, own)
        return {gid: totals[gid][spec.key] for gid in shown}


def compute(session: Session, request: ReportRequest, instance: ReportInstance) -> Rollup:
    latest = session.exec(
        select(ReportAssignment, ReportSubmission)
        .join(ReportSubmission, and_(
            col(ReportSubmission.assignment_id) == col(ReportAssignment.id),
            col(ReportSubmission.version) == col(ReportAssignment.versions)), isouter=True)
        .where(col(ReportAssignment.instance_id) == instance.id)
        .order_by(col(ReportAssignment.unit_path), col(ReportAssignment.id))).all()
    rows = [Row(a, json.loads(s.answers_json) if s is not None else None,
                s.person_id if s is not None else None) for a, s in latest]
    ids = {i for r in rows for i in path_ids(r.assignment.unit_path)}
    names = {u.id: u.name for u in session.exec(select(Unit).where(col(Unit.id).in_(list(ids))))
             if u.id is not None} if ids else {}
    person_ids = {p for r in rows for p in (r.assignment.person_id, r.submitted_by) if p}
    people = dict(session.exec(select(Person.id, Person.display_name)
                               .where(col(Person.id).in_(list(person_ids)))).all()) \
        if person_ids else {}
    return Rollup(request, instance, counts(session, instance.id or 0),
                  form_fields.loads(request.fields_json), rows, names, people)


def text(found: Rollup) -> str:
    request, instance = found.request, found.instance
    lines = [texts.ROLLUP_TITLE.format(title=request.title, period=instance.period_label,
                                       submitted=found.counts.submitted, total=found.counts.total)]
    if not found.submitted:
        return "\n".join(lines + [texts.ROLLUP_NOTHING])
    groups = dict(found.groups())
    for index, spec in enumerate(found.fields, 1):
        values = [(r, r.answers.get(spec.key)) for r in found.submitted if r.answers is not None]
        values = [(r, v) for r, v in values if v not in (None, "")]
        if spec.kind == "number":
            total = sum(v for _, v in values if isinstance(v, (int, float)))
            lines.append(texts.ROLLUP_NUMBER.format(index=index, label=spec.label,
                                                    total=form_fields.format_number(total)))
            answered = {found.group_of(r.assignment) for r, v in values
                        if isinstance(v, (int, float))}
            shown = [(gid, v) for gid, v in found.number_totals(spec).items() if gid in answered]
            lines += [texts.ROLLUP_NUMBER_UNIT.format(name=groups[gid],
                                                      value=form_fields.format_number(v))
                      for gid, v in shown[:MAX_UNIT_LINES]]
            if len(shown) > MAX_UNIT_LINES:
                lines.append("   " + texts.MORE_LINES.format(count=len(shown) - MAX_UNIT_LINES))
        elif spec.kind == "choice":
            tally = Counter(str(v) for _, v in values)
            shown_counts = " · ".join(f"{o} {tally[o]}" for o in spec.options if tally[o])
            lines.append(texts.ROLLUP_CHOICE.format(index=index, label=spec.label,
                                                    counts=shown_counts or "—"))
        elif spec.kind == "file":
            lines.append(texts.ROLLUP_FILES.format(index=index, label=spec.label,
                                                   count=len(values)))
        else:
            lines.append(texts.ROLLUP_TEXTS.format(index=index, label=spec.label))
            lines += [texts.ROLLUP_TEXT_LINE.format(
                name=r.assignment.unit_name,
                value=_short(form_fields.show(spec, v))) for r, v in values[:MAX_TEXT_LINES]]
            if len(values) > MAX_TEXT_LINES:
                lines.append("   " + texts.MORE_LINES.format(count=len(values) - MAX_TEXT_LINES))
    return "\n".join(lines)


def _short(value: str) -> str:
    return shorten(value, MAX_TEXT)


def to_csv(found: Rollup, now: datetime) -> str:
    """One row per recipient: the parent unit, the unit, the person (people requests) or who
    submitted, status, when, days late, versions, then every field."""
    header = [*texts.CSV_HEADER, *(spec.label for spec in found.fields)]
    rows: list[list[object]] = [header]
    deadline = found.instance.deadline_at
    for row in found.rows:
        a = row.assignment
        ids = path_ids(a.unit_path)
        parent = found.names.get(ids[-2], "") if len(ids) > 1 else ""
        who = found.people.get(a.person_id or row.submitted_by or 0, "")
        status = status_of(a)
        at = to_local(a.first_submitted_at).strftime("%Y-%m-%d %H:%M") \
            if a.first_submitted_at else ""
        late = days_late(deadline, a.first_submitted_at) if a.first_submitted_at else (
            days_late(deadline, now) if status == "missing" else 0)
        values = [_cell(spec, (row.answers or {}).get(spec.key)) for spec in found.fields]
        rows.append([parent, a.unit_name, who, texts.CSV_STATUS[status], at, late or "",
                     a.versions or "", *values])
    return export.table(rows)


def _cell(spec: FieldSpec, value: Any) -> object:
    if value is None:
        return ""
    if spec.kind == "number":
        return value
    return form_fields.show(spec, value)


__all__ = ["Rollup", "Row", "compute", "text", "to_csv"]
