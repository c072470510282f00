"""Rows for the person-merge tests: a maker of a row of any table with the least its
constraints accept (so a test covers tables it does not name), the person columns and unique
rules as the real database has them, and the real linking flow."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    DateTime,
    Integer,
    LargeBinary,
    String,
    Table,
    insert,
    inspect,
)
from sqlmodel import Session

import tuyengiao.tables  # noqa: F401  (every table on the metadata)
from bot.services import linking, people
from bot.services.person_merge import REF_KEY
from bot.storage.database import Database
from bot.storage.models import utcnow

ADMINS: frozenset[str] = frozenset()
IN_CHECK = re.compile(r"\b(\w+) IN \(([^)]*)\)")


def reflected_unique_person_rules(db: Database) -> set[str]:
    """Tables whose unique constraints or unique indexes (as the database has them) include
    a person column: two people merged may collide there."""
    inspector = inspect(db.engine)
    person = reflected_person_columns(db) | {("report_assignment", "person_ref")}
    found = set()
    for table in inspector.get_table_names():
        uniques = [u["column_names"] for u in inspector.get_unique_constraints(table)]
        uniques += [i["column_names"] for i in inspector.get_indexes(table) if i["unique"]]
        if any((table, c) in person for columns in uniques for c in columns):
            found.add(table)
    return found


def reflected_person_columns(db: Database) -> set[tuple[str, str]]:
    """(table, column) of every foreign key to person, as the database itself has them."""
    found = set()
    inspector = inspect(db.engine)
    for table in inspector.get_table_names():
        for fk in inspector.get_foreign_keys(table):
            if fk["referred_table"] == "person":
                found |= {(table, column) for column in fk["constrained_columns"]}
    return found


class RowMaker:
    """Rows of any table with the least that its constraints accept: required columns,
    foreign keys (a parent row made for each), the first value of each `x IN (...)` check."""

    def __init__(self, session: Session, bystander: int) -> None:
        self.session = session
        self.bystander = bystander
        self.counter = 0

    def _next(self) -> int:
        self.counter += 1
        return self.counter

    def make(self, table: Table, person_id: int) -> Any:
        """A new row of `table` whose person columns name `person_id`: its primary key."""
        allowed = _allowed_values(table)
        values: dict[str, Any] = {}
        for column in table.columns:
            if column.info.get(REF_KEY):
                values[column.name] = person_id
                continue
            fk = next(iter(column.foreign_keys), None)
            if fk is not None:
                parent = fk.column.table
                if parent.name == "person":
                    values[column.name] = person_id
                elif parent is not table:  # a self-reference stays empty
                    values[column.name] = self.make(parent, self.bystander)
                continue
            if column.name in allowed:
                values[column.name] = allowed[column.name]
            elif _required(column):
                values[column.name] = self._value(column)
        result = self.session.execute(insert(table).values(values))
        key = result.inserted_primary_key
        return key[0] if key is not None and len(key) == 1 else tuple(key or ())

    def _value(self, column: Column[Any]) -> Any:
        kind = column.type
        if isinstance(kind, Boolean):
            return False
        if isinstance(kind, Integer):
            return self._next()
        if isinstance(kind, DateTime) or "DateTime" in type(kind).__name__:
            return utcnow()
        if isinstance(kind, LargeBinary):
            return b"key"
        length = getattr(kind, "length", None) if isinstance(kind, String) else None
        return f"v{self._next()}"[: length or 64]


def _required(column: Column[Any]) -> bool:
    if column.nullable or column.default is not None or column.server_default is not None:
        return False
    return not (column.primary_key and column.autoincrement in (True, "auto")
                and isinstance(column.type, Integer))


def _allowed_values(table: Table) -> dict[str, Any]:
    """The first value each `column IN (...)` check of the table allows."""
    found: dict[str, Any] = {}
    for constraint in table.constraints:
        if isinstance(constraint, CheckConstraint):
            for name, listed in IN_CHECK.findall(str(constraint.sqltext)):
                first = listed.split(",")[0].strip()
                found.setdefault(name, first.strip("'") if first.startswith("'") else int(first))
    return found


def person(session: Session, platform: str, user: str, name: str) -> people.Actor:
    return people.identify(session, platform, user, name, admin_ids=ADMINS)


def link(db: Database, owner: tuple[str, str], joiner: tuple[str, str]) -> linking.LinkDecision:
    """The real flow: the owner's link code, claimed by the joiner, accepted by the owner."""
    def claim(session: Session) -> tuple[int, people.Actor]:
        owner_actor = person(session, *owner, "Chủ tài khoản")
        code = linking.link_code(session, owner_actor)
        prompt = linking.request_link(session, person(session, *joiner, "Tài khoản mới"), code)
        return prompt.request_id, owner_actor

    request_id, owner_actor = db.call(claim)
    return db.call(linking.decide, owner_actor, request_id, True)


__all__ = ["RowMaker", "link", "person", "reflected_person_columns",
           "reflected_unique_person_rules"]
