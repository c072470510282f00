"""Legacy Word `.doc` converters: how faithfully each one reads the real `.doc` files.

Each `.doc` in `../shared/realdocs/` is converted by every converter installed here
(antiword, catdoc, LibreOffice headless to DOCX then our DOCX loader) and compared with a
reference text of the same document from another file: the `.docx` twin of the same plan
(read by our DOCX loader) and the Hiến pháp 2013 PDF (raw PDFium text layer). Printed per
file and converter:

- `recall`: share of the reference's syllables found, in order, in the converter's text
  (difflib matching blocks over syllable sequences, marks kept: a lost diacritic is a miss);
- `precision`: share of the converter's syllables that match the reference in order;
- `rows`: for references with tables, share of the reference's table rows whose cells the
  converter put, in order, on one line (a header table's "issuer | motto" stays a row);
- `seconds`: wall time of the conversion (LibreOffice includes its start-up).

    .venv/bin/python bench/doc_fidelity.py [--realdocs ../shared/realdocs]
"""

from __future__ import annotations

import argparse
import difflib
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from indexer.loaders import doc, word  # noqa: E402
from knowledge.text import normalize, syllables  # noqa: E402

TWINS = {
    "KH phát động thi đua trước trong sau Tết  Bính Ngọ 2026.doc":
        "KH phát động thi đua trước trong sau Tết  Bính Ngọ 2026.docx",
    "(32801)-Hien_phap_nam_2013.doc": "(32801)-VanBanGoc_Hien_phap_2013.pdf",
}


def reference_text(path: Path) -> str:
    if path.suffix == ".docx":
        return word.extract(path.read_bytes()).text
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(path)
    try:
        return "\n".join(pdf[i].get_textpage().get_text_range() for i in range(len(pdf)))
    finally:
        pdf.close()


def run_antiword(path: Path) -> str:
    return subprocess.run(
        ["antiword", "-w", "0", "-m", "UTF-8.txt", str(path)],
        capture_output=True, check=True, timeout=120,
    ).stdout.decode("utf-8", "replace")


def run_catdoc(path: Path) -> str:
    return subprocess.run(
        ["catdoc", "-w", "-d", "utf-8", str(path)], capture_output=True, check=True, timeout=120,
    ).stdout.decode("utf-8", "replace")


def run_soffice(path: Path) -> str:
    """What the indexer ships: `indexer.loaders.doc` (LibreOffice to DOCX, our DOCX reader)."""
    return doc.extract(path.read_bytes()).text


CONVERTERS: dict[str, tuple[str, Callable[[Path], str]]] = {
    "antiword": ("antiword", run_antiword),
    "catdoc": ("catdoc", run_catdoc),
    "libreoffice": ("soffice", run_soffice),
}


def in_order_share(ref: list[str], got: list[str]) -> tuple[float, float]:
    matcher = difflib.SequenceMatcher(None, ref, got, autojunk=False)
    matched = sum(block.size for block in matcher.get_matching_blocks())
    return matched / max(len(ref), 1), matched / max(len(got), 1)


def rows_kept(reference: str, text: str) -> float | None:
    rows = [line.split(" | ") for line in normalize(reference).split("\n") if " | " in line]
    if not rows:
        return None
    lines = [" ".join(syllables(line)) for line in normalize(text).split("\n")]
    kept = 0
    for cells in rows:
        wanted = [" ".join(syllables(cell)) for cell in cells if syllables(cell)]
        if any(_in_order(wanted, line) for line in lines):
            kept += 1
    return kept / len(rows)


def _in_order(parts: list[str], line: str) -> bool:
    at = 0
    for part in parts:
        found = line.find(part, at)
        if found < 0:
            return False
        at = found + len(part)
    return True


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--realdocs", type=Path, default=ROOT.parent / "shared" / "realdocs")
    args = parser.parse_args()
    print(f"{'file':38} {'converter':12} {'recall':>7} {'precision':>9} {'rows':>6} {'seconds':>8}")
    for doc_name, twin_name in TWINS.items():
        doc, twin = args.realdocs / doc_name, args.realdocs / twin_name
        reference = reference_text(twin)
        ref_syllables = syllables(normalize(reference))
        for name, (binary, convert) in CONVERTERS.items():
            if shutil.which(binary) is None:
                print(f"{doc_name[:38]:38} {name:12} not installed")
                continue
            started = time.perf_counter()
            text = convert(doc)
            seconds = time.perf_counter() - started
            recall, precision = in_order_share(ref_syllables, syllables(normalize(text)))
            rows = rows_kept(reference, text) if twin.suffix == ".docx" else None
            shown_rows = "—" if rows is None else f"{rows:.0%}"
            print(f"{doc_name[:38]:38} {name:12} {recall:7.1%} {precision:9.1%} {shown_rows:>6} "
                  f"{seconds:8.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
