"""Scale-out: two `tuyengiao run` processes (real OS processes, webhook mode) on one real
PostgreSQL (tests/postgres_server.py), behind one round-robin reverse proxy that the loopback
Telegram Bot API delivers to, as Telegram does (one update at a time, each acknowledged).

With a chat's consecutive updates landing on alternate processes, it shows:
- every update answered once, each chat's answers in the order of its questions;
- a broadcast delivered once to each of its chats, a poll posted once per chat, stopped once
  per chat and its results sent once, with both processes' workers and runners running;
- a store published while they run answered from by both processes, each by itself;
- the first process to stop leaves the webhook to the other, the last one removes it.

A process answers from a small store indexed with the hashing embedder and lexical search
only (SEARCH_WEIGHT_DENSE=0: no model to load), so the figures logged (updates per second)
measure the serving path, not the encoder.
"""

from __future__ import annotations

import logging
import time
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

from bot.broadcast import service as broadcasts
from bot.broadcast.messages import BROADCAST_REPORT_TITLE
from bot.polls import service as polls
from bot.polls.models import Poll
from bot.storage.database import Database
from bot.storage.models import utcnow
from indexer.build import build_store
from knowledge.embedder import HashingEmbedder
from tests.bot.broadcast.world import World, build_world
from tests.conftest import DOCUMENTS, MARKER, write_documents
from tests.fakes.telegram_api import TelegramApiServer
from tests.serving_processes import Processes, RoundRobin, serving

logger = logging.getLogger(__name__)

WAIT = 60.0  # seconds for a phase; only reached when something is broken
QUESTIONS = [
    "Mỗi thôn có tổ xung kích phòng, chống thiên tai không?",
    "Đến năm 2030 mỗi xã có điểm thư viện số không?",
    "Mỗi chi bộ có ít nhất mấy cộng tác viên dư luận xã hội?",
    "Chi bộ tổ chức giới thiệu sách mấy lần mỗi năm?",
    "Các tỉnh ủy báo cáo kết quả thực hiện Chỉ thị trước ngày nào?",
    "Loa truyền thanh cơ sở và nhóm Zalo dùng để làm gì khi có bão lũ?",
]  # each answered with other passages (checked first: a reordering must show)
CHATS = 7  # odd: with two processes in turn, a chat's consecutive updates alternate
NEW_DOCUMENT = f"""{MARKER}
ĐẢNG BỘ TỈNH MINH SƠN
TỈNH ỦY
*
Số 12-HD/TU
Minh Sơn, ngày 3 tháng 3 năm 2025

HƯỚNG DẪN
của Ban Thường vụ Tỉnh ủy
về tổ chức hội thi tuyên truyền viên giỏi

1. Mỗi huyện ủy chọn ba tuyên truyền viên dự hội thi cấp tỉnh vào tháng Chín hằng năm.
2. Bài dự thi trình bày trong mười lăm phút, có phần trả lời câu hỏi của ban giám khảo.
"""
NEW_QUESTION = "Mỗi huyện ủy chọn mấy tuyên truyền viên dự hội thi tuyên truyền viên giỏi?"


def reports(api: TelegramApiServer, world: World) -> list[str]:
    """The broadcast reports sent to the officer (its final one: sent when it is done)."""
    title = BROADCAST_REPORT_TITLE.split("#")[0]
    return [p["text"] for p in api.calls_of("sendMessage")
            if str(p["chat_id"]) == world.officer_id and title in p["text"]]


def replies(api: TelegramApiServer, chat: int) -> list[str]:
    return [p["text"] for p in api.calls_of("sendMessage") if p["chat_id"] == chat]


@asynccontextmanager
async def two_processes(api: TelegramApiServer, db_url: str, store: Path, folder: Path,
                        **more: str) -> AsyncIterator[tuple[Processes, RoundRobin]]:
    env = {"DATABASE_URL": db_url, "STORE_DIR": str(store), "ADMIN_IDS": "telegram:1",
           "BROADCAST_POLL_SECONDS": "0.1", "BROADCAST_PROGRESS_SECONDS": "0.2",
           "POLL_RUNNER_SECONDS": "0.2", "TELEGRAM_RATE_PER_SECOND": "500",
           "TELEGRAM_RATE_PER_CHAT_PER_SECOND": "0", "LOG_LEVEL": "INFO", **more}
    async with serving(api, count=2, env=env, folder=folder) as running:
        yield running


async def test_two_processes_on_one_postgresql_answer_every_update_once_in_order(
        postgres: Any, tmp_path: Path) -> None:
    db_url = postgres.create_database()
    db = Database.open(db_url)
    db.create_all()
    world = build_world(db)  # Telegram only: the processes serve Telegram
    officer = world.actor(db, world.officer_id)
    store = tmp_path / "store"
    knowledge = write_documents(tmp_path / "knowledge")
    build_store([knowledge], store, HashingEmbedder())
    async with TelegramApiServer(redeliver=0.05) as api:
        try:
            async with two_processes(api, db_url, store, tmp_path) as (processes, proxy):
                try:
                    await exercise(api, db, world, officer, knowledge, store, processes, proxy)
                except BaseException:
                    logger.error("processes' logs:\n%s", processes.logs())
                    raise
                # Stopping: the first leaves the webhook to the other, the last removes it.
                assert await processes.stop(0) == 0
                assert api.calls_of("deleteWebhook") == []
                assert await processes.stop(1) == 0
                assert len(api.calls_of("deleteWebhook")) == 1
        finally:
            db.close()
    # Nothing was sent twice, to the end (both processes stopped).
    assert Counter(str(c["chat_id"]) for c in api.calls_of("sendPoll")) == {
        chat: 1 for chat in world.members[world.cell] + [world.groups[world.cell]]}
    assert Counter(str(c["chat_id"]) for c in api.calls_of("stopPoll")) == {
        chat: 1 for chat in world.members[world.cell] + [world.groups[world.cell]]}
    assert len(api.photos) == 1 and str(api.photos[0]["chat_id"]) == world.officer_id
    broadcast_text = "Kế hoạch tuyên truyền hội thi"
    delivered = Counter(str(p["chat_id"]) for p in api.calls_of("sendMessage")
                        if broadcast_text in p["text"] and str(p["chat_id"]) != world.officer_id)
    audience = world.members[world.cell] + world.members[world.commune2] + [
        world.groups[world.cell], world.groups[world.commune2]]
    assert delivered == {chat: 1 for chat in audience}
    assert len(reports(api, world)) == 1


async def exercise(api: TelegramApiServer, db: Database, world: World, officer: Any,
                   knowledge: Path, store: Path, processes: Processes, proxy: RoundRobin) -> None:
    # Each question's answer, asked once in its own chat (they must differ, or order is moot).
    for i, question in enumerate(QUESTIONS):
        api.text_update(2000 + i, 2000 + i, question)
    await api.until(lambda: all(replies(api, 2000 + i) for i in range(len(QUESTIONS))), WAIT)
    answer = {q: replies(api, 2000 + i)[0] for i, q in enumerate(QUESTIONS)}
    assert len(set(answer.values())) == len(QUESTIONS)

    # The load: every chat asks all questions (each chat in its own order), delivered one
    # update at a time, a chat's consecutive updates going to alternate processes.
    asked = {3000 + c: [QUESTIONS[(c + i) % len(QUESTIONS)] for i in range(len(QUESTIONS))]
             for c in range(CHATS)}
    ids: dict[int, int] = {}
    began = time.monotonic()
    for i in range(len(QUESTIONS)):
        for chat, questions in asked.items():
            ids[api.text_update(chat, chat, questions[i])["update_id"]] = chat
    await api.until(lambda: all(len(replies(api, chat)) >= len(QUESTIONS) for chat in asked), WAIT)
    took = time.monotonic() - began
    logger.info("two processes: %d updates answered in %.2f s (%.0f per second)",
                len(ids), took, len(ids) / took)
    routed = [index for update, index in proxy.routed if update in ids]
    assert sorted(Counter(routed).values()) == [len(ids) // 2, len(ids) - len(ids) // 2]
    for chat, questions in asked.items():
        assert replies(api, chat) == [answer[q] for q in questions], f"chat {chat}"

    # A broadcast and a poll: both processes' workers and runners run; each is done once.
    draft = db.call(broadcasts.create, officer, text="Kế hoạch tuyên truyền hội thi 2025.",
                    unit_ids=[world.cell, world.commune2], origin=("telegram", world.officer_id))
    assert draft.id is not None
    db.call(broadcasts.confirm, officer, draft.id)
    poll = db.call(polls.create, officer, question="Chi bộ đã sinh hoạt chuyên đề quý này chưa?",
                   options=["Đã sinh hoạt", "Chưa"], anonymous=False, multiple=False,
                   closes_at=utcnow() + timedelta(hours=1), unit_ids=[world.cell],
                   origin=("telegram", world.officer_id))
    assert poll.id is not None
    db.call(polls.open_poll, officer, poll.id)
    targets = len(world.members[world.cell]) + 1
    await api.until(lambda: len(api.calls_of("sendPoll")) >= targets, WAIT)
    db.call(lambda s: s.get(Poll, poll.id).__setattr__("closes_at", utcnow() - timedelta(seconds=1)))
    await api.until(lambda: bool(api.photos), WAIT)
    await api.until(lambda: bool(reports(api, world)), WAIT)

    # A new store published while both run: each process picks it up by itself.
    write_documents(knowledge, {**DOCUMENTS, "huong-dan-12-HD-TU.txt": NEW_DOCUMENT})
    build_store([knowledge], store, HashingEmbedder())
    before = len(proxy.routed)
    for chat in (4001, 4002):  # two updates in a row: one to each process
        api.text_update(chat, chat, NEW_QUESTION)
    await api.until(lambda: all(replies(api, chat) for chat in (4001, 4002)), WAIT)
    assert sorted(index for _, index in proxy.routed[before:]) == [0, 1]
    for chat in (4001, 4002):
        assert "huong-dan-12-HD-TU.txt" in replies(api, chat)[0], replies(api, chat)[0]


async def test_a_process_killed_while_answering_loses_nothing_its_chats_go_on_in_order(
        postgres: Any, tmp_path: Path) -> None:
    """Process 0 is killed (SIGKILL) the moment it has acknowledged an update of the load,
    and the proxy takes it out of the rotation: process 1 gets every later update, takes
    the dead process's chats once their lease (INBOX_LEASE_SECONDS=5) has passed, and
    answers everything, each chat in order; only a reply in flight at the kill may go twice."""
    db_url = postgres.create_database()
    Database.open(db_url).close()
    store = tmp_path / "store"
    build_store([write_documents(tmp_path / "knowledge")], store, HashingEmbedder())
    async with TelegramApiServer(redeliver=0.05) as api:
        async with two_processes(api, db_url, store, tmp_path,
                                 INBOX_LEASE_SECONDS="5") as (processes, proxy):
            try:
                for i, question in enumerate(QUESTIONS):
                    api.text_update(2000 + i, 2000 + i, question)
                await api.until(lambda: all(replies(api, 2000 + i) for i in range(len(QUESTIONS))), WAIT)
                answer = {q: replies(api, 2000 + i)[0] for i, q in enumerate(QUESTIONS)}
                asked = {3000 + c: [QUESTIONS[(c + i) % len(QUESTIONS)] for i in range(len(QUESTIONS))]
                         for c in range(CHATS)}
                load: set[int] = set()
                killed: list[int] = []

                def kill_at_the_fifth(update_id: int, index: int) -> None:
                    if index == 0 and update_id in load and not killed and \
                            sum(1 for u, i in proxy.routed if i == 0 and u in load) >= 5:
                        processes.kill(0)  # before the proxy even answers the platform
                        proxy.down.add(0)
                        killed.append(update_id)

                proxy.after_routed = kill_at_the_fifth
                began = time.monotonic()
                for i in range(len(QUESTIONS)):
                    for chat, questions in asked.items():
                        load.add(api.text_update(chat, chat, questions[i])["update_id"])
                await api.until(lambda: all(len(set(replies(api, chat))) >= len(QUESTIONS)
                                            for chat in asked), WAIT)
                took = time.monotonic() - began
            except BaseException:
                logger.error("processes' logs:\n%s", processes.logs())
                raise
    assert killed, "process 0 was never killed"
    logger.info("one process killed mid-load: %d updates answered in %.1f s", len(load), took)
    repeats = 0
    for chat, questions in asked.items():
        got = replies(api, chat)
        in_order = [text for n, text in enumerate(got) if n == 0 or got[n - 1] != text]
        repeats += len(got) - len(in_order)
        assert in_order == [answer[q] for q in questions], f"chat {chat}"
    assert repeats <= 1  # at most the one update process 0 was answering at the kill
