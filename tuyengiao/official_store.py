"""Official answers into the store: the `AnswerStore` the Q&A feature is given
(bot/ask/joining.py), and the folders an index run read, so that a republish from the bot
keeps every document the store holds.

The answers are written as one JSONL file (`OFFICIAL_ANSWERS_FILE`, a passage per answer:
indexer/loaders/jsonl.py) and the store is republished incrementally (indexer/build.py): the
other files are unchanged and keep their chunks, vectors and term counts, so a publish costs
about a second (docs/developers.md, "Benchmarks") plus embedding the answers' new text.

Which files: `build_store` indexes exactly the files under the paths it is given, so the bot
must give it the paths the store was built from. `tuyengiao index` records them beside the
store (`indexed-paths.json`) and always adds the answers' file itself, so an operator's run
keeps the answers and an answer publish keeps the operator's documents. A store indexed
before this record existed is assumed to hold `KNOWLEDGE_DIR` (the command's default), and is
published to only if every file it holds is still found there; otherwise the answers wait
for the next `tuyengiao index`.

Never blocking on another run: the index lock (indexer/lock.py) is tried, not waited for; a
store being indexed answers `busy`, and the answers join at the end of that run (it reads the
file) or at the feature worker's next try. Publishing from the bot also refuses, with a reason
for the log, a store built by another embedding model or another indexing pipeline: joining
would re-embed or re-chunk everything in the serving process.
"""

from __future__ import annotations

import json
import logging
import os
import threading
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from bot.ask.joining import StoreResult
from knowledge.embedder import Embedder
from knowledge.store import current_version_name, versions_dir
from tuyengiao.settings import Settings

logger = logging.getLogger(__name__)

PATHS_FILE = "indexed-paths.json"


def answers_file(settings: Settings) -> Path:
    return settings.official_answers_file


def with_answers(settings: Settings, paths: Sequence[Path]) -> list[Path]:
    """The paths of an index run, with the official answers' file when there is one and no
    given folder holds it already."""
    file = answers_file(settings)
    out = list(paths)
    if file.is_file():
        resolved = file.resolve()
        if not any(resolved == p.resolve() or p.resolve() in resolved.parents for p in paths):
            out.append(file)
    return out


def record_paths(store: Path, paths: Sequence[Path]) -> None:
    """Remember what an index run read (resolved), written atomically beside the store."""
    store.mkdir(parents=True, exist_ok=True)
    tmp = store / f"{PATHS_FILE}.{os.getpid()}"
    tmp.write_text(json.dumps([str(p.resolve()) for p in paths], ensure_ascii=False), encoding="utf-8")
    os.replace(tmp, store / PATHS_FILE)


def recorded_paths(store: Path) -> list[Path] | None:
    try:
        value = json.loads((store / PATHS_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        return None
    return [Path(v) for v in value]


def write_entries(file: Path, entries: Sequence[Mapping[str, Any]]) -> None:
    """The answers' JSONL file, replaced atomically (a reader never sees half of it)."""
    file.parent.mkdir(parents=True, exist_ok=True)
    tmp = file.with_name(f".{file.name}.{os.getpid()}")
    tmp.write_text("".join(json.dumps(dict(e), ensure_ascii=False) + "\n" for e in entries),
                   encoding="utf-8")
    os.replace(tmp, file)


class OfficialStore:
    """`AnswerStore` over the store folder: write the answers' file, republish."""

    def __init__(self, settings: Settings, store: Path, embedder: Callable[[], Embedder]) -> None:
        """`embedder`: makes the passage embedder on first use (the store's model; a
        serving process's exported encoder embeds passages as well as queries)."""
        self.settings = settings
        self.store = store
        self._make_embedder = embedder
        self._embedder: Embedder | None = None
        self._lock = threading.Lock()

    def publish(self, entries: Sequence[Mapping[str, Any]]) -> StoreResult:
        from indexer.build import PIPELINE_VERSION, build_store
        from indexer.build_files import model_info
        from indexer.lock import StoreBusy
        from tuyengiao.commands import load_options, overlap, vector_index_spec

        file = answers_file(self.settings)
        with self._lock:
            write_entries(file, entries)
            paths = self._paths()
            if isinstance(paths, str):
                return StoreResult(error=paths)
            if self._embedder is None:
                self._embedder = self._make_embedder()
            manifest = self._manifest()
            if manifest is not None:
                if manifest.get("pipeline") != PIPELINE_VERSION:
                    return StoreResult(error="the store was built by another indexing pipeline: "
                                             "run tuyengiao index")
                if manifest.get("model") != model_info(self._embedder).to_json():
                    return StoreResult(error="the store was built with another embedding model: "
                                             "run tuyengiao index")
            try:
                report = build_store(with_answers(self.settings, paths), self.store,
                                     self._embedder, options=load_options(self.settings),
                                     overlap=overlap(self.settings),
                                     index_spec=vector_index_spec(self.settings), lock_wait=0.0)
            except StoreBusy as exc:
                return StoreResult(busy=exc.holder or "another index run")
            version = report.version or current_version_name(self.store)
            logger.info("official answers: %d entries, store %s (%s)", len(entries), version,
                        report.summary())
            return StoreResult(version=version)

    def _paths(self) -> list[Path] | str:
        """What the store was built from, or why that cannot be known safely."""
        paths = recorded_paths(self.store)
        if paths is None:
            paths = [self.settings.knowledge_dir]
            if not self._holds_all(paths):
                return ("the store holds files outside KNOWLEDGE_DIR and was indexed before "
                        f"{PATHS_FILE} was kept: run tuyengiao index")
        missing = [str(p) for p in paths if not p.exists()]
        if missing:
            return f"indexed folders missing: {', '.join(missing)[:200]}"
        return paths

    def _holds_all(self, roots: Sequence[Path]) -> bool:
        manifest = self._manifest()
        if manifest is None:
            return True
        answers = answers_file(self.settings).resolve()
        resolved = [r.resolve() for r in roots]
        return all(Path(key) == answers or any(r in Path(key).parents or Path(key) == r
                                               for r in resolved)
                   for key in manifest.get("files", {}))

    def _manifest(self) -> dict[str, Any] | None:
        name = current_version_name(self.store)
        if name is None:
            return None
        try:
            value = json.loads((versions_dir(self.store) / name / "manifest.json")
                               .read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        return value if isinstance(value, dict) else None


__all__ = ["OfficialStore", "PATHS_FILE", "answers_file", "record_paths", "recorded_paths",
           "with_answers", "write_entries"]
