"""Who a message from an officer reaches, and who may send and manage one: the rules every
feature that addresses units shares (broadcasts, polls, and the coming study campaigns and
report requests).

Authorisation: members cannot send. An officer targets only units in their subtree
(`bot.services.units.can_act_on`); admins anywhere. A sent item is seen and managed by its
author, by admins, and by officers whose scope covers all its target units (`may_manage`).
`actor=None` is the server operator's CLI (trusted).

Who a message reaches:

Targets are units, each with its whole subtree. In them:
- people whose membership role is one of the chosen roles, each counted once, in the
  innermost targeted unit they belong to (a person in a cell and its commune counts for the
  cell);
- each such person is reached on every platform where they have an identity AND the bot
  knows a private chat with them (on Telegram and Zalo a private chat's id is the user's id;
  a bot cannot start a private chat, so a member who never wrote to the bot cannot be
  reached in private: they are counted as unreachable and read it in their unit's group);
- with `include_groups`, every group chat registered to one of the units (ChatRecord.unit_id,
  set with /ganhom in the group).
Chats marked unreachable (the person blocked the bot or deleted the account, the bot was
removed from the group or it no longer exists: bot.services.reachability) get nothing; they
are listed apart so previews and reports can count them.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from sqlalchemy import and_
from sqlmodel import Session, col, select

from bot import messages as texts
from bot.services.errors import PermissionDenied
from bot.services.people import Actor
from bot.services.units import can_act_on, get_unit, officer_units, under_any
from bot.storage.models import ChatRecord, Identity, Membership, Unit


@dataclass
class Audience:
    people: dict[int, tuple[int, str]] = field(default_factory=dict)  # person -> (unit, role)
    private_chats: list[tuple[int, int, str, str]] = field(default_factory=list)
    # (person, unit, platform, chat_id)
    groups: list[tuple[int, str, str]] = field(default_factory=list)  # (unit, platform, chat_id)
    # Marked unreachable, left out of the sends: same shapes as private_chats / groups.
    unreachable_chats: list[tuple[int, int, str, str]] = field(default_factory=list)
    unreachable_groups: list[tuple[int, str, str]] = field(default_factory=list)

    @property
    def reachable_people(self) -> int:
        return len({person for person, _, _, _ in self.private_chats})

    @property
    def unreachable(self) -> int:
        """People with no private chat to send to (never wrote to the bot, or blocked it)."""
        return len(self.people) - self.reachable_people

    @property
    def blocked_people(self) -> int:
        """People whose every known private chat is marked unreachable."""
        reachable = {person for person, _, _, _ in self.private_chats}
        return len({p for p, _, _, _ in self.unreachable_chats if p not in reachable})

    @property
    def messages(self) -> int:
        return len(self.private_chats) + len(self.groups)


def require_sender(session: Session, actor: Actor | None) -> None:
    if actor is not None and not actor.is_admin and not officer_units(session, actor):
        raise PermissionDenied(texts.NOT_OFFICER)


def check_targets(session: Session, actor: Actor | None, unit_ids: Sequence[int]) -> None:
    for unit_id in unit_ids:
        get_unit(session, unit_id)  # NotFound for a unit that does not exist
        if actor is not None and not can_act_on(session, actor, unit_id):
            raise PermissionDenied(texts.OUTSIDE_SCOPE)


def may_manage(session: Session, actor: Actor | None, created_by: int | None,
               unit_ids: Sequence[int]) -> bool:
    """The author, admins, the CLI, and officers whose scope covers every target unit."""
    if actor is None or actor.is_admin or created_by == actor.person_id:
        return True
    return bool(unit_ids) and all(can_act_on(session, actor, u) for u in unit_ids)


def target_units(session: Session, unit_ids: Iterable[int]) -> list[Unit]:
    """The targeted units with their subtrees (each once)."""
    roots = [get_unit(session, unit_id) for unit_id in dict.fromkeys(unit_ids)]
    if not roots:
        return []
    return list(session.exec(select(Unit).where(under_any([u.path for u in roots]))).all())


def resolve(session: Session, unit_ids: Sequence[int], roles: Sequence[str],
            include_groups: bool, platforms: Sequence[str] | None = None) -> Audience:
    units = target_units(session, unit_ids)
    depth = {u.id: u.depth for u in units if u.id is not None}
    audience = Audience()
    if not units or not roles:
        return audience
    ids = list(depth)
    rows = session.exec(
        select(Membership.person_id, Membership.unit_id, Membership.role)
        .where(col(Membership.unit_id).in_(ids), col(Membership.role).in_(list(roles)))
    ).all()
    for person_id, unit_id, role in sorted(rows, key=lambda r: (-depth[r[1]], r[1], r[0])):
        audience.people.setdefault(person_id, (unit_id, role))
    chats = session.exec(
        select(Identity.person_id, ChatRecord.platform, ChatRecord.chat_id,
               Identity.unreachable_at)
        .join(ChatRecord, and_(col(ChatRecord.platform) == col(Identity.platform),
                               col(ChatRecord.chat_id) == col(Identity.platform_user_id),
                               col(ChatRecord.kind) == "private"))
        .join(Membership, col(Membership.person_id) == col(Identity.person_id))
        .where(col(Membership.unit_id).in_(ids), col(Membership.role).in_(list(roles)))
        .distinct()
    ).all()
    for person_id, platform, chat_id, gone in sorted(chats, key=lambda r: (r[0], r[1])):
        if platforms is not None and platform not in platforms:
            continue
        unit_id = audience.people[person_id][0]
        chat = (person_id, unit_id, platform, chat_id)
        (audience.unreachable_chats if gone else audience.private_chats).append(chat)
    if include_groups:
        groups = session.exec(
            select(ChatRecord.unit_id, ChatRecord.platform, ChatRecord.chat_id,
                   ChatRecord.unreachable_at)
            .where(col(ChatRecord.unit_id).in_(ids), col(ChatRecord.kind) == "group")
            .order_by(col(ChatRecord.id))
        ).all()
        for unit_id, platform, chat_id, gone in groups:
            if unit_id is None or (platforms is not None and platform not in platforms):
                continue
            (audience.unreachable_groups if gone else audience.groups).append(
                (unit_id, platform, chat_id))
    return audience


def officers_of(session: Session, unit_ids: Iterable[int]) -> dict[int, list[int]]:
    """The officers of exactly each unit (not of its parents or sub-units): unit id → person
    ids, in id order; a unit without an officer is absent."""
    ids = list(dict.fromkeys(unit_ids))
    found: dict[int, list[int]] = {}
    for start in range(0, len(ids), 500):  # stay under every database's parameter limit
        rows = session.exec(
            select(Membership.unit_id, Membership.person_id)
            .where(col(Membership.unit_id).in_(ids[start:start + 500]),
                   col(Membership.role) == "officer")
            .order_by(col(Membership.person_id))
        ).all()
        for unit_id, person_id in rows:
            found.setdefault(unit_id, []).append(person_id)
    return found


def private_chats(session: Session, person_ids: Iterable[int]
                  ) -> tuple[dict[int, list[tuple[str, str]]], dict[int, list[tuple[str, str]]]]:
    """Where each person can be written to in private: (reachable, marked unreachable), each
    person id → [(platform, chat id)]. A person who never wrote to the bot is in neither (a
    bot cannot start a private chat)."""
    ids = list(dict.fromkeys(person_ids))
    reachable: dict[int, list[tuple[str, str]]] = {}
    gone: dict[int, list[tuple[str, str]]] = {}
    for start in range(0, len(ids), 500):
        rows = session.exec(
            select(Identity.person_id, ChatRecord.platform, ChatRecord.chat_id,
                   Identity.unreachable_at)
            .join(ChatRecord, and_(col(ChatRecord.platform) == col(Identity.platform),
                                   col(ChatRecord.chat_id) == col(Identity.platform_user_id),
                                   col(ChatRecord.kind) == "private"))
            .where(col(Identity.person_id).in_(ids[start:start + 500]))
            .order_by(col(Identity.person_id), col(ChatRecord.platform))
        ).all()
        for person_id, platform, chat_id, unreachable_at in rows:
            (gone if unreachable_at else reachable).setdefault(person_id, []).append(
                (platform, chat_id))
    return reachable, gone


__all__ = ["Audience", "check_targets", "may_manage", "officers_of", "private_chats",
           "require_sender", "resolve", "target_units"]
