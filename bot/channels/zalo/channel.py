"""The Zalo adapter: Zalo Bot Platform updates in, the core's replies out as plain text.

Long polling by default: getUpdates hands out one update per call and forgets it, so one
loop fetches, stores each update in the inbox (`bot.channels.intake`) before handling it,
and fetches again, up to `concurrent_updates` being answered and a few times that fetched
ahead (what is not fetched stays on the platform). With a `ZaloWebhookConfig` an aiohttp
server receives updates instead, checks `X-Bot-Api-Secret-Token` (in constant time) before
reading anything — a wrong or missing secret is refused and nothing is processed — and
answers 200 only once the update is stored; a full inbox answers 503 with Retry-After.

Zalo has no buttons: replies are plain text cut at 2,000 characters between blocks (never
inside a citation), the actions a Telegram button would carry become a numbered hint
("Gõ 1: 👍 · 2: 👎 · 3: Xem văn bản"), and the hint's actions are offered per chat and
person (bot.core.offers: in the database when the entry point gives it, so whichever process
receives the next message reads them) so a following "1", "👍" or "sai" is read as that
action. One chat's updates are
answered in order; a failing update is logged with its id, gets a short apology, and never
stops the others; an update delivered twice (same message id) is answered once.
`start()` / `stop()` (or `async with`) own the lifecycle so the entry point runs this beside
the Telegram channel on one event loop; `stop` gives replies in flight `grace` seconds and
never waits on the platform longer than that.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from aiohttp import web

from bot.channels import webhooks
from bot.channels.intake import Intake
from bot.channels.text_actions import ActionMemory
from bot.channels.typing_indicator import TYPING_DELAY, while_typing
from bot.channels.zalo.api import MAX_TEXT, ZaloBotApi
from bot.channels.zalo.errors import ZaloError, ZaloRecipientError, ZaloUnauthorized
from bot.channels.zalo.outbound import ZaloOutbound
from bot.channels.zalo.translate import (
    Translated,
    ZaloTranslator,
    canonical,
    chat_of,
    conversation,
    update_key,
)
from bot.core.inbox import Admission, Inbox, MemoryInbox, Received
from bot.core.offers import ActionOffers
from bot.core.outbound import DeliveryError, Destination, Unreachable
from bot.core.types import Incoming, IncomingText, Outcome, TextReply
from bot import messages

logger = logging.getLogger(__name__)

T = TypeVar("T")
Handler = Callable[[Incoming], Awaitable[Outcome]]
SECRET_HEADER = "X-Bot-Api-Secret-Token"
PREFETCH_FACTOR = 4  # updates fetched ahead per update being answered


@dataclass(frozen=True)
class ZaloWebhookConfig:
    """Webhook mode. The platform POSTs to `url` (public HTTPS, usually a reverse proxy in
    front of listen_host:listen_port). A "{port}" in `url` is replaced by the bound port."""

    url: str
    secret_token: str  # 8-256 characters; the platform echoes it in SECRET_HEADER
    listen_host: str = "0.0.0.0"
    listen_port: int = 8444
    path: str | None = None  # where the server listens; default: the path of `url`
    health: webhooks.Health | None = None  # GET /healthz on the same server (tuyengiao/health.py)

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
        actions: ActionOffers | None = None,
        inbox: Inbox | None = None,
        key_secret: bytes = b"",
        grace: float = webhooks.STOP_GRACE,
    ) -> None:
        """`inbox`: where updates are kept until answered (default: memory only); `actions`:
        where the numbered actions offered per conversation are kept (default: memory only);
        `key_secret`: keys the hash that names an update without a message id (the bot
        token); `grace`: seconds replies in flight get at a stop."""
        self._api = api
        self._handler = handler
        self._webhook = webhook
        self._intake = Intake(
            inbox or MemoryInbox("zalo"), self._process, order_key=lambda u: chat_of(u) or "",
            decode=json.loads, concurrency=concurrent_updates,
            ahead=None if webhook else concurrent_updates * PREFETCH_FACTOR)
        self._key_secret = key_secret
        self._grace = grace
        self._poll_timeout = poll_timeout
        self._typing_interval = typing_interval
        self._typing_delay = typing_delay
        self._error_backoff = error_backoff
        self._max_error_backoff = max_error_backoff
        self._actions: ActionOffers = actions or ActionMemory()
        # The channel's outbound port: replies, and the core's pushes while it runs; its
        # numbered hints are remembered here, so a following "1" is read as that action.
        self.outbound = ZaloOutbound(api, memory=self._actions, max_text=max_message)
        self._translator: ZaloTranslator | None = None
        self._poller: asyncio.Task[None] | None = None
        self._runner: web.AppRunner | None = None
        self._ready = asyncio.Event()  # stored updates claimed: new ones may come in
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
        self._translator = ZaloTranslator(names, self._key_secret)
        self._running = True
        try:
            if self._webhook is not None:
                # Bound first (a second process on the port fails before touching the
                # inbox); requests wait for `_ready`, so stored updates go first.
                self._runner, self.webhook_port = await webhooks.start_server(
                    self._webhook.listen_path, self._on_webhook, self._webhook.listen_host,
                    self._webhook.listen_port, self._webhook.health)
            else:
                info = await self._api.get_webhook_info()
                if info.get("url"):  # getUpdates is disabled while a webhook is set
                    logger.warning("zalo: removing the webhook %s to poll instead", info["url"])
                    await self._api.delete_webhook()
            await self._intake.recover()
            self._ready.set()
            self._intake.start_sweeping()
            if self._webhook is not None:
                url = self._webhook.url.replace("{port}", str(self.webhook_port))
                await self._api.set_webhook(url, self._webhook.secret_token)
            else:
                self._poller = asyncio.create_task(self._poll(), name="zalo-poll")
        except BaseException:
            await self.stop()
            raise
        logger.info("zalo: bot %s started (%s)", self.bot.get("display_name") or self.bot.get("id"),
                    "webhook" if self._webhook else "polling")

    async def stop(self, grace: float | None = None) -> None:
        """Stop taking updates; replies in flight get `grace` seconds (default: the one
        given at construction), the rest are cancelled and kept in the inbox for the next
        start. The webhook is removed meanwhile (unless other processes sharing the inbox
        still take updates), waiting on the platform at most that long."""
        if not self._running:
            return
        self._running = False
        grace = self._grace if grace is None else grace
        if self._poller is not None:
            self._poller.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._poller
            self._poller = None
        removal = None
        others = await self._intake.inbox.leave()
        if self._runner is not None:
            await self._runner.cleanup()  # no more requests; those being stored finish
            self._runner = None
            if others:  # several processes behind one URL: the others keep taking updates
                logger.info("zalo: %d other process(es) still take updates; the webhook stays "
                            "registered", others)
            else:
                removal = self._remove_webhook(grace)
        await asyncio.gather(self._intake.stop(grace), *([removal] if removal else []))
        self._ready.clear()

    async def _remove_webhook(self, limit: float) -> None:
        try:
            async with asyncio.timeout(max(limit, webhooks.MIN_PLATFORM_WAIT)):
                await self._api.call("deleteWebhook", retries=0,
                                     timeout=max(limit, webhooks.MIN_PLATFORM_WAIT))
        except (ZaloError, TimeoutError) as exc:
            logger.warning("zalo: could not remove the webhook: %s", exc or "no answer")

    # --- receiving ----------------------------------------------------------------------
    async def _poll(self) -> None:
        failures = 0
        while True:
            await self._intake.wait_for_room()
            try:
                updates = await self._api.get_updates(self._poll_timeout)
            except ZaloUnauthorized as exc:
                logger.error("zalo: the platform refused the bot token (%s); polling stopped", exc)
                return
            except ZaloError as exc:
                delay = min(self._error_backoff * 2**failures, self._max_error_backoff)
                failures += 1
                logger.warning("zalo: getUpdates failed (%s); polling again in %.1f s", exc, delay)
                await asyncio.sleep(delay)
                continue
            failures = 0
            # Delivered means forgotten by the platform: stored whatever the bound.
            await self._intake.admit([(self._received(u), u) for u in updates], force=True)

    def _received(self, update: Any) -> Received:
        bot_id = str(self.bot.get("id") or "")
        return Received(f"{bot_id}:{update_key(update, self._key_secret)}", chat_of(update),
                        canonical(update).decode())

    async def _on_webhook(self, request: web.Request) -> web.Response:
        assert self._webhook is not None
        refused = webhooks.secret_rejection(request, SECRET_HEADER, self._webhook.secret_token,
                                            logger, "zalo")
        if refused is not None:
            return refused
        if not self._running:
            return webhooks.unavailable()
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
        await self._ready.wait()
        [status] = await self._intake.admit([(self._received(body), body)])
        if status is Admission.FULL:
            logger.warning("zalo webhook: inbox full; update refused with 503 (retry later)")
            return webhooks.unavailable()
        return web.json_response({"ok": True})

    # --- answering ----------------------------------------------------------------------
    async def _process(self, update: Any) -> None:
        """One update, start to finish (in its chat's turn); nothing raised here stops the
        channel."""
        chat_id = chat_of(update)
        try:
            assert self._translator is not None
            talk = conversation(update)
            offered = await self._actions.offered(talk) if talk is not None else ()
            translated = self._translator.translate(update, offered)
            if translated is None:
                return
            await self._answer(translated)
        except (ZaloRecipientError, Unreachable) as exc:  # blocked, or the bot left the group
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
        replies = outcome.replies or ([TextReply(outcome.notice)] if outcome.notice else [])
        if not replies:
            return
        _, user = translated.memory_key  # type: ignore[misc]
        await self.outbound.send(Destination(incoming.chat.chat_id, incoming.chat.kind,
                                             user_id=str(user)), replies)

    async def _apologise(self, chat_id: str, update_id: str) -> None:
        try:
            await self.outbound.send_text(Destination(chat_id), messages.ERROR_GENERIC)
        except DeliveryError as exc:
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
