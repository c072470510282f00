"""`tuyengiao run` as real child processes in Telegram webhook mode, several behind one
round-robin reverse proxy that the loopback Bot API (tests/fakes/telegram_api.py) delivers
to: what tests/test_scale_out.py and bench/scale_out.py run.

    async with serving(api, count=2, env={...}, folder=tmp) as (processes, proxy): ...

Each process answers from the store at STORE_DIR with lexical search only unless `env` says
otherwise (SEARCH_WEIGHT_DENSE=0: no model to load), on the database at DATABASE_URL.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import os
import signal
import sys
from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import asynccontextmanager
from pathlib import Path

import aiohttp
from aiohttp import web

from tests.fakes.telegram_api import SECRET_HEADER, TelegramApiServer
from tests.postgres_server import _free_port

REPO = Path(__file__).resolve().parents[1]
START = 120.0  # seconds for the processes to start (imports on a loaded 2-core machine)
SECRET = "scale-out-secret_0123456789"


class RoundRobin:
    """The reverse proxy in front of the serving processes: each webhook POST goes to the
    next live process in turn; `routed` notes (update id, process index) of each one answered
    200, and `after_routed` (if set) is called with each at once. `down` holds the processes
    taken out of the rotation (as a proxy's health check does)."""

    def __init__(self, backends: list[str]) -> None:
        self.backends = backends
        self.routed: list[tuple[int, int]] = []
        self.down: set[int] = set()
        self.after_routed: Callable[[int, int], None] | None = None
        self._turn = itertools.cycle(range(len(backends)))
        self._runner: web.AppRunner | None = None
        self._session: aiohttp.ClientSession | None = None
        self.url = ""

    async def __aenter__(self) -> RoundRobin:
        app = web.Application()
        app.router.add_post("/tg", self._forward)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", 0).start()
        host, port = self._runner.addresses[0][:2]
        self.url = f"http://{host}:{port}/tg"
        self._session = aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0))
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self._session is not None and self._runner is not None
        await self._session.close()
        await self._runner.cleanup()

    async def _forward(self, request: web.Request) -> web.Response:
        assert self._session is not None
        body = await request.read()
        index = next(self._turn)
        while index in self.down and len(self.down) < len(self.backends):
            index = next(self._turn)
        headers = {"Content-Type": "application/json",
                   SECRET_HEADER: request.headers.get(SECRET_HEADER, "")}
        try:
            async with self._session.post(self.backends[index], data=body, headers=headers) as r:
                answer = web.Response(status=r.status, body=await r.read())
        except aiohttp.ClientError:
            return web.Response(status=502)
        if answer.status == 200:
            update_id = int(json.loads(body)["update_id"])
            self.routed.append((update_id, index))
            if self.after_routed is not None:
                self.after_routed(update_id, index)
        return answer


class Processes:
    """The child processes, their output kept in files for a failure's report."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.running: list[tuple[asyncio.subprocess.Process, Path]] = []

    async def start(self, env: Mapping[str, str], index: int) -> None:
        log = self.folder / f"process-{index}.log"
        with log.open("wb") as sink:
            process = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "tuyengiao.cli", "run", cwd=self.folder, env=dict(env),
                stdin=asyncio.subprocess.DEVNULL, stdout=sink, stderr=sink)
        self.running.append((process, log))

    def kill(self, index: int) -> None:
        """SIGKILL: the process dies at once, with whatever it holds."""
        self.running[index][0].kill()

    def pids(self) -> list[int]:
        return [process.pid for process, _ in self.running]

    async def stop(self, index: int) -> int:
        """SIGTERM (a clean stop), SIGKILL after 30 s; the exit code."""
        process, _ = self.running[index]
        if process.returncode is None:
            process.send_signal(signal.SIGTERM)
            try:
                await asyncio.wait_for(process.wait(), 30)
            except TimeoutError:
                process.kill()
                await process.wait()
        assert process.returncode is not None
        return process.returncode

    def logs(self) -> str:
        return "\n".join(f"--- {log.name}\n{log.read_text(errors='replace')[-3000:]}"
                         for _, log in self.running)


@asynccontextmanager
async def serving(api: TelegramApiServer, *, count: int, env: Mapping[str, str],
                  folder: Path) -> AsyncIterator[tuple[Processes, RoundRobin]]:
    """`count` processes, each on its own webhook port behind one proxy (the webhook URL
    they all register); yields once every one has registered it; stops them all at the end."""
    ports = [_free_port() for _ in range(count)]
    processes = Processes(folder)
    async with RoundRobin([f"http://127.0.0.1:{port}/tg" for port in ports]) as proxy:
        base = {k: v for k, v in os.environ.items()
                if not k.startswith(("TELEGRAM_", "ZALO_", "DATABASE_", "STORE_"))}
        registered = len(api.calls_of("setWebhook"))
        try:
            for index, port in enumerate(ports):
                await processes.start({
                    **base, "PYTHONPATH": str(REPO), "HF_HUB_OFFLINE": "1",
                    "TELEGRAM_BOT_TOKEN": api.token, "TELEGRAM_API_BASE_URL": api.base_url,
                    "TELEGRAM_WEBHOOK_URL": proxy.url, "TELEGRAM_WEBHOOK_SECRET": SECRET,
                    "WEBHOOK_LISTEN_HOST": "127.0.0.1", "WEBHOOK_LISTEN_PORT": str(port),
                    "SEARCH_WEIGHT_DENSE": "0", **env,
                }, index)
            try:  # every one serving: each registered the webhook (after listening)
                await api.until(lambda: len(api.calls_of("setWebhook")) >= registered + count,
                                timeout=START)
            except TimeoutError:
                raise AssertionError(f"the processes did not start:\n{processes.logs()}") from None
            yield processes, proxy
        finally:
            for index in range(len(processes.running)):
                await processes.stop(index)
