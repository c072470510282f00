"""The study campaigns feature: commands, buttons, typed replies and native quiz answers
(thin handlers over bot.study's services) and its runner (bot.study.runner).

Commands:
  /hoctap [mã] [csv]        members: their pending studies, one campaign; officers: the
                            completion report (table + chart, or CSV) of what they oversee
  /comat <mã>               a member checks in at the session with its code
  /taohoctap [số hiệu]      officers: create a campaign (guided)
  /diemdanh <mã đợt>        officers: the roll call of their unit's session (and its code)
  /lichhoc <mã đợt> <ngày>  officers: their units' session date
  /miensh                   officers: members exempt from party activities
Buttons `sh:...` (bot.study.views). Typed «đã học» confirms self-study. A named native quiz's
answers (Telegram `poll_answer`) arrive before the sender is identified and are taken here
when the poll is one of ours.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping, Sequence

from sqlmodel import Session

from bot.core.arguments import data_id, data_number, first_id, row_id
from bot.core.commands import Command
from bot.core.delivery import DeliveryQueue, NoDelivery
from bot.core.feature import BaseFeature, MenuCommand, Worker, commands_of
from bot.core.knowledge_base import KnowledgeBase
from bot.core.outbound import FileSource, Outbound, OutboundPort
from bot.core.types import (
    FileReply,
    Incoming,
    IncomingAction,
    IncomingPollAnswer,
    IncomingText,
    IncomingUnsupported,
    Outcome,
    PhotoReply,
    TextReply,
)
from bot.services import code_guard
from bot.services.code_guard import GuardPolicy
from bot.services.errors import CodeRefused, InvalidInput, PermissionDenied
from bot.services.people import Actor
from bot.storage.database import Database
from bot.study import (
    attendance,
    chart,
    completion,
    compose,
    lifecycle,
    members,
    quizfile,
    service,
)
from bot.study import messages as texts
from bot.study.announce import overview_text
from bot.study.dates import SESSION_START, parse_moment, shown
from bot.study.models import StudyCampaign
from bot.study.quizzing import Quizzing
from bot.study.rollcall import RollCall
from bot.study.runner import StudyConfig, StudyRunner
from knowledge.passages import DocumentMeta
from knowledge.text import shorten

logger = logging.getLogger(__name__)

STUDY_COMMANDS: tuple[MenuCommand, ...] = (
    commands_of(texts.MENU_MEMBER, texts.USAGE)
    + commands_of(texts.MENU_OFFICER, texts.USAGE, "officer"))


class StudyFeature(BaseFeature):
    name = "study"
    commands = STUDY_COMMANDS
    button_prefixes = ("sh",)

    def __init__(self, db: Database, knowledge: KnowledgeBase | None, outbound: Outbound,
                 queue: DeliveryQueue | None = None, config: StudyConfig | None = None, *,
                 guard: GuardPolicy = GuardPolicy(), admin_ids: frozenset[str] = frozenset(),
                 runner: bool = False) -> None:
        self.db = db
        self.knowledge = knowledge
        self.outbound = outbound
        self.queue = queue or NoDelivery()
        self.config = config or StudyConfig()
        self.guard = guard
        self.run_runner = runner
        self.wake = lambda: None  # the in-process runner's, once it runs
        self.quizzing = Quizzing(db, outbound, admin_ids)
        self.roll = RollCall(db, wake=lambda: self.wake())  # self.wake: set once the runner runs

    @property
    def has_workers(self) -> bool:
        return self.run_runner

    def workers(self, ports: Mapping[str, OutboundPort]) -> Sequence[Worker]:
        if not self.run_runner:
            return ()
        runner = StudyRunner(self.db, ports, self.queue, self.knowledge, self.outbound,
                             self.config)
        self.wake = runner.wake
        return (runner,)

    async def before_identify(self, incoming: Incoming) -> Outcome | None:
        if isinstance(incoming, IncomingPollAnswer):
            return await self.quizzing.poll_answer(incoming)
        return None

    # --- commands -------------------------------------------------------------------------
    async def command(self, incoming: IncomingText, actor: Actor,
                      command: Command) -> Outcome | None:
        name, args = command.name, command.args
        chat = incoming.chat
        if name == "hoctap":
            return await self._hoctap(actor, args)
        if name == "comat":
            return await self._check_in(incoming, actor, args)
        if name == "taohoctap":
            if chat.kind != "private":
                return _text(texts.PRIVATE_ONLY)
            reply = await self.db.run(compose.start, actor, chat.platform, chat.chat_id)
            if args.strip():
                return await self._compose_text(incoming, actor, args)
            return Outcome([reply])
        if name == "diemdanh":
            campaign_id = first_id(args)
            if campaign_id is None:
                return _text(texts.ID_USAGE.format(command=name))
            return Outcome([await self.db.run(self.roll.start, actor, campaign_id)])
        if name == "lichhoc":
            return await self._set_session(actor, args)
        if name == "miensh":
            return Outcome([await self.db.run(self.roll.exempt_units, actor)])
        return None

    async def _hoctap(self, actor: Actor, args: str) -> Outcome:
        words = args.split()
        if not words:
            return Outcome([await self.db.run(_overview_list, actor)])
        campaign_id = row_id(words[0])
        if campaign_id is None:
            return _text(texts.ID_USAGE.format(command="hoctap"))
        if not (actor.is_officer or actor.is_admin):
            return Outcome([await self.db.run(members.view, actor, campaign_id)])
        try:
            report = await self.db.run(_report, actor, campaign_id)
        except PermissionDenied:  # an officer who is only a participant here
            return Outcome([await self.db.run(members.view, actor, campaign_id)])
        if any(word.lower() == "csv" for word in words[1:]):
            return Outcome([_csv(report)])
        return Outcome(list(await _report_replies(report)))

    async def _check_in(self, incoming: IncomingText, actor: Actor, args: str) -> Outcome:
        code = args.strip()
        if not code:
            return _text(texts.COMAT_USAGE)
        result = await self.db.run(
            code_guard.redeem, self.guard, actor, incoming.chat.platform, incoming.chat.chat_id,
            code, lambda session, who, typed: attendance.check_in(
                session, who, typed, rules=self.config.attendance))
        if isinstance(result, CodeRefused):
            raise result  # after the failure it counted was committed
        campaign, again = result
        if again:
            return _text(texts.CHECKED_IN_AGAIN)
        return _text(texts.CHECKED_IN.format(id=campaign.id, title=campaign.title))

    async def _set_session(self, actor: Actor, args: str) -> Outcome:
        words = args.split()
        campaign_id = row_id(words[0]) if words else None
        if campaign_id is None or len(words) < 2:
            return _text(texts.LICHHOC_USAGE)
        unit_id = row_id(words[-1]) if len(words) > 2 and "/" not in words[-1] else None
        date_text = " ".join(words[1:-1] if unit_id is not None else words[1:])
        when = parse_moment(date_text, SESSION_START)
        names = await self.db.run(attendance.set_session_time, actor, campaign_id, when, unit_id)
        return _text(texts.SESSION_SET.format(id=campaign_id, units=", ".join(names),
                                              session=date_text))

    # --- text -----------------------------------------------------------------------------
    async def text(self, incoming: IncomingText, actor: Actor) -> Outcome | None:
        chat = incoming.chat
        officer = actor.is_officer or actor.is_admin
        draft = None
        if chat.kind == "private" and officer:
            draft = await self.db.run(service.draft_in_chat, actor, chat.platform, chat.chat_id)
            if draft is not None and draft.compose_step in compose.TEXT_STEPS:
                return await self._compose_text(incoming, actor, incoming.text)
            reason = await self.roll.take_reason(incoming, actor)
            if reason is not None:
                return Outcome([reason])
        if members.is_done_reply(incoming.text) and (chat.kind == "private" or incoming.addressed):
            return _text(await self.db.run(members.confirm_done, actor, None))
        if draft is not None and not chat.capabilities.buttons:
            return Outcome([await self.db.run(_reprompt, actor, draft.id)])
        return None

    async def _compose_text(self, incoming: IncomingText, actor: Actor, text: str) -> Outcome:
        chat = incoming.chat
        draft = await self.db.run(service.draft_in_chat, actor, chat.platform, chat.chat_id)
        if draft is None:
            return _text(texts.NOT_FOUND)
        if draft.compose_step == "doc":
            found = await self.knowledge.find_by_number(text) if self.knowledge else []
            return Outcome([await self.db.run(_take_document, actor, draft.id, found, text)])
        return Outcome([await self.db.run(_take_text, actor, draft.id, text)])

    async def attachment(self, incoming: IncomingUnsupported, actor: Actor) -> Outcome | None:
        chat = incoming.chat
        if chat.kind != "private" or not (actor.is_officer or actor.is_admin):
            return None
        draft = await self.db.run(service.draft_in_chat, actor, chat.platform, chat.chat_id)
        if draft is not None and draft.compose_step == "quiz":
            return await self._quiz_file(incoming, actor, draft.id or 0)
        if draft is None or draft.compose_step != "doc" or not incoming.file_id:
            return None
        return Outcome([await self.db.run(_take_file, actor, draft.id, chat.platform,
                                          incoming.file_id, incoming.file_name)])

    async def _quiz_file(self, incoming: IncomingUnsupported, actor: Actor,
                         campaign_id: int) -> Outcome:
        """A quiz sent as a file (bot.study.quizfile): read, then parsed like pasted text;
        a bad row is told with the file's name."""
        name = (incoming.file_name or incoming.kind)[:80]
        port = self.outbound.port(incoming.chat.platform)
        if not isinstance(port, FileSource) or not incoming.file_id:  # Zalo: no file ids
            logger.info("study campaign %s: a %s file at the quiz step, asked for its text",
                        campaign_id, incoming.chat.platform)
            return _text(texts.QUIZ_FILE_NOT_READ.format(name=name) if incoming.file_name
                         else texts.QUIZ_FILE_NOT_READ_ANY)
        text = await quizfile.read(incoming, port)
        try:
            return Outcome([await self.db.run(_take_text, actor, campaign_id, text)])
        except InvalidInput as exc:
            logger.info("study campaign %s: quiz file %r refused: %s", campaign_id, name, exc)
            raise InvalidInput(texts.QUIZ_FILE_ERROR.format(name=name, reason=exc.message)) from None

    # --- buttons --------------------------------------------------------------------------
    async def action(self, incoming: IncomingAction, actor: Actor, prefix: str,
                     rest: str) -> Outcome | None:
        """`sh:<op>:...` (bot.study.views). ValueError: bad data."""
        op, _, arg = rest.partition(":")
        if op == "c":
            id_text, _, op_arg = arg.partition(":")
            step, _, value = op_arg.partition(":")
            if step == "go":
                return await self._open(actor, data_id(id_text))
            return Outcome([await self.db.run(compose.press, actor, data_id(id_text), step,
                                              value)])
        if op in ("v", "m", "s", "all", "close"):
            return await self.roll.action(incoming, actor, op, arg)
        if op in ("x", "xt"):
            return await self.roll.exempt_action(actor, op, arg)
        if op == "doc":
            return Outcome(await self._document(incoming, actor, data_id(arg)))
        if op == "done":
            text = await self.db.run(members.confirm_done, actor, data_id(arg))
            return Outcome([TextReply(text)], notice=shorten(text, 190))
        if op == "q":
            return await self.quizzing.start(incoming, actor, data_id(arg))
        if op == "a":
            attempt_text, position, choice = arg.split(":")
            return await self.quizzing.typed_answer(
                actor, data_id(attempt_text), data_number(position, 1, 10),
                data_number(choice, 0, 9))
        if op == "csv":
            return Outcome([_csv(await self.db.run(_report, actor, data_id(arg)))])
        raise ValueError(op)

    async def _open(self, actor: Actor, campaign_id: int) -> Outcome:
        draft = await self.db.run(service.own_draft, actor, campaign_id)
        overview = ""
        if draft.doc_id and self.knowledge is not None:
            reply = await self.knowledge.overview(draft.doc_id)
            overview = overview_text(reply) if reply is not None else ""
        opened = await self.db.run(lifecycle.open_campaign, actor, campaign_id, self.queue,
                                   self.config.reminders, overview)
        self.queue.wake()
        self.wake()
        text = texts.STARTED.format(id=campaign_id, people=opened.people,
                                    messages=opened.private_messages, groups=opened.groups)
        return Outcome([TextReply(text)], notice=shorten(text, 190))

    async def _document(self, incoming: IncomingAction, actor: Actor,
                        campaign_id: int) -> list[TextReply | FileReply]:
        campaign = await self.db.run(_viewable, actor, campaign_id)
        if campaign.doc_id and self.knowledge is not None:
            reply = await self.knowledge.overview(campaign.doc_id)
            return [reply] if reply is not None else [TextReply(texts.DOC_GONE)]  # type: ignore[list-item]
        if campaign.attachment_file_id and campaign.attachment_platform == incoming.chat.platform:
            return [FileReply(b"", campaign.attachment_name or "", campaign.title,
                              file_id=campaign.attachment_file_id)]
        return [TextReply(texts.DOC_FILE_ONLY.format(name=campaign.attachment_name or ""))]


# --- in one transaction each ------------------------------------------------------------------


def _take_document(session: Session, actor: Actor, campaign_id: int, found: list[DocumentMeta],
                   text: str) -> TextReply:
    return compose.take_document(session, actor, service.own_draft(session, actor, campaign_id),
                                 found, text)


def _take_text(session: Session, actor: Actor, campaign_id: int, text: str) -> TextReply:
    return compose.take_text(session, actor, service.own_draft(session, actor, campaign_id), text)


def _take_file(session: Session, actor: Actor, campaign_id: int, platform: str, file_id: str,
               name: str) -> TextReply:
    return compose.take_file(session, actor, service.own_draft(session, actor, campaign_id),
                             platform, file_id, name)


def _reprompt(session: Session, actor: Actor, campaign_id: int) -> TextReply:
    return compose.ask(session, actor, service.own_draft(session, actor, campaign_id))


def _viewable(session: Session, actor: Actor, campaign_id: int) -> StudyCampaign:
    """A participant, or an officer who oversees some of it, may open its document."""
    campaign = service.find(session, campaign_id)
    if service.participant(session, campaign_id, actor.person_id) is None:
        service.visible_units(session, actor, campaign)
    return campaign


def _report(session: Session, actor: Actor | None, campaign_id: int) -> completion.Completion:
    from bot.services.units import scope_paths

    campaign = service.find(session, campaign_id)
    if campaign.status == "draft":
        raise InvalidInput(texts.NOT_FOUND)
    visible = service.visible_units(session, actor, campaign)
    scope = None if visible is None or actor is None else scope_paths(session, actor)
    return completion.compute(session, campaign, scope)


def _overview_list(session: Session, actor: Actor) -> TextReply:
    """Officers: the campaigns they oversee, one line each, then their own studies."""
    mine = members.my_studies(session, actor)
    if not (actor.is_officer or actor.is_admin):
        return mine
    found = service.recent(session, actor)
    if not found:
        return TextReply(f"{texts.REPORT_NONE}\n\n{mine.text}")
    lines = [texts.REPORT_LIST_TITLE]
    for campaign in found:
        report = _report(session, actor, campaign.id or 0)
        lines.append(texts.REPORT_LIST_LINE.format(
            id=campaign.id, title=campaign.title,
            status=texts.STATUS_NAMES.get(campaign.status, campaign.status),
            deadline=shown(campaign.deadline_at),
            done_pct=f"{report.total.pct(report.total.done):.1f}".replace(".", ",")))
    return TextReply("\n".join(lines) + "\n\n" + mine.text)


async def _report_replies(report: completion.Completion) -> tuple[TextReply, PhotoReply]:
    image = await asyncio.to_thread(chart.png, report)
    return (TextReply(completion.text(report)),
            PhotoReply(image, shorten(texts.CHART_TITLE.format(id=report.campaign_id,
                                                               title=report.title), 1000),
                       f"hoctap-{report.campaign_id}.png"))


def _csv(report: completion.Completion) -> FileReply:
    data = completion.to_csv(report).encode("utf-8-sig")  # the BOM makes Excel read UTF-8
    return FileReply(data, f"hoctap-{report.campaign_id}.csv",
                     texts.REPORT_CSV_CAPTION.format(id=report.campaign_id))


def _text(text: str) -> Outcome:
    return Outcome([TextReply(text)])


__all__ = ["STUDY_COMMANDS", "StudyFeature"]
