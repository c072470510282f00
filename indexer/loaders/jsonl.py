"""JSONL passages: one JSON object per line, each a small document of its own.

Hand-written JSONL (Q&A sets, exported FAQs) often has a broken line or two; one bad line
is skipped with a warning so that it does not cost the whole file. A file none of whose lines
is a passage (another tool's JSONL, such as a metadata list) is skipped with one line that
says why, not a warning per line.
"""

from __future__ import annotations

import json
import logging
from collections import Counter
from typing import Any

from indexer.loaders.base import LoadedText, LoadError, clean_text, decode_text, normalize_value
from knowledge.legacy import convert_legacy

logger = logging.getLogger(__name__)

_RESERVED = ("doc_id", "text")


class _BadLine(ValueError):
    pass


def load(data: bytes, rel: str) -> list[LoadedText]:
    raw = convert_legacy(decode_text(data)).text
    loaded: list[LoadedText] = []
    bad: list[tuple[int, str]] = []
    seen: set[str] = set()
    # split("\n"), not splitlines(): U+2028 and friends may sit inside JSON strings.
    for number, line in enumerate(raw.split("\n"), start=1):
        if not line.strip():
            continue
        try:
            item = _parse(line, rel, number, seen)
        except _BadLine as exc:
            bad.append((number, str(exc)))
            continue
        seen.add(item.doc_id)
        loaded.append(item)
    if not loaded:
        if not bad:
            raise LoadError("no usable JSONL lines")
        # One line for the file, not one per line: a JSONL of another kind (a metadata list)
        # would otherwise fill the log with the same complaint.
        common, count = Counter(reason for _, reason in bad).most_common(1)[0]
        raise LoadError(
            f"no usable JSONL lines: none of {len(bad)} is a passage "
            f"({count} with {common}; line {bad[0][0]}: {bad[0][1]})"
        )
    for number, reason in bad:
        logger.warning("%s line %d skipped: %s", rel, number, reason)
    return loaded


def _parse(line: str, rel: str, number: int, seen: set[str]) -> LoadedText:
    try:
        obj: Any = json.loads(line)
    except json.JSONDecodeError as exc:
        raise _BadLine(f"invalid JSON ({exc.msg})") from exc
    if not isinstance(obj, dict):
        raise _BadLine("not a JSON object")
    doc_id = obj.get("doc_id")
    if not isinstance(doc_id, str) or not doc_id.strip():
        raise _BadLine("missing or non-string doc_id")
    if not isinstance(obj.get("text"), str):
        raise _BadLine("missing or non-string text")
    if "title" in obj and not isinstance(obj["title"], str):
        raise _BadLine("non-string title")
    if doc_id in seen:
        # Two passages under one id would overwrite each other in the store.
        raise _BadLine(f"duplicate doc_id {doc_id!r}")
    text = clean_text(obj["text"])
    if not text:
        raise _BadLine("empty text")
    fields = {key: normalize_value(value) for key, value in obj.items() if key not in _RESERVED}
    return LoadedText(doc_id=doc_id, source=f"{rel}#L{number}", text=text, fields=fields)
