"""Settings, read once in the entry point (environment and `.env`) and passed down as values."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    store_dir: Path = Path("data/store")
    knowledge_dir: Path = Path("knowledge/samples/documents")
    database_url: str = "sqlite:///data/tuyengiao.db"
    log_level: str = "INFO"

    embedding_model: str = ""  # empty: the bundled offline all-MiniLM-L6-v2
    embedding_query_prefix: str | None = None
    embedding_passage_prefix: str | None = None
    embedding_batch_size: int = Field(32, ge=1)
    embedding_device: str = "cpu"
    embedding_max_tokens: int | None = Field(None, ge=16)

    search_weight_accented: float = Field(0.5, ge=0)
    search_weight_folded: float = Field(1.0, ge=0)
    search_weight_dense: float = Field(0.2, ge=0)
    answer_min_coverage: float = Field(0.55, ge=0, le=1)
    answer_max_passages: int = Field(3, ge=1, le=10)
