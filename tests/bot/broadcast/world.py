"""A small unit tree with people, identities and known chats, written into a real database.

    Tỉnh Minh Sơn (province)
    └── Huyện Đông Hà (district)        officer: the district officer
        ├── Xã Hòa Bình (commune)
        │   └── Chi bộ thôn Đông (cell)  members
        └── Xã Tân Lập (commune)         members
    Tỉnh Lâm Giang (province)           another officer's subtree

Telegram user ids: members from 1001 up, officers 901 (district), 902 (other province),
admin 1; group chats from -5001 down.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlmodel import Session

from bot.services import people, units
from bot.services.people import Actor
from bot.storage.database import Database
from bot.storage.models import ChatRecord, Identity, Membership, Person

ADMIN = "telegram:1"
ADMIN_IDS = frozenset({ADMIN})


@dataclass
class World:
    province: int = 0
    district: int = 0
    commune: int = 0
    cell: int = 0
    commune2: int = 0
    other_province: int = 0
    members: dict[int, list[str]] = field(default_factory=dict)  # unit -> telegram user ids
    groups: dict[int, str] = field(default_factory=dict)  # unit -> group chat id
    silent: list[str] = field(default_factory=list)  # members who never wrote to the bot
    officer_id: str = "901"
    other_officer_id: str = "902"

    def actor(self, db: Database, user_id: str, platform: str = "telegram") -> Actor:
        return db.call(people.identify, platform, user_id, f"user {user_id}", admin_ids=ADMIN_IDS)

    def all_members(self) -> list[str]:
        return [m for ms in self.members.values() for m in ms]


def add_person(session: Session, user_id: str, name: str, unit_id: int, role: str,
               *, known_chat: bool = True, platform: str = "telegram") -> None:
    actor = people.identify(session, platform, user_id, name, admin_ids=ADMIN_IDS)
    session.add(Membership(person_id=actor.person_id, unit_id=unit_id, role=role))
    if known_chat:
        people.record_chat(session, platform, user_id, "private")
    session.flush()


def add_members(session: Session, unit_id: int, user_ids: list[str], *, known_chat: bool = True,
                platform: str = "telegram") -> None:
    """Many members at once (bulk inserts: thousands in well under a second)."""
    from sqlalchemy import insert

    if not user_ids:
        return
    first = session.execute(insert(Person).returning(Person.id), [
        {"display_name": f"Đảng viên {u}"} for u in user_ids]).scalars().all()
    person_ids = list(first)
    if len(person_ids) != len(user_ids):  # pragma: no cover - drivers without RETURNING
        raise RuntimeError("bulk insert did not return ids")
    session.execute(insert(Identity), [
        {"person_id": p, "platform": platform, "platform_user_id": u,
         "display_name": f"Đảng viên {u}"} for p, u in zip(person_ids, user_ids)])
    session.execute(insert(Membership), [
        {"person_id": p, "unit_id": unit_id, "role": "member"} for p in person_ids])
    if known_chat:
        session.execute(insert(ChatRecord), [
            {"platform": platform, "chat_id": u, "kind": "private"} for u in user_ids])


def add_group(session: Session, chat_id: str, unit_id: int, title: str) -> None:
    chat = people.record_chat(session, "telegram", chat_id, "group", title)
    chat.unit_id = unit_id
    session.add(chat)
    session.flush()


def build_world(db: Database, *, cell_members: int = 4, commune2_members: int = 3,
                silent: int = 1) -> World:
    w = World()

    def build(session: Session) -> None:
        w.province = units.admin_create_unit(session, "Tỉnh Minh Sơn", "province").id or 0
        w.district = units.admin_create_unit(session, "Huyện Đông Hà", "district", w.province).id or 0
        w.commune = units.admin_create_unit(session, "Xã Hòa Bình", "commune", w.district).id or 0
        w.cell = units.admin_create_unit(session, "Chi bộ thôn Đông", "cell", w.commune).id or 0
        w.commune2 = units.admin_create_unit(session, "Xã Tân Lập", "commune", w.district).id or 0
        w.other_province = units.admin_create_unit(session, "Tỉnh Lâm Giang", "province").id or 0
        add_person(session, w.officer_id, "Trần Thị Bình", w.district, "officer")
        add_person(session, w.other_officer_id, "Lê Văn Cường", w.other_province, "officer")
        next_id = 1001
        for unit, count in ((w.cell, cell_members), (w.commune2, commune2_members)):
            users = [str(next_id + i) for i in range(count)]
            next_id += count
            add_members(session, unit, users)
            w.members[unit] = users
        w.silent = [str(next_id + i) for i in range(silent)]
        add_members(session, w.cell, w.silent, known_chat=False)
        add_group(session, "-5001", w.cell, "Chi bộ thôn Đông")
        add_group(session, "-5002", w.commune2, "Đảng bộ xã Tân Lập")
        add_group(session, "-5003", w.other_province, "Tỉnh Lâm Giang")
        w.groups = {w.cell: "-5001", w.commune2: "-5002", w.other_province: "-5003"}

    db.call(build)
    return w

