"""`tuyengiao run` as a real process in webhook mode against the loopback Telegram and Zalo
servers: a stop (SIGTERM) while both platforms hang finishes within 10 s and keeps the
unanswered updates; a crash (SIGKILL) after the platform got its 200 and before the answer
went out loses nothing; the next start answers every one of them exactly once."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from sqlmodel import select

from bot.inbox.models import InboxUpdate
from bot.storage.database import Database
from indexer.build import build_store
from knowledge.embedder import HashingEmbedder
from tests.conftest import REPO
from tests.fakes.telegram_api import TelegramApiServer
from tests.fakes.zalo_api import ZaloApiServer

START = 90.0  # seconds for a process to come up on a busy 2-core machine
HANG = 600.0  # a platform that does not answer for the whole test
QUESTION = "Mỗi thôn có tổ xung kích phòng, chống thiên tai không?"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


PORTS = (free_port(), free_port())  # the same across restarts, as a deployment's


def start(tg: TelegramApiServer, zl: ZaloApiServer, store: Path, db_url: str,
          workdir: Path) -> subprocess.Popen[bytes]:
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "ZALO_"))},
        "HF_HUB_OFFLINE": "1", "DATABASE_URL": db_url, "SEARCH_WEIGHT_DENSE": "0",
        "BROADCAST_WORKER": "false", "POLL_RUNNER": "false", "STUDY_RUNNER": "false",
        "REPORT_WORKER": "false",
        "LOG_LEVEL": "INFO",
        "TELEGRAM_BOT_TOKEN": tg.token, "TELEGRAM_API_BASE_URL": tg.base_url,
        "TELEGRAM_WEBHOOK_URL": "http://127.0.0.1:{port}/tg", "TELEGRAM_WEBHOOK_SECRET": "tg-secret-0123456789",
        "WEBHOOK_LISTEN_HOST": "127.0.0.1", "WEBHOOK_LISTEN_PORT": str(PORTS[0]),
        "ZALO_BOT_TOKEN": zl.token, "ZALO_API_BASE_URL": zl.base_url,
        "ZALO_WEBHOOK_URL": "http://127.0.0.1:{port}/zalo", "ZALO_WEBHOOK_SECRET": "zalo-secret-0123456789",
        "ZALO_WEBHOOK_LISTEN_PORT": str(PORTS[1]), "PYTHONPATH": str(REPO),
    }
    return subprocess.Popen([sys.executable, "-m", "tuyengiao.cli", "run", "--store", str(store)],
                            cwd=workdir, env=env, stdout=subprocess.DEVNULL,
                            stderr=open(workdir / "run.log", "ab"))


async def started(tg: TelegramApiServer, zl: ZaloApiServer, process: subprocess.Popen[bytes]) -> None:
    """Both webhooks registered (or the process ended: fail at once, with its log)."""
    async def registered() -> None:
        await tg.wait_for("setWebhook", timeout=START)
        await zl.wait_for("setWebhook", timeout=START)

    ready = asyncio.ensure_future(registered())
    ended = asyncio.ensure_future(asyncio.to_thread(process.wait))
    await asyncio.wait({ready, ended}, return_when=asyncio.FIRST_COMPLETED)
    if not ready.done():
        ready.cancel()
        raise AssertionError(f"tuyengiao run ended with {process.returncode} before starting")
    ended.cancel()
    ready.result()


async def exited(process: subprocess.Popen[bytes], timeout: float) -> int:
    return await asyncio.wait_for(asyncio.to_thread(process.wait), timeout)


async def test_a_hung_platform_does_not_hold_the_stop_and_a_crash_loses_nothing(
        knowledge_dir: Path, tmp_path: Path) -> None:
    store = tmp_path / "store"
    build_store([knowledge_dir], store, HashingEmbedder())
    db_url = f"sqlite:///{tmp_path / 'bot.db'}"
    async with TelegramApiServer() as tg, ZaloApiServer() as zl:
        # 1. Both platforms stop answering sends; a question each; SIGTERM.
        tg.delay("sendMessage", HANG, times=None)
        zl.delay("sendMessage", HANG, times=None)
        process = start(tg, zl, store, db_url, tmp_path)
        await started(tg, zl, process)
        tg.text_update(101, 101, QUESTION)
        zl.text_update("z-101", "z-101", QUESTION)
        await zl.wait_arrivals("sendMessage", 1, timeout=START)
        await tg.until(lambda: bool(tg.webhook_deliveries), timeout=START)
        began = time.monotonic()
        process.send_signal(signal.SIGTERM)
        assert await exited(process, 30) == 0
        assert time.monotonic() - began < 10.0
        assert tg.calls_of("sendMessage") == [] and zl.calls_of("sendMessage") == []

        # 2. Still hanging; two more questions; SIGKILL after the 200s, before any answer.
        process = start(tg, zl, store, db_url, tmp_path)
        await started(tg, zl, process)
        tg.text_update(102, 102, QUESTION)
        zl.text_update("z-102", "z-102", QUESTION)
        await tg.until(lambda: [s for _, s in tg.webhook_deliveries] == [200, 200], timeout=START)
        await zl.until(lambda: [s for _, s in zl.webhook_deliveries] == [200, 200], timeout=START)
        process.kill()
        await exited(process, 30)
        assert tg.calls_of("sendMessage") == [] and zl.calls_of("sendMessage") == []

        # 3. The platforms answer again: the next start answers all four, once each.
        tg.clear_delays()
        zl.clear_delays()
        process = start(tg, zl, store, db_url, tmp_path)
        try:
            await started(tg, zl, process)
            for _ in range(2):
                await tg.wait_for("sendMessage", timeout=START)
                await zl.wait_for("sendMessage", timeout=START)
            # Both chats of each platform answered; then one more question per platform shows
            # nothing else was waiting (one process answers in arrival order per chat; a
            # duplicate would already be there).
            tg.text_update(101, 101, QUESTION)
            zl.text_update("z-101", "z-101", QUESTION)
            await tg.wait_for("sendMessage", timeout=START)
            await zl.wait_for("sendMessage", timeout=START)
        finally:
            process.send_signal(signal.SIGTERM)
            assert await exited(process, 30) == 0
    assert sorted(p["chat_id"] for p in tg.calls_of("sendMessage")) == [101, 101, 102]
    assert sorted(p["chat_id"] for p in zl.calls_of("sendMessage")) == ["z-101", "z-101", "z-102"]
    assert all("Chỉ thị 05-CT/TW" in p["text"] for p in tg.calls_of("sendMessage"))
    db = Database.open(db_url)
    try:
        with db.session() as s:
            rows = s.exec(select(InboxUpdate)).all()
    finally:
        db.close()
    assert len(rows) == 6 and {(r.status, r.payload, r.chat_key) for r in rows} == {("done", None, None)}
    log = (tmp_path / "run.log").read_text(encoding="utf-8")
    assert "cancelled, kept for the next start" in log
    assert tg.token not in log and zl.token not in log
