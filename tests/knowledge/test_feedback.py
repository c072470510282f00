"""Pseudo-relevance feedback (measured, off by default): what it adds and what it leaves."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from indexer.build import build_store
from knowledge.embedder import HashingEmbedder
from knowledge.feedback import feedback_scores
from knowledge.search import FusionWeights, Searcher
from knowledge.store import StoreReader


def test_feedback_adds_the_first_passages_words_at_a_share_of_the_best_score(
    tmp_path: Path, knowledge_dir: Path, hashing_embedder: HashingEmbedder
) -> None:
    build_store([knowledge_dir], tmp_path / "store", hashing_embedder)
    version = StoreReader(tmp_path / "store").current()
    assert version is not None
    query = "tổ xung kích"
    scores = version.lexical.scores(query)
    assert feedback_scores(version.lexical, version.chunks, scores, query, 0.0) is scores
    fed = feedback_scores(version.lexical, version.chunks, scores, query, 0.5)
    added = fed - scores
    assert np.all(added >= 0) and float(added.max()) == pytest.approx(0.5 * float(scores.max()))
    # passages that never mention the question's words are reached through the feedback words
    assert np.count_nonzero(fed) > np.count_nonzero(scores)
    on = Searcher(StoreReader(tmp_path / "store"), None, FusionWeights(feedback=0.5))
    off = Searcher(StoreReader(tmp_path / "store"), None)
    assert len(on.search(query, k=20, mode="lexical")) > len(off.search(query, k=20, mode="lexical"))
