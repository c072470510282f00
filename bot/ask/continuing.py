"""Answering follow-ups (bot/ask/followups.py) from where the conversation stands
(bot/ask/conversation.py): the next passages of the previous question, the last passage's
section in full, the documents of the last answer. "còn chỉ thị 12 thì sao?" is not answered
here: it becomes the previous question about that document, which the feature answers as a
question of its own (`rewrite`).
"""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import timedelta

from sqlalchemy.exc import SQLAlchemyError

from bot.ask import messages as ask_texts
from bot.ask.conversation import Logged, State, recall, record
from bot.ask.followups import FollowUp, about_other_document
from bot.core import degraded
from bot.core.knowledge_base import KnowledgeBase
from bot.core.types import Action, AnswerReply, IncomingText, Outcome, TextReply
from bot.services.people import Actor
from knowledge.text import shorten
from bot.storage.database import Database
from knowledge.answers import Answer

from bot import messages

logger = logging.getLogger(__name__)


def quoted(question: str) -> str:
    return shorten(question, ask_texts.QUOTED_QUESTION_CHARS)


class FollowUps:
    """The follow-up replies of one feature instance (its database and knowledge base)."""

    def __init__(self, db: Database, knowledge: KnowledgeBase, window: timedelta) -> None:
        self.db = db
        self.knowledge = knowledge
        self.window = window

    async def state(self, incoming: IncomingText, actor: Actor) -> State | None:
        """Where this person's conversation in this chat stands (None: nothing recent, or
        the database cannot be read: the follow-up is then answered as without context)."""
        if not actor.person_id:
            return None
        try:
            return await self.db.read(recall, actor, incoming.chat.platform,
                                      incoming.chat.chat_id, self.window)
        except SQLAlchemyError as exc:
            logger.warning("update %s: conversation not read: %s", incoming.update_id, exc)
            return None

    def rewrite(self, follow_up: FollowUp, state: State | None) -> str:
        """"còn chỉ thị 12 thì sao?": the previous question about the documents named (their
        names alone when there is no previous question: an overview, or a search)."""
        if state is None:
            return " ".join(" ".join((r.written or r.serial).split()) for r in follow_up.refs)
        return about_other_document(state.question, follow_up.refs)

    def no_previous(self) -> Outcome:
        minutes = max(int(self.window.total_seconds() // 60), 1)
        return Outcome([TextReply(ask_texts.FOLLOWUP_NO_PREVIOUS.format(minutes=minutes))])

    async def more(self, incoming: IncomingText, actor: Actor, text: str,
                   state: State) -> Outcome:
        """The next passages for the previous question, by the same answering rules; after
        a document's overview, that document's next parts in order."""
        if await self._reading(state):
            return await self.read_on(incoming, actor, text, state)
        timed = await self.knowledge.ask(state.question, exclude=frozenset(state.shown))
        answer = timed.answer
        if not answer.answered:
            await self._log(actor, incoming, text, state, timed.latency_ms, answered=False)
            return Outcome([TextReply(ask_texts.MORE_NONE.format(question=quoted(state.question)))])
        answer = replace(answer, intro=ask_texts.MORE_INTRO.format(question=quoted(state.question)))
        shown = tuple(p.chunk_id for p in answer.passages)
        moved = State(state.question, state.question_id, state.shown + shown, shown,
                      answer.citations[0].doc_id)
        return await self._answered(incoming, actor, text, state, answer, timed.latency_ms, moved)

    async def detail(self, incoming: IncomingText, actor: Actor, text: str,
                     state: State) -> Outcome:
        """The section of the last reply's first passage, whole; right after a document's
        overview (which quoted no passage), the document's next parts."""
        if not state.last and state.doc_id:
            return await self.read_on(incoming, actor, text, state)
        if not state.last:
            return Outcome([TextReply(ask_texts.FOLLOWUP_NOTHING_SHOWN)])
        passage = await self.knowledge.section_in_full(state.last[0], ask_texts.DETAIL_MAX_CHARS)
        if passage is None:
            return Outcome([TextReply(messages.DOCUMENT_GONE)])
        answer = Answer(state.question, True, [passage],
                        intro=ask_texts.DETAIL_INTRO.format(question=quoted(state.question)))
        return await self._answered(incoming, actor, text, state, answer, 0, None)

    async def read_on(self, incoming: IncomingText, actor: Actor, text: str,
                      state: State) -> Outcome:
        """The document of an overview read on in order: its next parts after those shown
        (after the overview's opening at first), whole, with their citations."""
        assert state.doc_id is not None
        passages = await self.knowledge.read_on(state.doc_id, state.shown, ask_texts.DETAIL_MAX_CHARS,
                                                ask_texts.READ_ON_PASSAGES)
        if passages is None:
            return Outcome([TextReply(messages.DOCUMENT_GONE)])
        citations = await self.knowledge.citations_of((state.doc_id,))
        document = citations[0].label if citations else state.doc_id
        if not passages:
            await self._log(actor, incoming, text, state, 0, answered=False)
            return Outcome([TextReply(ask_texts.READ_ON_END.format(document=document))])
        answer = Answer(state.question, True, passages,
                        intro=ask_texts.READ_ON_INTRO.format(document=document))
        shown = tuple(p.chunk_id for p in passages)
        moved = State(state.question, state.question_id, state.shown + shown, shown, state.doc_id)
        return await self._answered(incoming, actor, text, state, answer, 0, moved)

    async def _reading(self, state: State) -> bool:
        """Is the conversation a document being read (its overview, then its parts)? The
        previous question then only named that document ("chỉ thị 05")."""
        if not state.doc_id:
            return False
        if not state.last:
            return True  # an overview: nothing quoted yet
        named = await self.knowledge.named_documents(state.question)
        return [doc.doc_id for doc in named] == [state.doc_id]

    async def source(self, incoming: IncomingText, actor: Actor, text: str,
                     state: State) -> Outcome:
        """The documents the last reply quoted (or the document it showed)."""
        shown = state.last or ((state.doc_id,) if state.doc_id else ())
        if not shown:
            return Outcome([TextReply(ask_texts.FOLLOWUP_NOTHING_SHOWN)])
        citations = await self.knowledge.citations_of(shown)
        if not citations:
            return Outcome([TextReply(messages.DOCUMENT_GONE)])
        lines = [ask_texts.SOURCE_LEAD.format(question=quoted(state.question))]
        lines += [f"• {c.describe()}" for c in citations]
        top = citations[0]
        question_id = await self._log(actor, incoming, text, state, 0, answered=True,
                                      top_doc_id=top.doc_id, top_section=top.section)
        actions = (Action(messages.ACTION_VIEW_DOCUMENT, f"doc:{question_id}"),) if question_id else ()
        return Outcome([TextReply("\n".join(lines), actions)])

    async def _answered(self, incoming: IncomingText, actor: Actor, text: str, state: State,
                        answer: Answer, latency_ms: int, moved: State | None) -> Outcome:
        top = answer.citations[0]
        question_id = await self._log(actor, incoming, text, state, latency_ms, answered=True,
                                      top_doc_id=top.doc_id, top_section=top.section, moved=moved)
        if question_id is None:
            return Outcome([AnswerReply(answer, ())])
        return Outcome([AnswerReply(answer, answer_actions(question_id, True))])

    async def _log(self, actor: Actor, incoming: IncomingText, text: str, state: State,
                   latency_ms: int, *, answered: bool, top_doc_id: str | None = None,
                   top_section: str | None = None, moved: State | None = None) -> int | None:
        """The follow-up in the question log (a continuation of `state`'s question, not a
        question of its own), and the conversation moved on when `moved` is given."""
        logged = Logged(incoming.chat.platform, incoming.chat.chat_id, text, latency_ms,
                        answered, top_doc_id, top_section, follows=state.question_id, state=moved)
        return await self.db.run_best_effort(degraded.QUESTION_LOG, record,
                                             actor if actor.person_id else None, logged, self.window)


def answer_actions(question_id: int, has_document: bool) -> tuple[Action, ...]:
    """👍/👎 under an answer, and «Xem văn bản» when it cites a document."""
    actions: tuple[Action, ...] = (
        Action(messages.ACTION_FEEDBACK_UP, f"fb:{question_id}:1"),
        Action(messages.ACTION_FEEDBACK_DOWN, f"fb:{question_id}:-1"),
    )
    if has_document:
        actions += (Action(messages.ACTION_VIEW_DOCUMENT, f"doc:{question_id}"),)
    return actions


__all__ = ["FollowUps", "answer_actions", "quoted"]
