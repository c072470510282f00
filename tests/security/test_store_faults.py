"""Store faults: a bad `CURRENT` pointer while the bot serves (through the real Telegram
adapter and core, against the loopback Bot API), and start-up on a broken current version
(the reader and the `tuyengiao` command): the last good version keeps answering, the error is
logged once, start-up falls back to the previous kept version, and with none usable the
message names the folder and the command that rebuilds it."""

from __future__ import annotations

import io
import json
import logging
import os
import shutil
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager, redirect_stderr, redirect_stdout
from pathlib import Path
from typing import Any

import pytest

from bot.channels.telegram.channel import TelegramChannel
from bot.core.dispatcher import Dispatcher
from tests.dispatchers import MENU, dispatcher
from bot.core.knowledge_base import KnowledgeBase
from bot.storage.database import Database
from indexer.build import build_store
from indexer.opening import opening_section
from bot import messages
from knowledge.answers import AnswerPolicy
from knowledge.embedder import HashingEmbedder
from knowledge.search import Searcher
from knowledge.store import POINTER, StoreReader, StoreUnusable, versions_dir
from knowledge.store_writer import publish
from tests.conftest import DOCUMENTS
from tests.fakes.telegram_api import TelegramApiServer
from tuyengiao.cli import main

WAIT = 10.0  # seconds; only reached when something is broken
MEMBER = 1001
QUESTION = "Mỗi thôn có tổ xung kích phòng, chống thiên tai không?"
PASSAGE = "Mỗi thôn, bản có một tổ xung kích phòng, chống thiên tai được tập huấn hằng năm."
STORE_LOGGER = "knowledge.store"
# The second version: Chỉ thị 05's passage says "hai tổ" instead of "một tổ".
PASSAGE_V2 = PASSAGE.replace("một tổ", "hai tổ")


def store_errors(caplog: pytest.LogCaptureFixture, level: int = logging.ERROR) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == STORE_LOGGER and r.levelno == level]


def two_versions(knowledge_dir: Path, store: Path) -> tuple[str, str]:
    """v1 from the test documents, then v2 with Chỉ thị 05 edited; v2 is current."""
    embedder = HashingEmbedder()
    v1 = build_store([knowledge_dir], store, embedder).version
    doc = knowledge_dir / "chi-thi-05-CT-TW.txt"
    doc.write_text(DOCUMENTS["chi-thi-05-CT-TW.txt"].replace("một tổ", "hai tổ"), encoding="utf-8")
    v2 = build_store([knowledge_dir], store, embedder).version
    assert v1 and v2 and v1 != v2
    return v1, v2


# --- a bad pointer while serving --------------------------------------------------------------
def garbage(store: Path, current: str) -> None:
    (store / POINTER).write_bytes(b"\x00\xff\xfe garbage \x1b[31m\n")


def missing_version(store: Path, current: str) -> None:
    (store / POINTER).write_text("20991231T235959000000-abcdef\n", encoding="utf-8")


def empty_file(store: Path, current: str) -> None:
    (store / POINTER).write_bytes(b"")


def truncated_name(store: Path, current: str) -> None:
    (store / POINTER).write_text(current[:9], encoding="utf-8")


def path_outside(store: Path, current: str) -> None:
    (store / POINTER).write_text(f"../../{store.name}/{current}", encoding="utf-8")


def removed(store: Path, current: str) -> None:
    (store / POINTER).unlink()


@asynccontextmanager
async def serving(store: Path, db: Database) -> AsyncIterator[TelegramApiServer]:
    searcher = Searcher(StoreReader(store), HashingEmbedder())
    assistant = dispatcher(db, KnowledgeBase(searcher, AnswerPolicy(), opening_section))
    async with TelegramApiServer() as api:
        async with TelegramChannel(api.token, assistant.handle, base_url=api.base_url,
                                   commands=MENU, poll_timeout=1.0):
            yield api


async def ask(api: TelegramApiServer) -> str:
    api.text_update(MEMBER, MEMBER, QUESTION)
    sent = await api.wait_for("sendMessage", lambda p: p["chat_id"] == MEMBER, timeout=WAIT)
    return str(sent["text"])


@pytest.fixture
def db(tmp_path: Path) -> Any:
    database = Database.open(f"sqlite:///{tmp_path / 'bot.db'}")
    database.create_all()
    yield database
    database.close()


@pytest.mark.parametrize("spoil", [garbage, missing_version, empty_file, truncated_name,
                                   path_outside, removed])
async def test_a_bad_pointer_keeps_the_loaded_version_answering_and_is_logged_once(
    spoil: Callable[[Path, str], None], knowledge_dir: Path, tmp_path: Path, db: Database,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO)
    store = tmp_path / "store"
    v1, v2 = two_versions(knowledge_dir, store)
    async with serving(store, db) as api:
        assert PASSAGE_V2 in await ask(api)
        spoil(store, v2)
        for _ in range(6):
            assert PASSAGE_V2 in await ask(api)  # every question answered, from v2
        errors = store_errors(caplog)
        assert len(errors) == 1, errors  # once, not per question
        assert errors[0].startswith(f"store {store}: ")
        assert errors[0].endswith(f"; still serving version {v2} (loaded earlier). "
                                  "Fix or republish with 'tuyengiao index'")
        assert not [p for p in api.calls_of("sendMessage") if p["text"] == messages.ERROR_GENERIC]

        # the operator points it back at a good version: followed at once, no more errors
        publish(store, v1)
        assert PASSAGE in await ask(api)
        assert len(store_errors(caplog)) == 1


# --- start-up on a broken current version -------------------------------------------------------
def drop_vectors(version: Path) -> None:
    (version / "vectors.faiss").unlink()


def truncate_vectors(version: Path) -> None:
    path = version / "vectors.faiss"
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])


def truncate_chunks_at_a_line(version: Path) -> None:
    path = version / "chunks.jsonl"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    path.write_text("".join(lines[:-2]), encoding="utf-8")


def truncate_lexical(version: Path) -> None:
    path = max((p for p in (version / "lexical").iterdir() if p.is_file()),
               key=lambda p: p.stat().st_size)
    os.truncate(path, path.stat().st_size - 7)


def alter_documents_same_size(version: Path) -> None:
    path = version / "documents.jsonl"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("05-CT/TW", "06-CT/TW", 1), encoding="utf-8")


def truncate_manifest(version: Path) -> None:
    path = version / "manifest.json"
    path.write_bytes(path.read_bytes()[:100])


def same_size_hashes_only(version: Path) -> None:
    """A flipped byte in the FAISS data: only the manifest's sha256 can see it."""
    path = version / "vectors.faiss"
    data = bytearray(path.read_bytes())
    data[-5] ^= 0x01
    path.write_bytes(bytes(data))


BREAKAGES = [drop_vectors, truncate_vectors, truncate_chunks_at_a_line, truncate_lexical,
             alter_documents_same_size, truncate_manifest, same_size_hashes_only]


@pytest.mark.parametrize("spoil", BREAKAGES)
def test_start_up_on_a_broken_current_version_serves_the_previous_one(
    spoil: Callable[[Path], None], knowledge_dir: Path, tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO)
    store = tmp_path / "store"
    v1, v2 = two_versions(knowledge_dir, store)
    spoil(versions_dir(store) / v2)
    reader = StoreReader(store)
    version = reader.current()
    assert version is not None and version.name == v1
    assert reader.fallback is not None and reader.fallback.startswith(f"{v2}: ")
    [warning] = store_errors(caplog, logging.WARNING)
    assert f"serving the previous kept version {v1} (3 documents, " in warning
    assert warning.endswith(f"Rebuild with 'tuyengiao index --store {store} <documents>'")
    hits = Searcher(reader, HashingEmbedder()).search(QUESTION, k=3)
    assert any(PASSAGE in h.chunk.text for h in hits)


def run_cli(argv: list[str]) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        rc = main(argv)
    return rc, out.getvalue(), err.getvalue()


def test_the_command_warns_and_answers_from_the_previous_version(
    knowledge_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(tmp_path)  # no developer .env
    store = tmp_path / "store"
    v1, v2 = two_versions(knowledge_dir, store)
    truncate_vectors(versions_dir(store) / v2)
    rc, out, err = run_cli(["search", QUESTION, "--store", str(store), "--mode", "lexical",
                            "--json", "-k", "3"])
    assert rc == 0, err
    assert f"warning: serving the previous store version {v1}: the current one is not usable " \
           f"({v2}: cannot read store version " in err
    assert any(PASSAGE in row["text"] for row in json.loads(out))


def test_no_usable_version_names_the_folder_and_the_rebuild_command(
    knowledge_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(tmp_path)
    store = tmp_path / "store"
    v1, v2 = two_versions(knowledge_dir, store)
    shutil.rmtree(versions_dir(store) / v1)
    drop_vectors(versions_dir(store) / v2)
    with pytest.raises(StoreUnusable) as raised:
        StoreReader(store).current()
    message = str(raised.value)
    assert message.startswith(f"the knowledge store at {store} has no usable version (")
    assert message.endswith(f"Rebuild it: tuyengiao index --store {store} <your documents folder>")
    assert "vectors.faiss is missing" in message
    rc, out, err = run_cli(["search", QUESTION, "--store", str(store), "--mode", "lexical"])
    assert (rc, out) == (2, "")
    assert err.strip() == message
