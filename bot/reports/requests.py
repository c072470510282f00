"""Report requests and templates: creating, authorising, listing, stopping; and who answers a
request (its recipients), resolved again each time an instance opens so units and people
added since are included.

Authorisation (bot.services.audience, the rule broadcasts and polls follow): members cannot
create requests; an officer targets only units in their subtree; a request is seen and
managed by its author, admins, and officers whose scope covers all its target units. The
server operator's CLI (`actor=None`) is trusted.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, select

from bot.reports import messages as texts
from bot.reports.config import ReportConfig
from bot.reports.models import (
    ANSWERED_BY,
    SCHEDULES,
    OpinionCollaborator,
    ReportRequest,
    ReportTemplate,
)
from bot.services import form_fields
from bot.services.audience import check_targets, may_manage, require_sender, resolve, target_units
from bot.services.errors import InvalidInput, NotFound, PermissionDenied
from bot.services.people import Actor
from bot.services.units import officer_units
from bot.storage.models import Unit, valid_id
from knowledge.text import normalize, shorten

logger = logging.getLogger(__name__)

MAX_TITLE = 200


@dataclass(frozen=True)
class Recipient:
    unit_id: int
    unit_name: str
    unit_path: str
    person_id: int | None = None  # people / collaborators: the person who answers


def clean_title(title: str) -> str:
    cleaned = " ".join(normalize(title).split())
    if not cleaned:
        raise InvalidInput(texts.TITLE_EMPTY)
    if len(cleaned) > MAX_TITLE:
        raise InvalidInput(texts.TITLE_TOO_LONG.format(limit=MAX_TITLE))
    return cleaned


def create(session: Session, actor: Actor | None, *, title: str, kind: str = "unit",
           fields: Sequence[form_fields.FieldSpec] = (), unit_ids: Sequence[int] = (),
           answered_by: str = "children", roles: Sequence[str] = ("member",),
           schedule: str = "once", due_day: int = 0, once_deadline_at: datetime | None = None,
           once_label: str = "", config: ReportConfig = ReportConfig(),
           origin: tuple[str, str] | None = None, compose_step: str | None = None,
           template_id: int | None = None) -> ReportRequest:
    """A draft request (from the chat, `compose_step` says what is asked next)."""
    require_sender(session, actor)
    check_targets(session, actor, unit_ids)
    if answered_by not in ANSWERED_BY or schedule not in SCHEDULES:
        raise InvalidInput()
    if kind == "opinion":
        fields, answered_by = (), "collaborators"
    elif not fields:
        raise InvalidInput(texts.CREATE_USAGE)
    request = ReportRequest(
        title=clean_title(title or (texts.OPINION_TITLE if kind == "opinion" else "")),
        kind=kind, fields_json=form_fields.dumps(fields), answered_by=answered_by,
        target_unit_ids=",".join(map(str, unit_ids)), roles=",".join(roles),
        include_groups=False, schedule=schedule, due_day=due_day,
        once_deadline_at=once_deadline_at, once_label=shorten(once_label, 80),
        reminder_days=",".join(map(str, config.reminder_days)),
        overdue_every_days=config.overdue_every_days,
        escalate_after_days=config.escalate_after_days,
        created_by_person_id=actor.person_id if actor else None,
        origin_platform=origin[0] if origin else None,
        origin_chat_id=origin[1] if origin else None, compose_step=compose_step,
        template_id=template_id)
    session.add(request)
    session.flush()
    logger.info("report request %s drafted by %s", request.id,
                actor.person_id if actor else "operator")
    return request


def get(session: Session, actor: Actor | None, request_id: int) -> ReportRequest:
    """The request, if the actor may manage it (NotFound / PermissionDenied)."""
    request = session.get(ReportRequest, request_id) if valid_id(request_id) else None
    if request is None:
        raise NotFound(texts.REQUEST_NOT_FOUND)
    if not may_manage(session, actor, request.created_by_person_id, request.unit_ids):
        raise PermissionDenied(texts.REQUEST_OTHER_UNIT)
    return request


def own_draft(session: Session, actor: Actor, request_id: int) -> ReportRequest:
    request = get(session, actor, request_id)
    if request.created_by_person_id != actor.person_id:
        raise PermissionDenied()
    if request.status != "draft":
        raise InvalidInput(texts.REQUEST_NOT_DRAFT)
    return request


def draft_in_chat(session: Session, actor: Actor, platform: str, chat_id: str
                  ) -> ReportRequest | None:
    return session.exec(
        select(ReportRequest).where(
            ReportRequest.status == "draft", ReportRequest.created_by_person_id == actor.person_id,
            ReportRequest.origin_platform == platform, ReportRequest.origin_chat_id == chat_id,
            col(ReportRequest.compose_step).is_not(None))
        .order_by(col(ReportRequest.id).desc())
    ).first()


def recent(session: Session, actor: Actor | None, limit: int = 15) -> list[ReportRequest]:
    """The latest requests the actor may manage (admins and the CLI: all)."""
    query = select(ReportRequest).where(col(ReportRequest.status) != "draft") \
        .order_by(col(ReportRequest.id).desc())
    if actor is None or actor.is_admin:
        return list(session.exec(query.limit(limit)).all())
    found = []
    for request in session.exec(query.limit(limit * 10)):
        if may_manage(session, actor, request.created_by_person_id, request.unit_ids):
            found.append(request)
            if len(found) >= limit:
                break
    return found


def stop(session: Session, actor: Actor | None, request_id: int, now: datetime) -> ReportRequest:
    """No new instances (the open one keeps taking submissions until it closes)."""
    request = get(session, actor, request_id)
    if request.status == "active":
        request.status, request.stopped_at = "stopped", now
        session.add(request)
        session.flush()
    return request


# --- templates ----------------------------------------------------------------------------


def save_template(session: Session, actor: Actor | None, request: ReportRequest) -> ReportTemplate:
    require_sender(session, actor)
    template = ReportTemplate(name=request.title, kind=request.kind,
                              fields_json=request.fields_json,
                              created_by_person_id=actor.person_id if actor else None)
    session.add(template)
    session.flush()
    return template


def template(session: Session, actor: Actor | None, template_id: int) -> ReportTemplate:
    """Templates are shared by every officer (a form is no secret); members may not use them."""
    require_sender(session, actor)
    found = session.get(ReportTemplate, template_id) if valid_id(template_id) else None
    if found is None:
        raise NotFound(texts.TEMPLATE_NOT_FOUND)
    return found


def templates(session: Session, limit: int = 20) -> list[ReportTemplate]:
    return list(session.exec(select(ReportTemplate).order_by(col(ReportTemplate.id).desc())
                             .limit(limit)).all())


# --- recipients ---------------------------------------------------------------------------


def recipients(session: Session, request: ReportRequest) -> list[Recipient]:
    """Who answers the request now, in tree order: units (by their officers) or people."""
    targets = [session.get(Unit, u) for u in request.unit_ids]
    roots = [u for u in targets if u is not None and u.id is not None]
    if request.answered_by == "units":
        return [Recipient(u.id or 0, u.name, u.path) for u in sorted(roots, key=lambda u: u.path_ids)]
    if request.answered_by == "children":
        children = session.exec(select(Unit).where(
            col(Unit.parent_id).in_([u.id for u in roots]))).all()
        return [Recipient(u.id or 0, u.name, u.path)
                for u in sorted(children, key=lambda u: u.path_ids)]
    units = {u.id: u for u in target_units(session, [u.id or 0 for u in roots])}
    if request.answered_by == "people":
        people = resolve(session, [u.id or 0 for u in roots], request.role_list, False).people
        pairs = sorted((unit, person) for person, (unit, _) in people.items())
    else:  # collaborators
        rows = session.exec(select(OpinionCollaborator.person_id, OpinionCollaborator.unit_id)
                            .where(col(OpinionCollaborator.unit_id).in_(list(units)),
                                   col(OpinionCollaborator.revoked_at).is_(None))).all()
        pairs = sorted((unit, person) for person, unit in rows)
    found = [Recipient(unit, units[unit].name, units[unit].path, person)
             for unit, person in pairs if unit in units]
    return sorted(found, key=lambda r: (units[r.unit_id].path_ids, r.person_id or 0))


def top_unit_name(session: Session, actor: Actor | None, fallback: str) -> str:
    """The sender as recipients see it: "Trần Thị Bình — Huyện Đông Hà"."""
    if actor is None:
        return fallback
    units = officer_units(session, actor)
    name = actor.display_name or fallback
    if units:
        top = min(units, key=lambda u: (u.depth, u.id or 0))
        return f"{name} — {top.name}"
    return name


__all__ = ["MAX_TITLE", "Recipient", "clean_title", "create", "draft_in_chat", "get",
           "own_draft", "recent", "recipients", "save_template", "stop", "template",
           "templates", "top_unit_name"]
