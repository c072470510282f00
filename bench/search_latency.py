"""Search latency at 10k and 100k chunks (1M with --sizes): hybrid `Searcher.search` with the
serving query encoder, per vector index, and the memory of a serving process.

Stores are written directly (`write_version` + `publish`) with realistic, distinct chunk texts
under the real model's ModelInfo, so the Searcher runs its dense path without encoding 100k
passages. Their vectors are random unit vectors, or, with `--real-stores`, the real model's
vectors of real documents mixed as bench/vector_index.py mixes them (structure an approximate
index can use; say which in any figure quoted). The same chunks and vectors are written once
per index kind (`--index flat hnsw`), and each kind's hybrid top-10 is compared with the flat
store's (recall@10 of the whole search, not only of FAISS). Queries (accented, unaccented,
some naming document numbers) are embedded as a serving process embeds them: the exported
encoder on ONNX Runtime (`--query-backend torch`: PyTorch, as before).

Memory: a fresh process builds what `tuyengiao run` builds for the core (imports tuyengiao.serve,
`make_searcher(serving=True)`), loads the largest store, answers the queries, and reports its
RSS (anonymous and file-backed apart), its peak (VmHWM), the time from its start to the first
answer, and whether it imported PyTorch.

    .venv/bin/python bench/search_latency.py [--sizes 10000 100000] [--queries 200]
        [--index flat hnsw] [--real-stores STORE ...] [--workdir DIR] [--profile]
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
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

from _corpus import (DOC_KINDS, PROVINCES, SECTION_HEADINGS, TOPICS, Corpus, machine_note,
                     peak_rss_mb, timer)

from knowledge.text import fold, normalize

# Only what a serving process imports anyway is imported at the top: the memory child
# (`--child`) must measure a serving process, not this script's indexing imports.
CHUNKS_PER_DOC = 20
REAL_MODEL = ("sentence-transformers/all-MiniLM-L6-v2", 384)  # checked against the model


def build_synthetic_store(store_dir: Path, n_chunks: int, corpus: Corpus, model,
                          vectors: np.ndarray | None, spec) -> None:
    from indexer.build import PIPELINE_VERSION
    from knowledge.docnumbers import DOC_TYPES
    from knowledge.passages import Chunk, DocumentMeta, indexed_text
    from knowledge.store_writer import publish, write_version
    from knowledge.term_counts import TermCounts

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
    if vectors is None:
        vectors = rng.standard_normal((len(chunks), model.dimension), dtype=np.float32)
        vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    name = write_version(store_dir, model=model, files=files, documents=documents, chunks=chunks,
                         chunk_files=chunk_files, vectors=vectors[: len(chunks)],
                         term_counts=TermCounts.from_texts(texts),
                         extra={"pipeline": PIPELINE_VERSION}, index_spec=spec)
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


def measure(store_dir: Path, embedder, queries: list[str], profile: bool = False,
            ef_search: int | None = None,
            cpu_parts: bool = False) -> tuple[dict[str, list[float]], list[list[int]]]:
    """Wall time of each search and its CPU time; the parts alone in wall time, or in CPU
    time with `cpu_parts` (then `rest` and the ratio compare CPU with CPU)."""
    from knowledge.search import Searcher
    from knowledge.store import StoreReader

    from knowledge.vector_index import SearchParams

    reader = StoreReader(store_dir, search=SearchParams(ef_search=ef_search or 256))
    with timer() as t:
        version = reader.current()
    print(f"  store load {t[0]:.1f} s ({len(version.chunks)} chunks, "
          f"{version.manifest.get('vector_index', {}).get('kind', 'flat')})")
    searcher = Searcher(reader, embedder)
    for q in queries[:10]:
        searcher.search(q, k=10)  # warm-up (and the per-version preparation)
    res: dict[str, list[float]] = {"search": [], "cpu": [], "embed": [], "lexical": [],
                                   "faiss": []}
    tops: list[list[int]] = []
    for q in queries:
        t0, c0 = time.perf_counter(), time.thread_time()
        hits = searcher.search(q, k=10)
        # CPU time of this thread (encoder and FAISS run on it with one thread each): what a
        # search costs, whatever else the shared machine runs meanwhile.
        res["cpu"].append((time.thread_time() - c0) * 1000)
        res["search"].append((time.perf_counter() - t0) * 1000)
        tops.append([h.row for h in hits])
    for q in queries:
        nq = normalize(q).strip()
        clock = time.thread_time if cpu_parts else time.perf_counter
        t0 = clock()
        vec = embedder.embed([nq], kind="query")
        t1 = clock()
        version.lexical.scores(nq)
        t2 = clock()
        version.nearest(vec[0], searcher.dense_candidates)
        t3 = clock()
        res["embed"].append((t1 - t0) * 1000)
        res["lexical"].append((t2 - t1) * 1000)
        res["faiss"].append((t3 - t2) * 1000)
    print(f"  {np.mean([len(t) for t in tops]):.1f} hits per query on average")
    if profile:  # where the time of Searcher.search goes (cProfile inflates Python-heavy parts)
        prof = cProfile.Profile()
        for q in queries:
            prof.runcall(searcher.search, q, k=10)
        print(f"  cProfile of {len(queries)} searches, top functions by own time:")
        pstats.Stats(prof, stream=sys.stdout).sort_stats("tottime").print_stats(14)
    return res, tops


def rss_parts() -> dict[str, float]:
    """RSS, its anonymous and file-backed parts, and the peak, in MB (Linux /proc)."""
    out = {}
    for line in Path("/proc/self/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "RssAnon", "RssFile", "VmHWM"):
            out[key] = int(value.split()[0]) / 1024
    return out


def child(store_dir: Path, n_queries: int, seed: int, started: float) -> None:
    """A serving process: what `tuyengiao run` builds for the core, then the queries."""
    marks = {"start": rss_parts()}
    import tuyengiao.serve  # noqa: F401 - the serving process's modules, as `tuyengiao run` has them
    from tuyengiao.commands import make_searcher
    from tuyengiao.settings import Settings

    settings = Settings(_env_file=None)
    marks["imports"] = rss_parts()
    searcher = make_searcher(settings, store_dir, serving=True)
    marks["encoder"] = rss_parts()
    searcher.reader.current()
    marks["store"] = rss_parts()
    queries = make_queries(n_queries, seed)
    first = searcher.search(queries[0], k=10)
    to_first = time.time() - started
    cpu_first = time.process_time()  # this process's CPU until then, all threads
    assert first, "no answer"
    for q in queries[1:]:
        searcher.search(q, k=10)
    marks["queries"] = rss_parts()
    print(json.dumps({"marks": marks, "peak_mb": peak_rss_mb(), "first_answer_s": to_first,
                      "first_answer_cpu_s": cpu_first,
                      "torch": "torch" in sys.modules,
                      "encoder": type(searcher.embedder.inner).__name__}))


def memory_report(store: Path, args: argparse.Namespace, backend: str) -> None:
    env = {**os.environ, "EMBEDDING_QUERY_BACKEND": backend, "HF_HUB_OFFLINE": "1",
           "ENCODER_CACHE_DIR": str(args.encoders), "SERVE_TORCH_THREADS": "1",
           "HNSW_EF_SEARCH": str(args.ef_search)}
    out = subprocess.run([sys.executable, __file__, "--child", str(store), "--started",
                          repr(time.time()), "--queries", str(args.queries),
                          "--seed", str(args.seed)],
                         capture_output=True, text=True, check=True, env=env)
    mem = json.loads(out.stdout.strip().splitlines()[-1])
    m = mem["marks"]
    print(f"\n=== a serving process ({backend} query encoder: {mem['encoder']}; PyTorch "
          f"{'imported' if mem['torch'] else 'not imported'}), {store.name}, "
          f"{args.queries} queries ===")
    for mark in ("start", "imports", "encoder", "store", "queries"):
        r = m[mark]
        print(f"  after {mark:8s} RSS {r['VmRSS']:6.0f} MB (anonymous {r['RssAnon']:6.0f}, "
              f"file-backed {r['RssFile']:5.0f})")
    print(f"  peak RSS (VmHWM) {mem['peak_mb']:.0f} MB; start to first answer "
          f"{mem['first_answer_s']:.2f} s ({mem['first_answer_cpu_s']:.2f} s of CPU)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--index", nargs="+", default=["flat", "ivf"],
                        choices=["flat", "ivf", "hnsw"], help="vector index kinds to compare")
    parser.add_argument("--ef-search", type=int, default=256, help="HNSW_EF_SEARCH")
    parser.add_argument("--real-stores", type=Path, nargs="*", default=[],
                        help="stores built with the real model: mixed real vectors, not random")
    parser.add_argument("--extra-vectors", type=Path,
                        help="more real-model vectors (.npy of bench/window_vectors.py)")
    parser.add_argument("--query-backend", choices=["onnx", "torch"], default="onnx")
    parser.add_argument("--faiss-threads", type=int, default=1,
                        help="faiss.omp_set_num_threads, as the CLI does (Settings.faiss_threads)")
    parser.add_argument("--profile", action="store_true", help="cProfile the searches too")
    parser.add_argument("--cpu", action="store_true",
                        help="time the parts in CPU time (a shared machine's wall times are noise)")
    parser.add_argument("--memory", nargs="*", default=["onnx", "torch"],
                        help="query backends whose serving process memory to measure")
    parser.add_argument("--workdir", type=Path, help="keep (and reuse) stores here (default: temp)")
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--started", type=float, help=argparse.SUPPRESS)
    args = parser.parse_args()
    faiss.omp_set_num_threads(args.faiss_threads)
    if args.child:
        return child(args.child, args.queries, args.seed, args.started)
    from knowledge.embedder import EmbedderConfig
    from knowledge.query_encoder import load_query_encoder, torch_encoder
    from knowledge.store import ModelInfo
    from knowledge.vector_index import VectorIndexSpec

    work = args.workdir or Path(tempfile.mkdtemp(prefix="bench-search-"))
    args.encoders = work / "encoders"
    try:
        print(f"machine: {machine_note()}")
        config = EmbedderConfig()
        if args.query_backend == "onnx":
            embedder = load_query_encoder(config, args.encoders)  # exported on first use
        else:
            embedder = torch_encoder(config, threads=1)
        print(f"query encoder: {type(embedder).__name__}, 1 thread")
        model = ModelInfo(embedder.name, embedder.dimension)
        assert (model.name, model.dimension) == REAL_MODEL, model
        queries = make_queries(args.queries, args.seed)
        print(f"FAISS threads {args.faiss_threads}; HNSW efSearch {args.ef_search}")
        print(f"{len(queries)} queries, e.g. {queries[0]!r}, {queries[1]!r}, {queries[4]!r}")
        source = "random unit vectors"
        real = docs = None
        if args.real_stores:
            from vector_index import mixed, real_vectors

            real, docs = real_vectors(args.real_stores)
            if args.extra_vectors:
                extra = np.load(args.extra_vectors).astype(np.float32)
                real = np.vstack([real, extra])
                docs = np.concatenate([docs, 10**9 + np.arange(len(extra)) // 5])
            source = f"{len(real)} real-model vectors of real documents + mixes of them"
        print(f"store vectors: {source}")
        results: dict[tuple[int, str], dict[str, list[float]]] = {}
        recall: dict[tuple[int, str], float] = {}
        for size in args.sizes:
            vectors = None
            if real is not None:
                vectors = mixed(real, docs, size, np.random.default_rng(size))
            flat_tops = None
            for kind in args.index:
                store_dir = work / f"store-{size}-{kind}"
                if not (store_dir / "CURRENT").exists():
                    with timer() as t:
                        build_synthetic_store(store_dir, size, Corpus(args.seed), model, vectors,
                                              VectorIndexSpec(kind=kind))
                    print(f"\nbuilt synthetic store of {size} chunks ({kind}) in {t[0]:.1f} s")
                print(f"\n--- {size} chunks, {kind} ---")
                res, tops = measure(store_dir, embedder, queries, args.profile, args.ef_search,
                                    args.cpu)
                results[(size, kind)] = res
                if kind == "flat":
                    flat_tops = tops
                if flat_tops is not None:
                    recall[(size, kind)] = float(np.mean(
                        [len(set(a) & set(b)) / max(len(b), 1) for a, b in zip(tops, flat_tops)]))

        print(f"\n=== search latency (hybrid, k=10, default FusionWeights, {args.query_backend} "
              f"query encoder; store vectors: {source}) ===")
        for (size, kind), res in results.items():
            r = f"  recall@10 of the search vs flat {recall[(size, kind)]:.4f}" if (
                size, kind) in recall else ""
            print(f"{size:>7} chunks {kind:5s} search  {stats(res['search'])}{r}")
            print(f"{'':>20} CPU      {stats(res['cpu'])}")
            clock = "CPU" if args.cpu else "wall"
            for part in ("embed", "lexical", "faiss"):
                print(f"{'':>20} {part:8s} {stats(res[part])} ({clock})")
            whole = res["cpu"] if args.cpu else res["search"]
            rest = np.mean(whole) - sum(np.mean(res[p]) for p in ("embed", "lexical", "faiss"))
            floor = sum(np.percentile(res[p], 95) for p in ("embed", "lexical", "faiss"))
            print(f"{'':>20} rest ≈ {rest:.2f} ms mean {clock} (numbers, candidate fusion, exact "
                  f"cosines, coverage, top-k); search p95 / sum of the parts' p95 = "
                  f"{np.percentile(whole, 95) / floor:.2f} ({clock})")
        print("target: p95 <= 20 ms at 100k")
        print(f"machine at the end of the timings: {machine_note()}")

        size = max(args.sizes)
        kind = "ivf" if "ivf" in args.index else args.index[-1]
        biggest = work / f"store-{size}-{kind}"
        version_dir = next(p for p in (biggest / "versions").iterdir() if not p.name.startswith("."))
        sizes = {p.relative_to(version_dir).as_posix(): p.stat().st_size
                 for p in version_dir.rglob("*") if p.is_file()}
        total = sum(sizes.values())
        print(f"\n=== {size}-chunk store ({kind}) on disk: {total / 1e6:.1f} MB ===")
        for name, b in sorted(sizes.items(), key=lambda kv: -kv[1])[:8]:
            print(f"  {name:40s} {b / 1e6:8.1f} MB")
        for backend in args.memory:
            memory_report(biggest, args, backend)
    finally:
        if not args.workdir:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
