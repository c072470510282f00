"""ONNX Runtime query embeddings: the same vectors as PyTorch for the real model, passages
left to PyTorch, and a clean fallback when the model cannot be exported."""

from __future__ import annotations

import logging

import numpy as np
import pytest

from knowledge.embedder import HashingEmbedder, SentenceTransformerEmbedder
from knowledge.onnx_queries import OnnxQueryEmbedder, onnx_query_embedder

QUESTIONS = [
    "Đảng viên vắng mặt buổi quán triệt Chỉ thị 12 có phải học bù không?",
    "nghi quyet 57 noi gi ve chuyen doi so",
    "Hạn chót gửi báo cáo theo Công văn 150-CV/BTGTU là khi nào?",
    "CT 05",
]


@pytest.fixture(scope="module")
def onnx_embedder(real_embedder: SentenceTransformerEmbedder) -> OnnxQueryEmbedder:
    embedder = onnx_query_embedder(real_embedder)
    assert isinstance(embedder, OnnxQueryEmbedder), "the bundled model must export to ONNX"
    return embedder


@pytest.mark.model
def test_query_vectors_match_pytorch_one_by_one_and_batched(
    onnx_embedder: OnnxQueryEmbedder, real_embedder: SentenceTransformerEmbedder
) -> None:
    expected = real_embedder.embed(QUESTIONS, kind="query")
    batched = onnx_embedder.embed(QUESTIONS, kind="query")  # padded to the longest
    single = np.vstack([onnx_embedder.embed([q], kind="query") for q in QUESTIONS])
    for got in (batched, single):
        assert got.shape == expected.shape and got.dtype == np.float32
        np.testing.assert_allclose(np.linalg.norm(got, axis=1), 1.0, atol=1e-5)
        assert float((got * expected).sum(axis=1).min()) > 0.9999
    assert onnx_embedder.embed([], kind="query").shape == (0, real_embedder.dimension)
    assert (onnx_embedder.name, onnx_embedder.dimension) == (real_embedder.name, real_embedder.dimension)


@pytest.mark.model
def test_passages_and_token_counts_stay_with_pytorch(
    onnx_embedder: OnnxQueryEmbedder, real_embedder: SentenceTransformerEmbedder
) -> None:
    passage = ["Mỗi chi bộ dành ít nhất một kỳ sinh hoạt chuyên đề về chuyển đổi số."]
    np.testing.assert_array_equal(
        onnx_embedder.embed(passage, kind="passage"), real_embedder.embed(passage, kind="passage")
    )
    assert onnx_embedder.count_tokens(passage[0]) == real_embedder.count_tokens(passage[0])


def test_a_model_that_cannot_be_exported_falls_back_with_a_warning(
    caplog: pytest.LogCaptureFixture,
) -> None:
    hashing = HashingEmbedder()  # not a sentence-transformers model: nothing to export
    with caplog.at_level(logging.WARNING, logger="knowledge.onnx_queries"):
        embedder = onnx_query_embedder(hashing)  # type: ignore[arg-type]
    assert embedder is hashing
    assert "query embeddings use PyTorch" in caplog.text
