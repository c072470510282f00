"""Official answers to questions the documents could not answer (issue 12, item 8).

From the question report (/baocao) an officer picks an unanswered question by its code and
answers it in chat, one step at a time (bot/ask/official_feature.py): the answer's text, the
document it rests on, then a preview to publish or cancel. Publishing

- records the answer as its author's unit's (`unit_id`, `unit_name`: cited as such, with the
  date), so it joins the knowledge base as a Q&A entry of that unit (`entries`, written to
  the store by the entry point: tuyengiao/official_store.py);
- marks every unanswered question similar to the one picked (bot/services/similar.py), in
  the officer's scope and the last `days`, as answered officially (the report stops listing
  them);
- queues one notice per member who asked one of them, in the chat where they asked
  (`AnswerNotice`, sent by bot/ask/notices.py through the outbound port).

Rules (enforced here): only officers and admins; an officer only for questions asked by
members of units in their subtree (questions from people in no unit: admins only). The answer
is attributed to the author's innermost officer unit that holds the question's unit (an admin
who is no officer there: the top unit of that tree).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlmodel import Session, col, select

from bot.ask import messages as ask_texts
from bot.ask.models import AnswerNotice, OfficialAnswer
from bot.services import similar
from bot.services.errors import InvalidInput, NotFound, PermissionDenied
from bot.services.people import Actor
from bot.services.questions import better_example
from knowledge.text import shorten
from bot.services.units import officer_units, path_key
from bot.storage.models import ChatRecord, Identity, QuestionLog, Unit, to_local, utcnow, valid_id
from knowledge.passages import OFFICIAL_ANSWER
from knowledge.text import normalize

from bot import messages as texts

logger = logging.getLogger(__name__)

MAX_TEXT = 3000
MAX_SOURCE = 300
SCAN_LIMIT = 20_000  # unanswered questions compared for similarity, newest first


@dataclass(frozen=True)
class Picked:
    """A question an officer is answering: the draft, the question as asked, and how many
    people asked it or a similar one (in the officer's scope)."""

    draft: OfficialAnswer
    askers: int


def _require_officer(session: Session, actor: Actor) -> None:
    if not actor.is_admin and not officer_units(session, actor):
        raise PermissionDenied(texts.NOT_OFFICER)


def _attribution(session: Session, actor: Actor, question: QuestionLog) -> Unit:
    """The unit an answer to `question` is written for (PermissionDenied outside scope)."""
    asked_in = session.get(Unit, question.unit_id) if question.unit_id else None
    covering = sorted((u for u in officer_units(session, actor)
                       if asked_in is not None and asked_in.path.startswith(u.path)),
                      key=lambda u: len(u.path_ids), reverse=True)
    if covering:
        return covering[0]
    if not actor.is_admin:
        raise PermissionDenied(ask_texts.TRALOI_OUTSIDE)
    if asked_in is not None:
        return session.get(Unit, asked_in.path_ids[0]) or asked_in
    own = officer_units(session, actor)
    roots = own or list(session.exec(select(Unit).where(col(Unit.parent_id).is_(None))).all())
    if not roots:
        raise InvalidInput(ask_texts.TRALOI_NO_UNITS)
    return sorted(roots, key=path_key)[0]


def similar_questions(session: Session, question: QuestionLog, scope: Unit | None,
                      since: datetime) -> list[QuestionLog]:
    """Unanswered questions (not follow-ups, not yet answered officially) asked since
    `since` by members of `scope`'s subtree (None: anyone) that ask what `question` asks,
    `question` itself included."""
    query = select(QuestionLog).where(
        ~col(QuestionLog.answered), col(QuestionLog.official_answer_id).is_(None),
        col(QuestionLog.follows_id).is_(None), col(QuestionLog.created_at) >= since)
    if scope is not None:
        query = query.join(Unit, col(Unit.id) == col(QuestionLog.unit_id)).where(
            col(Unit.path).like(f"{scope.path}%"))
    rows = session.exec(query.order_by(col(QuestionLog.id).desc()).limit(SCAN_LIMIT)).all()
    wanted = similar.content_words(question.normalized_text)
    found = [r for r in rows if r.id == question.id
             or similar.similar(wanted, similar.content_words(r.normalized_text))]
    if question not in found and question.official_answer_id is None and not question.answered:
        found.append(question)
    return found


def _askers(rows: Sequence[QuestionLog]) -> int:
    """People who asked (a question without a known person counts once per chat)."""
    return len({r.person_id if r.person_id else f"chat:{r.platform}:{r.chat_id}" for r in rows})


def askers_of(session: Session, draft: OfficialAnswer, days: int,
              now: datetime | None = None) -> int:
    """How many people asked the draft's question or a similar one, as publishing counts."""
    question = session.get(QuestionLog, draft.question_id)
    unit = session.get(Unit, draft.unit_id)
    if question is None:
        return 0
    rows = similar_questions(session, question, unit, (now or utcnow()) - timedelta(days=days))
    return _askers(rows)


def draft_in_chat(session: Session, actor: Actor, platform: str, chat_id: str) -> OfficialAnswer | None:
    return session.exec(select(OfficialAnswer).where(
        OfficialAnswer.status == "draft", OfficialAnswer.author_person_id == actor.person_id,
        OfficialAnswer.origin_platform == platform, OfficialAnswer.origin_chat_id == str(chat_id),
    ).order_by(col(OfficialAnswer.id).desc())).first()


def start(session: Session, actor: Actor, platform: str, chat_id: str, question_id: int,
          *, days: int, now: datetime | None = None) -> Picked:
    """/traloi <code>: a draft answer to that question (an older draft in this chat is
    dropped). NotFound / PermissionDenied / InvalidInput with the member-facing reason."""
    _require_officer(session, actor)
    question = session.get(QuestionLog, question_id) if valid_id(question_id) else None
    if question is None:
        raise NotFound(ask_texts.TRALOI_NOT_FOUND.format(id=question_id))
    if question.answered:
        raise InvalidInput(ask_texts.TRALOI_ALREADY_ANSWERED)
    unit = _attribution(session, actor, question)
    now = now or utcnow()
    rows = similar_questions(session, question, unit, now - timedelta(days=days))
    old = draft_in_chat(session, actor, platform, chat_id)
    if old is not None:
        old.status, old.step = "cancelled", None
        session.add(old)
    assert unit.id is not None and question.id is not None
    # Quoted as typed best among the ways it was asked (with diacritics, capitalised).
    shown = question.text
    for row in rows:
        shown = better_example(shown, row.text)
    draft = OfficialAnswer(
        question=shorten(shown, 1000), question_id=question.id, unit_id=unit.id,
        unit_name=unit.name, author_person_id=actor.person_id, origin_platform=platform,
        origin_chat_id=str(chat_id), status="draft", step="text", created_at=now)
    session.add(draft)
    session.flush()
    logger.info("official answer %s: drafted by person %s for question %s (%d similar)",
                draft.id, actor.person_id, question.id, len(rows))
    return Picked(draft, _askers(rows))


def take_text(session: Session, draft_id: int, text: str) -> OfficialAnswer:
    """The answer's text (step `text`)."""
    draft = _draft(session, draft_id, "text")
    cleaned = normalize(text).strip()
    if not cleaned:
        raise InvalidInput(ask_texts.TRALOI_TEXT_EMPTY)
    if len(cleaned) > MAX_TEXT:
        raise InvalidInput(ask_texts.TRALOI_TEXT_TOO_LONG.format(limit=MAX_TEXT))
    draft.text, draft.step = cleaned, "source"
    session.add(draft)
    return draft


def take_source(session: Session, draft_id: int, source: str, doc_id: str | None) -> OfficialAnswer:
    """The document it rests on (step `source`), as written and as found in the store."""
    draft = _draft(session, draft_id, "source")
    draft.based_on = " ".join(normalize(source).split())[:MAX_SOURCE]
    draft.based_on_doc_id = doc_id[:255] if doc_id else None
    draft.step = "confirm"
    session.add(draft)
    return draft


def cancel(session: Session, actor: Actor, draft_id: int) -> None:
    _require_officer(session, actor)
    draft = _draft(session, draft_id, None)
    if draft.author_person_id != actor.person_id:
        raise PermissionDenied(ask_texts.TRALOI_DRAFT_GONE)
    draft.status, draft.step = "cancelled", None
    session.add(draft)


def _draft(session: Session, draft_id: int, step: str | None) -> OfficialAnswer:
    draft = session.get(OfficialAnswer, draft_id) if valid_id(draft_id) else None
    if draft is None or draft.status != "draft" or (step is not None and draft.step != step):
        raise InvalidInput(ask_texts.TRALOI_DRAFT_GONE)
    return draft


def publish(session: Session, actor: Actor, draft_id: int, *, days: int,
            now: datetime | None = None) -> tuple[OfficialAnswer, int]:
    """Publish a confirmed draft: the similar questions answered officially, a notice queued
    for each member who asked one; (the answer, notices queued). Only its author, still an
    officer of a unit holding the question's unit (or an admin): PermissionDenied otherwise."""
    _require_officer(session, actor)
    draft = _draft(session, draft_id, "confirm")
    if draft.author_person_id != actor.person_id:
        raise PermissionDenied(ask_texts.TRALOI_DRAFT_GONE)
    question = session.get(QuestionLog, draft.question_id)
    unit = session.get(Unit, draft.unit_id)
    if question is None or unit is None:
        raise InvalidInput(ask_texts.TRALOI_DRAFT_GONE)
    _attribution(session, actor, question)  # still in scope (roles may have changed)
    now = now or utcnow()
    draft.status, draft.step, draft.published_at = "published", None, now
    session.add(draft)
    session.flush()
    assert draft.id is not None
    rows = similar_questions(session, question, unit, now - timedelta(days=days))
    latest: dict[int, QuestionLog] = {}
    for row in rows:
        row.official_answer_id = draft.id
        session.add(row)
        if row.person_id is not None and row.person_id not in latest:
            latest[row.person_id] = row  # rows come newest first: their latest chat
    for person_id, row in latest.items():
        assert row.id is not None
        session.add(AnswerNotice(answer_id=draft.id, person_id=person_id, question_id=row.id,
                                 platform=row.platform, chat_id=row.chat_id,
                                 chat_kind=_chat_kind(session, row), next_attempt_at=now))
    logger.info("official answer %s: published by person %s (unit %s): %d questions, %d notices",
                draft.id, actor.person_id, draft.unit_id, len(rows), len(latest))
    return draft, len(latest)


def _chat_kind(session: Session, row: QuestionLog) -> str:
    chat = session.exec(select(ChatRecord).where(
        ChatRecord.platform == row.platform, ChatRecord.chat_id == row.chat_id)).first()
    return chat.kind if chat is not None else "private"


def notice_text(answer: OfficialAnswer, asked: str, name: str | None = None) -> str:
    """What a member who asked is told (`name`: addressed by name in a group chat)."""
    day = to_local(answer.published_at or utcnow()).strftime("%d/%m/%Y")
    text = ask_texts.NOTICE.format(question=_quote(asked), unit=answer.unit_name, date=day,
                                   text=answer.text, source=answer.based_on)
    return f"{name}: {text}" if name else text


def preview(answer: OfficialAnswer, askers: int, stored: bool) -> str:
    body = notice_text(answer, answer.question)
    if not stored and answer.based_on:
        body += "\n" + ask_texts.TRALOI_SOURCE_NOT_STORED.format(source=answer.based_on)
    return ask_texts.TRALOI_PREVIEW.format(notice=body, unit=answer.unit_name, askers=askers)


def _quote(text: str) -> str:
    return shorten(text, 160)


def display_name(session: Session, person_id: int, platform: str) -> str:
    identity = session.exec(select(Identity).where(
        Identity.person_id == person_id, Identity.platform == platform)).first()
    return identity.display_name if identity is not None else ""


def entry_id(answer_id: int) -> str:
    return f"hoi-dap-chinh-thuc/{answer_id}"


def entries(session: Session) -> list[dict[str, Any]]:
    """Every published answer as a knowledge-base entry (a JSONL passage: indexer/loaders/
    jsonl.py): cited as "Trả lời chính thức của <unit> «<question>», ngày …", its text the
    question, the answer and what it rests on."""
    published = session.exec(select(OfficialAnswer).where(OfficialAnswer.status == "published")
                             .order_by(col(OfficialAnswer.id))).all()
    out = []
    for answer in published:
        assert answer.id is not None
        day = to_local(answer.published_at or answer.created_at).date().isoformat()
        out.append({
            "id": answer.id, "doc_id": entry_id(answer.id), "title": answer.question,
            "type": OFFICIAL_ANSWER, "issuer": answer.unit_name, "date": day,
            "based_on": answer.based_on,
            "text": ask_texts.OFFICIAL_ENTRY.format(question=answer.question, text=answer.text,
                                                    source=answer.based_on),
        })
    return out


def mark_stored(session: Session, answer_ids: Sequence[int], version: str | None,
                error: str | None, now: datetime | None = None) -> list[int]:
    """Record a store attempt on those of `answer_ids` not yet in the store; their ids."""
    rows = session.exec(select(OfficialAnswer).where(
        col(OfficialAnswer.id).in_(list(answer_ids)),
        col(OfficialAnswer.store_version).is_(None))).all() if answer_ids else []
    for row in rows:
        row.store_attempted_at = now or utcnow()
        row.store_version = version
        row.store_error = error[:300] if error else None
        session.add(row)
    return [r.id for r in rows if r.id is not None]


def waiting_for_store(session: Session) -> int:
    """Published answers not yet in the store."""
    return len(session.exec(select(OfficialAnswer.id).where(
        OfficialAnswer.status == "published", col(OfficialAnswer.store_version).is_(None))).all())


__all__ = ["Picked", "askers_of", "cancel", "draft_in_chat", "entries", "entry_id", "mark_stored",
           "notice_text", "preview", "publish", "similar_questions", "start", "take_source",
           "take_text", "waiting_for_store"]
