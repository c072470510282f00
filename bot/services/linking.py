"""Linking a second platform's account to a person, with the first account's consent.

A member who already uses the bot on Telegram and starts on Zalo (or the other way round)
gets a fresh Person on the new platform. To make the two one person:

1. on the account they already use (the *owner*), in a private chat, `/lienket` gives a
   personal link code "LK-XXXX-XXXX" (`link_code`: one use, 15 minutes; asking again revokes
   the previous one);
2. on the new account (the *joiner*), `/lienket <mã>` claims the code (`request_link`): the
   code is used up at once, so nobody else can claim it, and a pending `LinkRequest` is made;
3. the owner's account is asked, in its private chat (a button on Telegram, a numbered
   choice on Zalo), whether that account — named, with the units and roles it holds — is
   theirs (`decide`); only then does the joiner's identity move to the owner's Person. The
   joiner may withdraw while it waits (`cancel`); after 15 minutes it lapses.

Why both steps: the code alone proves only that someone saw it. A code seen in a group, or
handed over as a fake "invite", would otherwise let a stranger's account become the owner
(and hold the owner's roles), or fold an officer's account and roles into a member's
Person. Here each side acts knowingly: the joiner typed a link command naming a link code,
and the owner confirmed that exact account. Roles reach a person only through a link that
their own side asked for or confirmed; admin rights (ADMIN_IDS) never move.

When the link is made and the Person left behind has no identity any more, everything that
names it in any table is folded into the owner's Person and it is deleted
(bot.services.person_merge), in the same transaction. When the two records cannot become
one (both voted in the same named poll...), the link is refused with that reason: the
request is declined, the accounts stay apart, both sides are told. A Person keeps at most
one identity per platform.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session, col, select, update

from bot.services.errors import InvalidInput, InviteInvalid, MergeConflict, PermissionDenied
from bot.services.invites import LINK_PREFIX, consume, find_code, new_code, show_link_code, usable
from bot.services.people import Actor, actor_for
from bot.services.person_merge import merge_person
from bot.storage.models import (
    ChatRecord,
    Identity,
    InviteCode,
    LinkRequest,
    Membership,
    Unit,
    utcnow,
    valid_id,
)
from bot import messages as texts

logger = logging.getLogger(__name__)

LINK_CODE_TTL = timedelta(minutes=15)
LINK_CONFIRM_TTL = timedelta(minutes=15)  # how long a claimed code waits for the owner


@dataclass(frozen=True)
class Account:
    """One side of a link as people see it, and where the bot can write to it privately."""

    platform: str
    display_name: str
    private_chat: str | None  # None: the bot has never had a private chat with it


@dataclass(frozen=True)
class LinkPrompt:
    """A claimed code: who asks (`joiner`, with the (unit, role) names it holds) to join
    whose Person (`owners`: the owner's accounts)."""

    request_id: int
    joiner: Account
    joiner_roles: tuple[tuple[str, str], ...]
    owners: tuple[Account, ...]


@dataclass(frozen=True)
class LinkDecision:
    """What became of a request: "accepted", "declined" or "cancelled". `actor` is the
    refreshed actor of whoever decided (after an accepted link the owner's Person gains the
    joiner's units). `conflict`: the owner accepted but the two records cannot be merged
    (the message saying why; the request is then "declined")."""

    status: str
    joiner: Account
    owners: tuple[Account, ...]
    actor: Actor
    conflict: str | None = None


def link_code(session: Session, actor: Actor, *, now: datetime | None = None) -> str:
    """A personal link code for the actor's Person, as shown ("LK-ABCD-EFGH"). Earlier
    unused link codes of the same Person are revoked."""
    now = now or utcnow()
    session.exec(
        update(InviteCode)
        .where(
            col(InviteCode.kind) == "link",
            col(InviteCode.person_id) == actor.person_id,
            col(InviteCode.revoked).is_(False),
            col(InviteCode.uses) == 0,
        )
        .values(revoked=True)
    )
    invite = InviteCode(
        code=new_code(session, LINK_PREFIX), kind="link", person_id=actor.person_id,
        max_uses=1, expires_at=now + LINK_CODE_TTL, created_by_person_id=actor.person_id,
        created_at=now,
    )
    session.add(invite)
    session.flush()
    logger.info("person %s asked for a link code (code %s)", actor.person_id, invite.id)
    return show_link_code(invite.code)


def request_link(session: Session, actor: Actor, code: str, *,
                 now: datetime | None = None) -> LinkPrompt:
    """Claim a link code for the actor's account: the code is used up and a request waits
    for its owner. InviteInvalid: unknown, revoked, expired, used_up, invite_code (an
    invite, not a link code), same_person, platform_taken."""
    now = now or utcnow()
    invite = find_code(session, code)
    if invite is not None and invite.kind != "link":
        raise InviteInvalid("invite_code")
    try:
        invite = usable(invite, now)
    except InviteInvalid as exc:  # the same reason, told as a link code's
        raise InviteInvalid(exc.reason, link=True) from None
    owner_id = invite.person_id
    assert owner_id is not None and invite.id is not None
    _check_linkable(session, actor.person_id, actor.platform, owner_id)
    consume(session, invite)
    request = LinkRequest(code_id=invite.id, owner_person_id=owner_id,
                          identity_id=actor.identity_id, created_at=now,
                          expires_at=now + LINK_CONFIRM_TTL)
    session.add(request)
    session.flush()
    assert request.id is not None
    logger.info("link request %s: identity %s (person %s) asks to join person %s",
                request.id, actor.identity_id, actor.person_id, owner_id)
    joiner = session.get(Identity, actor.identity_id)
    assert joiner is not None
    return LinkPrompt(request.id, _account(session, joiner),
                      _roles(session, actor.person_id), _owners(session, owner_id))


def mark_undelivered(session: Session, request_id: int) -> None:
    """The owner could not be asked (no private chat reachable): the request is void."""
    request = session.get(LinkRequest, request_id)
    if request is not None and request.status == "pending":
        request.status = "undelivered"
        session.add(request)
        session.flush()
        logger.warning("link request %s: the owner (person %s) could not be asked",
                       request_id, request.owner_person_id)


def decide(session: Session, actor: Actor, request_id: int, accept: bool, *,
           now: datetime | None = None) -> LinkDecision:
    """The owner's answer. Only the owner's Person may answer (PermissionDenied otherwise);
    a request already answered or past its time raises InvalidInput."""
    now = now or utcnow()
    request = _pending(session, request_id, now)
    if request.owner_person_id != actor.person_id:
        logger.warning("link request %s: person %s (%s user %s) is not its owner",
                       request_id, actor.person_id, actor.platform, actor.platform_user_id)
        raise PermissionDenied(texts.LINK_NOT_YOURS)
    joiner = session.get(Identity, request.identity_id)
    assert joiner is not None
    conflict = None
    if accept:
        _check_linkable(session, joiner.person_id, joiner.platform, request.owner_person_id)
        try:
            with session.begin_nested():  # a refused merge leaves everything as it was
                _link(session, joiner, request.owner_person_id)
        except MergeConflict as refused:
            conflict = refused.message
            session.expire_all()
            request = _pending(session, request_id, now)
            logger.warning("link request %s: the two records cannot be merged (%s)",
                           request_id, refused.what or "a collision")
    request.status, request.decided_at = ("accepted" if accept and not conflict
                                          else "declined"), now
    session.add(request)
    session.flush()
    log = logger.info if request.status == "accepted" else logger.warning
    log("link request %s %s by person %s", request_id, request.status, actor.person_id)
    return _decision(session, request, actor, conflict)


def cancel(session: Session, actor: Actor, request_id: int, *,
           now: datetime | None = None) -> LinkDecision:
    """The joiner withdraws their request (only the account that made it may)."""
    now = now or utcnow()
    request = _pending(session, request_id, now)
    if request.identity_id != actor.identity_id:
        raise PermissionDenied(texts.LINK_NOT_YOURS)
    request.status, request.decided_at = "cancelled", now
    session.add(request)
    session.flush()
    logger.info("link request %s cancelled by identity %s", request_id, actor.identity_id)
    return _decision(session, request, actor)


# --- helpers ------------------------------------------------------------------------------


def _pending(session: Session, request_id: int, now: datetime) -> LinkRequest:
    request = session.get(LinkRequest, request_id) if valid_id(request_id) else None
    if request is None or request.status != "pending" or request.expires_at <= now:
        raise InvalidInput(texts.LINK_REQUEST_GONE)
    return request


def _check_linkable(session: Session, joiner_person: int, platform: str, owner_id: int) -> None:
    if joiner_person == owner_id:
        raise InviteInvalid("same_person")
    taken = session.exec(
        select(Identity.id).where(Identity.person_id == owner_id, Identity.platform == platform)
    ).first()
    if taken is not None:
        raise InviteInvalid("platform_taken")


def _decision(session: Session, request: LinkRequest, actor: Actor,
              conflict: str | None = None) -> LinkDecision:
    joiner = session.get(Identity, request.identity_id)
    me = session.get(Identity, actor.identity_id)
    assert joiner is not None and me is not None
    owners = tuple(a for a in _owners(session, request.owner_person_id)
                   if a.platform != joiner.platform)
    return LinkDecision(request.status, _account(session, joiner), owners,
                        actor_for(session, me, is_admin=actor.is_admin), conflict)


def _account(session: Session, identity: Identity) -> Account:
    chat = session.exec(
        select(ChatRecord.chat_id).where(
            ChatRecord.platform == identity.platform,
            ChatRecord.chat_id == identity.platform_user_id,
            ChatRecord.kind == "private",
        )
    ).first()
    return Account(identity.platform, identity.display_name, chat)


def _owners(session: Session, person_id: int) -> tuple[Account, ...]:
    identities = session.exec(
        select(Identity).where(Identity.person_id == person_id).order_by(col(Identity.id))
    ).all()
    return tuple(_account(session, i) for i in identities)


def _roles(session: Session, person_id: int) -> tuple[tuple[str, str], ...]:
    rows = session.exec(
        select(Unit.name, Membership.role)
        .join(Membership, col(Membership.unit_id) == col(Unit.id))
        .where(Membership.person_id == person_id)
        .order_by(col(Unit.path))
    ).all()
    return tuple((name, role) for name, role in rows)


def _link(session: Session, identity: Identity, target_id: int) -> None:
    source_id = identity.person_id
    identity.person_id = target_id
    session.add(identity)
    session.flush()
    left = session.exec(select(Identity.id).where(Identity.person_id == source_id)).first()
    if left is None:
        merge_person(session, source_id, target_id)
    logger.info("identity %s linked to person %s", identity.id, target_id)


__all__ = [
    "Account", "LINK_CODE_TTL", "LINK_CONFIRM_TTL", "LinkDecision", "LinkPrompt", "cancel",
    "decide", "link_code", "mark_undelivered", "request_link",
]
