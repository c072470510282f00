"""`tuyengiao run`: build the core once and start every configured channel.

Resources are owned here: the database, the embedding model and the channels are opened in
an AsyncExitStack and closed in reverse order on SIGINT/SIGTERM, after in-flight replies
finish. With no platform token the local terminal channel starts, so a newcomer can try the
assistant with `make run` alone. Telegram and Zalo run side by side when both are configured.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from concurrent.futures import ThreadPoolExecutor
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
    async with AsyncExitStack() as stack:
        db = Database.open(settings.database_url, sqlite_synchronous=settings.sqlite_synchronous,
                           best_effort_wait=settings.db_best_effort_wait_seconds,
                           fault_retry_seconds=settings.db_fault_retry_seconds)
        stack.callback(db.close)
        db.create_all()
        assistant = await asyncio.to_thread(build_assistant, settings, store, db)
        if settings.broadcast_worker:
            await _start_broadcast_worker(settings, db, assistant, stack, stop)
        if settings.poll_runner:
            await _start_poll_runner(settings, db, assistant, stack, stop)
        if platforms := _platforms(settings):
            # Every configured platform on this one event loop, one core behind them all.
            # Each channel is also the core's way to write first on its platform (a code
            # sent privately, a link to confirm): attached once started, detached first.
            if "telegram" in platforms:
                telegram = await stack.enter_async_context(_telegram_channel(settings, assistant))
                assistant.outbound.attach("telegram", telegram)
                stack.callback(assistant.outbound.detach, "telegram")
                logger.info("Telegram channel started")
            if "zalo" in platforms:
                zalo = await stack.enter_async_context(await _zalo_channel(settings, assistant, stack))
                assistant.outbound.attach("zalo", zalo)
                stack.callback(assistant.outbound.detach, "zalo")
                logger.info("Zalo channel started")
            await stop.wait()
        else:
            logger.info("no platform token configured: starting the local terminal channel")
            local = asyncio.create_task(LocalChannel(assistant.handle).serve())
            stopper = asyncio.create_task(stop.wait())
            await asyncio.wait({local, stopper}, return_when=asyncio.FIRST_COMPLETED)
            stopper.cancel()
        logger.info("shutting down")


def _platforms(settings: Settings) -> list[str]:
    return [name for name, token in (("telegram", settings.telegram_bot_token),
                                     ("zalo", settings.zalo_bot_token)) if token]


def _telegram_channel(settings: Settings, assistant: Assistant) -> TelegramChannel:
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
    )


async def _zalo_channel(settings: Settings, assistant: Assistant, stack: AsyncExitStack) -> ZaloChannel:
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
                       poll_timeout=settings.zalo_poll_timeout)


async def _start_broadcast_worker(settings: Settings, db: Database, assistant: Assistant,
                                  stack: AsyncExitStack, stop: asyncio.Event) -> None:
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
    _run_until_stop(worker.run(stop), "broadcast-worker", stack, stop)


async def _start_poll_runner(settings: Settings, db: Database, assistant: Assistant,
                             stack: AsyncExitStack, stop: asyncio.Event) -> None:
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
    _run_until_stop(runner.run(stop), "poll-runner", stack, stop)


def _run_until_stop(work: Coroutine[Any, Any, None], name: str, stack: AsyncExitStack,
                    stop: asyncio.Event) -> None:
    """Run a background loop that ends when `stop` is set; closing the stack sets it and
    waits for the loop, so it finishes before what was opened earlier on the stack."""
    task = asyncio.create_task(work, name=name)

    async def finish() -> None:
        stop.set()
        await task

    stack.push_async_callback(finish)
