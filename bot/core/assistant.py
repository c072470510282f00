"""The channel-agnostic core: one `handle(incoming) -> Outcome` for every channel.

Adapters translate platform updates into `Incoming` and render the `Outcome`; everything a
person can do — ask, press a button, run a command — is decided here, and authorisation is
enforced by the services this calls, never by adapters.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from bot.broadcast.handlers import BroadcastHandlers
from bot.core import degraded
from bot.core.accounts import AccountHandlers, CodeSettings
from bot.core.arguments import data_id, data_number, number_in, row_id
from bot.core.commands import Command, parse_command
from bot.core.knowledge_base import KnowledgeBase
from bot.core.outbound import Outbound
from bot.core.small_talk import reply as small_talk_reply, small_talk
from bot.polls.handlers import PollHandlers
from bot.core.types import (
    Action,
    AnswerReply,
    Incoming,
    IncomingAction,
    IncomingChatChange,
    IncomingPollAnswer,
    IncomingPollUpdate,
    IncomingText,
    IncomingUnsupported,
    Outcome,
    TextReply,
)
from bot.services import people, questions, reachability, units
from bot.services.errors import NotFound, PermissionDenied, ServiceError
from bot.storage.database import Database
from bot.storage.models import QuestionLog

from knowledge import messages
from knowledge.answers import describe_document
from knowledge.passages import DocumentMeta

logger = logging.getLogger(__name__)

MAX_QUESTION_CHARS = 1000
LATEST_LIMIT = 8


@dataclass(frozen=True)
class CoreSettings:
    admin_ids: frozenset[str] = frozenset()
    report_days: int = 30
    codes: CodeSettings = CodeSettings()  # invites, link codes, redemption rate limit


class Assistant:
    def __init__(self, knowledge: KnowledgeBase, db: Database, settings: CoreSettings,
                 broadcasts: BroadcastHandlers | None = None,
                 polls: PollHandlers | None = None, outbound: Outbound | None = None) -> None:
        self.knowledge = knowledge
        self.db = db
        self.settings = settings
        self.broadcasts = broadcasts  # guidance broadcasts (commands, buttons, composing)
        self.polls = polls  # quick polls (commands, buttons, votes)
        # Messages the core starts itself (to another chat or platform); channels attach.
        self.outbound = outbound or Outbound()
        self.accounts = AccountHandlers(db, self.outbound, settings.codes)

    async def handle(self, incoming: Incoming) -> Outcome:
        if isinstance(incoming, IncomingChatChange):  # no one to identify, nothing to answer
            # Best-effort: an unwritable database loses the mark (counted and logged); a
            # moved group is followed again at its next send.
            await self.db.run_best_effort("chat change", self._chat_change, incoming)
            return Outcome()
        try:
            return await self._handle(incoming)
        except Exception as exc:
            # The database cannot be written: say the change was not saved (questions do
            # not get here: their writes are best-effort, see bot/core/degraded.py).
            refused = degraded.not_saved(self.db, incoming, exc)
            if refused is None:
                raise
            if isinstance(incoming, (IncomingPollUpdate, IncomingPollAnswer)):
                return Outcome()  # nobody to tell: counted and logged
            return refused

    async def _handle(self, incoming: Incoming) -> Outcome:
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
        actor = await degraded.identify(self.db, _identify, incoming, self.settings.admin_ids)
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

    def _chat_change(self, session, change: IncomingChatChange) -> None:  # type: ignore[no-untyped-def]
        """A group moved to a new id (every feature re-points its rows with the stored
        group, in one transaction), or the bot was blocked / removed, or is back."""
        chat = change.chat
        if change.moved_to is not None:  # each feature's move also moves the stored group
            reachability.move_chat(session, chat.platform, chat.chat_id, change.moved_to)
            for feature in (self.broadcasts, self.polls):
                if feature is not None:
                    feature.chat_moved(session, chat.platform, chat.chat_id, change.moved_to)
        elif change.reachable is False:
            reachability.mark_unreachable(session, chat.platform, chat.chat_id, chat.kind,
                                          change.reason or "unreachable")
        elif change.reachable:
            reachability.mark_reachable(session, chat.platform, chat.chat_id, chat.kind)

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
        named = await self.knowledge.named_documents(question)
        if named:  # a document named without a question: its overview
            return await self._overview(incoming, actor, question, named)
        timed = await self.knowledge.ask(question)
        answer = timed.answer
        top = answer.citations[0] if answer.citations else None
        # Best-effort: the answer goes out even when the database cannot be written, only
        # without the buttons (they point at the logged question).
        question_id = await self.db.run_best_effort(
            degraded.QUESTION_LOG, questions.log_question, actor if actor.person_id else None,
            incoming.chat.platform, incoming.chat.chat_id,
            question, latency_ms=timed.latency_ms, answered=answer.answered,
            top_doc_id=top.doc_id if top else None, top_section=top.section if top else None,
        )
        if question_id is None:
            return Outcome([AnswerReply(answer, ())])
        actions: tuple[Action, ...] = (
            Action(messages.ACTION_FEEDBACK_UP, f"fb:{question_id}:1"),
            Action(messages.ACTION_FEEDBACK_DOWN, f"fb:{question_id}:-1"),
        )
        if top is not None:
            actions += (Action(messages.ACTION_VIEW_DOCUMENT, f"doc:{question_id}"),)
        return Outcome([AnswerReply(answer, actions)])

    async def _overview(self, incoming: IncomingText, actor: people.Actor, question: str,
                        found: list[DocumentMeta]) -> Outcome:
        """"chỉ thị 12" alone: the document's overview (several: the list to choose from),
        logged as an answered question about that document (best-effort)."""
        started = time.perf_counter()
        outcome = await self._documents(found, question)
        latency_ms = int((time.perf_counter() - started) * 1000)
        await self.db.run_best_effort(
            degraded.QUESTION_LOG, questions.log_question, actor if actor.person_id else None,
            incoming.chat.platform, incoming.chat.chat_id, question, latency_ms=latency_ms,
            answered=True,
            top_doc_id=found[0].doc_id, top_section=None,
        )
        return outcome

    async def _documents(self, found: list[DocumentMeta], query: str) -> Outcome:
        """One document: its overview; several: a line for each (with its validity)."""
        if len(found) == 1:
            view = await self.knowledge.overview(found[0].doc_id)
            return Outcome([view] if view else [])
        lines = [messages.DOCUMENTS_FOUND.format(count=len(found), query=query)]
        lines += [f"• {describe_document(doc)}" for doc in found]
        return Outcome([TextReply("\n".join(lines))])

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
            return await self.accounts.join(incoming, actor, args)
        if name == "lienket":
            return await self.accounts.link(incoming, actor, args)
        if name == "donvi":
            return await self._units(actor)
        if name == "taodonvi":
            return await self._create_unit(actor, args)
        if name == "taoma":
            return await self.accounts.invite(incoming, actor, args)
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
        return await self._documents(found, query)

    async def _latest(self) -> Outcome:
        docs = await self.knowledge.latest(LATEST_LIMIT)
        if not docs:
            return Outcome([TextReply(messages.NO_DOCUMENTS)])
        lines = [messages.LATEST_DOCUMENTS] + [f"• {describe_document(doc)}" for doc in docs]
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
        parent_id = row_id(parts[0]) if parts else None
        if len(parts) < 3 or parent_id is None or parts[1].lower() not in messages.UNIT_KINDS:
            return Outcome([TextReply(messages.TAODONVI_USAGE)])
        kind = messages.UNIT_KINDS[parts[1].lower()]
        unit = await self.db.run(units.create_unit, actor, parts[2], kind, parent_id)
        kind_name = messages.UNIT_KIND_NAMES.get(unit.kind, unit.kind)
        return Outcome([TextReply(messages.UNIT_CREATED.format(
            name=unit.name, id=unit.id, kind=kind_name))])

    async def _report(self, actor: people.Actor, args: str) -> Outcome:
        parts = args.split()
        days = number_in(parts[0], 1, questions.MAX_REPORT_DAYS) if parts else self.settings.report_days
        unit_id = row_id(parts[1]) if len(parts) > 1 else None
        if len(parts) > 2 or days is None or (len(parts) > 1 and unit_id is None):
            return Outcome([TextReply(messages.BAOCAO_USAGE.format(
                max_days=questions.MAX_REPORT_DAYS))])
        report = await self.db.run(questions.question_report, actor, days=days, unit_id=unit_id)
        return Outcome([TextReply(questions.format_report(report))])

    # --- buttons ----------------------------------------------------------------------

    async def _action(self, incoming: IncomingAction, actor: people.Actor) -> Outcome:
        kind, _, rest = incoming.data.partition(":")
        try:
            if kind in ("fb", "doc"):
                return await self._answer_button(actor, kind, rest)
            if kind == "lk":
                return await self.accounts.action(incoming, actor, rest)
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

    async def _answer_button(self, actor: people.Actor, kind: str, rest: str) -> Outcome:
        """👍/👎 (`fb:<question id>:<1|-1>`) and «Xem văn bản» (`doc:<question id>`): for the
        person who asked only; anyone else (another member of the group) gets a short
        notice, not a message to the whole group."""
        try:
            if kind == "doc":
                return await self._view_document(actor, data_id(rest))
            qid_text, _, value_text = rest.partition(":")
            value = data_number(value_text, -1, 1)
            if value == 0:
                raise ValueError(value_text)
            await self.db.run(questions.record_feedback, actor, data_id(qid_text), value)
            return Outcome(notice=messages.FEEDBACK_THANKS)
        except PermissionDenied as refused:
            return Outcome(notice=refused.message)
        except NotFound:  # no such question: a forged or long-forgotten button
            logger.warning("update: action %s:%s names no question", kind, rest[:40])
            return Outcome(notice=messages.ACTION_INVALID)

    async def _view_document(self, actor: people.Actor, question_id: int) -> Outcome:
        logged = await self.db.run(_question_citation, actor, question_id)
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


def _question_citation(session, actor: people.Actor, question_id: int) -> tuple[str, str] | None:  # type: ignore[no-untyped-def]
    """The cited document of a logged answer, for the person who asked it (PermissionDenied
    for anyone else: the button is theirs)."""
    logged: QuestionLog = questions.asked_by(session, actor, question_id,
                                             messages.DOCUMENT_BUTTON_NOT_YOURS)
    if not logged.top_doc_id:
        return None
    return logged.top_doc_id, logged.top_section or ""
