"""The channel-agnostic core: one `handle(incoming) -> Outcome` for every channel, offering
each update to the registered features (bot.core.feature) in order.

Adapters translate platform updates into `Incoming` and render the `Outcome`; what a person
can do — ask, press a button, run a command — is decided by the features, and authorisation
is enforced by the services they call, never by adapters. The dispatcher itself only
identifies the sender, answers /start and /help, follows chat changes, and turns refusals and
an unwritable database into short messages. It imports no feature.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, replace

from sqlmodel import Session

from bot import messages
from bot.core import degraded
from bot.core.commands import Command, parse_command
from bot.core.feature import Feature, MenuCommand
from bot.core.outbound import Outbound
from bot.core.types import (
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
from bot.services import people, reachability
from bot.services.errors import ServiceError
from bot.storage.database import Database
from knowledge.text import shorten, strip_unsafe

logger = logging.getLogger(__name__)

# The core's own commands, after the features' member commands in the menu.
CORE_COMMANDS: tuple[MenuCommand, ...] = (
    MenuCommand("help", messages.MENU["help"]),
    MenuCommand("start", messages.MENU["start"]),
)


@dataclass(frozen=True)
class CoreSettings:
    admin_ids: frozenset[str] = frozenset()


class Dispatcher:
    def __init__(self, db: Database, features: Sequence[Feature], settings: CoreSettings,
                 outbound: Outbound | None = None) -> None:
        self.db = db
        self.settings = settings
        self.features = list(features)
        # Messages the core and features start themselves; channels attach their ports.
        self.outbound = outbound or Outbound()
        names = [c.name for f in self.features for c in f.commands]
        if len(names) != len(set(names)) or set(names) & {c.name for c in CORE_COMMANDS}:
            raise ValueError(f"two features claim one command: {sorted(names)}")
        self._by_command = {c.name: f for f in self.features for c in f.commands}
        self._by_prefix = {p: f for f in self.features for p in f.button_prefixes}
        # Texts: the features with their own conversations first, the catch-all (Q&A) last.
        self._text_order = ([f for f in self.features if not f.takes_any_text]
                            + [f for f in self.features if f.takes_any_text])

    def feature(self, name: str) -> Feature | None:
        return next((f for f in self.features if f.name == name), None)

    def menu(self) -> list[tuple[str, str]]:
        return menu_of(self.features)

    async def handle(self, incoming: Incoming) -> Outcome:
        if isinstance(incoming, IncomingChatChange):  # no one to identify, nothing to answer
            # Best-effort: an unwritable database loses the mark (counted and logged); a
            # moved group is followed again at its next send.
            await self.db.run_best_effort("chat change", self._chat_change, incoming)
            return Outcome()
        if isinstance(incoming, IncomingText):
            # Control characters and bidirectional overrides would be stored, then echoed in
            # reports, exports and an officer's terminal (knowledge.text.strip_unsafe).
            incoming = replace(incoming, text=strip_unsafe(incoming.text))
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
            for feature in self.features:
                early = await feature.before_identify(incoming)
                if early is not None:
                    return early
            if isinstance(incoming, (IncomingPollUpdate, IncomingPollAnswer)):
                return Outcome()  # no feature takes polls here
        except ServiceError as exc:
            logger.info("update %s: %s: %s", incoming.update_id, type(exc).__name__, exc)
            return Outcome([TextReply(str(exc))])
        actor = await degraded.identify(self.db, _identify, incoming, self.settings.admin_ids)
        try:
            if isinstance(incoming, IncomingText):
                return await self._text(incoming, actor)
            if isinstance(incoming, IncomingAction):
                return await self._action(incoming, actor)
            if incoming.file_id or incoming.file_url:  # for a form waiting for a file
                for feature in self.features:
                    attached = await feature.attachment(incoming, actor)
                    if attached is not None:
                        return attached
            return self._unsupported(incoming)
        except ServiceError as exc:
            # Refusals and bad input the services detected: the message is for the person.
            logger.info("update %s: %s: %s", incoming.update_id, type(exc).__name__, exc)
            return Outcome([TextReply(str(exc))], notice=shorten(str(exc), 190))

    def _chat_change(self, session: Session, change: IncomingChatChange) -> None:
        """A group moved to a new id (every feature re-points its rows with the stored
        group, in one transaction), or the bot was blocked / removed, or is back."""
        chat = change.chat
        if change.moved_to is not None:
            reachability.move_chat(session, chat.platform, chat.chat_id, change.moved_to)
            for feature in self.features:
                feature.chat_moved(session, chat.platform, chat.chat_id, change.moved_to)
        elif change.reachable is False:
            reachability.mark_unreachable(session, chat.platform, chat.chat_id, chat.kind,
                                          change.reason or "unreachable")
        elif change.reachable:
            reachability.mark_reachable(session, chat.platform, chat.chat_id, chat.kind)

    async def _text(self, incoming: IncomingText, actor: people.Actor) -> Outcome:
        command = parse_command(incoming.text)
        if command is not None:
            return await self._command(incoming, actor, command)
        if incoming.chat.kind == "group" and not incoming.addressed:
            return Outcome()  # group chatter not meant for the bot
        for feature in self._text_order:
            handled = await feature.text(incoming, actor)
            if handled is not None:
                return handled
        return Outcome()

    async def _command(self, incoming: IncomingText, actor: people.Actor,
                       command: Command) -> Outcome:
        if command.name == "start":
            return Outcome([TextReply(messages.WELCOME)])
        if command.name == "help":
            return Outcome([TextReply(self._help(actor))])
        feature = self._by_command.get(command.name)
        if feature is not None:
            handled = await feature.command(incoming, actor, command)
            if handled is not None:
                return handled
        logger.info("update %s: unknown command /%s", incoming.update_id, command.name)
        return Outcome([TextReply(messages.UNKNOWN_COMMAND)])

    def _help(self, actor: people.Actor) -> str:
        """The core's prose, then every command `actor` may use, as the features declare
        them (MenuCommand.audience), in the features' order."""
        audiences = {"member"}
        if actor.is_admin or actor.is_officer:
            audiences.add("officer")
        if actor.is_admin:
            audiences.add("admin")
        commands = [c for f in self.features for c in f.commands if c.audience in audiences]
        parts = [messages.HELP]
        for title, staff in ((messages.HELP_MEMBER_TITLE, False),
                             (messages.HELP_OFFICER_TITLE, True)):
            lines = [c.help_line for c in commands if (c.audience != "member") == staff]
            if lines:
                parts.append("\n".join([title, *lines]))
        return "\n\n".join(parts)

    async def _action(self, incoming: IncomingAction, actor: people.Actor) -> Outcome:
        prefix, _, rest = incoming.data.partition(":")
        feature = self._by_prefix.get(prefix)
        try:
            if feature is not None:
                handled = await feature.action(incoming, actor, prefix, rest)
                if handled is not None:
                    return handled
        except (ValueError, KeyError):
            pass
        logger.warning("update %s: unusable action data %r", incoming.update_id, incoming.data)
        return Outcome(notice=messages.ACTION_INVALID)

    def _unsupported(self, incoming: IncomingUnsupported) -> Outcome:
        logger.info("update %s: unsupported %s message", incoming.update_id, incoming.kind)
        if incoming.chat.kind == "group":
            return Outcome()  # never answer a group's stickers and photos
        return Outcome([TextReply(messages.UNSUPPORTED_MESSAGE)])


def menu_of(features: Sequence[Feature]) -> list[tuple[str, str]]:
    """The command menu (name, description): every member command in the features' order,
    the core's, then the officers' and admins' (one menu: Telegram's is the same for all)."""
    commands = [c for f in features for c in f.commands]
    member = [c for c in commands if c.audience == "member"]
    officer = [c for c in commands if c.audience != "member"]
    return [(c.name, c.description) for c in (*member, *CORE_COMMANDS, *officer)]


def _identify(session: Session, incoming: Incoming, admin_ids: frozenset[str]) -> people.Actor:
    """Who is writing, and from which chat: one transaction (one thread hop) per update."""
    actor = people.identify(
        session, incoming.sender.platform, incoming.sender.user_id,  # type: ignore[union-attr]
        incoming.sender.display_name, admin_ids=admin_ids,  # type: ignore[union-attr]
    )
    people.record_chat(
        session, incoming.chat.platform, incoming.chat.chat_id, incoming.chat.kind,  # type: ignore[union-attr]
        incoming.chat.title,  # type: ignore[union-attr]
    )
    return actor


__all__ = ["CORE_COMMANDS", "CoreSettings", "Dispatcher", "menu_of"]
