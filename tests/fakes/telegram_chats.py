"""What happens to chats on the loopback Telegram Bot API server (a mixin of
`TelegramApiServer`, split out to keep each file small): forwardMessage, a group upgraded to
a supergroup, a user who blocks the bot, a group the bot was removed from, a chat that no
longer exists — with the answers and updates Telegram gives for each.

Like Telegram:
- forwardMessage puts a copy of the message in another chat, with `forward_origin` naming
  the original sender. A forwarded poll is the SAME poll (same id): a vote in any copy
  counts on the one poll, every copy shows the same counts, and the bot gets one `poll`
  update per change. (copyMessage would post a new poll with counts of its own.) 400 when
  the message to forward is gone.
- A migrated group (`migrate_group`): every call naming the old id answers 400 "group chat
  was upgraded to a supergroup chat" with `parameters.migrate_to_chat_id` (PTB raises
  ChatMigrated); the old group gets a service message with `migrate_to_chat_id`, the new
  supergroup one with `migrate_from_chat_id`. The old group's messages stay in the old chat:
  the supergroup starts with none of them (stopPoll there: 400 not found).
- A user who blocked the bot (`block_bot`): calls to their chat answer 403 "bot was blocked
  by the user", and Telegram sends `my_chat_member` (new status "kicked"); `unblock_bot`
  sends status "member" again. A group the bot was removed from (`kick_bot`): 403 "bot was
  kicked from the group chat" (with `my_chat_member` status "left" when `notify`). A chat
  that never existed or was deleted (`delete_chat`): 400 "chat not found".
"""

from __future__ import annotations

import time
from typing import Any

from tests.fakes.telegram_html import ApiError


class ChatMethods:
    """Needs from the server: push_update, messages, chats, polls, poll_messages, bot_user,
    _next (the server comes after this mixin in its bases)."""

    push_update: Any
    _next: Any
    messages: dict[tuple[int, int], dict[str, Any]]
    chats: dict[int, dict[str, Any]]
    polls: dict[str, dict[str, Any]]
    bot_user: dict[str, Any]

    def _init_chats(self) -> None:
        self.migrated: dict[int, int] = {}  # old group id -> supergroup id
        self.kicked: set[int] = set()  # groups the bot was removed from
        self.blocked: set[int] = set()  # users who blocked the bot
        self.deleted: set[int] = set()  # chats that no longer exist
        self.forwards: dict[str, list[tuple[int, int]]] = {}  # poll id -> forwarded copies

    # --- test controls ------------------------------------------------------------------
    def migrate_group(self, old_id: int, new_id: int, *, by_user: int = 901,
                      title: str = "Chi bộ thôn Đông", notify: bool = True) -> None:
        """The group becomes a supergroup with a new id; both service messages are sent
        (unless `notify` is off: the bot was not running, or the updates were lost)."""
        self.migrated[old_id] = new_id
        old = self.chats.get(old_id) or {"id": old_id, "type": "group", "title": title}
        new = {"id": new_id, "type": "supergroup", "title": old.get("title", title)}
        self.chats[new_id] = new
        if not notify:
            return
        user = {"id": by_user, "is_bot": False, "first_name": "Trần Thị Bình"}
        now = int(time.time())
        self.push_update({"message": {"message_id": self._next("message"), "date": now,
                                      "chat": old, "from": user, "migrate_to_chat_id": new_id}})
        self.push_update({"message": {"message_id": self._next("message"), "date": now,
                                      "chat": new, "from": user,
                                      "migrate_from_chat_id": old_id}})

    def block_bot(self, user_id: int, *, notify: bool = True) -> None:
        """The user blocks the bot (Telegram then tells the bot, unless `notify` is off: the
        update may be lost or come before the bot was listening)."""
        self.blocked.add(user_id)
        if notify:
            self._member_update(user_id, "private", "member", "kicked")

    def unblock_bot(self, user_id: int) -> None:
        self.blocked.discard(user_id)
        self._member_update(user_id, "private", "kicked", "member")

    def kick_bot(self, chat_id: int, *, notify: bool = False) -> None:
        """The bot was removed from this group: every later call there answers 403."""
        self.kicked.add(chat_id)
        if notify:
            self._member_update(chat_id, "group", "member", "left")

    def delete_chat(self, chat_id: int) -> None:
        self.deleted.add(chat_id)

    def poll_copies(self, poll_id: str) -> list[tuple[int, int]]:
        """Every (chat, message) showing this poll: the original, then its forwards."""
        original = self.poll_messages.get(poll_id)  # type: ignore[attr-defined]
        return ([original] if original else []) + self.forwards.get(poll_id, [])

    # --- checks made before every method --------------------------------------------------
    def _check_chat(self, params: dict[str, Any]) -> None:
        chat_id = params.get("chat_id")
        if not isinstance(chat_id, int):
            return
        if chat_id in self.migrated:
            raise ApiError(400, "Bad Request: group chat was upgraded to a supergroup chat",
                           migrate_to_chat_id=self.migrated[chat_id])
        if chat_id in self.deleted:
            raise ApiError(400, "Bad Request: chat not found")
        if chat_id in self.blocked:
            raise ApiError(403, "Forbidden: bot was blocked by the user")
        if chat_id in self.kicked:
            raise ApiError(403, "Forbidden: bot was kicked from the group chat")

    # --- methods ------------------------------------------------------------------------
    async def _m_forwardMessage(self, params: dict[str, Any]) -> dict[str, Any]:
        chat_id, from_chat = params.get("chat_id"), params.get("from_chat_id")
        if chat_id is None or from_chat is None or params.get("message_id") is None:
            raise ApiError(400, "Bad Request: chat_id, from_chat_id and message_id are required")
        source = self.messages.get((from_chat, params["message_id"]))
        if source is None:
            raise ApiError(400, "Bad Request: message to forward not found")
        content = {k: v for k, v in source.items()
                   if k not in ("message_id", "date", "chat", "from", "reply_markup")}
        message = {**content, "message_id": self._next("message"), "date": int(time.time()),
                   "chat": self.chats.get(chat_id) or {"id": chat_id, "type": "private",
                                                       "first_name": "An"},
                   "from": self.bot_user,
                   "forward_origin": {"type": "user", "sender_user": source["from"],
                                      "date": source["date"]}}
        if "poll" in source:  # the same poll: its counts are every copy's
            poll = self.polls[source["poll"]["id"]]
            message["poll"] = poll
            self.forwards.setdefault(poll["id"], []).append((chat_id, message["message_id"]))
        self.messages[(chat_id, message["message_id"])] = message
        return message

    def _member_update(self, chat_id: int, chat_type: str, old: str, new: str) -> None:
        chat = self.chats.get(chat_id) or (
            {"id": chat_id, "type": "private", "first_name": "Nguyễn Văn An"}
            if chat_type == "private" else {"id": chat_id, "type": "group", "title": "Nhóm"})
        user = ({"id": chat_id, "is_bot": False, "first_name": chat.get("first_name", "An")}
                if chat_type == "private" else {"id": 901, "is_bot": False, "first_name": "Bình"})
        self.push_update({"my_chat_member": {
            "chat": chat, "from": user, "date": int(time.time()),
            "old_chat_member": {"user": self.bot_user, "status": old},
            "new_chat_member": {"user": self.bot_user, "status": new,
                                **({"until_date": 0} if new == "kicked" else {})}}})
