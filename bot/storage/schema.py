"""Bringing an existing database up to the models at start-up (SQLite and PostgreSQL).

The models grow by addition: new tables, new nullable columns or columns with a default
(`unreachable_at` / `unreachable_reason`, `forwarded_from`, ...). `create_all` creates missing
tables only, so a deployment's database made by an older version would lack the new columns
and fail at the first query that names one. `upgrade` compares the live schema with the
models registered on SQLModel.metadata (the entry point imports every feature's models) and
makes the additive difference, in one transaction, logging each step:

- a missing table is created (with its indexes and constraints);
- a missing column is added: nullable, or NOT NULL with the model's scalar default as the
  column's DEFAULT (so existing rows get it); a missing index is created;
- anything else — a column the models dropped, a changed type, a NOT NULL column without a
  default — is left alone; `upgrade` refuses (SchemaMismatch) only when a column cannot be
  added, before changing anything.

Why not Alembic: every change so far is additive, and this step needs no migration scripts
kept in step with the models, no version table and no second command for operators. When a
change needs data moved or a column altered, that is the time to bring Alembic in (its
`compare_metadata` is the same comparison, and a baseline revision can be stamped on top of
what `upgrade` leaves).
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from sqlalchemy import Column, MetaData, Table, inspect, text
from sqlalchemy.engine import Connection
from sqlalchemy.schema import CreateColumn
from sqlmodel import SQLModel

from bot.storage.database import Database

logger = logging.getLogger(__name__)


UPGRADE_LOCK = 0x7475_7965_6E67_6961  # PostgreSQL advisory lock key ("tuyengia")


class SchemaMismatch(RuntimeError):
    """The database cannot be brought up to the models by adding to it."""


def upgrade(db: Database, metadata: MetaData | None = None) -> list[str]:
    """Create missing tables, columns and indexes of `metadata` (default: every model
    registered on SQLModel's); the changes made, as log lines (empty when the database
    already matches). SchemaMismatch when a missing column can be neither nullable nor
    defaulted (nothing is changed then)."""
    with db.engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            # Several processes starting at once on one database: one compares and changes,
            # the others wait here for its commit, then find nothing to do (without it both
            # would CREATE the same table and one start would fail). SQLite's transactions
            # are serial already (BEGIN IMMEDIATE).
            conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": UPGRADE_LOCK})
        plan = _plan(conn, metadata if metadata is not None else SQLModel.metadata)
        for change, apply in plan:
            apply(conn)
            logger.info("database schema: %s", change)
    return [change for change, _ in plan]


def _plan(conn: Connection, metadata: MetaData) -> list[tuple[str, Callable[[Connection], object]]]:
    inspector = inspect(conn)
    existing = set(inspector.get_table_names())
    plan: list[tuple[str, Callable[[Connection], object]]] = []
    for table in metadata.sorted_tables:
        if table.name not in existing:
            plan.append((f"created table {table.name}",
                         lambda c, t=table: t.create(c)))
            continue
        have = {col["name"] for col in inspector.get_columns(table.name)}
        for column in table.columns:
            if column.name not in have:
                ddl = _add_column(conn, table, column)
                plan.append((f"added column {table.name}.{column.name}",
                             lambda c, d=ddl: c.execute(text(d))))
        indexes = {ix["name"] for ix in inspector.get_indexes(table.name)}
        for index in table.indexes:
            if index.name not in indexes:
                plan.append((f"created index {index.name}",
                             lambda c, ix=index: ix.create(c)))
    return plan


def _add_column(conn: Connection, table: Table, column: Column) -> str:  # type: ignore[type-arg]
    """`ALTER TABLE ... ADD COLUMN ...` for a column the database lacks."""
    dialect = conn.dialect
    spec = str(CreateColumn(column).compile(dialect=dialect))
    if not column.nullable and column.server_default is None:
        default = column.default.arg if column.default is not None else None
        if default is None or callable(default):
            raise SchemaMismatch(
                f"column {table.name}.{column.name} is NOT NULL without a default: it cannot "
                f"be added to existing rows")
        literal = column.type.literal_processor(dialect)
        shown = literal(default) if literal is not None else repr(default)
        spec += f" DEFAULT {shown}"
    return f"ALTER TABLE {dialect.identifier_preparer.format_table(table)} ADD COLUMN {spec}"


__all__ = ["SchemaMismatch", "upgrade"]
