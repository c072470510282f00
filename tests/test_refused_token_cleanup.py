"""A token the platform refuses stops `tuyengiao run` cleanly: every HTTP session it opened
(the channel's, the workers' bulk ports) is closed on that exit path too, so nothing warns
"Unclosed client session" — checked against the loopback Telegram and Zalo servers, with the
workers on (their ports are opened before the channels start) and off (the channel itself
meets the refusal)."""

from __future__ import annotations

import asyncio
import gc
import logging
import warnings
from pathlib import Path

import pytest

from indexer.build import build_store
from knowledge.embedder import HashingEmbedder
from tests.fakes.telegram_api import TelegramApiServer
from tests.fakes.zalo_api import ZaloApiServer
from tuyengiao import serve
from tuyengiao.settings import Settings

TG_TOKEN = "123456789:AAH-refused-token-for-cleanup-test"
ZALO_TOKEN = "9876543210987654321:RefusedZaloTokenForCleanup"


def _unclosed(records: list[logging.LogRecord], caught: list[warnings.WarningMessage]) -> list[str]:
    said = [r.getMessage() for r in records if r.name == "asyncio"]
    said += [str(w.message) for w in caught if issubclass(w.category, ResourceWarning)]
    return [line for line in said if "nclosed" in line]


@pytest.mark.parametrize("platform, workers", [
    ("telegram", True), ("zalo", True), ("both", True),
    ("telegram", False), ("zalo", False),  # the channel itself meets the refusal
])
async def test_a_refused_token_leaves_no_http_session_open(
        platform: str, workers: bool, caplog: pytest.LogCaptureFixture, knowledge_dir: Path,
        tmp_path: Path) -> None:
    store = tmp_path / "store"
    build_store([knowledge_dir], store, HashingEmbedder())
    caplog.set_level(logging.DEBUG, logger="asyncio")
    async with TelegramApiServer() as tg, ZaloApiServer() as zl:
        tokens = {}
        if platform in ("telegram", "both"):
            tokens |= {"telegram_bot_token": TG_TOKEN, "telegram_api_base_url": tg.base_url}
        if platform in ("zalo", "both"):
            tokens |= {"zalo_bot_token": ZALO_TOKEN, "zalo_api_base_url": zl.base_url}
        settings = Settings(_env_file=None, database_url=f"sqlite:///{tmp_path / 'a.db'}",
                            search_weight_dense=0.0, broadcast_worker=workers,
                            poll_runner=workers, official_answer_worker=workers,
                            study_runner=workers, report_worker=workers, **tokens)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", ResourceWarning)
            assert await asyncio.to_thread(serve.run, settings, store) == 1
            gc.collect()  # an unclosed aiohttp session says so when it is collected
        assert any("refused" in r.getMessage() and "TOKEN" in r.getMessage()
                   for r in caplog.records)
    assert _unclosed(caplog.records, caught) == []
