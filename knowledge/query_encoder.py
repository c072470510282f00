"""The query encoder of a serving process: the exported model on ONNX Runtime when it can be
had, PyTorch (sentence-transformers) only when it cannot.

Order (docs/developers.md, "How serving loads the model"):
1. the encoder cache holds an entry for the configured model (exported by `tuyengiao index`,
   knowledge/encoder_cache.py): load it with ONNX Runtime and the tokenizer alone;
2. none yet (a store indexed before the cache existed, a model changed since): export it in a
   child process, which loads PyTorch, writes the entry and exits, so this process still
   never imports PyTorch (once per model version, ~5–10 s);
3. the model cannot be exported or run that way: a WARNING says why, and queries are embedded
   with PyTorch in this process, as before.
"""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from pathlib import Path

from knowledge.embedder import Embedder, EmbedderConfig
from knowledge.encoder_cache import find, resolve_source

logger = logging.getLogger(__name__)

EXPORT_TIMEOUT_SECONDS = 900  # a large model on a small machine; the child is killed after it


def load_query_encoder(
    config: EmbedderConfig, cache_dir: Path, *, threads: int = 1, export: bool = True
) -> Embedder:
    """An Embedder for queries (passages work too). `threads`: intra-op threads of the
    runtime (ONNX Runtime, or PyTorch in the fallback); `export`: run the exporting child
    process when the cache has no entry. Never raises for a model that only PyTorch can run;
    raises what loading the model raises when even PyTorch cannot load it."""
    source = resolve_source(config.model)
    found = find(cache_dir, source)
    reason = "no exported encoder in the cache"
    if found is None and export:
        reason = _export_in_child(config.model, cache_dir)
        if reason is None:
            found = find(cache_dir, source)
            reason = "the exported encoder was not found after the export"
    if found is not None:
        from knowledge.onnx_queries import OnnxEncoder

        folder, manifest = found
        try:
            return OnnxEncoder(folder, checked=manifest, threads=threads,
                               query_prefix=config.query_prefix,
                               passage_prefix=config.passage_prefix, max_tokens=config.max_tokens)
        except Exception as exc:  # noqa: BLE001 - any failure to run it means: use PyTorch
            reason = f"{folder} does not load ({type(exc).__name__}: {exc})"
    logger.warning("ONNX Runtime unavailable for %s (%s); query embeddings use PyTorch, which "
                   "takes ~600 MB more memory", source.name, reason)
    return torch_encoder(config, threads=threads)


def torch_encoder(config: EmbedderConfig, *, threads: int = 1) -> Embedder:
    """The sentence-transformers embedder with `threads` PyTorch threads (0: its default)."""
    from knowledge.embedder import SentenceTransformerEmbedder

    embedder = SentenceTransformerEmbedder(config)
    if threads:
        import torch

        torch.set_num_threads(threads)
    return embedder


def _export_in_child(model: str, cache_dir: Path) -> str | None:
    """Run knowledge.onnx_export in a child process; None on success, else why not."""
    root = str(Path(__file__).resolve().parent.parent)
    env = {**os.environ, "HF_HUB_OFFLINE": os.environ.get("HF_HUB_OFFLINE", "1"),
           "PYTHONPATH": os.pathsep.join(p for p in (root, os.environ.get("PYTHONPATH")) if p)}
    logger.info("exporting the query encoder of %s for ONNX Runtime (once per model version)",
                model or "the bundled model")
    try:
        done = subprocess.run(
            [sys.executable, "-m", "knowledge.onnx_export", "--cache", str(cache_dir),
             "--model", model],
            capture_output=True, text=True, env=env, timeout=EXPORT_TIMEOUT_SECONDS, check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"the export did not finish: {exc}"
    if done.returncode != 0:
        lines = [line for line in done.stderr.strip().splitlines() if line.strip()]
        return lines[-1] if lines else f"the export exited with code {done.returncode}"
    return None
