"""Real-model vectors of real text beyond the few thousand real chunks we have: overlapping
word windows of the ALQAC articles and of any stores' chunk texts, embedded as passages by the
exported encoder on ONNX Runtime. Written to an .npy file as they are made (a run that stops
keeps what it made; the next run continues), for bench/vector_index.py `--extra-vectors`.

Why windows: there are ~5k real chunks on this machine (ALQAC, ../shared/realdocs), not 100k.
Windows of real sentences are real text the real model embeds; neighbouring windows overlap,
as neighbouring chunks of one document resemble each other. They are shorter than chunks (and
so less averaged: if anything harder for an approximate index).

    .venv/bin/python bench/window_vectors.py --out data/windows.npy --count 100000 \\
        [--stores STORE ...] [--words 12] [--stride 5]
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np

from _corpus import REPO, machine_note

from knowledge.embedder import EmbedderConfig
from knowledge.query_encoder import load_query_encoder
from knowledge.store import StoreReader

ALQAC = REPO.parent / "shared" / "eval" / "alqac2022" / "corpus.jsonl"
BLOCK = 2048  # texts embedded (and saved) per step


def texts(stores: list[Path], words: int, stride: int) -> list[str]:
    documents = [json.loads(line)["text"] for line in ALQAC.open(encoding="utf-8")]
    for store in stores:
        version = StoreReader(store).current()
        if version is not None:
            documents.extend(chunk.text for chunk in version.chunks)
    out: list[str] = []
    seen: set[str] = set()
    for doc in documents:
        tokens = doc.split()
        for start in range(0, max(1, len(tokens) - words + 1), stride):
            window = " ".join(tokens[start : start + words])
            if window not in seen:
                seen.add(window)
                out.append(window)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--stores", type=Path, nargs="*", default=[])
    parser.add_argument("--words", type=int, default=12)
    parser.add_argument("--stride", type=int, default=5)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--encoders", type=Path, default=REPO / "data" / "encoders")
    args = parser.parse_args()
    pool = texts(args.stores, args.words, args.stride)
    rng = np.random.default_rng(3)
    chosen = [pool[i] for i in sorted(rng.permutation(len(pool))[: args.count])]
    print(f"{len(pool)} distinct windows of {args.words} words; embedding {len(chosen)} "
          f"({machine_note()})")
    done = np.load(args.out) if args.out.exists() else np.zeros((0, 384), dtype=np.float32)
    encoder = load_query_encoder(EmbedderConfig(), args.encoders, threads=args.threads)
    started = time.perf_counter()
    parts = [done]
    for at in range(len(done), len(chosen), BLOCK):
        block = chosen[at : at + BLOCK]
        order = np.argsort([len(t) for t in block], kind="stable")  # less padding
        vectors = np.empty((len(block), encoder.dimension), dtype=np.float32)
        for i in range(0, len(block), 64):
            rows = order[i : i + 64]
            vectors[rows] = encoder.embed([block[r] for r in rows], kind="passage")
        parts.append(vectors)
        made = np.vstack(parts)
        tmp = args.out.with_suffix(".tmp.npy")
        np.save(tmp, made)
        tmp.replace(args.out)
        rate = (len(made) - len(done)) / (time.perf_counter() - started)
        print(f"  {len(made)} / {len(chosen)} ({rate:.0f} texts/s; {machine_note()})", flush=True)


if __name__ == "__main__":
    main()
