"""The guides stay true: every transcript in README.md and docs/*.md is replayed against the
terminal chat of the real `tuyengiao run` (and the real command line), over the sample
documents and the real offline model, from an empty database per guide. A transcript that
cannot be replayed (Telegram's buttons, another machine's files) says why in a
`<!-- replay: not replayed: ... -->` comment; the format is in docs/developers.md
("Transcripts in the guides")."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import REPO
from tests.doc_replay.parse import transcripts
from tests.doc_replay.session import Session
from tuyengiao.settings import Settings

GUIDES = [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]
SAMPLES = REPO / "knowledge" / "samples" / "documents"


def replayed(path: Path) -> bool:
    return any(t.skip_reason is None for t in transcripts(path))


def test_every_transcript_is_readable_and_replayed_or_excused() -> None:
    """A block with no language is a transcript: it has steps, or says why it is not
    replayed (a block that is not a session takes a language: ```sh, ```yaml ...)."""
    for guide in GUIDES:
        for transcript in transcripts(guide):
            assert transcript.steps or transcript.skip_reason, (
                f"{transcript.where}: a block without a language and without '$ '/'> ' steps")


def session_settings(folder: Path, store: Path) -> Settings:
    return Settings(_env_file=None, database_url=f"sqlite:///{folder / 'tuyengiao.db'}",
                    store_dir=store, knowledge_dir=SAMPLES, log_file=folder / "logs" / "t.log")


@pytest.mark.model
@pytest.mark.parametrize("guide", [g for g in GUIDES if replayed(g)],
                         ids=lambda g: g.relative_to(REPO).as_posix())
async def test_guide_replays(guide: Path, samples_store: Path, tmp_path: Path,
                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # no developer's .env; relative paths land here
    sessions = 0

    def new_session() -> Session:
        nonlocal sessions
        sessions += 1
        folder = tmp_path / f"session-{sessions}"
        folder.mkdir()
        settings = session_settings(folder, samples_store)
        for name in ("DATABASE_URL", "STORE_DIR", "KNOWLEDGE_DIR", "LOG_FILE"):
            monkeypatch.setenv(name, str(getattr(settings, name.lower())))
        for name in ("TELEGRAM_BOT_TOKEN", "ZALO_BOT_TOKEN", "ADMIN_IDS"):
            monkeypatch.setenv(name, "")
        return Session(settings, samples_store)

    session = new_session()
    try:
        for transcript in transcripts(guide):
            if transcript.skip_reason is not None:
                continue
            if transcript.fresh:
                await session.stop_chat()
                session = new_session()
            await session.replay(transcript)
    finally:
        await session.stop_chat()
