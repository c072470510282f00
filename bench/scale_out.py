"""Q&A load on N `tuyengiao run` processes sharing one PostgreSQL (issue 17, item 4).

For each process count (`--processes 1 2`): a fresh database on a throwaway PostgreSQL server
(tests/postgres_server.py), that many processes in Telegram webhook mode behind one
round-robin reverse proxy (tests/serving_processes.py), the loopback Telegram Bot API
delivering over 40 connections (Telegram's default `max_connections`); a warm-up question per
process, then a burst of `--questions` questions from as many private chats, queued at once.
Printed per count: time from the burst to its last answer, answers per second, lost and
duplicated answers, the processes' CPU time (user + system, from /proc) per answer, and the
PostgreSQL server's.

Lexical search only (SEARCH_WEIGHT_DENSE=0, a store of the sample documents built with the
hashing embedder: no model to load), so the figures measure the serving path — webhook, inbox
work queue, core, replies — not the encoder (bench/qa_load.py measures that, one process).
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import tuyengiao.tables  # noqa: E402,F401  (every table registered)
from bot.storage.database import Database  # noqa: E402
from indexer.build import build_store  # noqa: E402
from knowledge.embedder import HashingEmbedder  # noqa: E402
from tests.fakes.telegram_api import TelegramApiServer  # noqa: E402
from tests.postgres_server import PostgresServer  # noqa: E402
from tests.serving_processes import serving  # noqa: E402

QUESTION = "Chỉ thị 05 về phòng, chống thiên tai yêu cầu gì?"
CHATS = 100_000  # first chat id of the burst


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU time of these processes and their children, in seconds."""
    total = 0.0
    for pid in pids:
        try:
            process = psutil.Process(pid)
            for p in (process, *process.children(recursive=True)):
                times = p.cpu_times()
                total += times.user + times.system
        except psutil.NoSuchProcess:
            continue
    return total


def postgres_pids(server: PostgresServer) -> list[int]:
    """The PostgreSQL postmaster (its backends are its children)."""
    pid_file = server.data / "postmaster.pid"
    return [int(pid_file.read_text().split()[0])]


async def one_count(server: PostgresServer, store: Path, folder: Path, count: int,
                    questions: int) -> dict[str, float]:
    db_url = server.create_database()
    db = Database.open(db_url)
    db.create_all()
    db.close()
    env = {"DATABASE_URL": db_url, "STORE_DIR": str(store), "LOG_LEVEL": "WARNING",
           "INBOX_MAX_BACKLOG": str(max(questions * 2, 1000))}
    work = folder / f"n{count}"
    work.mkdir()
    async with TelegramApiServer(redeliver=0.5, connections=40) as api:
        async with serving(api, count=count, env=env, folder=work) as (processes, _):
            for i in range(count):  # a warm-up answer from each process (round robin)
                api.text_update(1 + i, 1 + i, QUESTION)
            await api.until(lambda: all(replies(api, 1 + i) for i in range(count)), 120)
            chats = range(CHATS, CHATS + questions)
            cpu_before = cpu_seconds(processes.pids())
            pg_before = cpu_seconds(postgres_pids(server))
            began = time.monotonic()
            for chat in chats:
                api.text_update(chat, chat, QUESTION)
            await api.until(lambda: all(replies(api, c) for c in chats), 600)
            took = time.monotonic() - began
            cpu = cpu_seconds(processes.pids()) - cpu_before
            pg = cpu_seconds(postgres_pids(server)) - pg_before
        got = Counter(p["chat_id"] for p in api.calls_of("sendMessage"))
    per_answer = got[1]
    return {"took": took, "rate": questions / took, "lost": sum(1 for c in chats if not got[c]),
            "duplicated": sum(max(got[c] // max(per_answer, 1) - 1, 0) for c in chats),
            "cpu_ms": 1000 * cpu / questions, "pg_ms": 1000 * pg / questions}


def replies(api: TelegramApiServer, chat: int) -> bool:
    return any(p["chat_id"] == chat for p in api.calls_of("sendMessage"))


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--processes", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--questions", type=int, default=600)
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    logging.getLogger("aiohttp").setLevel(logging.CRITICAL)
    print(f"load average at start: {os.getloadavg()}; {os.cpu_count()} cores")
    server = PostgresServer().start()
    try:
        with tempfile.TemporaryDirectory(prefix="scale-out-") as tmp:
            folder = Path(tmp)
            store = folder / "store"
            build_store([ROOT / "knowledge" / "samples" / "documents"], store, HashingEmbedder())
            for count in args.processes:
                r = await one_count(server, store, folder, count, args.questions)
                print(f"{count} process(es): {args.questions} questions answered in "
                      f"{r['took']:.1f} s = {r['rate']:.0f}/s; lost {r['lost']:.0f}, duplicated "
                      f"{r['duplicated']:.0f}; CPU per answer: serving processes "
                      f"{r['cpu_ms']:.1f} ms, PostgreSQL {r['pg_ms']:.1f} ms")
    finally:
        server.stop()
    print(f"load average at end: {os.getloadavg()}")


if __name__ == "__main__":
    asyncio.run(main())
