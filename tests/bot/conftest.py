"""Fixtures shared by the bot tests: a real SQLite database per test, and the real core over
a store built from the test documents with the hashing embedder."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.core.dispatcher import Dispatcher
from bot.core.knowledge_base import KnowledgeBase
from bot.storage.database import Database
from indexer.build import build_store
from indexer.opening import opening_section
from knowledge.answers import Answer, AnswerPolicy, answer_question
from knowledge.embedder import HashingEmbedder
from knowledge.search import Searcher
from knowledge.store import StoreReader
from tests.dispatchers import dispatcher

ADMIN = "telegram:1"


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Database]:
    database = Database.open(f"sqlite:///{tmp_path / 'bot.db'}")
    database.create_all()
    yield database
    database.close()


@pytest.fixture
def knowledge(knowledge_dir: Path, tmp_path: Path, hashing_embedder: HashingEmbedder) -> KnowledgeBase:
    build_store([knowledge_dir], tmp_path / "store", hashing_embedder)
    searcher = Searcher(StoreReader(tmp_path / "store"), hashing_embedder)
    return KnowledgeBase(searcher, AnswerPolicy(), opening_section)


@pytest.fixture
def assistant(knowledge: KnowledgeBase, db: Database) -> Dispatcher:
    """The core with the Q&A and units features (each test adds what else it uses)."""
    return dispatcher(db, knowledge, frozenset({ADMIN}))


@pytest.fixture
def answer(knowledge_dir: Path, tmp_path: Path, hashing_embedder: HashingEmbedder) -> Answer:
    """A real answer (with a citation of Chỉ thị 05-CT/TW) composed over the test store."""
    build_store([knowledge_dir], tmp_path / "store", hashing_embedder)
    searcher = Searcher(StoreReader(tmp_path / "store"), hashing_embedder)
    result = answer_question(searcher, "Mỗi thôn có tổ xung kích phòng, chống thiên tai không?", AnswerPolicy())
    assert result.answered
    return result
