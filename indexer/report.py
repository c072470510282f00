"""What one build did, for the operator: counts, skipped files, reading warnings, PDF and
OCR'd pages, duplicates, missing metadata."""

from __future__ import annotations

from dataclasses import dataclass, field

# Metadata a document is expected to state; a number is often legitimately absent (a
# constitution, a charter, a blank "Số: - KH/ĐTN"), so it alone is not reported.
EXPECTED_FIELDS = ("type", "issuer", "date")


@dataclass
class BuildReport:
    files_total: int = 0
    files_changed: int = 0
    files_unchanged: int = 0
    files_removed: int = 0
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (file, reason)
    # (file, what its reader could not read faithfully: scanned pages, legacy encodings)
    warnings: list[tuple[str, str]] = field(default_factory=list)
    pages: int = 0  # PDF pages read in this run
    ocr_pages: int = 0  # of which read by OCR
    ocr_seconds: float = 0.0  # their rendering and Tesseract time, summed over files
    documents: int = 0
    chunks: int = 0
    embedded: int = 0  # chunks sent to the model in this run
    reused_vectors: int = 0
    tokenised: int = 0  # chunks whose lexical terms were computed in this run
    version: str | None = None  # the published version, None when nothing changed
    seconds: float = 0.0
    duplicates: list[tuple[str, str]] = field(default_factory=list)  # (copy, the one indexed)
    # (document source, metadata fields not found among number/type/issuer/date/title)
    incomplete: list[tuple[str, tuple[str, ...]]] = field(default_factory=list)

    @property
    def without_metadata(self) -> list[str]:
        """Documents for which none of number, type, issuer and date could be found."""
        return [src for src, missing in self.incomplete if {"number", *EXPECTED_FIELDS} <= set(missing)]

    def summary(self) -> str:
        state = f"published {self.version}" if self.version else "store already up to date"
        extra = ""
        if self.duplicates:
            extra += f"; {len(self.duplicates)} duplicate copies not indexed again"
        if self.without_metadata:
            extra += f"; {len(self.without_metadata)} documents without metadata"
        # OCR time is a sum over files, which may be read side by side: not a share of the
        # run's wall time.
        ocr_time = f" in {self.ocr_seconds:.1f}s" if self.ocr_pages else ""
        return (
            f"{self.files_total} files: {self.files_changed} new or changed, "
            f"{self.files_unchanged} unchanged, {self.files_removed} removed, "
            f"{len(self.skipped)} skipped, {len(self.warnings)} warnings; "
            f"{self.pages} PDF pages read ({self.ocr_pages} by OCR{ocr_time}); "
            f"{self.documents} documents, {self.chunks} chunks; "
            f"embedded {self.embedded} chunks (reused {self.reused_vectors}), "
            f"tokenised {self.tokenised}{extra}; "
            f"{state} in {self.seconds:.1f}s"
        )

    def notes(self) -> list[str]:
        """One line per duplicate and per document missing expected metadata."""
        lines = [f"duplicate {copy}: same document as {kept}, indexed once" for copy, kept in self.duplicates]
        for source, missing in self.incomplete:
            gaps = [name for name in missing if name in EXPECTED_FIELDS or name == "number"]
            if any(name in EXPECTED_FIELDS for name in gaps):
                lines.append(f"metadata {source}: not found: {', '.join(gaps)}")
        return lines
