"""The workers' outbound ports and settings, wired from settings: one port per configured
platform (Telegram, Zalo) for background sends — broadcasts, polls, reminders — each on
HTTP connections of its own so a bulk send never queues the chats' replies. Used by
`tuyengiao run` (tuyengiao/serve.py) and `tuyengiao broadcast work`."""

from __future__ import annotations

from contextlib import AsyncExitStack
from datetime import timedelta
from typing import TYPE_CHECKING

from tuyengiao.settings import Settings

if TYPE_CHECKING:
    from bot.broadcast.worker import WorkerConfig
    from bot.core.outbound import OutboundPort, RateLimits
    from bot.polls.runner import RunnerConfig
    from bot.study.runner import StudyConfig


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


def runner_config(settings: Settings) -> RunnerConfig:
    from bot.polls.runner import RunnerConfig

    return RunnerConfig(interval=settings.poll_runner_seconds, concurrency=settings.poll_concurrency,
                        holder=process_name(settings))


def process_name(settings: Settings) -> str:
    """This serving process's name, the same after a restart: the host, the webhook ports it
    listens on (unique on a host) or "polling", and INSTANCE_NAME (for several polling
    processes on one host)."""
    import socket

    ports = [str(port) for url, port in ((settings.telegram_webhook_url, settings.webhook_listen_port),
                                         (settings.zalo_webhook_url, settings.zalo_webhook_listen_port))
             if url]
    return ":".join([socket.gethostname()[:64], "+".join(ports) or "polling",
                     *([settings.instance_name] if settings.instance_name else [])])


def study_config(settings: Settings) -> StudyConfig:
    from bot.services.reminders import ReminderSchedule
    from bot.study.attendance import AttendanceRules
    from bot.study.runner import StudyConfig

    return StudyConfig(
        interval=settings.study_runner_seconds,
        # Longer than two ticks: a runner that is busy or slow keeps its hold.
        lease=max(90.0, 3 * settings.study_runner_seconds), holder=process_name(settings),
        reminders=ReminderSchedule.parse(settings.study_reminder_hours),
        attendance=AttendanceRules(checkin=timedelta(hours=settings.study_checkin_hours),
                                   auto_close=timedelta(hours=settings.study_roll_close_hours)))


def telegram_limits(settings: Settings) -> RateLimits:
    from bot.core.outbound import RateLimits

    return RateLimits(settings.telegram_rate_per_second, settings.telegram_rate_per_chat_per_second,
                      settings.telegram_rate_per_group_per_minute)


def zalo_limits(settings: Settings) -> RateLimits:
    """The Zalo platform publishes no limits: these are settings."""
    from bot.core.outbound import RateLimits

    return RateLimits(settings.zalo_rate_per_second, settings.zalo_rate_per_chat_per_second,
                      settings.zalo_rate_per_group_per_minute)


def platform_limits(settings: Settings) -> dict[str, RateLimits]:
    return {"telegram": telegram_limits(settings), "zalo": zalo_limits(settings)}


async def open_ports(settings: Settings, stack: AsyncExitStack, *,
                     connections: int | None = None) -> dict[str, OutboundPort]:
    """A workers' port per configured platform, closed with `stack`. `connections`: HTTP
    connections per platform (default: the broadcast concurrency, at least 8)."""
    connections = connections or max(settings.broadcast_concurrency, 8)
    ports: dict[str, OutboundPort] = {}
    if settings.telegram_bot_token:
        from bot.channels.telegram.outbound import TelegramOutbound

        ports["telegram"] = await stack.enter_async_context(TelegramOutbound.bulk(
            settings.telegram_bot_token, base_url=settings.telegram_api_base_url,
            limits=telegram_limits(settings), connections=connections))
    if settings.zalo_bot_token:
        from bot.channels.zalo.outbound import ZaloOutbound

        ports["zalo"] = await stack.enter_async_context(ZaloOutbound.bulk_sender(
            settings.zalo_bot_token, base_url=settings.zalo_api_base_url,
            limits=zalo_limits(settings), connections=connections))
    return ports
