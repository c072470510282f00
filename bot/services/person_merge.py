"""Folding one Person into another, for account linking (bot.services.linking): every row of
every table that names the Person going away is re-pointed to the one that stays, inside the
caller's transaction, or the merge is refused (`MergeConflict`) and nothing changes.

Which columns name a person is read from the tables' metadata, not listed here: every
foreign key to `person.id`, plus the columns that hold a person's id without one (marked
`info={"person_ref": True}`, e.g. `report_assignment.person_ref`, the person id or 0 that a
unique constraint can see). So a table added later is re-pointed without a change here.

What a plain re-pointing would get wrong — two rows that a unique constraint allows only one
of, or two records that may not become one person's — is each table's own rule, its
*resolver*: `resolver(session, source_id, target_id)`, run before any row moves. A feature
declares it on its table (`__table_args__ = (..., {"info": {"person_merge": resolver}})`);
the shared tables' resolvers are below. A resolver merges or drops the source's rows that
would collide (keeping what matters: the earliest reading confirmation, the higher role, the
study progress), or raises MergeConflict when the two cannot be one (both voted in the same
named poll, both filed a report for the same request). A collision no resolver foresaw
breaks a unique constraint: it is refused the same way (logged with the table), never
half-done.

Anonymous polls are never touched: their votes carry no person (bot.polls.anonymity), so no
row of theirs matches and nothing about them is read or written.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Hashable
from typing import TypeVar

from sqlalchemy import Column, MetaData, Table, delete, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, SQLModel, col, select

from bot.services.errors import MergeConflict
from bot.storage.models import (
    ROLE_RANK,
    CodeGuard,
    Feedback,
    InviteCode,
    LinkRequest,
    Membership,
    Person,
)

logger = logging.getLogger(__name__)

Resolver = Callable[[Session, int, int], None]
M = TypeVar("M")
RESOLVER_KEY = "person_merge"  # Table.info: the table's resolver
REF_KEY = "person_ref"  # Column.info: a person's id kept without a foreign key


def person_columns(metadata: MetaData | None = None) -> list[tuple[Table, Column[int]]]:
    """(table, column) for every column naming a person: foreign keys to person.id and
    `person_ref` columns, by table and column name."""
    metadata = metadata or SQLModel.metadata
    found = []
    for table in metadata.sorted_tables:
        for column in table.columns:
            points = any(fk.column.table.name == "person" for fk in column.foreign_keys)
            if points or column.info.get(REF_KEY):
                found.append((table, column))
    return sorted(found, key=lambda tc: (tc[0].name, tc[1].name))


def merge_person(session: Session, source_id: int, target_id: int,
                 metadata: MetaData | None = None) -> dict[str, int]:
    """Move everything of Person `source_id` onto `target_id` and delete the source; the rows
    moved per "table.column". The source must hold no identity any more (the caller moved
    it). MergeConflict: the two cannot be merged (the caller's transaction is then to be
    rolled back, or this call run in a savepoint)."""
    columns = person_columns(metadata)
    for table in sorted({t for t, _ in columns}, key=lambda t: t.name):
        resolver: Resolver | None = table.info.get(RESOLVER_KEY) or SHARED.get(table.name)
        if resolver is not None:
            resolver(session, source_id, target_id)
    _code_guard(session, source_id, target_id)
    session.flush()
    moved: dict[str, int] = {}
    for table, column in columns:
        try:
            with session.begin_nested():
                result = session.execute(
                    update(table).where(column == source_id).values({column.name: target_id}))
        except IntegrityError as exc:
            logger.warning("merging person %s into %s: %s.%s collides (%s)", source_id,
                           target_id, table.name, column.name, exc.orig)
            raise MergeConflict() from None
        if result.rowcount:
            moved[f"{table.name}.{column.name}"] = result.rowcount
    session.execute(delete(Person).where(col(Person.id) == source_id))
    session.flush()
    session.expire_all()  # rows loaded before now may hold the old person's id
    logger.info("person %s merged into %s: %s", source_id, target_id,
                ", ".join(f"{k} {v}" for k, v in sorted(moved.items())) or "no rows")
    return moved


def collisions(session: Session, model: type[M], key: Callable[[M], Hashable],
               source_id: int, target_id: int) -> list[tuple[M, M]]:
    """For a resolver: (source's row, target's row) pairs of `model` (a table with a
    `person_id`) that have the same `key` — the rows a unique constraint allows only one of
    once both belong to the target."""
    def rows(person_id: int) -> list[M]:
        return list(session.exec(select(model).where(
            col(model.person_id) == person_id)).all())  # type: ignore[attr-defined]

    kept: dict[Hashable, M] = {key(row): row for row in rows(target_id)}
    return [(row, kept[key(row)]) for row in rows(source_id) if key(row) in kept]


# --- the shared tables' resolvers ----------------------------------------------------------


def _memberships(session: Session, source_id: int, target_id: int) -> None:
    """One membership per unit: the higher role, and an exemption either side had."""
    for m, other in collisions(session, Membership, lambda r: r.unit_id, source_id, target_id):
        if ROLE_RANK[m.role] > ROLE_RANK[other.role]:
            other.role = m.role
        if other.exempt_at is None and m.exempt_at is not None:
            other.exempt_at, other.exempt_reason = m.exempt_at, m.exempt_reason
            other.exempt_by_person_id = m.exempt_by_person_id
        session.add(other)
        session.delete(m)


def _feedback(session: Session, source_id: int, target_id: int) -> None:
    """One rating per person and answer: the staying person's."""
    for fb, _ in collisions(session, Feedback, lambda r: r.question_id, source_id, target_id):
        session.delete(fb)


def _invite_codes(session: Session, source_id: int, target_id: int) -> None:
    """A link code of the Person going away can no longer be used (it would link to the
    merged person without its owner asking again)."""
    session.exec(update(InviteCode).where(  # type: ignore[call-overload]
        col(InviteCode.person_id) == source_id, col(InviteCode.kind) == "link",
    ).values(revoked=True))


def _link_requests(session: Session, source_id: int, target_id: int) -> None:
    """A request to join the Person that is going away can no longer be met."""
    session.exec(update(LinkRequest).where(  # type: ignore[call-overload]
        col(LinkRequest.owner_person_id) == source_id, col(LinkRequest.status) == "pending",
    ).values(status="cancelled"))


def _code_guard(session: Session, source_id: int, target_id: int) -> None:
    """The code-guessing count of a person (`scope` "person", `key` its id: no foreign key):
    the two counts become one, the later lockout kept — merging never lifts a lockout."""
    source = session.exec(select(CodeGuard).where(
        CodeGuard.scope == "person", CodeGuard.key == str(source_id))).first()
    if source is None:
        return
    target = session.exec(select(CodeGuard).where(
        CodeGuard.scope == "person", CodeGuard.key == str(target_id))).first()
    if target is None:
        source.key = str(target_id)
        session.add(source)
        return
    target.failures += source.failures
    target.window_started_at = min(target.window_started_at, source.window_started_at)
    locks = [t for t in (target.locked_until, source.locked_until) if t is not None]
    target.locked_until = max(locks) if locks else None
    session.add(target)
    session.delete(source)


SHARED: dict[str, Resolver] = {
    "membership": _memberships,
    "feedback": _feedback,
    "invite_code": _invite_codes,
    "link_request": _link_requests,
}


__all__ = ["REF_KEY", "RESOLVER_KEY", "Resolver", "collisions", "merge_person", "person_columns"]
