"""Export a sentence-transformers model into the encoder cache (needs PyTorch; run at index time,
or in a child process when a serving process finds no entry).

What is exported (knowledge/encoder_cache.py has the layout): the first module (the Hugging
Face transformer) as ONNX, its fast tokenizer as tokenizer.json, and the modules after it as
data — Pooling's configuration, each Dense layer's weights and activation, whether Normalize is
there. Any other module (LayerNorm, WordWeights, a custom one), a slow tokenizer, or a model
with a default prompt cannot be reproduced by the runtime: `ExportError` says which, and the
caller serves with PyTorch (with a warning).

Every export is checked before it is kept: the runtime (knowledge/onnx_queries.py) must give
the same vectors as sentence-transformers on a few questions and a text longer than the
window (cosine ≥ MIN_COSINE), else ExportError.

    python -m knowledge.onnx_export --cache data/encoders [--model NAME_OR_PATH]

prints the entry's folder (exit 0), or the reason it cannot be exported (exit 3).
"""

from __future__ import annotations

import argparse
import logging
import shutil
import sys
import time
import uuid
import warnings
from pathlib import Path
from typing import Any

import numpy as np

from knowledge.embedder import EmbedderConfig, SentenceTransformerEmbedder
from knowledge.encoder_cache import (
    ModelSource,
    content_version,
    find,
    resolve_source,
    stat_signature,
    write_entry,
)

logger = logging.getLogger(__name__)

OPSET = 17
MIN_COSINE = 0.9999  # the same vectors, up to float rounding (measured ≥ 0.99999 on MiniLM)
EXIT_CANNOT_EXPORT = 3
_CHECK_TEXTS = (
    "Đảng viên vắng mặt buổi quán triệt Chỉ thị 12 có phải học bù không?",
    "nghi quyet 57 noi gi ve chuyen doi so",
    "CT 05",
)


class ExportError(Exception):
    """This model cannot be served by the ONNX runtime; the message says why."""


def ensure_exported(embedder: SentenceTransformerEmbedder, cache_dir: Path,
                    source: ModelSource | None = None) -> Path:
    """The cache entry for the embedder's model, exporting it first when there is none.
    Raises ExportError."""
    source = source or resolve_source(embedder.config_model)
    existing = find(cache_dir, source)
    if existing is not None:
        return existing[0]
    return export(embedder, cache_dir, source)


def export(embedder: SentenceTransformerEmbedder, cache_dir: Path, source: ModelSource) -> Path:
    """Export the embedder's model into a new entry of `cache_dir`. Raises ExportError."""
    import onnx
    import onnxruntime
    import sentence_transformers
    import torch

    started = time.perf_counter()
    model = embedder.model
    modules = list(model)
    steps = _steps(model, modules[1:])
    transformer = modules[0]
    tokenizer = getattr(transformer, "tokenizer", None)
    if not hasattr(transformer, "auto_model") or tokenizer is None:
        raise ExportError(f"its first module is {type(transformer).__name__}, not a transformer")
    if not getattr(tokenizer, "is_fast", False):
        raise ExportError("its tokenizer has no fast (tokenizers) version")
    inputs = [n for n in tokenizer.model_input_names
              if n in ("input_ids", "attention_mask", "token_type_ids")]
    cache_dir.mkdir(parents=True, exist_ok=True)
    tmp = cache_dir / f".tmp-{uuid.uuid4().hex[:8]}"
    tmp.mkdir()
    try:
        _export_transformer(transformer.auto_model, tokenizer, inputs, tmp / "model.onnx")
        tokenizer.backend_tokenizer.save(str(tmp / "tokenizer.json"))
        dense = []
        for i, (weight, bias, activation) in enumerate(steps["dense"]):
            arrays = {"weight": weight} if bias is None else {"weight": weight, "bias": bias}
            np.savez(tmp / f"dense_{i}.npz", **arrays)
            dense.append({"file": f"dense_{i}.npz", "activation": activation})
        version = (content_version(source.path) if source.path is not None
                   else _export_version(tmp))
        manifest: dict[str, Any] = {
            "name": embedder.name,
            "version": version,
            "created": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            "dimension": embedder.dimension,
            "max_tokens": embedder.model_max_tokens,
            "inputs": inputs,
            "pad_token_id": tokenizer.pad_token_id,
            "padding_side": getattr(tokenizer, "padding_side", "right"),
            "pooling": steps["pooling"],
            "dense": dense,
            "normalize": steps["normalize"],
            "source": {"path": str(source.path) if source.path else None,
                       "stat": stat_signature(source.path) if source.path else None},
            "exported_with": {"torch": torch.__version__, "onnx": onnx.__version__,
                              "onnxruntime": onnxruntime.__version__, "opset": OPSET,
                              "sentence_transformers": sentence_transformers.__version__},
        }
        _check(embedder, tmp, manifest)
        entry = write_entry(cache_dir, tmp, manifest)
    except ExportError:
        raise
    except Exception as exc:  # noqa: BLE001 - tracing, ONNX or runtime failures all mean: cannot
        raise ExportError(f"{type(exc).__name__}: {exc}") from exc
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    logger.info("exported the query encoder of %s (version %s) to %s in %.1f s",
                embedder.name, manifest["version"], entry, time.perf_counter() - started)
    return entry


def _steps(model: Any, modules: list[Any]) -> dict[str, Any]:
    """The modules after the transformer as data, or ExportError for one the runtime lacks."""
    from sentence_transformers.util import fullname

    from knowledge import pooling

    if getattr(model, "default_prompt_name", None):
        raise ExportError(f"it has a default prompt ({model.default_prompt_name!r})")
    steps: dict[str, Any] = {"pooling": None, "dense": [], "normalize": False}
    for module in modules:
        kind = type(module).__name__
        if kind == "Pooling" and steps["pooling"] is None and not steps["dense"]:
            config = module.get_config_dict()
            pooling.pooling_modes(config)  # raises ValueError for an unknown mode
            steps["pooling"] = config
        elif kind == "Dense" and steps["pooling"] is not None:
            activation = fullname(module.activation_function)
            if (activation not in pooling.ACTIVATIONS or getattr(module, "use_residual", False)
                    or getattr(module, "module_input_name", "sentence_embedding")
                    != "sentence_embedding"
                    or getattr(module, "module_output_name", None) not in (None,
                                                                          "sentence_embedding")):
                raise ExportError(f"its Dense module ({activation}) is not a plain projection")
            bias = module.linear.bias
            steps["dense"].append((module.linear.weight.detach().cpu().numpy().astype(np.float32),
                                   None if bias is None else
                                   bias.detach().cpu().numpy().astype(np.float32), activation))
        elif kind == "Normalize":
            steps["normalize"] = True
        else:
            raise ExportError(f"it has a {kind} module, which the ONNX runtime does not reproduce")
    if steps["pooling"] is None:
        raise ExportError("it has no Pooling module")
    return steps


def _export_transformer(auto_model: Any, tokenizer: Any, names: list[str], path: Path) -> None:
    import torch

    class Transformer(torch.nn.Module):
        """The Hugging Face model taking positional tensors (in `names` order) and returning
        only the token embeddings: the shape `torch.onnx.export` traces."""

        def __init__(self) -> None:
            super().__init__()
            self.model = auto_model

        def forward(self, *tensors: Any) -> Any:
            return self.model(**dict(zip(names, tensors))).last_hidden_state

    sample = tokenizer(["a b", "c"], padding=True, return_tensors="pt")
    # The tracer's warnings (deprecations, shape notes) say nothing to an operator; the result
    # is checked against sentence-transformers before it is kept.
    with torch.inference_mode(False), torch.no_grad(), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(
            Transformer().eval(),
            tuple(sample[name] for name in names),
            str(path),
            input_names=names,
            output_names=["token_embeddings"],
            dynamic_axes={name: {0: "batch", 1: "tokens"}
                          for name in [*names, "token_embeddings"]},
            opset_version=OPSET,
            dynamo=False,
        )


def _check(embedder: SentenceTransformerEmbedder, folder: Path, manifest: dict[str, Any]) -> None:
    from knowledge.onnx_queries import OnnxEncoder

    runtime = OnnxEncoder(folder, checked=manifest, query_prefix="", passage_prefix="",
                          max_tokens=embedder.max_tokens)
    long_text = " ".join(_CHECK_TEXTS * 80)  # far beyond any window: truncation must agree
    texts = [*_CHECK_TEXTS, long_text]
    expected = embedder.model.encode(texts, normalize_embeddings=True, convert_to_numpy=True,
                                     show_progress_bar=False)
    for got in (runtime.encode(texts), np.vstack([runtime.encode([t]) for t in texts])):
        cosine = float((got * expected).sum(axis=1).min())
        if got.shape != expected.shape or not cosine >= MIN_COSINE:
            raise ExportError(f"the exported model gives other vectors (cosine {cosine:.6f})")


def _export_version(folder: Path) -> str:
    """A version for a model whose files are not on disk: a hash of what was exported."""
    import hashlib

    h = hashlib.sha256()
    for name in ("model.onnx", "tokenizer.json"):
        h.update((folder / name).read_bytes())
    return h.hexdigest()[:16]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="export a model's query encoder for serving")
    parser.add_argument("--cache", type=Path, required=True)
    parser.add_argument("--model", default="", help="EMBEDDING_MODEL (empty: bundled model)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    try:
        embedder = SentenceTransformerEmbedder(EmbedderConfig(model=args.model))
        entry = ensure_exported(embedder, args.cache)
    except ExportError as exc:
        print(f"cannot export {args.model or 'the bundled model'}: {exc}", file=sys.stderr)
        return EXIT_CANNOT_EXPORT
    print(entry)
    return 0


if __name__ == "__main__":
    sys.exit(main())
