"""Markdown files: YAML front matter as fields, and only the syntax that hides structure removed.

The structure detector downstream looks for "II. NHIỆM VỤ", "1.", "a)" at line starts, so
heading hashes, emphasis markers and quote marks go, while list numbering stays.
"""

from __future__ import annotations

import re

import frontmatter
import yaml

from indexer.loaders.base import Extracted, LoadError, decode_text, normalize_value

_FENCE = re.compile(r"^\s*(```|~~~)")
_ATX_HEADING = re.compile(r"^\s{0,3}#{1,6}(?:\s+(.*?))?(?:\s+#+)?\s*$")
_RULE = re.compile(r"^\s{0,3}([-*_=])(?:\s*\1){2,}\s*$")  # ---, ***, and setext underlines
_QUOTE = re.compile(r"^\s{0,3}(?:>\s?)+")
_STAR_BULLET = re.compile(r"^(\s*)\*\s+")
_TABLE_DELIMITER = re.compile(r"^\s*\|?\s*:?-{3,}:?\s*(?:\|\s*:?-{3,}:?\s*)*\|?\s*$")
_IMAGE = re.compile(r"!\[([^\]]*)\]\([^)]*\)")
_LINK = re.compile(r"\[([^\]]+)\]\([^)]*\)")
_EMPHASIS = re.compile(r"(?<!\\)(?:\*\*|__)")
_STAR_EMPHASIS = re.compile(r"(?<![\w*\\])\*(?=\S)(.+?)(?<=\S)\*(?![\w*])")
_CODE_TICKS = re.compile(r"(?<!\\)`+")
_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!|>~])")


def extract(data: bytes) -> Extracted:
    raw = decode_text(data)
    try:
        post = frontmatter.loads(raw)
    except (yaml.YAMLError, ValueError, TypeError) as exc:
        raise LoadError("invalid YAML front matter") from exc
    fields = {key: normalize_value(value) for key, value in post.metadata.items()}
    return Extracted(strip_markdown(post.content), fields)


def strip_markdown(content: str) -> str:
    """Markdown to plain lines, keeping one line per heading, paragraph line and list item."""
    out: list[str] = []
    for line in content.split("\n"):
        if _FENCE.match(line) or _RULE.match(line) or _TABLE_DELIMITER.match(line):
            continue
        heading = _ATX_HEADING.match(line)
        if heading:
            # A heading becomes its own line of plain text: "## II. NHIỆM VỤ" → "II. NHIỆM VỤ".
            out.append(heading.group(1) or "")
            continue
        line = _QUOTE.sub("", line)
        line = _STAR_BULLET.sub(r"\1- ", line)
        stripped = line.strip()
        if stripped.startswith("|") and stripped.endswith("|") and len(stripped) > 1:
            # Table row: keep the cells joined the same way the DOCX loader joins them.
            line = " | ".join(cell.strip() for cell in stripped[1:-1].split("|"))
        line = _IMAGE.sub(r"\1", line)
        line = _LINK.sub(r"\1", line)
        line = _EMPHASIS.sub("", line)
        line = _STAR_EMPHASIS.sub(r"\1", line)
        line = _CODE_TICKS.sub("", line)
        out.append(_ESCAPE.sub(r"\1", line))
    return "\n".join(out)
