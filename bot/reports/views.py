"""The officers' views as replies: the list of requests and templates, the tracker page, the
roll-up (table and chart, or CSV), the late list and ranking, the opinion roll-up, the
collaborators of a unit and the topics. Each is one unit of work `fn(session, actor, ...)`
returning replies; authorisation comes from the services they call."""

from __future__ import annotations

import asyncio
from datetime import datetime

from sqlmodel import Session, col, select

from bot.core.types import Action, FileReply, PhotoReply, Reply, TextReply
from bot.reports import chart, opinion_rollup, opinions, punctuality, requests, rollups, tracker
from bot.reports import upcoming
from bot.reports import messages as texts
from bot.reports.models import ReportAssignment, ReportInstance, ReportRequest
from bot.reports.periods import Span, show_day
from bot.services import form_fields
from bot.services.people import Actor
from bot.services.errors import NotFound
from bot.storage.models import Person, Unit, valid_id
from knowledge.text import fold, shorten

BOM = "\ufeff"  # makes Excel read the CSV as UTF-8


def request_list(session: Session, actor: Actor, now: datetime) -> TextReply:
    found = requests.recent(session, actor)
    lines = [texts.LIST_TITLE] if found else [texts.LIST_NONE]
    for request in found:
        latest = session.exec(select(ReportInstance).where(
            ReportInstance.request_id == request.id)
            .order_by(col(ReportInstance.deadline_at).desc())).first()
        current = ""
        if latest is not None:
            c = tracker.counts(session, latest.id or 0)
            current = texts.LIST_CURRENT.format(period=latest.period_label, submitted=c.submitted,
                                                total=c.total)
        lines.append(texts.LIST_LINE.format(
            id=request.id, title=request.title,
            schedule=texts.SCHEDULE_NAMES[request.schedule].format(day=request.due_day),
            status=texts.STATUS_NAMES.get(request.status, request.status), current=current))
    shown = requests.templates(session)
    if shown:
        lines += ["", texts.TEMPLATES_TITLE]
        lines += [texts.TEMPLATE_LINE.format(id=t.id, name=t.name,
                                             fields=len(form_fields.loads(t.fields_json)))
                  for t in shown]
    return TextReply("\n".join(lines))


def _people(session: Session, rows: list[ReportAssignment]) -> dict[int, str]:
    ids = [r.person_id for r in rows if r.person_id is not None]
    if not ids:
        return {}
    return dict(session.exec(select(Person.id, Person.display_name)
                             .where(col(Person.id).in_(ids))).all())


def track(session: Session, actor: Actor | None, request_id: int, span: Span | None,
          page_number: int, now: datetime) -> TextReply:
    request = requests.get(session, actor, request_id)
    instance = tracker.instance_for(session, request, span)
    found = tracker.page(session, request, instance, page_number)
    return tracker.render(found, now, _people(session, found.rows))


def track_instance(session: Session, actor: Actor | None, instance_id: int, page_or_prev: str,
                   now: datetime) -> TextReply:
    instance, request = instance_and_request(session, actor, instance_id)
    if page_or_prev == "prev":
        previous = tracker.previous_instance(session, instance)
        if previous is None:
            return TextReply(texts.NO_PREVIOUS_INSTANCE.format(id=request.id))
        instance, number = previous, 1
    else:
        number = int(page_or_prev) if page_or_prev.isdigit() and len(page_or_prev) < 6 else 1
    found = tracker.page(session, request, instance, number)
    return tracker.render(found, now, _people(session, found.rows))


def instance_and_request(session: Session, actor: Actor | None, instance_id: int
                         ) -> tuple[ReportInstance, ReportRequest]:
    instance = session.get(ReportInstance, instance_id) if valid_id(instance_id) else None
    if instance is None:
        raise NotFound(texts.REQUEST_NOT_FOUND)
    return instance, requests.get(session, actor, instance.request_id)


def rollup_data(session: Session, actor: Actor | None, request_id: int | None,
                span: Span | None, instance_id: int | None = None
                ) -> tuple[rollups.Rollup | None, opinion_rollup.OpinionRollup | None]:
    if instance_id is not None:
        instance, request = instance_and_request(session, actor, instance_id)
    else:
        assert request_id is not None
        request = requests.get(session, actor, request_id)
        instance = tracker.instance_for(session, request, span)
    if request.kind == "opinion":
        viewer = list(actor.officer_unit_ids) if actor is not None else None
        return None, opinion_rollup.for_instance(session, request, instance, viewer)
    return rollups.compute(session, request, instance), None


async def rollup_replies(found: tuple[rollups.Rollup | None, opinion_rollup.OpinionRollup | None],
                         csv_text: str | None) -> list[Reply]:
    """The table and the chart; or the CSV file when `csv_text` is given."""
    unit_rollup, opinion = found
    if unit_rollup is not None:
        request, instance = unit_rollup.request, unit_rollup.instance
        name = f"baocao-{request.id}-{instance.period_key}"
        if csv_text is not None:
            return [FileReply((BOM + csv_text).encode("utf-8"), f"{name}.csv",
                              texts.ROLLUP_CSV_CAPTION.format(title=request.title,
                                                              period=instance.period_label))]
        image = await asyncio.to_thread(lambda: chart.png(chart.status_figure(unit_rollup)))
        return [TextReply(rollups.text(unit_rollup)),
                PhotoReply(image, texts.ROLLUP_CHART_CAPTION.format(
                    title=request.title, period=instance.period_label), f"{name}.png")]
    assert opinion is not None
    return await opinion_replies(opinion, csv_text)


async def opinion_replies(found: opinion_rollup.OpinionRollup, csv_text: str | None) -> list[Reply]:
    if csv_text is not None:
        return [FileReply((BOM + csv_text).encode("utf-8"), "dulieu-dlxh.csv",
                          texts.OPINION_CSV_CAPTION.format(period=found.period))]
    replies: list[Reply] = [TextReply(opinion_rollup.text(found))]
    if found.reports:
        image = await asyncio.to_thread(lambda: chart.png(chart.opinion_figure(found)))
        replies.append(PhotoReply(image, texts.OPINION_CHART_TITLE.format(period=found.period),
                                  "dulieu-dlxh.png"))
    return replies


def punctuality_replies(session: Session, actor: Actor | None, span: Span, now: datetime,
                        as_csv: bool) -> list[Reply]:
    found = punctuality.compute(session, actor, span, now)
    if as_csv:
        data = (BOM + punctuality.to_csv(found)).encode("utf-8")
        return [FileReply(data, "dunghan.csv", texts.PUNCTUALITY_CSV_CAPTION.format(
            period=span.label))]
    if found.scores or span.end <= now:
        return [TextReply(punctuality.text(found))]
    # Nothing due yet in this (or a later) month: when the next deadline is, and how the
    # last period whose deadline has passed went, instead of a bare "none is due".
    lines = [texts.PUNCTUALITY_NOT_YET.format(period=span.label)]
    ahead = upcoming.next_deadline(session, actor, now)
    lines.append(texts.PUNCTUALITY_NEXT.format(title=ahead.title, period=ahead.period,
                                               deadline=show_day(ahead.deadline_at))
                 if ahead else texts.PUNCTUALITY_NO_NEXT)
    last = upcoming.last_closed_span(session, actor, now)
    if last is not None:
        lines.append("")
        lines.append(punctuality.text(punctuality.compute(session, actor, last, now)))
    return [TextReply("\n".join(lines))]


def collaborators(session: Session, actor: Actor, unit_id: int) -> TextReply:
    unit, people = opinions.unit_people(session, actor, unit_id)
    if not people:
        return TextReply(texts.COLLAB_NONE.format(unit=unit.name))
    lines = [texts.COLLAB_TITLE.format(unit=unit.name)]
    lines += [(texts.COLLAB_LINE_ON if on else texts.COLLAB_LINE_OFF).format(name=name)
              for _, name, on in people]
    lines.append(texts.COLLAB_HINT)
    actions = tuple(Action(("✅ " if on else "◻️ ") + shorten(name or "?", 50),
                           f"rp:cv:{unit_id}:{pid}") for pid, name, on in people[:20])
    return TextReply("\n".join(lines), actions)


def topics(session: Session, actor: Actor, args: str) -> TextReply:
    home = opinions.officer_home(session, actor)
    words = args.split(maxsplit=1)
    verb = fold(words[0]).lower() if words else ""
    if verb in ("them", "add"):
        topic = opinions.add_topic(session, actor, home, words[1] if len(words) > 1 else "")
        return TextReply(texts.TOPIC_ADDED.format(name=topic.name))
    if verb in ("bo", "xoa", "remove"):
        rest = words[1].strip() if len(words) > 1 else ""
        if not rest.isdigit() or len(rest) > 4:
            return TextReply(texts.TOPIC_USAGE)
        topic = opinions.remove_topic(session, actor, home, int(rest))
        return TextReply(texts.TOPIC_REMOVED.format(name=topic.name))
    if verb:
        return TextReply(texts.TOPIC_USAGE)
    shown = opinions.topics_for(session, home)
    if not shown:
        return TextReply(texts.TOPICS_NONE)
    lines = [texts.TOPICS_TITLE.format(unit=home.name)]
    for index, topic in enumerate(shown, 1):
        owner = "" if topic.unit_id == home.id else texts.TOPIC_OWNER.format(
            unit=_unit_name(session, topic.unit_id))
        lines.append(texts.TOPIC_LINE.format(index=index, name=topic.name, owner=owner))
    lines.append(texts.TOPICS_HINT)
    return TextReply("\n".join(lines))


def _unit_name(session: Session, unit_id: int) -> str:
    unit = session.get(Unit, unit_id)
    return unit.name if unit else str(unit_id)


__all__ = ["collaborators", "instance_and_request", "opinion_replies", "punctuality_replies",
           "request_list", "rollup_data", "rollup_replies", "topics", "track", "track_instance"]
