"""The update builders of the loopback Telegram Bot API server (a mixin of
`TelegramApiServer`, split out to keep each file small): each queues an update shaped like
Telegram's and returns it."""

from __future__ import annotations

import re
import time
from typing import Any

_MENTION = re.compile(r"(?<![\w@])@\w{3,32}")


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


class UpdateBuilders:
    """Needs from the server: push_update, messages, chats, bot_user and the id counters."""

    messages: dict[tuple[int, int], dict[str, Any]]
    chats: dict[int, dict[str, Any]]
    bot_user: dict[str, Any]
    _ids: dict[str, int]

    def push_update(self, update: dict[str, Any]) -> dict[str, Any]:  # pragma: no cover
        raise NotImplementedError

    def text_update(self, chat_id: int, user_id: int, text: str, chat_type: str = "private", *,
                    first_name: str = "Nguyễn Văn An", chat_title: str = "Chi bộ thôn Đông",
                    reply_to: int | dict[str, Any] | None = None,
                    edited: bool = False) -> dict[str, Any]:
        message = self._user_message(chat_id, user_id, chat_type, first_name, chat_title)
        message["text"] = text
        if entities := _entities(text):
            message["entities"] = entities
        if reply_to is not None:
            message["reply_to_message"] = (
                reply_to if isinstance(reply_to, dict) else
                self.messages.get((chat_id, reply_to))
                or {**self._user_message(chat_id, user_id, chat_type, first_name, chat_title),
                    "message_id": reply_to, "text": "…"})
        if edited:
            message["edit_date"] = int(time.time())
        return self.push_update({"edited_message" if edited else "message": message})

    def callback_update(self, chat_id: int, user_id: int, data: str, *, message_id: int | None = None,
                        chat_type: str = "private", first_name: str = "Nguyễn Văn An") -> dict[str, Any]:
        """A button press on the bot's message `message_id` (the last one sent to the chat
        when not given)."""
        sent = [m for (c, _), m in self.messages.items() if c == chat_id]
        message = self.messages.get((chat_id, message_id or -1)) or (sent[-1] if sent else {
            "message_id": message_id or self._next("message"), "date": int(time.time()),
            "chat": self._chat(chat_id, chat_type, first_name, ""), "from": self.bot_user,
            "text": "…"})
        return self.push_update({"callback_query": {
            "id": str(self._next("callback") + 4_000_000_000), "from": _user(user_id, first_name),
            "chat_instance": f"ci{chat_id}", "data": data, "message": message}})

    def sticker_update(self, chat_id: int, user_id: int, chat_type: str = "private") -> dict[str, Any]:
        return self._media(chat_id, user_id, chat_type, sticker={
            "file_id": "CAACAgIAAxk", "file_unique_id": "AgADsticker", "type": "regular",
            "width": 512, "height": 512, "is_animated": False, "is_video": False, "emoji": "👍"})

    def photo_update(self, chat_id: int, user_id: int, chat_type: str = "private",
                     caption: str | None = None) -> dict[str, Any]:
        fields: dict[str, Any] = {"photo": [
            {"file_id": "AgACAgIAAxk1", "file_unique_id": "AQADsmall", "width": 90, "height": 67},
            {"file_id": "AgACAgIAAxk2", "file_unique_id": "AQADlarge", "width": 1280, "height": 960}]}
        if caption is not None:
            fields["caption"] = caption
            if entities := _entities(caption):
                fields["caption_entities"] = entities
        return self._media(chat_id, user_id, chat_type, **fields)

    def voice_update(self, chat_id: int, user_id: int, chat_type: str = "private") -> dict[str, Any]:
        return self._media(chat_id, user_id, chat_type, voice={
            "file_id": "AwACAgIAAxk", "file_unique_id": "AgADvoice", "duration": 4,
            "mime_type": "audio/ogg"})

    def my_chat_member_update(self, chat_id: int, user_id: int, status: str = "member") -> dict[str, Any]:
        """The bot was added to (or left) a group: the core hears it as an
        IncomingChatChange (reachable again, or not)."""
        return self.push_update({"my_chat_member": {
            "chat": self._chat(chat_id, "group", "", "Chi bộ thôn Đông"), "from": _user(user_id),
            "date": int(time.time()),
            "old_chat_member": {"user": self.bot_user, "status": "left"},
            "new_chat_member": {"user": self.bot_user, "status": status}}})

    def document_update(self, chat_id: int, user_id: int, file_name: str = "ke-hoach.pdf",
                        chat_type: str = "private", *, file_size: int = 1024,
                        mime_type: str = "application/pdf",
                        file_id: str | None = None) -> dict[str, Any]:
        return self._media(chat_id, user_id, chat_type, document={
            "file_id": file_id or f"BQACAgIAAxk-{file_name}", "file_unique_id": "AgADdocument",
            "file_name": file_name, "mime_type": mime_type, "file_size": file_size})

    def _media(self, chat_id: int, user_id: int, chat_type: str, **fields: Any) -> dict[str, Any]:
        message = self._user_message(chat_id, user_id, chat_type, "Nguyễn Văn An", "Chi bộ thôn Đông")
        return self.push_update({"message": {**message, **fields}})

    def _user_message(self, chat_id: int, user_id: int, chat_type: str, first_name: str,
                      title: str) -> dict[str, Any]:
        return {"message_id": self._next("message"), "date": int(time.time()),
                "chat": self._chat(chat_id, chat_type, first_name, title),
                "from": _user(user_id, first_name)}

    def _chat(self, chat_id: int, chat_type: str, first_name: str, title: str) -> dict[str, Any]:
        if chat_type == "private":
            chat = {"id": chat_id, "type": "private", "first_name": first_name}
        else:
            chat = {"id": chat_id, "type": chat_type, "title": title}
        self.chats[chat_id] = chat
        return chat

    def _next(self, kind: str) -> int:
        self._ids[kind] += 1
        return self._ids[kind]


def _user(user_id: int, first_name: str = "Nguyễn Văn An") -> dict[str, Any]:
    return {"id": user_id, "is_bot": False, "first_name": first_name, "language_code": "vi"}


def _entities(text: str) -> list[dict[str, Any]]:
    """The entities Telegram adds by itself: a leading /command and @mentions (UTF-16 offsets)."""
    found: list[tuple[int, int, str]] = []
    if m := re.match(r"/\w+(?:@\w+)?", text):
        found.append((m.start(), m.end(), "bot_command"))
    found += [(m.start(), m.end(), "mention") for m in _MENTION.finditer(text)
              if not (found and found[0][0] <= m.start() < found[0][1])]
    return [{"type": kind, "offset": utf16_len(text[:a]), "length": utf16_len(text[a:b])}
            for a, b, kind in found]
