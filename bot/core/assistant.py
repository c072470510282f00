"""The channel-agnostic core: one `handle(incoming) -> Outcome` for every channel.

Adapters translate platform updates into `Incoming` and render the `Outcome`; everything a
person can do — ask, press a button, run a command — is decided here, and authorisation is
enforced by the services this calls, never by adapters.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta

from bot.broadcast.handlers import BroadcastHandlers
from bot.core.commands import Command, parse_command
from bot.core.knowledge_base import KnowledgeBase
from bot.core.small_talk import reply as small_talk_reply, small_talk
from bot.polls.handlers import PollHandlers
from bot.core.types import (
    Action,
    AnswerReply,
    Incoming,
    IncomingAction,
    IncomingPollAnswer,
    IncomingPollUpdate,
    IncomingText,
    IncomingUnsupported,
    Outcome,
    TextReply,
)
from bot.services import people, questions, units
from bot.services.errors import ServiceError
from bot.storage.database import Database
from bot.storage.models import QuestionLog, to_local

from knowledge import messages
from knowledge.passages import DocumentMeta

logger = logging.getLogger(__name__)

MAX_QUESTION_CHARS = 1000
LATEST_LIMIT = 8


@dataclass(frozen=True)
class CoreSettings:
    admin_ids: frozenset[str] = frozenset()
    invite_days: int = 7
    report_days: int = 30


class Assistant:
    def __init__(self, knowledge: KnowledgeBase, db: Database, settings: CoreSettings,
                 broadcasts: BroadcastHandlers | None = None,
                 polls: PollHandlers | None = None) -> None:
        self.knowledge = knowledge
        self.db = db
        self.settings = settings
        self.broadcasts = broadcasts  # guidance broadcasts (commands, buttons, composing)
        self.polls = polls  # quick polls (commands, buttons, votes)

    async def handle(self, incoming: Incoming) -> Outcome:
        try:
            # Votes come before identifying the sender: a poll update has none, and an
            # anonymous vote must leave no trace on the voter's records or the question log.
            if self.polls is not None:
                early = await self.polls.before_identify(incoming)
                if early is not None:
                    return early
            if isinstance(incoming, (IncomingPollUpdate, IncomingPollAnswer)):
                return Outcome()  # polls are not enabled here
        except ServiceError as exc:
            logger.info("update %s: %s: %s", incoming.update_id, type(exc).__name__, exc)
            return Outcome([TextReply(str(exc))])
        actor = await self.db.run(_identify, incoming, self.settings.admin_ids)
        try:
            if isinstance(incoming, IncomingText):
                return await self._text(incoming, actor)
            if isinstance(incoming, IncomingAction):
                return await self._action(incoming, actor)
            if self.broadcasts is not None and incoming.file_id:  # an officer's attachment
                attached = await self.broadcasts.file(incoming, actor)
                if attached is not None:
                    return attached
            return self._unsupported(incoming)
        except ServiceError as exc:
            # Refusals and bad input the services detected: the message is for the person.
            logger.info("update %s: %s: %s", incoming.update_id, type(exc).__name__, exc)
            return Outcome([TextReply(str(exc))], notice=str(exc)[:190])

    # --- text -------------------------------------------------------------------------

    async def _text(self, incoming: IncomingText, actor: people.Actor) -> Outcome:
        command = parse_command(incoming.text)
        if command is not None:
            return await self._command(incoming, actor, command)
        if self.broadcasts is not None:  # an officer answering a step of composing
            composing = await self.broadcasts.text(incoming, actor)
            if composing is not None:
                return composing
        if incoming.chat.kind == "group" and not incoming.addressed:
            return Outcome()  # group chatter not meant for the bot
        return await self._question(incoming, actor, incoming.text)

    async def _question(self, incoming: IncomingText, actor: people.Actor, text: str) -> Outcome:
        question = text.strip()
        if not question:
            return Outcome([TextReply(messages.EMPTY_QUESTION)])
        # "Chào bạn", "cảm ơn nhé": a short reply, not a search ending in a refusal (and no
        # entry in the question log, whose unanswered list is for real questions).
        if (chat := small_talk(question)) is not None:
            return Outcome([TextReply(small_talk_reply(chat))])
        if len(question) > MAX_QUESTION_CHARS:
            limit = MAX_QUESTION_CHARS
            return Outcome([TextReply(messages.QUESTION_TOO_LONG.format(limit=limit))])
        if self.knowledge.is_empty():
            return Outcome([TextReply(messages.STORE_EMPTY)])
        timed = await self.knowledge.ask(question)
        answer = timed.answer
        top = answer.citations[0] if answer.citations else None
        question_id = await self.db.run(
            questions.log_question, actor, incoming.chat.platform, incoming.chat.chat_id,
            question, latency_ms=timed.latency_ms, answered=answer.answered,
            top_doc_id=top.doc_id if top else None, top_section=top.section if top else None,
        )
        actions: tuple[Action, ...] = (
            Action(messages.ACTION_FEEDBACK_UP, f"fb:{question_id}:1"),
            Action(messages.ACTION_FEEDBACK_DOWN, f"fb:{question_id}:-1"),
        )
        if top is not None:
            actions += (Action(messages.ACTION_VIEW_DOCUMENT, f"doc:{question_id}"),)
        return Outcome([AnswerReply(answer, actions)])

    async def _command(self, incoming: IncomingText, actor: people.Actor,
                       command: Command) -> Outcome:
        name, args = command.name, command.args
        if name == "start":
            return Outcome([TextReply(messages.WELCOME)])
        if name == "help":
            text = messages.HELP
            if actor.is_admin or actor.is_officer:
                text += "\n\n" + messages.HELP_OFFICER
                if self.broadcasts is not None:
                    text += "\n\n" + messages.HELP_BROADCAST
                if self.polls is not None:
                    text += "\n\n" + messages.HELP_POLL
            return Outcome([TextReply(text)])
        if name == "hoi":
            if not args:
                return Outcome([TextReply(messages.ASK_USAGE)])
            return await self._question(incoming, actor, args)
        if name == "vanban":
            return await self._vanban(args)
        if name == "moi":
            return await self._latest()
        if name == "dangky":
            if not args:
                return Outcome([TextReply(messages.DANGKY_USAGE)])
            joined = await self.db.run(people.join_with_code, actor, args.split()[0])
            if joined.kind == "link" or joined.unit is None:
                return Outcome([TextReply(messages.ACCOUNTS_LINKED)])
            role_name = messages.ROLE_NAMES.get(joined.role or "", joined.role or "")
            text = messages.JOINED_UNIT.format(unit=joined.unit.name, role=role_name)
            return Outcome([TextReply(text)])
        if name == "lienket":
            code = await self.db.run(people.link_code, actor)
            return Outcome([TextReply(messages.LINK_CODE.format(code=code))])
        if name == "donvi":
            return await self._units(actor)
        if name == "taodonvi":
            return await self._create_unit(actor, args)
        if name == "taoma":
            return await self._create_invite(actor, args)
        if name == "baocao":
            return await self._report(actor, args)
        if self.broadcasts is not None:
            handled = await self.broadcasts.command(incoming, actor, command)
            if handled is not None:
                return handled
        if self.polls is not None:
            handled = await self.polls.command(incoming, actor, command)
            if handled is not None:
                return handled
        logger.info("update %s: unknown command /%s", incoming.update_id, name)
        return Outcome([TextReply(messages.UNKNOWN_COMMAND)])

    async def _vanban(self, query: str) -> Outcome:
        if not query:
            return Outcome([TextReply(messages.VANBAN_USAGE)])
        found = await self.knowledge.find_by_number(query)
        if not found:
            return Outcome([TextReply(messages.DOCUMENT_NOT_FOUND.format(query=query))])
        if len(found) == 1:
            view = await self.knowledge.document(found[0].doc_id)
            return Outcome([view] if view else [])
        lines = [messages.DOCUMENTS_FOUND.format(count=len(found), query=query)]
        lines += [f"• {_describe(doc)}" for doc in found]
        return Outcome([TextReply("\n".join(lines))])

    async def _latest(self) -> Outcome:
        docs = await self.knowledge.latest(LATEST_LIMIT)
        if not docs:
            return Outcome([TextReply(messages.NO_DOCUMENTS)])
        lines = [messages.LATEST_DOCUMENTS] + [f"• {_describe(doc)}" for doc in docs]
        return Outcome([TextReply("\n".join(lines))])

    async def _units(self, actor: people.Actor) -> Outcome:
        found = await self.db.run(units.list_units, actor)
        if not found:
            return Outcome([TextReply(messages.NO_UNITS)])
        lines = [messages.UNITS_HEADER]
        for unit in found:
            depth = max(unit.path.count("/") - 2, 0)
            kind = messages.UNIT_KIND_NAMES.get(unit.kind, unit.kind)
            lines.append(f"{'  ' * depth}{unit.id} — {unit.name} — {kind}")
        return Outcome([TextReply("\n".join(lines))])

    async def _create_unit(self, actor: people.Actor, args: str) -> Outcome:
        parts = args.split(maxsplit=2)
        if len(parts) < 3 or not parts[0].isdigit() or parts[1].lower() not in messages.UNIT_KINDS:
            return Outcome([TextReply(messages.TAODONVI_USAGE)])
        kind = messages.UNIT_KINDS[parts[1].lower()]
        unit = await self.db.run(units.create_unit, actor, parts[2], kind, int(parts[0]))
        kind_name = messages.UNIT_KIND_NAMES.get(unit.kind, unit.kind)
        return Outcome([TextReply(messages.UNIT_CREATED.format(
            name=unit.name, id=unit.id, kind=kind_name))])

    async def _create_invite(self, actor: people.Actor, args: str) -> Outcome:
        parts = args.split()
        roles = {"dangvien": "member", "canbo": "officer"}
        if not parts or not parts[0].isdigit() or (len(parts) > 1 and parts[1] not in roles):
            return Outcome([TextReply(messages.TAOMA_USAGE)])
        role = roles[parts[1]] if len(parts) > 1 else "member"
        invite = await self.db.run(
            units.create_invite, actor, int(parts[0]), role,
            expires_in=timedelta(days=self.settings.invite_days),
        )
        unit = await self.db.run(units.get_unit, int(parts[0]))
        expires = to_local(invite.expires_at).strftime("%H:%M %d/%m/%Y") if invite.expires_at else "—"
        return Outcome([TextReply(messages.INVITE_CREATED.format(
            unit=unit.name, role=messages.ROLE_NAMES[role], code=invite.code, expires=expires))])

    async def _report(self, actor: people.Actor, args: str) -> Outcome:
        parts = args.split()
        if any(not p.isdigit() for p in parts) or len(parts) > 2:
            return Outcome([TextReply(messages.BAOCAO_USAGE)])
        days = int(parts[0]) if parts else self.settings.report_days
        unit_id = int(parts[1]) if len(parts) > 1 else None
        report = await self.db.run(questions.question_report, actor, days=days, unit_id=unit_id)
        return Outcome([TextReply(questions.format_report(report))])

    # --- buttons ----------------------------------------------------------------------

    async def _action(self, incoming: IncomingAction, actor: people.Actor) -> Outcome:
        kind, _, rest = incoming.data.partition(":")
        try:
            if kind == "fb":
                qid_text, _, value_text = rest.partition(":")
                value = int(value_text)
                if value not in (1, -1):
                    raise ValueError(value_text)
                await self.db.run(questions.record_feedback, actor, int(qid_text), value)
                return Outcome(notice=messages.FEEDBACK_THANKS)
            if kind == "doc":
                return await self._view_document(int(rest))
            if self.broadcasts is not None:
                handled = await self.broadcasts.action(incoming, actor, kind, rest)
                if handled is not None:
                    return handled
            if self.polls is not None:
                handled = await self.polls.action(incoming, actor, kind, rest)
                if handled is not None:
                    return handled
        except (ValueError, KeyError):
            pass
        logger.warning("update %s: unusable action data %r", incoming.update_id, incoming.data)
        return Outcome(notice=messages.ACTION_INVALID)

    async def _view_document(self, question_id: int) -> Outcome:
        logged = await self.db.run(_question_citation, question_id)
        if logged is None:
            return Outcome(notice=messages.ACTION_INVALID)
        doc_id, section = logged
        view = await self.knowledge.document(doc_id, section)
        if view is None:
            return Outcome([TextReply(messages.DOCUMENT_GONE)], notice=messages.DOCUMENT_GONE)
        return Outcome([view])

    def _unsupported(self, incoming: IncomingUnsupported) -> Outcome:
        logger.info("update %s: unsupported %s message", incoming.update_id, incoming.kind)
        if incoming.chat.kind == "group":
            return Outcome()  # never answer a group's stickers and photos
        return Outcome([TextReply(messages.UNSUPPORTED_MESSAGE)])


def _identify(session, incoming: Incoming, admin_ids: frozenset[str]) -> people.Actor:  # type: ignore[no-untyped-def]
    """Who is writing, and from which chat: one transaction (one thread hop) per update."""
    actor = people.identify(
        session, incoming.sender.platform, incoming.sender.user_id,
        incoming.sender.display_name, admin_ids=admin_ids,
    )
    people.record_chat(
        session, incoming.chat.platform, incoming.chat.chat_id, incoming.chat.kind,
        incoming.chat.title,
    )
    return actor


def _question_citation(session, question_id: int) -> tuple[str, str] | None:  # type: ignore[no-untyped-def]
    logged = session.get(QuestionLog, question_id)
    if logged is None or not logged.top_doc_id:
        return None
    return logged.top_doc_id, logged.top_section or ""


def _describe(doc: DocumentMeta) -> str:
    parts = [doc.label]
    if doc.title and doc.title != doc.label:
        parts.append(f"«{doc.title}»")
    if doc.issued:
        parts.append(messages.issued_on(doc.issued))
    return ", ".join(parts)
