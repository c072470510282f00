"""The numbered actions offered per conversation, in the database (bot.inbox.offers): one
process offers, another reads; an empty offer keeps the previous one; a day later they are
forgotten (and pruned); an unreadable database costs the hint, not the answer."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from sqlalchemy import text
from sqlmodel import select

from bot.core.types import Action
from bot.inbox.models import ActionOffer
from bot.inbox.offers import DurableOffers
from bot.storage.database import Database
from bot.storage.models import utcnow

RATE = (Action("👍", "fb:12:1"), Action("👎", "fb:12:-1"), Action("Xem văn bản", "doc:12"))


async def test_an_offer_made_by_one_process_is_read_by_another(database: Database) -> None:
    sender, receiver = DurableOffers(database, "zalo"), DurableOffers(database, "zalo")
    await sender.offer(("g-1", "u-an"), RATE)
    await sender.offer(("g-1", "u-binh"), RATE[2:])
    assert await receiver.offered(("g-1", "u-an")) == RATE
    assert await receiver.offered(("g-1", "u-binh")) == RATE[2:]
    assert await receiver.offered(("g-2", "u-an")) == ()  # another chat: nothing offered
    assert await DurableOffers(database, "telegram").offered(("g-1", "u-an")) == ()
    # A reply without actions keeps the earlier offer; a new one replaces it.
    await receiver.offer(("g-1", "u-an"), ())
    assert await sender.offered(("g-1", "u-an")) == RATE
    await receiver.offer(("g-1", "u-an"), [Action("✖ Hủy", "bc:3:drop")])
    assert await sender.offered(("g-1", "u-an")) == (Action("✖ Hủy", "bc:3:drop"),)


async def test_offers_are_forgotten_after_a_day_and_pruned(database: Database) -> None:
    offers = DurableOffers(database, "zalo")
    await offers.offer(("p-1", "p-1"), RATE)
    two_days_ago = utcnow() - timedelta(days=2)
    with database.session() as s:
        s.exec(text("UPDATE action_offer SET offered_at = :t"),  # type: ignore[call-overload]
               params={"t": two_days_ago.replace(tzinfo=None)
                       if database.engine.dialect.name == "sqlite" else two_days_ago})
    assert await offers.offered(("p-1", "p-1")) == ()
    await DurableOffers(database, "zalo").offer(("p-2", "p-2"), RATE)  # a fresh process prunes
    with database.session() as s:
        assert [(o.chat_id, o.user_id) for o in s.exec(select(ActionOffer))] == [("p-2", "p-2")]


async def test_an_unreadable_database_costs_the_hint_only(tmp_path: Path) -> None:
    db = Database.open(f"sqlite:///{tmp_path / 'missing' / 'offers.db'}")  # cannot be created
    try:
        offers = DurableOffers(db, "zalo")
        await offers.offer(("p-1", "p-1"), RATE)
        assert await offers.offered(("p-1", "p-1")) == ()
    finally:
        db.close()
