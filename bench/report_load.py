"""Reports at scale: one district with N communes (1,000 by default), each with an officer
who has a private chat; a monthly request to all of them ("các đơn vị trực thuộc", one
number field), run for M months (12 by default) on a moving clock: each month the tracker's
tick opens the period (one notice per officer queued in the outbox), a share of the communes
submit through the real form service (some after the deadline), reminders and escalations
are queued by later ticks.

Timed, after the 12 months (median of --repeat runs, milliseconds):
  tracker page   `/theodoibaocao <id> <last month>`: counts and the first page of units
  roll-up        `/tonghopbaocao <id> <last month>`: the number field summed per unit, text
  roll-up CSV    the same as a formula-safe CSV (N rows)
  punctuality    `/baocaodonvi <last month>`: late list and ranking
  tick           one tracker pass with nothing new due (it scans the open instances)
Also printed: the setup's own figures (submissions per second through the form service, the
reminder rows queued).

With --deliver, reminder sending at the platform rate, on a fresh database of its own (SQLite
unless --database-url): the same N communes, a monthly request opened (its N request notices
delivered first, unthrottled, so that only reminders are measured), then the D-3 tick at 08:00
queues one reminder per commune and the real broadcast worker (in this process, default
WorkerConfig) sends them through the real Telegram adapter at Telegram's limit
(TELEGRAM_LIMITS, 30 messages/s, or --deliver-rate) to the loopback Bot API. Printed: the
tick's time, tick to first and last arrival, the achieved rate (first to last arrival)
against the limit, lost and duplicated chats.

    .venv/bin/python bench/report_load.py [--units 1000] [--months 12] [--share 0.85]
        [--late-share 0.1] [--repeat 5] [--database-url URL] [--deliver [--deliver-rate 30]]

Target (issue 15): tracker page and roll-up ≤ 1 s at 1,000 units × 12 instances.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import tuyengiao.tables  # noqa: E402,F401  (every table registered)
from bot.broadcast.models import Delivery  # noqa: E402
from bot.broadcast.queue import OutboxQueue  # noqa: E402
from bot.reports import instances, periods, punctuality, requests, rollups, submit, views  # noqa: E402
from bot.reports.config import ReportConfig  # noqa: E402
from bot.reports.models import ReportAssignment, ReportInstance  # noqa: E402
from bot.reports.worker import tick_once  # noqa: E402
from bot.services import form_fields, people, units  # noqa: E402
from bot.storage.database import Database  # noqa: E402
from bot.storage.models import LOCAL_TZ, ChatRecord, Identity, Membership, Person  # noqa: E402

from bot.broadcast.worker import BroadcastWorker, WorkerConfig  # noqa: E402
from bot.channels.telegram.outbound import TELEGRAM_LIMITS, TelegramOutbound  # noqa: E402
from bot.core.outbound import RateLimits  # noqa: E402
from sqlalchemy import func, insert, select  # noqa: E402
from tests.fakes.telegram_api import TelegramApiServer  # noqa: E402

ADMIN_IDS = frozenset({"telegram:1"})


def build(db: Database, count: int) -> tuple[int, list[str]]:
    """The district, its communes and their officers (bulk inserts); (district id, officer
    Telegram ids in commune order)."""
    def make(session: Any) -> tuple[int, list[str]]:
        district = units.admin_create_unit(session, "Huyện Bench", "district").id or 0
        commune_ids = [units.admin_create_unit(session, f"Xã {i:04d}", "commune", district).id or 0
                       for i in range(count)]
        user_ids = [str(100_000 + i) for i in range(count + 1)]
        person_ids = list(session.execute(insert(Person).returning(Person.id), [
            {"display_name": f"Cán bộ {u}"} for u in user_ids]).scalars().all())
        session.execute(insert(Identity), [
            {"person_id": p, "platform": "telegram", "platform_user_id": u,
             "display_name": f"Cán bộ {u}"} for p, u in zip(person_ids, user_ids)])
        session.execute(insert(Membership), [
            {"person_id": p, "unit_id": unit, "role": "officer"}
            for p, unit in zip(person_ids, [district, *commune_ids])])
        session.execute(insert(ChatRecord), [
            {"platform": "telegram", "chat_id": u, "kind": "private"} for u in user_ids])
        return district, user_ids

    return db.call(make)


def timed(repeat: int, work: Any) -> float:
    """Median milliseconds of `repeat` runs of `work()`."""
    found = []
    for _ in range(repeat):
        start = time.perf_counter()
        work()
        found.append((time.perf_counter() - start) * 1000)
    return statistics.median(found)


async def _drain(db: Database, api: TelegramApiServer, transport: TelegramOutbound,
                 arrived: int) -> None:
    """Run a worker until `arrived` messages reached the server (a bench: polling is fine)."""
    worker = BroadcastWorker(db, {"telegram": transport}, WorkerConfig())
    stop = asyncio.Event()
    task = asyncio.create_task(worker.run(stop))
    try:
        while len(api.calls_of("sendMessage")) < arrived:
            if task.done():
                task.result()
            await asyncio.sleep(0.01)
    finally:
        stop.set()
        await task


async def deliver(args: argparse.Namespace, folder: Path) -> None:
    """The --deliver phase (see the module's docstring)."""
    db = Database.open(args.database_url or f"sqlite:///{folder / 'deliver.db'}")
    db.create_all()
    clock = [datetime(2026, 1, 2, 9, tzinfo=LOCAL_TZ)]
    config = ReportConfig(clock=lambda: clock[0], files_dir=folder / "files", worker=False)
    queue = OutboxQueue()
    district, officers = build(db, args.units)
    officer = db.call(people.identify, "telegram", officers[0], "", admin_ids=ADMIN_IDS)

    def create(session: Any) -> None:
        request = requests.create(
            session, officer, title="Báo cáo tháng",
            fields=form_fields.parse_definition(["Số buổi sinh hoạt | số"]),
            unit_ids=[district], answered_by="children", schedule="monthly", due_day=20,
            config=config)
        instances.confirm(session, officer, request.id or 0, clock[0], config, queue)

    db.call(create)
    queued = db.call(lambda s: s.exec(select(func.count()).select_from(Delivery)).one()[0])
    limit = args.deliver_rate or TELEGRAM_LIMITS.global_per_second
    async with TelegramApiServer() as api:
        fast = RateLimits(global_per_second=10_000, per_chat_per_second=0, per_group_per_minute=0)
        async with TelegramOutbound.bulk(api.token, base_url=api.base_url, limits=fast) as port:
            await _drain(db, api, port, queued)
        notices = len(api.calls_of("sendMessage"))

        clock[0] = datetime(2026, 1, 17, 8, tzinfo=LOCAL_TZ)  # D-3
        began = time.monotonic()  # the loopback server stamps arrivals with time.monotonic
        result = db.call(tick_once, clock[0], config, queue)
        tick_ms = (time.monotonic() - began) * 1000
        target = notices + result.reminders
        limits = RateLimits(global_per_second=limit,
                            per_chat_per_second=TELEGRAM_LIMITS.per_chat_per_second,
                            per_group_per_minute=TELEGRAM_LIMITS.per_group_per_minute)
        async with TelegramOutbound.bulk(api.token, base_url=api.base_url, limits=limits) as port:
            await _drain(db, api, port, target)
        reminders = [c for c in api.calls if c.method == "sendMessage"
                     and str(c.params.get("text", "")).startswith("⏰")]
    arrivals = sorted(c.at for c in reminders)
    chats = [str(c.params["chat_id"]) for c in reminders]
    first, last = arrivals[0], arrivals[-1]
    rate = (len(arrivals) - 1) / (last - first) if last > first else float("inf")
    lost = len(set(officers[1:]) - set(chats))
    print(f"reminders: {result.reminders} queued by the D-3 tick in {tick_ms:.0f} ms "
          f"({args.units} communes; the {notices} request notices delivered before)")
    print(f"  sent by the broadcast worker to the loopback Bot API: {len(arrivals)} arrived, "
          f"tick to first {1000 * (first - began):.0f} ms, tick to last "
          f"{last - began:.1f} s; achieved {rate:.1f}/s against the limit "
          f"{limit:.0f}/s ({100 * rate / limit:.0f}%); lost {lost}, "
          f"duplicated {len(chats) - len(set(chats))}")
    db.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--units", type=int, default=1000)
    parser.add_argument("--months", type=int, default=12)
    parser.add_argument("--share", type=float, default=0.85, help="communes that submit")
    parser.add_argument("--late-share", type=float, default=0.1, help="of those, late")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--database-url")
    parser.add_argument("--deliver", action="store_true",
                        help="also send one reminder round through the broadcast worker")
    parser.add_argument("--deliver-rate", type=float, default=0.0,
                        help="messages/s (default: Telegram's limit, 30)")
    parser.add_argument("--skip-load", action="store_true",
                        help="only the --deliver phase")
    args = parser.parse_args()

    folder = Path(tempfile.mkdtemp(prefix="report-load-"))
    if args.deliver:
        asyncio.run(deliver(args, folder))
    if args.skip_load:
        return
    db = Database.open(args.database_url or f"sqlite:///{folder / 'bot.db'}")
    db.create_all()
    clock = [datetime(2026, 1, 2, 9, tzinfo=LOCAL_TZ)]
    config = ReportConfig(clock=lambda: clock[0], files_dir=folder / "files", worker=False)
    queue = OutboxQueue()
    district, officers = build(db, args.units)
    district_officer = db.call(people.identify, "telegram", officers[0], "", admin_ids=ADMIN_IDS)

    def create(session: Any) -> int:
        request = requests.create(
            session, district_officer, title="Báo cáo tháng",
            fields=form_fields.parse_definition(["Số buổi sinh hoạt | số"]),
            unit_ids=[district], answered_by="children", schedule="monthly", due_day=20,
            config=config)
        instances.confirm(session, district_officer, request.id or 0, clock[0], config, queue)
        return request.id or 0

    start = time.perf_counter()
    request_id = db.call(create)
    submitted = 0
    submit_seconds = 0.0
    submitting = int(args.units * args.share)
    late_from = int(submitting * (1 - args.late_share))
    actors = [db.call(people.identify, "telegram", u, "", admin_ids=ADMIN_IDS)
              for u in officers[1:submitting + 1]]
    for month in range(1, args.months + 1):
        clock[0] = datetime(2026, month, 2, 9, tzinfo=LOCAL_TZ)
        db.call(tick_once, clock[0], config, queue)  # opens this month's period
        instance_id = db.call(lambda s, m=month: s.exec(select(ReportInstance.id).where(
            ReportInstance.period_key == f"2026-{m:02d}")).one()[0])
        assignments = dict(db.call(lambda s, i=instance_id: s.exec(select(
            ReportAssignment.unit_id, ReportAssignment.id).where(
            ReportAssignment.instance_id == i)).all()))
        began = time.perf_counter()
        for index, (actor, chat) in enumerate(zip(actors, officers[1:])):
            when = datetime(2026, month, 25 if index >= late_from else 10, 9, tzinfo=LOCAL_TZ)
            assignment = assignments[actor.officer_unit_ids[0]]

            def fill(session: Any, actor: Any = actor, assignment: int = assignment,
                     when: datetime = when, chat: str = chat, value: str = str(index % 9 + 1)
                     ) -> None:
                state = submit.start(session, actor, assignment, "telegram", chat, when)
                submit.typed(session, actor, state.draft.id or 0, value, when)
                submit.submit(session, actor, state.draft.id or 0, when, queue)

            db.call(fill)
            submitted += 1
        submit_seconds += time.perf_counter() - began
        for day in (17, 19, 21, 23):  # reminders, summary, escalation
            clock[0] = datetime(2026, month, day, 8, tzinfo=LOCAL_TZ)
            db.call(tick_once, clock[0], config, queue)
    setup = time.perf_counter() - start
    rows = db.call(lambda s: s.exec(select(func.count()).select_from(Delivery)).one()[0])

    span = periods.parse_period(f"{args.months}/2026", clock[0])
    now = clock[0]
    page = timed(args.repeat, lambda: db.call(views.track, district_officer, request_id, span,
                                              1, now))
    rollup = timed(args.repeat, lambda: db.call(lambda s: rollups.text(
        views.rollup_data(s, district_officer, request_id, span)[0])))
    csv_ms = timed(args.repeat, lambda: db.call(lambda s: rollups.to_csv(
        views.rollup_data(s, district_officer, request_id, span)[0], now)))
    ranking = timed(args.repeat, lambda: db.call(punctuality.compute, district_officer, span, now))
    tick = timed(args.repeat, lambda: db.call(tick_once, now + timedelta(minutes=1), config, queue))
    engine = db.engine.dialect.name
    print(f"database: {engine}; {args.units} units x {args.months} monthly instances; "
          f"{submitted} submissions through the form service "
          f"({submitted / submit_seconds:.0f}/s); {rows} outbox rows queued; setup {setup:.0f} s")
    print(f"tracker page  {page:8.1f} ms")
    print(f"roll-up text  {rollup:8.1f} ms")
    print(f"roll-up CSV   {csv_ms:8.1f} ms")
    print(f"punctuality   {ranking:8.1f} ms")
    print(f"tick (idle)   {tick:8.1f} ms")
    db.close()


if __name__ == "__main__":
    main()
