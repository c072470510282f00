"""A loopback Zalo Bot Platform server: real HTTP on 127.0.0.1, port 0, the Zalo wire format.

    async with ZaloApiServer() as api:
        api.text_update("u1", "u1", "Chỉ thị 05 nói gì?")
        params = await api.wait_for("sendMessage", lambda p: p["chat_id"] == "u1")

Like the platform: `POST /bot<TOKEN>/<method>` with a JSON body; `{"ok": true, "result": ...}`
or `{"ok": false, "error_code": N, "description": ...}` (HTTP status N); 401 for a wrong
token, 404 for an unknown method; getUpdates hands out ONE update per call as an object (no
offset: an update is gone once delivered) and, when a long poll ends with nothing, answers
`{"ok": false, "error_code": 408, "description": "Request timeout"}` (or `{"ok": true,
"result": null}` with `empty_poll="null"`); getUpdates is refused while a webhook is set;
sendMessage text must be 1-2000 characters (counted in UTF-16 units, the strict reading);
setWebhook's secret_token must be 8-256 characters and comes back in the
X-Bot-Api-Secret-Token header of every webhook POST.
Simplified: webhook URLs may be plain http (the loopback adapter); each update is POSTed
once (the platform's retry policy is unpublished; `redeliver=seconds` retries one not
answered 2xx), wrapped as `{"ok": true, "result": update}`
(`webhook_envelope=False`: the bare update); long polls are capped at `max_poll_wait`.

Failures for tests (and the broadcast engine's): `fail_next` queues `ok: false` answers for
a method, optionally for one chat only and for several calls (`times=None`: every call);
`fail_http` answers with a bare HTTP error page (a proxy's 502), `delay` holds an answer
back (a client timeout), `random_rates` fails a share of all sends (the broadcast bench:
429 with retry_after, 502), counted in `injected`. Every request is recorded in `calls`,
failed ones included.
"""

from __future__ import annotations

import asyncio
import random
import re
import time
from dataclasses import dataclass
from typing import Any

import aiohttp
from aiohttp import web

from tests.fakes import zalo_updates
from tests.fakes.loopback import Call, LoopbackServer

DEFAULT_TOKEN = "1234567890123456789:ZaloLoopbackTestTokenAbCdEf"
SECRET_HEADER = "X-Bot-Api-Secret-Token"
MAX_TEXT = 2000
CHAT_ACTIONS = frozenset({"typing", "upload_photo"})


class ApiError(Exception):
    def __init__(self, code: int, description: str, *, http_status: int | None = None,
                 retry_after: int | None = None, page: str | None = None) -> None:
        super().__init__(description)
        self.code, self.description, self.retry_after = code, description, retry_after
        self.http_status = http_status or code
        self.page = page  # a non-JSON body (an HTML error page from a proxy)

    def response(self) -> web.Response:
        if self.page is not None:
            return web.Response(status=self.http_status, text=self.page, content_type="text/html")
        body: dict[str, Any] = {"ok": False, "error_code": self.code, "description": self.description}
        if self.retry_after is not None:
            body["parameters"] = {"retry_after": self.retry_after}
        return web.json_response(body, status=self.http_status)


@dataclass
class Fault:
    method: str
    error: ApiError | None  # None: answer normally, after `delay`
    chat_id: str | None = None  # only calls for this chat
    times: int | None = 1  # None: every matching call
    delay: float = 0.0

    def matches(self, method: str, params: dict[str, Any]) -> bool:
        return method == self.method and (self.chat_id is None or str(params.get("chat_id")) == self.chat_id)


class ZaloApiServer(LoopbackServer):
    def __init__(self, token: str = DEFAULT_TOKEN, *, max_poll_wait: float = 1.0,
                 empty_poll: str = "408", webhook_envelope: bool = True,
                 display_name: str = "Trợ lý tuyên giáo", redeliver: float | None = None,
                 connections: int = 1) -> None:
        super().__init__()
        self.token = token
        self.connections = connections  # webhook POSTs in flight at once
        # Seconds before a webhook delivery not answered 2xx is tried again (None: once each;
        # the platform's own retry policy is unpublished).
        self.redeliver = redeliver
        self.bot = {"id": token.split(":", 1)[0], "account_name": "bot.TuyenGiaoTest",
                    "account_type": "BASIC", "can_join_groups": True, "display_name": display_name}
        self.max_poll_wait = max_poll_wait
        self.empty_poll = empty_poll
        self.webhook_envelope = webhook_envelope
        self.arrivals: list[str] = []  # method names, recorded when a request comes in
        self.faults: list[Fault] = []
        self.webhook: dict[str, Any] = {"url": "", "secret_token": None}
        self.webhook_deliveries: list[tuple[str, int]] = []  # (message_id, HTTP status)
        self.delivered: set[str] = set()  # message ids handed out by getUpdates
        self.pending: list[Any] = []
        self._ids = 0
        self._rng = random.Random(0)
        self._rates = (0.0, 0.0, 1)  # share of sends answered 429, 502; retry_after
        self.injected: dict[int, int] = {}  # error code -> times injected by random_rates

    def sent_texts(self, chat_id: str) -> list[str]:
        """What one chat received, in order (sendMessage texts)."""
        return [p["text"] for p in self.calls_of("sendMessage") if p["chat_id"] == chat_id]

    # --- test controls ------------------------------------------------------------------
    def fail_next(self, method: str, error_code: int, description: str, *,
                  chat_id: str | None = None, times: int | None = 1,
                  http_status: int | None = None, retry_after: int | None = None) -> None:
        """Answer the next `times` calls of `method` (for `chat_id` only, if given) with this
        error; `times=None` for every call from now on. Faults queue in order."""
        error = ApiError(error_code, description, http_status=http_status, retry_after=retry_after)
        self.faults.append(Fault(method, error, chat_id, times))

    def fail_http(self, method: str, http_status: int, page: str = "<html>Bad Gateway</html>", *,
                  times: int | None = 1) -> None:
        self.faults.append(Fault(method, ApiError(http_status, "", page=page), None, times))

    def random_rates(self, *, flood: float = 0.0, server: float = 0.0, seed: int = 0,
                     retry_after: int = 1) -> None:
        """From now on a share of sendMessage calls fails: 429 (with retry_after), 502."""
        self._rng = random.Random(seed)
        self._rates = (flood, server, retry_after)

    def delay(self, method: str, seconds: float, *, times: int | None = 1) -> None:
        """Hold the next `times` calls of `method` (None: every one until `clear_delays`)
        for `seconds` before answering them."""
        self.faults.append(Fault(method, None, None, times, delay=seconds))

    def clear_delays(self) -> None:
        self.faults = [f for f in self.faults if not f.delay]

    def push_update(self, update: Any) -> Any:
        """Queue an update (or anything: malformed ones too) for getUpdates or the webhook."""
        self.pending.append(update)
        self._notify()
        return update

    def text_update(self, chat_id: str, user_id: str, text: str, chat_type: str = "PRIVATE",
                    **kwargs: Any) -> dict[str, Any]:
        return self.push_update(zalo_updates.text_update(chat_id, user_id, text, chat_type, **kwargs))

    def image_update(self, chat_id: str, user_id: str, chat_type: str = "PRIVATE", **kw: Any) -> dict[str, Any]:
        return self.push_update(zalo_updates.image_update(chat_id, user_id, chat_type, **kw))

    def sticker_update(self, chat_id: str, user_id: str, chat_type: str = "PRIVATE") -> dict[str, Any]:
        return self.push_update(zalo_updates.sticker_update(chat_id, user_id, chat_type))

    def unsupported_update(self, chat_id: str, user_id: str, chat_type: str = "PRIVATE") -> dict[str, Any]:
        return self.push_update(zalo_updates.unsupported_update(chat_id, user_id, chat_type))

    async def wait_arrivals(self, method: str, count: int, timeout: float = 5.0) -> None:
        """Wait until `count` requests of `method` have come in (answered or not yet: a
        long poll's arrival means the client dealt with the previous answer)."""
        await self._until(lambda: True if self.arrivals.count(method) >= count else None, timeout)

    async def wait_taken(self, timeout: float = 5.0) -> None:
        """Wait until every queued update was handed out (by getUpdates or the webhook)."""
        await self._until(lambda: True if not self.pending else None, timeout)

    # --- HTTP ---------------------------------------------------------------------------
    async def _handle(self, request: web.Request) -> web.StreamResponse:
        m = re.fullmatch(r"/bot(?P<token>[^/]+)/(?P<method>\w+)", request.path)
        if m is None:
            return ApiError(404, "Not Found").response()
        method = m["method"]
        self.arrivals.append(method)
        self._notify()
        try:
            params = await request.json() if request.can_read_body else {}
        except ValueError:
            params = None
        call = Call(method, params if isinstance(params, dict) else {"_raw": params})
        try:
            if m["token"] != self.token:
                raise ApiError(401, "Unauthorized")
            if request.method != "POST" or not isinstance(params, dict):
                raise ApiError(400, "Bad Request: expected a JSON object in a POST body")
            if (fault := self._take_fault(method, params)) is not None:
                if fault.delay:
                    await asyncio.sleep(fault.delay)  # a slow platform, not a wait in a test
                if fault.error is not None:
                    raise fault.error
            handler = getattr(self, f"_m_{method}", None)
            if handler is None:
                raise ApiError(404, f"Not Found: method {method}")
            result = await handler(params)
        except ApiError as exc:
            call.ok, call.error_code = False, exc.code
            response = exc.response()
        else:
            response = web.json_response({"ok": True, "result": result})
        self._record(call)
        return response

    def _take_fault(self, method: str, params: dict[str, Any]) -> Fault | None:
        for fault in self.faults:
            if fault.matches(method, params):
                if fault.times is not None:
                    fault.times -= 1
                    if fault.times <= 0:
                        self.faults.remove(fault)
                return fault
        flood, server, retry_after = self._rates
        if method == "sendMessage" and (flood or server):
            roll = self._rng.random()
            error = (ApiError(429, "Too Many Requests", retry_after=retry_after) if roll < flood
                     else ApiError(502, "Bad Gateway") if roll < flood + server else None)
            if error is not None:
                self.injected[error.code] = self.injected.get(error.code, 0) + 1
                return Fault(method, error)
        return None

    # --- methods ------------------------------------------------------------------------
    async def _m_getMe(self, params: dict[str, Any]) -> dict[str, Any]:
        return self.bot

    async def _m_getUpdates(self, params: dict[str, Any]) -> Any:
        if self.webhook["url"]:
            raise ApiError(409, "Conflict: getUpdates is disabled while a webhook is set")
        wait = min(float(params.get("timeout") or 30), self.max_poll_wait)
        try:
            await self._until(lambda: True if self.pending or self._closing else None, wait)
        except TimeoutError:
            pass
        if self.pending and not self._closing:
            return self._hand_out()
        if self.empty_poll == "null":
            return None
        raise ApiError(408, "Request timeout", http_status=200)

    def _hand_out(self) -> Any:
        update = self.pending.pop(0)
        message = update.get("message") if isinstance(update, dict) else None
        if isinstance(message, dict) and "message_id" in message:
            self.delivered.add(str(message["message_id"]))
        self._notify()
        return update

    async def _m_sendMessage(self, params: dict[str, Any]) -> dict[str, Any]:
        chat_id = self._chat_id(params)
        text = params.get("text")
        if not isinstance(text, str) or not text.strip():
            raise ApiError(400, "Bad Request: text is empty")
        if len(text.encode("utf-16-le")) // 2 > MAX_TEXT:
            raise ApiError(400, f"Bad Request: text is longer than {MAX_TEXT} characters")
        return self._sent(chat_id)

    async def _m_sendPhoto(self, params: dict[str, Any]) -> dict[str, Any]:
        chat_id = self._chat_id(params)
        if not re.match(r"https?://", str(params.get("photo") or "")):
            raise ApiError(400, "Bad Request: photo must be a URL")
        return self._sent(chat_id)

    async def _m_sendChatAction(self, params: dict[str, Any]) -> None:
        self._chat_id(params)
        if params.get("action") not in CHAT_ACTIONS:
            raise ApiError(400, "Bad Request: unknown action")
        return None

    async def _m_setWebhook(self, params: dict[str, Any]) -> dict[str, Any]:
        url, secret = params.get("url"), params.get("secret_token")
        if not isinstance(url, str) or not re.match(r"https?://", url):
            raise ApiError(400, "Bad Request: url is invalid")
        if not isinstance(secret, str) or not 8 <= len(secret) <= 256:
            raise ApiError(400, "Bad Request: secret_token must be 8-256 characters")
        await self._stop_delivering()
        self.webhook = {"url": url, "secret_token": secret}
        self._deliverer = asyncio.get_running_loop().create_task(self._deliver())
        return {"url": url, "updated_at": int(time.time() * 1000)}

    async def _m_deleteWebhook(self, params: dict[str, Any]) -> dict[str, Any]:
        await self._stop_delivering()
        self.webhook = {"url": "", "secret_token": None}
        return {"url": "", "updated_at": int(time.time() * 1000)}

    async def _m_getWebhookInfo(self, params: dict[str, Any]) -> dict[str, Any]:
        return {"url": self.webhook["url"], "updated_at": int(time.time() * 1000)}

    def _chat_id(self, params: dict[str, Any]) -> str:
        chat_id = params.get("chat_id")
        if not isinstance(chat_id, str) or not chat_id:
            raise ApiError(400, "Bad Request: chat_id must be a non-empty string")
        return chat_id

    def _sent(self, chat_id: str) -> dict[str, Any]:
        self._ids += 1
        return {"message_id": f"bot{self._ids:08d}", "date": int(time.time() * 1000)}

    # --- webhook delivery -----------------------------------------------------------------
    async def _deliver(self) -> None:
        """POST queued updates to the webhook, in order, over `connections` connections."""
        await asyncio.gather(*(self._deliver_in_turn() for _ in range(self.connections)))

    async def _deliver_in_turn(self) -> None:
        assert self._session is not None
        while True:
            await self._until(lambda: True if self.pending or self._closing else None, None)
            if self._closing:
                return
            update = self._hand_out()
            body = {"ok": True, "result": update} if self.webhook_envelope else update
            headers = {SECRET_HEADER: self.webhook["secret_token"]}
            try:
                async with self._session.post(self.webhook["url"], json=body, headers=headers) as r:
                    status = r.status
            except aiohttp.ClientError:
                status = 0
            except asyncio.CancelledError:  # a new setWebhook: not acknowledged, kept
                if self.redeliver is not None:
                    self.pending.insert(0, update)
                raise
            message = update.get("message") if isinstance(update, dict) else None
            message_id = str(message.get("message_id")) if isinstance(message, dict) else ""
            self.webhook_deliveries.append((message_id, status))
            if self.redeliver is not None and not 200 <= status < 300:
                self.pending.insert(0, update)
                await asyncio.sleep(self.redeliver)  # the platform's back-off, not a test's wait
            self._notify()
