"""The units feature: the unit tree (`/donvi`, `/taodonvi`), invites (`/taoma`, `/dangky`),
linking one's Telegram and Zalo accounts (`/lienket`) and its confirmation buttons
`lk:<request id>:<y|n|x>`. Thin handlers over bot.services.units / invites / linking /
code_guard; the rules live there.

Codes are shown only in private chats. Asked for in a group, the code goes to the person's
private chat with the bot when the bot has one (it cannot start one: the person must have
written to it first) and the group is told so; otherwise the group gets a refusal and no
code is made. Redemptions go through the rate limit (code_guard) wherever they are typed: a
single-use code typed in a group is spent at once by the person who typed it.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import TypeVar

from sqlmodel import Session

from bot.core.arguments import data_id, number_in, row_id
from bot.core.commands import Command
from bot.core.feature import BaseFeature, MenuCommand
from bot.core.outbound import Outbound
from bot.core.types import Action, IncomingAction, IncomingText, Outcome, TextReply
from bot.services import code_guard, invites, linking, people, units
from bot.services.code_guard import GuardPolicy
from bot.services.errors import InviteInvalid
from bot.storage.database import Database
from bot.storage.models import to_local
from bot import messages
from knowledge.text import shorten

logger = logging.getLogger(__name__)

T = TypeVar("T")
INVITE_ROLES = {"dangvien": "member", "canbo": "officer"}


@dataclass(frozen=True)
class CodeSettings:
    invite_days: int = 7
    member_uses: int = invites.DEFAULT_MEMBER_USES  # a member invite's uses unless widened
    guard: GuardPolicy = GuardPolicy()


class UnitsFeature(BaseFeature):
    name = "units"
    commands = (
        MenuCommand("dangky", messages.MENU["dangky"], usage=messages.USAGE["dangky"]),
        MenuCommand("lienket", messages.MENU["lienket"], usage=messages.USAGE["lienket"]),
        *(MenuCommand(name, messages.MENU[name], "officer", messages.USAGE[name])
          for name in ("donvi", "taodonvi", "taoma")),
    )
    button_prefixes = ("lk",)

    def __init__(self, db: Database, outbound: Outbound,
                 settings: CodeSettings = CodeSettings()) -> None:
        self.db = db
        self.outbound = outbound  # codes and link questions go to private chats through it
        self.settings = settings

    async def command(self, incoming: IncomingText, actor: people.Actor,
                      command: Command) -> Outcome | None:
        name, args = command.name, command.args
        if name == "dangky":
            return await self.join(incoming, actor, args)
        if name == "lienket":
            return await self.link(incoming, actor, args)
        if name == "taoma":
            return await self.invite(incoming, actor, args)
        if name == "donvi":
            return await self._units(actor)
        if name == "taodonvi":
            return await self._create_unit(actor, args)
        return None

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
        if len(parts) >= 2 and parts[0].lower() in messages.UNIT_KINDS:
            # No parent: a root unit (admins only; the service refuses anyone else).
            parts = ["", parts[0], args.split(maxsplit=1)[1]]
            parent_id = None
        else:
            parent_id = row_id(parts[0]) if parts else None
            if len(parts) < 3 or parent_id is None or parts[1].lower() not in messages.UNIT_KINDS:
                return Outcome([TextReply(messages.TAODONVI_USAGE)])
        kind = messages.UNIT_KINDS[parts[1].lower()]
        unit = await self.db.run(units.create_unit, actor, parts[2], kind, parent_id)
        kind_name = messages.UNIT_KIND_NAMES.get(unit.kind, unit.kind)
        return Outcome([TextReply(messages.UNIT_CREATED.format(
            name=unit.name, id=unit.id, kind=kind_name))])

    # --- /dangky ----------------------------------------------------------------------
    async def join(self, incoming: IncomingText, actor: people.Actor, args: str) -> Outcome:
        if not args:
            return _text(messages.DANGKY_USAGE)
        joined = await self._redeem(incoming, actor, args.split()[0], invites.join_with_code)
        role_name = messages.ROLE_NAMES.get(joined.role, joined.role)
        return _text(messages.JOINED_UNIT.format(unit=joined.unit.name, role=role_name))

    # --- /lienket ---------------------------------------------------------------------
    async def link(self, incoming: IncomingText, actor: people.Actor, args: str) -> Outcome:
        if args:
            return await self._request_link(incoming, actor, args.split()[0])

        async def make() -> tuple[str, str]:
            code = await self.db.run(linking.link_code, actor)
            return messages.LINK_CODE.format(code=code), code

        return await self._code_in_private(incoming, actor, make)

    async def _request_link(self, incoming: IncomingText, actor: people.Actor,
                            code: str) -> Outcome:
        prompt = await self._redeem(incoming, actor, code, linking.request_link)
        joiner = prompt.joiner
        roles = "; ".join(
            messages.LINK_ROLE_ITEM.format(role=messages.ROLE_NAMES.get(role, role), unit=unit)
            for unit, role in prompt.joiner_roles)
        ask = TextReply(
            messages.LINK_CONFIRM_ASK.format(
                platform=_platform(joiner.platform), name=joiner.display_name,
                roles=messages.LINK_ROLES.format(roles=roles) if roles else messages.LINK_NO_ROLES),
            (Action(messages.LINK_ACCEPT_BUTTON, f"lk:{prompt.request_id}:y"),
             Action(messages.LINK_DECLINE_BUTTON, f"lk:{prompt.request_id}:n")))
        asked = [owner for owner in prompt.owners if owner.private_chat is not None
                 and await self.outbound.push(owner.platform, owner.private_chat, [ask])]
        if not asked:
            await self.db.run(linking.mark_undelivered, prompt.request_id)
            return _text(messages.LINK_UNDELIVERED)
        owner = asked[0]
        return Outcome([TextReply(
            messages.LINK_REQUESTED.format(platform=_platform(owner.platform), name=owner.display_name),
            (Action(messages.LINK_CANCEL_BUTTON, f"lk:{prompt.request_id}:x"),))])

    async def action(self, incoming: IncomingAction, actor: people.Actor, prefix: str,
                     rest: str) -> Outcome | None:
        """`lk:<id>:y|n` (the owner answers), `lk:<id>:x` (the joiner withdraws).
        ValueError: data no button of ours carries."""
        id_text, _, op = rest.partition(":")
        request_id = data_id(id_text)
        if op in ("y", "n"):
            decision = await self.db.run(linking.decide, actor, request_id, op == "y")
            joiner, owner = decision.joiner, (decision.owners or (None,))[0]
            owner_name = owner.display_name if owner else ""
            owner_platform = _platform(owner.platform) if owner else ""
            if decision.conflict:  # accepted, but the two records cannot become one
                told = mine = decision.conflict
            elif decision.status == "accepted":
                told, mine = messages.ACCOUNTS_LINKED, messages.LINK_DONE_OWNER
            else:
                told = messages.LINK_DECLINED_JOINER.format(platform=owner_platform, name=owner_name)
                mine = messages.LINK_DECLINED_OWNER
            if joiner.private_chat is not None:
                await self.outbound.push(joiner.platform, joiner.private_chat, [TextReply(told)])
            text = (mine if decision.conflict else
                    mine.format(platform=_platform(joiner.platform), name=joiner.display_name))
            return Outcome([TextReply(text)], notice=shorten(text, 190))
        if op == "x":
            decision = await self.db.run(linking.cancel, actor, request_id)
            note = TextReply(messages.LINK_CANCELLED_OWNER.format(
                platform=_platform(decision.joiner.platform), name=decision.joiner.display_name))
            for owner in decision.owners:
                if owner.private_chat is not None:
                    await self.outbound.push(owner.platform, owner.private_chat, [note])
            return Outcome([TextReply(messages.LINK_CANCELLED_JOINER)],
                           notice=messages.LINK_CANCELLED_JOINER)
        raise ValueError(op)

    # --- /taoma -----------------------------------------------------------------------
    async def invite(self, incoming: IncomingText, actor: people.Actor, args: str) -> Outcome:
        parts = args.split()
        usage = messages.TAOMA_USAGE.format(member_uses=self.settings.member_uses,
                                            max=invites.MAX_USES)
        unit_id = row_id(parts[0]) if parts else None
        role, uses = "member", None
        for word in parts[1:]:
            if word.lower() in INVITE_ROLES:
                role = INVITE_ROLES[word.lower()]
            elif (count := number_in(word, 1, invites.MAX_USES)) is not None and uses is None:
                uses = count
            else:
                return _text(usage)
        if unit_id is None:
            return _text(usage)
        uses = uses or invites.default_uses(role, self.settings.member_uses)

        async def make() -> tuple[str, str]:
            invite = await self.db.run(
                invites.create_invite, actor, unit_id, role, max_uses=uses,
                expires_in=timedelta(days=self.settings.invite_days))
            unit = await self.db.run(units.get_unit, unit_id)
            expires = (to_local(invite.expires_at).strftime("%H:%M %d/%m/%Y")
                       if invite.expires_at else "—")
            return messages.INVITE_CREATED.format(
                unit=unit.name, role=messages.ROLE_NAMES[role], code=invite.code, uses=uses,
                expires=expires), invite.code

        return await self._code_in_private(incoming, actor, make)

    # --- shared -----------------------------------------------------------------------
    async def _code_in_private(self, incoming: IncomingText, actor: people.Actor,
                               make: Callable[[], Awaitable[tuple[str, str]]]) -> Outcome:
        """Make a code (`make` → the message showing it, the code) and show it where only the
        actor sees it (see the module docstring)."""
        chat = incoming.chat
        if chat.kind == "private":
            return _text((await make())[0])
        platform, user = incoming.sender.platform, incoming.sender.user_id
        if not (self.outbound.reaches(platform)
                and await self.db.run(people.private_chat_known, platform, user)):
            logger.info("update %s: code asked for in group %s; person %s has no private chat",
                        incoming.update_id, chat.chat_id, actor.person_id)
            return _text(messages.CODES_PRIVATE_ONLY)
        text, code = await make()
        if not await self.outbound.push(platform, user, [TextReply(text)]):
            await self.db.run(invites.withdraw, code)
            return _text(messages.CODES_PRIVATE_ONLY)
        logger.info("update %s: code asked for in group %s sent to person %s privately",
                    incoming.update_id, chat.chat_id, actor.person_id)
        return _text(messages.CODE_SENT_PRIVATELY)

    async def _redeem(self, incoming: IncomingText, actor: people.Actor, code: str,
                      use: Callable[[Session, people.Actor, str], T]) -> T:
        result = await self.db.run(code_guard.redeem, self.settings.guard, actor,
                                   incoming.chat.platform, incoming.chat.chat_id, code, use)
        if isinstance(result, InviteInvalid):
            raise result  # after the failure it counted was committed
        return result


def _platform(name: str) -> str:
    return messages.PLATFORM_NAMES.get(name, name)


def _text(text: str) -> Outcome:
    return Outcome([TextReply(text)])


__all__ = ["CodeSettings", "INVITE_ROLES", "UnitsFeature"]
