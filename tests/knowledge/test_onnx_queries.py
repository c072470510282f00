"""The exported query encoder: ONNX Runtime + tokenizers + numpy pooling give the same vectors
as sentence-transformers (the real offline model, and variants with other pooling and a Dense
layer), the cache finds the right entry and refuses damaged ones, and a model the runtime
cannot reproduce falls back to PyTorch with a warning."""

from __future__ import annotations

import logging
import os
import shutil
from pathlib import Path

import numpy as np
import pytest

try:
    from sentence_transformers.sentence_transformer import modules as models
except ImportError:  # sentence-transformers < 5
    from sentence_transformers import models

from knowledge.embedder import EmbedderConfig, SentenceTransformerEmbedder
from knowledge.encoder_cache import ModelSource, find, read_entry, resolve_source
from knowledge.onnx_export import ExportError, ensure_exported, export
from knowledge.onnx_queries import OnnxEncoder
from knowledge.query_encoder import load_query_encoder

pytestmark = pytest.mark.model

QUESTIONS = [
    "Đảng viên vắng mặt buổi quán triệt Chỉ thị 12 có phải học bù không?",
    "nghi quyet 57 noi gi ve chuyen doi so",
    "Hạn chót gửi báo cáo theo Công văn 150-CV/BTGTU là khi nào?",
    "CT 05",
]
PASSAGES = [
    "Mỗi chi bộ dành ít nhất một kỳ sinh hoạt chuyên đề về chuyển đổi số.",
    # Longer than the 256-token window: truncation must cut at the same token.
    " ".join(["Các cấp ủy đảng lãnh đạo, chỉ đạo việc học tập, quán triệt nghị quyết"] * 60),
]


@pytest.fixture(scope="module")
def cache(tmp_path_factory: pytest.TempPathFactory,
          real_embedder: SentenceTransformerEmbedder) -> Path:
    folder = tmp_path_factory.mktemp("encoders")
    ensure_exported(real_embedder, folder)
    return folder


@pytest.fixture(scope="module")
def onnx(cache: Path) -> OnnxEncoder:
    found = find(cache, resolve_source(""))
    assert found is not None
    return OnnxEncoder(found[0], checked=found[1])


def min_cosine(a: np.ndarray, b: np.ndarray) -> float:
    assert a.shape == b.shape and a.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(a, axis=1), 1.0, atol=1e-5)
    return float((a * b).sum(axis=1).min())


def test_same_vectors_as_pytorch_one_by_one_and_batched(
    onnx: OnnxEncoder, real_embedder: SentenceTransformerEmbedder
) -> None:
    for kind, texts in (("query", QUESTIONS), ("passage", PASSAGES)):
        expected = real_embedder.embed(texts, kind=kind)
        batched = onnx.embed(texts, kind=kind)  # padded to the longest
        single = np.vstack([onnx.embed([t], kind=kind) for t in texts])
        assert min_cosine(batched, expected) >= 0.9999
        assert min_cosine(single, expected) >= 0.9999
    assert onnx.embed([], kind="query").shape == (0, 384)
    assert (onnx.name, onnx.dimension, onnx.max_tokens) == (
        real_embedder.name, real_embedder.dimension, real_embedder.max_tokens)


def test_tokens_are_counted_as_transformers_counts_them(
    onnx: OnnxEncoder, real_embedder: SentenceTransformerEmbedder
) -> None:
    for text in [*QUESTIONS, *PASSAGES, "ĐẢNG CỘNG SẢN VIỆT NAM\nSố: 25-KH/BTGTU"]:
        assert onnx.count_tokens(text) == real_embedder.count_tokens(text)
    assert real_embedder.count_tokens(PASSAGES[1]) > 256  # counting does not truncate


def test_the_cache_finds_the_model_by_its_files_and_refuses_a_damaged_entry(
    cache: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    bundled = resolve_source("")
    entry, manifest = find(cache, bundled) or pytest.fail("no entry")
    assert manifest["name"] == "sentence-transformers/all-MiniLM-L6-v2"
    assert entry.name.endswith(manifest["version"]) and len(manifest["version"]) == 16

    # A copy of the model elsewhere (other path, other mtimes): found by its content hash.
    copy = tmp_path / "minilm"
    shutil.copytree(bundled.path, copy)
    os.utime(copy / "config.json", ns=(1, 1))
    assert find(cache, ModelSource(bundled.name, copy)) == (entry, manifest)
    # The same path with a changed weight file is another version: nothing cached for it.
    with open(copy / "model.safetensors", "r+b") as fh:
        fh.seek(-1, os.SEEK_END)
        last = fh.read(1)
        fh.seek(-1, os.SEEK_END)
        fh.write(bytes([last[0] ^ 1]))
    assert find(cache, ModelSource(bundled.name, copy)) is None
    # A serving machine without the model files takes the newest entry of that name.
    assert find(cache, ModelSource(bundled.name, None)) == (entry, manifest)
    assert find(cache, ModelSource("intfloat/multilingual-e5-base", None)) is None

    # A damaged entry is refused (and said so), never loaded.
    damaged = tmp_path / "damaged"
    shutil.copytree(cache, damaged)
    with open(damaged / entry.name / "model.onnx", "r+b") as fh:
        fh.seek(1000)
        byte = fh.read(1)
        fh.seek(1000)
        fh.write(bytes([byte[0] ^ 0xFF]))
    with caplog.at_level(logging.WARNING, logger="knowledge.encoder_cache"):
        assert find(damaged, bundled) is None
    assert "does not match its sha256" in caplog.text
    assert read_entry(entry)["version"] == manifest["version"]


def _variant(tmp_path: Path, modules: list) -> SentenceTransformerEmbedder:
    from sentence_transformers import SentenceTransformer

    folder = tmp_path / "variant"
    SentenceTransformer(modules=modules).save(str(folder))
    return SentenceTransformerEmbedder(EmbedderConfig(model=str(folder)))


def test_other_pooling_and_a_dense_layer_give_the_same_vectors(tmp_path: Path) -> None:
    """A model with CLS + max pooling concatenated and a Dense projection to 128 dims with
    tanh (as LaBSE-like models have): exported and reproduced in numpy."""
    import torch
    resolve = resolve_source("")
    transformer = models.Transformer(str(resolve.path), max_seq_length=128)
    width = transformer.get_embedding_dimension()
    pooling = models.Pooling(width, pooling_mode=("cls", "max"))
    torch.manual_seed(3)
    dense = models.Dense(2 * width, 128, activation_function=torch.nn.Tanh())
    embedder = _variant(tmp_path, [transformer, pooling, dense, models.Normalize()])
    source = resolve_source(embedder.config_model)
    entry = export(embedder, tmp_path / "cache", source)
    runtime = OnnxEncoder(entry)
    assert runtime.dimension == 128 and runtime.max_tokens == 128
    texts = QUESTIONS + PASSAGES
    assert min_cosine(runtime.embed(texts, kind="passage"),
                      embedder.embed(texts, kind="passage")) >= 0.9999


def test_a_model_the_runtime_cannot_reproduce_falls_back_to_pytorch(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    transformer = models.Transformer(str(resolve_source("").path))
    width = transformer.get_embedding_dimension()
    embedder = _variant(tmp_path, [transformer, models.Pooling(width), models.LayerNorm(width)])
    with pytest.raises(ExportError, match="LayerNorm"):
        export(embedder, tmp_path / "cache", resolve_source(embedder.config_model))
    # Serving with that model: the exporting child process fails the same way, so this
    # process embeds queries with PyTorch, and says why.
    with caplog.at_level(logging.WARNING, logger="knowledge.query_encoder"):
        fallback = load_query_encoder(EmbedderConfig(model=embedder.config_model),
                                      tmp_path / "cache")
    assert isinstance(fallback, SentenceTransformerEmbedder)
    assert "query embeddings use PyTorch" in caplog.text and "LayerNorm" in caplog.text
    np.testing.assert_allclose(fallback.embed(QUESTIONS, kind="query"),
                               embedder.embed(QUESTIONS, kind="query"), atol=1e-6)
    leftovers = list((tmp_path / "cache").iterdir()) if (tmp_path / "cache").exists() else []
    assert leftovers == []  # nothing half-written left behind
