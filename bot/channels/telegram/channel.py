"""The Telegram adapter: translates updates into our Incoming types, calls the core, and sends
its replies as Telegram HTML. No decisions about content are made here.

python-telegram-bot 22 does the Bot API calls. Updates come in through
`telegram_receive` (polling by default; with a `WebhookConfig` an aiohttp server checking
Telegram's secret header first), are stored in the inbox before Telegram is told they
arrived, and are answered through `bot.channels.intake` (one chat in order, a bounded number
at once; an update delivered twice is answered once). `start()` / `stop()` (or `async with`)
own the lifecycle so the entry point can run several channels on one event loop; `stop`
gives replies in flight `grace` seconds and never waits on Telegram longer than that.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import TypeVar

from telegram import BotCommand, Update
from telegram.constants import ChatAction
from telegram.error import Forbidden, TelegramError
from telegram.ext import Application, ApplicationBuilder

from bot import messages as texts
from bot.channels import webhooks
from bot.channels.intake import Intake
from bot.channels.telegram.chat_events import chat_change
from bot.channels.telegram.outbound import TelegramOutbound, call_with_retries
from bot.channels.telegram.poll_events import poll_event as _poll_event
from bot.channels.telegram.receive import TelegramReceiver, WebhookConfig, order_key
from bot.channels.telegram.translate import TelegramTranslator, destination
from bot.channels.typing_indicator import TYPING_DELAY, while_typing
from bot.core.inbox import Inbox, MemoryInbox
from bot.core.outbound import ChatMoved, DeliveryError, Destination, Unreachable
from bot.core.types import Chat, Incoming, IncomingAction, IncomingChatChange, IncomingText, Outcome, Reply
from knowledge.text import shorten

logger = logging.getLogger(__name__)

T = TypeVar("T")
Handler = Callable[[Incoming], Awaitable[Outcome]]

DEFAULT_BASE_URL = "https://api.telegram.org/bot"
ALLOWED_UPDATES = ("message", "edited_message", "callback_query", "my_chat_member", "poll",
                   "poll_answer")
MAX_NOTICE = 200  # answerCallbackQuery text limit


class TelegramChannel:
    def __init__(
        self,
        token: str,
        handler: Handler,
        *,
        base_url: str = DEFAULT_BASE_URL,
        base_file_url: str | None = None,
        commands: Sequence[tuple[str, str]] = (),
        webhook: WebhookConfig | None = None,
        concurrent_updates: int = 64,
        poll_timeout: float = 30.0,
        typing_interval: float = 4.0,
        typing_delay: float = TYPING_DELAY,
        network_retries: int = 3,
        network_backoff: float = 0.5,
        allowed_updates: Sequence[str] = ALLOWED_UPDATES,
        inbox: Inbox | None = None,
        grace: float = webhooks.STOP_GRACE,
    ) -> None:
        """`inbox`: where updates are kept until answered (default: memory only); `grace`:
        seconds replies in flight get at a stop."""
        self._token = token
        self._handler = handler
        self._base_url = base_url
        self._base_file_url = base_file_url or _file_url(base_url)
        self._commands = list(commands)
        self._webhook = webhook
        self._concurrent_updates = concurrent_updates
        self._inbox = inbox or MemoryInbox("telegram")
        self._grace = grace
        self._poll_timeout = poll_timeout
        self._typing_interval = typing_interval
        self._typing_delay = typing_delay
        self._network_retries = network_retries
        self._network_backoff = network_backoff
        self._allowed_updates = list(allowed_updates)
        self._app: Application | None = None  # type: ignore[type-arg]
        self._intake: Intake | None = None
        self._receiver: TelegramReceiver | None = None
        self._translator: TelegramTranslator | None = None
        self._outbound: TelegramOutbound | None = None
        self._stopping = False

    # --- lifecycle ----------------------------------------------------------------------
    async def __aenter__(self) -> TelegramChannel:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    @property
    def username(self) -> str:
        return self._application.bot.username

    @property
    def webhook_port(self) -> int | None:
        """The bound port, in webhook mode."""
        return self._receiver.port if self._receiver is not None else None

    @property
    def outbound(self) -> TelegramOutbound:
        """This channel's outbound port (bot.core.outbound), while it runs."""
        if self._outbound is None:
            raise RuntimeError("TelegramChannel is not started")
        return self._outbound

    @property
    def _application(self) -> Application:  # type: ignore[type-arg]
        if self._app is None:
            raise RuntimeError("TelegramChannel is not started")
        return self._app

    async def start(self) -> None:
        # The Application only builds and owns the bot (its HTTP clients); updates are
        # received and dispatched by our own receiver and intake.
        app = (ApplicationBuilder().token(self._token).base_url(self._base_url)
               .base_file_url(self._base_file_url).updater(None).build())
        self._app = app
        self._intake = Intake(
            self._inbox, self._process, order_key=order_key,
            decode=lambda payload: Update.de_json(json.loads(payload), app.bot),
            concurrency=self._concurrent_updates)
        try:
            await app.initialize()  # getMe: fails here on a bad token
            self._translator = TelegramTranslator(app.bot)
            self._outbound = TelegramOutbound(app.bot, retrying=True,
                                              network_retries=self._network_retries,
                                              network_backoff=self._network_backoff)
            await self._register_commands()
            self._receiver = TelegramReceiver(
                app.bot, self._intake, webhook=self._webhook, allowed_updates=self._allowed_updates,
                poll_timeout=self._poll_timeout, error_backoff=max(self._network_backoff, 0.01))
            await self._receiver.bind()  # webhook: listening, requests wait for the stored ones
            await self._intake.recover()
            self._intake.start_sweeping()
            await self._receiver.start()
        except BaseException:
            await self.stop()
            raise
        logger.info("telegram: @%s started (%s)", app.bot.username,
                    "webhook" if self._webhook else "polling")

    async def stop(self, grace: float | None = None) -> None:
        """Stop taking updates; replies in flight get `grace` seconds (default: the one
        given at construction), the rest are cancelled and kept in the inbox for the next
        start; then close the HTTP clients. Telegram is waited on at most that long."""
        app = self._app
        if app is None or self._stopping:
            return
        self._stopping = True
        grace = self._grace if grace is None else grace
        try:
            receiving = self._receiver.close(grace) if self._receiver is not None else None
            draining = self._intake.stop(grace) if self._intake is not None else None
            await asyncio.gather(*(c for c in (receiving, draining) if c is not None))
            await app.shutdown()
            # After a failed initialize (a refused token) the Application thinks it was never
            # started and shuts nothing down, yet the bot's HTTP clients are open: close them
            # (a no-op when app.shutdown did).
            await app.bot.shutdown()
        finally:
            self._app = self._intake = self._receiver = None
            self._translator = self._outbound = None
            self._stopping = False

    async def _register_commands(self) -> None:
        if not self._commands:
            return
        bot = self._application.bot
        try:
            await self._call(lambda: bot.set_my_commands([BotCommand(c, d) for c, d in self._commands]))
        except TelegramError:
            logger.warning("telegram: could not register the command list", exc_info=True)

    # --- updates ------------------------------------------------------------------------
    async def _process(self, update: Update) -> None:
        """One update, in its chat's turn (see bot.channels.intake); errors are reported
        here and never stop the channel."""
        try:
            await self._on_update(update)
        except Exception as exc:
            await self._on_error(update, exc)

    async def _on_update(self, update: Update) -> None:
        if (change := chat_change(update)) is not None:  # a group moved, the bot was blocked
            await self._handler(change)
            return
        if (poll_event := _poll_event(update)) is not None:
            await self._handler(poll_event)  # nothing to answer
            return
        assert self._translator is not None
        translated = self._translator.translate(update)
        if translated is None:
            if update.callback_query is not None:  # a press we cannot read: stop the spinner
                await self._answer_callback(update.callback_query.id, None)
            return
        incoming, origin = translated
        if isinstance(incoming, IncomingText):
            outcome = await self._with_typing(origin, self._handler(incoming))
        else:
            outcome = await self._handler(incoming)
        if isinstance(incoming, IncomingAction) and incoming.callback_id:
            await self._answer_callback(incoming.callback_id, outcome.notice)
        if outcome.replies:
            await self._reply(incoming.update_id, origin, outcome.replies)

    async def _reply(self, update_id: str, origin: Destination, replies: Sequence[Reply]) -> None:
        """Send through the port; when the group turns out to have moved (a Telegram group
        upgraded to a supergroup), tell the core, which re-points the stored group, and send
        to the new id, once."""
        try:
            await self.outbound.send(origin, replies)
        except ChatMoved as moved:
            logger.info("telegram: chat %s migrated to %s", origin.chat_id, moved.new_chat_id)
            try:
                await self._handler(IncomingChatChange(
                    f"{update_id}:moved", Chat("telegram", origin.chat_id, "group"),
                    moved_to=moved.new_chat_id))
            except Exception:
                logger.exception("telegram: recording the move of chat %s failed", origin.chat_id)
            await self.outbound.send(Destination(moved.new_chat_id, origin.kind, origin.reply_to,
                                                 origin.thread_id), replies)

    async def _on_error(self, update: Update, error: Exception) -> None:
        """One error handler for the channel: log with the update id, apologise briefly."""
        update_id = update.update_id
        if isinstance(error, (Forbidden, Unreachable)):  # blocked, removed from the group
            logger.warning("telegram: update %s: %s", update_id, error)
            return
        logger.error("telegram: update %s failed", update_id, exc_info=error)
        try:
            if update.callback_query is not None:
                await self._answer_callback(update.callback_query.id, None)
        except TelegramError:
            pass
        origin = destination(update)
        if origin is not None and self._outbound is not None:
            try:
                await self._outbound.send_text(origin, texts.ERROR_GENERIC)
            except DeliveryError:
                logger.warning("telegram: update %s: could not send the error message", update_id)

    # --- calls to Telegram ----------------------------------------------------------------
    async def _with_typing(self, origin: Destination, work: Awaitable[T]) -> T:
        """Await `work` while "typing…" shows in the chat (Telegram clears it after ~5 s)."""
        bot = self._application.bot
        thread = int(origin.thread_id) if origin.thread_id is not None else None

        async def send_typing() -> bool:
            try:
                await bot.send_chat_action(int(origin.chat_id), ChatAction.TYPING,
                                           message_thread_id=thread)
            except Forbidden:
                return False
            except TelegramError as exc:
                logger.debug("telegram: chat action failed: %s", exc)
            return True

        return await while_typing(work, send_typing, self._typing_interval, self._typing_delay)

    async def _answer_callback(self, callback_id: str, notice: str | None) -> None:
        bot = self._application.bot
        text = shorten(notice, MAX_NOTICE, keep_lines=True) if notice else None
        await self._call(lambda: bot.answer_callback_query(callback_id, text=text))

    async def _call(self, make: Callable[[], Awaitable[T]]) -> T:
        return await call_with_retries(make, self._network_retries, self._network_backoff)


def _file_url(base_url: str) -> str:
    """The file URL that goes with a Bot API URL: ".../bot" -> ".../file/bot"."""
    if base_url.endswith("/bot"):
        return base_url[: -len("/bot")] + "/file/bot"
    return base_url.rstrip("/") + "/file/bot"
