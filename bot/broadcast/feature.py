"""The broadcast feature: commands and buttons (thin handlers over bot.broadcast.compose /
service / report) and its background worker (bot.broadcast.worker).

Commands (officers and admins; refusals come from the services):
  /thongbao [nội dung]   compose a broadcast (guided, with buttons)
  /dsthongbao            my recent broadcasts (admins: everyone's)
  /tiendo <mã>           delivery report per unit, while it runs or after
  /chuadoc <mã>          reading confirmation per unit and who has not confirmed
  /nhacdoc <mã>          remind exactly those who have not confirmed
  /dunggui <mã>          stop a scheduled or running broadcast
  /ganhom <mã đơn vị>    (in a group) this group belongs to that unit: it receives broadcasts
  /nhatky                the audit trail (admins)
Buttons: `bc:<id>:<op>[:<arg>]` for the officer's steps, `rd:<id>` for "Đã đọc".

Chats without buttons (Zalo: `capabilities.buttons` is False): the steps' choices are numbered by the channel and a
typed number is the button press; a member's reply «đã đọc» confirms the latest broadcast
awaiting it in that chat (service.confirm_read_in_chat); while composing, text that matches
no choice at a step answered by choosing gets the step's choices again (on Telegram it is
a question as usual: the buttons stay on screen).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence

from sqlmodel import Session

from bot.broadcast import compose, outbox, report, service
from bot.broadcast.models import Broadcast
from bot.broadcast.queue import OutboxQueue
from bot.broadcast.text_replies import is_read_reply
from bot.broadcast.worker import BroadcastWorker, WorkerConfig
from bot.core.arguments import data_id, first_id
from bot.core.commands import Command
from bot.core.feature import BaseFeature, MenuCommand, Worker, commands_of
from bot.core.knowledge_base import KnowledgeBase
from bot.core.outbound import OutboundPort
from bot.core.types import (
    Action,
    IncomingAction,
    IncomingText,
    IncomingUnsupported,
    Outcome,
    TextReply,
)
from bot.services import units
from bot.services.errors import InvalidInput, PermissionDenied
from bot.services.people import Actor
from bot.storage.database import Database
from bot.broadcast import messages as broadcast_texts
logger = logging.getLogger(__name__)

BROADCAST_COMMANDS: tuple[MenuCommand, ...] = commands_of(
    broadcast_texts.MENU, broadcast_texts.USAGE, "officer", nhatky="admin")
_NAMES = frozenset(c.name for c in BROADCAST_COMMANDS)
TEXT_STEPS = frozenset({"text", "doc", "schedule"})  # compose steps a text message answers


class BroadcastFeature(BaseFeature):
    name = "broadcast"
    commands = BROADCAST_COMMANDS
    button_prefixes = ("bc", "rd")

    def __init__(self, db: Database, knowledge: KnowledgeBase | None = None,
                 wake: Callable[[], None] = lambda: None,
                 worker: WorkerConfig | None = None) -> None:
        self.db = db
        self.knowledge = knowledge
        self.wake = wake  # tells an in-process worker that rows are due
        self.worker_config = worker  # None: no delivery worker in this process
        # The delivery queue port other features send bulletins through (bot.core.delivery).
        self.queue = OutboxQueue(lambda: self.wake())

    @property
    def has_workers(self) -> bool:
        return self.worker_config is not None

    def workers(self, ports: Mapping[str, OutboundPort]) -> Sequence[Worker]:
        """The delivery worker over the workers' ports (when this process runs one)."""
        if self.worker_config is None or not ports:
            return ()
        worker = BroadcastWorker(self.db, ports, self.worker_config)
        self.wake = worker.wake
        return (worker,)

    def chat_moved(self, session: Session, platform: str, old_chat_id: str,
                   new_chat_id: str) -> None:
        """A group now lives under a new id: deliveries to it follow (bot.services.reachability)."""
        outbox.move_chat(session, platform, old_chat_id, new_chat_id)

    # --- commands -----------------------------------------------------------------------
    async def command(self, incoming: IncomingText, actor: Actor, command: Command) -> Outcome | None:
        name, args = command.name, command.args
        if name not in _NAMES:
            return None
        chat = incoming.chat
        if name == "ganhom":
            return await self._attach_group(incoming, actor, args)
        if name == "nhatky":
            if not actor.is_admin:
                raise PermissionDenied()
            return _text(await self.db.run(report.audit_text))
        if name == "thongbao":
            if chat.kind != "private":
                return _text(broadcast_texts.COMPOSE_PRIVATE_ONLY)
            reply = await self.db.run(compose.start, actor, chat.platform, chat.chat_id, args)
            return Outcome([reply])
        if name == "dsthongbao":
            found = await self.db.run(service.recent, actor, 15)
            if not found:
                return _text(broadcast_texts.BROADCAST_NONE_YET)
            return _text("\n".join([broadcast_texts.BROADCAST_LIST_TITLE] + [compose.describe(b) for b in found]))
        broadcast_id = _id_arg(args)
        if broadcast_id is None:
            return _text(broadcast_texts.BROADCAST_ID_USAGE.format(command=name))
        return await self._manage(actor, name, broadcast_id)

    async def _manage(self, actor: Actor, op: str, number: int) -> Outcome:
        """`op` on the broadcast officers call #`number` (typed commands and the buttons
        on progress and reports carry the number, not the row id)."""
        broadcast_id = await self.db.run(_numbered_id, actor, number)
        if op in ("tiendo", "report"):
            return _text(await self.db.run(_report_text, actor, broadcast_id))
        if op in ("chuadoc", "list"):
            return _text(await self.db.run(_confirmation_text, actor, broadcast_id))
        if op in ("nhacdoc", "remind"):
            counts = await self.db.run(service.remind, actor, broadcast_id)
            self.wake()
            return _text(broadcast_texts.BROADCAST_REMINDING.format(
                people=counts.reachable_people, messages=counts.private_messages))
        if op in ("dunggui", "stop"):
            cancelled = await self.db.run(service.cancel, actor, broadcast_id)
            return _text(broadcast_texts.BROADCAST_STOPPED.format(id=number, cancelled=cancelled))
        raise ValueError(op)

    async def _attach_group(self, incoming: IncomingText, actor: Actor, args: str) -> Outcome:
        chat = incoming.chat
        if chat.kind != "group":
            return _text(broadcast_texts.GANHOM_GROUP_ONLY)
        unit_id = _id_arg(args)
        if unit_id is None:
            return _text(broadcast_texts.GANHOM_USAGE)
        record = await self.db.run(units.attach_chat, actor, chat.platform, chat.chat_id, unit_id)
        unit = await self.db.run(units.get_unit, unit_id)
        logger.info("group %s:%s attached to unit %s by person %s", chat.platform, chat.chat_id,
                    unit_id, actor.person_id)
        return _text(broadcast_texts.GANHOM_DONE.format(unit=unit.name, title=record.title or chat.chat_id))

    # --- text while composing -------------------------------------------------------------
    async def text(self, incoming: IncomingText, actor: Actor) -> Outcome | None:
        """The next step of a draft this officer is composing in this chat, or a typed
        reading confirmation; None when the text is neither (a question, then)."""
        chat = incoming.chat
        draft = None
        if chat.kind == "private" and (actor.is_officer or actor.is_admin):
            draft = await self.db.run(service.draft_in_chat, actor, chat.platform, chat.chat_id)
        if draft is not None and draft.compose_step in TEXT_STEPS:
            return await self._compose_text(incoming, actor, draft)
        if is_read_reply(incoming.text) and (chat.kind == "private" or incoming.addressed):
            return await self._read_reply(incoming, actor)
        if draft is not None and not chat.capabilities.buttons:
            reply = await self.db.run(_reprompt, actor, draft.id)
            return Outcome([reply])
        return None  # a step answered with buttons: the text is a question as usual

    async def _read_reply(self, incoming: IncomingText, actor: Actor) -> Outcome:
        chat = incoming.chat
        outcome, _ = await self.db.run(service.confirm_read_in_chat, actor, chat.platform,
                                       chat.chat_id)
        text = {"ok": broadcast_texts.BROADCAST_READ_THANKS, "again": broadcast_texts.BROADCAST_READ_AGAIN,
                "none": broadcast_texts.BROADCAST_READ_NOTHING}[outcome]
        return _text(text)

    async def _compose_text(self, incoming: IncomingText, actor: Actor,
                            draft: Broadcast) -> Outcome:
        label = None
        if draft.compose_step == "doc" and self.knowledge is not None:
            found = await self.knowledge.find_by_number(incoming.text)
            label = found[0].label if len(found) == 1 else None
        reply = await self.db.run(_take_text, actor, draft.id, incoming.text, label)
        if draft.compose_step == "schedule":
            self.wake()
        return Outcome([reply])

    async def attachment(self, incoming: IncomingUnsupported, actor: Actor) -> Outcome | None:
        """A document sent while a draft waits for its document number: attach it."""
        if incoming.chat.kind != "private" or not (actor.is_officer or actor.is_admin):
            return None
        chat = incoming.chat
        draft = await self.db.run(service.draft_in_chat, actor, chat.platform, chat.chat_id)
        if draft is None or draft.compose_step != "doc" or not incoming.file_id \
                or incoming.kind != "document":  # a photo's id cannot go out as a document
            return None
        reply = await self.db.run(_take_file, actor, draft.id, chat.platform, incoming.file_id,
                                  incoming.file_name)
        return Outcome([reply])

    # --- buttons --------------------------------------------------------------------------
    async def action(self, incoming: IncomingAction, actor: Actor, kind: str,
                     rest: str) -> Outcome | None:
        """`rd:<id>` and `bc:<id>:<op>[:<arg>]`. ValueError: bad data."""
        if kind == "rd":
            outcome = await self.db.run(service.confirm_read, actor, data_id(rest))
            notice = {"ok": broadcast_texts.BROADCAST_READ_THANKS, "again": broadcast_texts.BROADCAST_READ_AGAIN,
                      "not_for_you": broadcast_texts.BROADCAST_READ_NOT_FOR_YOU}[outcome]
            return Outcome(notice=notice)
        if kind != "bc":
            return None
        id_text, _, op_arg = rest.partition(":")
        op, _, arg = op_arg.partition(":")
        if op in ("stop", "list", "remind", "report"):
            return await self._manage(actor, op, data_id(id_text))  # a number, as typed
        broadcast_id = data_id(id_text)  # a draft's row id: a draft has no number yet
        if op == "drop":
            await self.db.run(service.cancel, actor, broadcast_id)
            return Outcome([TextReply(broadcast_texts.COMPOSE_DROPPED)], notice=broadcast_texts.COMPOSE_DROPPED)
        if op == "send":
            counts = await self.db.run(service.confirm, actor, broadcast_id)
            number = await self.db.run(_number, broadcast_id)
            self.wake()
            sending = (broadcast_texts.COMPOSE_SENDING if incoming.chat.capabilities.edits
                       else broadcast_texts.COMPOSE_SENDING_NO_LIVE)
            text = sending.format(id=number, messages=counts.private_messages + counts.groups)
            stop = Action(broadcast_texts.BROADCAST_STOP_BUTTON, f"bc:{number}:stop")
            return Outcome([TextReply(text, (stop,))])
        reply, notice = await self.db.run(compose.press, actor, broadcast_id, op, arg)
        return Outcome([reply] if reply else [], notice=notice)


def _take_text(session, actor: Actor, draft_id: int, text: str, label: str | None) -> TextReply:  # type: ignore[no-untyped-def]
    draft = service.own_draft(session, actor, draft_id)
    return compose.take_text(session, actor, draft, text, label)


def _reprompt(session, actor: Actor, draft_id: int) -> TextReply:  # type: ignore[no-untyped-def]
    return compose.reprompt(session, actor, service.own_draft(session, actor, draft_id))


def _take_file(session, actor: Actor, draft_id: int, platform: str, file_id: str,  # type: ignore[no-untyped-def]
               name: str) -> TextReply:
    draft = service.own_draft(session, actor, draft_id)
    return compose.take_file(session, actor, draft, platform, file_id, name)


def _numbered_id(session, actor: Actor, number: int) -> int:  # type: ignore[no-untyped-def]
    broadcast = service.numbered(session, actor, number)
    assert broadcast.id is not None
    return broadcast.id


def _number(session, broadcast_id: int) -> int:  # type: ignore[no-untyped-def]
    broadcast = session.get(Broadcast, broadcast_id)
    assert broadcast is not None
    return report.number_of(session, broadcast)


def _report_text(session, actor: Actor, broadcast_id: int) -> str:  # type: ignore[no-untyped-def]
    broadcast = service.get(session, actor, broadcast_id)
    if broadcast.status == "draft":
        raise InvalidInput(broadcast_texts.BROADCAST_NOT_SENT)
    return report.final_text(report.delivery_report(session, broadcast))


def _confirmation_text(session, actor: Actor, broadcast_id: int) -> str:  # type: ignore[no-untyped-def]
    broadcast = service.get(session, actor, broadcast_id)
    if not broadcast.require_confirmation:
        raise InvalidInput(broadcast_texts.BROADCAST_NO_CONFIRMATION)
    return report.confirmation_text(session, broadcast)


def _id_arg(args: str) -> int | None:
    return first_id(args)


def _text(text: str) -> Outcome:
    return Outcome([TextReply(text)])


__all__ = ["BROADCAST_COMMANDS", "BroadcastFeature"]
