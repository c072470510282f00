"""Retrieval metrics on small rankings computed by hand."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from knowledge.evaluation import EvalQuery, load_queries, score


def q(qid: str, *relevant: str) -> EvalQuery:
    return EvalQuery(qid, f"câu hỏi {qid}", frozenset(relevant))


def test_one_relevant_document_at_rank_one() -> None:
    m = score([["a", "x", "y"]], [q("1", "a")])
    assert (m.queries, m.recall_at_1, m.recall_at_5, m.recall_at_10) == (1, 1.0, 1.0, 1.0)
    assert m.mrr_at_10 == 1.0
    assert m.ndcg_at_10 == pytest.approx(1.0)


def test_one_relevant_document_at_rank_three() -> None:
    m = score([["x", "y", "a", "z"]], [q("1", "a")])
    assert m.recall_at_1 == 0.0
    assert m.recall_at_5 == m.recall_at_10 == 1.0
    assert m.mrr_at_10 == pytest.approx(1 / 3)
    # DCG = 1/log2(3+1) = 0.5, ideal DCG = 1
    assert m.ndcg_at_10 == pytest.approx(0.5)


def test_two_relevant_documents() -> None:
    # relevant at ranks 2 and 7
    ranking = ["x1", "a", "x2", "x3", "x4", "x5", "b", "x6"]
    m = score([ranking], [q("1", "a", "b")])
    assert m.recall_at_1 == 0.0
    assert m.recall_at_5 == 0.5
    assert m.recall_at_10 == 1.0
    assert m.mrr_at_10 == 0.5
    dcg = 1 / math.log2(3) + 1 / math.log2(8)
    ideal = 1 + 1 / math.log2(3)
    assert m.ndcg_at_10 == pytest.approx(dcg / ideal)
    assert m.ndcg_at_10 == pytest.approx(0.5912, abs=1e-4)  # (0.6309 + 0.3333) / 1.6309


def test_two_relevant_documents_both_on_top() -> None:
    m = score([["b", "a", "x"]], [q("1", "a", "b")])
    assert m.recall_at_1 == 0.5
    assert m.recall_at_5 == 1.0
    assert m.ndcg_at_10 == pytest.approx(1.0)


def test_only_the_top_ten_count() -> None:
    ranking = [f"x{i}" for i in range(10)] + ["a"]
    m = score([ranking], [q("1", "a")])
    assert (m.recall_at_10, m.mrr_at_10, m.ndcg_at_10) == (0.0, 0.0, 0.0)


def test_metrics_average_over_queries() -> None:
    rankings = [["a"], ["x", "b"], ["x", "y"]]
    queries = [q("1", "a"), q("2", "b"), q("3", "c")]
    m = score(rankings, queries)
    assert m.queries == 3
    assert m.recall_at_1 == pytest.approx(1 / 3)
    assert m.recall_at_5 == pytest.approx(2 / 3)
    assert m.mrr_at_10 == pytest.approx((1 + 0.5 + 0) / 3)
    assert m.ndcg_at_10 == pytest.approx((1 + 1 / math.log2(3)) / 3)
    assert m.to_json()["MRR@10"] == pytest.approx(0.5)
    row = m.row()
    for label in ("R@1 0.333", "R@5 0.667", "R@10 0.667", "MRR@10 0.500", "nDCG@10", "(n=3)"):
        assert label in row


def test_empty_and_mismatched_input() -> None:
    empty = score([], [])
    assert empty.queries == 0 and empty.recall_at_10 == 0.0
    with pytest.raises(ValueError):
        score([["a"]], [q("1", "a"), q("2", "b")])


def test_load_queries(tmp_path: Path) -> None:
    path = tmp_path / "q.jsonl"
    lines = [
        {"qid": 1, "question": "Chỉ thị 05 nói gì?", "relevant": ["ct05", "kh01"]},
        {"qid": "q2", "question": "NQ57", "relevant": ["nq57"]},
    ]
    path.write_text(
        "\n".join(json.dumps(x, ensure_ascii=False) for x in lines) + "\n\n", encoding="utf-8"
    )
    assert load_queries(path) == [
        EvalQuery("1", "Chỉ thị 05 nói gì?", frozenset({"ct05", "kh01"})),
        EvalQuery("q2", "NQ57", frozenset({"nq57"})),
    ]
