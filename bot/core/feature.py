"""What a feature is to the core: the `Feature` protocol, and `BaseFeature` with the
do-nothing defaults a feature overrides.

The dispatcher (bot.core.dispatcher) knows features only through this protocol and imports
none of them; the entry point lists them (tuyengiao/features.py). For each update the
dispatcher asks the registered features in their order:

- `before_identify(incoming)`: updates handled before the sender is identified (a native
  poll's counts have no sender; an anonymous vote must leave no trace on the voter's records);
- `command(...)`: a "/name args" message, for the features whose `commands` list the name;
- `action(...)`: a button press (or its typed number), for the feature whose
  `button_prefixes` hold the data's prefix ("bc" for "bc:5:stop");
- `text(...)`: any other text (a step of a guided form, a typed confirmation); the features
  with `takes_any_text` (the Q&A) come last, and get what no other feature took;
- `attachment(...)`: a file or photo a person sent;
- `chat_moved(...)`: a group now lives under a new id: re-point the feature's rows (in the
  one transaction the core opens for the move).

Its `commands` make the platform's command menu and /help (`MenuCommand`, with the
Vietnamese description, its /help line and who sees it), and `workers(ports)` its
background loops (reminders, delivery, closing polls), started by the entry point once the
outbound ports are open and stopped with the process (`Worker.run(stop)` returns when `stop`
is set). A feature never tests a platform's name: `incoming.chat.capabilities` and each
port's `capabilities` say what a chat can do.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal, Protocol

from bot.core.commands import Command
from bot.core.outbound import OutboundPort
from bot.core.types import Incoming, IncomingAction, IncomingText, IncomingUnsupported, Outcome

if TYPE_CHECKING:
    from sqlmodel import Session

    from bot.services.people import Actor


Audience = Literal["member", "officer", "admin"]


@dataclass(frozen=True)
class MenuCommand:
    """A command in the platform's menu: its name (without "/"), the Vietnamese line the
    menu shows, who it is for ("member": everyone; "officer": officers and admins; "admin":
    admins only), and its line in /help (`usage`: the command with its arguments, " — ",
    what it does; empty: the menu's line). This declaration is the one place a command's
    audience lives: the menu (`bot.core.dispatcher.menu_of`) and /help (the dispatcher's
    `_help`) both read it, so a person's /help lists exactly the commands they may use."""

    name: str
    description: str
    audience: Audience = "member"
    usage: str = ""

    @property
    def help_line(self) -> str:
        """The command's bullet in /help."""
        return "• " + (self.usage or f"/{self.name} — {self.description}")


def commands_of(menu: Mapping[str, str], usage: Mapping[str, str],
                audience: Audience = "member", **exceptions: Audience) -> tuple[MenuCommand, ...]:
    """A feature's commands from its messages module: one per `menu` entry (name → menu
    line), in order, with its `usage` line (if any), for `audience` unless `exceptions`
    names another for it (`dskhaosat="member"`)."""
    return tuple(MenuCommand(name, text, exceptions.get(name, audience), usage.get(name, ""))
                 for name, text in menu.items())


class Worker(Protocol):
    """A background loop of a feature."""

    name: str

    async def run(self, stop: asyncio.Event) -> None:
        """Work until `stop` is set, then finish what is in flight and return."""
        ...

    def wake(self) -> None:
        """Look for work now (something was just queued in this process)."""
        ...


class Feature(Protocol):
    name: str
    commands: Sequence[MenuCommand]
    button_prefixes: Sequence[str]
    takes_any_text: bool
    has_workers: bool  # `workers` has loops to start in this process

    async def before_identify(self, incoming: Incoming) -> Outcome | None: ...

    async def command(self, incoming: IncomingText, actor: Actor,
                      command: Command) -> Outcome | None: ...

    async def action(self, incoming: IncomingAction, actor: Actor, prefix: str,
                     rest: str) -> Outcome | None: ...

    async def text(self, incoming: IncomingText, actor: Actor) -> Outcome | None: ...

    async def attachment(self, incoming: IncomingUnsupported, actor: Actor) -> Outcome | None: ...

    def chat_moved(self, session: Session, platform: str, old_chat_id: str,
                   new_chat_id: str) -> None: ...

    def workers(self, ports: Mapping[str, OutboundPort]) -> Sequence[Worker]: ...


class BaseFeature:
    """Defaults for every hook: nothing handled, nothing to move, no workers."""

    name = "feature"
    commands: Sequence[MenuCommand] = ()
    button_prefixes: Sequence[str] = ()
    takes_any_text = False

    @property
    def has_workers(self) -> bool:
        return False

    async def before_identify(self, incoming: Incoming) -> Outcome | None:
        return None

    async def command(self, incoming: IncomingText, actor: Actor,
                      command: Command) -> Outcome | None:
        return None

    async def action(self, incoming: IncomingAction, actor: Actor, prefix: str,
                     rest: str) -> Outcome | None:
        return None

    async def text(self, incoming: IncomingText, actor: Actor) -> Outcome | None:
        return None

    async def attachment(self, incoming: IncomingUnsupported, actor: Actor) -> Outcome | None:
        return None

    def chat_moved(self, session: Session, platform: str, old_chat_id: str,
                   new_chat_id: str) -> None:
        return None

    def workers(self, ports: Mapping[str, OutboundPort]) -> Sequence[Worker]:
        return ()


__all__ = ["Audience", "BaseFeature", "Feature", "MenuCommand", "Worker", "commands_of"]
