"""Wiring of the broadcast delivery engine from settings: worker configuration, per-platform
rate limits and transports. Used by `tuyengiao run` (bot/app.py) and `tuyengiao broadcast`."""

from __future__ import annotations

from contextlib import AsyncExitStack
from datetime import timedelta
from typing import TYPE_CHECKING

from tuyengiao.settings import Settings

if TYPE_CHECKING:
    from bot.broadcast.transport import RateLimits, Transport
    from bot.polls.senders import PollSender
    from bot.broadcast.worker import WorkerConfig


def worker_config(settings: Settings) -> WorkerConfig:
    from bot.broadcast.outbox import RetryPolicy
    from bot.broadcast.worker import WorkerConfig

    return WorkerConfig(
        concurrency=settings.broadcast_concurrency,
        lease=timedelta(seconds=settings.broadcast_lease_seconds),
        poll_interval=settings.broadcast_poll_seconds,
        progress_interval=settings.broadcast_progress_seconds,
        progress_interval_no_edit=settings.broadcast_progress_no_edit_seconds,
        retry=RetryPolicy(max_attempts=settings.broadcast_max_attempts,
                          base_delay=settings.broadcast_retry_base_seconds),
    )


def telegram_limits(settings: Settings) -> RateLimits:
    from bot.broadcast.transport import RateLimits

    return RateLimits(settings.telegram_rate_per_second, settings.telegram_rate_per_chat_per_second,
                      settings.telegram_rate_per_group_per_minute)


def zalo_limits(settings: Settings) -> RateLimits:
    """The Zalo platform publishes no limits: these are settings."""
    from bot.broadcast.transport import RateLimits

    return RateLimits(settings.zalo_rate_per_second, settings.zalo_rate_per_chat_per_second,
                      settings.zalo_rate_per_group_per_minute)


async def open_transports(settings: Settings, stack: AsyncExitStack) -> dict[str, Transport]:
    """A transport per configured platform (Telegram, Zalo), closed with `stack`."""
    transports: dict[str, Transport] = {}
    if settings.telegram_bot_token:
        from bot.broadcast.telegram_transport import TelegramTransport

        transports["telegram"] = await stack.enter_async_context(TelegramTransport(
            settings.telegram_bot_token, base_url=settings.telegram_api_base_url,
            limits=telegram_limits(settings),
            connections=max(settings.broadcast_concurrency, 4)))
    if settings.zalo_bot_token:
        from bot.broadcast.zalo_transport import ZaloTransport

        transports["zalo"] = await stack.enter_async_context(ZaloTransport(
            settings.zalo_bot_token, base_url=settings.zalo_api_base_url,
            limits=zalo_limits(settings), connections=max(settings.broadcast_concurrency, 4)))
    return transports


async def open_poll_senders(settings: Settings, stack: AsyncExitStack) -> dict[str, PollSender]:
    """A poll sender per configured platform, closed with `stack` (Zalo: on the broadcast
    engine's ZaloTransport)."""
    from bot.polls.senders import TelegramPollSender, ZaloPollSender

    senders: dict[str, PollSender] = {}
    if settings.telegram_bot_token:
        senders["telegram"] = await stack.enter_async_context(TelegramPollSender(
            settings.telegram_bot_token, base_url=settings.telegram_api_base_url))
    if settings.zalo_bot_token:
        from bot.broadcast.zalo_transport import ZaloTransport

        transport = await stack.enter_async_context(ZaloTransport(
            settings.zalo_bot_token, base_url=settings.zalo_api_base_url,
            limits=zalo_limits(settings), connections=max(settings.poll_concurrency, 4)))
        senders["zalo"] = ZaloPollSender(transport)
    return senders
