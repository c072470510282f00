"""The officers' side of official answers (bot/ask/official.py has the rules): /traloi <code>
from the question report, then the answer's text, the document it rests on, and a preview to
publish or cancel; publishing joins it to the knowledge base (bot/ask/joining.py) and queues
the notices its worker sends (bot/ask/notices.py).

A feature beside the Q&A (same package: the official answers belong to the Q&A), registered
before it so an officer's reply to a step is taken before it could be read as a question.
Buttons: `oa:<answer id>:pub|drop` (numbered hints where a chat has no buttons).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence

from bot.ask import messages as ask_texts
from bot.ask import official
from bot.ask.joining import AnswerStore, Joiner, StoreResult
from bot.ask.models import OfficialAnswer
from bot.ask.notices import NoticeConfig, NoticeWorker
from bot.core.arguments import data_id, row_id
from bot.core.commands import Command
from bot.core.feature import BaseFeature, MenuCommand, Worker
from bot.core.knowledge_base import KnowledgeBase
from bot.core.outbound import OutboundPort
from bot.core.types import Action, IncomingAction, IncomingText, Outcome, TextReply
from bot.services.errors import InvalidInput
from bot.services.people import Actor
from bot.storage.database import Database
from knowledge.docnumbers import parse_number_refs
from knowledge.text import shorten

logger = logging.getLogger(__name__)

DEFAULT_DAYS = 90  # how far back similar unanswered questions are looked for


class OfficialAnswersFeature(BaseFeature):
    name = "official_answers"
    commands = (MenuCommand("traloi", ask_texts.MENU_TRALOI, "officer", ask_texts.TRALOI_HELP),)
    button_prefixes = ("oa",)

    def __init__(self, db: Database, knowledge: KnowledgeBase, store: AnswerStore | None, *,
                 days: int = DEFAULT_DAYS, notices: NoticeConfig | None = NoticeConfig()) -> None:
        """`store`: where answers join the knowledge base (None: at the next `tuyengiao
        index`); `notices`: the worker's settings (None: this process runs no worker)."""
        self.db = db
        self.knowledge = knowledge
        self.joiner = Joiner(db, store)
        self.days = days
        self.notices = notices
        self.wake = lambda: None  # the worker's, once started in this process

    @property
    def has_workers(self) -> bool:
        return self.notices is not None

    def workers(self, ports: Mapping[str, OutboundPort]) -> Sequence[Worker]:
        if self.notices is None:
            return ()
        worker = NoticeWorker(self.db, ports, self.joiner, self.notices)
        self.wake = worker.wake
        return (worker,)

    async def command(self, incoming: IncomingText, actor: Actor,
                      command: Command) -> Outcome | None:
        question_id = row_id(command.args.split()[0]) if command.args.split() else None
        if question_id is None:
            return Outcome([TextReply(ask_texts.TRALOI_USAGE)])
        picked = await self.db.run(official.start, actor, incoming.chat.platform,
                                   incoming.chat.chat_id, question_id, days=self.days)
        draft = picked.draft
        assert draft.id is not None
        return Outcome([TextReply(ask_texts.TRALOI_QUESTION.format(
            question=official.shorten(draft.question, 160), askers=picked.askers,
            limit=official.MAX_TEXT), (_cancel(draft.id),))])

    async def text(self, incoming: IncomingText, actor: Actor) -> Outcome | None:
        """A step of an answer being written in this chat (officers only; anyone else's
        text goes on to the Q&A without a database read)."""
        if not (actor.is_admin or actor.is_officer) or not actor.person_id:
            return None
        draft = await self.db.read(official.draft_in_chat, actor, incoming.chat.platform,
                                   incoming.chat.chat_id)
        if draft is None or draft.id is None:
            return None
        if draft.step == "text":
            await self.db.run(official.take_text, draft.id, incoming.text)
            return Outcome([TextReply(ask_texts.TRALOI_ASK_SOURCE.format(
                example=await self._example()), (_cancel(draft.id),))])
        if draft.step == "source":
            return await self._source(draft, incoming.text)
        return await self._preview(draft)  # waiting for the choice: show it again

    async def _source(self, draft: OfficialAnswer, text: str) -> Outcome:
        assert draft.id is not None
        source = " ".join(text.split())
        if not parse_number_refs(source):
            raise InvalidInput(ask_texts.TRALOI_SOURCE_INVALID.format(
                text=official.shorten(source, 80), example=await self._example()))
        found = await self.knowledge.find_by_number(source)
        doc_id = found[0].doc_id if len(found) == 1 else None
        updated = await self.db.run(official.take_source, draft.id, source, doc_id)
        return await self._preview(updated)

    async def _preview(self, draft: OfficialAnswer) -> Outcome:
        assert draft.id is not None
        askers = await self.db.read(official.askers_of, draft, self.days)
        text = official.preview(draft, askers, draft.based_on_doc_id is not None)
        return Outcome([TextReply(text, (
            Action(ask_texts.TRALOI_ACTION_PUBLISH, f"oa:{draft.id}:pub"), _cancel(draft.id)))])

    async def _example(self) -> str:
        latest = await self.knowledge.latest(1)
        return latest[0].label if latest else ask_texts.TRALOI_SOURCE_EXAMPLE

    async def action(self, incoming: IncomingAction, actor: Actor, prefix: str,
                     rest: str) -> Outcome | None:
        answer_text, _, op = rest.partition(":")
        answer_id = data_id(answer_text)
        if op == "drop":
            await self.db.run(official.cancel, actor, answer_id)
            return Outcome([TextReply(ask_texts.TRALOI_CANCELLED)], notice=ask_texts.TRALOI_CANCELLED)
        if op != "pub":
            raise ValueError(op)
        answer, queued = await self.db.run(official.publish, actor, answer_id, days=self.days)
        self.wake()
        stored = await self.joiner.join()
        lines = [ask_texts.TRALOI_PUBLISHED.format(id=answer.id, askers=queued), _stored(stored)]
        return Outcome([TextReply("\n".join(lines))], notice=shorten(lines[0], 190))


def _stored(result: StoreResult | None) -> str:
    if result is None or result.version:
        return ask_texts.TRALOI_IN_STORE
    return ask_texts.TRALOI_STORE_BUSY if result.busy else ask_texts.TRALOI_STORE_LATER


def _cancel(answer_id: int) -> Action:
    return Action(ask_texts.TRALOI_ACTION_CANCEL, f"oa:{answer_id}:drop")


__all__ = ["DEFAULT_DAYS", "OfficialAnswersFeature"]
