"""The bot's tables: people and their per-platform identities, the unit tree and roles,
invite codes, known chats, and the question log with feedback.

Portable across SQLite and PostgreSQL: plain columns, CHECK and UNIQUE constraints, no
dialect-only types. Timestamps are stored in UTC (`UTCDateTime`) and come back timezone-aware;
`to_local` shows them in Asia/Ho_Chi_Minh.

Units form a tree through `parent_id`; `path` is the materialised path of ids ("/1/4/9/"), so
a subtree is `path LIKE '/1/4/%'` on any database.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone, tzinfo
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import CheckConstraint, DateTime, UniqueConstraint
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator
from sqlmodel import Field, SQLModel

Platform = Literal["telegram", "zalo", "local"]
Role = Literal["officer", "member"]
UnitKind = Literal["province", "district", "commune", "cell", "other"]
ChatKind = Literal["private", "group"]
InviteKind = Literal["unit", "link"]

PLATFORMS: tuple[str, ...] = ("telegram", "zalo", "local")
ROLES: tuple[str, ...] = ("officer", "member")
UNIT_KINDS: tuple[str, ...] = ("province", "district", "commune", "cell", "other")
CHAT_KINDS: tuple[str, ...] = ("private", "group")
ROLE_RANK: dict[str, int] = {"member": 1, "officer": 2}
# The largest row id any table can hold on both databases: PostgreSQL's `integer` primary
# keys (SQLite's are 64-bit). A number beyond it that someone types or forges is no id of
# ours; checking it up front spares the database driver an overflow error.
MAX_ID = 2**31 - 1


def valid_id(value: int) -> bool:
    """Whether `value` can be a row id (1 ≤ value ≤ MAX_ID)."""
    return 1 <= value <= MAX_ID


def _local_zone() -> tzinfo:
    try:
        return ZoneInfo("Asia/Ho_Chi_Minh")
    except ZoneInfoNotFoundError:  # no tz database on the host: Vietnam has no DST
        return timezone(timedelta(hours=7), "ICT")


LOCAL_TZ: tzinfo = _local_zone()


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


def to_local(moment: datetime) -> datetime:
    """The moment in Asia/Ho_Chi_Minh (naive values are taken as UTC)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(LOCAL_TZ)


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware datetime stored as UTC.

    PostgreSQL gets `timestamptz` with an aware UTC value; SQLite (no time zones) gets the
    naive UTC value. Reads always return aware UTC datetimes. Naive inputs are refused:
    they are a bug (which zone did the caller mean?).
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r}: pass a timezone-aware value")
        value = value.astimezone(timezone.utc)
        if dialect.name == "sqlite":
            return value.replace(tzinfo=None)
        return value

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc)


def _now_field(**kwargs: Any) -> Any:
    return Field(default_factory=utcnow, sa_type=UTCDateTime, **kwargs)


# --- people -------------------------------------------------------------------------------


class PersonBase(SQLModel):
    display_name: str = Field(default="", max_length=200)


class Person(PersonBase, table=True):
    """A human. Identities on several platforms can belong to one person."""

    id: int | None = Field(default=None, primary_key=True)
    created_at: datetime = _now_field()


class IdentityBase(SQLModel):
    platform: str = Field(max_length=16)
    platform_user_id: str = Field(max_length=64)
    display_name: str = Field(default="", max_length=200)


class Identity(IdentityBase, table=True):
    """One account on one platform (a Telegram user, a Zalo user, a local terminal user)."""

    __table_args__ = (
        UniqueConstraint("platform", "platform_user_id", name="uq_identity_platform_user"),
        CheckConstraint("platform IN ('telegram', 'zalo', 'local')", name="ck_identity_platform"),
    )

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    created_at: datetime = _now_field()
    last_seen_at: datetime = _now_field()
    # Set when a send to this account's private chat said it is gone (blocked the bot,
    # account deleted); cleared by their next message (bot.services.reachability).
    unreachable_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    unreachable_reason: str | None = Field(default=None, max_length=300)


# --- units and roles ----------------------------------------------------------------------


class UnitBase(SQLModel):
    name: str = Field(max_length=120)
    kind: str = Field(max_length=16)
    parent_id: int | None = Field(default=None, foreign_key="unit.id", index=True)


class Unit(UnitBase, table=True):
    """A province, district, commune, party cell (or other body) in the tree."""

    __table_args__ = (
        CheckConstraint(
            "kind IN ('province', 'district', 'commune', 'cell', 'other')", name="ck_unit_kind"
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    path: str = Field(default="", max_length=512, index=True)  # "/1/4/9/"
    created_at: datetime = _now_field()

    @property
    def depth(self) -> int:
        """0 for a root."""
        return max(self.path.count("/") - 2, 0)

    @property
    def path_ids(self) -> tuple[int, ...]:
        """The ids from the root down to this unit."""
        return tuple(int(part) for part in self.path.strip("/").split("/") if part)


class MembershipBase(SQLModel):
    person_id: int = Field(foreign_key="person.id", index=True)
    unit_id: int = Field(foreign_key="unit.id", index=True)
    role: str = Field(max_length=16)


class Membership(MembershipBase, table=True):
    __table_args__ = (
        UniqueConstraint("person_id", "unit_id", name="uq_membership_person_unit"),
        CheckConstraint("role IN ('officer', 'member')", name="ck_membership_role"),
    )

    id: int | None = Field(default=None, primary_key=True)
    created_at: datetime = _now_field()


class InviteCodeBase(SQLModel):
    # "unit": joins `unit_id` with `role`. "link": links another platform's identity to
    # `person_id` (a personal, one-time code; see bot.services.linking).
    kind: str = Field(default="unit", max_length=8)
    unit_id: int | None = Field(default=None, foreign_key="unit.id", index=True)
    role: str | None = Field(default=None, max_length=16)
    person_id: int | None = Field(default=None, foreign_key="person.id")
    expires_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    max_uses: int | None = None


class InviteCode(InviteCodeBase, table=True):
    __tablename__ = "invite_code"  # type: ignore[assignment]
    __table_args__ = (
        CheckConstraint("kind IN ('unit', 'link')", name="ck_invite_kind"),
        CheckConstraint("role IS NULL OR role IN ('officer', 'member')", name="ck_invite_role"),
        CheckConstraint(
            "(kind = 'unit' AND unit_id IS NOT NULL AND role IS NOT NULL)"
            " OR (kind = 'link' AND person_id IS NOT NULL)",
            name="ck_invite_target",
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=16, unique=True)
    created_by_person_id: int | None = Field(default=None, foreign_key="person.id")  # None: CLI
    created_at: datetime = _now_field()
    uses: int = 0
    revoked: bool = False


class LinkRequest(SQLModel, table=True):
    """Someone entered a link code (`/lienket <mã>`): the code owner's account must confirm
    before `identity_id` joins `owner_person_id` (bot.services.linking)."""

    __tablename__ = "link_request"  # type: ignore[assignment]
    __table_args__ = (
        CheckConstraint(
            "status IN ('pending', 'accepted', 'declined', 'cancelled', 'undelivered')",
            name="ck_link_request_status",
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    code_id: int = Field(foreign_key="invite_code.id", index=True)
    owner_person_id: int = Field(foreign_key="person.id", index=True)
    identity_id: int = Field(foreign_key="identity.id", index=True)
    status: str = Field(default="pending", max_length=12)
    created_at: datetime = _now_field()
    expires_at: datetime = Field(sa_type=UTCDateTime)
    decided_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class CodeGuard(SQLModel, table=True):
    """Failed code redemptions of one person or one chat (`scope` "person" / "chat", `key`
    its id), counted per window, and the lockout they earned (bot.services.code_guard).
    Kept in the database so a restart does not reset it."""

    __tablename__ = "code_guard"  # type: ignore[assignment]
    __table_args__ = (UniqueConstraint("scope", "key", name="uq_code_guard_scope_key"),)

    id: int | None = Field(default=None, primary_key=True)
    scope: str = Field(max_length=8)
    key: str = Field(max_length=96)
    failures: int = 0
    window_started_at: datetime = _now_field()
    locked_until: datetime | None = Field(default=None, sa_type=UTCDateTime)


# --- chats --------------------------------------------------------------------------------


class ChatRecordBase(SQLModel):
    platform: str = Field(max_length=16)
    chat_id: str = Field(max_length=64)
    kind: str = Field(max_length=8)
    title: str = Field(default="", max_length=255)
    unit_id: int | None = Field(default=None, foreign_key="unit.id", index=True)


class ChatRecord(ChatRecordBase, table=True):
    __tablename__ = "chat"  # type: ignore[assignment]
    __table_args__ = (
        UniqueConstraint("platform", "chat_id", name="uq_chat_platform_chat"),
        CheckConstraint("kind IN ('private', 'group')", name="ck_chat_kind"),
    )

    id: int | None = Field(default=None, primary_key=True)
    created_at: datetime = _now_field()
    last_seen_at: datetime = _now_field()
    # Groups: set when the bot was removed or the group no longer exists (or it became a
    # supergroup under a new id); cleared when the group writes again.
    unreachable_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    unreachable_reason: str | None = Field(default=None, max_length=300)


# --- questions ----------------------------------------------------------------------------


class QuestionLogBase(SQLModel):
    person_id: int | None = Field(default=None, foreign_key="person.id", index=True)
    unit_id: int | None = Field(default=None, foreign_key="unit.id", index=True)
    platform: str = Field(max_length=16)
    chat_id: str = Field(max_length=64)
    text: str = Field(max_length=4096)
    # knowledge.text.normalize + fold, whitespace collapsed, edges' punctuation stripped, cut
    # at 500 characters (kept short enough for any index): groups the same question.
    normalized_text: str = Field(max_length=500)
    latency_ms: int = 0
    answered: bool = False
    top_doc_id: str | None = Field(default=None, max_length=255)
    top_section: str | None = Field(default=None, max_length=255)
    # A follow-up ("còn gì nữa?", bot/ask/followups.py): the logged question it continues.
    # Not a question of its own, so the report does not count it as one.
    follows_id: int | None = Field(default=None, foreign_key="question_log.id")
    # An officer's official answer (bot/ask/models.py) now answers this unanswered question:
    # the report no longer lists it as missing.
    official_answer_id: int | None = Field(default=None, index=True)


class QuestionLog(QuestionLogBase, table=True):
    __tablename__ = "question_log"  # type: ignore[assignment]

    id: int | None = Field(default=None, primary_key=True)
    created_at: datetime = _now_field(index=True)


class Feedback(SQLModel, table=True):
    """A 👍 (+1) or 👎 (-1) on an answer; one per person and question."""

    __table_args__ = (
        UniqueConstraint("question_id", "person_id", name="uq_feedback_question_person"),
        CheckConstraint("value IN (-1, 1)", name="ck_feedback_value"),
    )

    id: int | None = Field(default=None, primary_key=True)
    question_id: int = Field(foreign_key="question_log.id", index=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    value: int
    created_at: datetime = _now_field()


class WorkLease(SQLModel, table=True):
    """A job that one process at a time does for all of them (the poll runner), held by
    `holder` until `lease_until` and renewed while it works (bot.storage.leases.hold)."""

    __tablename__ = "work_lease"  # type: ignore[assignment]

    name: str = Field(primary_key=True, max_length=64)
    holder: str = Field(max_length=128)
    lease_until: datetime = Field(sa_type=UTCDateTime)


__all__ = [
    "CHAT_KINDS", "LOCAL_TZ", "MAX_ID", "PLATFORMS", "ROLES", "ROLE_RANK", "UNIT_KINDS",
    "ChatKind", "ChatRecord", "ChatRecordBase", "CodeGuard", "Feedback", "Identity", "IdentityBase",
    "InviteCode", "InviteCodeBase", "InviteKind", "LinkRequest", "Membership", "MembershipBase", "Person",
    "PersonBase", "Platform", "QuestionLog", "QuestionLogBase", "Role", "UTCDateTime", "Unit",
    "UnitBase", "UnitKind", "WorkLease", "to_local", "utcnow", "valid_id",
]
