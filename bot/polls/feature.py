"""The polls feature: commands, buttons and votes (thin handlers over bot.polls.compose /
service / votes / results) and its background runner (bot.polls.runner).

Commands (officers and admins; refusals come from the services):
  /khaosat <câu hỏi>⏎<phương án>⏎...   create a poll (then buttons)
  /dskhaosat                           the polls one manages; for everyone, the open polls
                                       addressed to them and how to answer (bot.polls.listing)
  /ketqua <mã> [csv]                   results per unit, with the chart (or as a CSV file)
  /dongkhaosat <mã>                    close now
A poll is addressed by its number (bot.storage.bases.Numbered: given when it is opened, so
a dropped draft takes none); the creation steps' buttons `pl:<id>:<op>[:<arg>]` carry the
draft's row id (it has no number yet).

Votes arrive before the core identifies the sender (`before_identify`): Telegram's poll
updates carry no sender at all, and an anonymous Zalo vote must not touch the person's
records (no "last seen" moment to line up with a vote) nor the question log. On a platform
without native polls (Zalo) a vote is the bare number(s) typed in a chat a poll was posted to
(the newest poll there), or the poll's number and the choice ("#12 2") where several are open.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Mapping, Sequence

from sqlmodel import Session

from bot.core.arguments import data_id, first_id
from bot.core.commands import Command
from bot.core.feature import BaseFeature, MenuCommand, Worker, commands_of
from bot.core.outbound import OutboundPort, RateLimits
from bot.core.types import (
    Incoming,
    IncomingAction,
    IncomingPollAnswer,
    IncomingPollUpdate,
    IncomingText,
    Outcome,
    FileReply,
    PhotoReply,
    TextReply,
)
from bot.polls import chart, compose, listing, results, service, votes
from bot.polls.runner import PollRunner, RunnerConfig
from bot.services import people
from bot.services.errors import InvalidInput
from bot.services.people import Actor
from knowledge.text import shorten
from bot.storage.bases import shown_number
from bot.storage.database import Database
from bot.polls import messages as poll_texts
logger = logging.getLogger(__name__)

# /dskhaosat is everyone's: a member sees the open polls addressed to them (bot.polls.listing).
POLL_COMMANDS: tuple[MenuCommand, ...] = commands_of(poll_texts.MENU, poll_texts.USAGE, "officer",
                                                     dskhaosat="member")
_NAMES = frozenset(c.name for c in POLL_COMMANDS)
# Hints a typed number may have matched that an open poll in the chat outranks (a Q&A
# answer's 👍/👎/"Xem văn bản"); a composing step's numbers keep their meaning.
_OUTRANKED_ACTIONS = ("fb:", "doc:")


class PollFeature(BaseFeature):
    name = "polls"
    commands = POLL_COMMANDS
    button_prefixes = ("pl",)

    def __init__(self, db: Database, admin_ids: frozenset[str] = frozenset(),
                 wake: Callable[[], None] = lambda: None, runner: RunnerConfig | None = None,
                 limits: Mapping[str, RateLimits] | None = None) -> None:
        self.db = db
        self.admin_ids = admin_ids
        self.wake = wake  # tells an in-process runner that messages are due
        self.runner_config = runner  # None: no runner in this process
        self.limits = dict(limits or {})  # posting pace per platform

    @property
    def has_workers(self) -> bool:
        return self.runner_config is not None

    def workers(self, ports: Mapping[str, OutboundPort]) -> Sequence[Worker]:
        """The runner (posting, deadlines, final results) over the workers' ports."""
        if self.runner_config is None or not ports:
            return ()
        runner = PollRunner(self.db, dict(ports), self.runner_config, self.limits)
        self.wake = runner.wake
        return (runner,)

    def chat_moved(self, session: Session, platform: str, old_chat_id: str,
                   new_chat_id: str) -> None:
        """A group now lives under a new id: its poll messages follow."""
        service.move_chat(session, platform, old_chat_id, new_chat_id)

    # --- before the sender is identified ------------------------------------------------
    async def before_identify(self, incoming: Incoming) -> Outcome | None:
        # A native poll that is not one of ours (another feature's quiz) is left to the
        # features after this one.
        if isinstance(incoming, IncomingPollUpdate):
            counted = await self.db.run(votes.record_counts, incoming.platform, incoming.poll_id,
                                        incoming.counts, incoming.voters)
            return Outcome() if counted else None
        if isinstance(incoming, IncomingPollAnswer):
            return Outcome() if await self.db.run(self._answer, incoming) else None
        if incoming.chat.capabilities.native_polls:
            return None  # votes there are the platform's own (poll updates above)
        if isinstance(incoming, IncomingText):
            typed = incoming.text
        elif isinstance(incoming, IncomingAction) and incoming.typed is not None \
                and incoming.data.startswith(_OUTRANKED_ACTIONS):
            typed = incoming.typed
        else:
            return None
        answer = votes.read_typed(typed)
        if answer is None:
            return None
        reply = await self.db.run(self._typed_vote, incoming, answer)
        return Outcome([TextReply(reply)]) if reply is not None else None

    def _answer(self, session: Session, incoming: IncomingPollAnswer) -> bool:
        if not votes.is_our_poll(session, incoming.sender.platform, incoming.poll_id):
            return False
        actor = people.identify(session, incoming.sender.platform, incoming.sender.user_id,
                                incoming.sender.display_name, admin_ids=self.admin_ids)
        votes.record_answer(session, incoming.sender.platform, incoming.poll_id,
                            incoming.sender.user_id, actor.person_id, incoming.option_ids)
        return True

    def _typed_vote(self, session: Session, incoming: IncomingText | IncomingAction,
                    answer: votes.TypedChoice) -> str | None:
        chat = incoming.chat
        found = votes.typed_poll_in_chat(session, chat.platform, chat.chat_id,
                                         incoming.sender.user_id, private=chat.kind == "private",
                                         number=answer.number)
        if found is None:
            return None  # not a vote: the core handles it as usual
        message, poll = found.message, found.poll
        if message is None or poll is None:
            logger.info("typed answer names poll #%s: none to answer in this chat", answer.number)
            return poll_texts.POLL_VOTE_NO_SUCH_POLL.format(id=answer.number)
        person_id = None
        if not poll.anonymous and poll.status == "open":
            person_id = people.identify(
                session, chat.platform, incoming.sender.user_id, incoming.sender.display_name,
                admin_ids=self.admin_ids).person_id
        vote = votes.typed_vote(session, message, poll, incoming.sender.user_id, person_id,
                                answer.choice)
        pid, count = shown_number(poll), len(poll.options)
        if vote.outcome in ("recorded", "changed"):
            choice = ", ".join(str(i + 1) for i in vote.options) or "—"
            template = poll_texts.POLL_VOTE_RECORDED if vote.outcome == "recorded" else poll_texts.POLL_VOTE_CHANGED
            reply = template.format(choice=choice, id=pid)
            if answer.number is None and found.others_open:  # a bare number: say which poll
                reply += "\n" + poll_texts.POLL_VOTE_OTHERS_OPEN.format(
                    others=", ".join(f"#{n}" for n in found.others_open),
                    example=found.others_open[0])
            return reply
        logger.info("poll %s: typed vote refused (%s)", pid, vote.outcome)
        return {
            "closed": poll_texts.POLL_VOTE_CLOSED, "no_key": poll_texts.POLL_VOTE_CLOSED,
            "unknown_option": poll_texts.POLL_VOTE_UNKNOWN, "repeated": poll_texts.POLL_VOTE_REPEATED,
            "too_many": poll_texts.POLL_VOTE_TOO_MANY,
        }[vote.outcome].format(id=pid, count=count)

    # --- commands -----------------------------------------------------------------------
    async def command(self, incoming: IncomingText, actor: Actor, command: Command) -> Outcome | None:
        name, args = command.name, command.args
        if name not in _NAMES:
            return None
        chat = incoming.chat
        if name == "khaosat":
            if chat.kind != "private":
                return Outcome([TextReply(poll_texts.POLL_PRIVATE_ONLY)])
            return Outcome([await self.db.run(compose.start, actor, chat.platform, chat.chat_id, args)])
        if name == "dskhaosat":
            text = await self.db.run(listing.poll_list, actor, chat.capabilities.native_polls)
            return Outcome([TextReply(text)])
        number = first_id(args)  # the poll's number, as people see it (#2), never its row
        if number is None:
            return Outcome([TextReply(poll_texts.POLL_ID_USAGE.format(command=name))])
        if name == "ketqua":
            if "csv" in (word.lower() for word in args.split()[1:]):
                return Outcome([await self.results_csv(actor, number)])
            return Outcome(list(await self.results(actor, number)))

        def close(session: Session) -> bool:
            poll = service.numbered(session, actor, number)
            assert poll.id is not None
            return service.close(session, actor, poll.id)

        closed = await self.db.run(close)
        if closed:
            self.wake()
        template = poll_texts.POLL_CLOSED_NOW if closed else poll_texts.POLL_ALREADY_CLOSED
        return Outcome([TextReply(template.format(id=number))])

    async def results(self, actor: Actor | None, number: int) -> tuple[TextReply, PhotoReply]:
        """The results of the poll numbered `number` (what /ketqua takes) and its chart."""
        def compute(session: Session) -> tuple[str, results.PollResults]:
            poll = service.numbered(session, actor, number)
            found = results.compute(session, poll)
            return results.text(found, poll, results.named_votes(session, poll)), found

        table, found = await self.db.run(compute)
        image = await asyncio.to_thread(chart.png, found)
        caption = poll_texts.POLL_CHART_FOOTER.format(id=found.number, voters=found.voters)
        return TextReply(table), PhotoReply(image, caption, f"khaosat-{found.number}.png")

    async def results_csv(self, actor: Actor | None, number: int) -> FileReply:
        """The results per unit of the poll numbered `number` as a CSV file (the same rows
        as `tuyengiao poll csv`)."""
        def compute(session: Session) -> results.PollResults:
            return results.compute(session, service.numbered(session, actor, number))

        found = await self.db.run(compute)
        data = results.to_csv(found).encode("utf-8-sig")  # the BOM makes Excel read UTF-8
        caption = poll_texts.POLL_CSV_CAPTION.format(id=found.number, voters=found.voters)
        return FileReply(data, f"khaosat-{found.number}.csv", caption)

    # --- buttons ------------------------------------------------------------------------
    async def action(self, incoming: IncomingAction, actor: Actor, kind: str,
                     rest: str) -> Outcome | None:
        poll_text, _, op_arg = rest.partition(":")
        op, _, arg = op_arg.partition(":")
        poll_id = data_id(poll_text)  # a draft's row id: a draft has no number yet
        if op == "go":
            def open_it(session: Session) -> tuple[int, int]:
                poll = compose.own_draft(session, actor, poll_id)
                chats = service.open_poll(session, actor, poll_id)
                return shown_number(poll), chats

            number, chats = await self.db.run(open_it)
            self.wake()
            text = poll_texts.POLL_OPENED.format(id=number, messages=chats)
            return Outcome([TextReply(text)], notice=shorten(text, 190))
        if op not in ("kind", "anon", "dur", "unit", "x"):
            raise InvalidInput(poll_texts.POLL_USE_BUTTONS)
        reply = await self.db.run(compose.step, actor, poll_id, op, arg)
        return Outcome([reply])


__all__ = ["POLL_COMMANDS", "PollFeature"]
