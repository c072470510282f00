"""`tuyengiao run`: the start-up wiring — settings → database (its schema brought up to the
models) → store → embedder → the core and its features → channels → the features' workers —
and the bounded stop.

Resources are owned here: the database, the embedding model, the HTTP sessions and the
channels are opened in an AsyncExitStack and closed in reverse order on SIGINT/SIGTERM. With
no platform token the local terminal channel starts, so a newcomer can try the assistant with
`make run` alone. Telegram and Zalo run side by side when both are configured, each keeping
its updates in the durable inbox (bot.inbox) until they are answered.

Stopping is bounded: from the moment `stop` is set, the channels (together) and every
feature's workers share one deadline, `SHUTDOWN_GRACE_SECONDS` away; what is still running
then is cancelled (unanswered updates stay in the inbox, unsent deliveries in the outbox).
Platform calls made while stopping wait at most that long too, so a stop takes under 10 s
whatever the platforms do.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import Callable, Coroutine, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import AsyncExitStack
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bot import messages
from bot.channels.local import LOCAL_USER_ID, LocalChannel, Terminal
from bot.channels.webhooks import Health
from bot.core.dispatcher import CoreSettings, Dispatcher
from bot.core.feature import Feature, Worker
from bot.core.knowledge_base import KnowledgeBase
from bot.core.outbound import Outbound, OutboundPort
from bot.inbox.durable import DurableInbox, InboxConfig, worker_id
from bot.inbox.offers import DurableOffers
from bot.services import units
from bot.storage import schema
from bot.storage.database import Database
from knowledge.store import StoreReader
from tuyengiao.commands import answer_policy, make_searcher, store_usable
from tuyengiao.features import FeatureContext, build_features
from tuyengiao.health import checker
from tuyengiao.ports import open_ports
from tuyengiao.settings import Settings

if TYPE_CHECKING:
    from bot.channels.telegram.channel import TelegramChannel
    from bot.channels.zalo.channel import ZaloChannel

logger = logging.getLogger(__name__)

FeatureFactory = Callable[[FeatureContext], Sequence[Feature]]


def build_dispatcher(settings: Settings, store: Path, db: Database, *,
                     features: FeatureFactory = build_features) -> Dispatcher:
    from indexer.opening import opening_section  # the indexer's reading of a document's start

    knowledge = KnowledgeBase(make_searcher(settings, store, serving=True), answer_policy(settings),
                              opening_section)
    admins = settings.admin_id_set
    if not platforms(settings):
        # The terminal's user already controls the server: make them an admin.
        admins = admins | {f"local:{LOCAL_USER_ID}"}
    outbound = Outbound()
    built = features(FeatureContext(db, knowledge, outbound, admins, settings))
    return Dispatcher(db, built, CoreSettings(admin_ids=admins), outbound)


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


async def serve(settings: Settings, store: Path, stop: asyncio.Event | None = None, *,
                features: FeatureFactory = build_features, terminal: Terminal | None = None,
                log_file: Path | None = None) -> None:
    """Run until SIGINT/SIGTERM (or until `stop` is set, for embedding and tests).
    `features`: the features to run (default: the application's, tuyengiao/features.py).
    With no platform token: the terminal chat on `terminal` (default: stdin and stdout),
    saying where `log_file` is; it ends at the end of its input too."""
    stop = stop or asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
            loop.add_signal_handler(sig, stop.set)
    loop.set_default_executor(
        ThreadPoolExecutor(settings.worker_threads, thread_name_prefix="core")
    )
    if not platforms(settings):
        # One terminal shows one message at a time: workers send in order, one by one.
        settings = settings.model_copy(update={"broadcast_concurrency": 1, "poll_concurrency": 1})
    deadline = Deadline(settings.shutdown_grace_seconds)
    async with AsyncExitStack() as stack:
        db = Database.open(settings.database_url, sqlite_synchronous=settings.sqlite_synchronous,
                           best_effort_wait=settings.db_best_effort_wait_seconds,
                           fault_retry_seconds=settings.db_fault_retry_seconds)
        stack.callback(db.close)
        await asyncio.to_thread(schema.upgrade, db)
        dispatcher = await asyncio.to_thread(build_dispatcher, settings, store, db,
                                             features=features)
        if names := platforms(settings):
            await _start_workers(dispatcher, settings, stack, stop, deadline)
            await _run_channels(names, settings, store, dispatcher, db, stack, stop)
        else:
            await _run_terminal(dispatcher, db, stack, stop, deadline, terminal, log_file)
        deadline.begin()
        logger.info("shutting down (at most %.0f s for replies in flight)", deadline.grace)


async def _run_terminal(dispatcher: Dispatcher, db: Database, stack: AsyncExitStack,
                        stop: asyncio.Event, deadline: Deadline, terminal: Terminal | None,
                        log_file: Path | None) -> None:
    """The terminal as the one platform: its port is the core's and the workers' (broadcasts,
    reminders, polls reach the terminal's people), until the end of input or `stop`."""
    logger.info("no platform token configured: starting the local terminal channel")
    local = LocalChannel(dispatcher.handle, terminal)
    dispatcher.outbound.attach("local", local.outbound)
    stack.callback(dispatcher.outbound.detach, "local")
    ports: dict[str, OutboundPort] = {"local": local.outbound}
    for feature in dispatcher.features:
        for worker in feature.workers(ports):
            run_until_stop(worker, stack, stop, deadline)
    greeting = [messages.LOCAL_LOG_AT.format(path=log_file)] if log_file else []
    if not await db.run(units.has_units):
        greeting.append(messages.FIRST_RUN)
    serving = asyncio.create_task(local.serve(greeting))
    stopper = asyncio.create_task(stop.wait())
    await asyncio.wait({serving, stopper}, return_when=asyncio.FIRST_COMPLETED)
    stopper.cancel()
    if serving.done():
        serving.result()  # a failure of the channel itself is the command's failure
    else:
        serving.cancel()  # stopped by a signal while waiting for a line
        with contextlib.suppress(asyncio.CancelledError):
            await serving


async def _run_channels(names: list[str], settings: Settings, store: Path,
                        dispatcher: Dispatcher, db: Database, stack: AsyncExitStack,
                        stop: asyncio.Event) -> None:
    """Every configured platform on this one event loop, one core behind them all. Built
    first (the Zalo HTTP session goes on the stack), stopped together before anything they
    use closes. Each channel's port is also the core's way to write first on its platform (a
    code sent privately, a link to confirm): attached once started, detached first."""
    deadline = Deadline(settings.shutdown_grace_seconds)
    channels: list[tuple[str, TelegramChannel | ZaloChannel]] = []
    health = checker(db, store, names)  # GET /healthz beside each webhook
    if "telegram" in names:
        channels.append(("telegram", _telegram_channel(settings, dispatcher, db, health)))
    if "zalo" in names:
        channels.append(("zalo", await _zalo_channel(settings, dispatcher, db, stack, health)))
    started: list[TelegramChannel | ZaloChannel] = []

    async def stop_channels() -> None:
        await asyncio.gather(*(c.stop(grace=deadline.remaining()) for c in started))

    stack.push_async_callback(stop_channels)
    for platform, channel in channels:
        await channel.start()
        started.append(channel)
        dispatcher.outbound.attach(platform, channel.outbound)
        stack.callback(dispatcher.outbound.detach, platform)
        logger.info("%s channel started", platform.capitalize())
    await stop.wait()
    deadline.begin()


def _inbox(settings: Settings, db: Database, platform: str, port: int | None) -> DurableInbox:
    config = InboxConfig(max_backlog=settings.inbox_max_backlog,
                         lease=timedelta(seconds=settings.inbox_lease_seconds),
                         retention=timedelta(hours=settings.inbox_retention_hours))
    return DurableInbox(db, platform, worker_id(platform, port, settings.instance_name), config)


def platforms(settings: Settings) -> list[str]:
    return [name for name, token in (("telegram", settings.telegram_bot_token),
                                     ("zalo", settings.zalo_bot_token)) if token]


def _telegram_channel(settings: Settings, dispatcher: Dispatcher, db: Database,
                      health: Health | None = None) -> TelegramChannel:
    from bot.channels.telegram.channel import TelegramChannel, WebhookConfig

    webhook = None
    if settings.telegram_webhook_url:
        webhook = WebhookConfig(
            url=settings.telegram_webhook_url,
            secret_token=settings.telegram_webhook_secret,
            listen_host=settings.webhook_listen_host,
            listen_port=settings.webhook_listen_port,
            health=health,
        )
    return TelegramChannel(
        settings.telegram_bot_token,
        dispatcher.handle,
        base_url=settings.telegram_api_base_url,
        commands=dispatcher.menu(),
        webhook=webhook,
        concurrent_updates=settings.telegram_concurrent_updates,
        inbox=_inbox(settings, db, "telegram", webhook.listen_port if webhook else None),
        grace=settings.shutdown_grace_seconds,
    )


async def _zalo_channel(settings: Settings, dispatcher: Dispatcher, db: Database,
                        stack: AsyncExitStack, health: Health | None = None) -> ZaloChannel:
    import aiohttp

    from bot.channels.zalo.api import ZaloBotApi
    from bot.channels.zalo.channel import ZaloChannel, ZaloWebhookConfig

    # One HTTP session for the process's Zalo replies, closed after the channel has stopped.
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
            health=health,
        )
    return ZaloChannel(api, dispatcher.handle, webhook=webhook,
                       actions=DurableOffers(db, "zalo"),  # any process reads "1" as offered
                       concurrent_updates=settings.zalo_concurrent_updates,
                       poll_timeout=settings.zalo_poll_timeout,
                       inbox=_inbox(settings, db, "zalo", webhook.listen_port if webhook else None),
                       key_secret=settings.zalo_bot_token.encode(),
                       grace=settings.shutdown_grace_seconds)


async def _start_workers(dispatcher: Dispatcher, settings: Settings, stack: AsyncExitStack,
                         stop: asyncio.Event, deadline: Deadline) -> None:
    """Every feature's background workers on this event loop, over the workers' ports
    (opened only when a feature has a worker to run), each stopped — what it has in flight
    recorded — before the ports and the database close."""
    if not any(f.has_workers for f in dispatcher.features):
        return
    ports = await open_ports(settings, stack)
    for feature in dispatcher.features:
        for worker in feature.workers(ports):
            run_until_stop(worker, stack, stop, deadline)


def run_until_stop(worker: Worker, stack: AsyncExitStack, stop: asyncio.Event,
                   deadline: Deadline) -> None:
    """Run a background loop that ends when `stop` is set; closing the stack sets it and
    waits for the loop — until the stop's deadline, then cancels it (sends still hanging on
    a platform then: their rows stay claimed and come back when the lease passes) — so it
    finishes before what was opened earlier on the stack."""
    work: Coroutine[Any, Any, None] = worker.run(stop)
    task = asyncio.create_task(work, name=worker.name)

    async def finish() -> None:
        stop.set()
        done, _ = await asyncio.wait({task}, timeout=deadline.remaining())
        if not done:
            logger.warning("%s still busy at the stop deadline: cancelled", worker.name)
            task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task

    stack.push_async_callback(finish)


def run(settings: Settings, store: Path, *, log_file: Path | None = None) -> int:
    """Start every configured channel (the local terminal one when no token is set)."""
    if not store_usable(StoreReader(store)):
        return 2
    try:
        asyncio.run(serve(settings, store, log_file=log_file))
    except Exception as exc:
        if (refused := refused_token(exc, settings)) is None:
            raise
        logger.error("%s", refused)  # never the token itself: the platform's id of the bot
        return 1
    return 0


def refused_token(exc: BaseException, settings: Settings) -> str | None:
    """The line saying a platform refused its bot token, when `exc` says so."""
    from telegram.error import InvalidToken

    from bot.channels.zalo.errors import ZaloUnauthorized

    for platform, kind, name, token in (
            ("Telegram", InvalidToken, "TELEGRAM_BOT_TOKEN", settings.telegram_bot_token),
            ("Zalo", ZaloUnauthorized, "ZALO_BOT_TOKEN", settings.zalo_bot_token)):
        if isinstance(exc, kind):
            bot_id = token.split(":", 1)[0] if ":" in token else "?"
            return (f"{platform} refused {name} (the token of bot id {bot_id}): check it with "
                    f"the platform's bot manager and set it again; nothing was started")
    return None
