"""The store's document list as rows: what `tuyengiao documents` prints."""

from __future__ import annotations

from collections import Counter
from typing import Any

from knowledge.passages import DocumentMeta
from knowledge.store import StoreVersion

_MISSING = {"number": "no number found", "type": "no type found", "issuer": "no issuer found",
            "date": "no date found", "title": "no title found"}
_COLUMNS = ("source", "number", "type", "date", "issuer", "chunks", "title")
_WIDTHS = {"source": 34, "number": 16, "type": 16, "date": 10, "issuer": 28, "chunks": 6, "title": 48}
# Validity links listed under a row, as "replaced by …" lines.
_LINKS = (("replaced_by", "replaced by"), ("repealed_by", "repealed by"), ("amended_by", "amended by"),
          ("replaces", "replaces"), ("repeals", "repeals"), ("amends", "amends"))


def catalog_rows(version: StoreVersion) -> list[dict[str, Any]]:
    """One row per document, in store order: {"doc_id", "source", "number", "type", "issuer",
    "date", "title", "chunks", "warnings", "status", "replaced_by", "repealed_by",
    "amended_by", "replaces", "repeals", "amends"}; the date is ISO `YYYY-MM-DD` or None, the
    title None when the document states none (the store then shows its file name instead).
    `status` is one of in_force, amended, replaced, repealed, expired (knowledge.relations);
    each link list holds the other documents' numbers (their titles when they have none)."""
    counts = Counter(c.doc_id for c in version.chunks)
    return [_row(doc, counts[doc.doc_id], version.documents) for doc in version.documents.values()]


def _row(doc: DocumentMeta, chunks: int, documents: dict[str, DocumentMeta]) -> dict[str, Any]:
    warnings = list(doc.warnings)
    if doc.duplicate_of:
        kept = documents.get(doc.duplicate_of)
        warnings.append(f"duplicate of {kept.source if kept else doc.duplicate_of}: indexed once")
    warnings.extend(_MISSING[name] for name in doc.missing if name in _MISSING)
    return {
        "doc_id": doc.doc_id,
        "source": doc.source,
        "number": doc.number,
        "type": doc.doc_type,
        "issuer": doc.issuer,
        "date": doc.issued.isoformat() if doc.issued else None,
        "title": None if "title" in doc.missing else doc.title,
        "chunks": chunks,
        "warnings": warnings,
        "status": doc.validity.status,
        **{name: [link.number or link.label for link in getattr(doc.validity, name)]
           for name, _ in _LINKS},
    }


def catalog_table(rows: list[dict[str, Any]]) -> str:
    """A fixed-width table for a terminal, long values cut with "…"; warnings under each row.
    A file name too long for its column keeps its start and its end ("KH phát động…2026.docx"),
    where copies differ; names that still read alike are shown whole."""
    width = _WIDTHS["source"]
    short = [_cut_middle(str(row["source"]), width) for row in rows]
    clashes = {name for name, n in Counter(short).items() if n > 1}
    lines = ["  ".join(name.ljust(_WIDTHS[name]) for name in _COLUMNS).rstrip()]
    for row, source in zip(rows, short):
        cells = []
        for name in _COLUMNS:
            value = "" if row[name] is None else str(row[name])
            width = _WIDTHS[name]
            if name == "source":
                cells.append((value if source in clashes else source).ljust(width))
                continue
            cells.append((value if len(value) <= width else value[: width - 1] + "…").ljust(width))
        lines.append("  ".join(cells).rstrip())
        lines.extend(f"    ! {w}" for w in row["warnings"])
        if row["status"] != "in_force":
            lines.append(f"    → {row['status']}")
        lines.extend(f"    → {words} {', '.join(row[name])}" for name, words in _LINKS if row.get(name))
    lines.append(f"{len(rows)} documents")
    return "\n".join(lines)


def _cut_middle(value: str, width: int) -> str:
    """`value` in at most `width` characters: its start, "…", and its last third."""
    if len(value) <= width:
        return value
    tail = width // 3
    return value[: width - tail - 1] + "…" + value[-tail:]
