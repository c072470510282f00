"""Query embeddings for a serving process: ONNX Runtime, the `tokenizers` library and numpy.
No PyTorch, transformers or sentence-transformers is imported.

Why: a serving process answers questions; it needs the model's forward pass, not its training
stack. PyTorch alone made a serving process ~600 MB (bench/README.md); ONNX Runtime runs the
same float model ~1.8x faster per short query on one core, with the same vectors.

How: `tuyengiao index` exports the model once into the encoder cache
(knowledge/onnx_export.py, knowledge/encoder_cache.py): the transformer as ONNX, its
tokenizer.json, and the sentence-transformers steps after it (pooling modes, Dense layers,
Normalize) as data. `OnnxEncoder` loads such an entry: it tokenises with the model's fast
tokenizer (same ids as transformers' tokenizer: truncation to the window, padding to the
longest text of the batch), runs the transformer, then pools and normalises in numpy
(knowledge/pooling.py). Passages can be embedded the same way, though indexing keeps PyTorch.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from knowledge import pooling
from knowledge.embedder import Kind, known_prefixes
from knowledge.encoder_cache import read_entry

logger = logging.getLogger(__name__)


class OnnxEncoder:
    """An `Embedder` over an exported encoder entry (a folder of the encoder cache)."""

    def __init__(
        self,
        entry: Path,
        *,
        threads: int = 1,
        query_prefix: str | None = None,
        passage_prefix: str | None = None,
        max_tokens: int | None = None,
        checked: dict[str, Any] | None = None,
    ) -> None:
        """`checked`: the entry's manifest when the caller has just verified it (skips
        hashing the files a second time). Raises EncoderCacheError, OSError, ValueError or
        onnxruntime's errors when the entry cannot be used."""
        import onnxruntime
        from tokenizers import Tokenizer

        manifest = checked if checked is not None else read_entry(entry)
        self.entry = entry
        self.name: str = manifest["name"]
        self.version: str = manifest["version"]
        self.dimension: int = int(manifest["dimension"])
        self.max_tokens = int(max_tokens or manifest["max_tokens"])
        default_query, default_passage = known_prefixes(self.name)
        self.query_prefix = default_query if query_prefix is None else query_prefix
        self.passage_prefix = default_passage if passage_prefix is None else passage_prefix
        self._modes = pooling.pooling_modes(manifest["pooling"])
        self._dense: list[tuple[np.ndarray, np.ndarray | None, str]] = []
        for layer in manifest.get("dense", []):
            with np.load(entry / layer["file"]) as data:
                bias = data["bias"] if "bias" in data else None
                self._dense.append((data["weight"], bias, layer["activation"]))
        self._inputs: list[str] = list(manifest["inputs"])

        self._tokenizer = Tokenizer.from_file(str(entry / "tokenizer.json"))
        self._tokenizer.no_padding()
        self._tokenizer.enable_truncation(self.max_tokens)
        pad_id = manifest.get("pad_token_id")
        self._pad_id = int(pad_id) if pad_id is not None else 0
        self._left_padding = manifest.get("padding_side") == "left"
        # Counting tokens must not truncate: a second tokenizer without the window.
        self._counter = Tokenizer.from_file(str(entry / "tokenizer.json"))
        self._counter.no_truncation()
        self._counter.no_padding()

        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = max(1, threads)
        options.inter_op_num_threads = 1
        self._session = onnxruntime.InferenceSession(
            str(entry / "model.onnx"), options, providers=["CPUExecutionProvider"]
        )
        logger.info(
            "query embeddings for %s (version %s) on ONNX Runtime %s, %d thread(s), from %s",
            self.name, self.version, onnxruntime.__version__, options.intra_op_num_threads, entry,
        )

    def count_tokens(self, text: str) -> int:
        return len(self._counter.encode(self.passage_prefix + text).ids)

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """Vectors for texts given as they are (prefixes already applied)."""
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        encodings = self._tokenizer.encode_batch(list(texts))
        length = max(len(e.ids) for e in encodings)
        batch = len(encodings)
        ids = np.full((batch, length), self._pad_id, dtype=np.int64)
        mask = np.zeros((batch, length), dtype=np.int64)
        types = np.zeros((batch, length), dtype=np.int64)
        for row, e in enumerate(encodings):
            n = len(e.ids)
            cols = slice(length - n, length) if self._left_padding else slice(0, n)
            ids[row, cols] = e.ids
            mask[row, cols] = 1
            types[row, cols] = e.type_ids
        arrays = {"input_ids": ids, "attention_mask": mask, "token_type_ids": types}
        (tokens,) = self._session.run(None, {name: arrays[name] for name in self._inputs})
        vectors = pooling.pool(tokens, mask, self._modes)
        for weight, bias, activation in self._dense:
            vectors = pooling.dense(vectors, weight, bias, activation)
        # Always unit length, as every Embedder (the PyTorch one encodes with
        # normalize_embeddings=True): a model's own Normalize step changes nothing then.
        vectors = pooling.normalize(vectors)
        return np.ascontiguousarray(vectors, dtype=np.float32)

    def embed(self, texts: Sequence[str], *, kind: Kind) -> np.ndarray:
        prefix = self.query_prefix if kind == "query" else self.passage_prefix
        return self.encode([prefix + t for t in texts])

