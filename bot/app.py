"""`tuyengiao run`: build the core once and start every configured channel.

Resources are owned here: the database, the embedding model and the channels are opened in
an AsyncExitStack and closed in reverse order on SIGINT/SIGTERM. With no platform token the
local terminal channel starts, so a newcomer can try the assistant with `make run` alone.
Telegram and Zalo run side by side when both are configured, each keeping its updates in the
durable inbox (bot.inbox) until they are answered.

Stopping is bounded: from the moment `stop` is set, the channels (together), the broadcast
worker and the poll runner share one deadline, `SHUTDOWN_GRACE_SECONDS` away; what is still
running then is cancelled (unanswered updates stay in the inbox, unsent deliveries in the
outbox). Platform calls made while stopping wait at most that long too, so a stop takes
under 10 s whatever the platforms do.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from contextlib import AsyncExitStack
from datetime import timedelta
from pathlib import Path
from collections.abc import Coroutine
from typing import TYPE_CHECKING, Any

from bot.broadcast.handlers import BROADCAST_COMMANDS, BroadcastHandlers
from bot.channels.local import LOCAL_USER_ID, LocalChannel
from bot.core.accounts import CodeSettings
from bot.core.assistant import Assistant, CoreSettings
from bot.services.code_guard import GuardPolicy
from bot.core.commands import ALL_COMMANDS
from bot.core.knowledge_base import KnowledgeBase
from bot.inbox.durable import DurableInbox, InboxConfig, worker_id
from bot.polls.handlers import POLL_COMMANDS, PollHandlers
from bot.storage.database import Database
from tuyengiao.settings import Settings

if TYPE_CHECKING:
    from bot.channels.telegram import TelegramChannel
    from bot.channels.zalo import ZaloChannel

logger = logging.getLogger(__name__)


def build_assistant(settings: Settings, store: Path, db: Database) -> Assistant:
    from tuyengiao.commands import answer_policy, make_searcher

    knowledge = KnowledgeBase(make_searcher(settings, store, serving=True), answer_policy(settings))
    admins = settings.admin_id_set
    if not _platforms(settings):
        # The terminal's user already controls the server: make them an admin.
        admins = admins | {f"local:{LOCAL_USER_ID}"}
    return Assistant(knowledge, db, CoreSettings(admin_ids=admins, codes=code_settings(settings)),
                     BroadcastHandlers(db, knowledge), PollHandlers(db, admins))


def code_settings(settings: Settings) -> CodeSettings:
    return CodeSettings(
        invite_days=settings.invite_days, member_uses=settings.invite_member_uses,
        guard=GuardPolicy(
            per_person=settings.code_max_failures_per_person,
            per_chat=settings.code_max_failures_per_chat,
            window=timedelta(minutes=settings.code_failure_window_minutes),
            lockout=timedelta(minutes=settings.code_lockout_minutes)))


class Deadline:
    """The one moment every part of a stop must be done by: `grace` seconds after the stop
    began (the first call of `remaining` if nobody said when)."""

    def __init__(self, grace: float) -> None:
        self.grace = grace
        self._at: float | None = None

    def begin(self) -> None:
        if self._at is None:
            self._at = asyncio.get_running_loop().time() + self.grace

    def remaining(self) -> float:
        self.begin()
        assert self._at is not None
        return max(self._at - asyncio.get_running_loop().time(), 0.0)


async def serve(settings: Settings, store: Path, stop: asyncio.Event | None = None) -> None:
    """Run until SIGINT/SIGTERM (or until `stop` is set, for embedding and tests)."""
    stop = stop or asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
            loop.add_signal_handler(sig, stop.set)
    loop.set_default_executor(
        ThreadPoolExecutor(settings.worker_threads, thread_name_prefix="core")
    )
    deadline = Deadline(settings.shutdown_grace_seconds)
    async with AsyncExitStack() as stack:
        db = Database.open(settings.database_url, sqlite_synchronous=settings.sqlite_synchronous,
                           best_effort_wait=settings.db_best_effort_wait_seconds,
                           fault_retry_seconds=settings.db_fault_retry_seconds)
        stack.callback(db.close)
        db.create_all()
        assistant = await asyncio.to_thread(build_assistant, settings, store, db)
        if settings.broadcast_worker:
            await _start_broadcast_worker(settings, db, assistant, stack, stop, deadline)
        if settings.poll_runner:
            await _start_poll_runner(settings, db, assistant, stack, stop, deadline)
        if platforms := _platforms(settings):
            # Every configured platform on this one event loop, one core behind them all.
            # Built first (the Zalo HTTP session goes on the stack), stopped together before
            # anything they use closes. Each is also the core's way to write first on its
            # platform (a code sent privately, a link to confirm): attached once started,
            # detached first.
            channels: list[tuple[str, TelegramChannel | ZaloChannel]] = []
            if "telegram" in platforms:
                channels.append(("telegram", _telegram_channel(settings, assistant, db)))
            if "zalo" in platforms:
                channels.append(("zalo", await _zalo_channel(settings, assistant, db, stack)))
            started: list[TelegramChannel | ZaloChannel] = []
            stack.push_async_callback(_stop_channels, started, deadline)
            for platform, channel in channels:
                await channel.start()
                started.append(channel)
                assistant.outbound.attach(platform, channel)
                stack.callback(assistant.outbound.detach, platform)
                logger.info("%s channel started", platform.capitalize())
            await stop.wait()
        else:
            logger.info("no platform token configured: starting the local terminal channel")
            local = asyncio.create_task(LocalChannel(assistant.handle).serve())
            stopper = asyncio.create_task(stop.wait())
            await asyncio.wait({local, stopper}, return_when=asyncio.FIRST_COMPLETED)
            stopper.cancel()
        deadline.begin()
        logger.info("shutting down (at most %.0f s for replies in flight)", deadline.grace)


async def _stop_channels(channels: list[TelegramChannel | ZaloChannel], deadline: Deadline) -> None:
    """All channels at once, each giving its replies in flight what is left of the grace."""
    await asyncio.gather(*(c.stop(grace=deadline.remaining()) for c in channels))


def _inbox(settings: Settings, db: Database, platform: str, port: int | None) -> DurableInbox:
    config = InboxConfig(max_backlog=settings.inbox_max_backlog,
                         lease=timedelta(seconds=settings.inbox_lease_seconds),
                         retention=timedelta(hours=settings.inbox_retention_hours))
    return DurableInbox(db, platform, worker_id(platform, port), config)


def _platforms(settings: Settings) -> list[str]:
    return [name for name, token in (("telegram", settings.telegram_bot_token),
                                     ("zalo", settings.zalo_bot_token)) if token]


def _telegram_channel(settings: Settings, assistant: Assistant, db: Database) -> TelegramChannel:
    from bot.channels.telegram import TelegramChannel, WebhookConfig

    webhook = None
    if settings.telegram_webhook_url:
        webhook = WebhookConfig(
            url=settings.telegram_webhook_url,
            secret_token=settings.telegram_webhook_secret,
            listen_host=settings.webhook_listen_host,
            listen_port=settings.webhook_listen_port,
        )
    return TelegramChannel(
        settings.telegram_bot_token,
        assistant.handle,
        base_url=settings.telegram_api_base_url,
        commands=list(ALL_COMMANDS) + list(BROADCAST_COMMANDS) + list(POLL_COMMANDS),
        webhook=webhook,
        concurrent_updates=settings.telegram_concurrent_updates,
        inbox=_inbox(settings, db, "telegram", webhook.listen_port if webhook else None),
        grace=settings.shutdown_grace_seconds,
    )


async def _zalo_channel(settings: Settings, assistant: Assistant, db: Database,
                        stack: AsyncExitStack) -> ZaloChannel:
    import aiohttp

    from bot.channels.zalo import ZaloChannel, ZaloWebhookConfig
    from bot.channels.zalo_api import ZaloBotApi

    # One HTTP session for the process's Zalo calls, closed after the channel has stopped.
    session = await stack.enter_async_context(aiohttp.ClientSession())
    api = ZaloBotApi(settings.zalo_bot_token, session, base_url=settings.zalo_api_base_url,
                     sends_per_second=settings.zalo_sends_per_second)
    webhook = None
    if settings.zalo_webhook_url:
        webhook = ZaloWebhookConfig(
            url=settings.zalo_webhook_url,
            secret_token=settings.zalo_webhook_secret,
            listen_host=settings.webhook_listen_host,
            listen_port=settings.zalo_webhook_listen_port,
        )
    return ZaloChannel(api, assistant.handle, webhook=webhook,
                       concurrent_updates=settings.zalo_concurrent_updates,
                       poll_timeout=settings.zalo_poll_timeout,
                       inbox=_inbox(settings, db, "zalo", webhook.listen_port if webhook else None),
                       key_secret=settings.zalo_bot_token.encode(),
                       grace=settings.shutdown_grace_seconds)


async def _start_broadcast_worker(settings: Settings, db: Database, assistant: Assistant,
                                  stack: AsyncExitStack, stop: asyncio.Event,
                                  deadline: Deadline) -> None:
    """The outbox worker on this event loop; stopped (in-flight sends recorded) before the
    transports and the database close."""
    from bot.broadcast.worker import BroadcastWorker
    from tuyengiao.broadcasting import open_transports, worker_config

    transports = await open_transports(settings, stack)
    if not transports:
        return
    worker = BroadcastWorker(db, transports, worker_config(settings))
    if assistant.broadcasts is not None:
        assistant.broadcasts.wake = worker.wake
    _run_until_stop(worker.run(stop), "broadcast-worker", stack, stop, deadline)


async def _start_poll_runner(settings: Settings, db: Database, assistant: Assistant,
                             stack: AsyncExitStack, stop: asyncio.Event,
                             deadline: Deadline) -> None:
    """The poll runner on this event loop (posting, deadlines, final results), stopped before
    the senders and the database close."""
    from bot.polls.runner import PollRunner, RunnerConfig
    from tuyengiao.broadcasting import open_poll_senders, telegram_limits, zalo_limits

    senders = await open_poll_senders(settings, stack)
    if not senders:
        return
    runner = PollRunner(db, senders, RunnerConfig(interval=settings.poll_runner_seconds,
                                                  concurrency=settings.poll_concurrency),
                        {"telegram": telegram_limits(settings), "zalo": zalo_limits(settings)})
    if assistant.polls is not None:
        assistant.polls.wake = runner.wake
    _run_until_stop(runner.run(stop), "poll-runner", stack, stop, deadline)


def _run_until_stop(work: Coroutine[Any, Any, None], name: str, stack: AsyncExitStack,
                    stop: asyncio.Event, deadline: Deadline) -> None:
    """Run a background loop that ends when `stop` is set; closing the stack sets it and
    waits for the loop — until the stop's deadline, then cancels it (sends still hanging on
    a platform then: their rows stay claimed and come back when the lease passes) — so it
    finishes before what was opened earlier on the stack."""
    task = asyncio.create_task(work, name=name)

    async def finish() -> None:
        stop.set()
        done, _ = await asyncio.wait({task}, timeout=deadline.remaining())
        if not done:
            logger.warning("%s still busy at the stop deadline: cancelled", name)
            task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task

    stack.push_async_callback(finish)
