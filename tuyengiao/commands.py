"""What each CLI command does, wired from settings. Printing is allowed here (CLI only)."""

from __future__ import annotations

import json
import logging
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from knowledge.answers import AnswerPolicy, answer_question
from knowledge.embedder import (
    Embedder,
    EmbedderConfig,
    SentenceTransformerEmbedder,
    check_model_path,
)
from knowledge.expansion import QueryExpander
from knowledge.lexicon_files import bundled_files, check_files, load_lexicon
from knowledge.query_batching import QueryBatcher
from knowledge.query_encoder import load_query_encoder, torch_encoder
from knowledge.search import MODES, FusionWeights, Mode, Searcher
from knowledge.store import StoreError, StoreReader, load_current
from knowledge.text import fold
from knowledge.vector_index import SearchParams, VectorIndexSpec
from tuyengiao.settings import Settings

if TYPE_CHECKING:
    from indexer.build import Overlap
    from indexer.loaders import LoadOptions

logger = logging.getLogger(__name__)


def embedder_config(settings: Settings) -> EmbedderConfig:
    """Raises ModelNotFound when EMBEDDING_MODEL is a path to no folder."""
    check_model_path(settings.embedding_model)
    return EmbedderConfig(
        model=settings.embedding_model,
        query_prefix=settings.embedding_query_prefix,
        passage_prefix=settings.embedding_passage_prefix,
        batch_size=settings.embedding_batch_size,
        device=settings.embedding_device,
        max_tokens=settings.embedding_max_tokens,
    )


def make_embedder(settings: Settings) -> SentenceTransformerEmbedder:
    """The PyTorch embedder: indexing (passages) and evaluation."""
    return SentenceTransformerEmbedder(embedder_config(settings))


def encoder_cache_dir(settings: Settings, store: Path) -> Path:
    """Where exported query encoders are kept: ENCODER_CACHE_DIR, else `<store>/encoders`
    (so a store folder copied to a serving machine brings its encoder along)."""
    return settings.encoder_cache_dir or store / "encoders"


def make_query_embedder(settings: Settings, store: Path, *, serving: bool) -> Embedder:
    """The query side of search without PyTorch where possible (knowledge/query_encoder.py):
    the exported encoder on ONNX Runtime (exported in a child process when missing), or
    PyTorch when EMBEDDING_QUERY_BACKEND=torch or the model cannot be exported."""
    threads = settings.serve_torch_threads if serving else 0
    if settings.embedding_query_backend == "torch":
        return torch_encoder(embedder_config(settings), threads=threads)
    return load_query_encoder(embedder_config(settings), encoder_cache_dir(settings, store),
                              threads=threads or 1)


def vector_index_spec(settings: Settings) -> VectorIndexSpec:
    return VectorIndexSpec(
        kind=settings.vector_index, ann_from=settings.vector_index_ann_from,
        hnsw_m=settings.hnsw_m, ef_construction=settings.hnsw_ef_construction,
    )


def search_params(settings: Settings) -> SearchParams:
    return SearchParams(ef_search=settings.hnsw_ef_search, nprobe=settings.ivf_nprobe)


def load_options(settings: Settings) -> LoadOptions:
    """How the indexer reads files: OCR of scanned pages, the page limit."""
    from indexer.loaders import LoadOptions

    return LoadOptions(
        ocr=settings.ocr,
        ocr_language=settings.ocr_languages,
        ocr_dpi=settings.ocr_dpi,
        max_pages=settings.max_pages,
    )


def overlap(settings: Settings) -> Overlap:
    """How indexing overlaps reading files with embedding their chunks."""
    from indexer.build import Overlap

    return Overlap(workers=settings.index_workers, window=settings.index_embed_window)


def fusion_weights(settings: Settings) -> FusionWeights:
    return FusionWeights(
        lexical=settings.search_weight_lexical,
        dense=settings.search_weight_dense,
        abbreviations=settings.search_weight_abbreviations,
        wording=settings.search_weight_wording,
    )


def make_expander(settings: Settings) -> QueryExpander:
    """The bundled lexicon files plus the officers' own (LEXICON_FILES); unreadable rows and
    files are logged and skipped."""
    return QueryExpander(load_lexicon([*bundled_files(), *settings.lexicon_paths]))


def answer_policy(settings: Settings) -> AnswerPolicy:
    return AnswerPolicy(
        min_coverage=settings.answer_min_coverage, max_passages=settings.answer_max_passages
    )


def make_searcher(
    settings: Settings, store: Path, *, mode: Mode = "hybrid", serving: bool = False,
    reader: StoreReader | None = None,
) -> Searcher:
    """A searcher over the store (or over `reader`, one already opened on it). `serving`:
    many questions at once (the bot), so query embeddings are batched across concurrent
    questions and recent ones cached."""
    weights = fusion_weights(settings)
    # The model is only loaded when the query side needs it: a lexical-only default answers
    # without paying for loading torch.
    needs_model = mode == "dense" or (mode == "hybrid" and weights.dense > 0)
    embedder = make_query_embedder(settings, store, serving=serving) if needs_model else None
    if embedder is not None and serving:
        embedder = QueryBatcher(
            embedder, max_batch=settings.query_batch_max, cache_size=settings.query_cache_size
        )
    reader = reader or StoreReader(store, search=search_params(settings))
    return Searcher(reader, embedder, weights, expander=make_expander(settings))


EXIT_STORE_BUSY = 75  # sysexits.h EX_TEMPFAIL: try again later


def index(settings: Settings, store: Path, paths: list[Path], *, progress: bool,
          wait: float = 0.0) -> int:
    from indexer.build import build_store
    from indexer.lock import StoreBusy, index_lock
    from tuyengiao.official_store import record_paths, with_answers

    missing = [p for p in paths if not p.exists()]
    for p in missing:
        print(f"not found: {p}", file=sys.stderr)
    if missing:
        return 2
    try:
        # Taken before the model loads: a second run is refused at once, not after loading.
        with index_lock(store, wait=wait):
            embedder = make_embedder(settings)
            # Officers' official answers are part of the knowledge base whatever is indexed;
            # what was indexed is recorded so the bot can publish them without dropping it.
            report = build_store(
                with_answers(settings, paths), store, embedder, progress=progress,
                options=load_options(settings), overlap=overlap(settings),
                index_spec=vector_index_spec(settings),
            )
            record_paths(store, paths)
    except StoreBusy as exc:
        print(exc, file=sys.stderr)
        return EXIT_STORE_BUSY
    if settings.embedding_query_backend == "onnx":
        _export_encoder(embedder, encoder_cache_dir(settings, store))
    for path, reason in report.skipped:
        print(f"skipped {path}: {reason}", file=sys.stderr)
    for path, warning in report.warnings:
        print(f"warning {path}: {warning}", file=sys.stderr)
    for line in report.notes():
        print(line, file=sys.stderr)
    print(report.summary())
    return 0


def _export_encoder(embedder: SentenceTransformerEmbedder, cache_dir: Path) -> None:
    """Export the query encoder for serving while PyTorch is loaded anyway (once per model
    version: a no-op when the cache has it). A model that cannot be exported is served with
    PyTorch; the warning says why."""
    from knowledge.onnx_export import ExportError, ensure_exported

    try:
        ensure_exported(embedder, cache_dir)
    except ExportError as exc:
        print(f"warning: the query encoder cannot run on ONNX Runtime ({exc}); serving will "
              "load PyTorch", file=sys.stderr)


def documents(store: Path, *, as_json: bool) -> int:
    """Every document of the published store with its metadata: the operator's check that a
    folder was read right. JSON: a list of {"doc_id", "source", "number", "type", "issuer",
    "date" (ISO or null), "title" (null when none was found), "chunks", "warnings"}."""
    from knowledge.catalog import catalog_rows, catalog_table

    try:
        version = load_current(store)
    except StoreError as exc:
        print(f"cannot read the store at {store}: {exc}", file=sys.stderr)
        return 2
    if version is None:
        print(f"no store at {store}: run 'tuyengiao index PATH' first", file=sys.stderr)
        return 2
    rows = catalog_rows(version)
    if as_json:
        print(json.dumps(rows, ensure_ascii=False, indent=1))
    else:
        print(catalog_table(rows))
    return 0


def store_usable(reader: StoreReader) -> bool:
    """Load the store; False (with the reason and the way out on stderr) when there is none
    or no version of it can be loaded."""
    try:
        version = reader.current()
    except StoreError as exc:
        print(exc, file=sys.stderr)
        return False
    if version is None:
        print(f"no store at {reader.store_dir}: run 'tuyengiao index PATH' first", file=sys.stderr)
        return False
    if reader.fallback:
        print(f"warning: serving the previous store version {version.name}: the current one "
              f"is not usable ({reader.fallback})", file=sys.stderr)
    return True


def search(settings: Settings, store: Path, query: str, *, k: int, as_json: bool, mode: Mode,
           doc_type: str | None, year: int | None) -> int:
    # The store first: without one there is nothing to search, and loading the model for a
    # query takes seconds.
    reader = StoreReader(store, search=search_params(settings))
    if not store_usable(reader):
        return 2
    searcher = make_searcher(settings, store, mode=mode, reader=reader)
    hits = searcher.search(query, k=k, mode=mode, doc_type=doc_type, year=year)
    rows = [
        {
            "doc_id": h.doc.doc_id,
            "title": h.doc.title,
            "section": h.chunk.section,
            "source": h.doc.source,
            "score": round(h.score, 4),
            "text": h.chunk.text,
        }
        for h in hits
    ]
    if as_json:
        print(json.dumps(rows, ensure_ascii=False, indent=1))
    else:
        for i, (row, hit) in enumerate(zip(rows, hits), 1):
            where = f" › {row['section']}" if row["section"] else ""
            print(f"{i}. [{row['score']:.3f}] {hit.doc.label}{where}  ({row['source']})")
            print("   " + row["text"][:300].replace("\n", "\n   "))
    return 0


def ask(settings: Settings, store: Path, question: str, *, as_json: bool) -> int:
    # Checked before the model loads, as in `search`.
    reader = StoreReader(store, search=search_params(settings))
    if not store_usable(reader):
        return 2
    searcher = make_searcher(settings, store, reader=reader)
    answer = answer_question(searcher, question, answer_policy(settings))
    if as_json:
        print(json.dumps(answer.to_json(), ensure_ascii=False, indent=1))
    else:
        print(answer.text)
    return 0


def lexicon(settings: Settings, files: list[Path]) -> int:
    """Read lexicon files as the bot would; print what was read and every problem."""
    paths = files or [*bundled_files(), *settings.lexicon_paths]
    read, problems = check_files(paths)
    for problem in problems:
        print(problem)
    print(
        f"{len(paths)} files: {len(read.abbreviations)} abbreviation rows, "
        f"{len(read.wordings)} wording rows, {len(problems)} problems"
    )
    return 1 if problems else 0


def evaluate(settings: Settings, store: Path, corpus: Path, queries_path: Path, *,
             out: Path | None, mode: str) -> int:
    from indexer.build import build_store
    from knowledge.evaluation import load_queries, score

    embedder = make_embedder(settings)
    report = build_store([corpus], store, embedder, progress=sys.stderr.isatty(),
                         overlap=overlap(settings), index_spec=vector_index_spec(settings))
    print(f"store {store}: {report.summary()}", file=sys.stderr)
    searcher = Searcher(
        StoreReader(store, search=search_params(settings)), embedder, fusion_weights(settings),
        expander=make_expander(settings),
    )
    queries = load_queries(queries_path)
    modes: tuple[Mode, ...] = MODES if mode == "all" else (mode,)  # type: ignore[assignment]
    dump: dict[str, Any] = {}
    for m in modes:
        for variant in ("as given", "no diacritics"):
            started = time.perf_counter()
            rankings = []
            for q in queries:
                text = q.question if variant == "as given" else fold(q.question)
                hits = searcher.search(text, k=10, mode=m, distinct_docs=True)
                rankings.append([h.doc.doc_id for h in hits])
            elapsed = (time.perf_counter() - started) / max(len(queries), 1) * 1000
            metrics = score(rankings, queries)
            print(f"{m:7s} {variant:13s} {metrics.row()}  {elapsed:.1f} ms/query")
            dump.setdefault(m, {})[variant] = {
                "metrics": metrics.to_json(),
                "top10": {q.qid: r for q, r in zip(queries, rankings)},
            }
    if out:
        out.write_text(json.dumps(dump, ensure_ascii=False, indent=1), encoding="utf-8")
    return 0
