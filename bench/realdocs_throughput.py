"""Indexing throughput on real documents: pages/s and chunks/s, OCR apart, beside raw encoding.

Indexes `../shared/realdocs/` (PDF, DOCX, DOC, TXT) plus the scanned-PDF cases
(`../shared/cases/scanned-pdf/`, so OCR'd pages are in the run) from scratch with the real
offline model, and prints:

- reading: every file through `load_file` once with OCR on; PDF pages per second of reading
  for text-layer pages, and OCR'd pages per second apart (OCR time = a scanned file's read
  time with OCR on minus with OCR off); `.doc` conversion time apart (LibreOffice);
- indexing: `build_store` wall time, chunks/s, and the same without the OCR and .doc time
  measured in the reading pass (the build reads every file again). The build is the
  sequential one (`SEQUENTIAL`), so that subtraction holds; `pipeline_throughput.py` compares
  it with the pipelined build;
- raw encode: `embedder.embed` over exactly the published chunk texts in one call, chunks/s,
  and indexing's chunks/s as a share of it.

    .venv/bin/python bench/realdocs_throughput.py [--realdocs DIR] [--cases DIR]
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

from _corpus import load_real_embedder, machine_note
from indexing_throughput import TimingEmbedder, store_texts

from indexer.build import SEQUENTIAL, build_store
from indexer.loaders import LoadError, LoadOptions, iter_source_files, load_file

ROOT = Path(__file__).resolve().parents[1]
DOCUMENT_SUFFIXES = {".pdf", ".doc", ".docx", ".txt"}  # not the folder's README and answer key


def read_pass(folders: list[Path]) -> dict[str, float]:
    figures = dict.fromkeys(
        ("files", "pdf_pages", "ocr_pages", "read_s", "ocr_s", "doc_s", "doc_files"), 0.0
    )
    for root, path in iter_source_files(folders):
        started = time.perf_counter()
        try:
            loaded = load_file(path, root, options=LoadOptions(ocr="auto"))
        except LoadError as exc:
            print(f"  skipped {path.name}: {exc}")
            continue
        seconds = time.perf_counter() - started
        figures["files"] += 1
        figures["read_s"] += seconds
        pages = sum(item.pages or 0 for item in loaded)
        ocr_pages = sum(item.ocr_pages for item in loaded)
        figures["pdf_pages"] += pages
        figures["ocr_pages"] += ocr_pages
        if path.suffix.lower() == ".doc":
            figures["doc_s"] += seconds
            figures["doc_files"] += 1
        if ocr_pages:
            started = time.perf_counter()
            try:
                load_file(path, root, options=LoadOptions(ocr="off"))
            except LoadError:
                pass  # a scan with no text layer at all: its whole read time is OCR
            figures["ocr_s"] += seconds - (time.perf_counter() - started)
        print(f"  {path.name[:50]:50} {seconds:6.2f}s  pages {pages:3d}  OCR {ocr_pages}")
    return figures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--realdocs", type=Path, default=ROOT.parent / "shared" / "realdocs")
    parser.add_argument("--cases", type=Path, default=ROOT.parent / "shared" / "cases")
    args = parser.parse_args()
    folders = sorted(p for p in args.realdocs.iterdir() if p.suffix.lower() in DOCUMENT_SUFFIXES)
    folders.append(args.cases / "scanned-pdf")
    print(f"start: {machine_note()}")
    embedder = TimingEmbedder(load_real_embedder())

    print("reading pass (OCR on):")
    r = read_pass(folders)
    text_pages = r["pdf_pages"] - r["ocr_pages"]
    text_read_s = r["read_s"] - r["ocr_s"] - r["doc_s"]
    print(f"read {r['files']:.0f} files in {r['read_s']:.1f}s: {text_pages:.0f} text-layer PDF pages "
          f"+ the rest ({text_read_s:.1f}s), {r['ocr_pages']:.0f} OCR'd pages in {r['ocr_s']:.1f}s "
          f"({r['ocr_pages'] / max(r['ocr_s'], 1e-9):.2f} pages/s), {r['doc_files']:.0f} .doc in "
          f"{r['doc_s']:.1f}s")

    workdir = Path(tempfile.mkdtemp(prefix="realdocs-bench-"))
    try:
        started = time.perf_counter()
        report = build_store(folders, workdir / "store", embedder, overlap=SEQUENTIAL)
        build_s = time.perf_counter() - started
        print(report.summary())
        texts, _ = store_texts(workdir / "store")
        without_slow = build_s - r["ocr_s"] - r["doc_s"]
        print(f"indexing: {report.chunks} chunks, {report.pages} PDF pages ({report.ocr_pages} OCR) "
              f"in {build_s:.1f}s = {report.chunks / build_s:.1f} chunks/s, "
              f"{report.pages / build_s:.1f} pages/s; without OCR and .doc conversion "
              f"{without_slow:.1f}s = {report.chunks / without_slow:.1f} chunks/s; "
              f"embed {embedder.embed_s:.1f}s")
        started = time.perf_counter()
        embedder.inner.embed(texts, kind="passage")
        raw_s = time.perf_counter() - started
        print(f"raw encode: {len(texts)} chunks in {raw_s:.1f}s = {len(texts) / raw_s:.1f} chunks/s; "
              f"indexing without OCR/.doc = {raw_s / without_slow:.0%} of raw encode throughput")
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    print(f"end: {machine_note()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
