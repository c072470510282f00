"""Query embeddings through ONNX Runtime, for a serving process.

Why: every question the bot has not seen before costs one query embedding, and on a small CPU
that is most of the question's work. The same all-MiniLM-L6-v2 forward pass ran in ~10.5 ms
per query under ONNX Runtime against ~19 ms under PyTorch on one core, with the same vectors
(cosine ≥ 0.99999 on the bench questions; see README "Serving"). Indexing keeps PyTorch.

How: at start the model's transformer (the first sentence-transformers module) is exported to
ONNX in memory with `torch.onnx.export` (~1.5 s; nothing is written to disk), and ONNX Runtime
runs it; the model's own remaining modules (pooling, normalisation, any dense layer) then run
in PyTorch on its output, so any sentence-transformers model keeps its pooling. If the export
or the runtime fails (an unusual architecture, a missing package), `onnx_query_embedder`
logs why and returns the PyTorch embedder: serving never depends on it.
"""

from __future__ import annotations

import io
import logging
import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np

from knowledge.embedder import Kind, SentenceTransformerEmbedder

logger = logging.getLogger(__name__)


class OnnxQueryEmbedder:
    """An `Embedder` whose queries run on ONNX Runtime; passages go to the wrapped embedder."""

    def __init__(self, inner: SentenceTransformerEmbedder, *, threads: int = 1) -> None:
        import onnxruntime
        import torch

        self.inner = inner
        self.name = inner.name
        self.dimension = inner.dimension
        self.max_tokens = inner.max_tokens
        model = inner.model
        self._tokenizer = model.tokenizer
        self._input_names = [
            name for name in self._tokenizer.model_input_names
            if name in ("input_ids", "attention_mask", "token_type_ids")
        ]
        self._tail = list(model)[1:]  # pooling, normalisation, ... run in torch as the model does
        transformer = _exportable(list(model)[0].auto_model, self._input_names).eval()
        sample = self._tokenizer(["a b", "c"], padding=True, return_tensors="pt")
        buffer = io.BytesIO()
        # The tracer's warnings (deprecations, shape notes) say nothing to an operator; the
        # result is checked against PyTorch in tests/knowledge/test_onnx_queries.py.
        with torch.inference_mode(False), torch.no_grad(), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            torch.onnx.export(
                transformer,
                tuple(sample[name] for name in self._input_names),
                buffer,
                input_names=self._input_names,
                output_names=["token_embeddings"],
                dynamic_axes={name: {0: "batch", 1: "tokens"}
                              for name in [*self._input_names, "token_embeddings"]},
                opset_version=17,
                dynamo=False,
            )
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = max(1, threads)
        options.inter_op_num_threads = 1
        self._session = onnxruntime.InferenceSession(
            buffer.getvalue(), options, providers=["CPUExecutionProvider"]
        )
        logger.info("query embeddings for %s on ONNX Runtime %s (%d thread(s))",
                    self.name, onnxruntime.__version__, options.intra_op_num_threads)

    def count_tokens(self, text: str) -> int:
        return self.inner.count_tokens(text)

    def embed(self, texts: Sequence[str], *, kind: Kind) -> np.ndarray:
        if kind != "query":
            return self.inner.embed(texts, kind=kind)
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        import torch

        encoded = self._tokenizer(
            [self.inner.query_prefix + t for t in texts], padding=True, truncation=True,
            max_length=self.max_tokens, return_tensors="np",
        )
        feed = {name: encoded[name].astype(np.int64) for name in self._input_names}
        (tokens,) = self._session.run(None, feed)
        features: dict[str, Any] = {
            "token_embeddings": torch.from_numpy(tokens),
            "attention_mask": torch.from_numpy(feed["attention_mask"]),
        }
        with torch.inference_mode():
            for module in self._tail:
                features = module(features)
            vectors = torch.nn.functional.normalize(features["sentence_embedding"], p=2, dim=1)
        return np.ascontiguousarray(vectors.numpy(), dtype=np.float32)


def onnx_query_embedder(inner: SentenceTransformerEmbedder, *, threads: int = 1) -> Any:
    """`OnnxQueryEmbedder` over `inner`, or `inner` itself when the export or the runtime fails."""
    try:
        return OnnxQueryEmbedder(inner, threads=threads)
    except Exception as exc:  # noqa: BLE001 - any failure means: serve with PyTorch
        logger.warning("ONNX Runtime unavailable for %s (%s: %s); query embeddings use PyTorch",
                       inner.name, type(exc).__name__, exc)
        return inner


def _exportable(model: Any, names: list[str]) -> Any:
    """The Hugging Face model as a module taking positional tensors (in `names` order) and
    returning only the token embeddings: the shape `torch.onnx.export` traces."""
    import torch

    class Transformer(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.model = model

        def forward(self, *tensors: Any) -> Any:
            return self.model(**dict(zip(names, tensors))).last_hidden_state

    return Transformer()
