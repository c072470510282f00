"""The reports feature: thin handlers over bot.reports' services, and its tracker worker.

Commands — everyone: /nopbaocao (fill in a report asked of you or your unit), collaborators:
/baocaodlxh, /baocaonhanh; officers: /yeucaubaocao, /yeucaudlxh, /dsbaocao, /theodoibaocao,
/tonghopbaocao, /baocaodonvi, /congtacvien, /chude, /tonghopdlxh (refusals come from the
services). Buttons carry `rp:...` (numbered hints where a chat has no buttons): `rp:c:` the
officer's creation steps, `rp:n:`/`rp:f:`/`rp:o:` start a form, `rp:a|k|s|p|x|ok|re:` its
steps (bot.reports.form), `rp:t|r|v|b:` the tracker's pages, roll-up, CSV and results,
`rp:stop:` stop a recurring request, `rp:cv:` give or take the collaborator role.

Texts: a form being filled in takes the chat's texts (its current field); so does a request
being created at a typed step (unit id, deadline). Files and photos go to a form waiting
for one. Requests, reminders and alerts go out through the notices port (the outbox).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence

from sqlmodel import Session

from bot.core.arguments import data_id, data_number, first_id
from bot.core.commands import Command
from bot.core.feature import BaseFeature, MenuCommand, Worker, commands_of
from bot.core.delivery import DeliveryQueue
from bot.core.outbound import Outbound, OutboundPort
from bot.core.types import (
    LABEL_CHARS,
    Action,
    IncomingAction,
    IncomingText,
    IncomingUnsupported,
    Outcome,
    Reply,
    TextReply,
)
from bot.reports import attachments, compose, form, instances, opinion_rollup, opinions
from bot.reports import messages as texts
from bot.reports import periods, requests, rollups, submit, views
from bot.reports.config import ReportConfig
from bot.reports.deadlines import send_results
from bot.reports.worker import ReportTracker
from bot.services.errors import InvalidInput
from bot.services.people import Actor
from bot.storage.database import Database
from knowledge.text import shorten

logger = logging.getLogger(__name__)

REPORT_COMMANDS: tuple[MenuCommand, ...] = (
    commands_of(texts.MENU, texts.USAGE) + commands_of(texts.OFFICER_MENU, texts.USAGE, "officer"))
_FORM_OPS = frozenset({"a", "k", "s", "p", "x", "ok", "re"})


def _text(text: str) -> Outcome:
    return Outcome([TextReply(text)])


class ReportsFeature(BaseFeature):
    name = "reports"
    commands = REPORT_COMMANDS
    button_prefixes = ("rp",)

    def __init__(self, db: Database, outbound: Outbound, notices: DeliveryQueue,
                 config: ReportConfig = ReportConfig()) -> None:
        self.db = db
        self.outbound = outbound  # the channels' ports: a file a person sent is fetched there
        self.notices = notices
        self.config = config
        self.tracker: ReportTracker | None = None

    @property
    def has_workers(self) -> bool:
        return self.config.worker

    def workers(self, ports: Mapping[str, OutboundPort]) -> Sequence[Worker]:
        """The tracker (it writes notices into the outbox: it needs no port itself)."""
        if not self.config.worker:
            return ()
        self.tracker = ReportTracker(self.db, self.notices, self.config)
        return (self.tracker,)

    def _now(self):  # type: ignore[no-untyped-def]
        return self.config.clock()

    # --- commands -----------------------------------------------------------------------
    async def command(self, incoming: IncomingText, actor: Actor, command: Command) -> Outcome | None:
        name, args = command.name, command.args
        chat = incoming.chat
        now = self._now()
        if name in ("nopbaocao", "baocaodlxh", "baocaonhanh", "yeucaubaocao", "yeucaudlxh") \
                and chat.kind != "private":
            return _text(texts.CREATE_PRIVATE_ONLY)
        if name == "nopbaocao":
            return await self.db.run(self._choose_assignment, actor, chat.platform, chat.chat_id)
        if name in ("baocaodlxh", "baocaonhanh"):
            return await self.db.run(self._start_opinion, actor, name == "baocaonhanh",
                                     chat.platform, chat.chat_id, None)
        if name == "yeucaubaocao":
            return Outcome([await self.db.run(compose.start, actor, chat.platform, chat.chat_id,
                                              args, self.config)])
        if name == "yeucaudlxh":
            return Outcome([await self.db.run(compose.start_opinion, actor, chat.platform,
                                              chat.chat_id, self.config)])
        if name == "dsbaocao":
            return Outcome([await self.db.read(views.request_list, actor, now)])
        if name in ("theodoibaocao", "tonghopbaocao"):
            return await self._request_view(name, actor, args)
        if name in ("baocaodonvi", "tonghopdlxh"):
            words = args.split()
            as_csv = any(w.lower() == "csv" for w in words)
            span = periods.parse_period(" ".join(w for w in words if w.lower() != "csv"), now)
            if span is None:
                return _text(texts.PERIOD_USAGE.format(text=shorten(args, 40)))
            if name == "baocaodonvi":
                return Outcome(await self.db.read(views.punctuality_replies, actor, span, now,
                                                  as_csv))
            found = await self.db.read(opinion_rollup.compute, actor, span)
            csv_text = await self.db.read(opinion_rollup.to_csv, found) if as_csv else None
            return Outcome(await views.opinion_replies(found, csv_text))
        if name == "congtacvien":
            unit_id = first_id(args)
            if unit_id is None:
                return _text(texts.COLLAB_USAGE)
            return Outcome([await self.db.read(views.collaborators, actor, unit_id)])
        if name == "chude":
            return Outcome([await self.db.run(views.topics, actor, args)])
        return None

    async def _request_view(self, name: str, actor: Actor, args: str) -> Outcome:
        words = args.split()
        request_id = first_id(args)
        if request_id is None:
            return _text(texts.REQUEST_ID_USAGE.format(command=name))
        rest = [w for w in words[1:] if w.lower() != "csv"]
        as_csv = len(rest) != len(words) - 1
        span = periods.parse_period(" ".join(rest), self._now()) if rest else None
        if rest and span is None:
            return _text(texts.PERIOD_USAGE.format(text=shorten(" ".join(rest), 40)))
        if name == "theodoibaocao":
            return Outcome([await self.db.read(views.track, actor, request_id, span, 1,
                                               self._now())])
        return Outcome(await self._rollup(actor, request_id, span, None, as_csv))

    async def _rollup(self, actor: Actor, request_id: int | None, span: periods.Span | None,
                      instance_id: int | None, as_csv: bool) -> list[Reply]:
        now = self._now()

        def compute(session: Session) -> tuple[object, str | None]:
            found = views.rollup_data(session, actor, request_id, span, instance_id)
            csv_text = None
            if as_csv:
                unit_rollup, opinion = found
                if unit_rollup is not None:
                    csv_text = rollups.to_csv(unit_rollup, now)
                elif opinion is not None:
                    csv_text = opinion_rollup.to_csv(session, opinion)
            return found, csv_text

        found, csv_text = await self.db.read(compute)
        return await views.rollup_replies(found, csv_text)  # type: ignore[arg-type]

    # --- starting a form ----------------------------------------------------------------
    def _choose_assignment(self, session: Session, actor: Actor, platform: str,
                           chat_id: str) -> Outcome:
        now = self._now()
        found = submit.open_for(session, actor, now)
        if not found:
            return _text(texts.NOTHING_TO_SUBMIT)
        if len(found) == 1:
            state = submit.start(session, actor, found[0][0].id or 0, platform, chat_id, now)
            return Outcome([form.question(state, self.config)])
        lines = [texts.CHOOSE_ASSIGNMENT.format(count=len(found))]
        actions = []
        for assignment, instance, request in found[:12]:
            state_text = texts.STATE_SUBMITTED.format(version=assignment.versions) \
                if assignment.versions else (texts.STATE_LATE if now > instance.deadline_at else "")
            label = texts.ASSIGNMENT_LINE.format(
                title=request.title, period=instance.period_label, unit=assignment.unit_name,
                deadline=periods.show_day(instance.deadline_at), state=state_text)
            lines.append(f"• {label}")
            actions.append(Action(shorten(label, LABEL_CHARS), f"rp:f:{assignment.id}"))
        return Outcome([TextReply("\n".join(lines), tuple(actions))])

    def _start_instance(self, session: Session, actor: Actor, instance_id: int, platform: str,
                        chat_id: str) -> Outcome:
        """A request's "Nộp báo cáo" button: the actor's assignment in that instance."""
        mine = [a for a, i, _ in submit.open_for(session, actor, self._now()) if i.id == instance_id]
        if len(mine) == 1:
            state = submit.start(session, actor, mine[0].id or 0, platform, chat_id, self._now())
            return Outcome([form.question(state, self.config)])
        return self._choose_assignment(session, actor, platform, chat_id)

    def _start_opinion(self, session: Session, actor: Actor, urgent: bool, platform: str,
                       chat_id: str, unit_id: int | None) -> Outcome:
        now = self._now()
        if not urgent and unit_id is None:  # a periodic opinion report asked for comes first
            asked = [a for a, _, r in submit.open_for(session, actor, now)
                     if r.kind == "opinion" and a.status == "open"]
            if asked:
                state = submit.start(session, actor, asked[0].id or 0, platform, chat_id, now)
                return Outcome([form.question(state, self.config)])
        units = opinions.collaborator_units(session, actor.person_id)
        if not units:
            return _text(texts.NOT_COLLABORATOR)
        if unit_id is None and len(units) > 1:
            flag = int(urgent)
            return Outcome([TextReply(texts.CHOOSE_COLLAB_UNIT, tuple(
                Action(shorten(u.name, LABEL_CHARS), f"rp:o:{u.id}:{flag}") for u in units[:12]))])
        chosen = unit_id if unit_id is not None else units[0].id or 0
        state = submit.start_opinion(session, actor, chosen, urgent, platform, chat_id, now)
        return Outcome([form.question(state, self.config)])

    # --- texts and files ----------------------------------------------------------------
    async def text(self, incoming: IncomingText, actor: Actor) -> Outcome | None:
        chat = incoming.chat
        if chat.kind != "private":
            return None
        return await self.db.run(self._text_step, incoming, actor)

    def _text_step(self, session: Session, incoming: IncomingText, actor: Actor) -> Outcome | None:
        chat, now = incoming.chat, self._now()
        draft = submit.active_draft(session, actor, chat.platform, chat.chat_id, now,
                                    self.config.form_idle)
        if draft is not None:
            try:
                state = submit.typed(session, actor, draft.id or 0, incoming.text, now)
            except InvalidInput as exc:  # asked again, with the example
                state = submit.state(session, draft)
                return Outcome([form.question(state, self.config, lead=exc.message)])
            return Outcome([form.question(state, self.config)])
        if not (actor.is_officer or actor.is_admin):
            return None
        request = requests.draft_in_chat(session, actor, chat.platform, chat.chat_id)
        if request is None:
            return None
        if request.compose_step in compose.TEXT_STEPS:
            return Outcome([compose.typed(session, actor, request, incoming.text, now)])
        if not chat.capabilities.buttons:  # the choices again, numbered
            return Outcome([compose.ask(session, actor, request, now=now)])
        return None

    async def attachment(self, incoming: IncomingUnsupported, actor: Actor) -> Outcome | None:
        chat, now = incoming.chat, self._now()
        if chat.kind != "private":
            return None
        found = await self.db.read(self._waiting_file, actor, chat.platform, chat.chat_id)
        if found is None:
            return None
        draft_id, wants_file = found
        if not wants_file:
            state = await self.db.read(lambda s: submit.state(s, submit.own_draft(s, actor, draft_id)))
            return Outcome([form.question(state, self.config, lead=texts.FILE_NOT_EXPECTED.format(
                what=texts.FORM_TYPE_ANSWER))])
        try:
            received = await attachments.receive(incoming, self.outbound.port(chat.platform),
                                                 self.config, now)
        except InvalidInput as exc:
            return _text(exc.message)

        def keep(session: Session) -> submit.FormState:
            row = attachments.record(session, actor.person_id, received)
            draft = submit.own_draft(session, actor, draft_id)
            return submit.put(session, actor, draft_id, draft.step,
                              {"file": row.id, "name": received.name}, now)

        state = await self.db.run(keep)
        return Outcome([form.question(state, self.config, lead=texts.FILE_RECEIVED.format(
            name=received.name))])

    def _waiting_file(self, session: Session, actor: Actor, platform: str,
                      chat_id: str) -> tuple[int, bool] | None:
        draft = submit.active_draft(session, actor, platform, chat_id, self._now(),
                                    self.config.form_idle)
        if draft is None:
            return None
        state = submit.state(session, draft)
        return draft.id or 0, state.current is not None and state.current.kind == "file"

    # --- buttons ------------------------------------------------------------------------
    async def action(self, incoming: IncomingAction, actor: Actor, prefix: str,
                     rest: str) -> Outcome | None:
        op, _, arg = rest.partition(":")
        chat, now = incoming.chat, self._now()
        if op in _FORM_OPS:
            return await self.db.run(self._form_step, actor, op, arg)
        if op == "c":
            return await self._compose_step(actor, arg)
        if op == "n":
            return await self.db.run(self._start_instance, actor, data_id(arg), chat.platform,
                                     chat.chat_id)
        if op == "f":
            state = await self.db.run(submit.start, actor, data_id(arg), chat.platform,
                                      chat.chat_id, now)
            return Outcome([form.question(state, self.config)])
        if op == "o":
            unit_text, _, flag = arg.partition(":")
            return await self.db.run(self._start_opinion, actor, flag == "1", chat.platform,
                                     chat.chat_id, data_id(unit_text))
        if op == "t":
            instance_text, _, which = arg.partition(":")
            return Outcome([await self.db.read(views.track_instance, actor, data_id(instance_text),
                                               which or "1", now)])
        if op in ("r", "v"):
            return Outcome(await self._rollup(actor, None, None, data_id(arg), op == "v"))
        if op == "b":
            return await self.db.run(self._send_results, actor, data_id(arg))
        if op == "stop":
            request = await self.db.run(requests.stop, actor, data_id(arg), now)
            return _text(texts.REQUEST_STOPPED.format(id=request.id))
        if op == "cv":
            unit_text, _, person_text = arg.partition(":")
            granted, person, unit = await self.db.run(
                opinions.toggle, actor, data_id(unit_text), data_id(person_text), now)
            template = texts.COLLAB_GRANTED if granted else texts.COLLAB_REVOKED
            return _text(template.format(name=person, unit=unit))
        return None

    def _form_step(self, session: Session, actor: Actor, op: str, arg: str) -> Outcome:
        now = self._now()
        parts = arg.split(":")
        draft_id = data_id(parts[0])
        if op == "p":
            submit.pause(session, actor, draft_id)
            return _text(texts.PAUSED)
        if op == "x":
            submit.drop(session, actor, draft_id)
            return _text(texts.DRAFT_DROPPED)
        if op == "re":
            return Outcome([form.question(submit.redo(session, actor, draft_id, now), self.config)])
        if op == "ok":
            receipt = submit.submit(session, actor, draft_id, now, self.notices)
            if receipt.urgent:
                self.notices.wake()
            return _text(form.receipt(receipt, form.at_text(now)))
        step = data_number(parts[1], 0, 100) if len(parts) > 1 else -1
        if op == "a":
            state = submit.state(session, submit.own_draft(session, actor, draft_id))
            spec = state.current
            if spec is None or spec.kind != "choice" or step != state.draft.step:
                raise InvalidInput(texts.PICK_FROM_LIST)
            index = data_number(parts[2], 0, len(spec.options) - 1) if len(parts) > 2 else -1
            state = submit.put(session, actor, draft_id, step, spec.options[index], now)
        elif op == "k":
            state = submit.keep(session, actor, draft_id, step, now)
        else:
            state = submit.skip(session, actor, draft_id, step, now)
        return Outcome([form.question(state, self.config)])

    async def _compose_step(self, actor: Actor, arg: str) -> Outcome:
        id_text, _, op_arg = arg.partition(":")
        op, _, value = op_arg.partition(":")
        request_id, now = data_id(id_text), self._now()
        if op == "go":
            def go(session: Session) -> str:
                requests.own_draft(session, actor, request_id)
                done = instances.confirm(session, actor, request_id, now, self.config,
                                         self.notices)
                return instances.confirmation(done)

            text = await self.db.run(go)
            self.notices.wake()
            if self.tracker is not None:
                self.tracker.wake()
            return Outcome([TextReply(text)], notice=shorten(text, 190))
        if op == "tpl":
            return Outcome([await self.db.run(compose.save_template, actor, request_id)])
        return Outcome([await self.db.run(compose.step, actor, request_id, op, value, now)])

    def _send_results(self, session: Session, actor: Actor, instance_id: int) -> Outcome:
        instance, request = views.instance_and_request(session, actor, instance_id)
        count = send_results(session, request, instance, self._now(), self.notices)
        if count:
            self.notices.wake()
            return _text(texts.RESULTS_SENT.format(period=instance.period_label, count=count))
        return _text(texts.RESULTS_NONE)


__all__ = ["REPORT_COMMANDS", "ReportsFeature"]
