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
import re
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import TypeVar
from zoneinfo import ZoneInfo

from telegram import (
    BotCommand,
    InlineKeyboardButton,
    InputFile,
    InlineKeyboardMarkup,
    LinkPreviewOptions,
    Message,
    MessageEntity,
    ReplyParameters,
    Update,
)
from telegram.constants import ChatAction, ChatType, ParseMode
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError
from telegram.ext import Application, ApplicationBuilder

from knowledge import messages as texts
from bot.channels import webhooks
from bot.channels.intake import Intake
from bot.channels.telegram_chat_events import chat_change
from bot.channels.telegram_errors import Moved, follow_migration, retry_seconds
from bot.channels.telegram_polls import poll_event as _poll_event
from bot.channels.telegram_receive import SECRET_HEADER, TelegramReceiver, WebhookConfig, order_key
from bot.core.inbox import Inbox, MemoryInbox
from bot.channels.telegram_render import RenderedMessage, escape, render
from bot.channels.typing_indicator import TYPING_DELAY, while_typing
from bot.core.outbound import PushFailed
from bot.core.types import (
    Chat,
    Incoming,
    IncomingChatChange,
    IncomingAction,
    IncomingPollUpdate,
    IncomingText,
    IncomingUnsupported,
    Outcome,
    FileReply,
    PhotoReply,
    Reply,
    Sender,
)

logger = logging.getLogger(__name__)

T = TypeVar("T")
Handler = Callable[[Incoming], Awaitable[Outcome]]

DEFAULT_BASE_URL = "https://api.telegram.org/bot"
LOCAL_TZ = ZoneInfo("Asia/Ho_Chi_Minh")
ALLOWED_UPDATES = ("message", "edited_message", "callback_query", "my_chat_member", "poll",
                   "poll_answer")
MAX_CAPTION = 1024
MAX_NOTICE = 200  # answerCallbackQuery text limit
# Message contents the assistant cannot read; checked in this order (an animation is also a
# document, a venue also a location).
UNSUPPORTED_KINDS = (
    "sticker", "photo", "voice", "video_note", "video", "animation", "audio", "document",
    "venue", "location", "contact", "poll", "dice", "game", "story",
)
_COMMAND = re.compile(r"^/(?P<name>\w+)(?:@(?P<bot>\w+))?")


@dataclass(frozen=True)
class _Origin:
    """Where replies to one update go."""

    chat_id: int
    reply_to: int | None = None  # the member's message, in groups
    thread_id: int | None = None  # forum topic


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
        self._mention: re.Pattern[str] | None = None
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
            self._mention = re.compile(rf"(?<![\w@])@{re.escape(app.bot.username)}\b", re.I)
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
        finally:
            self._app = self._intake = self._receiver = None
            self._stopping = False

    async def _register_commands(self) -> None:
        if not self._commands:
            return
        bot = self._application.bot
        try:
            await self._call(lambda: bot.set_my_commands([BotCommand(c, d) for c, d in self._commands]))
        except TelegramError:
            logger.warning("telegram: could not register the command list", exc_info=True)

    # --- writing first (bot.core.outbound) --------------------------------------------
    async def push(self, chat_id: str, replies: Sequence[Reply]) -> None:
        """Send replies the core starts itself to a private chat (its id is the user's id),
        buttons included. PushFailed when it did not go (blocked, never started, down)."""
        try:
            origin = _Origin(int(chat_id))
            for reply in replies:
                if isinstance(reply, (PhotoReply, FileReply)):
                    raise PushFailed(f"{type(reply).__name__} is not pushed")
                for message in render(reply):
                    await self._send(origin, message, reply=False)
        except (TelegramError, RuntimeError, ValueError) as exc:  # RuntimeError: not started
            raise PushFailed(str(exc)[:200]) from exc

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
        translated = self._translate(update)
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
        first = True
        moved = self._mover(incoming.update_id)
        for reply in outcome.replies:
            if isinstance(reply, PhotoReply):
                await self._send_photo(origin, reply, moved)
                continue
            if isinstance(reply, FileReply):
                await self._send_file(origin, reply, moved)
                continue
            for message in render(reply):
                await self._send(origin, message, reply=first, moved=moved)
                first = False

    async def _on_error(self, update: Update, error: Exception) -> None:
        """One error handler for the channel: log with the update id, apologise briefly."""
        update_id = update.update_id
        if isinstance(error, Forbidden):  # blocked by the user, removed from the group
            logger.warning("telegram: update %s: %s", update_id, error)
            return
        logger.error("telegram: update %s failed", update_id, exc_info=error)
        try:
            if update.callback_query is not None:
                await self._answer_callback(update.callback_query.id, None)
        except TelegramError:
            pass
        origin = _origin(update)
        if origin is not None:
            try:
                await self._send(origin, RenderedMessage(escape(texts.ERROR_GENERIC)), reply=True)
            except TelegramError:
                logger.warning("telegram: update %s: could not send the error message", update_id)

    def _translate(self, update: Update) -> tuple[Incoming, _Origin] | None:
        update_id = str(update.update_id)
        if (query := update.callback_query) is not None:
            message = query.message
            origin = _origin(update)
            if query.data is None or origin is None:
                return None
            tg_chat = message.chat if message is not None else None
            chat = (_chat(tg_chat.id, tg_chat.type, tg_chat.title) if tg_chat is not None
                    else Chat("telegram", str(query.from_user.id), "private"))
            sender = Sender("telegram", str(query.from_user.id), query.from_user.full_name)
            return IncomingAction(update_id, sender, chat, query.data, callback_id=query.id), origin
        if update.message is not None:
            return self._translate_message(update_id, update.message, _origin(update))
        if update.edited_message is not None:
            logger.info("telegram: update %s: edited message ignored", update_id)
        else:
            kinds = [k for k, v in update.to_dict().items() if k != "update_id" and v]
            logger.debug("telegram: update %s of kind %s ignored", update_id, kinds)
        return None

    def _translate_message(self, update_id: str, message: Message,
                           origin: _Origin | None) -> tuple[Incoming, _Origin] | None:
        if origin is None or message.chat.type == ChatType.CHANNEL:
            return None
        is_group = message.chat.type in (ChatType.GROUP, ChatType.SUPERGROUP)
        chat = _chat(message.chat.id, message.chat.type, message.chat.title)
        if message.from_user is not None:
            sender = Sender("telegram", str(message.from_user.id), message.from_user.full_name)
        elif message.sender_chat is not None:
            sender = Sender("telegram", str(message.sender_chat.id), message.sender_chat.title or "")
        else:
            return None
        text = message.text if message.text is not None else message.caption
        if text is not None:
            addressed, cleaned = self._addressed(message, text, is_group)
            if not addressed:
                return None
            sent_at = message.date.astimezone(LOCAL_TZ) if message.date else None
            return IncomingText(update_id, sender, chat, cleaned, True, sent_at), origin
        kind = next((k for k in UNSUPPORTED_KINDS if getattr(message, k, None)), None)
        if kind is None:  # service messages: members joined, pinned, title changed...
            logger.debug("telegram: update %s: service message ignored", update_id)
            return None
        if is_group and not self._replies_to_bot(message):
            return None  # a photo shared in a group is not meant for the assistant
        document = message.document if kind == "document" else None
        return IncomingUnsupported(
            update_id, sender, chat, kind, file_id=document.file_id if document else None,
            file_name=(document.file_name or "") if document else ""), origin

    def _addressed(self, message: Message, text: str, is_group: bool) -> tuple[bool, str]:
        """(is it for us, the text without "@bot"): in a group, a /command (for us or for
        every bot), an @mention, or a reply to one of our messages."""
        bot = self._application.bot
        assert self._mention is not None
        addressed = not is_group
        if command := _COMMAND.match(text):
            target = command["bot"]
            if target is not None and target.lower() != bot.username.lower():
                return not is_group, text  # another bot's command
            addressed = True
            text = f"/{command['name']}{text[command.end():]}"
        if self._mention.search(text):
            addressed = True
            text = self._mention.sub(" ", text)
        entities = message.entities or message.caption_entities
        if any(e.type == MessageEntity.TEXT_MENTION and e.user and e.user.id == bot.id for e in entities):
            addressed = True
        if self._replies_to_bot(message):
            addressed = True
        text = re.sub(r"[ \t]{2,}", " ", text).strip().lstrip(",:;").strip()
        return addressed, text

    def _replies_to_bot(self, message: Message) -> bool:
        replied = message.reply_to_message
        return bool(replied and replied.from_user and replied.from_user.id == self._application.bot.id)

    # --- calls to Telegram ----------------------------------------------------------------
    async def _with_typing(self, origin: _Origin, work: Awaitable[T]) -> T:
        """Await `work` while "typing…" shows in the chat (Telegram clears it after ~5 s)."""
        bot = self._application.bot

        async def send_typing() -> bool:
            try:
                await bot.send_chat_action(origin.chat_id, ChatAction.TYPING,
                                           message_thread_id=origin.thread_id)
            except Forbidden:
                return False
            except TelegramError as exc:
                logger.debug("telegram: chat action failed: %s", exc)
            return True

        return await while_typing(work, send_typing, self._typing_interval, self._typing_delay)

    async def _answer_callback(self, callback_id: str, notice: str | None) -> None:
        bot = self._application.bot
        text = notice[:MAX_NOTICE] if notice else None
        await self._call(lambda: bot.answer_callback_query(callback_id, text=text))

    def _mover(self, update_id: str) -> Moved:
        """What to do when a reply finds its group moved (a Telegram group upgraded to a
        supergroup): tell the core, which re-points the stored group; the reply is sent to
        the new id (bot.channels.telegram_errors.follow_migration)."""
        async def moved(old: str, new: str) -> None:
            await self._handler(IncomingChatChange(
                f"{update_id}:moved", Chat("telegram", old, "group"), moved_to=new))
        return moved

    async def _send(self, origin: _Origin, message: RenderedMessage, *, reply: bool,
                    moved: Moved | None = None) -> None:
        bot = self._application.bot
        markup = InlineKeyboardMarkup(
            [[InlineKeyboardButton(a.label, callback_data=a.data) for a in row] for row in message.buttons]
        ) if message.buttons else None
        reply_to = (ReplyParameters(origin.reply_to, allow_sending_without_reply=True)
                    if reply and origin.reply_to is not None else None)

        def send(chat_id: int | str) -> Awaitable[Message]:
            return self._call(lambda: bot.send_message(
                chat_id, message.text, parse_mode=ParseMode.HTML, reply_markup=markup,
                reply_parameters=reply_to, message_thread_id=origin.thread_id,
                link_preview_options=LinkPreviewOptions(is_disabled=True),
            ))

        await follow_migration(send, origin.chat_id, moved)

    async def _send_photo(self, origin: _Origin, reply: PhotoReply, moved: Moved | None) -> None:
        bot = self._application.bot
        await follow_migration(lambda chat_id: self._call(lambda: bot.send_photo(
            chat_id, InputFile(reply.image, filename=reply.filename),
            caption=reply.caption[:MAX_CAPTION], message_thread_id=origin.thread_id)),
            origin.chat_id, moved)

    async def _send_file(self, origin: _Origin, reply: FileReply, moved: Moved | None) -> None:
        bot = self._application.bot
        await follow_migration(lambda chat_id: self._call(lambda: bot.send_document(
            chat_id, InputFile(reply.data, filename=reply.filename),
            caption=reply.caption[:MAX_CAPTION], message_thread_id=origin.thread_id)),
            origin.chat_id, moved)

    async def _call(self, make: Callable[[], Awaitable[T]]) -> T:
        """One Bot API call: on flood control wait as told and retry once (a reply must not
        be dropped); on network errors retry with backoff. Other errors go to the caller."""
        flood_waited = False
        attempt = 0
        while True:
            try:
                return await make()
            except RetryAfter as exc:
                if flood_waited:
                    raise
                flood_waited = True
                delay = retry_seconds(exc)
                logger.warning("telegram: flood control, retrying in %.1f s", delay)
                await asyncio.sleep(delay)
            except BadRequest:
                raise
            except NetworkError as exc:  # includes TimedOut and 5xx answers
                if attempt >= self._network_retries:
                    raise
                delay = self._network_backoff * 2**attempt
                attempt += 1
                logger.warning("telegram: %s; retry %d in %.2f s", exc, attempt, delay)
                await asyncio.sleep(delay)


def _origin(update: Update) -> _Origin | None:
    if (query := update.callback_query) is not None:
        message = query.message
        if message is None:  # a button on an inline-mode message: answer privately
            return _Origin(query.from_user.id)
        thread = getattr(message, "message_thread_id", None)
        return _Origin(message.chat.id, None, thread if getattr(message, "is_topic_message", False) else None)
    message = update.effective_message
    if message is None:
        return None
    is_group = message.chat.type in (ChatType.GROUP, ChatType.SUPERGROUP)
    return _Origin(message.chat.id, message.message_id if is_group else None,
                   message.message_thread_id if message.is_topic_message else None)


def _chat(chat_id: int, chat_type: str, title: str | None) -> Chat:
    kind = "group" if chat_type in (ChatType.GROUP, ChatType.SUPERGROUP) else "private"
    return Chat("telegram", str(chat_id), kind, title or "")



def _file_url(base_url: str) -> str:
    """The file URL that goes with a Bot API URL: ".../bot" -> ".../file/bot"."""
    if base_url.endswith("/bot"):
        return base_url[: -len("/bot")] + "/file/bot"
    return base_url.rstrip("/") + "/file/bot"
