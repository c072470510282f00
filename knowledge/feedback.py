"""Pseudo-relevance feedback: words of the first passages found, searched for as well.

A short everyday question shares few words with the article that answers it; the best
passages of a first search often share more (their own official words). The terms that
weigh most in those passages (frequency in them × IDF), not already in the question, are
scored with BM25 and added at a fraction of the question's own best score.
Measured on the held-out everyday questions and the dev set (docs/developers.md, "Lexicon and query
expansion"); off unless `FusionWeights.feedback` > 0.
"""

from __future__ import annotations

from collections import Counter
from typing import Sequence

import numpy as np

from knowledge.lexical import QUESTION_WORDS, LexicalIndex
from knowledge.passages import Chunk
from knowledge.text import lexical_terms, normalize

FEEDBACK_PASSAGES = 3  # the first passages read for feedback
FEEDBACK_TERMS = 10  # terms taken from them


def feedback_scores(
    index: LexicalIndex,
    chunks: Sequence[Chunk],
    scores: np.ndarray,
    query: str,
    weight: float,
) -> np.ndarray:
    """`scores` plus the feedback terms' BM25 scores, scaled so their best is `weight` times
    the best of `scores`."""
    best = float(scores.max()) if len(scores) else 0.0
    if weight <= 0 or best <= 0:
        return scores
    k = min(FEEDBACK_PASSAGES, len(scores))
    top = np.argpartition(-scores, k - 1)[:k]
    top = top[scores[top] > 0]
    asked = set(lexical_terms(normalize(query), folded=True))
    counts: Counter[str] = Counter()
    for row in top:
        for term in lexical_terms(chunks[int(row)].text, folded=True):
            if term not in asked and term not in QUESTION_WORDS and not term.isdigit():
                counts[term] += 1
    weighted = sorted(
        ((n * index.idf(t), t) for t, n in counts.items()), reverse=True
    )[:FEEDBACK_TERMS]
    extra = index.term_scores([t for _, t in weighted])
    extra_best = float(extra.max()) if len(extra) else 0.0
    if extra_best <= 0:
        return scores
    return scores + (weight * best / extra_best) * extra
