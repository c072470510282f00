"""Zalo Bot Platform updates as the platform sends them (getUpdates results and webhook
bodies), for the loopback server in `zalo_api` and for tests that post raw bodies.

    {"event_name": "message.text.received",
     "message": {"message_id": "...", "date": <ms>, "text": "...",
                 "from": {"id": "...", "display_name": "...", "is_bot": false},
                 "chat": {"id": "...", "chat_type": "PRIVATE" | "GROUP"}}}

Ids are strings on Zalo. Images carry `photo_url` (and maybe `caption`), stickers `sticker`
and `url`; "unsupported" messages (voice, files, locations...) carry nothing readable.
"""

from __future__ import annotations

import itertools
import time
from typing import Any

TEXT = "message.text.received"
IMAGE = "message.image.received"
STICKER = "message.sticker.received"
UNSUPPORTED = "message.unsupported.received"
EVENTS = (TEXT, IMAGE, STICKER, UNSUPPORTED)

_message_ids = itertools.count(1)


def new_message_id() -> str:
    return f"{int(time.time() * 1000):x}{next(_message_ids):06x}"


def message(chat_id: str, user_id: str, chat_type: str = "PRIVATE", *,
            display_name: str = "Nguyễn Văn An", **content: Any) -> dict[str, Any]:
    return {
        "message_id": new_message_id(),
        "date": int(time.time() * 1000),
        "from": {"id": str(user_id), "display_name": display_name, "is_bot": False},
        "chat": {"id": str(chat_id), "chat_type": chat_type},
        **content,
    }


def text_update(chat_id: str, user_id: str, text: str, chat_type: str = "PRIVATE",
                **kwargs: Any) -> dict[str, Any]:
    return {"event_name": TEXT, "message": message(chat_id, user_id, chat_type, text=text, **kwargs)}


def image_update(chat_id: str, user_id: str, chat_type: str = "PRIVATE",
                 caption: str | None = None,
                 photo_url: str = "https://photo.zdn.vn/fake/anh.jpg") -> dict[str, Any]:
    content: dict[str, Any] = {"photo_url": photo_url}
    if caption is not None:
        content["caption"] = caption
    return {"event_name": IMAGE, "message": message(chat_id, user_id, chat_type, **content)}


def sticker_update(chat_id: str, user_id: str, chat_type: str = "PRIVATE") -> dict[str, Any]:
    return {"event_name": STICKER, "message": message(
        chat_id, user_id, chat_type, sticker="bfe9a8d2a8b1", url="https://zalo-api.zadn.vn/s.png")}


def unsupported_update(chat_id: str, user_id: str, chat_type: str = "PRIVATE") -> dict[str, Any]:
    return {"event_name": UNSUPPORTED, "message": message(chat_id, user_id, chat_type)}
