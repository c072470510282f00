"""A loopback Telegram Bot API server: real HTTP on 127.0.0.1, port 0, the Bot API wire format.

Point python-telegram-bot at it with `ApplicationBuilder().base_url(api.base_url)` (PTB appends
the token to the base URL: `api.base_url` is `http://127.0.0.1:PORT/bot`).

    async with TelegramApiServer() as api:
        api.text_update(chat_id=42, user_id=42, text="Chỉ thị 05 nói gì?")
        params = await api.wait_for("sendMessage", lambda p: p["chat_id"] == 42)

What it does like Telegram: `/bot<TOKEN>/<method>` over GET or POST (JSON, form-encoded or
multipart bodies), method names case-insensitive, `{"ok": true, "result": ...}` and
`{"ok": false, "error_code": N, "description": ...}` with the HTTP status equal to the code,
401 for a wrong token, 404 for an unknown method, long polling with `offset` confirmation and
`timeout`, `allowed_updates` remembered between calls, 409 for getUpdates while a webhook is
set, HTML `parse_mode` checked (unknown or unbalanced tags, bare `<` or `&`, text over 4096
UTF-16 units after parsing: 400), callback_data over 64 bytes: 400.
Chats change like Telegram's (tests.fakes.telegram_chats): forwardMessage (a forwarded poll
is the same poll), groups upgraded to supergroups, users who block the bot, groups the bot
was removed from, deleted chats.
`delay` holds calls of a method before handling them (a Bot API that hangs).
What it simplifies: one message-id counter for all chats; webhooks may be plain http (it
delivers pushed updates to the webhook URL itself, once each, recording the HTTP status in
`webhook_deliveries`); long polls are capped at `max_poll_wait` seconds to keep tests fast.
"""

from __future__ import annotations

import asyncio
import json
import re
import time
from collections import deque
from collections.abc import Awaitable, Callable
from typing import Any

import aiohttp
from aiohttp import web

from tests.fakes.loopback import Call, LoopbackServer
from tests.fakes.telegram_chats import ChatMethods
from tests.fakes.telegram_html import ApiError, parse_html
from tests.fakes.telegram_polls import PollMethods
from tests.fakes.telegram_updates import UpdateBuilders, utf16_len

DEFAULT_TOKEN = "123456789:TEST-token_for-loopback"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
MAX_TEXT = 4096  # UTF-16 code units after entity parsing
MAX_CALLBACK_DATA = 64  # bytes
DEFAULT_UPDATE_TYPES = frozenset(  # what Telegram sends when allowed_updates is empty
    {"message", "edited_message", "channel_post", "edited_channel_post", "inline_query",
     "chosen_inline_result", "callback_query", "shipping_query", "pre_checkout_query", "poll",
     "poll_answer", "my_chat_member", "chat_join_request", "business_message"}
)
# Form fields whose value is text even when it looks like JSON ("123", "true").
_STRING_FIELDS = frozenset(
    {"text", "caption", "callback_query_id", "url", "secret_token", "parse_mode", "action",
     "language_code", "inline_message_id", "ip_address", "description", "short_description",
     "name", "business_connection_id", "message_effect_id", "question", "emoji", "explanation",
     "type"}
)


def _decode_form(name: str, value: Any) -> Any:
    if isinstance(value, web.FileField):
        data = value.file.read()
        return {"filename": value.filename, "content_type": value.content_type,
                "size": len(data), "data": data}
    if name in _STRING_FIELDS:
        return value
    try:
        return json.loads(value)
    except ValueError:
        return value


class TelegramApiServer(ChatMethods, PollMethods, UpdateBuilders, LoopbackServer):
    def __init__(
        self,
        token: str = DEFAULT_TOKEN,
        *,
        bot_username: str = "TuyenGiaoTestBot",
        max_poll_wait: float = 1.0,
        faults: Any = None,
        redeliver: float | None = None,
        connections: int = 1,
    ) -> None:
        self.token = token
        # Webhook POSTs in flight at once (Telegram's max_connections, 40 by default; with
        # more than one, updates of one chat are not held back behind each other here).
        self.connections = connections
        # Seconds before a webhook delivery that was not answered 2xx is tried again, as
        # Telegram does (None: each update is POSTed once, whatever the answer).
        self.redeliver = redeliver
        head = token.split(":", 1)[0]
        self.bot_user: dict[str, Any] = {
            "id": int(head) if head.isdigit() else 1000, "is_bot": True,
            "first_name": "Trợ lý tuyên giáo", "username": bot_username, "can_join_groups": True,
            "can_read_all_group_messages": False, "supports_inline_queries": False,
        }
        super().__init__()
        self.max_poll_wait = max_poll_wait
        self.faults = faults  # a tests.fakes.telegram_faults.FaultPlan, or None
        self.messages: dict[tuple[int, int], dict[str, Any]] = {}  # (chat_id, message_id) -> Message
        self.commands: dict[str, list[dict[str, Any]]] = {}  # scope+language -> BotCommand list
        self.webhook: dict[str, Any] = {"url": "", "secret_token": None, "allowed_updates": None}
        self.webhook_deliveries: list[tuple[int, int]] = []  # (update_id, HTTP status)
        self.confirmed_offset = 0  # every update_id below it was confirmed by getUpdates
        self._updates: list[dict[str, Any]] = []
        self._allowed: frozenset[str] = DEFAULT_UPDATE_TYPES
        self._faults: dict[str, deque[ApiError]] = {}
        self._delays: dict[str, list[Any]] = {}  # method -> [seconds, calls left or None]
        self.chats: dict[int, dict[str, Any]] = {}
        self.files: dict[str, tuple[bytes, str]] = {}  # file_id -> (content, file_path)
        self._ids = {"update": 0, "message": 0, "callback": 0, "poll": 0}
        self._init_polls()
        self._init_chats()
        self._methods: dict[str, tuple[str, Callable[[dict[str, Any]], Awaitable[Any]]]] = {
            name.lower(): (name, getattr(self, f"_m_{name}"))
            for name in ("getMe", "getUpdates", "sendMessage", "sendDocument", "editMessageText",
                         "answerCallbackQuery", "sendChatAction", "setMyCommands",
                         "getMyCommands", "deleteMyCommands", "setWebhook", "deleteWebhook",
                         "getWebhookInfo", "close", "logOut", "sendPoll", "stopPoll",
                         "sendPhoto", "forwardMessage", "getFile")
        }

    @property
    def requests(self) -> list[tuple[str, dict[str, Any]]]:
        """Every call received, in order, as (method, params), failed ones included."""
        return [(c.method, c.params) for c in self.calls]

    # --- test controls ------------------------------------------------------------------
    def fail_next(self, method: str, error_code: int, description: str,
                  retry_after: int | None = None) -> None:
        """Answer the next call of `method` with this error (queued: several stack up)."""
        self._faults.setdefault(method.lower(), deque()).append(
            ApiError(error_code, description, retry_after))

    def delay(self, method: str, seconds: float, *, times: int | None = 1) -> None:
        """Hold the next `times` calls of `method` (None: every call until `clear_delays`)
        for `seconds` before handling them: a platform that does not answer. Nothing of a
        held call is done or recorded until it is handled."""
        self._delays[method.lower()] = [seconds, times]

    def clear_delays(self) -> None:
        self._delays.clear()

    def push_update(self, update: dict[str, Any]) -> dict[str, Any]:
        """Queue a raw update (an update_id is assigned when missing); returns it."""
        if "update_id" not in update:
            update = {"update_id": self._next("update"), **update}
        else:
            self._ids["update"] = max(self._ids["update"], update["update_id"])
        self._updates.append(update)
        self._notify()
        return update

    async def wait_confirmed(self, update_id: int, timeout: float = 5.0) -> None:
        """Wait until a getUpdates offset confirmed `update_id` (the client has taken it)."""
        await self._until(lambda: True if self.confirmed_offset > update_id else None, timeout)

    # --- HTTP ---------------------------------------------------------------------------
    def add_file(self, file_id: str, data: bytes, path: str = "documents/file_0.pdf") -> None:
        """A file people sent, served by getFile and its download URL (`/file/bot<token>/
        <path>`), as Telegram keeps files a bot received."""
        self.files[file_id] = (data, path)

    async def _handle(self, request: web.Request) -> web.Response:
        if (f := re.fullmatch(r"/file/bot(?P<token>[^/]+)/(?P<path>.+)", request.path)):
            found = [data for data, path in self.files.values() if path == f["path"]]
            self._record(Call("downloadFile", {"path": f["path"]}, ok=bool(found)
                              and f["token"] == self.token))
            if f["token"] != self.token or not found:
                return web.Response(status=404, text="Not Found")
            return web.Response(body=found[0], content_type="application/octet-stream")
        m = re.fullmatch(r"/bot(?P<token>[^/]+)/(?P<method>\w+)", request.path)
        if m is None:
            return web.json_response(ApiError(404, "Not Found").body(), status=404)
        if m["token"] != self.token:
            return web.json_response(ApiError(401, "Unauthorized").body(), status=401)
        params = await self._params(request)
        name = m["method"].lower()
        canonical, method = self._methods.get(name, (m["method"], None))
        call = Call(canonical, params)
        if (held := self._delays.get(name)) is not None:
            if held[1] is not None:
                held[1] -= 1
                if held[1] <= 0:
                    del self._delays[name]
            await asyncio.sleep(held[0])  # a platform that does not answer, not a test's wait
        try:
            if faults := self._faults.get(name):
                raise faults.popleft()
            if self.faults is not None and (fault := self.faults.before(canonical, params)):
                raise ApiError(fault.code, fault.description, fault.retry_after)
            if method is None:
                raise ApiError(404, "Not Found")
            self._check_chat(params)  # migrated, deleted, blocked, kicked (telegram_chats)
            result = await method(params)
        except ApiError as exc:
            call.ok, call.error_code = False, exc.code
            response = web.json_response(exc.body(), status=exc.code)
        else:
            response = web.json_response({"ok": True, "result": result})
        self._record(call)
        if self.faults is not None and call.ok:
            await self.faults.after(canonical, params)
        return response

    @staticmethod
    async def _params(request: web.Request) -> dict[str, Any]:
        params: dict[str, Any] = {k: _decode_form(k, v) for k, v in request.query.items()}
        if request.method != "POST" or not request.can_read_body:
            return params
        if request.content_type == "application/json":
            try:
                body = await request.json()
            except ValueError:
                raise ApiError(400, "Bad Request: invalid JSON") from None
            return {**params, **(body if isinstance(body, dict) else {})}
        form = await request.post()
        return {**params, **{k: _decode_form(k, v) for k, v in form.items()}}

    # --- methods ------------------------------------------------------------------------
    async def _m_getMe(self, params: dict[str, Any]) -> dict[str, Any]:
        return self.bot_user

    async def _m_getUpdates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        if self.webhook["url"]:
            raise ApiError(409, "Conflict: can't use getUpdates method while webhook is active; "
                                "use deleteWebhook to delete the webhook first")
        offset = int(params.get("offset") or 0)
        if offset > 0:
            self._updates = [u for u in self._updates if u["update_id"] >= offset]
            if offset > self.confirmed_offset:
                self.confirmed_offset = offset
                self._notify()
        if (allowed := params.get("allowed_updates")) is not None:
            self._allowed = frozenset(allowed) or DEFAULT_UPDATE_TYPES
        limit = int(params.get("limit") or 100)
        wait = min(float(params.get("timeout") or 0), self.max_poll_wait)

        def ready() -> list[dict[str, Any]] | None:
            self._updates = [u for u in self._updates if _kind(u) in self._allowed]
            start = offset if offset >= 0 else None
            pending = [u for u in self._updates if start is None or u["update_id"] >= start]
            if offset < 0:
                pending = pending[offset:]
            return pending[:limit] if pending or self._closing else None

        if wait <= 0:
            return ready() or []
        try:
            return await self._until(ready, wait)
        except TimeoutError:
            return ready() or []

    async def _m_sendMessage(self, params: dict[str, Any]) -> dict[str, Any]:
        chat_id = params.get("chat_id")
        if chat_id is None:
            raise ApiError(400, "Bad Request: chat_id is empty")
        shown = self._check_text(params)
        self._check_markup(params.get("reply_markup"))
        chat = self.chats.get(chat_id) or {"id": chat_id, "type": "private", "first_name": "Nguyễn Văn An"}
        message: dict[str, Any] = {"message_id": self._next("message"), "date": int(time.time()),
                                   "chat": chat, "from": self.bot_user, "text": shown}
        if params.get("reply_markup"):
            message["reply_markup"] = params["reply_markup"]
        self.messages[(chat_id, message["message_id"])] = message
        return message

    async def _m_sendDocument(self, params: dict[str, Any]) -> dict[str, Any]:
        if params.get("chat_id") is None or not params.get("document"):
            raise ApiError(400, "Bad Request: chat_id or document is empty")
        message: dict[str, Any] = {
            "message_id": self._next("message"), "date": int(time.time()),
            "chat": self.chats.get(params["chat_id"]) or {"id": params["chat_id"], "type": "private"},
            "from": self.bot_user, "document": {"file_id": str(params["document"]),
                                                 "file_unique_id": "AgADdoc"}}
        self.messages[(params["chat_id"], message["message_id"])] = message
        return message

    async def _m_getFile(self, params: dict[str, Any]) -> dict[str, Any]:
        file_id = str(params.get("file_id") or "")
        if file_id not in self.files:
            raise ApiError(400, "Bad Request: invalid file_id")
        data, path = self.files[file_id]
        if len(data) > 20 * 1024 * 1024:  # bots may download files up to 20 MB
            raise ApiError(400, "Bad Request: file is too big")
        return {"file_id": file_id, "file_unique_id": f"u{abs(hash(file_id)) % 10**8}",
                "file_size": len(data), "file_path": path}

    async def _m_editMessageText(self, params: dict[str, Any]) -> dict[str, Any]:
        message = self.messages.get((params.get("chat_id"), params.get("message_id")))
        if message is None:
            raise ApiError(400, "Bad Request: message to edit not found")
        shown = self._check_text(params)
        self._check_markup(params.get("reply_markup"))
        message.update(text=shown, edit_date=int(time.time()))
        if "reply_markup" in params:
            message["reply_markup"] = params["reply_markup"]
        return message

    async def _m_answerCallbackQuery(self, params: dict[str, Any]) -> bool:
        if not params.get("callback_query_id"):
            raise ApiError(400, "Bad Request: query is too old and response timeout expired or query ID is invalid")
        if len(params.get("text") or "") > 200:
            raise ApiError(400, "Bad Request: MESSAGE_TOO_LONG")
        return True

    async def _m_sendChatAction(self, params: dict[str, Any]) -> bool:
        if params.get("chat_id") is None or not params.get("action"):
            raise ApiError(400, "Bad Request: chat_id or action is empty")
        return True

    async def _m_setMyCommands(self, params: dict[str, Any]) -> bool:
        commands = params.get("commands")
        if not isinstance(commands, list) or len(commands) > 100:
            raise ApiError(400, "Bad Request: commands must be a list of at most 100 items")
        for c in commands:
            if not re.fullmatch(r"[a-z0-9_]{1,32}", c.get("command", "")) or not 1 <= len(c.get("description", "")) <= 256:
                raise ApiError(400, "Bad Request: BOT_COMMAND_INVALID")
        self.commands[_scope_key(params)] = commands
        return True

    async def _m_getMyCommands(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        return self.commands.get(_scope_key(params), [])

    async def _m_deleteMyCommands(self, params: dict[str, Any]) -> bool:
        self.commands.pop(_scope_key(params), None)
        return True

    async def _m_setWebhook(self, params: dict[str, Any]) -> bool:
        url = params.get("url") or ""
        secret = params.get("secret_token")
        if secret is not None and not re.fullmatch(r"[A-Za-z0-9_-]{1,256}", secret):
            raise ApiError(400, "Bad Request: secret token contains unallowed characters")
        await self._stop_delivering()
        self.webhook = {"url": url, "secret_token": secret, "allowed_updates": params.get("allowed_updates")}
        if params.get("allowed_updates") is not None:
            self._allowed = frozenset(params["allowed_updates"]) or DEFAULT_UPDATE_TYPES
        if url:
            self._deliverer = asyncio.get_running_loop().create_task(self._deliver())
        return True

    async def _m_deleteWebhook(self, params: dict[str, Any]) -> bool:
        await self._stop_delivering()
        self.webhook = {"url": "", "secret_token": None, "allowed_updates": None}
        if params.get("drop_pending_updates"):
            self._updates.clear()
        return True

    async def _m_getWebhookInfo(self, params: dict[str, Any]) -> dict[str, Any]:
        info: dict[str, Any] = {"url": self.webhook["url"], "has_custom_certificate": False,
                                "pending_update_count": len(self._updates)}
        if self.webhook["allowed_updates"] is not None:
            info["allowed_updates"] = self.webhook["allowed_updates"]
        return info

    async def _m_close(self, params: dict[str, Any]) -> bool:
        return True

    async def _m_logOut(self, params: dict[str, Any]) -> bool:
        return True

    # --- checks and webhook delivery ----------------------------------------------------
    @staticmethod
    def _check_text(params: dict[str, Any]) -> str:
        """The text as shown (tags parsed away); 400 where Telegram refuses it."""
        text = params.get("text")
        if not isinstance(text, str):
            raise ApiError(400, "Bad Request: message text is empty")
        shown = parse_html(text) if str(params.get("parse_mode", "")).lower() == "html" else text
        if not shown.strip():
            raise ApiError(400, "Bad Request: message text is empty")
        if utf16_len(shown) > MAX_TEXT:
            raise ApiError(400, "Bad Request: message is too long")
        return shown

    @staticmethod
    def _check_markup(markup: Any) -> None:
        if not markup:
            return
        for row in markup.get("inline_keyboard", []):
            for button in row:
                data = button.get("callback_data")
                if data is not None and not 1 <= len(data.encode()) <= MAX_CALLBACK_DATA:
                    raise ApiError(400, "Bad Request: BUTTON_DATA_INVALID")
                if not button.get("text"):
                    raise ApiError(400, "Bad Request: text buttons are unallowed in the inline keyboard")

    async def _deliver(self) -> None:
        """Send queued updates to the webhook, in order, over `connections` connections:
        once each, or (with `redeliver`) until one is answered 2xx, like Telegram."""
        await asyncio.gather(*(self._deliver_in_turn() for _ in range(self.connections)))

    async def _deliver_in_turn(self) -> None:
        assert self._session is not None
        while True:
            await self._until(lambda: True if self._updates or self._closing else None, None)
            if self._closing:
                return
            update = self._updates.pop(0)
            if _kind(update) not in self._allowed:
                continue
            headers = {SECRET_HEADER: self.webhook["secret_token"]} if self.webhook["secret_token"] else {}
            try:
                async with self._session.post(self.webhook["url"], json=update, headers=headers) as r:
                    status = r.status
            except aiohttp.ClientError:
                status = 0
            except asyncio.CancelledError:  # a new setWebhook: not acknowledged, kept
                if self.redeliver is not None:
                    self._updates.insert(0, update)
                raise
            self.webhook_deliveries.append((update["update_id"], status))
            if self.redeliver is not None and not 200 <= status < 300:
                self._updates.insert(0, update)
                await asyncio.sleep(self.redeliver)  # the platform's back-off, not a test's wait
            self._notify()



def _kind(update: dict[str, Any]) -> str:
    return next(k for k in update if k != "update_id")


def _scope_key(params: dict[str, Any]) -> str:
    return json.dumps([params.get("scope") or {"type": "default"}, params.get("language_code") or ""])
