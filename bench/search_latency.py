"""Search latency at 10k and 100k chunks: hybrid `Searcher.search` with the real query encoder.

Stores are written directly (`write_version` + `publish`) with realistic, distinct chunk texts
and random unit vectors of the real model's dimension under the real model's ModelInfo, so the
Searcher runs its dense path without encoding 100k passages. Queries (accented, unaccented,
some naming document numbers) are embedded by the real model. Peak memory is measured in a
separate process that loads only the model and the largest store and runs the queries.

    .venv/bin/python bench/search_latency.py [--sizes 10000 100000] [--queries 200]
"""

from __future__ import annotations

import argparse
import cProfile
import json
import pstats
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

import faiss
import numpy as np

from _corpus import (DOC_KINDS, PROVINCES, SECTION_HEADINGS, TOPICS, Corpus, load_real_embedder,
                     machine_note, peak_rss_mb, timer)

from indexer.build import PIPELINE_VERSION
from knowledge.docnumbers import DOC_TYPES
from knowledge.passages import Chunk, DocumentMeta, indexed_text
from knowledge.search import Searcher
from knowledge.store import ModelInfo, StoreReader, publish, write_version
from knowledge.term_counts import TermCounts
from knowledge.text import fold, normalize

CHUNKS_PER_DOC = 20
REAL_MODEL = ModelInfo("sentence-transformers/all-MiniLM-L6-v2", 384)  # checked against the model


def build_synthetic_store(store_dir: Path, n_chunks: int, corpus: Corpus, model: ModelInfo) -> None:
    rng = np.random.default_rng(n_chunks)
    documents, chunks, chunk_files, texts, files = [], [], [], [], {}
    seen: set[str] = set()
    for d in range((n_chunks + CHUNKS_PER_DOC - 1) // CHUNKS_PER_DOC):
        _, suffix = DOC_KINDS[d % len(DOC_KINDS)]
        number = f"{d % 300 + 1:02d}-{suffix}"
        doc = DocumentMeta(
            doc_id=f"tinh-{d % len(PROVINCES)}/van-ban-{d:06d}.txt", source=f"van-ban-{d:06d}.txt",
            title=f"Về {TOPICS[d % len(TOPICS)]} ({PROVINCES[d % len(PROVINCES)]})",
            number=number, doc_type=DOC_TYPES[suffix.split("/")[0]],
            issuer="Ban Thường vụ Tỉnh ủy", issued=date(2016 + d % 10, d % 12 + 1, d % 28 + 1))
        documents.append(doc)
        key = f"/synthetic/{doc.doc_id}"
        files[key] = {"hash": f"{d:064x}", "documents": [doc.doc_id]}
        for o in range(min(CHUNKS_PER_DOC, n_chunks - len(chunks))):
            text = corpus.chunk_text()
            while text in seen:
                text = corpus.chunk_text()
            seen.add(text)
            heading = f"{'I II III IV'.split()[o % 4]}. {SECTION_HEADINGS[o % len(SECTION_HEADINGS)]}"
            chunk = Chunk(doc.doc_id, o, (heading, f"{o % 5 + 1}."), text)
            chunks.append(chunk)
            chunk_files.append(key)
            texts.append(indexed_text(doc, chunk))
    vectors = rng.standard_normal((len(chunks), model.dimension), dtype=np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    name = write_version(store_dir, model=model, files=files, documents=documents, chunks=chunks,
                         chunk_files=chunk_files, vectors=vectors,
                         term_counts=TermCounts.from_texts(texts),
                         extra={"pipeline": PIPELINE_VERSION})
    publish(store_dir, name)


def make_queries(count: int, seed: int) -> list[str]:
    corpus = Corpus(seed)
    rng = corpus.rng
    kinds = ["chỉ thị", "nghị quyết", "kế hoạch", "kết luận", "quy định", "hướng dẫn"]
    asks = ["{} là gì?", "quy định về {} như thế nào", "{}", "cho tôi biết về {}",
            "{} được thực hiện ra sao?", "những nội dung chính về {}"]
    out = []
    for i in range(count):
        words = rng.choice(corpus.sentences).rstrip(".;:").split()
        start = rng.randrange(max(1, len(words) - 6))
        phrase = " ".join(words[start : start + rng.randint(3, 8)]).lower()
        q = rng.choice(asks).format(phrase)
        if i % 4 == 0:  # names a document: "chỉ thị 05", "NQ 12", "kế hoạch số 25-KH/BTGTU"
            n = rng.randint(1, 300)
            form = rng.randrange(3)
            if form == 0:
                q = f"{rng.choice(kinds)} {n:02d} nói gì về {phrase}"
            elif form == 1:
                q = f"NQ{n} {phrase}"
            else:
                q = f"kế hoạch số {n}-KH/BTGTU về {phrase}"
        out.append(fold(q) if i % 2 else q)  # every other query typed without diacritics
    return out


def stats(ms: list[float]) -> str:
    a = np.asarray(ms)
    return f"p50 {np.percentile(a, 50):6.2f}  p95 {np.percentile(a, 95):6.2f}  mean {a.mean():6.2f} ms"


def measure(store_dir: Path, embedder, queries: list[str], profile: bool = False) -> dict[str, list[float]]:
    reader = StoreReader(store_dir)
    with timer() as t:
        version = reader.current()
    print(f"  store load {t[0]:.1f} s ({len(version.chunks)} chunks)")
    searcher = Searcher(reader, embedder)
    for q in queries[:10]:
        searcher.search(q, k=10)  # warm-up (and the per-version preparation)
    res: dict[str, list[float]] = {"search": [], "embed": [], "lexical": [], "faiss": []}
    hits = 0
    for q in queries:
        t0 = time.perf_counter()
        hits += len(searcher.search(q, k=10))
        res["search"].append((time.perf_counter() - t0) * 1000)
    for q in queries:
        nq = normalize(q).strip()
        t0 = time.perf_counter()
        vec = embedder.embed([nq], kind="query")
        t1 = time.perf_counter()
        version.lexical.scores(nq)
        t2 = time.perf_counter()
        version.vectors.search(vec, searcher.dense_candidates)
        t3 = time.perf_counter()
        res["embed"].append((t1 - t0) * 1000)
        res["lexical"].append((t2 - t1) * 1000)
        res["faiss"].append((t3 - t2) * 1000)
    print(f"  {hits / len(queries):.1f} hits per query on average")
    if profile:  # where the time of Searcher.search goes (cProfile inflates Python-heavy parts)
        prof = cProfile.Profile()
        for q in queries:
            prof.runcall(searcher.search, q, k=10)
        print(f"  cProfile of {len(queries)} searches, top functions by own time:")
        pstats.Stats(prof, stream=sys.stdout).sort_stats("tottime").print_stats(12)
    return res


def child(store_dir: Path, n_queries: int, seed: int) -> None:
    import psutil

    proc = psutil.Process()
    base = proc.memory_info().rss
    embedder = load_real_embedder()
    after_model = proc.memory_info().rss
    peak_model = peak_rss_mb()
    searcher = Searcher(StoreReader(store_dir), embedder)
    searcher.reader.current()
    after_store = proc.memory_info().rss
    for q in make_queries(n_queries, seed):
        searcher.search(q, k=10)
    mb = 1024 * 1024
    print(json.dumps({"start_mb": base / mb, "after_model_mb": after_model / mb,
                      "after_store_mb": after_store / mb, "end_mb": proc.memory_info().rss / mb,
                      "peak_after_model_mb": peak_model,
                      "peak_mb": peak_rss_mb()}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--faiss-threads", type=int, default=1,
                        help="faiss.omp_set_num_threads, as the CLI does (Settings.faiss_threads)")
    parser.add_argument("--profile", action="store_true", help="cProfile the searches too")
    parser.add_argument("--workdir", type=Path, help="keep (and reuse) stores here (default: temp)")
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    faiss.omp_set_num_threads(args.faiss_threads)
    if args.child:
        return child(args.child, args.queries, args.seed)

    work = args.workdir or Path(tempfile.mkdtemp(prefix="bench-search-"))
    try:
        print(f"machine: {machine_note()}")
        embedder = load_real_embedder()
        model = ModelInfo(embedder.name, embedder.dimension, embedder.query_prefix,
                          embedder.passage_prefix)
        assert (model.name, model.dimension) == (REAL_MODEL.name, REAL_MODEL.dimension), model
        corpus = Corpus(args.seed)
        queries = make_queries(args.queries, args.seed)
        print(f"FAISS threads {args.faiss_threads}")
        print(f"{len(queries)} queries, e.g. {queries[0]!r}, {queries[1]!r}, {queries[4]!r}")
        results = {}
        for size in args.sizes:
            store_dir = work / f"store-{size}"
            if not (store_dir / "CURRENT").exists():
                with timer() as t:
                    build_synthetic_store(store_dir, size, corpus, model)
                print(f"\nbuilt synthetic store of {size} chunks in {t[0]:.1f} s")
            print(f"\n--- {size} chunks ---")
            results[size] = measure(store_dir, embedder, queries, args.profile)

        print("\n=== search latency (hybrid, k=10, default FusionWeights, real query encoder) ===")
        for size, res in results.items():
            print(f"{size:>7} chunks  search       {stats(res['search'])}")
            for part in ("embed", "lexical", "faiss"):
                print(f"{'':>15} {part:12s} {stats(res[part])}")
            rest = np.mean(res["search"]) - sum(np.mean(res[p]) for p in ("embed", "lexical", "faiss"))
            print(f"{'':>15} rest ≈ {rest:.2f} ms mean (numbers, candidate fusion, exact cosines, "
                  "coverage, top-k)")
        print("target: p95 <= 50 ms")
        print(f"machine at the end of the timings: {machine_note()}")

        biggest = work / f"store-{max(args.sizes)}"
        version_dir = next(p for p in (biggest / "versions").iterdir() if not p.name.startswith("."))
        sizes = {p.relative_to(version_dir).as_posix(): p.stat().st_size
                 for p in version_dir.rglob("*") if p.is_file()}
        total = sum(sizes.values())
        print(f"\n=== {max(args.sizes)}-chunk store on disk: {total / 1e6:.1f} MB ===")
        for name, b in sorted(sizes.items(), key=lambda kv: -kv[1])[:8]:
            print(f"  {name:40s} {b / 1e6:8.1f} MB")

        out = subprocess.run([sys.executable, __file__, "--child", str(biggest),
                              "--faiss-threads", str(args.faiss_threads),
                              "--queries", str(args.queries), "--seed", str(args.seed)],
                             capture_output=True, text=True, check=True)
        mem = json.loads(out.stdout.strip().splitlines()[-1])
        print(f"\n=== memory of a fresh process: model + {max(args.sizes)}-chunk store + "
              f"{args.queries} queries ===")
        print(f"  RSS at start {mem['start_mb']:.0f} MB, after model {mem['after_model_mb']:.0f} MB, "
              f"after store {mem['after_store_mb']:.0f} MB, after queries {mem['end_mb']:.0f} MB")
        print(f"  peak RSS (VmHWM) {mem['peak_mb']:.0f} MB "
              f"(peak while loading the model alone: {mem['peak_after_model_mb']:.0f} MB)")
    finally:
        if not args.workdir:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
