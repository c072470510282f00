"""Creating a campaign in chat, step by step (`/taohoctap`): the document (a number in the
knowledge base, or a file sent) → the title (typed, or the suggested one) → the target
units (own subtree; buttons toggle, or typed unit ids) → the deadline → the common session
date (or each unit sets its own: /lichhoc) → the quiz (lines or CSV text, or none) → its
pass mark → preview → start.

The draft is a StudyCampaign row in status "draft" whose `compose_step` names what is
awaited, so a restart loses nothing. Buttons carry `sh:c:<campaign>:<op>[:<arg>]`; every
choice is checked again here (a forged unit outside the officer's subtree is refused by
bot.services.audience.check_targets, a forged number by the step's own range).
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, col, select

from bot import messages
from bot.core.arguments import data_id, data_number, row_id
from bot.core.types import Action, TextReply
from bot.services.errors import InvalidInput
from bot.services.people import Actor
from bot.services.units import officer_scope
from bot.storage.models import Unit, utcnow
from bot.study import messages as texts
from bot.study import quiz, service
from bot.study.announce import document_name
from bot.study.dates import END_OF_DAY, SESSION_START, end_of_day_after, parse_moment, shown
from bot.study.models import StudyCampaign
from knowledge.passages import DocumentMeta
from knowledge.text import shorten

MAX_UNIT_BUTTONS = 12
TEXT_STEPS = frozenset({"doc", "title", "units", "deadline", "session", "quiz"})


def _a(label: str, campaign: StudyCampaign, op: str) -> Action:
    return Action(label, f"sh:c:{campaign.id}:{op}")


def start(session: Session, actor: Actor, platform: str, chat_id: str) -> TextReply:
    campaign = service.create_draft(session, actor, origin=(platform, chat_id))
    return ask(session, actor, campaign)


def take_document(session: Session, actor: Actor, campaign: StudyCampaign,
                  found: list[DocumentMeta], typed: str) -> TextReply:
    """The documents the typed reference names (looked up by the caller): exactly one is
    taken."""
    shown_text = shorten(typed, 60)
    if not found:
        raise InvalidInput(texts.DOC_NOT_FOUND.format(text=shown_text))
    if len(found) > 1:
        raise InvalidInput(texts.DOC_SEVERAL.format(
            count=len(found), text=shown_text, labels="; ".join(d.label for d in found[:5])))
    doc = found[0]
    campaign.doc_id, campaign.doc_label, campaign.doc_title = doc.doc_id, shorten(doc.label, 300), \
        shorten(doc.title, 500)
    campaign.attachment_platform = campaign.attachment_file_id = campaign.attachment_name = None
    return _goto(session, actor, campaign, "title")


def take_file(session: Session, actor: Actor, campaign: StudyCampaign, platform: str,
              file_id: str, name: str) -> TextReply:
    campaign.doc_id, campaign.doc_title = None, ""
    campaign.attachment_platform, campaign.attachment_file_id = platform, file_id[:255]
    campaign.attachment_name = (name or file_id)[:255]
    campaign.doc_label = shorten(campaign.attachment_name, 300)
    reply = _goto(session, actor, campaign, "title")
    return TextReply(texts.FILE_ATTACHED.format(name=campaign.attachment_name) + "\n\n"
                     + reply.text, reply.actions)


def take_text(session: Session, actor: Actor, campaign: StudyCampaign, text: str) -> TextReply:
    """A typed answer to the step awaited (the document step is `take_document`)."""
    step = campaign.compose_step
    now = utcnow()
    if step == "title":
        campaign.title = service.clean_title(text)
        return _goto(session, actor, campaign, "units")
    if step == "units":
        ids = [row_id(part) for part in text.replace(",", " ").split()]
        if not ids or any(i is None for i in ids):
            raise InvalidInput(texts.USE_BUTTONS)
        service.set_targets(session, actor, campaign, [i for i in ids if i is not None])
        return _goto(session, actor, campaign, "deadline")
    if step == "deadline":
        return _deadline(session, actor, campaign, parse_moment(text, END_OF_DAY, now))
    if step == "session":
        return _session(session, actor, campaign, parse_moment(text, SESSION_START, now))
    if step == "quiz":
        quiz.store(session, campaign, quiz.parse(text))
        return _goto(session, actor, campaign, "pass")
    raise InvalidInput(texts.USE_BUTTONS)


def _deadline(session: Session, actor: Actor, campaign: StudyCampaign, at: datetime) -> TextReply:
    if at <= utcnow():
        raise InvalidInput(texts.DEADLINE_PAST)
    campaign.deadline_at = at
    return _goto(session, actor, campaign, "session")


def _session(session: Session, actor: Actor, campaign: StudyCampaign, at: datetime) -> TextReply:
    if at <= utcnow():
        raise InvalidInput(texts.SESSION_PAST)
    if campaign.deadline_at is not None and at >= campaign.deadline_at:
        raise InvalidInput(texts.SESSION_AFTER_DEADLINE.format(deadline=shown(campaign.deadline_at)))
    campaign.session_at = at
    return _goto(session, actor, campaign, "quiz")


def press(session: Session, actor: Actor, campaign_id: int, op: str, arg: str) -> TextReply:
    """A button of the draft's current step. ValueError / InvalidInput for anything else."""
    campaign = service.own_draft(session, actor, campaign_id)
    step = campaign.compose_step
    if op == "x":
        campaign.status, campaign.compose_step = "cancelled", None
        session.add(campaign)
        return TextReply(texts.DROPPED)
    if op == "t" and step == "title":
        campaign.title = service.clean_title(texts.TITLE_SUGGESTED.format(
            label=document_name(campaign)))
        return _goto(session, actor, campaign, "units")
    if op == "u" and step == "units":
        unit_id = data_id(arg)
        chosen = campaign.unit_ids
        chosen = [u for u in chosen if u != unit_id] if unit_id in chosen else chosen + [unit_id]
        service.set_targets(session, actor, campaign, chosen)
        return ask(session, actor, campaign)
    if op == "ud" and step == "units":
        if not campaign.unit_ids:
            raise InvalidInput(texts.NO_TARGETS)
        return _goto(session, actor, campaign, "deadline")
    if op == "dl" and step == "deadline":
        days = data_number(arg, 1, 366)
        if days not in {d for d, _ in texts.DEADLINE_CHOICES}:
            raise InvalidInput(texts.USE_BUTTONS)
        return _deadline(session, actor, campaign, end_of_day_after(days))
    if op == "ss" and step == "session":
        campaign.session_at = None
        return _goto(session, actor, campaign, "quiz")
    if op == "nq" and step == "quiz":
        campaign.pass_mark = 0
        return _goto(session, actor, campaign, "go")
    if op == "pm" and step == "pass":
        count = len(service.questions(session, campaign_id))
        campaign.pass_mark = data_number(arg, 1, max(count, 1))
        return _goto(session, actor, campaign, "go")
    raise InvalidInput(texts.USE_BUTTONS)


def _goto(session: Session, actor: Actor, campaign: StudyCampaign, step: str) -> TextReply:
    campaign.compose_step = step
    session.add(campaign)
    session.flush()
    return ask(session, actor, campaign)


def ask(session: Session, actor: Actor, campaign: StudyCampaign) -> TextReply:
    """The current step's question with its choices (also: the step again, when a chat
    without buttons typed something that chooses nothing)."""
    cancel = _a(messages.COMPOSE_CANCEL_BUTTON, campaign, "x")
    step = campaign.compose_step
    if step == "doc":
        return TextReply(texts.ASK_DOCUMENT, (cancel,))
    if step == "title":
        suggested = texts.TITLE_SUGGESTED.format(label=document_name(campaign))
        return TextReply(texts.ASK_TITLE.format(suggested=suggested),
                         (_a(texts.TITLE_SUGGESTED_BUTTON, campaign, "t"), cancel))
    if step == "units":
        chosen = campaign.unit_ids
        scope = officer_scope(session, actor)[:MAX_UNIT_BUTTONS]
        found = {u.id: u for u in session.exec(select(Unit).where(col(Unit.id).in_(scope)))}
        buttons = [_a(("✓ " if uid in chosen else "") + shorten(found[uid].name, 50), campaign,
                      f"u:{uid}") for uid in scope if uid in found]
        return TextReply(texts.ASK_UNITS.format(chosen=service.unit_names(session, chosen)),
                         (*buttons, _a(texts.UNITS_DONE_BUTTON, campaign, "ud"), cancel))
    if step == "deadline":
        return TextReply(texts.ASK_DEADLINE, tuple(
            _a(label, campaign, f"dl:{days}") for days, label in texts.DEADLINE_CHOICES) + (cancel,))
    if step == "session":
        return TextReply(texts.ASK_SESSION, (_a(texts.SESSION_SKIP_BUTTON, campaign, "ss"), cancel))
    if step == "quiz":
        return TextReply(texts.ASK_QUIZ.format(low=quiz.MIN_QUESTIONS, high=quiz.MAX_QUESTIONS),
                         (_a(texts.QUIZ_SKIP_BUTTON, campaign, "nq"), cancel))
    if step == "pass":
        count = len(service.questions(session, campaign.id or 0))
        low = max(-(-count // 2), 1)
        return TextReply(texts.ASK_PASS.format(count=count), tuple(
            _a(texts.PASS_BUTTON.format(mark=mark, count=count), campaign, f"pm:{mark}")
            for mark in range(low, count + 1)) + (cancel,))
    return preview(session, campaign)


def preview(session: Session, campaign: StudyCampaign) -> TextReply:
    counts = service.preview(session, campaign)
    count = len(service.questions(session, campaign.id or 0))
    quiz_line = (texts.PREVIEW_QUIZ.format(count=count, mark=campaign.pass_mark,
                                           retries=campaign.max_attempts - 1)
                 if count and campaign.pass_mark else texts.PREVIEW_NO_QUIZ)
    text = texts.PREVIEW.format(
        title=campaign.title, document=document_name(campaign),
        units=service.unit_names(session, campaign.unit_ids), deadline=shown(campaign.deadline_at),
        session=shown(campaign.session_at), quiz=quiz_line, people=counts.people,
        exempt=counts.exempt, reachable=counts.reachable, groups=counts.groups)
    return TextReply(text, (_a(texts.START_BUTTON, campaign, "go"),
                            _a(messages.COMPOSE_CANCEL_BUTTON, campaign, "x")))


__all__ = ["TEXT_STEPS", "ask", "press", "preview", "start", "take_document", "take_file",
           "take_text"]
