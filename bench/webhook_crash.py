"""The webhook crash test: nothing acknowledged is lost when `tuyengiao run` is killed.

`tuyengiao run` starts as a subprocess in webhook mode for Telegram and Zalo, against the
loopback Bot API servers in this process (tests/fakes: they POST updates to the webhook over
40 connections at once, Telegram's default `max_connections`, and, like Telegram, deliver
again one that was not answered 2xx — a refused one, or one cut by the kill). Then:

1. a warm-up question per platform (how many messages one answer takes);
2. 500 questions per platform from 500 distinct private chats, queued on both servers at once;
3. `kill -9` 2 s later; the inbox table is read: updates acknowledged (200) and stored,
   answered, open; and the open ones whose chat already got its answer (answered, not yet
   marked: the only ones a restart can answer twice);
4. a restart, left to run until every chat is answered and the inbox has nothing open;
5. per platform: lost = chats never answered (target 0), duplicated = answers beyond one
   (target ≤ the updates being answered at the kill, at most the concurrency per platform).

Lexical search only (SEARCH_WEIGHT_DENSE=0: no model to load; the store is built with the
hashing embedder), SQLite with the default `synchronous=NORMAL`, the default inbox bound.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from sqlmodel import col, func, select  # noqa: E402

from bot.inbox.models import InboxUpdate  # noqa: E402
from bot.storage.database import Database  # noqa: E402
from indexer.build import build_store  # noqa: E402
from knowledge.embedder import HashingEmbedder  # noqa: E402
from tests.fakes.telegram_api import TelegramApiServer  # noqa: E402
from tests.fakes.zalo_api import ZaloApiServer  # noqa: E402

QUESTION = "Chỉ thị 05 về phòng, chống thiên tai yêu cầu gì?"
START_TIMEOUT = 120.0
TG_CHATS = range(10_001, 10_001 + 10_000)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start(tg: TelegramApiServer, zl: ZaloApiServer, store: Path, folder: Path,
          ports: tuple[int, int], db_url: str) -> subprocess.Popen[bytes]:
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "ZALO_"))},
        "HF_HUB_OFFLINE": "1", "DATABASE_URL": db_url, "SEARCH_WEIGHT_DENSE": "0",
        "BROADCAST_WORKER": "false", "POLL_RUNNER": "false", "STUDY_RUNNER": "false",
        "REPORT_WORKER": "false",
        "TELEGRAM_BOT_TOKEN": tg.token, "TELEGRAM_API_BASE_URL": tg.base_url,
        "TELEGRAM_WEBHOOK_URL": "http://127.0.0.1:{port}/tg",
        "TELEGRAM_WEBHOOK_SECRET": "bench-telegram-secret",
        "WEBHOOK_LISTEN_HOST": "127.0.0.1", "WEBHOOK_LISTEN_PORT": str(ports[0]),
        "ZALO_BOT_TOKEN": zl.token, "ZALO_API_BASE_URL": zl.base_url,
        "ZALO_WEBHOOK_URL": "http://127.0.0.1:{port}/zalo",
        "ZALO_WEBHOOK_SECRET": "bench-zalo-secret", "ZALO_WEBHOOK_LISTEN_PORT": str(ports[1]),
        "ZALO_SENDS_PER_SECOND": "0", "PYTHONPATH": str(ROOT),
    }
    return subprocess.Popen([sys.executable, "-m", "tuyengiao.cli", "run", "--store", str(store)],
                            cwd=folder, env=env, stdout=subprocess.DEVNULL,
                            stderr=open(folder / "run.log", "ab"))


async def registered(tg: TelegramApiServer, zl: ZaloApiServer) -> None:
    await tg.wait_for("setWebhook", timeout=START_TIMEOUT)
    await zl.wait_for("setWebhook", timeout=START_TIMEOUT)


def answers(tg: TelegramApiServer, zl: ZaloApiServer) -> dict[str, Counter[str]]:
    return {"telegram": Counter(str(p["chat_id"]) for p in tg.calls_of("sendMessage")),
            "zalo": Counter(str(p["chat_id"]) for p in zl.calls_of("sendMessage"))}


def inbox_state(db_url: str) -> dict[str, dict[str, Any]]:
    db = Database.open(db_url)
    try:
        with db.session() as s:
            counts = s.exec(select(InboxUpdate.platform, InboxUpdate.status, func.count())
                            .group_by(col(InboxUpdate.platform), col(InboxUpdate.status))).all()
            open_chats = s.exec(select(InboxUpdate.platform, InboxUpdate.chat_key).where(
                col(InboxUpdate.status).in_(["pending", "processing"]))).all()
    finally:
        db.close()
    state: dict[str, dict[str, Any]] = {p: {"counts": Counter(), "open_chats": set()}
                                        for p in ("telegram", "zalo")}
    for platform, status, n in counts:
        state[platform]["counts"][status] = int(n)
    for platform, chat in open_chats:
        state[platform]["open_chats"].add(str(chat))
    return state


async def run(args: argparse.Namespace, folder: Path) -> None:
    store = folder / "store"
    build_store([ROOT / "knowledge" / "samples" / "documents"], store, HashingEmbedder())
    db_url = args.database_url or f"sqlite:///{folder / 'bot.db'}"
    ports = (free_port(), free_port())
    async with TelegramApiServer(redeliver=0.5, connections=args.connections) as tg, \
            ZaloApiServer(redeliver=0.5, connections=args.connections) as zl:
        process = start(tg, zl, store, folder, ports, db_url)
        await registered(tg, zl)
        # 1. Warm-up: one answer's size in messages, per platform.
        tg.text_update(1, 1, QUESTION)
        zl.text_update("z-warm", "z-warm", QUESTION)
        await tg.wait_for("sendMessage", timeout=60)
        await zl.wait_for("sendMessage", timeout=60)
        await asyncio.sleep(1.0)  # let a split answer's remaining messages arrive
        per_answer = {"telegram": answers(tg, zl)["telegram"]["1"],
                      "zalo": answers(tg, zl)["zalo"]["z-warm"]}
        before = {p: sum(c.values()) for p, c in answers(tg, zl).items()}

        # 2. The burst, and 3. the kill 2 s later.
        tg_chats = [str(c) for c in TG_CHATS[: args.updates]]
        zl_chats = [f"z-{i:05d}" for i in range(args.updates)]
        started = time.monotonic()
        for i in range(args.updates):
            tg.text_update(int(tg_chats[i]), int(tg_chats[i]), QUESTION)
            zl.text_update(zl_chats[i], zl_chats[i], QUESTION)
        await asyncio.sleep(args.kill_after)  # the experiment's clock, not a wait for a result
        process.send_signal(signal.SIGKILL)
        await asyncio.to_thread(process.wait)
        killed_at = time.monotonic() - started
        at_kill = answers(tg, zl)
        acked = {"telegram": sum(1 for _, s in tg.webhook_deliveries if s == 200) - 1,
                 "zalo": sum(1 for _, s in zl.webhook_deliveries if s == 200) - 1}  # less the warm-up
        state = inbox_state(db_url)

        # 4. Restart; run until every chat is answered and nothing is open in the inbox.
        restarted = time.monotonic()
        process = start(tg, zl, store, folder, ports, db_url)
        await registered(tg, zl)
        deadline = time.monotonic() + args.settle_timeout
        while time.monotonic() < deadline:
            got = answers(tg, zl)
            done = (all(got["telegram"][c] for c in tg_chats) and all(got["zalo"][c] for c in zl_chats))
            if done and not any(s["counts"]["pending"] + s["counts"]["processing"]
                                for s in inbox_state(db_url).values()):
                break
            await asyncio.sleep(0.5)  # polling the experiment's end
        drained = time.monotonic() - restarted
        process.send_signal(signal.SIGTERM)
        await asyncio.to_thread(process.wait)
        final = answers(tg, zl)

    print(f"{args.updates} updates per platform, SIGKILL {killed_at:.1f} s after they were queued;"
          f" restart drained everything in {drained:.1f} s (process start included)")
    for platform, chats in (("telegram", tg_chats), ("zalo", zl_chats)):
        k = max(per_answer[platform], 1)
        got = final[platform]
        lost = sum(1 for c in chats if got[c] == 0)
        duplicated = sum(max(got[c] // k - 1, 0) for c in chats)
        answered_at_kill = sum(1 for c in chats if at_kill[platform][c])
        counts = state[platform]["counts"]
        stored = sum(counts.values()) - 1  # the warm-up
        opened = counts["pending"] + counts["processing"]
        answered_open = sum(1 for c in state[platform]["open_chats"] if at_kill[platform][c])
        print(f"  {platform}: acknowledged (200) before the kill {acked[platform]}, stored "
              f"{stored}; answered before the kill {answered_at_kill}; open in the inbox at the "
              f"kill {opened}, of which already answered {answered_open} (in flight: answered, not "
              f"yet marked); after the restart: lost {lost}, duplicated {duplicated}; "
              f"messages per answer {k}; messages sent {sum(got.values()) - before[platform]}")


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--updates", type=int, default=500, help="updates per platform")
    parser.add_argument("--kill-after", type=float, default=2.0, help="seconds after queueing")
    parser.add_argument("--connections", type=int, default=40,
                        help="webhook POSTs in flight per platform (Telegram's default max_connections)")
    parser.add_argument("--settle-timeout", type=float, default=300.0)
    parser.add_argument("--database-url", help="default: SQLite in the work folder")
    parser.add_argument("--workdir", type=Path, help="keep the work folder (run.log, bot.db)")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    # The fake servers log every connection the SIGKILL cuts: expected, not interesting.
    logging.getLogger("aiohttp").setLevel(logging.CRITICAL)
    print(f"load average at start: {os.getloadavg()}")
    if args.workdir:
        args.workdir.mkdir(parents=True, exist_ok=True)
        await run(args, args.workdir.resolve())
    else:
        with tempfile.TemporaryDirectory(prefix="webhook-crash-") as folder:
            await run(args, Path(folder))
    print(f"load average at end: {os.getloadavg()}")


if __name__ == "__main__":
    asyncio.run(main())
