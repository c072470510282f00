"""Account linking folds the Person left without an identity into the one that stays: every
column that names a person — read from the real database's foreign keys, so a table added
later without merge handling fails here — is re-pointed, nothing is lost, in one
transaction (bot.services.person_merge). On SQLite and PostgreSQL.

One row per table names the person going away in every person column (parents of those rows
belong to a bystander); the merge goes through the real linking flow (link code, claim,
the owner's consent). Collisions each table's rule resolves, and those it refuses, follow.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import Table, func, select
from sqlmodel import Session, SQLModel

from bot.services import person_merge
from bot.services.person_merge import REF_KEY, person_columns
from bot.storage.database import Database
from bot.storage.models import CodeGuard, Identity, Person, utcnow
from tests.bot.person_rows import (
    RowMaker,
    person,
    link,
    reflected_person_columns,
    reflected_unique_person_rules,
)

def _counts(session: Session, tables: list[Table]) -> dict[str, int]:
    return {t.name: session.execute(select(func.count()).select_from(t)).scalar_one()
            for t in tables}


def test_every_person_column_in_the_database_is_re_pointed(database: Database) -> None:
    metadata = SQLModel.metadata
    covered = person_columns(metadata)
    in_database = reflected_person_columns(database)
    # The merge knows every foreign key the database has to person (and no other).
    assert {(t.name, c.name) for t, c in covered if c.foreign_keys} == in_database
    mirrors = {(t.name, c.name) for t, c in covered if c.info.get(REF_KEY)}
    assert mirrors == {("report_assignment", "person_ref")}
    # Where two people's rows may collide, the table has its own rule (a table added with
    # such a constraint and no rule fails here).
    ruled = {t.name for t, _ in covered
             if t.info.get("person_merge") or t.name in person_merge.SHARED}
    assert reflected_unique_person_rules(database) - ruled == set()
    assert reflected_unique_person_rules(database) == {
        "answer_notice", "ask_conversation", "broadcast_recipient", "feedback", "membership",
        "opinion_collaborator", "report_assignment", "study_participant", "study_quiz_attempt"}

    def stage(session: Session) -> tuple[int, int, dict[str, Any], dict[str, int]]:
        owner = person(session, "telegram", "7001", "Chủ tài khoản")
        joiner = person(session, "zalo", "z-7001", "Tài khoản mới")
        bystander = person(session, "telegram", "7999", "Người khác")
        maker = RowMaker(session, bystander.person_id)
        made = {table.name: maker.make(table, joiner.person_id)
                for table in {t for t, _ in covered} if table.name != "identity"}
        session.add(CodeGuard(scope="person", key=str(joiner.person_id), failures=2))
        session.add(CodeGuard(scope="person", key=str(owner.person_id), failures=1,
                              locked_until=utcnow() + timedelta(minutes=5)))
        session.flush()
        return owner.person_id, joiner.person_id, made, _counts(session, list(metadata.sorted_tables))

    target, source, made, before = database.call(stage)
    decision = link(database, ("telegram", "7001"), ("zalo", "z-7001"))
    assert decision.status == "accepted" and decision.conflict is None

    def check(session: Session) -> None:
        assert session.get(Person, source) is None
        for table, column in covered:
            left = session.execute(select(func.count()).select_from(table)
                                   .where(column == source)).scalar_one()
            assert left == 0, f"{table.name}.{column.name} still names the merged person"
            if table.name == "identity":
                continue
            pk = table.primary_key.columns.values()[0]
            value = session.execute(select(column).where(pk == made[table.name])).scalar_one()
            assert value == target, f"{table.name}.{column.name} = {value}, not {target}"
        after = _counts(session, list(metadata.sorted_tables))
        # Nothing lost: the same rows (plus the link request and its code), one Person less,
        # the two code-guessing counts one.
        expected = dict(before, person=before["person"] - 1, code_guard=before["code_guard"] - 1,
                        link_request=before["link_request"] + 1,
                        invite_code=before["invite_code"] + 1)
        assert after == expected
        joiner = session.execute(select(Identity.person_id).where(
            Identity.platform == "zalo", Identity.platform_user_id == "z-7001")).scalar_one()
        assert joiner == target
        guards = session.execute(select(CodeGuard.key, CodeGuard.failures).where(
            CodeGuard.scope == "person")).all()
        assert [tuple(g) for g in guards] == [(str(target), 3)]  # counts joined, lock kept

    database.call(check)


def test_a_merge_that_breaks_a_unique_rule_is_refused_whole(database: Database) -> None:
    """A collision that no table's rule foresaw: the unique constraint refuses it, the link
    is declined with a message, and nothing has moved."""
    from bot.storage.models import Membership, Unit

    def stage(session: Session) -> tuple[int, int]:
        owner = person(session, "telegram", "7101", "Chủ tài khoản")
        joiner = person(session, "zalo", "z-7101", "Tài khoản mới")
        unit = Unit(name="Chi bộ 1", kind="cell")
        session.add(unit)
        session.flush()
        for actor in (owner, joiner):
            session.add(Membership(person_id=actor.person_id, unit_id=unit.id, role="member"))
        return owner.person_id, joiner.person_id

    target, source = database.call(stage)
    table = Membership.__table__  # type: ignore[attr-defined]
    rule = table.info.pop("person_merge", None)  # as if membership had no rule of its own
    shared = person_merge.SHARED.pop("membership")
    try:
        decision = link(database, ("telegram", "7101"), ("zalo", "z-7101"))
    finally:
        person_merge.SHARED["membership"] = shared
        if rule is not None:
            table.info["person_merge"] = rule
    assert decision.status == "declined"
    assert decision.conflict == "Chưa liên kết được hai tài khoản; hai tài khoản vẫn để riêng như trước."

    def check(session: Session) -> None:
        assert session.get(Person, source) is not None
        identity = session.execute(select(Identity.person_id).where(
            Identity.platform_user_id == "z-7101")).scalar_one()
        assert identity == source
        owners = session.execute(select(Membership.person_id).order_by(Membership.person_id)).scalars()
        assert list(owners) == sorted([target, source])

    database.call(check)
