"""Republish after a one-file change in a 1,000-document store: pipeline overhead + embedding.

The store is built with the deterministic `HashingEmbedder(dimension=384)` (embedding costs
next to nothing, so the republish time is the pipeline's own overhead). By default its token
counting uses the real model's tokenizer, so chunks come out as they would with the real model
(`--tokens hashing` keeps HashingEmbedder's syllable count). Then one file is edited and
`build_store` timed again; the time to embed that file's new chunks with the real model is
measured separately: overhead + real embedding = the real-world republish time.

    .venv/bin/python bench/republish.py [--docs 1000] [--repeats 3] [--tokens real|hashing]
"""

from __future__ import annotations

import argparse
import cProfile
import json
import pstats
import shutil
import tempfile
from pathlib import Path

import numpy as np

from _corpus import Corpus, load_real_embedder, machine_note, timer

from indexer.build import SEQUENTIAL, build_store
from knowledge.embedder import HashingEmbedder, bundled_model_path
from knowledge.passages import indexed_text
from knowledge.store import load_current

# (file suffix, function) pairs whose cumulative time explains a republish.
PHASES = [
    ("knowledge/store.py", "load_version"), ("knowledge/store.py", "all_embeddings"),
    ("indexer/build_files.py", "file_digest"), ("indexer/build_files.py", "reuse_file"),
    ("indexer/build_files.py", "chunk_file"), ("indexer/assembly.py", "previous_rows"),
    ("indexer/assembly.py", "assemble_vectors"), ("indexer/assembly.py", "term_counts"),
    ("knowledge/lexical.py", "term_counts"), ("knowledge/term_counts.py", "assemble"),
    ("knowledge/term_counts.py", "_tokenise"), ("knowledge/passages.py", "indexed_text"),
    ("knowledge/store_writer.py", "write_version"), ("knowledge/lexical.py", "_weights"),
    ("knowledge/lexical.py", "save"), ("knowledge/store.py", "publish"),
]


class TokenizedHashingEmbedder(HashingEmbedder):
    """HashingEmbedder whose count_tokens is the real model's tokenizer (same chunking)."""

    def __init__(self, dimension: int = 384) -> None:
        from transformers import AutoTokenizer

        path = Path(bundled_model_path())
        window = json.loads((path / "sentence_bert_config.json").read_text())["max_seq_length"]
        super().__init__(dimension=dimension, max_tokens=int(window))
        self._tokenizer = AutoTokenizer.from_pretrained(str(path))

    def count_tokens(self, text: str) -> int:
        return len(self._tokenizer(text, add_special_tokens=True, verbose=False)["input_ids"])


def file_texts(store_dir: Path, key: str) -> list[str]:
    version = load_current(store_dir)
    assert version is not None
    return [indexed_text(doc, chunk) for chunk, doc, f
            in zip(version.chunks, version.chunk_docs, version.chunk_files) if f == key]


def edit(path: Path, round_: int) -> None:
    """Change one sentence in the middle of the document (as an officer fixing a typo would)."""
    lines = path.read_text(encoding="utf-8").split("\n")
    body = [i for i, line in enumerate(lines) if len(line) > 80]
    i = body[len(body) // 2]
    lines[i] = lines[i].rstrip() + f" Nội dung này được bổ sung lần thứ {round_ + 1}."
    path.write_text("\n".join(lines), encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--docs", type=int, default=1000)
    parser.add_argument("--repeats", type=int, default=3, help="one-file changes to time")
    parser.add_argument("--tokens", choices=("real", "hashing"), default="real")
    parser.add_argument("--seed", type=int, default=20261124)
    parser.add_argument("--no-real-model", action="store_true", help="skip the real-model part")
    parser.add_argument("--workdir", type=Path, help="keep corpus and store here (default: temp)")
    args = parser.parse_args()

    work = args.workdir or Path(tempfile.mkdtemp(prefix="bench-republish-"))
    if args.workdir and work.exists():
        shutil.rmtree(work)
    docs_dir, store_dir = work / "docs", work / "store"
    try:
        print(f"machine: {machine_note()}")
        paths = Corpus(args.seed).write_documents(docs_dir, args.docs)
        embedder = (TokenizedHashingEmbedder(384) if args.tokens == "real"
                    else HashingEmbedder(dimension=384))
        with timer() as t:
            first = build_store([docs_dir], store_dir, embedder)
        print(f"initial build ({embedder.name}, {args.tokens} token counts): {first.summary()}")
        print(f"  {t[0]:.1f} s")
        with timer() as t_same:
            same = build_store([docs_dir], store_dir, embedder)
        print(f"rebuild with nothing changed: {t_same[0]:.2f} s ({same.summary()})")

        target = paths[len(paths) // 2]
        key = str(target.resolve())
        totals, embeds, counts, changed_texts, all_texts = [], [], [], [], []
        for r in range(args.repeats + 1):
            before = set(file_texts(store_dir, key))
            edit(target, r)
            if r < args.repeats:
                with timer() as t:
                    report = build_store([docs_dir], store_dir, embedder)
            else:  # the last change is profiled, to see where the time goes
                profile = cProfile.Profile()
                with timer() as t:
                    # Read in this thread (SEQUENTIAL): cProfile sees only the thread it runs in.
                    report = profile.runcall(build_store, [docs_dir], store_dir, embedder,
                                             overlap=SEQUENTIAL)
            assert report.files_changed == 1 and report.version, report.summary()
            all_texts = file_texts(store_dir, key)
            changed_texts = [x for x in all_texts if x not in before]
            with timer() as t_embed:  # what build_store embedded for this change
                embedder.embed(changed_texts, kind="passage")
            if r < args.repeats:
                totals.append(t[0])
                embeds.append(t_embed[0])
                counts.append(report.embedded)
                print(f"one-file republish #{r + 1}: {t[0]:.2f} s; embedded {report.embedded} of "
                      f"the file's {len(all_texts)} chunks (hashing embed {t_embed[0] * 1000:.1f} ms)")
            else:
                profiled_s = t[0]

        total, emb = float(np.median(totals)), float(np.median(embeds))
        print(f"\n=== one-file republish, {args.docs} documents, {first.chunks} chunks "
              f"(median of {len(totals)}) ===")
        print(f"total republish          {total:7.2f} s")
        print(f"  embedding that file    {emb:7.3f} s   (HashingEmbedder, {counts[-1]} chunks)")
        print(f"  remainder (overhead)   {total - emb:7.2f} s   (target <= 2 s)")

        stats = pstats.Stats(profile)
        print(f"\nwhere a republish goes (one more change, under cProfile: {profiled_s:.2f} s "
              f"wall, profiling inflates Python-heavy parts):")
        for (filename, _, func), (cc, nc, tt, ct, _) in sorted(
                stats.stats.items(), key=lambda kv: -kv[1][3]):
            if any(filename.endswith(f) and func == fn for f, fn in PHASES):
                print(f"  {Path(filename).parent.name}/{Path(filename).name}:{func:18s} "
                      f"{ct:7.2f} s cumulative, {nc:6d} calls")

        if not args.no_real_model:
            real = load_real_embedder()
            changed_s, file_s = [], []
            for _ in range(3):  # median of three: one or ten chunks are quick and noisy
                with timer() as t_changed:
                    real.embed(changed_texts, kind="passage")
                with timer() as t_file:
                    real.embed(all_texts, kind="passage")
                changed_s.append(t_changed[0])
                file_s.append(t_file[0])
            t_changed[0], t_file[0] = float(np.median(changed_s)), float(np.median(file_s))
            print(f"\n=== with the real model ({real.name}) ===")
            print(f"embedding the changed chunks ({len(changed_texts)}):  {t_changed[0]:6.2f} s")
            print(f"embedding the whole file ({len(all_texts)} chunks):    {t_file[0]:6.2f} s")
            print(f"real-world one-file republish ≈ overhead {total - emb:.2f} s + "
                  f"{t_changed[0]:.2f} s = {total - emb + t_changed[0]:.2f} s "
                  f"(whole file re-embedded: {total - emb + t_file[0]:.2f} s)")
        print(f"machine at the end: {machine_note()}")
    finally:
        if not args.workdir:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
