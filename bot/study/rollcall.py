"""The roll call and the exemption list in chat: the officer's commands and buttons over
bot.study.attendance and bot.services.exemptions, each answered with the updated view."""

from __future__ import annotations

from collections.abc import Callable

from sqlmodel import Session, col, select

from bot.core.arguments import data_id, data_number
from bot.core.types import IncomingAction, IncomingText, Outcome, TextReply
from bot.services import exemptions
from bot.services.errors import InvalidInput, PermissionDenied
from bot.services.people import Actor
from bot.services.units import can_act_on, get_unit, officer_scope
from bot.storage.database import Database
from bot.storage.models import Unit
from bot.study import attendance, views
from bot.study import messages as texts
from knowledge.text import shorten

STATUS_CODES = {"p": "present", "a": "absent", "e": "exempt", "c": None, "n": "absent"}
MAX_PAGE = 500


class RollCall:
    def __init__(self, db: Database, wake: Callable[[], None] = lambda: None) -> None:
        self.db = db
        # Tells the in-process runner there is work: a roll closed sends the self-study
        # message to its absentees now, not at the next tick.
        self.wake = wake

    # --- the roll --------------------------------------------------------------------------
    def start(self, session: Session, actor: Actor, campaign_id: int) -> TextReply:
        """The roll of the actor's only session, or the choice of their units' sessions."""
        found = attendance.sessions_for(session, actor, campaign_id)
        if len(found) == 1:
            assert found[0].id is not None
            return self.view(session, actor, found[0].id, 0)
        campaign, _ = attendance.roll_session(session, actor, found[0].id or 0)
        return views.pick_session(campaign, [(s, get_unit(session, s.unit_id).name) for s in found])

    def view(self, session: Session, actor: Actor, session_id: int, page: int) -> TextReply:
        campaign, sess = attendance.roll_session(session, actor, session_id)
        return views.roll(campaign, sess, get_unit(session, sess.unit_id),
                          attendance.roll_rows(session, sess), page)

    async def action(self, incoming: IncomingAction, actor: Actor, op: str, arg: str) -> Outcome:
        parts = arg.split(":")
        session_id = data_id(parts[0])
        if op == "v":
            page = data_number(parts[1], 0, MAX_PAGE) if len(parts) > 1 else 0
            return Outcome([await self.db.run(self.view, actor, session_id, page)])
        if op == "m":
            return Outcome([await self.db.run(self._member, actor, session_id, data_id(parts[1]))])
        if op == "s":
            code = parts[2] if len(parts) > 2 else ""
            if code not in STATUS_CODES:
                raise ValueError(code)
            chat = incoming.chat
            return Outcome([await self.db.run(self._set, actor, session_id, data_id(parts[1]),
                                              code, chat.platform, chat.chat_id)])
        if op == "all":
            await self.db.run(attendance.rest_present, actor, session_id)
            return Outcome([await self.db.run(self.view, actor, session_id, 0)])
        if op == "close":
            counts = await self.db.run(self._close, actor, session_id)
            self.wake()
            return Outcome([counts], notice=shorten(counts.text, 190))
        raise ValueError(op)

    def _member(self, session: Session, actor: Actor, session_id: int,
                person_id: int) -> TextReply:
        _campaign, sess = attendance.roll_session(session, actor, session_id)
        for row, name, flagged in attendance.roll_rows(session, sess):
            if row.person_id == person_id:
                return views.roll_member(sess, row, name, flagged)
        raise InvalidInput(texts.ROLL_NOT_MEMBER)

    def _set(self, session: Session, actor: Actor, session_id: int, person_id: int, code: str,
             platform: str, chat_id: str) -> TextReply:
        row = attendance.set_attendance(session, actor, session_id, person_id, STATUS_CODES[code])
        _campaign, sess = attendance.roll_session(session, actor, session_id)
        if code == "a":  # absent: the reason comes as the next text in this chat
            attendance.await_reason(session, actor, session_id, person_id, platform, chat_id)
            name = next(n for r, n, _f in attendance.roll_rows(session, sess)
                        if r.person_id == row.person_id)
            return views.ask_reason(sess, person_id, name)
        if sess.awaiting_reason_for == person_id:
            sess.awaiting_reason_for = None
            session.add(sess)
        return self.view(session, actor, session_id, 0)

    def _close(self, session: Session, actor: Actor, session_id: int) -> TextReply:
        counts = attendance.close_roll(session, actor, session_id)
        _campaign, sess = attendance.roll_session(session, actor, session_id)
        return TextReply(texts.ROLL_CLOSED_DONE.format(
            unit=get_unit(session, sess.unit_id).name, present=counts["present"],
            absent=counts["absent"], exempt=counts["exempt"]))

    async def take_reason(self, incoming: IncomingText, actor: Actor) -> TextReply | None:
        """The absence reason the roll call asked this officer for in this chat."""
        def take(session: Session) -> TextReply | None:
            chat = incoming.chat
            sess = attendance.waiting_reason(session, actor, chat.platform, chat.chat_id)
            if sess is None or sess.id is None:
                return None
            attendance.take_reason(session, actor, sess, incoming.text)
            return self.view(session, actor, sess.id, 0)

        return await self.db.run(take)

    # --- exemptions ------------------------------------------------------------------------
    def exempt_units(self, session: Session, actor: Actor) -> TextReply:
        scope = officer_scope(session, actor)
        if not scope:
            raise PermissionDenied()
        found = {u.id: u for u in session.exec(select(Unit).where(col(Unit.id).in_(scope[:200])))}
        units = [found[u] for u in scope if u in found]
        if len(units) == 1:
            return views.exempt_list(units[0], exemptions.members_of(session, units[0].id or 0))
        return views.exempt_units(units)

    async def exempt_action(self, actor: Actor, op: str, arg: str) -> Outcome:
        unit_text, _, second = arg.partition(":")
        unit_id = data_id(unit_text)
        if op == "x":
            page = data_number(second or "0", 0, MAX_PAGE)
            return Outcome([await self.db.run(self._exempt_list, actor, unit_id, page)])
        person_id = data_id(second)

        def flip(session: Session) -> tuple[TextReply, str]:
            members = exemptions.members_of(session, unit_id)
            row = next((m for m in members if m[0] == person_id), None)
            if row is None:
                raise InvalidInput(texts.ROLL_NOT_MEMBER)
            if row[3]:
                exemptions.clear_exempt(session, actor, person_id, unit_id)
                notice = texts.EXEMPT_CLEARED.format(name=row[1])
            else:
                exemptions.set_exempt(session, actor, person_id, unit_id)
                notice = texts.EXEMPT_SET.format(name=row[1])
            return self._exempt_list(session, actor, unit_id, 0), notice

        reply, notice = await self.db.run(flip)
        return Outcome([reply], notice=shorten(notice, 190))

    def _exempt_list(self, session: Session, actor: Actor, unit_id: int, page: int) -> TextReply:
        if not can_act_on(session, actor, unit_id):
            raise PermissionDenied()
        return views.exempt_list(get_unit(session, unit_id), exemptions.members_of(session, unit_id),
                                 page)


__all__ = ["RollCall"]
