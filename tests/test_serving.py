"""A serving process answers questions with the real model's query encoder and never imports
PyTorch: the first start exports the encoder in a child process (the store was indexed
without it), later starts load it from the cache directly."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from indexer.build import build_store
from knowledge.embedder import SentenceTransformerEmbedder

pytestmark = pytest.mark.model

REPO = Path(__file__).resolve().parents[1]
HEAVY = ("torch", "transformers", "sentence_transformers")
QUESTION = "so hoa tai lieu lich su, thu vien so dung chung"
# What `tuyengiao run` builds for the core (tuyengiao.serve.build_dispatcher), asked one question
# through the bot's knowledge base; then what the process imported.
SCRIPT = """
import asyncio, json, logging, sys
from pathlib import Path
messages = []
class Keep(logging.Handler):
    def emit(self, record):
        messages.append(record.getMessage())
logging.basicConfig(level=logging.INFO, handlers=[Keep()])
import tuyengiao.serve  # the serving process's own modules
from bot.core.knowledge_base import KnowledgeBase
from tuyengiao.commands import answer_policy, make_searcher
from tuyengiao.settings import Settings
settings = Settings(_env_file=None)
searcher = make_searcher(settings, settings.store_dir, serving=True)
kb = KnowledgeBase(searcher, answer_policy(settings))
timed = asyncio.run(kb.ask(sys.argv[1]))
hits = searcher.search(sys.argv[1], k=3)
print(json.dumps({
    "heavy": sorted(m for m in sys.modules if m.split(".")[0] in %r),
    "encoder": type(searcher.embedder.inner).__name__,
    "answered": timed.answer.answered,
    "cited": [c.doc_id for c in timed.answer.citations],
    "top": hits[0].doc.doc_id, "similarity": hits[0].similarity,
    "exported": any("exporting the query encoder" in m for m in messages),
}))
""" % (HEAVY,)


def serve_one_question(store: Path) -> dict:
    env = {**os.environ, "STORE_DIR": str(store), "HF_HUB_OFFLINE": "1",
           "EMBEDDING_QUERY_BACKEND": "onnx"}
    env.pop("ENCODER_CACHE_DIR", None)
    done = subprocess.run([sys.executable, "-c", SCRIPT, QUESTION], cwd=store.parent, env=env,
                          capture_output=True, text=True, timeout=900, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_a_serving_process_answers_without_pytorch(
    knowledge_dir: Path, tmp_path: Path, real_embedder: SentenceTransformerEmbedder
) -> None:
    store = tmp_path / "store"
    build_store([knowledge_dir], store, real_embedder)  # as before: no encoder exported
    assert not (store / "encoders").exists()

    first = serve_one_question(store)
    assert first["heavy"] == [], f"the serving process imported {first['heavy']}"
    assert first["encoder"] == "OnnxEncoder" and first["exported"] is True
    # The dense path ran with the real model's vectors, and the answer is the right one.
    assert first["top"] == "nghi-quyet-57-NQ-TW.txt" and first["similarity"] > 0.3
    assert first["answered"] and first["cited"][0] == "nghi-quyet-57-NQ-TW.txt"
    entries = list((store / "encoders").iterdir())
    assert len(entries) == 1 and (entries[0] / "model.onnx").is_file()

    second = serve_one_question(store)  # the cache is warm: no child process this time
    assert second["heavy"] == [] and second["exported"] is False
    assert second["encoder"] == "OnnxEncoder"
    assert (second["top"], second["cited"]) == (first["top"], first["cited"])
    assert second["similarity"] == pytest.approx(first["similarity"], abs=1e-6)
