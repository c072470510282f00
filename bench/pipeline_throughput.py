"""Indexing real files at the encoder's speed: the pipelined build against the sequential one
and against a raw encode of the same chunk texts, in one run.

Two folders, each indexed from scratch with the real offline model:

- `realdocs`: `../shared/realdocs` (PDF, DOCX, DOC, TXT) and the scanned-PDF cases
  (`../shared/cases/scanned-pdf`, so OCR is in the run), read in place;
- `generated` (`--docs N`, 0 to skip): the same files plus N documents written into a temp
  folder in the formats officers' folders hold — PDF with a text layer (fpdf2, DejaVu), PDF
  of scanned pages (each page rendered to an image: OCR), DOCX (python-docx), DOC (converted
  from the DOCX by LibreOffice while the folder is made, not timed), TXT — their text from
  `_corpus.py` (official-looking documents recombined from real prose). Copies of the real
  files under other names would not do: the build recognises copies and indexes them once.

Per folder: a dry build (the model's token counts, zero vectors) gives the chunk texts the
store will hold, and the padding each window size would cost them; then, `--rounds` times
(every other round in reverse order, so a drift in the machine's load weighs on each step
alike): a raw `embed` of exactly those texts in one call (sentence-transformers sorts a call
by length: the encoder's best case), the sequential build (`SEQUENTIAL`: read every file,
then embed all sorted at once — the build before the pipeline) and the pipelined one
(`Overlap()`, the settings' defaults). Printed: wall and CPU seconds (this process and its
children: Tesseract, LibreOffice), chunks/s, each build against the mean raw encode, OCR
pages and OCR seconds (summed per file: they overlap the model in the pipelined build), and
the load average before each step: the machine is shared.

    .venv/bin/python bench/pipeline_throughput.py [--docs 80] [--rounds 2] [--folders realdocs generated]
"""

from __future__ import annotations

import argparse
import io
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from _corpus import Corpus, load_real_embedder, machine_note
from indexing_throughput import DryEmbedder, TimingEmbedder, store_texts
from realdocs_throughput import DOCUMENT_SUFFIXES

from indexer.build import SEQUENTIAL, Overlap, build_store
from indexer.report import BuildReport

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
ROUNDS = 1
FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")


def real_inputs() -> list[Path]:
    realdocs = SHARED / "realdocs"
    paths = sorted(p for p in realdocs.iterdir() if p.suffix.lower() in DOCUMENT_SUFFIXES)
    return [*paths, SHARED / "cases" / "scanned-pdf"]


# --- the generated folder ------------------------------------------------------------------

def text_pdf(text: str) -> bytes:
    from fpdf import FPDF
    from fpdf.enums import XPos, YPos

    pdf = FPDF(format="A4")
    pdf.add_font("DejaVu", "", str(FONT))
    pdf.set_font("DejaVu", size=11)
    pdf.set_margins(25, 20, 20)
    pdf.add_page()
    for line in text.split("\n"):
        if line:
            pdf.multi_cell(0, 6, line, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        else:
            pdf.ln(4)
    return bytes(pdf.output())


def scanned_pdf(text: str) -> bytes:
    """The text PDF with every page replaced by its image at 150 dpi: no text layer left."""
    import pypdfium2 as pdfium
    from fpdf import FPDF

    document = pdfium.PdfDocument(text_pdf(text))
    pdf = FPDF(unit="pt", format=(595, 842))
    try:
        for page in document:
            image = page.render(scale=150 / 72, grayscale=True).to_pil()
            buffer = io.BytesIO()
            image.save(buffer, format="PNG")
            pdf.add_page()
            pdf.image(buffer, x=0, y=0, w=595, h=842)
            page.close()
    finally:
        document.close()
    return bytes(pdf.output())


def docx_bytes(text: str) -> bytes:
    import docx

    document = docx.Document()
    for line in text.split("\n"):
        if line:
            document.add_paragraph(line)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def to_doc(docx_paths: list[Path]) -> None:
    """Convert DOCX files to Word 97 `.doc` beside them with one LibreOffice run."""
    if not docx_paths:
        return
    with tempfile.TemporaryDirectory(prefix="bench-soffice-") as profile:
        subprocess.run(
            ["soffice", f"-env:UserInstallation={Path(profile).as_uri()}", "--headless",
             "--convert-to", "doc:MS Word 97", "--outdir", str(docx_paths[0].parent),
             *map(str, docx_paths)],
            check=True, capture_output=True, timeout=600,
        )
    for path in docx_paths:
        path.unlink()


def generate(folder: Path, count: int, seed: int) -> dict[str, int]:
    """`count` documents: of every 20, 9 text PDFs and 1 scanned PDF, 5 DOCX, 2 DOC, 3 TXT."""
    corpus = Corpus(seed)
    folder.mkdir(parents=True)
    kinds = ["pdf"] * 9 + ["scan"] + ["docx"] * 5 + ["doc"] * 2 + ["txt"] * 3
    made: dict[str, int] = dict.fromkeys(kinds, 0)
    for_doc: list[Path] = []
    for i in range(count):
        kind = kinds[i % len(kinds)]
        text = corpus.document(i)
        name = folder / f"van-ban-{i:04d}"
        if kind == "pdf":
            name.with_suffix(".pdf").write_bytes(text_pdf(text))
        elif kind == "scan":
            name.with_name(f"{name.name}-scan.pdf").write_bytes(scanned_pdf(text))
        elif kind == "txt":
            name.with_suffix(".txt").write_text(text, encoding="utf-8")
        else:
            path = name.with_suffix(".docx")
            path.write_bytes(docx_bytes(text))
            if kind == "doc":
                for_doc.append(path)
        made[kind] += 1
    if shutil.which("soffice"):
        to_doc(for_doc)
    else:
        print("  LibreOffice missing: the .doc documents stay DOCX")
    return made


# --- timing ---------------------------------------------------------------------------------

@dataclass
class Timed:
    wall: float
    cpu: float  # this process and its waited-for children (Tesseract, LibreOffice)


def cpu_now() -> float:
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


def timed(action) -> tuple[Timed, object]:
    wall, cpu = time.perf_counter(), cpu_now()
    value = action()
    return Timed(time.perf_counter() - wall, cpu_now() - cpu), value


def padding(texts: list[str], tokens: list[int], window: int, block: int = 256,
            batch: int = 32) -> float:
    """Tokens the model computes per real token when texts are cut into windows of `window`
    in file order (0: one window), each sorted by length and sent in calls of `block`, and
    each call batched by sentence-transformers (sorted by characters, batches of `batch`,
    every text padded to the longest of its batch)."""
    order = list(range(len(texts)))
    size = window or len(order)
    calls = []
    for start in range(0, len(order), size):
        cut = sorted(order[start : start + size], key=lambda i: len(texts[i]))
        calls += [cut[s : s + block] for s in range(0, len(cut), block)]
    computed = 0
    for call in calls:
        ranked = sorted(call, key=lambda i: -len(texts[i]))
        for s in range(0, len(ranked), batch):
            group = ranked[s : s + batch]
            computed += max(tokens[i] for i in group) * len(group)
    return computed / sum(tokens)


def run_folder(label: str, inputs: list[Path], real, work: Path) -> None:
    print(f"\n=== {label} ===")
    print(f"dry build (texts the store will hold) — {machine_note()}")
    dry, _ = timed(lambda: build_store(inputs, work / "dry", DryEmbedder(real)))
    texts, _ = store_texts(work / "dry")
    n = len(texts)
    print(f"  {n} chunks; reading and chunking alone {dry.wall:.1f}s wall, {dry.cpu:.1f}s CPU")
    tokens = [min(real.count_tokens(t), real.max_tokens) for t in texts]
    print("  padded tokens per real token: " + ", ".join(
        f"windows of {w} {padding(texts, tokens, w):.3f}" for w in (128, 256, 512, 1024)
    ) + f", all sorted at once {padding(texts, tokens, 0):.3f} (windows of 256 = the file-"
        "order blocks of the build before sorting)")

    variants = [("sequential", SEQUENTIAL), ("pipelined", Overlap())]
    steps: list[tuple[str, Overlap | None]] = [("raw encode", None), *variants]
    times: dict[str, list[Timed]] = {name: [] for name, _ in steps}
    last: dict[str, tuple[BuildReport, TimingEmbedder]] = {}
    for round_ in range(ROUNDS):
        # Every other round in reverse order: a drift in the machine's load then weighs on
        # every step alike.
        for name, overlap in steps if round_ % 2 == 0 else steps[::-1]:
            print(f"{name}, round {round_ + 1} — {machine_note()}")
            if overlap is None:
                t, _ = timed(lambda: real.embed(texts, kind="passage"))
                times[name].append(t)
                continue
            embedder = TimingEmbedder(real)
            store = work / f"{name}-{round_}"
            t, report = timed(lambda: build_store(inputs, store, embedder, overlap=overlap))
            assert isinstance(report, BuildReport)
            times[name].append(t)
            last[name] = (report, embedder)
            print(f"  {t.wall:.1f}s: {report.summary()}")
            built, _ = store_texts(store)
            assert built == texts, f"{name}: the store's texts differ from the dry build's"

    def mean(runs: list[Timed]) -> Timed:
        return Timed(sum(r.wall for r in runs) / len(runs), sum(r.cpu for r in runs) / len(runs))

    raw = mean(times["raw encode"])
    print(f"\n{'':34}{'wall s':>9}{'chunks/s':>10}{'of raw':>8}{'CPU s':>9}{'model s':>9}")
    for name, runs in times.items():
        for i, t in enumerate(runs):
            model = f"{last[name][1].embed_s:9.1f}" if name in last and i == len(runs) - 1 else ""
            share = f"{raw.wall / t.wall:8.0%}" if name in last else f"{'':8}"
            print(f"{f'{name} #{i + 1}':34}{t.wall:9.1f}{n / t.wall:10.1f}{share}{t.cpu:9.1f}{model}")
        m = mean(runs)
        share = f"{raw.wall / m.wall:8.0%}" if name in last else f"{'':8}"
        print(f"{f'{name}, mean':34}{m.wall:9.1f}{n / m.wall:10.1f}{share}{m.cpu:9.1f}")
    seq, pipe = mean(times["sequential"]), mean(times["pipelined"])
    print(f"pipelined / sequential wall: {pipe.wall / seq.wall:.0%} (saved {seq.wall - pipe.wall:.1f}s"
          f" a build); CPU {pipe.cpu / seq.cpu:.0%}")
    report = last["pipelined"][0]
    print(f"OCR: {report.ocr_pages} pages of {report.pages} PDF pages; OCR seconds summed over "
          "files, last round: " + ", ".join(f"{name} {last[name][0].ocr_seconds:.1f}s"
                                            for name, _ in variants)
          + " (in the sequential build all of it is on the critical path; in the pipelined ones"
          " it overlaps the model)")
    vectors = {name: store_texts(work / f"{name}-{ROUNDS - 1}")[1] for name, _ in variants}
    drift = float(np.abs(vectors["pipelined"] - vectors["sequential"]).max())
    same = all(np.array_equal(vectors["pipelined"], v) for k, v in vectors.items() if k.startswith("pip"))
    print(f"vectors: pipelined vs sequential max abs difference {drift:.1e} (batching only); "
          f"pipelined variants bit-identical: {same}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--docs", type=int, default=80, help="generated documents (default 80)")
    parser.add_argument("--seed", type=int, default=20261130)
    parser.add_argument("--folders", nargs="+", choices=("realdocs", "generated"),
                        default=["realdocs", "generated"])
    parser.add_argument("--rounds", type=int, default=2,
                        help="times each step runs, every other round in reverse order")
    args = parser.parse_args()
    global ROUNDS
    ROUNDS = max(args.rounds, 1)
    print(f"start: {machine_note()}")
    real = load_real_embedder()
    work = Path(tempfile.mkdtemp(prefix="bench-pipeline-"))
    try:
        if "realdocs" in args.folders:
            run_folder("realdocs + scanned cases", real_inputs(), real, work / "realdocs")
        if "generated" in args.folders and args.docs > 0:
            folder = work / "generated-docs"
            made = generate(folder, args.docs, args.seed)
            print(f"\ngenerated {args.docs} documents in {folder}: {made}")
            run_folder(f"realdocs + {args.docs} generated", [*real_inputs(), folder], real,
                       work / "generated")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(f"\nend: {machine_note()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
