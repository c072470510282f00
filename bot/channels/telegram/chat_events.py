"""Telegram updates that change a chat rather than say something in it -> IncomingChatChange
(split from the adapter to keep it small).

- A group upgraded to a supergroup gets a new id; Telegram posts a service message in each:
  `migrate_to_chat_id` in the old group, `migrate_from_chat_id` in the new supergroup. Either
  one (whichever arrives first; the second changes nothing) moves the stored group.
- `my_chat_member`: the bot's own membership changed. In a private chat "kicked" means the
  user blocked the bot and "member" that they unblocked it; in a group "left"/"kicked" means
  the bot was removed and "member"/"administrator" that it was added (back). Channels are
  not ours to track.
"""

from __future__ import annotations

from telegram import ChatMember, Update
from telegram.constants import ChatType

from bot.channels.telegram.outbound import TELEGRAM_CAPABILITIES
from bot.core.types import Chat, IncomingChatChange

_GONE = frozenset({ChatMember.LEFT, ChatMember.BANNED})  # "left", "kicked"
_BACK = frozenset({ChatMember.MEMBER, ChatMember.ADMINISTRATOR, ChatMember.RESTRICTED})


def chat_change(update: Update) -> IncomingChatChange | None:
    update_id = str(update.update_id)
    if (message := update.message) is not None:
        if message.migrate_to_chat_id is not None:
            return IncomingChatChange(update_id, _group(message.chat.id, message.chat.title),
                                      moved_to=str(message.migrate_to_chat_id))
        if message.migrate_from_chat_id is not None:
            return IncomingChatChange(update_id, _group(message.migrate_from_chat_id,
                                                        message.chat.title),
                                      moved_to=str(message.chat.id))
        return None
    if (member := update.my_chat_member) is None or member.chat.type == ChatType.CHANNEL:
        return None
    status = member.new_chat_member.status
    kind = "private" if member.chat.type == ChatType.PRIVATE else "group"
    chat = Chat("telegram", str(member.chat.id), kind, member.chat.title or "",
                capabilities=TELEGRAM_CAPABILITIES)
    if status in _GONE:
        reason = ("403 Forbidden: bot was blocked by the user" if kind == "private"
                  else f"the bot was removed from the group ({status})")
        return IncomingChatChange(update_id, chat, reachable=False, reason=reason)
    if status in _BACK:
        return IncomingChatChange(update_id, chat, reachable=True)
    return None


def _group(chat_id: int, title: str | None) -> Chat:
    return Chat("telegram", str(chat_id), "group", title or "", capabilities=TELEGRAM_CAPABILITIES)


__all__ = ["chat_change"]
