"""The question log, 👍/👎 feedback, and the officer's report: what members ask most, and
what the bot could not answer (the documents the knowledge base is missing).

Questions are grouped by `normalize_question`: the accented and unaccented ways of typing
the same question ("Nghị quyết 57 nói gì?" / "nghi quyet 57 noi gi") fall in one group.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

from sqlmodel import Session, case, col, func, select
from sqlmodel.sql.expression import SelectOfScalar

from bot import messages as texts
from bot.services import similar
from bot.services.errors import InvalidInput, NotFound, PermissionDenied
from bot.services.people import Actor, memberships_of
from bot.services.units import under_any, can_act_on, get_unit, officer_units, path_key, scope_paths
from bot.storage.models import PLATFORMS, Feedback, QuestionLog, Unit, to_local, utcnow, valid_id
from knowledge.text import fold, normalize, shorten

logger = logging.getLogger(__name__)

MAX_TEXT = 4096
MAX_NORMALIZED = 500
MAX_REPORT_DAYS = 3650  # ten years: more than any log is kept, and far from timedelta's limit
_EDGES = " ?!.…,;:\"'“”«»()[]-–—"


def normalize_question(text: str) -> str:
    """The grouping key of a question: normalised, folded (no marks, đ→d), lowercase, single
    spaces, no punctuation at the ends."""
    key = " ".join(fold(normalize(text)).split()).strip(_EDGES)
    return " ".join(key.split())[:MAX_NORMALIZED]


def log_question(
    session: Session, actor: Actor | None, platform: str, chat_id: str, text: str,
    *, latency_ms: int, answered: bool, top_doc_id: str | None = None,
    top_section: str | None = None, follows_id: int | None = None,
    now: datetime | None = None,
) -> int:
    """Record a question and how it went; returns its id (for feedback buttons). The unit is
    the asker's innermost unit at the time, if they belong to any. `follows_id`: the logged
    question a follow-up continues."""
    if platform not in PLATFORMS:
        raise InvalidInput()
    unit_id: int | None = None
    if actor is not None:
        memberships = memberships_of(session, actor.person_id)
        unit_id = memberships[0][0] if memberships else None
    text = normalize(text).strip()[:MAX_TEXT]
    row = QuestionLog(
        person_id=actor.person_id if actor else None, unit_id=unit_id, platform=platform,
        chat_id=str(chat_id), text=text, normalized_text=normalize_question(text),
        latency_ms=max(int(latency_ms), 0), answered=answered,
        top_doc_id=top_doc_id[:255] if top_doc_id else None,
        top_section=top_section[:255] if top_section else None,
        follows_id=follows_id if follows_id and valid_id(follows_id) else None,
        created_at=now or utcnow(),
    )
    session.add(row)
    session.flush()
    assert row.id is not None
    return row.id


def record_feedback(
    session: Session, actor: Actor, question_id: int, value: int, *, now: datetime | None = None
) -> None:
    """👍 (+1) or 👎 (-1) on an answer, by the person who asked it (anyone else, e.g. another
    member of the group, gets PermissionDenied); their second vote replaces their first."""
    if value not in (1, -1):
        raise InvalidInput(texts.FEEDBACK_INVALID)
    asked_by(session, actor, question_id, texts.FEEDBACK_NOT_YOURS)
    now = now or utcnow()
    vote = session.exec(
        select(Feedback).where(Feedback.question_id == question_id, Feedback.person_id == actor.person_id)
    ).first()
    if vote is None:
        vote = Feedback(question_id=question_id, person_id=actor.person_id, value=value, created_at=now)
    else:
        vote.value, vote.created_at = value, now
    session.add(vote)
    session.flush()


def asked_by(session: Session, actor: Actor, question_id: int, refusal: str) -> QuestionLog:
    """The logged question, if `actor` asked it: NotFound when there is no such question,
    PermissionDenied(`refusal`) when someone else did (buttons under an answer in a group
    are for the asker only)."""
    logged = session.get(QuestionLog, question_id) if valid_id(question_id) else None
    if logged is None:
        raise NotFound(texts.QUESTION_NOT_FOUND)
    if logged.person_id != actor.person_id:
        logger.info("question %s: person %s pressed a button of person %s", question_id,
                    actor.person_id, logged.person_id)
        raise PermissionDenied(refusal)
    return logged


# --- the report ---------------------------------------------------------------------------


@dataclass(frozen=True)
class QuestionGroup:
    normalized_text: str
    example: str  # one of the original texts
    count: int
    answered: int
    # Unanswered groups: the latest unanswered question's id (an officer answers it
    # officially with /traloi <code>), and how many different ways of asking were grouped
    # with it as similar (bot/services/similar.py).
    code: int | None = None
    variants: int = 1

    @property
    def answered_share(self) -> float:
        return self.answered / self.count if self.count else 0.0


@dataclass(frozen=True)
class UnitReport:
    unit_id: int | None  # None: the total, or questions from people in no unit (see `name`)
    name: str
    kind: str | None
    questions: int
    answered: int
    thumbs_up: int
    thumbs_down: int
    top: tuple[QuestionGroup, ...]  # most asked first
    unanswered: tuple[QuestionGroup, ...]  # count = times it went unanswered, most first

    @property
    def answered_share(self) -> float:
        return self.answered / self.questions if self.questions else 0.0


@dataclass(frozen=True)
class Report:
    days: int
    since: datetime
    until: datetime
    scope: str  # what the report covers, in words
    total: UnitReport
    units: tuple[UnitReport, ...]  # units with questions, in tree order; "no unit" last


@dataclass
class _Group:
    key: str
    example: str
    count: int
    answered: int  # by the bot, or by an official answer since (no longer missing)
    latest: datetime
    code: int | None  # the latest unanswered question's id


def _in_window(query: SelectOfScalar[Any], since: datetime, until: datetime,
               paths: list[str] | None) -> SelectOfScalar[Any]:
    query = query.where(col(QuestionLog.created_at) >= since, col(QuestionLog.created_at) < until)
    if paths is not None:
        query = query.join(Unit, col(Unit.id) == col(QuestionLog.unit_id)).where(under_any(paths))
    return query


def _unit_report(unit_id: int | None, name: str, kind: str | None, groups: Iterable[_Group],
                 votes: dict[int, int], limit: int, official: dict[str, int]) -> UnitReport:
    groups = list(groups)
    top = sorted(groups, key=lambda g: (-g.count, -g.latest.timestamp(), g.key))
    missing = sorted(
        (g for g in groups if g.count > g.answered + official.get(g.key, 0)),
        key=lambda g: (-(g.count - g.answered), -g.latest.timestamp(), g.key),
    )
    unanswered = []
    # Similar questions in one line, under the most asked way of asking.
    for members in similar.group(missing, lambda g: g.key):
        lead = members[0]
        latest = max(members, key=lambda g: (g.latest, g.code or 0))
        example = lead.example
        for other in members[1:]:  # shown as typed best: with diacritics, capitalised
            example = better_example(example, other.example)
        unanswered.append(QuestionGroup(
            lead.key, example,
            sum(g.count - g.answered - official.get(g.key, 0) for g in members), 0,
            code=latest.code, variants=len(members)))
    unanswered.sort(key=lambda g: -g.count)  # stable: ties keep the recency order
    return UnitReport(
        unit_id=unit_id, name=name, kind=kind,
        questions=sum(g.count for g in groups), answered=sum(g.answered for g in groups),
        thumbs_up=votes.get(1, 0), thumbs_down=votes.get(-1, 0),
        top=tuple(QuestionGroup(g.key, g.example, g.count, g.answered) for g in top[:limit]),
        unanswered=tuple(unanswered[:limit]),
    )


def _build_report(session: Session, *, days: int, paths: list[str] | None, scope: str,
                  limit: int, now: datetime | None) -> Report:
    if not 1 <= days <= MAX_REPORT_DAYS:
        raise InvalidInput(texts.DAYS_INVALID.format(max=MAX_REPORT_DAYS))
    until = now or utcnow()
    since = until - timedelta(days=days)
    answered_sum = func.sum(case((col(QuestionLog.answered), 1), else_=0))
    missing = ~col(QuestionLog.answered) & col(QuestionLog.official_answer_id).is_(None)
    officially = func.sum(case(
        (~col(QuestionLog.answered) & col(QuestionLog.official_answer_id).is_not(None), 1),
        else_=0))
    rows = session.exec(
        _in_window(
            select(  # type: ignore[call-overload]
                QuestionLog.unit_id, QuestionLog.normalized_text, func.count(), answered_sum,
                func.min(QuestionLog.text), func.max(QuestionLog.text),
                func.max(QuestionLog.created_at), officially,
                func.max(case((missing, QuestionLog.id), else_=None)),
            ),
            since, until, paths,
        )
        # A follow-up ("còn gì nữa?") continues a question: it is not one of its own.
        .where(col(QuestionLog.follows_id).is_(None))
        .group_by(col(QuestionLog.unit_id), col(QuestionLog.normalized_text))
    ).all()
    vote_rows = session.exec(
        _in_window(
            select(QuestionLog.unit_id, Feedback.value, func.count())  # type: ignore[call-overload]
            .join(Feedback, col(Feedback.question_id) == col(QuestionLog.id)),
            since, until, paths,
        ).group_by(col(QuestionLog.unit_id), col(Feedback.value))
    ).all()

    per_unit: dict[int | None, list[_Group]] = {}
    merged: dict[str, _Group] = {}
    # Questions an official answer covers since: answered, though not by the bot (kept
    # apart, so the answered share stays the bot's own).
    official: dict[int | None, dict[str, int]] = {}
    all_official: dict[str, int] = {}
    for unit_id, key, count, answered, first_text, last_text, latest, covered, code in rows:
        latest = _aware(latest)
        example = better_example(first_text, last_text)
        answered = int(answered or 0)
        per_unit.setdefault(unit_id, []).append(_Group(key, example, count, answered, latest, code))
        if covered:
            official.setdefault(unit_id, {})[key] = int(covered)
            all_official[key] = all_official.get(key, 0) + int(covered)
        g = merged.get(key)
        if g is None:
            merged[key] = _Group(key, example, count, answered, latest, code)
        else:
            g.count += count
            g.answered += answered
            g.example = better_example(g.example, example)
            g.latest = max(g.latest, latest)
            g.code = max(c for c in (g.code, code, 0) if c is not None) or None
    votes: dict[int | None, dict[int, int]] = {}
    all_votes: dict[int, int] = {}
    for unit_id, value, n in vote_rows:
        votes.setdefault(unit_id, {})[value] = n
        all_votes[value] = all_votes.get(value, 0) + n

    unit_ids = [i for i in per_unit if i is not None]
    units = session.exec(select(Unit).where(col(Unit.id).in_(unit_ids))).all() if unit_ids else []
    unit_reports = [
        _unit_report(u.id, u.name, u.kind, per_unit[u.id], votes.get(u.id, {}), limit,
                     official.get(u.id, {}))
        for u in sorted(units, key=path_key)
    ]
    if None in per_unit:  # asked by people in no unit (only in an unscoped, admin report)
        unit_reports.append(_unit_report(
            None, texts.REPORT_NO_UNIT, None, per_unit[None], votes.get(None, {}), limit,
            official.get(None, {})
        ))
    total = _unit_report(None, texts.REPORT_TOTAL, None, merged.values(), all_votes, limit,
                         all_official)
    return Report(days=days, since=since, until=until, scope=scope, total=total,
                  units=tuple(unit_reports))


def _example_score(text: str) -> tuple[int, bool, str]:
    marked = sum(1 for a, b in zip(text.lower(), fold(text)) if a != b)
    return marked, text[:1].isupper(), text


def better_example(a: str, b: str) -> str:
    """The nicer of two ways a question was typed: with diacritics, capitalised."""
    return max(a, b, key=_example_score)


def _aware(moment: datetime | str) -> datetime:
    """MAX() over a timestamp, defensively: aware, whatever the driver hands back."""
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment)
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def question_report(
    session: Session, actor: Actor, *, days: int, unit_id: int | None = None, limit: int = 10,
    now: datetime | None = None,
) -> Report:
    """The report for an officer's scope (or one unit's subtree inside it); admins see
    everything. Members may not see reports."""
    if not actor.is_admin and not officer_units(session, actor):
        raise PermissionDenied(texts.NOT_OFFICER)
    if unit_id is not None:
        unit = get_unit(session, unit_id)
        if not can_act_on(session, actor, unit_id):
            raise PermissionDenied(texts.OUTSIDE_SCOPE)
        return _build_report(session, days=days, paths=[unit.path], scope=unit.name,
                             limit=limit, now=now)
    paths = scope_paths(session, actor)
    if paths is None:
        scope = texts.REPORT_SCOPE_ALL
    else:
        tops = session.exec(select(Unit).where(col(Unit.path).in_(paths))).all()
        scope = ", ".join(u.name for u in sorted(tops, key=path_key))
    return _build_report(session, days=days, paths=paths, scope=scope, limit=limit, now=now)


def admin_question_report(
    session: Session, *, days: int, unit_id: int | None = None, limit: int = 10,
    now: datetime | None = None,
) -> Report:
    """For the server operator's CLI: everything, or one unit's subtree."""
    if unit_id is None:
        return _build_report(session, days=days, paths=None, scope=texts.REPORT_SCOPE_ALL,
                             limit=limit, now=now)
    unit = get_unit(session, unit_id)
    return _build_report(session, days=days, paths=[unit.path], scope=unit.name, limit=limit,
                         now=now)


def _percent(share: float) -> str:
    return f"{round(share * 100)}%"


def _section(part: UnitReport, limit: int) -> list[str]:
    lines = [
        texts.REPORT_SUMMARY.format(
            questions=part.questions, answered=part.answered,
            share=_percent(part.answered_share), up=part.thumbs_up, down=part.thumbs_down,
        ),
        texts.REPORT_TOP,
    ]
    for n, g in enumerate(part.top[:limit], 1):
        lines.append(texts.REPORT_TOP_ITEM.format(
            n=n, text=shorten(g.example), count=g.count, share=_percent(g.answered_share)))
    lines.append(texts.REPORT_UNANSWERED)
    if not part.unanswered:
        lines.append(texts.REPORT_ALL_ANSWERED)
    for n, g in enumerate(part.unanswered[:limit], 1):
        line = texts.REPORT_UNANSWERED_ITEM.format(n=n, text=shorten(g.example), count=g.count)
        if g.variants > 1:
            line += texts.REPORT_VARIANTS.format(variants=g.variants)
        if g.code is not None:
            line += texts.REPORT_CODE.format(id=g.code)
        lines.append(line)
    return lines


def format_report(report: Report, *, per_unit_limit: int = 3) -> str:
    """The report as Vietnamese plain text: the total, then each unit (shorter lists)."""
    start, end = to_local(report.since), to_local(report.until)
    lines = [
        texts.REPORT_TITLE.format(
            days=report.days, start=start.strftime("%d/%m/%Y"), end=end.strftime("%d/%m/%Y")
        ),
        texts.REPORT_SCOPE.format(scope=report.scope),
    ]
    if report.total.questions == 0:
        lines += ["", texts.REPORT_NONE]
        return "\n".join(lines)
    lines += ["", f"{texts.REPORT_TOTAL}:"] + _section(report.total, len(report.total.top))
    for part in report.units:
        kind = texts.UNIT_KIND_NAMES.get(part.kind, part.kind) if part.kind else None
        heading = f"{part.name} ({kind})" if kind else part.name
        lines += ["", f"{heading}:"] + _section(part, per_unit_limit)
    return "\n".join(lines)


__all__ = [
    "MAX_REPORT_DAYS", "QuestionGroup", "Report", "UnitReport", "admin_question_report", "asked_by",
    "format_report",
    "better_example", "log_question", "normalize_question", "question_report", "record_feedback",
]
