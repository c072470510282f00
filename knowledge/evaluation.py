"""Retrieval metrics over ranked document ids (binary relevance)."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence


@dataclass(frozen=True)
class EvalQuery:
    qid: str
    question: str
    relevant: frozenset[str]


@dataclass(frozen=True)
class Metrics:
    queries: int
    recall_at_1: float
    recall_at_5: float
    recall_at_10: float
    mrr_at_10: float
    ndcg_at_10: float

    def row(self) -> str:
        return (
            f"R@1 {self.recall_at_1:.3f}  R@5 {self.recall_at_5:.3f}  "
            f"R@10 {self.recall_at_10:.3f}  MRR@10 {self.mrr_at_10:.3f}  "
            f"nDCG@10 {self.ndcg_at_10:.3f}  (n={self.queries})"
        )

    def to_json(self) -> dict[str, float]:
        return {
            "R@1": self.recall_at_1, "R@5": self.recall_at_5, "R@10": self.recall_at_10,
            "MRR@10": self.mrr_at_10, "nDCG@10": self.ndcg_at_10, "queries": self.queries,
        }


def load_queries(path: Path) -> list[EvalQuery]:
    out = []
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                data = json.loads(line)
                out.append(EvalQuery(str(data["qid"]), data["question"], frozenset(data["relevant"])))
    return out


def score(rankings: Sequence[Sequence[str]], queries: Sequence[EvalQuery]) -> Metrics:
    """Recall@k is the share of a query's relevant documents in its top k, averaged."""
    if len(rankings) != len(queries):
        raise ValueError("one ranking per query")
    # Queries without any relevant document cannot be scored; they do not count.
    n = sum(1 for q in queries if q.relevant)
    if n == 0:
        return Metrics(0, 0.0, 0.0, 0.0, 0.0, 0.0)
    totals = {"r1": 0.0, "r5": 0.0, "r10": 0.0, "mrr": 0.0, "ndcg": 0.0}
    for ranking, query in zip(rankings, queries):
        top = list(dict.fromkeys(ranking))[:10]  # a repeated id counts once
        relevant = query.relevant
        if not relevant:
            continue
        hits = [doc in relevant for doc in top]
        for k, key in ((1, "r1"), (5, "r5"), (10, "r10")):
            totals[key] += sum(hits[:k]) / len(relevant)
        first = next((i for i, h in enumerate(hits) if h), None)
        if first is not None:
            totals["mrr"] += 1.0 / (first + 1)
        dcg = sum(1.0 / math.log2(i + 2) for i, h in enumerate(hits) if h)
        ideal = sum(1.0 / math.log2(i + 2) for i in range(min(len(relevant), 10)))
        totals["ndcg"] += dcg / ideal
    return Metrics(
        n, totals["r1"] / n, totals["r5"] / n, totals["r10"] / n, totals["mrr"] / n,
        totals["ndcg"] / n,
    )
