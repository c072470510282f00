"""No log line carries a secret: the entry point's redacting filter, with logs captured at
DEBUG, against the real start-up path (`tuyengiao run` with a token the loopback platform
refuses: httpx logs the Bot API URL, PTB's InvalidToken repeats the token) and against
exception texts that carry a Bot API URL."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest

from indexer.build import build_store
from knowledge.embedder import HashingEmbedder
from tests.fakes.telegram_api import TelegramApiServer
from tests.fakes.zalo_api import ZaloApiServer
from tuyengiao import serve
from tuyengiao.cli import install_redaction
from tuyengiao.settings import Settings

TG_TOKEN = "123456789:AAH-rejected_Secret-Part-of-the-token"
ZALO_TOKEN = "9876543210987654321:RejectedZaloSecretPart"


@pytest.fixture
def debug_logs(caplog: pytest.LogCaptureFixture) -> Iterator[pytest.LogCaptureFixture]:
    """Everything at DEBUG, httpx's request lines included (the CLI keeps httpx at WARNING;
    an operator could lower it)."""
    levels = {name: logging.getLogger(name).level for name in ("", "httpx", "httpcore", "telegram")}
    for name in levels:
        logging.getLogger(name).setLevel(logging.DEBUG)
    caplog.set_level(logging.DEBUG)
    yield caplog
    for name, level in levels.items():
        logging.getLogger(name).setLevel(level)
    for handler in logging.getLogger().handlers:  # the redactor goes with this test
        handler.filters.clear()


def lines(caplog: pytest.LogCaptureFixture) -> list[str]:
    """Every captured line as a handler formats it (message and traceback)."""
    formatter = logging.Formatter("%(name)s %(levelname)s %(message)s")
    return [formatter.format(r) for r in caplog.records]


def leaks(text: str, token: str) -> bool:
    secret = token.split(":", 1)[1]
    return any(v in text for v in (token, secret, quote(token, safe="")))


async def test_a_rejected_token_is_never_logged(
        debug_logs: pytest.LogCaptureFixture, knowledge_dir: Path, tmp_path: Path) -> None:
    store = tmp_path / "store"
    build_store([knowledge_dir], store, HashingEmbedder())
    async with TelegramApiServer() as tg, ZaloApiServer() as zl:
        for settings, refused in (
            (Settings(_env_file=None, telegram_bot_token=TG_TOKEN, telegram_api_base_url=tg.base_url,
                      database_url=f"sqlite:///{tmp_path / 'a.db'}", search_weight_dense=0.0,
                      broadcast_worker=False, poll_runner=False,
                      official_answer_worker=False, study_runner=False,
                      report_worker=False),
             "Telegram refused TELEGRAM_BOT_TOKEN (the token of bot id 123456789)"),
            (Settings(_env_file=None, zalo_bot_token=ZALO_TOKEN, zalo_api_base_url=zl.base_url,
                      database_url=f"sqlite:///{tmp_path / 'b.db'}", search_weight_dense=0.0,
                      broadcast_worker=False, poll_runner=False,
                      official_answer_worker=False, study_runner=False,
                      report_worker=False),
             "Zalo refused ZALO_BOT_TOKEN (the token of bot id 9876543210987654321)"),
        ):
            install_redaction(settings)
            assert await asyncio.to_thread(serve.run, settings, store) == 1
            assert any(refused in line for line in lines(debug_logs))
    captured = lines(debug_logs)
    assert not [line for line in captured if leaks(line, TG_TOKEN) or leaks(line, ZALO_TOKEN)]
    # The lines that carried the token are there, redacted: httpx's request line for getMe.
    assert any("/bot<TELEGRAM_BOT_TOKEN>/getMe" in line for line in captured)


def test_exception_texts_and_urls_are_redacted(debug_logs: pytest.LogCaptureFixture) -> None:
    settings = Settings(_env_file=None, telegram_bot_token=TG_TOKEN, zalo_bot_token=ZALO_TOKEN,
                        telegram_webhook_secret="tg_webhook-secret-value",
                        zalo_webhook_secret="zalo webhook secret value",
                        database_url="postgresql+psycopg://bot:db-password-123@db/tuyengiao")
    install_redaction(settings)
    log = logging.getLogger("bot.channels.zalo.api")
    url = f"https://bot-api.zaloplatforms.com/bot{ZALO_TOKEN}/sendMessage"
    try:
        raise ConnectionError(f"POST {url} failed; encoded {quote(url, safe='')}")
    except ConnectionError:
        log.exception("zalo: send failed for %s", url)
    log.debug("secrets %s %s %s", settings.telegram_webhook_secret, settings.zalo_webhook_secret,
              "db-password-123")
    log.info("only the half: %s", TG_TOKEN.split(":", 1)[1])
    captured = lines(debug_logs)
    assert len(captured) == 3
    assert not [line for line in captured if leaks(line, TG_TOKEN) or leaks(line, ZALO_TOKEN)]
    assert "bot<ZALO_BOT_TOKEN>/sendMessage" in captured[0]
    assert "ConnectionError: POST https://bot-api.zaloplatforms.com/bot<ZALO_BOT_TOKEN>/sendMessage" in captured[0]
    assert captured[1].endswith("secrets <TELEGRAM_WEBHOOK_SECRET> <ZALO_WEBHOOK_SECRET> <DATABASE_PASSWORD>")
    assert captured[2].endswith("only the half: <TELEGRAM_BOT_TOKEN>")
