"""Broadcast delivery load: N recipients across both loopback servers (Telegram Bot API and
Zalo Bot Platform) through the real worker process and the real transports.

The fakes run in this process; the worker is `tuyengiao broadcast work --exit-when-idle`, a
process of its own, on a SQLite file (or --database-url), with one sending loop per platform
(python-telegram-bot on aiohttp; the project's Zalo client). Recipients are members with a
known private chat, spread over cells of one district, plus one group per cell; a share of
the cells (--zalo-share, half by default) is on Zalo. One broadcast is confirmed (as the CLI
operator) before the worker starts.

Runs (both by default):
  clean   no faults. Achieved rate = messages / (last − first arrival), per platform against
          its configured limit (TELEGRAM_RATE_PER_SECOND, ZALO_RATE_PER_SECOND, set high so
          the run is short), and in total against the rate the limits allow for this split
          (all messages / the slowest platform's messages at its limit: the platforms send side
          by side); lost = chats that received nothing.
  faults  on both servers 10% of sends answered 429 (retry_after 1 s), 5% 502; the worker is
          killed with SIGKILL when half the chats have their message, then restarted: lost
          (target 0) and duplicated (target ≤ the rows in flight at the kill: those in
          `sending`, counted right after the kill). The lease is short
          (BROADCAST_LEASE_SECONDS) so the restarted worker takes the dead one's rows back
          quickly.

    .venv/bin/python bench/broadcast_load.py [--recipients 5000] [--rate 300] [--zalo-rate 150]
        [--zalo-share 0.5] [--concurrency 128] [--runs clean faults] [--database-url URL]
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import signal
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from sqlmodel import select  # noqa: E402

from bot.broadcast import service  # noqa: E402
from bot.broadcast.models import Delivery  # noqa: E402
from bot.services import units  # noqa: E402
from bot.storage.database import Database  # noqa: E402
from bot.services import people  # noqa: E402
from tests.bot.broadcast.world import add_group, add_members  # noqa: E402
from tests.fakes.telegram_api import TelegramApiServer  # noqa: E402
from tests.fakes.telegram_faults import FaultPlan  # noqa: E402
from tests.fakes.zalo_api import ZaloApiServer  # noqa: E402

CELL_SIZE = 100
HEADER = "📢"


class Recorder(FaultPlan):
    """The fault plan that also notes when each broadcast message arrived, per chat."""

    def __init__(self) -> None:
        super().__init__()
        self.arrivals: dict[str, list[float]] = {}

    async def after(self, method: str, params: dict[str, Any]) -> None:
        if method == "sendMessage" and str(params.get("text", "")).startswith(HEADER):
            self.arrivals.setdefault(str(params["chat_id"]), []).append(time.monotonic())
        await super().after(method, params)


class ZaloRecorder(ZaloApiServer):
    """The loopback Zalo server, noting when each broadcast message arrived, per chat."""

    def __init__(self) -> None:
        super().__init__()
        self.messages_at: dict[str, list[float]] = {}  # (`arrivals` is the fake's own log)

    async def _m_sendMessage(self, params: dict[str, Any]) -> dict[str, Any]:
        result = await super()._m_sendMessage(params)
        if str(params.get("text", "")).startswith(HEADER):
            self.messages_at.setdefault(str(params["chat_id"]), []).append(time.monotonic())
        return result


def seed(db: Database, recipients: int, zalo_share: float) -> tuple[int, dict[str, list[str]]]:
    """A district with cells of CELL_SIZE members (and a group each), the last `zalo_share`
    of the cells on Zalo; returns the broadcast id and every chat it must reach, per platform."""
    chats: dict[str, list[str]] = {"telegram": [], "zalo": []}
    cells = -(-recipients // CELL_SIZE)
    first_zalo = cells - round(cells * zalo_share)

    def build(session: Any) -> int:
        province = units.admin_create_unit(session, "Tỉnh Bench", "province")
        district = units.admin_create_unit(session, "Huyện Bench", "district", province.id)
        user = 100_000
        for n in range(0, recipients, CELL_SIZE):
            index = n // CELL_SIZE
            cell = units.admin_create_unit(session, f"Chi bộ {index + 1}", "cell", district.id)
            size = min(CELL_SIZE, recipients - n)
            if index < first_zalo:
                members = [str(user + i) for i in range(size)]
                add_members(session, cell.id, members)
                group = str(-(10_000 + index))
                add_group(session, group, cell.id, f"Nhóm chi bộ {index + 1}")
                chats["telegram"].extend(members + [group])
            else:
                members = [f"z{user + i}" for i in range(size)]
                add_members(session, cell.id, members, platform="zalo")
                group = f"zg{index}"
                record = people.record_chat(session, "zalo", group, "group", f"Nhóm {index + 1}")
                record.unit_id = cell.id
                session.add(record)
                chats["zalo"].extend(members + [group])
            user += size
        return district.id or 0

    district = db.call(build)
    draft = db.call(service.create, None, text="Đề nghị các chi bộ học tập Chỉ thị 05-CT/TW.",
                    unit_ids=[district], roles=["member"], require_confirmation=True)
    db.call(service.confirm, None, draft.id)
    return draft.id or 0, chats


PROFILE: str | None = None  # --profile FILE: the (first) worker runs under cProfile


def worker_command() -> list[str]:
    profile = ["-m", "cProfile", "-o", PROFILE] if PROFILE else []
    return [sys.executable, *profile, "-m", "tuyengiao.cli", "broadcast", "work",
            "--exit-when-idle"]


def worker_env(api: TelegramApiServer, zapi: ZaloApiServer, url: str,
               args: argparse.Namespace) -> dict[str, str]:
    return {**os.environ, "DATABASE_URL": url, "TELEGRAM_BOT_TOKEN": api.token,
            "TELEGRAM_API_BASE_URL": api.base_url, "TELEGRAM_RATE_PER_SECOND": str(args.rate),
            "ZALO_BOT_TOKEN": zapi.token, "ZALO_API_BASE_URL": zapi.base_url,
            "ZALO_RATE_PER_SECOND": str(args.zalo_rate),
            "BROADCAST_CONCURRENCY": str(args.concurrency), "BROADCAST_LEASE_SECONDS": "5",
            "BROADCAST_POLL_SECONDS": "0.2", "BROADCAST_RETRY_BASE_SECONDS": "0.5",
            "BROADCAST_MAX_ATTEMPTS": "20", "LOG_LEVEL": os.environ.get("BENCH_WORKER_LOG", "WARNING")}


async def start_worker(api: TelegramApiServer, zapi: ZaloApiServer, url: str,
                       args: argparse.Namespace) -> Any:
    return await asyncio.create_subprocess_exec(
        *worker_command(), cwd=ROOT, env=worker_env(api, zapi, url, args),
        stderr=asyncio.subprocess.PIPE)


async def run_once(name: str, args: argparse.Namespace, folder: Path) -> dict[str, Any]:
    url = args.database_url or f"sqlite:///{folder / f'{name}.db'}"
    db = Database.open(url)
    db.create_all()
    broadcast_id, chats = seed(db, args.recipients, args.zalo_share)
    plan = Recorder()
    zapi = ZaloRecorder()
    if name == "faults":
        plan.random_rates(flood=0.10, server=0.05, seed=7, retry_after=1)
        zapi.random_rates(flood=0.10, server=0.05, seed=8, retry_after=1)
    limits = {"telegram": args.rate, "zalo": args.zalo_rate}
    result: dict[str, Any] = {"run": name}
    async with TelegramApiServer(faults=plan) as api, zapi:
        arrivals = {"telegram": plan.arrivals, "zalo": zapi.messages_at}
        started = time.monotonic()
        worker = await start_worker(api, zapi, url, args)
        if name == "faults":
            half = sum(map(len, chats.values())) // 2
            async with asyncio.timeout(600):
                while len(plan.arrivals) + len(zapi.messages_at) < half:
                    await asyncio.sleep(0.02)  # watching the fakes' records from outside
            worker.send_signal(signal.SIGKILL)
            await worker.wait()
            result["killed_after"] = len(plan.arrivals) + len(zapi.messages_at)
            result["in_flight_at_kill"] = dict(db.call(lambda s: Counter(s.exec(
                select(Delivery.platform).where(Delivery.broadcast_id == broadcast_id,
                                                Delivery.status == "sending")).all())))
            worker = await start_worker(api, zapi, url, args)
        _, stderr = await worker.communicate()
        if os.environ.get("BENCH_WORKER_LOG"):
            sys.stderr.write(stderr.decode()[-20000:])
        if worker.returncode != 0:
            raise SystemExit(f"worker failed:\n{stderr.decode()[-2000:]}")
        result["elapsed_s"] = time.monotonic() - started
    platforms = {p: measure(chats[p], arrivals[p], limits[p]) for p in ("telegram", "zalo")}
    all_arrivals = {**{f"t:{c}": t for c, t in plan.arrivals.items()},
                    **{f"z:{c}": t for c, t in zapi.messages_at.items()}}
    all_chats = [f"t:{c}" for c in chats["telegram"]] + [f"z:{c}" for c in chats["zalo"]]
    result["platforms"] = platforms
    # The platforms send side by side, each at its own limit: the fastest the limits allow
    # for this split is all messages over the slowest platform's time at its limit.
    slowest = max(len(chats[p]) / limits[p] for p in platforms if chats[p])
    result["total"] = measure(all_chats, all_arrivals, len(all_chats) / slowest)
    result["injected"] = {"telegram": dict(plan.injected), "zalo": dict(zapi.injected)}
    result["statuses"] = dict(db.call(lambda s: Counter(s.exec(
        select(Delivery.platform, Delivery.status).where(
            Delivery.broadcast_id == broadcast_id)).all())))
    db.close()
    return result


def measure(chats: list[str], arrivals: dict[str, list[float]], limit: float) -> dict[str, Any]:
    received = Counter({chat: len(times) for chat, times in arrivals.items()})
    firsts = sorted(times[0] for times in arrivals.values())
    figures: dict[str, Any] = {
        "messages": len(chats), "received": len(arrivals), "limit": limit,
        "lost": sum(1 for chat in chats if received[chat] == 0),
        "duplicated": sum(1 for chat in chats if received[chat] > 1),
    }
    if len(firsts) > 1:
        figures["achieved_per_s"] = (len(firsts) - 1) / (firsts[-1] - firsts[0])
    return figures


def show(result: dict[str, Any]) -> None:
    total = result["total"]
    print(f"[{result['run']}] {total['messages']} messages ({total['received']} chats reached) "
          f"in {result['elapsed_s']:.1f} s")
    for label, figures in [*result["platforms"].items(), ("total", total)]:
        if not figures["messages"]:
            continue
        rate = figures.get("achieved_per_s", 0.0)
        print(f"  {label:8s} {figures['messages']:5d} messages: limit {figures['limit']:.0f}/s, "
              f"achieved {rate:.1f}/s ({100 * rate / figures['limit']:.0f}% of the limit, first "
              f"to last arrival); lost {figures['lost']}, duplicated {figures['duplicated']}")
    if "in_flight_at_kill" in result:
        in_flight = result["in_flight_at_kill"]
        print(f"  SIGKILL after {result['killed_after']} chats; rows in flight at the kill: "
              f"{sum(in_flight.values())} {in_flight} (duplicates must be ≤ this)")
    if any(result["injected"].values()):
        print(f"  faults injected: {result['injected']}")
    print(f"  delivery rows: {result['statuses']}")


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--recipients", type=int, default=5000)
    parser.add_argument("--rate", type=float, default=300.0,
                        help="Telegram: overall messages per second")
    parser.add_argument("--zalo-rate", type=float, default=150.0,
                        help="Zalo: overall messages per second (ZALO_RATE_PER_SECOND)")
    parser.add_argument("--zalo-share", type=float, default=0.5,
                        help="share of the cells (members and group) on Zalo")
    parser.add_argument("--concurrency", type=int, default=128,
                        help="sends in flight in the worker (BROADCAST_CONCURRENCY)")
    parser.add_argument("--runs", nargs="+", choices=["clean", "faults"], default=["clean", "faults"])
    parser.add_argument("--database-url", help="default: a SQLite file per run in a temp folder")
    parser.add_argument("--profile", help="write the worker's cProfile stats here")
    args = parser.parse_args()
    global PROFILE
    PROFILE = args.profile
    # The fake server logs every connection the SIGKILL cuts: expected, not interesting.
    logging.getLogger("aiohttp.server").setLevel(logging.CRITICAL)
    print(f"load average at start: {os.getloadavg()}")
    with tempfile.TemporaryDirectory(prefix="broadcast-bench-") as tmp:
        for name in args.runs:
            show(await run_once(name, args, Path(tmp)))
    print(f"load average at end: {os.getloadavg()}")


if __name__ == "__main__":
    asyncio.run(main())
