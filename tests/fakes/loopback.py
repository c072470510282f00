"""What every loopback platform server shares (Telegram Bot API, Zalo Bot Platform): real HTTP
on 127.0.0.1, port 0, every request routed to the subclass's `_handle`; a client session for
pushing updates to a webhook; the log of answered calls with `wait_for` / `calls_of`; and
waiting on a condition re-checked at each change, never by sleeping.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

import aiohttp
from aiohttp import web

T = TypeVar("T")


@dataclass
class Call:
    method: str  # as the platform spells it ("sendMessage")
    params: dict[str, Any]
    ok: bool = True
    error_code: int | None = None
    at: float = field(default_factory=time.monotonic)


class LoopbackServer:
    def __init__(self) -> None:
        self.calls: list[Call] = []  # recorded when answered, failed ones included
        self.url = ""
        self._consumed: set[int] = set()
        self._waiters: list[asyncio.Future[None]] = []
        self._closing = False
        self._runner: web.AppRunner | None = None
        self._session: aiohttp.ClientSession | None = None
        self._deliverer: asyncio.Task[None] | None = None

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        raise NotImplementedError

    # --- lifecycle ----------------------------------------------------------------------
    async def __aenter__(self: T) -> T:
        assert isinstance(self, LoopbackServer)
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", self._handle)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", 0).start()
        host, port = self._runner.addresses[0][:2]
        self.url = f"http://{host}:{port}"
        self._session = aiohttp.ClientSession()
        return self  # type: ignore[return-value]

    async def __aexit__(self, *exc: object) -> None:
        self._closing = True
        self._notify()
        await self._stop_delivering()
        if self._session is not None:
            await self._session.close()
        if self._runner is not None:
            await self._runner.cleanup()

    @property
    def base_url(self) -> str:
        """The client's base URL: the token and the method name are appended to it."""
        return f"{self.url}/bot"

    # --- the call log -------------------------------------------------------------------
    def calls_of(self, method: str, *, include_failed: bool = False) -> list[dict[str, Any]]:
        return [c.params for c in self.calls if c.method == method and (c.ok or include_failed)]

    async def wait_for(self, method: str, predicate: Callable[[dict[str, Any]], bool] | None = None,
                       timeout: float = 5.0, *, include_failed: bool = False) -> dict[str, Any]:
        """The params of the first successful (or any, with include_failed) call of `method`
        matching `predicate` that no earlier wait_for returned; waits up to `timeout`."""
        def find() -> dict[str, Any] | None:
            for i, call in enumerate(self.calls):
                if i in self._consumed or call.method != method or not (call.ok or include_failed):
                    continue
                if predicate is None or predicate(call.params):
                    self._consumed.add(i)
                    return call.params
            return None

        try:
            return await self._until(find, timeout)
        except TimeoutError:
            seen = [c.method for c in self.calls]
            raise AssertionError(f"no matching {method} within {timeout}s; calls: {seen}") from None

    def _record(self, call: Call) -> None:
        self.calls.append(call)
        self._notify()

    # --- waiting --------------------------------------------------------------------------
    async def until(self, ready: Callable[[], bool], timeout: float = 5.0) -> None:
        """Wait until `ready()` holds (re-checked at each request, answer or delivery)."""
        await self._until(lambda: True if ready() else None, timeout)

    def _notify(self) -> None:
        """Wake every waiter to re-check its condition."""
        waiters, self._waiters = self._waiters, []
        for fut in waiters:
            if not fut.done():
                fut.set_result(None)

    async def _until(self, ready: Callable[[], T | None], timeout: float | None) -> T:
        """ready()'s first non-None result, re-checked at each change; TimeoutError after
        `timeout` seconds (None: no limit)."""
        loop = asyncio.get_running_loop()
        async with asyncio.timeout(timeout):
            while (result := ready()) is None:
                fut: asyncio.Future[None] = loop.create_future()
                self._waiters.append(fut)
                try:
                    await fut
                finally:
                    if fut in self._waiters:
                        self._waiters.remove(fut)
            return result

    async def _stop_delivering(self) -> None:
        """Stop the webhook delivery task, if one runs."""
        if self._deliverer is not None:
            self._deliverer.cancel()
            try:
                await self._deliverer
            except asyncio.CancelledError:
                pass
            self._deliverer = None
