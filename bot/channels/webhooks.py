"""What the platforms' webhook modes share: a small aiohttp server for one POST route, the
secret-header check that runs before anything of a request is read, and the retryable
refusal.

Both Telegram and Zalo echo the secret given at setWebhook in a header of every POST
(`X-Telegram-Bot-Api-Secret-Token`, `X-Bot-Api-Secret-Token`). A request without it is
refused with 401, one with another value with 403 (compared in constant time), each with a
log line naming the sender's address; nothing of its body is processed.

Refusing for now (the inbox is full, or the bot is stopping) is `503 Service Unavailable`
with `Retry-After`, on both platforms. Telegram retries any non-2xx answer and keeps an
update for up to 24 hours, delivering one chat's updates in order (a refused one holds its
chat's later ones back, which keeps per-chat order). Zalo publishes no retry policy; 503 is
the status webhook senders treat as "the receiver is temporarily unable", retried by those
that retry at all (429 is read by some as "you sent too much", which is not the case).
"""

from __future__ import annotations

import hmac
import logging
from collections.abc import Awaitable, Callable
from urllib.parse import urlparse

from aiohttp import web

MAX_BODY = 1 << 20  # an update is a few kB; refuse anything absurd before reading it
RETRY_AFTER_SECONDS = 5  # told to a platform we refuse for now
STOP_GRACE = 5.0  # seconds replies in flight get at a stop (SHUTDOWN_GRACE_SECONDS)
MIN_PLATFORM_WAIT = 1.0  # seconds a stop waits on the platform (deleteWebhook) at least


def listen_path(url: str, path: str | None) -> str:
    """Where the server listens: the given path, else the path of the public URL."""
    return path or urlparse(url).path or "/"


# A health check: whether the service is fit to take updates, and what was looked at
# ({"database": "ok", "store_version": "...", "channels": [...]}); see tuyengiao/health.py.
Health = Callable[[], Awaitable[tuple[bool, dict[str, object]]]]
HEALTH_PATH = "/healthz"


async def start_server(path: str, handler: Callable[[web.Request], Awaitable[web.StreamResponse]],
                       host: str, port: int, health: Health | None = None,
                       ) -> tuple[web.AppRunner, int]:
    """Serve POST `path` on host:port (0: any free port), and GET /healthz when `health` is
    given (200 or 503 with the check's JSON: for a load balancer or a monitor; no secret,
    nothing in it that is not safe to show); the runner and the bound port."""
    server = web.Application(client_max_size=MAX_BODY)
    server.router.add_post(path, handler)
    if health is not None and path != HEALTH_PATH:
        async def healthz(_: web.Request) -> web.Response:
            ok, found = await health()
            return web.json_response({"status": "ok" if ok else "unavailable", **found},
                                     status=200 if ok else 503)

        server.router.add_get(HEALTH_PATH, healthz)
    # Requests only store the update: at a stop, those in progress finish within a second.
    runner = web.AppRunner(server, access_log=None, shutdown_timeout=1.0)
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


def unavailable() -> web.Response:
    """Refused for now: the platform retries later (see the module notes)."""
    return web.Response(status=503, headers={"Retry-After": str(RETRY_AFTER_SECONDS)})
