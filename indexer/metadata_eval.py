"""Metadata read from documents compared with what a careful reader gives them.

The expected side is a JSONL file such as `../shared/realdocs/expected_meta.jsonl`: one
object per file with "file", "number", "type", "date", "issuer", "title" and optional
"<field>_alternatives" (any listed value is right too; a null among them means "none" is
right too). Matching follows that folder's README: NFC, case folding, spaces collapsed. A
title is compared without a leading "V/v" (về việc), which stands where other documents
print their type word. Text values also go through `knowledge.text.canonical`, which puts
tone marks in one place ("huỷ" and "hủy" are one word), as matching does for documents and
queries (the stored metadata keeps the document's own spelling).
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from knowledge.text import canonical

FIELDS = ("number", "type", "date", "issuer", "title")
CORE_FIELDS = ("number", "type", "date", "issuer")  # the "Done means" figure


@dataclass
class Comparison:
    """Per-field matches over the expected files, and every mismatch with both values."""

    total: int = 0
    matched: dict[str, int] = field(default_factory=lambda: dict.fromkeys(FIELDS, 0))
    all_core: int = 0  # files whose number, type, date and issuer all match
    mismatches: list[tuple[str, str, Any, Any]] = field(default_factory=list)  # file, field, got, expected
    absent: list[str] = field(default_factory=list)  # expected files not in the store

    @property
    def core_share(self) -> float:
        return self.all_core / self.total if self.total else 0.0


def load_expected(path: Path) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def compare(rows: list[dict[str, Any]], expected: list[dict[str, Any]]) -> Comparison:
    """`rows` as `tuyengiao documents --json` prints them (matched on "source" = "file")."""
    by_source = {_key(r["source"]): r for r in rows}
    out = Comparison()
    for want in expected:
        out.total += 1
        got = by_source.get(_key(want["file"]))
        if got is None:
            out.absent.append(want["file"])
            for name in FIELDS:
                out.mismatches.append((want["file"], name, "(not in store)", want.get(name)))
            continue
        core = True
        for name in FIELDS:
            if matches(name, got.get(name), want):
                out.matched[name] += 1
            else:
                core = core and name not in CORE_FIELDS
                out.mismatches.append((want["file"], name, got.get(name), _expected_values(name, want)))
        out.all_core += core
    return out


def matches(name: str, value: Any, want: dict[str, Any]) -> bool:
    return _norm(name, value) in {_norm(name, v) for v in _expected_values(name, want)}


def _expected_values(name: str, want: dict[str, Any]) -> list[Any]:
    return [want.get(name), *want.get(f"{name}_alternatives", [])]


def _norm(name: str, value: Any) -> str | None:
    if value is None:
        return None
    text = " ".join(canonical(str(value)).casefold().split())
    if name == "title":
        text = re.sub(r"^v/v\s+", "", text)
    return text


def _key(source: str) -> str:
    return unicodedata.normalize("NFC", source)
