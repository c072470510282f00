"""HTML pages: the visible body text, with block elements on their own lines.

Saved web pages carry menus, headers, footers and scripts around the document; those would
pollute search and structure detection, so they are dropped before the text is taken.
"""

from __future__ import annotations

import re
from typing import Any

from bs4 import BeautifulSoup, Tag

from indexer.loaders.base import Extracted, normalize_value

_DROPPED = ("head", "script", "style", "noscript", "template", "nav", "header", "footer", "svg", "iframe")
_BLOCKS = (
    "p", "div", "li", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "table", "ul", "ol", "dl", "dt",
    "dd", "section", "article", "main", "aside", "blockquote", "pre", "figure", "figcaption",
    "address", "center", "caption", "hr", "form", "fieldset",
)
_CELLS = ("td", "th")
# Private-use characters stand for the breaks we add, so that collapsing the source's own
# whitespace (which HTML treats as a single space) cannot touch them.
_LINE = "\ue000"
_CELL = "\ue001"
_WHITESPACE = re.compile(r"\s+")


def extract(data: bytes) -> Extracted:
    # Given bytes, BeautifulSoup picks the encoding from a BOM or <meta charset> before guessing.
    soup = BeautifulSoup(data, "lxml")
    fields: dict[str, Any] = {}
    if soup.title is not None and soup.title.string and soup.title.string.strip():
        fields["html_title"] = normalize_value(soup.title.string)
    for tag in soup.find_all(_DROPPED):
        tag.decompose()
    for tag in soup.find_all(hidden=True):
        tag.decompose()
    for tag in soup.find_all("pre"):
        for string in tag.find_all(string=True):
            string.replace_with(string.replace("\n", _LINE))
    for tag in soup.find_all("br"):
        tag.replace_with(_LINE)
    for tag in soup.find_all(_BLOCKS):
        tag.insert_before(_LINE)
        tag.insert_after(_LINE)
    for tag in soup.find_all(_CELLS):
        if isinstance(tag, Tag) and tag.find_previous_sibling(_CELLS) is not None:
            tag.insert_before(_CELL)
    text = _WHITESPACE.sub(" ", soup.get_text())
    text = text.replace(_CELL, " | ").replace(_LINE, "\n")
    return Extracted(text, fields)
