"""`tuyengiao run --check`: what would stop or cripple `tuyengiao run`, found before starting
it — the database can be written, the store loads, the query model loads and embeds, each
configured platform accepts its bot token — one line per problem, nothing started, nothing
changed (the database write is rolled back).

Exit code 0 when every check passes (one summary line), 1 otherwise. Printing is allowed
here (CLI only).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from tuyengiao.settings import Settings

if TYPE_CHECKING:
    from knowledge.store import ModelInfo

PROBE_TABLE = "tuyengiao_check_probe"


def run_check(settings: Settings, store: Path, *, out: Callable[[str], None] = print) -> int:
    problems: list[str] = []
    passed: list[str] = []
    for check in (_database, _store, _model):
        _collect(check(settings, store), problems, passed)
    for platform_check in asyncio.run(_platforms(settings)):
        _collect(platform_check, problems, passed)
    for problem in problems:
        out(f"problem: {problem}")
    if problems:
        return 1
    out("ok: " + "; ".join(passed))
    return 0


def _collect(result: tuple[bool, str], problems: list[str], passed: list[str]) -> None:
    (passed if result[0] else problems).append(result[1])


def _database(settings: Settings, store: Path) -> tuple[bool, str]:
    """A write in a transaction that is rolled back: DDL is transactional on SQLite and
    PostgreSQL, and a read-only file, a full disk or a read-only server refuse it."""
    from sqlalchemy import text
    from sqlalchemy.engine import make_url

    from bot.storage import Database

    shown = make_url(settings.database_url).render_as_string(hide_password=True)
    try:
        db = Database.open(settings.database_url, sqlite_synchronous=settings.sqlite_synchronous)
    except Exception as exc:
        return False, f"database {shown} cannot be opened: {_reason(exc)}"
    try:
        with db.engine.connect() as conn:
            with conn.begin() as transaction:
                conn.execute(text(f"CREATE TABLE {PROBE_TABLE} (id INTEGER)"))
                conn.execute(text(f"INSERT INTO {PROBE_TABLE} (id) VALUES (1)"))
                transaction.rollback()
    except Exception as exc:
        return False, f"database {shown} cannot be written: {_reason(exc)}"
    finally:
        db.close()
    return True, f"database {shown} writable"


def _store(settings: Settings, store: Path) -> tuple[bool, str]:
    from knowledge.store import StoreError, StoreReader

    reader = StoreReader(store)
    try:
        version = reader.current()
    except StoreError as exc:
        return False, f"store {store}: {_reason(exc)}"
    except Exception as exc:
        return False, f"store {store} cannot be loaded: {_reason(exc)}"
    if version is None:
        return False, f"no store at {store}: run 'tuyengiao index PATH' first"
    if reader.fallback:
        return False, (f"store {store}: the current version is not usable ({reader.fallback}); "
                       f"the previous one {version.name} would serve")
    return True, f"store version {version.name} ({len(version.documents)} documents)"


def _model(settings: Settings, store: Path) -> tuple[bool, str]:
    from tuyengiao.commands import make_query_embedder

    try:
        embedder = make_query_embedder(settings, store, serving=True)
        vectors = embedder.embed(["kiểm tra"], kind="query")
    except Exception as exc:
        return False, f"query model cannot be loaded: {_reason(exc)}"
    built = _store_model(store)
    if built is not None and (built.name != embedder.name or built.dimension != embedder.dimension):
        return False, (f"store {store} was built with {built.name} ({built.dimension} dims), not "
                       f"EMBEDDING_MODEL {embedder.name}: dense search stays off until "
                       f"`tuyengiao index PATH... --store {store}` embeds it again")
    return True, f"query model loaded (dimension {len(vectors[0])})"


def _store_model(store: Path) -> ModelInfo | None:
    """The model the store's current version was built with, or None (no usable store: the
    store check says so)."""
    from knowledge.store import StoreReader

    try:
        version = StoreReader(store).current()
    except Exception:
        return None
    return None if version is None else version.model


async def _platforms(settings: Settings) -> list[tuple[bool, str]]:
    results: list[tuple[bool, str]] = []
    if settings.telegram_bot_token:
        results.append(await _telegram(settings))
    if settings.zalo_bot_token:
        results.append(await _zalo(settings))
    return results


async def _telegram(settings: Settings) -> tuple[bool, str]:
    from telegram import Bot
    from telegram.error import InvalidToken, TelegramError

    from tuyengiao.serve import refused_token

    try:
        async with Bot(settings.telegram_bot_token, base_url=settings.telegram_api_base_url) as bot:
            me = await bot.get_me()
    except InvalidToken as exc:
        return False, refused_token(exc, settings) or "Telegram refused TELEGRAM_BOT_TOKEN"
    except (TelegramError, OSError) as exc:
        return False, f"Telegram cannot be reached ({settings.telegram_api_base_url}): {_reason(exc)}"
    if settings.telegram_webhook_url and not settings.telegram_webhook_secret:
        return False, "TELEGRAM_WEBHOOK_URL is set without TELEGRAM_WEBHOOK_SECRET"
    return True, f"Telegram bot @{me.username}"


async def _zalo(settings: Settings) -> tuple[bool, str]:
    import aiohttp

    from bot.channels.zalo.api import ZaloBotApi
    from bot.channels.zalo.errors import ZaloError, ZaloUnauthorized

    from tuyengiao.serve import refused_token

    try:
        async with aiohttp.ClientSession() as session:
            api = ZaloBotApi(settings.zalo_bot_token, session, base_url=settings.zalo_api_base_url)
            me = await api.get_me()
    except ZaloUnauthorized as exc:
        return False, refused_token(exc, settings) or "Zalo refused ZALO_BOT_TOKEN"
    except (ZaloError, aiohttp.ClientError, OSError) as exc:
        return False, f"Zalo cannot be reached ({settings.zalo_api_base_url}): {_reason(exc)}"
    if settings.zalo_webhook_url and len(settings.zalo_webhook_secret) < 8:
        return False, "ZALO_WEBHOOK_URL is set without a ZALO_WEBHOOK_SECRET of 8-256 characters"
    return True, f"Zalo bot {me.get('account_name') or me.get('display_name') or ''}".rstrip()


def _reason(exc: BaseException) -> str:
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text[:300]


__all__ = ["run_check"]
