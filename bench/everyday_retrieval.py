"""What each search lever buys on everyday-language questions, measured one against another
in one run: plain BM25, today's default, and the lexicon's levers on top.

    .venv/bin/python bench/everyday_retrieval.py --store data/store/eval/corpus \
        [--everyday bench/data/everyday_questions.jsonl] \
        [--dev ../shared/eval/alqac2022/queries.jsonl] [--variants default+lexicon ...] \
        [--adapted-model DIR --adapted-store DIR]

The store must hold the ALQAC corpus (`tuyengiao eval --corpus .../corpus.jsonl ...` builds it
under data/store/eval/corpus). Every variant runs every question as given and with its
diacritics stripped; figures are printed for the whole set and for its odd and even halves
(a choice that holds on one half only is noise). The dev set (exam-style questions) is run
too: expansion must not cost it. With --adapted-model (a model from `tuyengiao adapt`) and
--adapted-store (the same corpus indexed with it), the new default is also run with the
adapted model, at dense weights 0.2 and 0.4.
"""

from __future__ import annotations

import argparse
import os
import sys
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Sequence

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from knowledge.embedder import Embedder, EmbedderConfig, Kind, SentenceTransformerEmbedder  # noqa: E402
from knowledge.evaluation import EvalQuery, load_queries, score  # noqa: E402
from knowledge.expansion import QueryExpander  # noqa: E402
from knowledge.lexicon_files import Lexicon, bundled_files, load_lexicon  # noqa: E402
from knowledge.search import FusionWeights, Mode, Searcher  # noqa: E402
from knowledge.store import StoreReader  # noqa: E402
from knowledge.text import fold  # noqa: E402
from tuyengiao.commands import fusion_weights, make_embedder  # noqa: E402
from tuyengiao.settings import Settings  # noqa: E402

REPO = Path(__file__).resolve().parent.parent


class CachedEmbedder:
    """The real embedder, each distinct query text encoded once across all variants."""

    def __init__(self, inner: Embedder) -> None:
        self.inner = inner
        self.name, self.dimension, self.max_tokens = inner.name, inner.dimension, inner.max_tokens
        self._cache: dict[tuple[str, str], np.ndarray] = {}

    def embed(self, texts: Sequence[str], *, kind: Kind) -> np.ndarray:
        missing = [t for t in dict.fromkeys(texts) if (kind, t) not in self._cache]
        if missing:
            for text, vector in zip(missing, self.inner.embed(missing, kind=kind)):
                self._cache[(kind, text)] = vector
        return np.stack([self._cache[(kind, t)] for t in texts])

    def count_tokens(self, text: str) -> int:
        return self.inner.count_tokens(text)


@dataclass(frozen=True)
class Variant:
    name: str
    mode: Mode
    weights: FusionWeights
    lexicon: str  # "none", "abbreviations", "wording", "both"


def variants(base: FusionWeights) -> dict[str, Variant]:
    plain = replace(base, abbreviations=0.0, wording=0.0)
    out = [
        Variant("plain BM25", "lexical", plain, "none"),
        Variant("today's default (hybrid)", "hybrid", plain, "none"),
        Variant("+ abbreviations", "hybrid", base, "abbreviations"),
        Variant("+ wording", "hybrid", base, "wording"),
        Variant("+ both (new default)", "hybrid", base, "both"),
        Variant("+ both, lexical only", "lexical", base, "both"),
        Variant("+ both, dense sees expansion", "hybrid", replace(base, dense_expansion=True), "both"),
    ]
    for w in (0.25, 0.75, 1.0):
        out.append(Variant(f"+ both, wording weight {w}", "hybrid", replace(base, wording=w), "both"))
    for w in (0.5, 2.0):
        out.append(Variant(
            f"+ both, abbreviation weight {w}", "hybrid", replace(base, abbreviations=w), "both"
        ))
    for w in (0.2, 0.4):
        out.append(Variant(f"+ both + feedback {w}", "hybrid", replace(base, feedback=w), "both"))
    return {v.name: v for v in out}


def expander_for(kind: str, lexicon: Lexicon) -> QueryExpander | None:
    if kind == "none":
        return None
    if kind == "abbreviations":
        return QueryExpander(Lexicon(lexicon.abbreviations, ()))
    if kind == "wording":
        return QueryExpander(Lexicon((), lexicon.wordings))
    return QueryExpander(lexicon)


def run(searcher: Searcher, queries: list[EvalQuery], mode: Mode, strip: bool) -> list[list[str]]:
    rankings = []
    for q in queries:
        text = fold(q.question) if strip else q.question
        hits = searcher.search(text, k=10, mode=mode, distinct_docs=True)
        rankings.append([h.doc.doc_id for h in hits])
    return rankings


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--store", type=Path, default=REPO / "data/store/eval/corpus")
    p.add_argument("--everyday", type=Path, default=REPO / "bench/data/everyday_questions.jsonl")
    p.add_argument("--dev", type=Path, default=REPO.parent / "shared/eval/alqac2022/queries.jsonl")
    p.add_argument("--no-dev", action="store_true", help="skip the dev set (faster)")
    p.add_argument("--variants", nargs="*", help="names to run (default: all)")
    p.add_argument("--adapted-model", type=Path,
                   help="a model from `tuyengiao adapt`: the new default is run with it too")
    p.add_argument("--adapted-store", type=Path,
                   help="the same corpus indexed with --adapted-model (tuyengiao eval --store)")
    args = p.parse_args()
    settings = Settings()
    embedder = CachedEmbedder(make_embedder(settings))
    lexicon = load_lexicon(bundled_files())
    reader = StoreReader(args.store)
    if reader.current() is None:
        sys.exit(f"no store at {args.store}: run tuyengiao eval first")
    sets = {"everyday": load_queries(args.everyday)}
    if not args.no_dev:
        sets["dev"] = load_queries(args.dev)
    print(f"load average at start: {os.getloadavg()[0]:.2f}")
    base = replace(fusion_weights(settings), abbreviations=1.0, wording=0.5)
    runs = [
        (name, v, reader, embedder) for name, v in variants(base).items()
        if not args.variants or name in args.variants
    ]
    if args.adapted_model:
        adapted = CachedEmbedder(SentenceTransformerEmbedder(EmbedderConfig(model=str(args.adapted_model))))
        adapted_reader = StoreReader(args.adapted_store)
        if adapted_reader.current() is None:
            sys.exit(f"no store at {args.adapted_store}: index the corpus with the adapted model")
        for dense in (0.2, 0.4):
            name = f"+ both, adapted model, dense {dense}"
            runs.append((name, Variant(name, "hybrid", replace(base, dense=dense), "both"),
                         adapted_reader, adapted))
    for name, v, reader, embedder in runs:
        searcher = Searcher(reader, embedder, v.weights, expander=expander_for(v.lexicon, lexicon))
        for set_name, queries in sets.items():
            for strip in (False, True):
                rankings = run(searcher, queries, v.mode, strip)
                whole = score(rankings, queries)
                halves = [
                    score(rankings[i::2], queries[i::2]) for i in (0, 1)
                ]
                variant = "no diacritics" if strip else "as given"
                print(
                    f"{name:34s} {set_name:8s} {variant:13s} MRR@10 {whole.mrr_at_10:.3f} "
                    f"R@10 {whole.recall_at_10:.3f} R@1 {whole.recall_at_1:.3f} | odd "
                    f"{halves[0].mrr_at_10:.3f}/{halves[0].recall_at_10:.3f} even "
                    f"{halves[1].mrr_at_10:.3f}/{halves[1].recall_at_10:.3f}",
                    flush=True,
                )
    print(f"load average at end: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
