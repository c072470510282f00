"""The same document in two files: a DOCX and its PDF copy, a .doc and a .docx, a scan sent on.

Two documents are copies of one when they carry the same number and type (and no conflicting
date), or when their content is the same text: at least `MIN_CONTAINMENT` of the smaller
one's sampled character shingles occur in the other. Shingles are taken over folded letters
and digits only, so a PDF whose layout split syllables ("C ộng s ản") or a copy without the
gazette's page headers still matches its original. One copy is indexed; the others are kept
in the store's document list, marked `duplicate_of`, with no chunks, so an answer can never
cite the same document twice. The copy kept is the one that reads best (`_preference`).
"""

from __future__ import annotations

import re
import zlib
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import PurePosixPath

from knowledge.passages import DocumentMeta
from knowledge.text import fold

SHINGLE = 32  # characters (letters and digits only), about six or seven syllables
SAMPLE = 8  # keep one shingle hash in SAMPLE (content-defined, so both copies keep the same)
MAX_CHARS = 40_000  # the first pages identify a document; cost stays flat on huge files
MIN_SHINGLES = 12  # below this a text is too short to tell copies from look-alikes
MIN_CONTAINMENT = 0.8
COMMON = 8  # a shingle in more documents than this is boilerplate shared by many, not evidence
# Which copy is indexed: the editable original reads best (PDF text layers break words).
_FORMAT_RANK = {".docx": 0, ".doc": 1, ".md": 2, ".markdown": 2, ".txt": 2, ".html": 3, ".htm": 3, ".pdf": 4}
_NOT_TEXT = re.compile(r"[^a-z0-9]+")


@dataclass(frozen=True)
class Candidate:
    """One document of a file with one document (JSONL passages are never compared)."""

    doc: DocumentMeta
    content: str  # its content (chunk texts), for the shingles
    order: int  # position in the build, the last tie-break


def shingles(text: str) -> frozenset[int]:
    """Sampled CRC-32 hashes of the folded letter-and-digit shingles of `text`. A stable hash,
    not Python's `hash` (salted per process): which documents count as copies must not
    depend on PYTHONHASHSEED."""
    flat = _NOT_TEXT.sub("", fold(text[:MAX_CHARS]))
    out = set()
    for i in range(max(len(flat) - SHINGLE + 1, 0)):
        h = zlib.crc32(flat[i : i + SHINGLE].encode("ascii"))
        if h % SAMPLE == 0:
            out.add(h)
    return frozenset(out)


def find_duplicates(candidates: Sequence[Candidate]) -> dict[str, str]:
    """{doc_id of a copy: doc_id of the document indexed in its place}."""
    prints = [shingles(c.content) for c in candidates]
    parent = list(range(len(candidates)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    def union(a: int, b: int) -> None:
        ra, rb = root(a), root(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)

    for a, b in _same_number_pairs(candidates):
        union(a, b)
    for a, b in _same_text_pairs(prints):
        if not _other_edition(candidates[a].doc, candidates[b].doc):
            union(a, b)
    groups: dict[int, list[int]] = defaultdict(list)
    for i in range(len(candidates)):
        groups[root(i)].append(i)
    out: dict[str, str] = {}
    for members in groups.values():
        if len(members) < 2:
            continue
        kept = min(members, key=lambda i: _preference(candidates[i]))
        for i in members:
            if i != kept:
                out[candidates[i].doc.doc_id] = candidates[kept].doc.doc_id
    return out


class CopyFinder:
    """The same rules, one document at a time in build order: which documents read so far a
    new one is a copy of. The build uses it to leave a copy's chunks out of embedding while
    files are still being read; `find_duplicates` over the whole build has the last word
    (it also ignores text shared by more than `COMMON` documents, which one document at a
    time cannot know yet)."""

    def __init__(self) -> None:
        self._seen: list[Candidate] = []
        self._prints: list[frozenset[int]] = []
        self._holders: dict[int, list[int]] = defaultdict(list)

    def add(self, candidate: Candidate) -> list[Candidate]:
        """Record `candidate`; the earlier candidates it is a copy of, in build order."""
        index = len(self._seen)
        found: set[int] = set()
        for j, earlier in enumerate(self._seen):
            if _same_number(earlier.doc, candidate.doc):
                found.add(j)
        printed = shingles(candidate.content)
        if len(printed) >= MIN_SHINGLES:
            shared: dict[int, int] = defaultdict(int)
            for h in printed:
                for j in self._holders.get(h, ()):
                    shared[j] += 1
                self._holders[h].append(index)
            found.update(
                j for j, n in shared.items()
                if n >= MIN_CONTAINMENT * min(len(printed), len(self._prints[j]))
                and not _other_edition(self._seen[j].doc, candidate.doc)
            )
        self._seen.append(candidate)
        self._prints.append(printed)
        return [self._seen[j] for j in sorted(found)]


def preferred(candidates: Sequence[Candidate]) -> Candidate:
    """The copy to index among copies of one document: the one that reads best
    (`_preference`), then the first in the build."""
    return min(candidates, key=_preference)


def _number_key(doc: DocumentMeta) -> tuple[str, str] | None:
    """(number, type) as compared, or None when either is unknown."""
    return (doc.number.upper(), doc.doc_type.lower()) if doc.number and doc.doc_type else None


def _same_number(a: DocumentMeta, b: DocumentMeta) -> bool:
    """Same number and type, and no conflicting date."""
    key = _number_key(a)
    if key is None or key != _number_key(b):
        return False
    return a.issued is None or b.issued is None or a.issued == b.issued


def _other_edition(a: DocumentMeta, b: DocumentMeta) -> bool:
    """Same number and type but two different dates: two editions (a guide of 2016 and its
    2021 successor, mostly the same words), never copies of one, however alike the text."""
    key = _number_key(a)
    return (key is not None and key == _number_key(b) and a.issued is not None
            and b.issued is not None and a.issued != b.issued)


def _preference(c: Candidate) -> tuple[int, int, int, int, int]:
    """Which copy reads best, smallest first: DOCX, DOC, text, HTML, PDF; among PDFs the one
    read from its text layer, then one partly OCR'd, then one OCR'd throughout (fewer OCR'd
    pages first: OCR misreads, "chỉ bộ" for "chi bộ"); then the one with more metadata."""
    suffix = PurePosixPath(c.doc.source).suffix.lower()
    pages, ocr = c.doc.pages or 0, c.doc.ocr_pages
    reading = 0 if ocr == 0 else (2 if pages and ocr >= pages else 1)
    return (_FORMAT_RANK.get(suffix, 5), reading, ocr, len(c.doc.missing), c.order)


def _same_number_pairs(candidates: Sequence[Candidate]) -> list[tuple[int, int]]:
    by_number: dict[tuple[str, str], list[int]] = defaultdict(list)
    for i, c in enumerate(candidates):
        if (key := _number_key(c.doc)) is not None:
            by_number[key].append(i)
    pairs = []
    for members in by_number.values():
        for x in range(len(members)):
            for y in range(x + 1, len(members)):
                if _same_number(candidates[members[x]].doc, candidates[members[y]].doc):
                    pairs.append((members[x], members[y]))
    return pairs


def _same_text_pairs(prints: list[frozenset[int]]) -> list[tuple[int, int]]:
    holders: dict[int, list[int]] = defaultdict(list)
    for i, p in enumerate(prints):
        if len(p) >= MIN_SHINGLES:
            for h in p:
                holders[h].append(i)
    shared: dict[tuple[int, int], int] = defaultdict(int)
    for docs in holders.values():
        if 1 < len(docs) <= COMMON:
            for x in range(len(docs)):
                for y in range(x + 1, len(docs)):
                    shared[(docs[x], docs[y])] += 1
    return [
        (a, b) for (a, b), n in shared.items() if n >= MIN_CONTAINMENT * min(len(prints[a]), len(prints[b]))
    ]
