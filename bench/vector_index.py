"""Which FAISS index for the dense side: flat, SQ8, HNSW and IVF at 10k, 100k and 1M vectors.

For each index and setting: build time, memory (the serialized index, which is what it holds
in RAM), single-query latency (one thread, one query at a time, as a serving process asks) at
k=10 and at k=200 (the Searcher's dense candidates), and recall@10 against the exact flat scan.

Vectors (say which in any figure you quote):
  real   — the real model's passage vectors of real documents, read from stores built with
           it (`--real-stores`: e.g. the ALQAC eval store and an index of ../shared/realdocs),
           plus `--extra-vectors` (real-model vectors of real text windows,
           bench/window_vectors.py);
  mixed  — above the real count, each extra vector is a random convex mix of 2–3 vectors of
           the same real document, normalised (what chunks of more documents on the same
           subjects look like to the model; `--check-mixed` compares recall on real and mixed
           vectors at the real size, to see whether the mixes are as hard as real data);
  gauss  — random unit vectors (no structure: the worst case for any approximate index).
Queries are real questions (ALQAC dev questions and the bench questions of search_latency.py)
embedded by the same model on ONNX Runtime.

    .venv/bin/python bench/vector_index.py --real-stores data/store/eval/corpus data/realdocs \\
        [--sizes 10000 100000 1000000] [--queries 300] [--kinds flat sq8 hnsw ivf]
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import faiss
import numpy as np

from _corpus import REPO, machine_note, timer

from knowledge.store import StoreReader

ALQAC_QUERIES = REPO.parent / "shared" / "eval" / "alqac2022" / "queries.jsonl"


def real_vectors(stores: list[Path]) -> tuple[np.ndarray, np.ndarray]:
    """(vectors, document id per row) of every given store's current version."""
    vectors, docs = [], []
    for i, store in enumerate(stores):
        version = StoreReader(store).current()
        if version is None:
            raise SystemExit(f"no store at {store}")
        vectors.append(np.array(version.all_embeddings()))
        names = {d: n for n, d in enumerate(version.documents)}
        docs.append(np.array([i * 1_000_000 + names[d.doc_id] for d in version.chunk_docs]))
    return np.vstack(vectors).astype(np.float32), np.concatenate(docs)


def mixed(real: np.ndarray, docs: np.ndarray, n: int, rng: np.random.Generator) -> np.ndarray:
    """`n` vectors: the real ones (a random subset when n is smaller), then mixes: a random
    row of a document with two or more chunks, plus one or two other rows of that document,
    with random convex weights, normalised."""
    if n <= len(real):
        return real[rng.permutation(len(real))[:n]]
    order = np.argsort(docs, kind="stable")
    uniq, first, count = np.unique(docs[order], return_index=True, return_counts=True)
    where = np.searchsorted(uniq, docs)  # each row's document, as an index into uniq
    position = np.empty(len(docs), dtype=np.int64)  # each row's place inside its document
    position[order] = np.arange(len(docs)) - first[where[order]]
    bases = np.flatnonzero(count[where] >= 2)
    out = np.empty((n, real.shape[1]), dtype=np.float32)
    out[: len(real)] = real
    done = len(real)
    while done < n:
        m = min(n - done, 200_000)
        base = bases[rng.integers(0, len(bases), m)]
        size, start, pos = count[where[base]], first[where[base]], position[base]
        weights = rng.dirichlet(np.ones(3), m).astype(np.float32)
        weights[rng.random(m) < 0.5, 2] = 0  # half are mixes of two rows, half of three
        mix = weights[:, :1] * real[base]
        for j in (1, 2):
            other = order[start + (pos + rng.integers(1, size)) % size]
            mix += weights[:, j : j + 1] * real[other]
        mix /= np.linalg.norm(mix, axis=1, keepdims=True)
        out[done : done + m] = mix
        done += m
    return out


def gauss(n: int, d: int, rng: np.random.Generator) -> np.ndarray:
    v = rng.standard_normal((n, d), dtype=np.float32)
    return v / np.linalg.norm(v, axis=1, keepdims=True)


def query_vectors(count: int, cache: Path) -> np.ndarray:
    from knowledge.embedder import EmbedderConfig
    from knowledge.query_encoder import load_query_encoder
    from search_latency import make_queries

    questions = [json.loads(line)["question"] for line in ALQAC_QUERIES.open(encoding="utf-8")]
    texts = (questions[: count // 2] + make_queries(count, 7))[:count]
    encoder = load_query_encoder(EmbedderConfig(), cache)  # exported on first use
    return np.vstack([encoder.embed(texts[i : i + 32], kind="query")
                      for i in range(0, len(texts), 32)])


def build(kind: str, vectors: np.ndarray, param: int) -> faiss.Index:
    n, d = vectors.shape
    ip = faiss.METRIC_INNER_PRODUCT
    if kind == "flat":
        index = faiss.IndexFlatIP(d)
    elif kind == "sq8":
        index = faiss.IndexScalarQuantizer(d, faiss.ScalarQuantizer.QT_8bit, ip)
        index.train(vectors[: 100_000])
    elif kind == "hnsw":
        index = faiss.IndexHNSWFlat(d, param, ip)
        index.hnsw.efConstruction = 40
    elif kind == "ivf":  # as a store version builds it (knowledge/vector_index.py)
        from knowledge.vector_index import VectorIndexSpec, build as build_store_index

        return build_store_index(vectors, d, VectorIndexSpec(kind="ivf"))
    else:
        raise ValueError(kind)
    index.add(vectors)
    return index


def latency(index: faiss.Index, queries: np.ndarray, k: int) -> tuple[np.ndarray, list[float]]:
    found = np.empty((len(queries), k), dtype=np.int64)
    ms = []
    for i, q in enumerate(queries):
        t0 = time.perf_counter()
        _, rows = index.search(q[None, :], k)
        ms.append((time.perf_counter() - t0) * 1000)
        found[i] = rows[0]
    return found, ms


def recall_at_10(found: np.ndarray, exact: np.ndarray) -> float:
    return float(np.mean([len(set(f[:10]) & set(e[:10])) / 10 for f, e in zip(found, exact)]))


def pct(ms: list[float]) -> str:
    return f"{np.percentile(ms, 50):7.2f} {np.percentile(ms, 95):7.2f}"


def settings_for(kind: str, n: int) -> list[tuple[int, list[int]]]:
    """(build parameter, search parameters) per kind: HNSW M / efSearch, IVF nlist / nprobe."""
    if kind == "hnsw":
        return [(32, [64, 128, 256, 512])]
    if kind == "ivf":
        from knowledge.vector_index import ivf_lists

        nlist = ivf_lists(n)
        return [(nlist, [p for p in (16, 32, 64, 128, 256, 512) if p <= nlist // 4])]
    return [(0, [0])]


def set_search(index: faiss.Index, kind: str, value: int) -> None:
    if kind == "hnsw":
        index.hnsw.efSearch = value
    elif kind == "ivf":
        index.nprobe = value


def run(name: str, vectors: np.ndarray, queries: np.ndarray, kinds: list[str]) -> None:
    n = len(vectors)
    print(f"\n--- {name}: {n} vectors × {vectors.shape[1]}, {len(queries)} queries "
          f"({machine_note()}) ---")
    print(f"{'index':24s} {'build s':>8s} {'MB':>7s} {'k=10 p50  p95':>15s} "
          f"{'k=200 p50  p95':>16s} {'recall@10':>9s}")
    faiss.omp_set_num_threads(1)
    exact = None
    for kind in ["flat"] + [k for k in kinds if k != "flat"]:
        for param, values in settings_for(kind, n):
            faiss.omp_set_num_threads(2)  # a build uses the machine, as `tuyengiao index`
            with timer() as t:
                index = build(kind, vectors, param)
            faiss.omp_set_num_threads(1)  # a query is one thread (Settings.faiss_threads)
            size = faiss.serialize_index(index).nbytes / 1e6
            for value in values:
                set_search(index, kind, value)
                latency(index, queries[:20], 10)  # warm-up
                found10, ms10 = latency(index, queries, 10)
                if kind == "hnsw":
                    index.hnsw.efSearch = max(value, 200)
                _, ms200 = latency(index, queries, 200)
                set_search(index, kind, value)
                if exact is None:
                    exact = found10
                label = {"flat": "flat", "sq8": "SQ8",
                         "hnsw": f"HNSW{param} ef{value}", "ivf": f"IVF{param} nprobe{value}"}[kind]
                note = " (ef≥200)" if kind == "hnsw" and value < 200 else ""
                print(f"{label:24s} {t[0]:8.1f} {size:7.1f} {pct(ms10):>15s} "
                      f"{pct(ms200):>16s}{note:9s} {recall_at_10(found10, exact):9.4f}")
            del index


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--real-stores", type=Path, nargs="+", required=True)
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--kinds", nargs="+", default=["flat", "sq8", "hnsw", "ivf"])
    parser.add_argument("--gauss", type=int, nargs="*", default=[], help="sizes to run on "
                        "random unit vectors too")
    parser.add_argument("--check-mixed", action="store_true")
    parser.add_argument("--extra-vectors", type=Path, help="more real-model vectors (.npy, "
                        "bench/window_vectors.py), each 5 in a row taken as one document")
    args = parser.parse_args()
    rng = np.random.default_rng(11)
    print(f"machine: {machine_note()}; faiss {faiss.__version__}")
    real, docs = real_vectors(args.real_stores)
    if args.extra_vectors:
        extra = np.load(args.extra_vectors).astype(np.float32)
        real = np.vstack([real, extra])
        docs = np.concatenate([docs, 10**9 + np.arange(len(extra)) // 5])
    queries = query_vectors(args.queries, args.real_stores[0] / "encoders")
    print(f"{len(real)} real passage vectors from {len(set(docs.tolist()))} documents; "
          f"{len(queries)} real questions")
    if args.check_mixed:
        # Mixes at the real size: as hard for an approximate index as real vectors?
        keep = rng.permutation(len(real))[: len(real) // 2]
        rest = np.setdiff1d(np.arange(len(real)), keep)
        run(f"real ({len(keep)})", real[keep], queries, args.kinds)
        mixes = mixed(real[rest], docs[rest], len(rest) + len(keep), rng)[len(rest):]
        run(f"mixed only ({len(keep)}, of the other half's rows)", mixes, queries, args.kinds)
    for n in args.sizes:
        label = "real" if n <= len(real) else f"real {len(real)} + mixed {n - len(real)}"
        run(label, mixed(real, docs, n, rng), queries, args.kinds)
    for n in args.gauss:
        run("gauss (random unit vectors)", gauss(n, real.shape[1], rng), queries, args.kinds)


if __name__ == "__main__":
    main()
