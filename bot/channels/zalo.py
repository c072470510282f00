"""The Zalo adapter: Zalo Bot Platform updates in, the core's replies out as plain text.

Long polling by default: getUpdates hands out one update per call, so one loop fetches and
starts a task per update, up to `concurrent_updates` being answered and a few times that
fetched ahead (what is not fetched stays on the platform). With a `ZaloWebhookConfig` an
aiohttp server receives updates instead and checks `X-Bot-Api-Secret-Token` (in constant
time) before reading anything; a wrong or missing secret is refused and nothing is processed.

Zalo has no buttons: replies are plain text cut at 2,000 characters between blocks (never
inside a citation), the actions a Telegram button would carry become a numbered hint
("Gõ 1: 👍 · 2: 👎 · 3: Xem văn bản"), and the hint's actions are remembered per chat and
person so a following "1", "👍" or "sai" is read as that action. One chat's updates are
answered in order; a failing update is logged with its id, gets a short apology, and never
stops the others. `start()` / `stop()` (or `async with`) own the lifecycle so the entry
point runs this beside the Telegram channel on one event loop.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from aiohttp import web
from cachetools import LRUCache

from bot.channels import webhooks
from bot.channels.chat_turns import ChatTurns
from bot.channels.plain_render import render_outcome
from bot.channels.text_actions import ActionMemory
from bot.channels.typing_indicator import TYPING_DELAY, while_typing
from bot.channels.zalo_api import MAX_TEXT, ZaloBotApi
from bot.channels.zalo_errors import (
    ZaloError,
    ZaloNetworkError,
    ZaloRecipientError,
    ZaloUnauthorized,
)
from bot.channels.zalo_translate import Translated, ZaloTranslator, chat_of
from bot.core.outbound import PushFailed
from bot.core.types import Incoming, IncomingText, Outcome, Reply
from knowledge import messages

logger = logging.getLogger(__name__)

T = TypeVar("T")
Handler = Callable[[Incoming], Awaitable[Outcome]]
SECRET_HEADER = "X-Bot-Api-Secret-Token"
PREFETCH_FACTOR = 4  # updates fetched ahead per update being answered
SEEN_MESSAGES = 4096  # message ids remembered to drop a redelivered update


@dataclass(frozen=True)
class ZaloWebhookConfig:
    """Webhook mode. The platform POSTs to `url` (public HTTPS, usually a reverse proxy in
    front of listen_host:listen_port). A "{port}" in `url` is replaced by the bound port."""

    url: str
    secret_token: str  # 8-256 characters; the platform echoes it in SECRET_HEADER
    listen_host: str = "0.0.0.0"
    listen_port: int = 8444
    path: str | None = None  # where the server listens; default: the path of `url`

    def __post_init__(self) -> None:
        if not self.url:
            raise ValueError("Zalo webhook url is empty")
        secret = self.secret_token or ""
        if not 8 <= len(secret) <= 256 or not secret.isascii() or not secret.isprintable() or " " in secret:
            raise ValueError("Zalo webhook secret_token must be 8-256 printable ASCII characters, no spaces")

    @property
    def listen_path(self) -> str:
        return webhooks.listen_path(self.url, self.path)


class ZaloChannel:
    def __init__(
        self,
        api: ZaloBotApi,
        handler: Handler,
        *,
        webhook: ZaloWebhookConfig | None = None,
        concurrent_updates: int = 8,
        poll_timeout: int = 30,
        typing_interval: float = 4.0,
        typing_delay: float = TYPING_DELAY,
        max_message: int = MAX_TEXT,
        error_backoff: float = 1.0,
        max_error_backoff: float = 60.0,
        actions: ActionMemory | None = None,
    ) -> None:
        self._api = api
        self._handler = handler
        self._webhook = webhook
        self._working = asyncio.Semaphore(concurrent_updates)
        self._fetched = asyncio.Semaphore(concurrent_updates * PREFETCH_FACTOR)
        self._poll_timeout = poll_timeout
        self._typing_interval = typing_interval
        self._typing_delay = typing_delay
        self._max_message = max_message
        self._error_backoff = error_backoff
        self._max_error_backoff = max_error_backoff
        self._actions = actions or ActionMemory()
        self._turns = ChatTurns()
        self._seen: LRUCache[str, bool] = LRUCache(SEEN_MESSAGES)
        self._tasks: set[asyncio.Task[None]] = set()
        self._translator: ZaloTranslator | None = None
        self._poller: asyncio.Task[None] | None = None
        self._runner: web.AppRunner | None = None
        self._running = False
        self.bot: dict[str, Any] = {}
        self.webhook_port: int | None = None  # the bound port, in webhook mode

    # --- lifecycle ----------------------------------------------------------------------
    async def __aenter__(self) -> ZaloChannel:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    async def start(self) -> None:
        me = await self._api.get_me()  # a bad token fails here (ZaloUnauthorized)
        self.bot = me if isinstance(me, dict) else {}
        names = [str(self.bot.get(k) or "") for k in ("display_name", "account_name", "name")]
        self._translator = ZaloTranslator(names, self._actions)
        self._running = True
        try:
            if self._webhook is not None:
                await self._start_webhook(self._webhook)
            else:
                info = await self._api.get_webhook_info()
                if info.get("url"):  # getUpdates is disabled while a webhook is set
                    logger.warning("zalo: removing the webhook %s to poll instead", info["url"])
                    await self._api.delete_webhook()
                self._poller = asyncio.create_task(self._poll(), name="zalo-poll")
        except BaseException:
            await self.stop()
            raise
        logger.info("zalo: bot %s started (%s)", self.bot.get("display_name") or self.bot.get("id"),
                    "webhook" if self._webhook else "polling")

    async def stop(self) -> None:
        """Stop taking updates, let the ones in flight finish (replies sent), then return."""
        if not self._running:
            return
        self._running = False
        if self._poller is not None:
            self._poller.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._poller
            self._poller = None
        if self._runner is not None:
            try:
                await self._api.delete_webhook()
            except ZaloError as exc:
                logger.warning("zalo: could not remove the webhook: %s", exc)
            await self._runner.cleanup()
            self._runner = None
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    # --- receiving ----------------------------------------------------------------------
    async def _poll(self) -> None:
        failures = 0
        while True:
            await self._fetched.acquire()
            try:
                updates = await self._api.get_updates(self._poll_timeout)
            except ZaloUnauthorized as exc:
                self._fetched.release()
                logger.error("zalo: the platform refused the bot token (%s); polling stopped", exc)
                return
            except ZaloError as exc:
                self._fetched.release()
                delay = min(self._error_backoff * 2**failures, self._max_error_backoff)
                failures += 1
                logger.warning("zalo: getUpdates failed (%s); polling again in %.1f s", exc, delay)
                await asyncio.sleep(delay)
                continue
            except BaseException:
                self._fetched.release()
                raise
            failures = 0
            if not updates:
                self._fetched.release()
            for i, update in enumerate(updates):
                if i:  # one slot was taken for the call; a batch takes one per update
                    await self._fetched.acquire()
                self._dispatch(update, self._fetched.release)

    async def _start_webhook(self, config: ZaloWebhookConfig) -> None:
        self._runner, self.webhook_port = await webhooks.start_server(
            config.listen_path, self._on_webhook, config.listen_host, config.listen_port)
        url = config.url.replace("{port}", str(self.webhook_port))
        await self._api.set_webhook(url, config.secret_token)

    async def _on_webhook(self, request: web.Request) -> web.Response:
        assert self._webhook is not None
        refused = webhooks.secret_rejection(request, SECRET_HEADER, self._webhook.secret_token,
                                            logger, "zalo")
        if refused is not None:
            return refused
        if not self._running:
            return web.Response(status=503)
        try:
            body = await request.json()
        except ValueError:
            body = None
        # The update itself, or wrapped like a getUpdates answer: {"ok": true, "result": {...}}.
        if isinstance(body, dict) and "event_name" not in body and isinstance(body.get("result"), dict):
            body = body["result"]
        if not isinstance(body, dict):
            logger.warning("zalo webhook: malformed body from %s", request.remote)
            return web.Response(status=400)
        self._dispatch(body)
        return web.json_response({"ok": True})

    def _dispatch(self, update: Any, done: Callable[[], None] | None = None) -> None:
        task = asyncio.create_task(self._process(update))
        self._tasks.add(task)

        def finished(t: asyncio.Task[None]) -> None:
            self._tasks.discard(t)
            if done is not None:
                done()
        task.add_done_callback(finished)

    # --- answering ----------------------------------------------------------------------
    async def _process(self, update: Any) -> None:
        """One update, start to finish; nothing raised here stops the channel."""
        chat_id = chat_of(update)
        async with self._turns.turn(chat_id or ""):  # tasks enter in arrival order
            async with self._working:
                try:
                    assert self._translator is not None
                    translated = self._translator.translate(update)
                    if translated is None or self._redelivered(translated):
                        return
                    await self._answer(translated)
                except ZaloRecipientError as exc:  # blocked, or the bot left the group
                    logger.warning("zalo: chat %s cannot be messaged: %s", chat_id, exc)
                except Exception:
                    update_id = _update_id(update)
                    logger.exception("zalo: update %s failed", update_id)
                    if chat_id is not None:
                        await self._apologise(chat_id, update_id)

    async def _answer(self, translated: Translated) -> None:
        incoming = translated.incoming
        if isinstance(incoming, IncomingText):
            outcome = await self._with_typing(incoming.chat.chat_id, self._handler(incoming))
        else:
            outcome = await self._handler(incoming)
        rendered = render_outcome(outcome, self._max_message)
        self._actions.remember(translated.memory_key, rendered.actions)
        for text in rendered.texts:
            await self._send(incoming.chat.chat_id, text)

    def _redelivered(self, translated: Translated) -> bool:
        update_id = translated.incoming.update_id
        if update_id in self._seen:
            logger.info("zalo: update %s delivered again; ignored", update_id)
            return True
        self._seen[update_id] = True
        return False

    async def push(self, chat_id: str, replies: Sequence[Reply]) -> None:
        """Send replies the core starts itself to a private chat (its id is the user's id);
        their actions become a numbered hint remembered for that chat, so the person answers
        by typing the number. PushFailed when it did not go."""
        if not self._running:
            raise PushFailed("the Zalo channel is not running")
        rendered = render_outcome(Outcome(list(replies)), self._max_message)
        self._actions.remember((chat_id, chat_id), rendered.actions)
        try:
            for text in rendered.texts:
                await self._send(chat_id, text)
        except ZaloError as exc:
            raise PushFailed(str(exc)[:200]) from exc

    async def _send(self, chat_id: str, text: str) -> None:
        try:
            await self._api.send_message(chat_id, text)
        except ZaloNetworkError as exc:
            if not exc.maybe_delivered:
                raise
            # No answer: it may or may not have arrived. A reply seen twice beats a lost one.
            logger.warning("zalo: %s; sending once more", exc)
            await self._api.send_message(chat_id, text)

    async def _apologise(self, chat_id: str, update_id: str) -> None:
        try:
            await self._api.send_message(chat_id, messages.ERROR_GENERIC)
        except ZaloError as exc:
            logger.warning("zalo: update %s: could not send the error message: %s", update_id, exc)

    async def _with_typing(self, chat_id: str, work: Awaitable[T]) -> T:
        """Await `work` while "typing…" shows in the chat."""
        async def send_typing() -> bool:
            try:
                await self._api.send_chat_action(chat_id, "typing")
            except ZaloRecipientError:
                return False
            except ZaloError as exc:
                logger.debug("zalo: chat action failed: %s", exc)
            return True

        return await while_typing(work, send_typing, self._typing_interval, self._typing_delay)


def _update_id(update: Any) -> str:
    message = update.get("message") if isinstance(update, dict) else None
    return str(message.get("message_id")) if isinstance(message, dict) else "?"
