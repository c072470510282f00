"""Telegram updates -> our Incoming types, and where the replies to each go (pure
translation, no I/O; split from the adapter to keep it small).

In a group a message is for the assistant when it is a /command (for us or for every bot),
mentions the bot (@username or a text mention), or replies to one of the bot's messages; the
mention is cut out of the text. Photos, stickers and files are `IncomingUnsupported` in
private chats and in groups only when they reply to the bot. Channels (broadcast chats) are
not ours.
"""

from __future__ import annotations

import logging
import re
from zoneinfo import ZoneInfo

from telegram import Bot, Message, MessageEntity, Update
from telegram.constants import ChatType

from bot.channels.telegram.outbound import TELEGRAM_CAPABILITIES
from bot.core.outbound import Destination
from bot.core.types import Chat, Incoming, IncomingAction, IncomingText, IncomingUnsupported, Sender

logger = logging.getLogger(__name__)

LOCAL_TZ = ZoneInfo("Asia/Ho_Chi_Minh")
# Message contents the assistant cannot read; checked in this order (an animation is also a
# document, a venue also a location).
UNSUPPORTED_KINDS = (
    "sticker", "photo", "voice", "video_note", "video", "animation", "audio", "document",
    "venue", "location", "contact", "poll", "dice", "game", "story",
)
_COMMAND = re.compile(r"^/(?P<name>\w+)(?:@(?P<bot>\w+))?")


class TelegramTranslator:
    def __init__(self, bot: Bot) -> None:
        self._bot = bot
        self._mention = re.compile(rf"(?<![\w@])@{re.escape(bot.username)}\b", re.I)

    def translate(self, update: Update) -> tuple[Incoming, Destination] | None:
        update_id = str(update.update_id)
        if (query := update.callback_query) is not None:
            message = query.message
            origin = destination(update)
            if query.data is None or origin is None:
                return None
            tg_chat = message.chat if message is not None else None
            chat = (chat_of(tg_chat.id, tg_chat.type, tg_chat.title) if tg_chat is not None
                    else Chat("telegram", str(query.from_user.id), "private",
                              capabilities=TELEGRAM_CAPABILITIES))
            sender = Sender("telegram", str(query.from_user.id), query.from_user.full_name)
            return IncomingAction(update_id, sender, chat, query.data, callback_id=query.id), origin
        if update.message is not None:
            return self._message(update_id, update.message, destination(update))
        if update.edited_message is not None:
            logger.info("telegram: update %s: edited message ignored", update_id)
        else:
            kinds = [k for k, v in update.to_dict().items() if k != "update_id" and v]
            logger.debug("telegram: update %s of kind %s ignored", update_id, kinds)
        return None

    def _message(self, update_id: str, message: Message,
                 origin: Destination | None) -> tuple[Incoming, Destination] | None:
        if origin is None or message.chat.type == ChatType.CHANNEL:
            return None
        is_group = message.chat.type in (ChatType.GROUP, ChatType.SUPERGROUP)
        chat = chat_of(message.chat.id, message.chat.type, message.chat.title)
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
        if kind == "document" and message.document is not None:
            document = message.document
            return IncomingUnsupported(
                update_id, sender, chat, kind, file_id=document.file_id,
                file_name=document.file_name or "", file_size=document.file_size,
                mime_type=document.mime_type or ""), origin
        if kind == "photo" and message.photo:
            largest = message.photo[-1]  # Telegram lists the sizes smallest first
            return IncomingUnsupported(update_id, sender, chat, kind, file_id=largest.file_id,
                                       file_size=largest.file_size, mime_type="image/jpeg"), origin
        return IncomingUnsupported(update_id, sender, chat, kind), origin

    def _addressed(self, message: Message, text: str, is_group: bool) -> tuple[bool, str]:
        """(is it for us, the text without "@bot"): in a group, a /command (for us or for
        every bot), an @mention, or a reply to one of our messages."""
        bot = self._bot
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
        return bool(replied and replied.from_user and replied.from_user.id == self._bot.id)


def destination(update: Update) -> Destination | None:
    """Where replies to this update go: the chat, the member's message in groups, the topic."""
    if (query := update.callback_query) is not None:
        message = query.message
        if message is None:  # a button on an inline-mode message: answer privately
            return Destination(str(query.from_user.id))
        thread = getattr(message, "message_thread_id", None)
        kind = "group" if message.chat.type in (ChatType.GROUP, ChatType.SUPERGROUP) else "private"
        return Destination(str(message.chat.id), kind, None,
                           str(thread) if thread and getattr(message, "is_topic_message", False)
                           else None)
    message = update.effective_message
    if message is None:
        return None
    is_group = message.chat.type in (ChatType.GROUP, ChatType.SUPERGROUP)
    thread = message.message_thread_id if message.is_topic_message else None
    return Destination(str(message.chat.id), "group" if is_group else "private",
                       str(message.message_id) if is_group else None,
                       str(thread) if thread is not None else None)


def chat_of(chat_id: int, chat_type: str, title: str | None) -> Chat:
    kind = "group" if chat_type in (ChatType.GROUP, ChatType.SUPERGROUP) else "private"
    return Chat("telegram", str(chat_id), kind, title or "", capabilities=TELEGRAM_CAPABILITIES)


__all__ = ["TelegramTranslator", "UNSUPPORTED_KINDS", "chat_of", "destination"]
