"""Indexing throughput: `build_store` with the real model vs. the model's raw encoding speed.

Builds N synthetic Vietnamese documents (seeded recombination of real prose, with official
headers and I./1./a) structure), indexes them from scratch with the real offline model, and
embeds exactly the same chunk texts (rebuilt from the published store) with a bare
`embedder.embed` call. The ratio indexing/raw says how much the pipeline (loading, metadata,
chunking and its token counting, lexical index, writing) costs on top of the encoder.

The machine is shared, so the raw encoding is timed both before and after the build and the
ratio uses their mean: a disturbance during one pass shows up as a spread between the two.
The texts for the pass before come from a dry build whose embed() returns zeros (same
pipeline, same token counts, so the same chunks; checked against the published store).

    .venv/bin/python bench/indexing_throughput.py [--docs 120] [--seed N] [--blocks]
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
import time
from pathlib import Path

import numpy as np

from _corpus import Corpus, load_real_embedder, machine_note, timer

from indexer.build import EMBED_BLOCK, build_store
from knowledge.passages import indexed_text
from knowledge.store import load_current


class DryEmbedder:
    """The real embedder's name and token counts, but embed() returns zeros: a fast dry build."""

    def __init__(self, inner) -> None:
        self.inner = inner
        self.name, self.dimension, self.max_tokens = inner.name, inner.dimension, inner.max_tokens
        self.query_prefix, self.passage_prefix = inner.query_prefix, inner.passage_prefix

    def embed(self, texts, *, kind):
        return np.zeros((len(texts), self.dimension), dtype=np.float32)

    def count_tokens(self, text: str) -> int:
        return self.inner.count_tokens(text)


def store_texts(store_dir: Path):
    version = load_current(store_dir)
    assert version is not None
    texts = [indexed_text(doc, chunk) for chunk, doc in zip(version.chunks, version.chunk_docs)]
    # A copy: all_embeddings() is a view of the FAISS index's memory, freed with the version.
    return texts, np.array(version.all_embeddings())


class TimingEmbedder:
    """Delegates to a real embedder and adds up the seconds spent in embed / count_tokens."""

    def __init__(self, inner) -> None:
        self.inner = inner
        self.name, self.dimension, self.max_tokens = inner.name, inner.dimension, inner.max_tokens
        self.query_prefix, self.passage_prefix = inner.query_prefix, inner.passage_prefix
        self.embed_s = self.count_s = 0.0
        self.embed_calls = self.count_calls = 0

    def embed(self, texts, *, kind):
        start = time.perf_counter()
        try:
            return self.inner.embed(texts, kind=kind)
        finally:
            self.embed_s += time.perf_counter() - start
            self.embed_calls += 1

    def count_tokens(self, text: str) -> int:
        start = time.perf_counter()
        try:
            return self.inner.count_tokens(text)
        finally:
            self.count_s += time.perf_counter() - start
            self.count_calls += 1


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--docs", type=int, default=120,
                        help="documents to generate (~12 chunks each; default 120)")
    parser.add_argument("--seed", type=int, default=20261124)
    parser.add_argument("--blocks", action="store_true",
                        help=f"also time raw embedding in blocks of {EMBED_BLOCK}, as build does")
    parser.add_argument("--workdir", type=Path, help="keep corpus and store here (default: temp)")
    args = parser.parse_args()

    work = args.workdir or Path(tempfile.mkdtemp(prefix="bench-indexing-"))
    if args.workdir and work.exists():
        shutil.rmtree(work)
    docs_dir, store_dir = work / "docs", work / "store"
    try:
        corpus = Corpus(args.seed)
        paths = corpus.write_documents(docs_dir, args.docs)
        size = sum(p.stat().st_size for p in paths)
        print(f"machine: {machine_note()}")
        print(f"corpus: {len(paths)} documents, {size / 1e6:.2f} MB of text in {docs_dir}")

        with timer() as t_load:
            real = load_real_embedder()
        print(f"model load (not timed below): {t_load[0]:.1f} s")

        build_store([docs_dir], work / "dry-store", DryEmbedder(real))
        dry_texts, _ = store_texts(work / "dry-store")
        with timer() as t_before:
            real.embed(dry_texts, kind="passage")

        embedder = TimingEmbedder(real)
        with timer() as t_build:
            report = build_store([docs_dir], store_dir, embedder)
        build_s = t_build[0]
        n = report.chunks
        print(f"\nbuild_store: {report.summary()}")

        texts, stored = store_texts(store_dir)
        with timer() as t_after:
            raw = real.embed(texts, kind="passage")
        raw_s = (t_before[0] + t_after[0]) / 2
        cos = np.einsum("ij,ij->i", raw, stored)
        print(f"same texts check: min cosine(raw, stored) = {cos.min():.5f}; dry-build texts "
              f"{'identical' if dry_texts == texts else 'DIFFERENT'} to the published ones")
        tokens = [real.count_tokens(t) for t in texts]
        over = sum(1 for x in tokens if x > real.max_tokens)
        print(f"chunks: {n}; tokens per indexed text: mean {np.mean(tokens):.0f}, "
              f"p95 {np.percentile(tokens, 95):.0f}, max {max(tokens)}; "
              f"{over} ({over / max(n, 1):.1%}) exceed the {real.max_tokens}-token window "
              f"(truncated by the model)")

        blocks_s = None
        if args.blocks:
            with timer() as t_blocks:
                for start in range(0, len(texts), EMBED_BLOCK):
                    real.embed(texts[start : start + EMBED_BLOCK], kind="passage")
            blocks_s = t_blocks[0]

        rest = build_s - embedder.embed_s - embedder.count_s
        print("\n=== indexing throughput (real model, from scratch) ===")
        print(f"build_store total        {build_s:8.1f} s   {n / build_s:7.1f} chunks/s")
        print(f"  of which embed()       {embedder.embed_s:8.1f} s   ({embedder.embed_calls} calls; "
              f"{n / embedder.embed_s:.1f} chunks/s inside build)")
        print(f"  of which count_tokens  {embedder.count_s:8.1f} s   ({embedder.count_calls} calls)")
        print(f"  everything else        {rest:8.1f} s   (load, metadata, chunking, lexical, write)")
        for label, sec in (("before", t_before[0]), ("after", t_after[0]), ("mean", raw_s)):
            print(f"raw embed, one call, {label:6s}{sec:6.1f} s   {n / sec:7.1f} chunks/s")
        raw_cpu = (t_before[1] + t_after[1]) / 2
        print(f"CPU seconds (all threads): build {t_build[1]:.1f}, raw before {t_before[1]:.1f}, "
              f"after {t_after[1]:.1f}")
        if blocks_s is not None:
            print(f"raw embed, {EMBED_BLOCK}-blocks     {blocks_s:8.1f} s   {n / blocks_s:7.1f} chunks/s")
        print(f"\nratio indexing/raw = {raw_s / build_s:.1%}   (target >= 90%; against the raw "
              f"pass before {t_before[0] / build_s:.1%}, after {t_after[0] / build_s:.1%})")
        print(f"ratio on CPU time = {raw_cpu / t_build[1]:.1%}   (less disturbed by other processes)")
        print(f"pipeline alone (build minus its embed() calls): "
              f"{(build_s - embedder.embed_s) / build_s:.1%} of the build time")
        print(f"machine at the end: {machine_note()}")
    finally:
        if not args.workdir:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
