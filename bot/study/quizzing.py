"""Taking the quiz in chat. Where the chat has native polls (Telegram, private chats) each
question is a named native quiz sent through the outbound port, and its `poll_answer`
brings the next; elsewhere (Zalo, the terminal) each question is a message whose options
are buttons or numbered hints, and the typed number is the answer. Either way the member
is told first that the answers are named, and the score, the right answers and their
passages end the attempt.
"""

from __future__ import annotations

import logging

from sqlmodel import Session

from bot.core.outbound import DeliveryError, Destination, Outbound, OutboundPort
from bot.core.types import IncomingAction, IncomingPollAnswer, Outcome, TextReply
from bot.services import people
from bot.services.errors import InvalidInput, ServiceError
from bot.services.people import Actor
from bot.storage.database import Database
from bot.study import messages as texts
from bot.study import quiz, service, views
from bot.study.models import QuizAttempt, StudyQuestion

logger = logging.getLogger(__name__)


class Quizzing:
    def __init__(self, db: Database, outbound: Outbound,
                 admin_ids: frozenset[str] = frozenset()) -> None:
        self.db = db
        self.outbound = outbound
        self.admin_ids = admin_ids

    def _native_port(self, platform: str, native: bool) -> OutboundPort | None:
        """The channel's port when the chat can show a native quiz (the caller checked it
        is private: a group's quiz would show every member's answer)."""
        port = self.outbound.port(platform)
        return port if native and port is not None and port.capabilities.native_polls else None

    async def start(self, incoming: IncomingAction, actor: Actor, campaign_id: int) -> Outcome:
        chat = incoming.chat
        if chat.kind != "private":
            raise InvalidInput(texts.QUIZ_PRIVATE_ONLY)

        def begin(session: Session) -> tuple[str, quiz.Step]:
            step = quiz.start(session, actor.person_id, campaign_id, chat.platform, chat.chat_id)
            campaign = service.find(session, campaign_id)
            return views.quiz_notice(campaign, step.attempt, step.count), step

        notice, step = await self.db.run(begin)
        assert step.question is not None
        port = self._native_port(chat.platform, chat.capabilities.native_polls)
        if port is None:
            return Outcome([views.question_reply(step.attempt, step.question, step.count,
                                                 before=notice)])
        to = Destination(chat.chat_id)
        await port.send_text(to, notice)
        await self._send_poll(port, to, step.attempt, step.question, step.count)
        return Outcome()

    async def _send_poll(self, port: OutboundPort, to: Destination, attempt: QuizAttempt,
                         question: StudyQuestion, count: int) -> None:
        sent = await port.send_poll(to, views.question_poll(question, count))
        await self.db.run(_remember_poll, attempt.id or 0, question.position, sent.poll_id or "")

    async def typed_answer(self, actor: Actor, attempt_id: int, position: int,
                           choice: int) -> Outcome:
        """A question answered by button or typed number."""
        def record(session: Session) -> TextReply:
            attempt = quiz.own_attempt(session, actor.person_id, attempt_id)
            right, step = quiz.answer(session, attempt, position, choice)
            said = views.feedback(quiz_question(session, attempt.campaign_id, position), right)
            if step.question is not None:
                return views.question_reply(attempt, step.question, step.count, before=said)
            reply = _result(session, attempt, step.count)
            return TextReply(f"{said}\n\n{reply.text}", reply.actions)

        return Outcome([await self.db.run(record)])

    async def poll_answer(self, incoming: IncomingPollAnswer) -> Outcome | None:
        """A native quiz's answer: None when the poll is not one of ours."""
        platform = incoming.sender.platform

        def record(session: Session) -> tuple[QuizAttempt, quiz.Step | None] | None:
            attempt = quiz.attempt_for_poll(session, platform, incoming.poll_id)
            if attempt is None:
                return None
            person = people.identify(session, platform, incoming.sender.user_id,
                                     incoming.sender.display_name, admin_ids=self.admin_ids)
            if person.person_id != attempt.person_id or not incoming.option_ids:
                logger.info("study quiz attempt %s: answer from another person or retracted: "
                            "ignored", attempt.id)
                return attempt, None
            try:
                _right, step = quiz.answer(session, attempt, attempt.next_position,
                                           incoming.option_ids[0])
            except ServiceError:
                return attempt, None
            return attempt, step

        found = await self.db.run(record)
        if found is None:
            return None
        attempt, step = found
        port = self.outbound.port(platform)
        if step is None or port is None:
            return Outcome()
        to = Destination(attempt.chat_id)
        try:
            if step.question is not None:
                await self._send_poll(port, to, attempt, step.question, step.count)
            else:
                await port.send(to, [await self.db.run(_result, attempt, step.count)])
        except DeliveryError as exc:
            logger.warning("study quiz attempt %s: next message not delivered: %s",
                           attempt.id, exc)
        return Outcome()


def quiz_question(session: Session, campaign_id: int, position: int) -> StudyQuestion:
    return service.questions(session, campaign_id)[position - 1]


def _result(session: Session, attempt: QuizAttempt, count: int) -> TextReply:
    fresh = session.get(QuizAttempt, attempt.id)
    assert fresh is not None
    campaign = service.find(session, fresh.campaign_id)
    return views.result(campaign, fresh, count, quiz.wrong_answers(session, fresh),
                        quiz.attempts_left(session, fresh))


def _remember_poll(session: Session, attempt_id: int, position: int, poll_id: str) -> None:
    attempt = session.get(QuizAttempt, attempt_id)
    if attempt is not None and attempt.next_position == position and attempt.finished_at is None:
        attempt.poll_id = poll_id[:64] or None
        session.add(attempt)


__all__ = ["Quizzing"]
