"""Rendering core replies as plain text (Zalo, the terminal): no markup, and the actions a
button would carry become numbered hints ("Gõ 1: 👍 · 2: 👎 · 3: Xem văn bản") that the person
answers by typing the number (see `text_actions`); a prompt written for buttons ("rồi bấm
«Xong»") says what to type instead (`typed_wording`).

Replies are built from blocks (see `splitting`) so a platform limit (Zalo: 2,000 characters)
cuts them between an intro, a quoted passage and each citation line, never inside a citation.
"""

from __future__ import annotations

from collections.abc import Sequence
import re
from dataclasses import dataclass

from bot.channels.splitting import LINE, PARA, Block, pack
from bot.channels.text_actions import bare_label
from bot.core.types import (
    Action,
    AnswerReply,
    DocumentReply,
    FileReply,
    Outcome,
    PhotoReply,
    Reply,
    TextReply,
)
from bot import messages
from knowledge.answers import Answer
from knowledge.passages import SECTION_SEPARATOR

MAX_OUTLINE_LINES = 40

MAX_INLINE_FILE = 1500  # characters of a file shown in a text chat (Zalo's limit is 2,000)


@dataclass(frozen=True)
class PlainOutcome:
    """What a text channel sends for one outcome: the messages in order, and the actions
    their numbered hint offers (the channel remembers them to map "1" back)."""

    texts: list[str]
    actions: tuple[Action, ...] = ()


def render_outcome(outcome: Outcome, limit: int | None = None) -> PlainOutcome:
    """Every reply as messages of at most `limit` UTF-16 units (None: no limit). Only the
    last reply with actions gets a hint, so the numbers are never ambiguous; a notice (the
    toast after a button press elsewhere) becomes a message when nothing else is said."""
    hinted = next((i for i in range(len(outcome.replies) - 1, -1, -1)
                   if reply_actions(outcome.replies[i])), None)
    texts: list[str] = []
    actions: tuple[Action, ...] = ()
    for i, reply in enumerate(outcome.replies):
        offered = reply_actions(reply) if i == hinted else ()
        if isinstance(reply, TextReply):
            reply = TextReply(typed_wording(reply.text, offered), reply.actions)
        blocks = reply_blocks(reply)
        if i == hinted:
            actions = offered
            blocks.append((PARA, actions_hint(actions)))
        texts += split_blocks(blocks, limit)
    if not texts and outcome.notice:
        texts = split_blocks([(PARA, outcome.notice)], limit)
    return PlainOutcome(texts, actions)


def split_blocks(blocks: Sequence[Block], limit: int | None) -> list[str]:
    if limit is None:
        return [text] if (text := join_blocks(blocks)) else []
    return pack(blocks, limit)


def join_blocks(blocks: Sequence[Block]) -> str:
    text = ""
    for sep, block in blocks:
        if block:
            text = f"{text}{sep}{block}" if text else block
    return text


def render_text(reply: Reply) -> str:
    """One reply as one text, without hints."""
    return join_blocks(reply_blocks(reply))


def reply_blocks(reply: Reply) -> list[Block]:
    if isinstance(reply, TextReply):
        return [(PARA, reply.text.strip())]
    if isinstance(reply, AnswerReply):
        return answer_blocks(reply.answer)
    if isinstance(reply, DocumentReply):
        return document_blocks(reply)
    if isinstance(reply, PhotoReply):  # no upload on text channels: the caption says it
        return [(PARA, reply.caption.strip())]
    if isinstance(reply, FileReply):  # no files either: a short file is shown as text
        content = reply.data.decode("utf-8-sig", errors="replace").replace("\r\n", "\n").strip()
        if len(content) > MAX_INLINE_FILE:
            return [(PARA, reply.caption.strip()), (PARA, messages.FILE_TOO_LONG_FOR_CHAT)]
        return [(PARA, reply.caption.strip()), (PARA, content)]
    raise TypeError(f"cannot render {type(reply).__name__}")


def answer_blocks(answer: Answer) -> list[Block]:
    """The blocks of `Answer.text`: joined, they are exactly that text."""
    if not answer.answered:
        return [(PARA, t) for t in answer.refusal_paragraphs()]
    lead = answer.lead
    blocks: list[Block] = [(PARA, lead)]
    blocks += [(PARA, f"[{i}] {p.excerpt}") for i, p in enumerate(answer.passages, 1)]
    blocks += [(PARA, note) for note in answer.validity_notes]
    blocks.append((PARA, messages.SOURCES + ":"))
    blocks += [(LINE, f"[{i}] {c.describe()}") for i, c in enumerate(answer.citations, 1)]
    return blocks


def document_blocks(view: DocumentReply) -> list[Block]:
    doc = view.doc
    blocks: list[Block] = [(PARA, doc.label if doc.number else doc.title)]
    facts = (
        (messages.DOC_NUMBER, doc.number), (messages.DOC_TYPE, doc.doc_type),
        (messages.DOC_ISSUER, doc.issuer),
        (messages.DOC_ISSUED, f"{doc.issued:%d/%m/%Y}" if doc.issued else None),
        (messages.DOC_TITLE, doc.title), *messages.validity_facts(doc.validity),
        (messages.DOC_SOURCE, doc.source),
    )
    blocks += [(LINE, f"{name}: {value}") for name, value in facts if value]
    if view.outline:
        blocks.append((PARA, f"{messages.DOC_OUTLINE}:"))
        for path in view.outline[:MAX_OUTLINE_LINES]:
            heading = path.split(SECTION_SEPARATOR)
            blocks.append((LINE, f"{'  ' * (len(heading) - 1)}• {heading[-1]}"))
        if len(view.outline) > MAX_OUTLINE_LINES:
            blocks.append((LINE, messages.OMITTED))
    if view.chunks:
        if view.opening:
            blocks.append((PARA, f"{messages.DOC_OPENING}:"))
        elif view.section:
            title = f"{messages.DOC_CONTENT} {messages.section_label(view.section)}:"
            blocks.append((PARA, title))
        blocks += [(PARA, chunk.text.strip()) for chunk in view.chunks if chunk.text.strip()]
    return blocks


def actions_hint(actions: Sequence[Action]) -> str:
    """"Gõ 1: 👍 · 2: 👎 · 3: Xem văn bản" — the text channels' buttons."""
    if not actions:
        return ""
    choices = messages.ACTIONS_HINT_SEPARATOR.join(
        f"{i}: {a.label}" for i, a in enumerate(actions, 1))
    return messages.ACTIONS_HINT.format(choices=choices)


_PRESS = re.compile(rf"\b(?P<verb>{'|'.join(messages.PRESS_VERBS)}) «(?P<label>[^»\n]{{1,60}})»")


def typed_wording(text: str, offered: Sequence[Action] = ()) -> str:
    """A prompt written for buttons as a text channel must say it: "rồi bấm «Xong»" → "rồi
    gõ 3 («Xong»)" when `offered` (the actions its hint numbers) has a «Xong» (its label
    without decoration: "Xong ▶"), else "rồi gõ «Xong»" for the labels of
    messages.PRESS_LABELS_ELSEWHERE (typing the label chooses it: text_actions); any other
    «…» after "bấm" (a person's own text) is left as written. Then the whole phrases of
    messages.TYPED_PHRASES ("bấm để chọn" → "gõ số để chọn")."""
    def reword(found: re.Match[str]) -> str:
        label = found["label"]
        verb = messages.TYPED_VERB[found["verb"]]
        bare = bare_label(label)
        for number, action in enumerate(offered, 1):
            if bare_label(action.label) == bare:
                return messages.TYPED_PRESS_NUMBER.format(verb=verb, number=number, label=label)
        if label in messages.PRESS_LABELS_ELSEWHERE:
            return messages.TYPED_PRESS_LABEL.format(verb=verb, label=label)
        return found[0]

    text = _PRESS.sub(reword, text)
    for written, typed in messages.TYPED_PHRASES:
        text = text.replace(written, typed)
    return text


def reply_actions(reply: Reply) -> tuple[Action, ...]:
    return reply.actions if isinstance(reply, (TextReply, AnswerReply)) else ()
