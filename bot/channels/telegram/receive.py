"""Telegram updates in: the webhook server or the getUpdates loop, each update stored in the
inbox (`bot.channels.intake`) before Telegram is told it arrived.

- Webhook: the secret header is checked before anything is read; the update is stored, then
  answered 200; a duplicate `update_id` is answered 200 and dropped; a full inbox answers
  503 with Retry-After (Telegram retries, and holds that chat's later updates back meanwhile).
- Polling: getUpdates asks for at most the room the inbox has, stores what comes back, and
  confirms it (the next call's `offset`) only once stored; an update not stored is fetched
  again. python-telegram-bot's Updater confirms an offset as soon as updates are queued in
  memory, which is why this loop is ours.

Keys: "<bot id>:<update_id>" — update ids are per bot, and Telegram restarts them at random
after a week without updates (so answered keys are kept for less than that).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import re
from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from aiohttp import web
from telegram import Bot, Update
from telegram.error import InvalidToken, RetryAfter, TelegramError

from bot.channels import webhooks
from bot.channels.intake import Intake
from bot.channels.telegram.chat_events import chat_change
from bot.channels.telegram.errors import retry_seconds
from bot.channels.telegram.poll_events import poll_event
from bot.core.inbox import Admission, Received
from bot.core.types import IncomingPollUpdate

logger = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
MAX_BATCH = 100  # getUpdates' own limit
MAX_POLL_BACKOFF = 60.0
_SECRET = re.compile(r"[A-Za-z0-9_-]{1,256}")


@dataclass(frozen=True)
class WebhookConfig:
    """Webhook mode. Telegram POSTs to `url` (public HTTPS, usually behind a reverse proxy that
    forwards to listen_host:listen_port). A "{port}" in `url` is replaced by the port actually
    bound (listen_port 0: tests and local Bot API servers)."""

    url: str
    secret_token: str  # 1-256 of A-Z a-z 0-9 _ -; Telegram echoes it in SECRET_HEADER
    listen_host: str = "0.0.0.0"
    listen_port: int = 8443
    path: str | None = None  # where the server listens; default: the path of `url`
    health: webhooks.Health | None = None  # GET /healthz on the same server (tuyengiao/health.py)

    def __post_init__(self) -> None:
        if not self.url:
            raise ValueError("webhook url is empty")
        if not _SECRET.fullmatch(self.secret_token or ""):
            raise ValueError("webhook secret_token must be 1-256 of A-Z a-z 0-9 _ -")

    @property
    def listen_path(self) -> str:
        return webhooks.listen_path(self.url, self.path)


def order_key(update: Update) -> Hashable:
    """Updates with one key are answered in arrival order: a chat's messages and presses;
    one poll's counts; one voter's answers (a changed vote must not be overwritten by the
    one before it); a chat's changes (moved, blocked). Anything else has no order to keep."""
    if (change := chat_change(update)) is not None:
        return change.chat.chat_id
    if (event := poll_event(update)) is not None:
        return (f"poll:{event.poll_id}" if isinstance(event, IncomingPollUpdate)
                else f"voter:{event.sender.user_id}")
    if (query := update.callback_query) is not None:
        return str(query.message.chat.id if query.message is not None else query.from_user.id)
    if (message := update.effective_message) is not None:
        return str(message.chat.id)
    return f"update:{update.update_id}"


class TelegramReceiver:
    """Owns the webhook server or the polling task; hands updates to the intake."""

    def __init__(self, bot: Bot, intake: Intake, *, webhook: WebhookConfig | None,
                 allowed_updates: Sequence[str], poll_timeout: float,
                 error_backoff: float = 1.0) -> None:
        self._bot = bot
        self._intake = intake
        self._webhook = webhook
        self._allowed = list(allowed_updates)
        self._poll_timeout = poll_timeout
        self._error_backoff = error_backoff
        self._runner: web.AppRunner | None = None
        self._poller: asyncio.Task[None] | None = None
        self._ready = asyncio.Event()
        self._closing = False
        self.offset = 0  # the next update_id to ask for (everything below it is stored)
        self._confirmed = 0  # the offset Telegram last saw
        self.port: int | None = None

    async def bind(self) -> None:
        """Webhook mode: listen now (requests wait until `start`)."""
        if self._webhook is not None:
            self._runner, self.port = await webhooks.start_server(
                self._webhook.listen_path, self._on_webhook, self._webhook.listen_host,
                self._webhook.listen_port, self._webhook.health)

    async def start(self) -> None:
        """Take updates: register the webhook, or start polling (removing a leftover webhook,
        which would make getUpdates fail)."""
        self._ready.set()
        if self._webhook is not None:
            url = self._webhook.url.replace("{port}", str(self.port))
            await self._bot.set_webhook(url, secret_token=self._webhook.secret_token,
                                        allowed_updates=self._allowed)
        else:
            await self._bot.delete_webhook()
            self._poller = asyncio.create_task(self._poll(), name="telegram-poll")

    async def close(self, wait: float) -> None:
        """Stop taking updates; then remove the webhook (unless other processes sharing the
        inbox still take updates), or confirm the stored updates' offset, waiting on
        Telegram at most `wait` seconds."""
        self._closing = True
        if self._poller is not None:
            self._poller.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._poller
            self._poller = None
        others = await self._intake.inbox.leave()
        if self._runner is not None:
            await self._runner.cleanup()  # no more requests; those being stored finish
            self._runner = None
            if others:  # several processes behind one URL: the others keep taking updates
                logger.info("telegram: %d other process(es) still take updates; the webhook "
                            "stays registered", others)
            else:
                await _bounded(self._bot.delete_webhook(), wait, "remove the webhook")
        elif self.offset > self._confirmed:
            await _bounded(self._bot.get_updates(offset=self.offset, limit=1, timeout=0), wait,
                           "confirm the last updates")

    def received(self, update: Update, payload: str) -> Received:
        chat = order_key(update)
        return Received(f"{self._bot.id}:{update.update_id}", str(chat), payload)

    # --- webhook ------------------------------------------------------------------------
    async def _on_webhook(self, request: web.Request) -> web.Response:
        assert self._webhook is not None
        refused = webhooks.secret_rejection(request, SECRET_HEADER, self._webhook.secret_token,
                                            logger, "telegram")
        if refused is not None:
            return refused
        if self._closing:
            return webhooks.unavailable()
        try:
            text = await request.text()
            data = json.loads(text)
            update = (Update.de_json(data, self._bot)
                      if isinstance(data, dict) and isinstance(data.get("update_id"), int)
                      else None)
        except Exception:  # malformed JSON or not an Update: Telegram never sends these
            update = None
        if update is None:
            logger.warning("telegram webhook: malformed update from %s", request.remote)
            return web.Response(status=400)
        await self._ready.wait()
        [status] = await self._intake.admit([(self.received(update, text), update)])
        if status is Admission.FULL:
            logger.warning("telegram webhook: inbox full; update %s refused with 503 (Telegram "
                           "retries)", update.update_id)
            return webhooks.unavailable()
        return web.Response()

    # --- polling ------------------------------------------------------------------------
    async def _poll(self) -> None:
        failures = 0
        while True:
            await self._intake.wait_for_room()
            limit = max(1, min(MAX_BATCH, self._intake.inbox.room))
            try:
                updates = await self._bot.get_updates(
                    offset=self.offset or None, limit=limit,
                    timeout=timedelta(seconds=self._poll_timeout), allowed_updates=self._allowed)
                self._confirmed = self.offset
                statuses = await self._intake.admit([(self.received(u, u.to_json()), u)
                                                     for u in updates])
            except InvalidToken:
                logger.error("telegram: the Bot API refused the bot token; polling stopped")
                return
            except (TelegramError, OSError) as exc:
                delay = (retry_seconds(exc) if isinstance(exc, RetryAfter) else
                         min(self._error_backoff * 2**failures, MAX_POLL_BACKOFF))
                failures += 1
                logger.warning("telegram: getUpdates failed (%s); polling again in %.1f s",
                               exc, delay)
                await asyncio.sleep(delay)
                continue
            failures = 0
            for update, status in zip(updates, statuses):
                if status is Admission.FULL:  # not stored: fetched again next time
                    break
                self.offset = update.update_id + 1


async def _bounded(call: Any, wait: float, what: str) -> None:
    try:
        async with asyncio.timeout(max(wait, webhooks.MIN_PLATFORM_WAIT)):
            await call
    except (TelegramError, TimeoutError) as exc:
        logger.warning("telegram: could not %s: %s", what, exc or "no answer")




__all__ = ["SECRET_HEADER", "TelegramReceiver", "WebhookConfig", "order_key"]
