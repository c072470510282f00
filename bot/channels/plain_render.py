"""Rendering core replies as plain text (the terminal now, Zalo later): no markup, and the
actions a button would carry become numbered hints the person answers by typing the number.
"""

from __future__ import annotations

from bot.core.types import Action, AnswerReply, DocumentReply, Reply, TextReply
from knowledge import messages

MAX_OUTLINE_LINES = 40


def render_text(reply: Reply) -> str:
    if isinstance(reply, TextReply):
        return reply.text
    if isinstance(reply, AnswerReply):
        return reply.answer.text
    return render_document(reply)


def render_document(view: DocumentReply) -> str:
    doc = view.doc
    lines = [doc.label if doc.number else doc.title]
    facts = (
        (messages.DOC_NUMBER, doc.number), (messages.DOC_TYPE, doc.doc_type),
        (messages.DOC_ISSUER, doc.issuer),
        (messages.DOC_ISSUED, f"{doc.issued:%d/%m/%Y}" if doc.issued else None),
        (messages.DOC_TITLE, doc.title), (messages.DOC_SOURCE, doc.source),
    )
    lines += [f"{name}: {value}" for name, value in facts if value]
    if view.outline:
        lines += ["", f"{messages.DOC_OUTLINE}:"]
        shown = view.outline[:MAX_OUTLINE_LINES]
        lines += [f"{'  ' * section.count(' › ')}• {section.split(' › ')[-1]}" for section in shown]
        if len(view.outline) > MAX_OUTLINE_LINES:
            lines.append("…")
    if view.chunks:
        if view.section:
            lines += ["", f"{messages.DOC_CONTENT} {messages.section_label(view.section)}:"]
        lines += [chunk.text for chunk in view.chunks]
    return "\n".join(lines).strip()


def actions_hint(actions: tuple[Action, ...]) -> str:
    """"Gõ 1: 👍 · 2: 👎 · 3: Xem văn bản" — the text channels' buttons."""
    if not actions:
        return ""
    return "Gõ " + " · ".join(f"{i}: {a.label}" for i, a in enumerate(actions, 1))


def reply_actions(reply: Reply) -> tuple[Action, ...]:
    return reply.actions if isinstance(reply, (TextReply, AnswerReply)) else ()
