"""Hybrid search over the published store: lexical (folded BM25) and dense.

Scores of each method are divided by that method's best score for the query and combined
with weights measured on the dev set (docs/developers.md, "Retrieval quality"). A query that names a
document number ("chỉ thị 05", "NQ57", "57-NQ/TW") puts that document's passages first.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Literal

import numpy as np

from knowledge.docnumbers import NumberRef, parse_number, parse_number_refs, reference_words
from knowledge.embedder import Embedder
from knowledge.excerpts import Neighbours
from knowledge.feedback import feedback_scores
from knowledge.expansion import Expansion, QueryExpander
from knowledge.passages import Chunk, DocumentMeta
from knowledge.store import StoreReader, StoreVersion
from knowledge.text import canonical, fold, spaced_breaks

logger = logging.getLogger(__name__)

Mode = Literal["hybrid", "lexical", "dense"]
MODES: tuple[Mode, ...] = ("hybrid", "lexical", "dense")

MAX_QUERY_CHARS = 1000  # a pasted page is not a question; its start is enough to search
NUMBER_BOOST = 10.0  # larger than any fused score, so a named document always comes first


@dataclass(frozen=True)
class FusionWeights:
    """Weights of each method's max-normalised score. Defaults measured on ALQAC (docs/developers.md)."""

    lexical: float = 1.0  # BM25 on diacritic-folded syllables and bigrams
    dense: float = 0.2  # embedding cosine
    # Query expansion from the lexicon (knowledge/expansion.py): each alternative phrase's BM25
    # score, times this weight, is added to the question's own lexical score.
    abbreviations: float = 1.0  # "NQ" <-> "nghị quyết": the same words, written short
    wording: float = 0.5  # "bị đuổi việc" -> "sa thải": related, not identical
    dense_expansion: bool = False  # also embed the alternatives with the question
    # Pseudo-relevance feedback (knowledge/feedback.py): best feedback score as a share of the
    # best lexical score; 0 is off.
    feedback: float = 0.0


@dataclass(frozen=True)
class SearchHit:
    chunk: Chunk
    doc: DocumentMeta
    row: int  # the chunk's row in the store version
    score: float  # fused score (plus NUMBER_BOOST when the query named this document)
    coverage: float  # IDF-weighted share of the query's words found in the chunk (0..1)
    similarity: float  # dense cosine, 0 when dense search was not used
    named: bool  # the query named this document by number


class _Prepared:
    """Per-version arrays for filtering and number lookup, built once per version."""

    def __init__(self, version: StoreVersion) -> None:
        self.version = version
        docs = version.chunk_docs
        self.types = np.array([fold(d.doc_type or "") for d in docs], dtype=object)
        self.years = np.array([d.year or 0 for d in docs], dtype=np.int32)
        self.doc_rows: dict[str, list[int]] = version.rows_by_document()
        # Documents by the serial of their number, so a named lookup checks a handful.
        self.by_serial: dict[str, list[DocumentMeta]] = {}
        for doc in version.documents.values():
            parsed = parse_number(doc.number) if doc.number else None
            if parsed is not None:
                self.by_serial.setdefault(parsed.serial, []).append(doc)

    def rows_named_by(self, refs: list[NumberRef]) -> list[int]:
        rows: list[int] = []
        for ref in refs:
            for doc in self.by_serial.get(ref.serial, ()):
                if ref.matches(doc.number, doc.doc_type):
                    rows.extend(self.doc_rows.get(doc.doc_id, ()))
        return rows


class Searcher:
    def __init__(
        self,
        reader: StoreReader,
        embedder: Embedder | None,
        weights: FusionWeights = FusionWeights(),
        *,
        dense_candidates: int = 200,
        expander: QueryExpander | None = None,
    ) -> None:
        self.reader = reader
        self.embedder = embedder
        self.weights = weights
        self.expander = expander
        self.dense_candidates = dense_candidates
        self._prepared: _Prepared | None = None

    def _prepare(self) -> _Prepared | None:
        version = self.reader.current()
        if version is None or not version.chunks:
            return None
        if self._prepared is None or self._prepared.version is not version:
            self._prepared = _Prepared(version)
            model = version.model
            if self.embedder is not None and (
                model.name != self.embedder.name or model.dimension != self.embedder.dimension
            ):
                logger.warning(
                    "store %s was built with %s (%d dims), not %s: dense search is off "
                    "until it is re-indexed", version.name, model.name, model.dimension,
                    self.embedder.name,
                )
        return self._prepared

    def _dense_usable(self, version: StoreVersion) -> bool:
        model = version.model
        return (
            self.embedder is not None
            and model.name == self.embedder.name
            and model.dimension == self.embedder.dimension
        )

    def documents(self) -> list[DocumentMeta]:
        """The documents of the current store version (none when there is no store)."""
        version = self.reader.current()
        return list(version.documents.values()) if version is not None else []

    def neighbours(self, hit: SearchHit) -> Neighbours:
        """The passages before and after a hit in its document, from the version it came
        from (nothing when the store has moved on since)."""
        prepared = self._prepared
        if prepared is None:
            return Neighbours()
        chunks = prepared.version.chunks
        if not 0 <= hit.row < len(chunks) or chunks[hit.row] != hit.chunk:
            return Neighbours()

        def text(row: int) -> str | None:
            same = 0 <= row < len(chunks) and chunks[row].doc_id == hit.chunk.doc_id
            return chunks[row].text if same else None

        return Neighbours(previous=text(hit.row - 1), following=text(hit.row + 1))

    def search(
        self,
        query: str,
        *,
        k: int = 10,
        mode: Mode = "hybrid",
        doc_type: str | None = None,
        year: int | None = None,
        distinct_docs: bool = False,
    ) -> list[SearchHit]:
        """The best k chunks (or k documents' best chunks) for a query."""
        prepared = self._prepare()
        # The matching form (tone placement unified), as the indexed texts are (`indexed_text`).
        query = canonical(spaced_breaks(query[:MAX_QUERY_CHARS])).strip()
        if prepared is None or not query or k <= 0:
            return []
        version = prepared.version
        n = len(version.chunks)
        w = self.weights
        mask: np.ndarray | None = None
        if doc_type:
            mask = prepared.types == fold(doc_type)
        if year:
            mask = (prepared.years == year) if mask is None else mask & (prepared.years == year)
        refs = parse_number_refs(query)
        named_rows = prepared.rows_named_by(refs) if refs else []
        expansion = self.expander.expand(query) if self.expander is not None else None

        # Each method scores every chunk cheaply (sparse BM25, one FAISS scan); fusion then
        # works on the union of each method's best `candidates` rows and the named ones, so
        # its cost does not grow with the store.
        methods: list[tuple[float, np.ndarray, float]] = []  # (weight, scores, best)
        candidates: list[np.ndarray] = [np.asarray(named_rows, dtype=np.int64)]
        if mode in ("hybrid", "lexical"):
            scores = version.lexical.scores(query)
            if expansion is not None:
                scores = _expanded(scores, version, expansion, w)
            if w.feedback > 0:
                scores = feedback_scores(version.lexical, version.chunks, scores, query, w.feedback)
            best = float(scores.max()) if n else 0.0
            if w.lexical > 0 and best > 0:
                methods.append((w.lexical, scores, best))
                candidates.append(_best_rows(scores, self.dense_candidates, mask))
        vector = None
        dense_weight = 1.0 if mode == "dense" else (w.dense if mode == "hybrid" else 0.0)
        if dense_weight > 0 and self._dense_usable(version):
            assert self.embedder is not None
            text = query
            if expansion is not None and w.dense_expansion and expansion.alternatives:
                text = " ".join([query, *expansion.texts()])
            vector = self.embedder.embed([text], kind="query")[0]
            best_dense, found = version.nearest(vector, self.dense_candidates, mask)
            candidates.append(found)
        rows = np.unique(np.concatenate(candidates)) if candidates else np.zeros(0, np.int64)
        if mask is not None:
            rows = rows[mask[rows]]
        fused = np.zeros(len(rows), dtype=np.float64)
        for weight, scores, best in methods:
            fused += weight * scores[rows] / best
        similarity = np.zeros(len(rows), dtype=np.float64)
        if vector is not None and len(rows):
            # Exact cosines for every candidate, so a lexical favourite is not penalised for
            # missing the dense top-N (the weaker method here).
            similarity = np.maximum(version.vectors_of(rows) @ vector, 0.0).astype(np.float64)
            best_sim = best_dense if len(found) else float(similarity.max())
            if best_sim > 0:
                fused += dense_weight * similarity / best_sim
        named = np.isin(rows, named_rows) if named_rows else np.zeros(len(rows), dtype=bool)
        fused[named] += NUMBER_BOOST
        # A chunk that matched nothing at all is no answer, unless its document was named.
        fused[(fused <= 0) & ~named] = -np.inf

        picked = _top_rows(fused, k * 8 if distinct_docs else k)
        if distinct_docs:
            seen: set[str] = set()
            unique = []
            for pos in picked:
                row = rows[pos]
                doc_id = version.chunk_docs[row].doc_id
                if doc_id not in seen:
                    seen.add(doc_id)
                    unique.append(pos)
            picked = unique[:k]
        order = [int(rows[pos]) for pos in picked]
        # The words of a document reference ("nghị quyết 99-NQ/TW") say which document, not
        # what about: they must not make an unrelated passage look relevant.
        ignore = frozenset(word for ref in refs for word in reference_words(ref))
        alternatives = expansion.coverage_alternatives() if expansion is not None else None
        coverage = (
            version.lexical.coverage(query, order, ignore=ignore, alternatives=alternatives)
            if order else []
        )
        return [
            SearchHit(
                chunk=version.chunks[row],
                doc=version.chunk_docs[row],
                row=row,
                score=float(fused[pos]),
                coverage=float(cov),
                similarity=float(similarity[pos]),
                named=bool(named[pos]),
            )
            for pos, row, cov in zip(picked, order, coverage)
        ]


def _expanded(
    scores: np.ndarray, version: StoreVersion, expansion: Expansion, w: FusionWeights
) -> np.ndarray:
    """The question's BM25 scores plus each kind of alternative's, weighted."""
    for kind, weight in (("abbreviation", w.abbreviations), ("wording", w.wording)):
        texts = expansion.texts(kind)  # type: ignore[arg-type]
        if texts and weight > 0:
            scores = scores + weight * version.lexical.phrase_scores(texts)
    return scores


_SAMPLE = 1024  # scores sampled to find a threshold above which the k best lie


def _best_rows(scores: np.ndarray, k: int, mask: np.ndarray | None) -> np.ndarray:
    """Rows of the k highest positive scores (within the mask, if any), unordered."""
    if mask is not None:
        scores = np.where(mask, scores, 0.0)
    k = min(k, len(scores))
    if k == 0:
        return np.zeros(0, dtype=np.int64)
    pool = None
    if len(scores) >= 16 * _SAMPLE:
        # Selecting among all 100k scores cost ~1 ms a query; a threshold taken from a
        # sample leaves a few hundred rows to select from. Every row at or above it is in
        # the pool and every other row scores lower, so once the pool holds k rows the k
        # best are in it: the same rows as a selection over all (up to ties at the k-th).
        sample = scores[:: len(scores) // _SAMPLE]
        above = min(len(sample) - 1, -(-4 * k * len(sample) // len(scores)))
        threshold = np.partition(sample, len(sample) - 1 - above)[len(sample) - 1 - above]
        pool = np.flatnonzero(scores >= threshold)
        if len(pool) < k:
            pool = None
    if pool is None:
        top = np.argpartition(-scores, k - 1)[:k]
    else:
        top = pool[np.argpartition(-scores[pool], k - 1)[:k]]
    return top[scores[top] > 0]


def _top_rows(scores: np.ndarray, k: int) -> list[int]:
    finite = np.flatnonzero(np.isfinite(scores))
    if len(finite) == 0:
        return []
    k = min(k, len(finite))
    part = finite[np.argpartition(-scores[finite], k - 1)[:k]]
    return [int(r) for r in part[np.argsort(-scores[part], kind="stable")]]
