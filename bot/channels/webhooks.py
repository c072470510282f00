"""What the platforms' webhook modes share: a small aiohttp server for one POST route, and the
secret-header check that runs before anything of a request is read.

Both Telegram and Zalo echo the secret given at setWebhook in a header of every POST
(`X-Telegram-Bot-Api-Secret-Token`, `X-Bot-Api-Secret-Token`). A request without it is
refused with 401, one with another value with 403 (compared in constant time), each with a
log line naming the sender's address; nothing of its body is processed.
"""

from __future__ import annotations

import hmac
import logging
from collections.abc import Awaitable, Callable
from urllib.parse import urlparse

from aiohttp import web

MAX_BODY = 1 << 20  # an update is a few kB; refuse anything absurd before reading it


def listen_path(url: str, path: str | None) -> str:
    """Where the server listens: the given path, else the path of the public URL."""
    return path or urlparse(url).path or "/"


async def start_server(path: str, handler: Callable[[web.Request], Awaitable[web.StreamResponse]],
                       host: str, port: int) -> tuple[web.AppRunner, int]:
    """Serve POST `path` on host:port (0: any free port); the runner and the bound port."""
    server = web.Application(client_max_size=MAX_BODY)
    server.router.add_post(path, handler)
    runner = web.AppRunner(server, access_log=None, shutdown_timeout=5.0)
    await runner.setup()
    await web.TCPSite(runner, host, port).start()
    return runner, runner.addresses[0][1]


def secret_rejection(request: web.Request, header: str, secret: str, log: logging.Logger,
                     channel: str) -> web.Response | None:
    """None when the request carries the secret; else the response refusing it."""
    supplied = request.headers.get(header)
    if supplied is None:
        log.warning("%s webhook: request without secret token from %s", channel, request.remote)
        return web.Response(status=401)
    if not hmac.compare_digest(supplied.encode(), secret.encode()):
        log.warning("%s webhook: wrong secret token from %s", channel, request.remote)
        return web.Response(status=403)
    return None
