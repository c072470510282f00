"""The far side of bench/qa_load.py, run in a child process: the loopback platform server
(Telegram Bot API or Zalo Bot Platform) and the simulated users who ask through it.

`Users` plays a scenario (burst, closed loop, paced arrivals) and records every push and
every message the bot sends, with `time.monotonic()` (one clock for both processes). An
answer's last part is recognised by its feedback actions: on Telegram the 👍/👎 buttons,
whose callback data carries the question-log id; on Zalo the numbered hint ("Gõ 1: 👍 ..."),
which carries no id (qa_load.py resolves it from the question log: one chat's questions are
logged and answered in the order they are handled).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import time
from collections import Counter, defaultdict
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from bot import messages
from tests.fakes.telegram_api import TelegramApiServer
from tests.fakes.zalo_api import ZaloApiServer

LOSS_TIMEOUT = 120.0  # seconds after the last push before an unanswered question counts lost
ANSWER_ID_UNKNOWN = -1  # a Zalo answer's last part: the question id comes from the log
ZALO_HINT = messages.ACTIONS_HINT.format(choices=f"1: {messages.ACTION_FEEDBACK_UP}")


def now() -> float:
    return time.monotonic()


class Users:
    """Plays the users over a platform server (mixed into one below)."""

    done: asyncio.Event
    spec: dict[str, Any] | None

    def begin(self, spec: dict[str, Any]) -> None:
        self.spec = spec
        self.pushes: list[tuple[int, int, str, float]] = []  # chat, question index, update id, t
        self.sends: list[tuple[int, float, int | None, int]] = []  # chat, t, qid, text length
        self.batches: list[int] = []  # getUpdates result sizes
        self.chat_actions = 0
        self.aborted: Counter[str] = Counter()  # requests the client dropped mid-way, by method
        self.cpu_started = time.process_time()
        self.answers = 0
        self.next_q: dict[int, int] = defaultdict(int)
        self.timers: list[asyncio.TimerHandle] = []  # think mode's scheduled questions
        self.done.clear()

    def push(self, chat: int) -> None:
        assert self.spec is not None
        k = self.next_q[chat]
        self.next_q[chat] = k + 1
        text = self.spec["questions"][str(chat)][k]
        t = now()
        update_id = self.push_question(chat, text, f"Đảng viên {chat % 100_000}")
        self.pushes.append((chat, k, update_id, t))

    def push_question(self, chat: int, text: str, name: str) -> str:
        raise NotImplementedError

    async def settle(self) -> None:
        """Return once the bot has taken every pushed update."""
        raise NotImplementedError

    def record_send(self, chat: int, qid: int | None, length: int) -> None:
        t = now()
        if self.spec is None:
            return
        self.sends.append((chat, t, qid, length))
        if qid is not None:
            self.answers += 1
            if self.spec["mode"] == "closed" and self.next_q[chat] < self.spec["per_user"]:
                self.push(chat)  # the user reads the answer and asks the next question
            elif self.spec["mode"] == "think" and self.next_q[chat] < self.spec["per_user"]:
                # The user reads the answer, then types the next question.
                pause = self.think_rng.expovariate(1.0 / self.spec["think"])
                self.timers.append(asyncio.get_running_loop().call_later(pause, self.push, chat))
            if self.answers >= self.spec["expected"]:
                self.done.set()

    def record_batch(self, size: int) -> None:
        if self.spec is not None and size:
            self.batches.append(size)

    def record_chat_action(self) -> None:
        if self.spec is not None:
            self.chat_actions += 1

    async def play(self, spec: dict[str, Any]) -> dict[str, Any]:
        """Push the scenario's questions; return once every one is answered (or the timeout)."""
        self.begin(spec)
        chats = [int(c) for c in spec["questions"]]
        mode = spec["mode"]
        if mode == "burst":
            for _ in range(spec["per_user"]):
                for chat in chats:
                    self.push(chat)
        elif mode == "closed":
            for chat in chats:
                self.push(chat)
        elif mode == "think":
            # Everyone starts within one think time; each answer schedules the next question.
            self.think_rng = random.Random(spec["seed"])
            for chat in chats:
                start = self.think_rng.uniform(0, spec["think"])
                self.timers.append(asyncio.get_running_loop().call_later(start, self.push, chat))
        elif mode == "paced":
            rng = random.Random(spec["seed"])
            due = now()
            for _ in range(spec["per_user"]):
                for chat in chats:
                    due += rng.expovariate(spec["rate"])
                    if (delay := due - now()) > 0:
                        await asyncio.sleep(delay)  # the arrival time, not a wait for an event
                    self.push(chat)
        else:
            raise ValueError(mode)
        timed_out = False
        while not self.done.is_set():  # LOSS_TIMEOUT counts from the latest push
            latest = max((p[3] for p in self.pushes), default=now())
            if (left := latest + LOSS_TIMEOUT - now()) <= 0:
                timed_out = True
                break
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.done.wait(), min(left, 5.0))
        for timer in self.timers:  # questions not yet asked when the run gave up
            timer.cancel()
        try:
            await asyncio.wait_for(self.settle(), 10.0)
        except TimeoutError:
            timed_out = True
        return {"timed_out": timed_out}

    def records(self) -> dict[str, Any]:
        records = {"pushes": self.pushes, "sends": self.sends, "batches": self.batches,
                   "chat_actions": self.chat_actions, "aborted": dict(self.aborted),
                   "cpu": time.process_time() - self.cpu_started}
        self.spec = None
        return records

    def count_abort(self, request: Any) -> None:
        if self.spec is not None:
            self.aborted[request.path.rsplit("/", 1)[-1]] += 1


class TelegramUsers(Users, TelegramApiServer):
    def __init__(self, *, poll_limit: int) -> None:
        TelegramApiServer.__init__(self, max_poll_wait=1.0)
        self.poll_limit = poll_limit
        self.spec = None
        self.done = asyncio.Event()

    def push_question(self, chat: int, text: str, name: str) -> str:
        return str(self.text_update(chat, chat, text, first_name=name)["update_id"])

    async def settle(self) -> None:
        last = max(int(p[2]) for p in self.pushes)
        await self.wait_confirmed(last, timeout=None)  # type: ignore[arg-type]

    async def _handle(self, request: Any) -> Any:
        try:
            return await super()._handle(request)
        except ConnectionResetError:  # the client cancelled the request (aiohttp logs it)
            self.count_abort(request)
            raise

    async def _m_getUpdates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        params = {**params, "limit": min(int(params.get("limit") or 100), self.poll_limit)}
        result = await super()._m_getUpdates(params)
        self.record_batch(len(result))
        return result

    async def _m_sendChatAction(self, params: dict[str, Any]) -> bool:
        self.record_chat_action()
        return await super()._m_sendChatAction(params)

    async def _m_sendMessage(self, params: dict[str, Any]) -> dict[str, Any]:
        message = await super()._m_sendMessage(params)
        qid = None
        for row in (params.get("reply_markup") or {}).get("inline_keyboard", []):
            for button in row:
                data = button.get("callback_data") or ""
                if data.startswith("fb:"):
                    qid = int(data.split(":")[1])
        self.record_send(int(params["chat_id"]), qid, len(message["text"]))
        return message


class ZaloUsers(Users, ZaloApiServer):
    def __init__(self, *, poll_limit: int) -> None:
        ZaloApiServer.__init__(self, max_poll_wait=1.0)  # one update per getUpdates anyway
        self.spec = None
        self.done = asyncio.Event()

    def push_question(self, chat: int, text: str, name: str) -> str:
        update = self.text_update(str(chat), str(chat), text, display_name=name)
        return str(update["message"]["message_id"])

    async def settle(self) -> None:
        await self.wait_taken(timeout=None)  # type: ignore[arg-type]

    async def _handle(self, request: Any) -> Any:
        try:
            return await super()._handle(request)
        except ConnectionResetError:
            self.count_abort(request)
            raise

    def _hand_out(self) -> Any:
        self.record_batch(1)
        return super()._hand_out()

    async def _m_sendChatAction(self, params: dict[str, Any]) -> None:
        self.record_chat_action()
        return await super()._m_sendChatAction(params)

    async def _m_sendMessage(self, params: dict[str, Any]) -> dict[str, Any]:
        message = await super()._m_sendMessage(params)
        text = params["text"]
        self.record_send(int(params["chat_id"]), ANSWER_ID_UNKNOWN if ZALO_HINT in text else None, len(text))
        return message


SERVERS = {"telegram": TelegramUsers, "zalo": ZaloUsers}


def child_main(conn: Any, channel: str, poll_limit: int) -> None:
    # Requests the bot cancels (the typing indicator's, when the answer is ready first) make
    # aiohttp log a traceback each; they are counted instead.
    logging.getLogger("aiohttp.server").setLevel(logging.CRITICAL)
    asyncio.run(_child(conn, channel, poll_limit))


async def _child(conn: Any, channel: str, poll_limit: int) -> None:
    loop = asyncio.get_running_loop()
    inbox = ThreadPoolExecutor(1, thread_name_prefix="inbox")
    async with SERVERS[channel](poll_limit=poll_limit) as api:
        conn.send(("ready", api.base_url, api.token))
        while True:
            message = await loop.run_in_executor(inbox, conn.recv)
            if message[0] == "play":
                conn.send(("played", await api.play(message[1])))
            elif message[0] == "records":
                conn.send(("records", api.records()))
            elif message[0] == "stop":
                break
    inbox.shutdown()
