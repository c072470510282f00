"""Share of split syllables in PDF text layers, per extraction library and after our loader.

A broken text layer cuts Vietnamese syllables where a glyph was placed on its own
("Đảng C ộng s ản Vi ệt Nam"), letter-spaces headings ("N G H Ị  Q U Y Ế T") and glues words
at line ends. Counted on each real PDF of `../shared/realdocs/` (and the PDF cases):

- `split`: pairs of neighbouring words "A B" that make one Vietnamese syllable when joined
  while A or B alone is not one ("C ộng", "s ản", "ng ười"), or where B starts with a
  tone-marked vowel and A is an open toneless syllable ("Vi ệt", "quy ền") — per 100 words;
- `spaced`: runs of 3+ single letters separated by spaces ("N G H Ị"), per 1,000 words;
- `glued`: words with a Vietnamese mark that are no syllable but split into two
  ("đồngthời"), per 1,000 words.

The same counts over the DOCX and TXT real documents give the floor: what the measure finds
in text that has no broken layer (initials like "ông C ở" count there).

    .venv/bin/python bench/split_syllables.py [--realdocs ../shared/realdocs] [--cases ../shared/cases]
"""

from __future__ import annotations

import argparse
import io
import re
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from knowledge.syllables import has_tone, is_syllable  # noqa: E402
from knowledge.text import normalize  # noqa: E402

_WORDS = re.compile(r"[^\W\d_]+(?: [^\W\d_]+)*")
_MARKED_VOWEL = re.compile(r"[àáảãạăằắẳẵặâầấẩẫậèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵ]")
_VOWELS = set("aeiouyăâêôơư")


def counts(text: str) -> tuple[int, int, int, int]:
    """(words, split pairs, letter-spaced runs, glued words) in `text`."""
    words = split = spaced = glued = 0
    for line in normalize(text).split("\n"):
        for run in _WORDS.findall(line):
            tokens = run.split(" ")
            words += len(tokens)
            split += sum(is_split_pair(a, b) for a, b in zip(tokens, tokens[1:]))
            spaced += _spaced_runs(tokens)
            glued += sum(is_glued(token) for token in tokens)
    return words, split, spaced, glued


def is_split_pair(a: str, b: str) -> bool:
    if len(a) == 1 and len(b) == 1:
        return False  # part of a letter-spaced run, counted there
    if not is_syllable(a + b):
        return False
    if not is_syllable(a) or not is_syllable(b):
        return True
    return (
        bool(_MARKED_VOWEL.match(b[0].lower())) and has_tone(b) and not has_tone(a)
        and a[-1].lower() in _VOWELS
    )


def _spaced_runs(tokens: list[str]) -> int:
    runs = length = 0
    for token in [*tokens, ""]:
        if len(token) == 1:
            length += 1
            continue
        runs += length >= 3
        length = 0
    return runs


def is_glued(token: str) -> bool:
    if is_syllable(token) or not _MARKED_VOWEL.search(token.lower()):
        return False
    return any(is_syllable(token[:i]) and is_syllable(token[i:]) for i in range(1, len(token)))


def text_pypdf(data: bytes) -> str:
    from pypdf import PdfReader

    return "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(data)).pages)


def text_pdfminer(data: bytes) -> str:
    from pdfminer.high_level import extract_text

    return extract_text(io.BytesIO(data))


def text_pdfplumber(data: bytes) -> str:
    import pdfplumber

    with pdfplumber.open(io.BytesIO(data)) as pdf:
        return "\n".join(page.extract_text() or "" for page in pdf.pages)


def text_pypdfium2(data: bytes) -> str:
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(data)
    try:
        return "\n".join(pdf[i].get_textpage().get_text_range() for i in range(len(pdf)))
    finally:
        pdf.close()


def text_loader(data: bytes) -> str:
    """PDFium + page furniture removed + repairs + unwrapping (OCR off: scans read as empty)."""
    from indexer.loaders import LoadError, pdf
    from indexer.loaders.base import LoadOptions

    try:
        return pdf.extract(data, LoadOptions(ocr="off")).text
    except LoadError:
        return ""


EXTRACTORS: dict[str, Callable[[bytes], str]] = {
    "pypdf": text_pypdf,
    "pdfminer.six": text_pdfminer,
    "pdfplumber": text_pdfplumber,
    "pypdfium2": text_pypdfium2,
    "our loader": text_loader,
}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--realdocs", type=Path, default=ROOT.parent / "shared" / "realdocs")
    parser.add_argument("--cases", type=Path, default=ROOT.parent / "shared" / "cases")
    args = parser.parse_args()
    pdfs = sorted(args.realdocs.glob("*.pdf")) + sorted(args.cases.glob("*/*.pdf"))
    print(f"{'file':34} {'extractor':13} {'words':>6} {'split/100':>9} {'spaced/1k':>9} "
          f"{'glued/1k':>8} {'seconds':>7}")
    totals: dict[str, list[float]] = {name: [0, 0, 0, 0, 0.0] for name in EXTRACTORS}
    for path in pdfs:
        data = path.read_bytes()
        for name, extract in EXTRACTORS.items():
            started = time.perf_counter()
            try:
                text = extract(data)
            except Exception as exc:  # a library that cannot read a file is a figure too
                print(f"{path.name[:34]:34} {name:13} failed: {exc}")
                continue
            seconds = time.perf_counter() - started
            row = counts(text)
            for i, value in enumerate(row):
                totals[name][i] += value
            totals[name][4] += seconds
            _print_row(path.name, name, *row, seconds)
    floor = [0, 0, 0, 0]
    for path in sorted(args.realdocs.glob("*.docx")) + sorted(args.realdocs.glob("*.txt")):
        from indexer.loaders import word

        data = path.read_bytes()
        text = word.extract(data).text if path.suffix == ".docx" else data.decode("utf-8")
        floor = [x + y for x, y in zip(floor, counts(text))]
    print()
    for name, (words, split, spaced, glued, seconds) in totals.items():
        _print_row("ALL PDFs", name, int(words), int(split), int(spaced), int(glued), seconds)
    _print_row("floor: DOCX + TXT", "—", *floor, 0.0)
    return 0


def _print_row(file: str, name: str, words: int, split: int, spaced: int, glued: int,
               seconds: float) -> None:
    per = max(words, 1)
    print(f"{file[:34]:34} {name:13} {words:6d} {100 * split / per:9.2f} "
          f"{1000 * spaced / per:9.2f} {1000 * glued / per:8.2f} {seconds:7.2f}")


if __name__ == "__main__":
    sys.exit(main())
