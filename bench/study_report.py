"""Study campaign at province scale: a campaign over N members (default 5,000) in C cells
(default 200: a province, 4 districts, 20 communes, cells under them), on SQLite and on
PostgreSQL (a throwaway server from tests/postgres_server.py; skipped with the reason when
it cannot start).

Measured, per database:
  open     opening the campaign through bot.study.lifecycle.open_campaign: participants,
           one session per cell, and the announcement written to the broadcast outbox for
           every member and group (one transaction);
  report   the province report as `/hoctap <id>` computes it: completion.compute over the
           whole tree + the text table (target ≤ 1 s), median of --repeat runs, after a
           roll call filled in (≈ 80% present, 5% exempt, absentees part self-studied or
           passed the quiz);
  chart    the PNG of that report (matplotlib, Agg), median of --repeat runs;
  csv      the CSV of every unit.
  deliver  (SQLite, with --deliver) the queued announcement delivered by the real broadcast
           worker (`tuyengiao broadcast work --exit-when-idle`, a process of its own, as in
           bench/broadcast_load.py) to the loopback Telegram server: achieved rate (first to
           last arrival) against TELEGRAM_RATE_PER_SECOND, lost and duplicated chats. Study
           messages are rows of the broadcast outbox: same worker, pacing and retries.

    .venv/bin/python bench/study_report.py [--members 5000] [--cells 200] [--repeat 5]
        [--databases sqlite postgres] [--deliver] [--rate 300]
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from sqlalchemy import update  # noqa: E402
from sqlmodel import Session, select  # noqa: E402

import tuyengiao.tables  # noqa: E402,F401  (every table registered)
from bot.broadcast.queue import OutboxQueue  # noqa: E402
from bot.services import units  # noqa: E402
from bot.services.reminders import ReminderSchedule  # noqa: E402
from bot.storage.database import Database  # noqa: E402
from bot.storage.models import utcnow  # noqa: E402
from bot.study import chart, completion, lifecycle, quiz, service  # noqa: E402
from bot.study.models import StudyParticipant  # noqa: E402
from tests.bot.broadcast.world import add_group, add_members  # noqa: E402

DISTRICTS, COMMUNES_PER_DISTRICT = 4, 5
QUIZ = "\n".join(f"Câu {i} | Đúng | Sai | 1 | Đoạn {i}" for i in range(1, 4))


def build(db: Database, members: int, cells: int) -> int:
    """The unit tree and its members; the province's id."""
    per_cell = max(members // cells, 1)

    def make(session: Session) -> int:
        province = units.admin_create_unit(session, "Tỉnh Minh Sơn", "province").id or 0
        communes = []
        for d in range(DISTRICTS):
            district = units.admin_create_unit(session, f"Huyện {d + 1}", "district", province)
            for c in range(COMMUNES_PER_DISTRICT):
                communes.append(units.admin_create_unit(
                    session, f"Xã {d + 1}.{c + 1}", "commune", district.id).id or 0)
        for n in range(cells):
            cell = units.admin_create_unit(session, f"Chi bộ {n + 1}", "cell",
                                           communes[n % len(communes)]).id or 0
            add_members(session, cell, [str(100_000 + n * per_cell + i) for i in range(per_cell)])
            add_group(session, str(-1_000_000 - n), cell, f"Nhóm chi bộ {n + 1}")
        return province

    return db.call(make)


def open_campaign(db: Database, province: int) -> tuple[int, float]:
    def draft(session: Session) -> int:
        campaign = service.create_draft(session, None)
        campaign.title = "Học tập, quán triệt Nghị quyết 57-NQ/TW"
        campaign.doc_id, campaign.doc_label = "nq57.txt", "Nghị quyết 57-NQ/TW"
        service.set_targets(session, None, campaign, [province])
        campaign.deadline_at = utcnow() + timedelta(days=14)
        campaign.session_at = utcnow() + timedelta(hours=1)
        quiz.store(session, campaign, quiz.parse(QUIZ), 2)
        assert campaign.id is not None
        return campaign.id

    campaign_id = db.call(draft)
    started = time.perf_counter()
    db.call(lifecycle.open_campaign, None, campaign_id, OutboxQueue(),
            ReminderSchedule.parse("72,24"), "Tóm tắt văn bản.")
    return campaign_id, time.perf_counter() - started


def fill_roll(db: Database, campaign_id: int, seed: int = 7) -> None:
    """≈ 80% present, 5% exempt; of the absent, a third self-studied and a third passed."""
    rng = random.Random(seed)

    def fill(session: Session) -> None:
        now = utcnow()
        ids = session.exec(select(StudyParticipant.id).where(
            StudyParticipant.campaign_id == campaign_id)).all()
        groups: dict[str, list[int]] = {"present": [], "exempt": [], "self": [], "passed": [],
                                        "absent": []}
        for row_id in ids:
            r = rng.random()
            key = ("present" if r < 0.80 else "exempt" if r < 0.85 else "self" if r < 0.90
                   else "passed" if r < 0.95 else "absent")
            groups[key].append(row_id or 0)
        table = StudyParticipant
        for key, values in (("present", {"attendance": "present", "attendance_at": now}),
                            ("exempt", {"attendance": "exempt"}),
                            ("self", {"attendance": "absent", "self_studied_at": now}),
                            ("passed", {"attendance": "absent", "quiz_passed_at": now,
                                        "best_score": 3}),
                            ("absent", {"attendance": "absent"})):
            if groups[key]:
                session.exec(update(table).where(  # type: ignore[call-overload]
                    table.id.in_(groups[key])).values(**values))  # type: ignore[union-attr]

    db.call(fill)


def median_time(work, repeat: int) -> tuple[float, object]:  # type: ignore[no-untyped-def]
    times, result = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        result = work()
        times.append(time.perf_counter() - started)
    return statistics.median(times), result


async def deliver(url: str, args: argparse.Namespace) -> None:
    """The announcement (private chats and cell groups) through the real worker process."""
    from typing import Any

    from broadcast_load import measure, start_worker  # bench/ is the script's folder

    from bot.broadcast.models import Delivery
    from tests.fakes.telegram_api import TelegramApiServer
    from tests.fakes.telegram_faults import FaultPlan
    from tests.fakes.zalo_api import ZaloApiServer

    class Recorder(FaultPlan):
        def __init__(self) -> None:
            super().__init__()
            self.arrivals: dict[str, list[float]] = {}

        async def after(self, method: str, params: dict[str, Any]) -> None:
            if method == "sendMessage" and str(params.get("text", "")).startswith("📚"):
                self.arrivals.setdefault(str(params["chat_id"]), []).append(time.monotonic())
            await super().after(method, params)

    db = Database.open(url)
    chats = [str(c) for c in db.call(lambda s: s.exec(select(Delivery.chat_id)).all())]
    db.close()
    plan = Recorder()
    async with TelegramApiServer(faults=plan) as api, ZaloApiServer() as zapi:
        started = time.monotonic()
        worker = await start_worker(api, zapi, url, args)
        _, stderr = await worker.communicate()
        if worker.returncode != 0:
            raise SystemExit(f"worker failed:\n{stderr.decode()[-2000:]}")
        elapsed = time.monotonic() - started
    figures = measure(chats, plan.arrivals, args.rate)
    rate = figures.get("achieved_per_s", 0.0)
    print(f"  delivery: {figures['messages']} messages in {elapsed:.1f} s (worker start "
          f"included): limit {args.rate:.0f}/s, achieved {rate:.1f}/s "
          f"({100 * rate / args.rate:.0f}% of the limit, first to last arrival); "
          f"lost {figures['lost']}, duplicated {figures['duplicated']}")


def run(url: str, label: str, args: argparse.Namespace) -> None:
    db = Database.open(url)
    try:
        db.create_all()
        started = time.perf_counter()
        province = build(db, args.members, args.cells)
        built = time.perf_counter() - started
        campaign_id, opened = open_campaign(db, province)
        fill_roll(db, campaign_id)

        def report() -> completion.Completion:
            def compute(session: Session) -> completion.Completion:
                found = completion.compute(session, service.find(session, campaign_id))
                completion.text(found)
                return found
            return db.call(compute)

        report_s, found = median_time(report, args.repeat)
        assert isinstance(found, completion.Completion)
        chart_s, image = median_time(lambda: chart.png(found), args.repeat)
        csv_s, table = median_time(lambda: completion.to_csv(found), args.repeat)
        total = found.total
        print(f"{label}: {total.members} members in {args.cells} cells "
              f"({len(found.lines)} units; built in {built:.1f} s)")
        print(f"  open (participants, sessions, outbox rows): {opened:.2f} s")
        print(f"  province report (compute + table), median of {args.repeat}: "
              f"{report_s * 1000:.0f} ms (target ≤ 1000 ms)")
        print(f"  chart PNG: {chart_s * 1000:.0f} ms ({len(image):,} bytes)")  # type: ignore[arg-type]
        print(f"  CSV: {csv_s * 1000:.0f} ms ({len(str(table).splitlines())} lines)")
        print(f"  done {total.pct(total.done):.1f}% of {total.due} due "
              f"(exempt {total.exempt}, attended {total.attended}, "
              f"self-studied {total.self_studied}, passed {total.passed})")
    finally:
        db.close()
    if args.deliver and url.startswith("sqlite"):
        asyncio.run(deliver(url, args))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--members", type=int, default=5000)
    parser.add_argument("--cells", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--databases", nargs="+", default=["sqlite", "postgres"],
                        choices=["sqlite", "postgres"])
    parser.add_argument("--deliver", action="store_true",
                        help="SQLite: deliver the announcement through the real worker")
    parser.add_argument("--rate", type=float, default=300.0,
                        help="Telegram: overall messages per second (TELEGRAM_RATE_PER_SECOND)")
    args = parser.parse_args()
    args.zalo_rate, args.concurrency = 150.0, 128  # what broadcast_load's worker env reads
    print(f"load average at start: {os.getloadavg()}")
    logging.basicConfig(level=logging.WARNING)
    if "sqlite" in args.databases:
        with tempfile.TemporaryDirectory() as folder:
            run(f"sqlite:///{Path(folder) / 'study.db'}", "SQLite", args)
    if "postgres" in args.databases:
        from tests.postgres_server import PostgresServer, PostgresUnavailable

        try:
            server = PostgresServer().start()
        except PostgresUnavailable as exc:
            print(f"PostgreSQL: skipped ({exc})")
            return 0
        try:
            run(server.create_database(), "PostgreSQL", args)
        finally:
            server.stop()
    print(f"load average at end: {os.getloadavg()}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
