"""The delivery queue port: how a feature hands one message for many chats to the bulk
delivery engine (the broadcast feature's outbox, worker and pacing) without importing it.

A feature builds a `Bulletin` (the text with its actions for chats with buttons, and the
same text with typed commands for chats without them: a worker may run in another process,
where a numbered hint could not be answered) and the `Addressee`s it goes to, and calls
`DeliveryQueue.enqueue` inside its own transaction: the rows are written with the feature's
change, so nothing is "queued in memory" and a crash loses nothing. The engine then sends
each row once, paced per platform, chat and group, retrying flood waits and outages,
marking chats that are gone and following groups that moved — as for broadcasts.

The entry point wires the implementation in (tuyengiao/features.py); `NoDelivery` stands in
where a process or a test has no engine (it refuses, so a feature cannot believe it sent).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Protocol

from bot.core.types import Action, ChatKind

if TYPE_CHECKING:
    from sqlmodel import Session


@dataclass(frozen=True)
class Bulletin:
    """One message for many chats. `text` and `actions` go to chats with buttons;
    `plain_text` (the same message saying typed commands instead) to chats without — empty
    means `text` without the actions. `feature` names who queued it (its rows are kept apart
    from officers' broadcasts); `attachment` is a platform file (platform, file id, name)
    sent after the text on that platform only."""

    feature: str
    text: str
    actions: tuple[Action, ...] = ()
    plain_text: str = ""
    attachment: tuple[str, str, str] | None = None


@dataclass(frozen=True)
class Addressee:
    """One chat: a person's private chat on one platform (`person_id` set) or a unit's
    group (`person_id` None); `unit_id` is the unit it is counted in."""

    person_id: int | None
    unit_id: int
    platform: str
    chat_id: str
    kind: ChatKind = "private"


class DeliveryQueue(Protocol):
    def enqueue(self, session: Session, bulletin: Bulletin, to: Sequence[Addressee], *,
                due: datetime | None = None, created_by: int | None = None) -> int | None:
        """Queue `bulletin` for every addressee (each chat once) in the caller's
        transaction; sends start at `due` (default now). Returns the batch's id, None when
        `to` is empty."""
        ...

    def wake(self) -> None:
        """Tell a delivery worker in this process that rows are due."""
        ...


class NoDelivery:
    """No delivery engine in this process: queuing is refused loudly."""

    def enqueue(self, session: Session, bulletin: Bulletin, to: Sequence[Addressee], *,
                due: datetime | None = None, created_by: int | None = None) -> int | None:
        if not to:
            return None
        raise RuntimeError("no delivery queue is wired into this process")

    def wake(self) -> None:
        return None


__all__ = ["Addressee", "Bulletin", "DeliveryQueue", "NoDelivery"]
