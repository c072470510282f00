"""Core replies as Telegram messages: HTML text (parse_mode HTML) and inline-keyboard rows.

Everything that comes from documents or people is escaped. A reply longer than Telegram's
4096 characters becomes several messages, cut between blocks (an intro, a quoted passage, a
citation line, a paragraph of a section), and a block too long for one message is cut by
`split_html` at a paragraph, line, sentence or word boundary, never inside a tag or an entity,
closing the open tags at the cut and reopening them in the next part. Lengths are counted in
UTF-16 code units of the HTML itself, tags included: more than Telegram counts (it counts the
text after parsing), so a part that fits here fits there. Buttons go on the last part only.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from bot import messages as texts
from bot.channels import splitting
from bot.channels.splitting import utf16_len
from bot.core.types import Action, AnswerReply, DocumentReply, Reply, TextReply
from bot import messages
from knowledge.answers import Answer, Citation
from knowledge.passages import SECTION_SEPARATOR

MAX_MESSAGE = 4096
MAX_OUTLINE_LINES = 40

_TOKEN = re.compile(r"<[^<>]*>|&(?:#\d+|#x[0-9a-fA-F]+|[a-zA-Z]+);")
_TAG_NAME = re.compile(r"</?\s*([a-zA-Z][\w-]*)")
_SENTENCE_MARKS = splitting.SENTENCE_MARKS


@dataclass(frozen=True)
class RenderedMessage:
    text: str  # Telegram HTML
    buttons: tuple[tuple[Action, ...], ...] = ()  # inline keyboard rows


# A block of HTML (balanced tags) and what separates it from the block before it.
_Block = splitting.Block
_PARA, _LINE = splitting.PARA, splitting.LINE


def escape(text: str) -> str:
    return html.escape(text, quote=False)


def render(reply: Reply, limit: int = MAX_MESSAGE) -> list[RenderedMessage]:
    if isinstance(reply, AnswerReply):
        blocks, actions = answer_blocks(reply.answer), reply.actions
    elif isinstance(reply, DocumentReply):
        blocks, actions = document_blocks(reply), ()
    elif isinstance(reply, TextReply):
        blocks, actions = [(_PARA, escape(reply.text.strip()))], reply.actions
    else:
        raise TypeError(f"cannot render {type(reply).__name__}")
    parts = pack(blocks, limit)
    if not parts:
        return []
    rows = button_rows(actions)
    return [RenderedMessage(p) for p in parts[:-1]] + [RenderedMessage(parts[-1], rows)]


def answer_blocks(answer: Answer) -> list[_Block]:
    if not answer.answered:
        return [(_PARA, escape(t)) for t in answer.refusal_paragraphs()]
    lead = answer.lead
    blocks: list[_Block] = [(_PARA, escape(lead))]
    for i, passage in enumerate(answer.passages, 1):
        blocks.append((_PARA, f"<blockquote><b>[{i}]</b> {escape(passage.excerpt)}</blockquote>"))
    blocks += [(_PARA, f"<b>{escape(note)}</b>") for note in answer.validity_notes]
    blocks.append((_PARA, f"<b>{escape(messages.SOURCES)}:</b>"))
    blocks += [(_LINE, citation_line(i, c)) for i, c in enumerate(answer.citations, 1)]
    return blocks


def citation_line(number: int, citation: Citation) -> str:
    """"[1] <b>Chỉ thị 05-CT/TW</b>, «title», mục II. ..., ngày 15/05/2016 (<i>source</i>)"."""
    parts = [f"<b>{escape(citation.label)}</b>"]
    if messages.adds_title(citation.label, citation.title):
        parts.append(f"«{escape(citation.title)}»")
    if citation.section:
        parts.append(escape(messages.cite_section(citation.section)))
    if citation.issued:
        parts.append(escape(messages.issued_on(date.fromisoformat(citation.issued))))
    if not citation.validity.in_force:
        parts.append(f"<b>{escape(messages.CITATION_NOT_IN_FORCE)}</b>")
    return f"[{number}] " + ", ".join(parts) + f" (<i>{escape(citation.source)}</i>)"


def document_blocks(view: DocumentReply) -> list[_Block]:
    doc = view.doc
    blocks: list[_Block] = [(_PARA, f"<b>{escape(doc.label if doc.number else doc.title)}</b>")]
    facts = (
        (texts.DOC_NUMBER, doc.number), (texts.DOC_TYPE, doc.doc_type),
        (texts.DOC_ISSUER, doc.issuer),
        (texts.DOC_ISSUED, f"{doc.issued:%d/%m/%Y}" if doc.issued else None),
        (texts.DOC_TITLE, doc.title),
    )
    facts += tuple(messages.validity_facts(doc.validity))
    blocks += [(_LINE, f"{escape(name)}: {escape(value)}") for name, value in facts if value]
    blocks.append((_LINE, f"{escape(texts.DOC_SOURCE)}: <i>{escape(doc.source)}</i>"))
    if view.outline:
        blocks.append((_PARA, f"<b>{escape(texts.DOC_OUTLINE)}:</b>"))
        for path in view.outline[:MAX_OUTLINE_LINES]:
            heading = path.split(SECTION_SEPARATOR)
            line = f"{'  ' * (len(heading) - 1)}• {escape(heading[-1])}"
            blocks.append((_LINE, f"<b>{line}</b>" if path == view.section else line))
        if len(view.outline) > MAX_OUTLINE_LINES:
            blocks.append((_LINE, messages.OMITTED))
    if view.chunks:
        title = texts.DOC_CONTENT
        if view.opening:
            title = texts.DOC_OPENING
        elif view.section:
            title += " " + messages.section_label(view.section)
        blocks.append((_PARA, f"<b>{escape(title)}:</b>"))
        blocks += [(_PARA, escape(chunk.text.strip())) for chunk in view.chunks if chunk.text.strip()]
    return blocks


def button_rows(actions: Iterable[Action]) -> tuple[tuple[Action, ...], ...]:
    """Emoji-only actions (👍 👎) side by side on one row, every other action on its own."""
    rows: list[list[Action]] = []
    emoji_row: list[Action] | None = None
    for action in actions:
        if _is_emoji(action.label):
            if emoji_row is None:
                emoji_row = []
                rows.append(emoji_row)
            emoji_row.append(action)
        else:
            rows.append([action])
    return tuple(tuple(row) for row in rows)


def _is_emoji(label: str) -> bool:
    label = label.strip()
    return bool(label) and len(label) <= 8 and not any(ch.isalnum() for ch in label)


def pack(blocks: Iterable[_Block], limit: int = MAX_MESSAGE) -> list[str]:
    """Join blocks into as few messages as fit; a block over `limit` is split_html'd."""
    return splitting.pack(blocks, limit, split=split_html)


def split_html(text: str, limit: int = MAX_MESSAGE) -> list[str]:
    """Cut Telegram HTML into parts of at most `limit` UTF-16 units, each valid on its own."""
    text = text.strip()
    if not text:
        return []
    if utf16_len(text) <= limit:
        return [text]
    doc = _Scanned(text)
    parts: list[str] = []
    start = 0
    while start < doc.n:
        if doc.cost(start, doc.n) <= limit:
            end = doc.n
        else:
            end = doc.best_cut(start, limit)
        body = text[start:end].rstrip()
        if _TOKEN.sub("", body).strip():
            parts.append(doc.opening(start) + body + doc.closing(end))
        start = end
        while start < doc.n and text[start].isspace():
            start += 1
    return parts


class _Scanned:
    """Where `text` may be cut (not inside a tag or an entity) and which tags are open there."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.n = n = len(text)
        self.cut_ok = [True] * (n + 1)
        self.stack_at: list[tuple[tuple[str, str], ...]] = [()] * (n + 1)
        self.units = [0] * (n + 1)
        for i, ch in enumerate(text):
            self.units[i + 1] = self.units[i] + (2 if ord(ch) > 0xFFFF else 1)
        stack: tuple[tuple[str, str], ...] = ()
        pos = 0
        for m in _TOKEN.finditer(text):
            s, e = m.span()
            for i in range(pos, s + 1):
                self.stack_at[i] = stack
            for i in range(s + 1, e):
                self.cut_ok[i] = False
            token = m.group()
            name_match = _TAG_NAME.match(token)
            if name_match:
                name = name_match.group(1).lower()
                if token.startswith("</"):
                    for j in range(len(stack) - 1, -1, -1):
                        if stack[j][0] == name:
                            stack = stack[:j] + stack[j + 1:]
                            break
                elif not token.endswith("/>"):
                    stack = (*stack, (name, token))
            pos = e
        for i in range(pos, n + 1):
            self.stack_at[i] = stack

    def opening(self, i: int) -> str:
        return "".join(tag for _, tag in self.stack_at[i])

    def closing(self, i: int) -> str:
        return "".join(f"</{name}>" for name, _ in reversed(self.stack_at[i]))

    def cost(self, start: int, end: int) -> int:
        return (utf16_len(self.opening(start)) + self.units[end] - self.units[start]
                + utf16_len(self.closing(end)))

    def best_cut(self, start: int, limit: int) -> int:
        """The cut after `start` at the highest-ranked boundary (paragraph, line, sentence,
        word, anywhere) that still fills at least half of what fits."""
        text = self.text
        levels = (
            lambda c: text[c - 2:c] == "\n\n",
            lambda c: text[c - 1] == "\n",
            lambda c: text[c - 1] == " " and c >= 2 and text[c - 2] in _SENTENCE_MARKS,
            lambda c: text[c - 1].isspace(),
            lambda c: True,
        )
        best: list[int | None] = [None] * len(levels)
        for c in range(min(self.n, start + limit), start, -1):
            if not self.cut_ok[c] or self.cost(start, c) > limit:
                continue
            for level, is_boundary in enumerate(levels):
                if best[level] is None and is_boundary(c):
                    best[level] = c
            if best[0] is not None:
                break
        found = [c for c in best if c is not None]
        if not found:  # one tag or entity longer than the limit: let it through whole
            return next(c for c in range(start + 1, self.n + 1) if self.cut_ok[c])
        reach = self.units[max(found)] - self.units[start]
        cut = next(c for c in best if c is not None and 2 * (self.units[c] - self.units[start]) >= reach)
        # Take closing tags right after the cut along (same cost: they are closed anyway).
        while (m := _TOKEN.match(text, cut)) and m.group().startswith("</"):
            cut = m.end()
        return cut
