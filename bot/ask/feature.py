"""The Q&A feature: questions answered from the documents with their citations, document
views, the newest documents, the 👍/👎 and «Xem văn bản» buttons under an answer, and the
officers' question report.

Commands: /hoi <câu hỏi>, /vanban <số hiệu>, /moi, /baocao [số ngày] [mã đơn vị].
Buttons: `fb:<question id>:<1|-1>`, `doc:<question id>` (for the asker only).
Any text no other feature takes is a question (`takes_any_text`).
"""

from __future__ import annotations

import logging
import time
from dataclasses import replace
from datetime import timedelta

from sqlmodel import Session

from bot import messages
from bot.ask import messages as ask_texts
from bot.ask.continuing import FollowUps, answer_actions, quoted
from bot.ask.conversation import Logged, State, record
from bot.ask.followups import classify
from bot.ask.noise import is_noise
from bot.ask.small_talk import reply as small_talk_reply
from bot.ask.small_talk import small_talk
from bot.core import degraded
from bot.core.arguments import data_id, data_number, number_in, row_id
from bot.core.commands import Command
from bot.core.feature import BaseFeature, MenuCommand
from bot.core.knowledge_base import KnowledgeBase
from bot.core.types import AnswerReply, IncomingAction, IncomingText, Outcome, TextReply
from bot.services import questions
from bot.services.errors import NotFound, PermissionDenied
from bot.services.people import Actor
from bot.storage.database import Database
from bot.storage.models import QuestionLog
from knowledge.answers import describe_document
from knowledge.text import spaced_breaks
from knowledge.passages import DocumentMeta

logger = logging.getLogger(__name__)

MAX_QUESTION_CHARS = 1000
LATEST_LIMIT = 8
FOLLOWUP_WINDOW = timedelta(minutes=10)  # FOLLOWUP_MINUTES: how long a follow-up continues


class AskFeature(BaseFeature):
    name = "ask"
    commands = (
        MenuCommand("hoi", messages.MENU["hoi"], usage=messages.USAGE["hoi"]),
        MenuCommand("vanban", messages.MENU["vanban"], usage=messages.USAGE["vanban"]),
        MenuCommand("moi", messages.MENU["moi"], usage=messages.USAGE["moi"]),
        MenuCommand("baocao", messages.MENU["baocao"], "officer", messages.USAGE["baocao"]),
    )
    button_prefixes = ("fb", "doc")
    takes_any_text = True

    def __init__(self, db: Database, knowledge: KnowledgeBase, *, report_days: int = 30,
                 followup_window: timedelta = FOLLOWUP_WINDOW) -> None:
        self.db = db
        self.knowledge = knowledge
        self.report_days = report_days
        self.follow_ups = FollowUps(db, knowledge, followup_window)

    async def command(self, incoming: IncomingText, actor: Actor,
                      command: Command) -> Outcome | None:
        name, args = command.name, command.args
        if name == "hoi":
            if not args:
                return Outcome([TextReply(messages.ASK_USAGE)])
            return await self.question(incoming, actor, args)
        if name == "vanban":
            return await self._vanban(args)
        if name == "moi":
            return await self._latest()
        if name == "baocao":
            return await self._report(actor, args)
        return None

    async def text(self, incoming: IncomingText, actor: Actor) -> Outcome | None:
        return await self.question(incoming, actor, incoming.text)

    async def question(self, incoming: IncomingText, actor: Actor, text: str) -> Outcome:
        # A zero-width space between two words is a space (knowledge.text.spaced_breaks):
        # read so by small talk, follow-ups, document names, search and the question log.
        question = spaced_breaks(text).strip()
        if not question:
            return Outcome([TextReply(messages.EMPTY_QUESTION)])
        # "Chào bạn", "cảm ơn nhé", "ok", "👍": a short reply, not a search ending in a
        # refusal (and no entry in the question log, whose unanswered list is for real
        # questions); "???", "k", "asdfgh": a hint to ask a full question, not logged either.
        if (chat := small_talk(question)) is not None:
            return Outcome([TextReply(small_talk_reply(chat))])
        if is_noise(question):
            logger.info("update %s: not a question (%d characters), not searched",
                        incoming.update_id, len(question))
            return Outcome([TextReply(ask_texts.NOT_A_QUESTION)])
        if len(question) > MAX_QUESTION_CHARS:
            limit = MAX_QUESTION_CHARS
            return Outcome([TextReply(messages.QUESTION_TOO_LONG.format(limit=limit))])
        if self.knowledge.is_empty():
            return Outcome([TextReply(messages.STORE_EMPTY)])
        follow_up = classify(question)
        if follow_up is None:
            return await self._answer(incoming, actor, question)
        # "còn gì nữa?", "nói rõ hơn", "văn bản nào?", "còn chỉ thị 12 thì sao?": the
        # previous question of this person in this chat continues (bot/ask/continuing.py).
        state = await self.follow_ups.state(incoming, actor)
        if follow_up.kind == "other_document":
            rewritten = self.follow_ups.rewrite(follow_up, state)
            intro = ask_texts.OTHER_DOCUMENT_INTRO.format(question=quoted(rewritten)) if state else None
            return await self._answer(incoming, actor, rewritten, intro=intro)
        if state is None:
            return self.follow_ups.no_previous()
        if follow_up.kind == "more":
            return await self.follow_ups.more(incoming, actor, question, state)
        if follow_up.kind == "detail":
            return await self.follow_ups.detail(incoming, actor, question, state)
        return await self.follow_ups.source(incoming, actor, question, state)

    async def _answer(self, incoming: IncomingText, actor: Actor, question: str, *,
                      intro: str | None = None) -> Outcome:
        """A question of its own: a named document's overview, or a searched answer; logged,
        and the conversation starts over from it."""
        named = await self.knowledge.named_documents(question)
        if named:  # a document named without a question: its overview
            return await self._overview(incoming, actor, question, named)
        timed = await self.knowledge.ask(question)
        answer = timed.answer
        if intro and answer.answered:
            answer = replace(answer, intro=intro)
        top = answer.citations[0] if answer.citations else None
        shown = tuple(p.chunk_id for p in answer.passages)
        # Best-effort: the answer goes out even when the database cannot be written, only
        # without the buttons (they point at the logged question).
        question_id = await self._log(incoming, actor, Logged(
            incoming.chat.platform, incoming.chat.chat_id, question, timed.latency_ms,
            answer.answered, top.doc_id if top else None, top.section if top else None,
            state=State(question, None, shown, shown, top.doc_id if top else None)))
        if question_id is None:
            return Outcome([AnswerReply(answer, ())])
        return Outcome([AnswerReply(answer, answer_actions(question_id, top is not None))])

    async def _log(self, incoming: IncomingText, actor: Actor, logged: Logged) -> int | None:
        return await self.db.run_best_effort(
            degraded.QUESTION_LOG, record, actor if actor.person_id else None, logged,
            self.follow_ups.window)

    async def _overview(self, incoming: IncomingText, actor: Actor, question: str,
                        found: list[DocumentMeta]) -> Outcome:
        """"chỉ thị 12" alone: the document's overview (several: the list to choose from),
        logged as an answered question about that document (best-effort)."""
        started = time.perf_counter()
        outcome = await self._documents(found, question)
        latency_ms = int((time.perf_counter() - started) * 1000)
        doc_id = found[0].doc_id if len(found) == 1 else None
        await self._log(incoming, actor, Logged(
            incoming.chat.platform, incoming.chat.chat_id, question, latency_ms, True,
            found[0].doc_id, None, state=State(question, None, (), (), doc_id)))
        return outcome

    async def _documents(self, found: list[DocumentMeta], query: str) -> Outcome:
        """One document: its overview; several: a line for each (with its validity)."""
        if len(found) == 1:
            view = await self.knowledge.overview(found[0].doc_id)
            return Outcome([view] if view else [])
        lines = [messages.DOCUMENTS_FOUND.format(count=len(found), query=query)]
        lines += [f"• {describe_document(doc)}" for doc in found]
        return Outcome([TextReply("\n".join(lines))])

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

    async def _report(self, actor: Actor, args: str) -> Outcome:
        parts = args.split()
        days = number_in(parts[0], 1, questions.MAX_REPORT_DAYS) if parts else self.report_days
        unit_id = row_id(parts[1]) if len(parts) > 1 else None
        if len(parts) > 2 or days is None or (len(parts) > 1 and unit_id is None):
            return Outcome([TextReply(messages.BAOCAO_USAGE.format(
                max_days=questions.MAX_REPORT_DAYS))])
        report = await self.db.run(questions.question_report, actor, days=days, unit_id=unit_id)
        return Outcome([TextReply(questions.format_report(report))])

    # --- buttons ----------------------------------------------------------------------
    async def action(self, incoming: IncomingAction, actor: Actor, prefix: str,
                     rest: str) -> Outcome | None:
        """👍/👎 (`fb:<question id>:<1|-1>`) and «Xem văn bản» (`doc:<question id>`): for the
        person who asked only; anyone else (another member of the group) gets a short
        notice, not a message to the whole group."""
        try:
            if prefix == "doc":
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
            logger.warning("update: action %s:%s names no question", prefix, rest[:40])
            return Outcome(notice=messages.ACTION_INVALID)

    async def _view_document(self, actor: Actor, question_id: int) -> Outcome:
        logged = await self.db.run(_question_citation, actor, question_id)
        if logged is None:
            return Outcome(notice=messages.ACTION_INVALID)
        doc_id, section = logged
        view = await self.knowledge.document(doc_id, section)
        if view is None:
            return Outcome([TextReply(messages.DOCUMENT_GONE)], notice=messages.DOCUMENT_GONE)
        return Outcome([view])


def _question_citation(session: Session, actor: Actor, question_id: int) -> tuple[str, str] | None:
    """The cited document of a logged answer, for the person who asked it (PermissionDenied
    for anyone else: the button is theirs)."""
    logged: QuestionLog = questions.asked_by(session, actor, question_id,
                                             messages.DOCUMENT_BUTTON_NOT_YOURS)
    if not logged.top_doc_id:
        return None
    return logged.top_doc_id, logged.top_section or ""


__all__ = ["AskFeature", "MAX_QUESTION_CHARS"]
