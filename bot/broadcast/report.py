"""What officers and admins read about a broadcast: live progress, the final delivery report
per unit (people reached, groups reached, failures, reading confirmations), the list of who
has not confirmed, and the audit trail."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlmodel import Session, col, func, select

from bot.broadcast.models import Broadcast, BroadcastEvent, BroadcastRecipient, Delivery
from bot.broadcast.outbox import status_counts
from bot.services.audience import target_units
from bot.services.units import path_key
from bot.storage.bases import shown_number
from bot.storage.models import ChatRecord, Identity, Person, Unit, to_local, utcnow
from bot import messages
from bot.broadcast import messages as broadcast_texts
MAX_LIST = 60  # names shown in one "who has not confirmed" message


@dataclass
class UnitLine:
    unit: Unit
    people: int = 0  # targeted members
    reached: int = 0  # ... with at least one message delivered in private
    confirmed: int = 0
    groups: int = 0
    groups_reached: int = 0
    failed: int = 0  # deliveries failed for good (private and group)


@dataclass
class DeliveryReport:
    broadcast: Broadcast
    counts: dict[str, int]  # delivery status -> rows
    units: list[UnitLine] = field(default_factory=list)
    # Marked unreachable now (bot.services.reachability): recipients not reached in private
    # who blocked the bot or whose account is gone, and the target units' groups the bot
    # can no longer write to.
    blocked_people: int = 0
    unreachable_groups: int = 0
    number: int = 0  # the number officers know it by (a reminder: its original's)

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def count(self, status: str) -> int:
        return self.counts.get(status, 0)

    @property
    def open(self) -> int:
        return self.count("pending") + self.count("sending")


def root_id(broadcast: Broadcast) -> int:
    assert broadcast.id is not None
    return broadcast.parent_id or broadcast.id


def number_of(session: Session, broadcast: Broadcast) -> int:
    """The number officers know a broadcast by (a reminder: its original's)."""
    root = session.get(Broadcast, broadcast.parent_id) if broadcast.parent_id else broadcast
    return shown_number(root or broadcast)


def delivery_report(session: Session, broadcast: Broadcast) -> DeliveryReport:
    assert broadcast.id is not None
    report = DeliveryReport(broadcast, status_counts(session, broadcast.id),
                            number=number_of(session, broadcast))
    lines: dict[int, UnitLine] = {}

    def line(unit_id: int) -> UnitLine:
        if unit_id not in lines:
            unit = session.get(Unit, unit_id)
            assert unit is not None
            lines[unit_id] = UnitLine(unit)
        return lines[unit_id]

    # People: the audience of this broadcast; confirmations count on the original.
    for unit_id, people, confirmed in session.exec(
        select(BroadcastRecipient.unit_id, func.count(),
               func.count(col(BroadcastRecipient.confirmed_at)))
        .where(BroadcastRecipient.broadcast_id == root_id(broadcast))
        .group_by(col(BroadcastRecipient.unit_id))
    ).all():
        entry = line(unit_id)
        entry.people, entry.confirmed = people, confirmed
    if broadcast.parent_id:  # a reminder's audience is its own deliveries' people
        for entry in lines.values():
            entry.people = entry.confirmed = 0
        for unit_id, people in session.exec(
            select(Delivery.unit_id, func.count(func.distinct(Delivery.person_id)))
            .where(Delivery.broadcast_id == broadcast.id, col(Delivery.person_id).is_not(None))
            .group_by(col(Delivery.unit_id))
        ).all():
            line(unit_id).people = people
    for unit_id, reached in session.exec(
        select(Delivery.unit_id, func.count(func.distinct(Delivery.person_id)))
        .where(Delivery.broadcast_id == broadcast.id, Delivery.status == "sent",
               col(Delivery.person_id).is_not(None))
        .group_by(col(Delivery.unit_id))
    ).all():
        line(unit_id).reached = reached
    for unit_id, kind, status, n in session.exec(
        select(Delivery.unit_id, Delivery.chat_kind, Delivery.status, func.count())
        .where(Delivery.broadcast_id == broadcast.id)
        .group_by(col(Delivery.unit_id), col(Delivery.chat_kind), col(Delivery.status))
    ).all():
        entry = line(unit_id)
        if kind == "group":
            entry.groups += n
            if status == "sent":
                entry.groups_reached += n
        if status == "failed_permanent":
            entry.failed += n
    report.units = sorted(lines.values(), key=lambda e: path_key(e.unit))
    if not broadcast.parent_id:
        report.blocked_people, report.unreachable_groups = _unreachable(session, broadcast)
    return report


def _unreachable(session: Session, broadcast: Broadcast) -> tuple[int, int]:
    reached = select(Delivery.person_id).where(
        Delivery.broadcast_id == broadcast.id, Delivery.status == "sent",
        col(Delivery.person_id).is_not(None))
    blocked = session.exec(
        select(func.count(func.distinct(BroadcastRecipient.person_id)))
        .join(Identity, col(Identity.person_id) == col(BroadcastRecipient.person_id))
        .where(BroadcastRecipient.broadcast_id == broadcast.id,
               col(Identity.unreachable_at).is_not(None),
               col(BroadcastRecipient.person_id).not_in(reached))).one()
    groups = 0
    if broadcast.include_groups:
        unit_ids = [u.id for u in target_units(session, broadcast.unit_ids)]
        groups = session.exec(select(func.count()).select_from(ChatRecord).where(
            col(ChatRecord.unit_id).in_(unit_ids), col(ChatRecord.kind) == "group",
            col(ChatRecord.unreachable_at).is_not(None))).one()
    return int(blocked), int(groups)


def _share(part: int, whole: int) -> str:
    return f"{100 * part / whole:.0f}%" if whole else "—"


def progress_text(report: DeliveryReport) -> str:
    b = report.broadcast
    head = broadcast_texts.BROADCAST_PROGRESS.format(
        id=report.number, sent=report.count("sent"), total=report.total,
        failed=report.count("failed_permanent"), waiting=report.open)
    if b.status == "cancelled":
        return head + "\n" + broadcast_texts.BROADCAST_PROGRESS_CANCELLED.format(
            cancelled=report.count("cancelled"))
    if b.status == "done":
        return head + "\n" + broadcast_texts.BROADCAST_PROGRESS_DONE
    return head


def final_text(report: DeliveryReport) -> str:
    b = report.broadcast
    lines = [broadcast_texts.BROADCAST_REPORT_TITLE.format(id=report.number, excerpt=excerpt(b.text)),
             broadcast_texts.BROADCAST_REPORT_TOTALS.format(
                 sent=report.count("sent"), total=report.total,
                 failed=report.count("failed_permanent"),
                 cancelled=report.count("cancelled"))]
    for e in report.units:
        lines.append(broadcast_texts.BROADCAST_REPORT_UNIT.format(
            unit=e.unit.name, reached=e.reached, people=e.people,
            reached_share=_share(e.reached, e.people), groups_reached=e.groups_reached,
            groups=e.groups, failed=e.failed))
        if b.require_confirmation and not b.parent_id:
            lines.append(broadcast_texts.BROADCAST_REPORT_CONFIRMED.format(
                confirmed=e.confirmed, people=e.people, share=_share(e.confirmed, e.people)))
    unreachable = sum(e.people - e.reached for e in report.units)
    if report.open:  # still sending: who was not reached is not known yet
        lines.append(broadcast_texts.BROADCAST_REPORT_SENDING.format(waiting=report.open))
    elif unreachable:
        lines.append(broadcast_texts.BROADCAST_REPORT_UNREACHED.format(count=unreachable))
    lines += messages.unreachable_lines(report.blocked_people, report.unreachable_groups)
    return "\n".join(lines)


def confirmation_text(session: Session, broadcast: Broadcast) -> str:
    """Per-unit confirmation rates of the original broadcast and the names still missing."""
    root = session.get(Broadcast, root_id(broadcast))
    assert root is not None and root.id is not None
    report = delivery_report(session, root)
    lines = [broadcast_texts.BROADCAST_CONFIRM_TITLE.format(id=report.number,
                                                            excerpt=excerpt(root.text))]
    if root.deadline_at is not None:
        deadline = to_local(root.deadline_at).strftime("%H:%M %d/%m/%Y")
        late = root.deadline_at <= utcnow()
        lines.append((broadcast_texts.BROADCAST_DEADLINE_PASSED if late else broadcast_texts.BROADCAST_DEADLINE)
                     .format(deadline=deadline))
    for e in report.units:
        if e.people:
            lines.append(broadcast_texts.BROADCAST_CONFIRM_UNIT.format(
                unit=e.unit.name, confirmed=e.confirmed, people=e.people,
                share=_share(e.confirmed, e.people), reached=e.reached))
    missing = unconfirmed(session, root.id)
    if not missing:
        lines.append(broadcast_texts.BROADCAST_ALL_CONFIRMED)
        return "\n".join(lines)
    lines.append(broadcast_texts.BROADCAST_NOT_CONFIRMED.format(count=len(missing)))
    for name, unit in missing[:MAX_LIST]:
        lines.append(f"• {name} — {unit}")
    if len(missing) > MAX_LIST:
        lines.append(broadcast_texts.BROADCAST_MORE.format(count=len(missing) - MAX_LIST))
    return "\n".join(lines)


def unconfirmed(session: Session, broadcast_id: int) -> list[tuple[str, str]]:
    """(person's name, unit name) of the audience who have not confirmed, by unit."""
    rows = session.exec(
        select(Person.display_name, Person.id, Unit.name, Unit.path)
        .join(BroadcastRecipient, col(BroadcastRecipient.person_id) == col(Person.id))
        .join(Unit, col(Unit.id) == col(BroadcastRecipient.unit_id))
        .where(BroadcastRecipient.broadcast_id == broadcast_id,
               col(BroadcastRecipient.confirmed_at).is_(None))
    ).all()
    ordered = sorted(rows, key=lambda r: (r[3], r[0], r[1]))
    return [(name or f"#{pid}", unit) for name, pid, unit, _ in ordered]


def _audit_label(session: Session, broadcast_id: int) -> str:
    broadcast = session.get(Broadcast, broadcast_id)
    if broadcast is None or (broadcast.confirmed_at is None and broadcast.number is None):
        return broadcast_texts.AUDIT_DRAFT
    return f"#{number_of(session, broadcast)}"


def excerpt(text: str, limit: int = 60) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"


def audit_text(session: Session, limit: int = 30, since: datetime | None = None) -> str:
    """The latest broadcast events, newest first: when, who, what, which broadcast."""
    query = select(BroadcastEvent).order_by(col(BroadcastEvent.id).desc()).limit(limit)
    if since is not None:
        query = query.where(col(BroadcastEvent.created_at) >= since)
    events = session.exec(query).all()
    if not events:
        return broadcast_texts.BROADCAST_AUDIT_EMPTY
    lines = [broadcast_texts.BROADCAST_AUDIT_TITLE]
    for event in events:
        person = session.get(Person, event.person_id) if event.person_id else None
        who = (person.display_name if person else
               broadcast_texts.BROADCAST_SYSTEM if event.action == "finished" else broadcast_texts.BROADCAST_OPERATOR)
        when = to_local(event.created_at).strftime("%H:%M %d/%m/%Y")
        action = broadcast_texts.BROADCAST_AUDIT_ACTIONS.get(event.action, event.action)
        lines.append(f"{when} — {who} — {action} {_audit_label(session, event.broadcast_id)}"
                     + (f": {event.detail}" if event.detail else ""))
    return "\n".join(lines)


__all__ = ["DeliveryReport", "UnitLine", "audit_text", "confirmation_text", "delivery_report",
           "excerpt", "final_text", "number_of", "progress_text", "root_id", "unconfirmed"]
