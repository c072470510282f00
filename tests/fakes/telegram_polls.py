"""Native polls on the loopback Telegram Bot API server (a mixin of `TelegramApiServer`, split
out to keep each file small): sendPoll, stopPoll and sendPhoto, the `poll` / `poll_answer`
updates Telegram sends about the bot's polls, and test controls for what group admins and
members do (vote, delete the poll message, remove the bot from a group).

Like Telegram: a poll id per sent poll; `poll` updates carry counts only (never voters);
`poll_answer` only for non-anonymous polls; options carry their `persistent_id` (Bot API
9.6); retracting a vote gives empty `option_ids`;
stopPoll answers the closed Poll, 400 when the message is gone or the poll already closed,
or when the message is a forward (only the message sendPoll created stops the poll); 403
once the bot was removed from the chat (tests.fakes.telegram_chats, like forwarded polls).
"""

from __future__ import annotations

import time
from typing import Any

from tests.fakes.telegram_html import ApiError


class PollMethods:
    """Needs from the server: push_update, messages, chats, bot_user, _next (the server
    comes after this mixin in the bases, so they are not declared here)."""

    push_update: Any
    _next: Any

    messages: dict[tuple[int, int], dict[str, Any]]
    chats: dict[int, dict[str, Any]]
    bot_user: dict[str, Any]

    def _init_polls(self) -> None:
        self.polls: dict[str, dict[str, Any]] = {}  # poll id -> Poll
        self.poll_messages: dict[str, tuple[int, int]] = {}  # poll id -> (chat, message)
        self.photos: list[dict[str, Any]] = []  # sendPhoto params, the file's bytes included
        self._choices: dict[str, dict[int, list[int]]] = {}  # poll id -> user -> options

    # --- test controls ------------------------------------------------------------------
    def vote(self, poll_id: str, user_id: int, option_ids: list[int],
             first_name: str = "Nguyễn Văn An") -> None:
        """A member (re)votes, or retracts with `[]`: Telegram sends `poll` (new counts)
        and, for a named poll, `poll_answer`."""
        poll = self.polls[poll_id]
        if poll["is_closed"]:
            return
        if poll["type"] == "quiz" and user_id in self._choices.get(poll_id, {}):
            return  # a quiz is answered once: Telegram offers no way to change it
        self._choices.setdefault(poll_id, {})[user_id] = list(option_ids)
        if not option_ids:
            self._choices[poll_id].pop(user_id)
        counts = [0] * len(poll["options"])
        for chosen in self._choices[poll_id].values():
            for i in chosen:
                counts[i] += 1
        for option, count in zip(poll["options"], counts):
            option["voter_count"] = count
        poll["total_voter_count"] = len(self._choices[poll_id])
        self.push_update({"poll": dict(poll, options=[dict(o) for o in poll["options"]])})
        if not poll["is_anonymous"]:
            self.push_update({"poll_answer": {
                "poll_id": poll_id, "option_ids": list(option_ids),
                "option_persistent_ids": [f"{poll_id}-{i}" for i in option_ids],
                "user": {"id": user_id, "is_bot": False, "first_name": first_name}}})

    def delete_message(self, chat_id: int, message_id: int) -> None:
        """A group admin deleted the bot's message."""
        self.messages.pop((chat_id, message_id), None)

    def poll_sent_to(self, chat_id: int) -> dict[str, Any] | None:
        """The poll shown in this chat, sent there or forwarded there."""
        shown = [p for p, (c, _) in self.poll_messages.items() if c == chat_id]
        shown += [p for p, copies in getattr(self, "forwards", {}).items()
                  if any(c == chat_id for c, _ in copies)]
        return self.polls[shown[0]] if shown else None

    # --- methods ------------------------------------------------------------------------
    async def _m_sendPoll(self, params: dict[str, Any]) -> dict[str, Any]:
        chat_id = params.get("chat_id")
        question = params.get("question") or ""
        options = [o.get("text") if isinstance(o, dict) else o for o in params.get("options") or []]
        if chat_id is None or not 1 <= len(question) <= 300:
            raise ApiError(400, "Bad Request: poll question length must not exceed 300")
        if not 2 <= len(options) <= 10 or any(not o or len(o) > 100 for o in options):
            raise ApiError(400, "Bad Request: poll options must be 2-10 non-empty strings")
        kind = params.get("type") or "regular"
        quiz: dict[str, Any] = {}
        if kind == "quiz":  # one right answer, shown with the explanation once answered
            # Bot API 9.6 replaced `correct_option_id` with the list `correct_option_ids`.
            ids = params.get("correct_option_ids")
            if ids is None and "correct_option_id" in params:
                ids = [params["correct_option_id"]]
            if (not isinstance(ids, list) or len(ids) != 1 or not isinstance(ids[0], int)
                    or not 0 <= ids[0] < len(options)):
                raise ApiError(400, "Bad Request: wrong correct option id specified")
            correct = ids[0]
            explanation = params.get("explanation") or ""
            if params.get("allows_multiple_answers"):
                raise ApiError(400, "Bad Request: quiz poll can't allow multiple answers")
            if len(explanation) > 200 or explanation.count("\n") > 2:
                raise ApiError(400, "Bad Request: poll explanation is too long")
            quiz = {"correct_option_ids": [correct], **({"explanation": explanation}
                                                       if explanation else {})}
        elif kind != "regular":
            raise ApiError(400, "Bad Request: wrong poll type specified")
        poll_id = str(5_000_000_000 + self._next("poll"))
        poll = {"id": poll_id, "question": question, "total_voter_count": 0, "is_closed": False,
                "options": [{"text": o, "voter_count": 0, "persistent_id": f"{poll_id}-{i}"}
                            for i, o in enumerate(options)],
                "is_anonymous": params.get("is_anonymous", True) is not False, "type": kind,
                "allows_multiple_answers": bool(params.get("allows_multiple_answers")),
                "allows_revoting": kind != "quiz", "members_only": False,  # Bot API 9.6 / 10.0
                **quiz}
        chat = self.chats.get(chat_id) or {"id": chat_id, "type": "private", "first_name": "An"}
        message = {"message_id": self._next("message"), "date": int(time.time()), "chat": chat,
                   "from": self.bot_user, "poll": poll}
        self.polls[poll_id] = poll
        self.poll_messages[poll_id] = (chat_id, message["message_id"])
        self.messages[(chat_id, message["message_id"])] = message
        return message

    async def _m_stopPoll(self, params: dict[str, Any]) -> dict[str, Any]:
        chat_id = params.get("chat_id")
        message = self.messages.get((chat_id, params.get("message_id")))
        if message is None or "poll" not in message:
            raise ApiError(400, "Bad Request: message to stop poll not found")
        if "forward_origin" in message:
            raise ApiError(400, "Bad Request: poll can't be stopped")
        poll = self.polls[message["poll"]["id"]]
        if poll["is_closed"]:
            raise ApiError(400, "Bad Request: poll has already been closed")
        poll["is_closed"] = True
        return poll

    async def _m_sendPhoto(self, params: dict[str, Any]) -> dict[str, Any]:
        chat_id = params.get("chat_id")
        photo = params.get("photo")
        if chat_id is None or not photo:
            raise ApiError(400, "Bad Request: there is no photo in the request")
        if len(params.get("caption") or "") > 1024:
            raise ApiError(400, "Bad Request: message caption is too long")
        self.photos.append(params)
        message = {"message_id": self._next("message"), "date": int(time.time()),
                   "chat": self.chats.get(chat_id) or {"id": chat_id, "type": "private"},
                   "from": self.bot_user, "photo": [{"file_id": "AgACphoto", "file_unique_id":
                                                     "AQADphoto", "width": 800, "height": 450}]}
        return message
