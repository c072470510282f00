"""A small asyncio client for the Zalo Bot Platform (https://bot-api.zaloplatforms.com).

Every method is `POST {base_url}{token}/{method}` with a JSON body, answered with
`{"ok": bool, "result": ..., "error_code": int, "description": str}`. `ok: false` answers
and HTTP errors raise the typed errors of `zalo_errors`.

Retries. A transient failure (429, 5xx, a dropped connection) is retried here, with
exponential backoff or after the `retry_after` the platform gave, when a retry cannot
duplicate anything: always for reads and for calls that set state (getMe, setWebhook,
sendChatAction...), and for sends (sendMessage, sendPhoto) only when the platform answered
(it refused: nothing was sent) or the connection was never made. A send that timed out may
have been delivered: it raises `ZaloNetworkError(maybe_delivered=True)` for the caller to
decide (a reply is better sent twice than lost; a broadcast records it). Waits longer than
`max_retry_after` are not slept here: the error goes to the caller, whose scheduler waits.
getUpdates is never retried here: the poll loop owns its own pacing.

Sends are paced by a client-wide rate limit (`sends_per_second`; the platform publishes no
limit, so it is a setting). One `aiohttp.ClientSession` per process is passed in and owned
by the caller.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from typing import Any

import aiohttp
from aiolimiter import AsyncLimiter

from bot.channels.zalo.errors import (
    ZaloError,
    ZaloNetworkError,
    ZaloServerError,
    ZaloTransientError,
    error_for,
)

logger = logging.getLogger(__name__)

DEFAULT_BASE_URL = "https://bot-api.zaloplatforms.com/bot"
MAX_TEXT = 2000  # sendMessage text, characters
DEFAULT_POLL_TIMEOUT = 30  # seconds, getUpdates' own default
POLL_TIMEOUT_MARGIN = 10.0  # HTTP timeout beyond the long poll's own
NO_UPDATE_CODE = 408  # a long poll that ended with nothing: not an error
_SEND_METHODS = frozenset({"sendMessage", "sendPhoto"})


@dataclass(frozen=True)
class RetryPolicy:
    retries: int = 3  # after the first attempt
    backoff: float = 0.5  # seconds, doubled each retry
    max_backoff: float = 8.0
    max_retry_after: float = 30.0  # a longer wait is the caller's to schedule

    def delay(self, retry: int, error: ZaloTransientError) -> float:
        if error.retry_after is not None:
            return error.retry_after
        return min(self.backoff * 2**retry, self.max_backoff)


class ZaloBotApi:
    def __init__(
        self,
        token: str,
        session: aiohttp.ClientSession,
        *,
        base_url: str = DEFAULT_BASE_URL,
        retry: RetryPolicy | None = None,
        sends_per_second: float = 0.0,  # 0: no pacing
        request_timeout: float = 30.0,
    ) -> None:
        if not token:
            raise ValueError("Zalo bot token is empty")
        self._url = f"{base_url}{token}/"
        self._session = session
        self._retry = retry or RetryPolicy()
        self._limiter = AsyncLimiter(sends_per_second, 1.0) if sends_per_second > 0 else None
        self._timeout = request_timeout

    # --- the platform's methods -----------------------------------------------------------
    async def get_me(self) -> dict[str, Any]:
        return await self.call("getMe")

    async def get_updates(self, timeout: int = DEFAULT_POLL_TIMEOUT) -> list[Any]:
        """The next updates: one (the platform hands out one per call and forgets it once
        delivered), or none when the long poll ended with nothing. A list answer is taken
        whole, should the platform ever batch."""
        try:
            result = await self.call("getUpdates", {"timeout": timeout}, retries=0,
                                     timeout=timeout + POLL_TIMEOUT_MARGIN)
        except ZaloServerError as exc:
            if exc.error_code == NO_UPDATE_CODE:
                return []
            raise
        if isinstance(result, list):
            return result
        return [result] if result else []

    async def set_webhook(self, url: str, secret_token: str) -> Any:
        return await self.call("setWebhook", {"url": url, "secret_token": secret_token})

    async def delete_webhook(self) -> Any:
        return await self.call("deleteWebhook")

    async def get_webhook_info(self) -> dict[str, Any]:
        return await self.call("getWebhookInfo") or {}

    async def send_message(self, chat_id: str, text: str) -> dict[str, Any]:
        return await self.call("sendMessage", {"chat_id": chat_id, "text": text})

    async def send_photo(self, chat_id: str, photo: str, caption: str | None = None) -> dict[str, Any]:
        params = {"chat_id": chat_id, "photo": photo}
        if caption:
            params["caption"] = caption
        return await self.call("sendPhoto", params)

    async def send_chat_action(self, chat_id: str, action: str = "typing") -> Any:
        return await self.call("sendChatAction", {"chat_id": chat_id, "action": action})

    # --- plumbing -------------------------------------------------------------------------
    async def call(self, method: str, params: dict[str, Any] | None = None, *,
                   retries: int | None = None, timeout: float | None = None) -> Any:
        """One API call with the retry policy (see the module notes); the `result`."""
        retries = self._retry.retries if retries is None else retries
        attempt = 0
        while True:
            try:
                if self._limiter is not None and method in _SEND_METHODS:
                    await self._limiter.acquire()
                return await self._once(method, params or {}, timeout or self._timeout)
            except ZaloTransientError as exc:
                if attempt >= retries or not _safe_to_retry(method, exc):
                    raise
                delay = self._retry.delay(attempt, exc)
                if delay > self._retry.max_retry_after:
                    raise
                attempt += 1
                logger.warning("zalo: %s; retry %d in %.2f s", exc, attempt, delay)
                await asyncio.sleep(delay)

    async def _once(self, method: str, params: dict[str, Any], timeout: float) -> Any:
        try:
            async with self._session.post(
                self._url + method, json=params, timeout=aiohttp.ClientTimeout(total=timeout),
            ) as response:
                status = response.status
                retry_header = response.headers.get("Retry-After")
                try:
                    body = await response.json(content_type=None)
                except ValueError:
                    body = None
        except TimeoutError:
            raise ZaloNetworkError(method, f"no answer within {timeout:g} s",
                                   maybe_delivered=True) from None
        except aiohttp.ClientConnectorError as exc:  # never connected: nothing was sent
            raise ZaloNetworkError(method, str(exc), maybe_delivered=False) from exc
        except aiohttp.ClientError as exc:
            raise ZaloNetworkError(method, f"{type(exc).__name__}: {exc}",
                                   maybe_delivered=True) from exc
        if isinstance(body, dict) and body.get("ok") is True:
            return body.get("result")
        if not isinstance(body, dict):
            raise ZaloServerError(method, None, f"HTTP {status}: not a Bot API answer",
                                  http_status=status, retry_after=_seconds(retry_header))
        parameters = body.get("parameters")
        retry_after = _seconds(parameters.get("retry_after") if isinstance(parameters, dict)
                               else None) or _seconds(retry_header)
        code = body.get("error_code")
        raise error_for(method, code if isinstance(code, int) else None,
                        str(body.get("description") or f"HTTP {status}"),
                        http_status=status, retry_after=retry_after)


def _safe_to_retry(method: str, error: ZaloError) -> bool:
    if method not in _SEND_METHODS:
        return True
    return not (isinstance(error, ZaloNetworkError) and error.maybe_delivered)


def _seconds(value: Any) -> float | None:
    try:
        seconds = float(value)
    except (TypeError, ValueError):
        return None
    return seconds if seconds >= 0 else None
