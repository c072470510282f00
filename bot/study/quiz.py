"""The campaign's quiz: 3–10 questions an officer writes (in chat, one per line, fields
split by "|", or a CSV file's rows with the same columns), each with its options, the right
one and the passage it rests on; attempts, answers, scores.

One line / row: question, 2–10 options, the number of the right option (1-based), the
passage. Which of the two formats the input is follows from its structure (`parse`); a
chat-format field holding a "|" is written in double quotes. A CSV may start with a header row (its first cell "câu hỏi"/"question"); the
delimiter (semicolon, tab or comma) is the one that reads the most rows as questions. Limits follow Telegram's native quiz
(sendPoll: question ≤ 300 characters, 2–10 options of ≤ 100; explanation ≤ 200 — a longer
passage is cut there and shown whole in the result message).

Attempts: a member has `max_attempts` (the first try and one retry by default); an
unfinished attempt is resumed, a passed quiz is not taken again. Answers are named: they
are stored with the person (this is a check of study, not an opinion poll), and members
are told so before the first question.
"""

from __future__ import annotations

import csv
import io
import json
import logging
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete
from sqlmodel import Session, col, select

from bot.services.errors import InvalidInput, NotFound
from bot.storage.models import utcnow, valid_id
from bot.study import messages as texts
from bot.study.models import (
    MAX_QUESTIONS,
    MIN_QUESTIONS,
    QuizAnswer,
    QuizAttempt,
    StudyCampaign,
    StudyParticipant,
    StudyQuestion,
)
from bot.study.service import participant, questions
from knowledge.text import fold, normalize

logger = logging.getLogger(__name__)

MAX_QUESTION = 300
MAX_OPTION = 100
MAX_OPTIONS = 10
MAX_PASSAGE = 1000
MAX_EXPLANATION = 200
HEADER_WORDS = ("cau hoi", "question")
# Tried in this order; on a tie the first wins (Excel in a Vietnamese locale writes ";").
DELIMITERS = (";", "\t", ",")


@dataclass(frozen=True)
class QuestionDraft:
    text: str
    options: tuple[str, ...]
    correct: int  # 0-based
    passage: str


def parse(text: str) -> list[QuestionDraft]:
    """Questions from chat lines ("|"-separated) or CSV text. InvalidInput names the first
    bad line and what is wrong, or the count when it is outside 3–10, or says the input
    fits neither format (no row reads as a question either way).

    The format is the input's structure, not one character: each reading — chat lines split
    at "|" (a field in double quotes may hold a "|"), CSV with ";", tab or "," — is scored
    by how many rows read as a question (`_answer_rows`), and the best wins (a tie goes to
    the chat format, then in DELIMITERS order). So a CSV whose question text holds a "|"
    is read as CSV, and a chat line whose question holds one in quotes keeps it whole."""
    # normalize() turns tabs into spaces: keep them, a TSV file's delimiter.
    text = "\t".join(normalize(part) for part in text.split("\t"))
    text = text.replace("\r\n", "\n").replace("\r", "\n").strip()
    readings = [_bar_rows(text), *(_csv_rows(text, d) for d in DELIMITERS)]
    rows = max(readings, key=_answer_rows)
    if rows and fold(rows[0][1][0]).strip(" :") in HEADER_WORDS:
        rows = rows[1:]
    if not _answer_rows(rows):
        raise InvalidInput(texts.QUIZ_FORMAT_UNKNOWN)
    if not MIN_QUESTIONS <= len(rows) <= MAX_QUESTIONS:  # before reading a huge file's rows
        raise InvalidInput(texts.QUIZ_COUNT.format(low=MIN_QUESTIONS, high=MAX_QUESTIONS,
                                                   count=len(rows)))
    found = [_question(n, [c for c in cells if c] if len(cells) > 4 else cells)
             for n, cells in rows]
    return found


# Quotes that may enclose a chat-format field holding a "|": straight and typographic.
QUOTES = {'"': '"', "“": "”"}


def _bar_rows(text: str) -> list[tuple[int, list[str]]]:
    """(line number, cells) of the non-empty lines in the chat format: cells split at "|",
    except inside a field that starts with a quote and ends with its closing quote (the
    quotes are then dropped). An unclosed quote stays as typed: a line never swallows the
    next one (unlike CSV quoting)."""
    rows = []
    for n, line in enumerate(text.split("\n"), 1):
        if not line.strip():
            continue
        cells: list[str] = []
        parts = line.split("|")
        i = 0
        while i < len(parts):
            cell = parts[i].strip()
            close = QUOTES.get(cell[:1])
            if close is not None and not (len(cell) > 1 and cell.endswith(close)):
                end = next((j for j in range(i + 1, len(parts))
                            if parts[j].strip().endswith(close)), None)
                if end is not None:
                    cell = "|".join(parts[i:end + 1]).strip()
                    i = end
            if len(cell) > 1 and QUOTES.get(cell[0]) == cell[-1] and "|" in cell:
                cell = cell[1:-1].strip()
            cells.append(cell)
            i += 1
        rows.append((n, cells))
    return rows


def _csv_rows(text: str, delimiter: str) -> list[tuple[int, list[str]]]:
    """(row number, cells) of the non-empty rows, read with `delimiter`."""
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    return [(n, [cell.strip() for cell in row]) for n, row in enumerate(reader, 1)
            if any(cell.strip() for cell in row)]


def _answer_rows(rows: list[tuple[int, list[str]]]) -> int:
    """How many rows read as a question: at least 5 filled cells, the one before the last a
    number (the right option). The delimiter that gives the most is the file's: a guess on
    the first lines (csv.Sniffer) takes the commas inside Vietnamese sentences for the
    delimiter of a file Excel saved with semicolons."""
    count = 0
    for _, cells in rows:
        filled = [c for c in cells if c]
        count += len(filled) >= 5 and filled[-2].rstrip(".").isdigit()
    return count


def _question(line: int, cells: list[str]) -> QuestionDraft:
    def bad(problem: str) -> InvalidInput:
        return InvalidInput(texts.QUIZ_LINE_ERROR.format(line=line, problem=problem))

    if len(cells) < 5:
        raise bad(texts.QUIZ_TOO_FEW_FIELDS)
    question, options, correct, passage = cells[0], cells[1:-2], cells[-2], cells[-1]
    if not question or len(question) > MAX_QUESTION:
        raise bad(texts.QUIZ_QUESTION_LONG.format(limit=MAX_QUESTION))
    if len(options) > MAX_OPTIONS:
        raise bad(texts.QUIZ_TOO_MANY_OPTIONS.format(limit=MAX_OPTIONS))
    if any(not o or len(o) > MAX_OPTION for o in options):
        raise bad(texts.QUIZ_OPTION_LONG.format(limit=MAX_OPTION))
    if len({fold(o) for o in options}) != len(options):
        raise bad(texts.QUIZ_OPTIONS_REPEATED)
    number = correct.strip().rstrip(".")
    if not (number.isascii() and number.isdigit() and 1 <= int(number) <= len(options)):
        raise bad(texts.QUIZ_BAD_CORRECT.format(count=len(options)))
    if not passage:
        raise bad(texts.QUIZ_NO_PASSAGE)
    if len(passage) > MAX_PASSAGE:
        raise bad(texts.QUIZ_PASSAGE_LONG.format(limit=MAX_PASSAGE))
    return QuestionDraft(question, tuple(options), int(number) - 1, passage)


def store(session: Session, campaign: StudyCampaign, drafts: list[QuestionDraft],
          pass_mark: int | None = None) -> None:
    """Replace the campaign's questions (a campaign whose quiz nobody has started)."""
    assert campaign.id is not None
    if session.exec(select(QuizAttempt.id).where(QuizAttempt.campaign_id == campaign.id)).first():
        raise InvalidInput(texts.NOT_DRAFT)
    session.exec(delete(StudyQuestion).where(  # type: ignore[call-overload]
        col(StudyQuestion.campaign_id) == campaign.id))
    for position, draft in enumerate(drafts, 1):
        session.add(StudyQuestion(campaign_id=campaign.id, position=position, text=draft.text,
                                  options_json=json.dumps(list(draft.options),
                                                          ensure_ascii=False),
                                  correct=draft.correct, passage=draft.passage))
    campaign.pass_mark = default_pass_mark(len(drafts)) if pass_mark is None else pass_mark
    if not 1 <= campaign.pass_mark <= len(drafts):
        raise InvalidInput(texts.USE_BUTTONS)
    session.add(campaign)
    session.flush()


def default_pass_mark(count: int) -> int:
    """80% of the questions, rounded up (4 of 5, 8 of 10): the usual bar of a cell's test."""
    return -(-count * 4 // 5)


def options_of(question: StudyQuestion) -> list[str]:
    return [str(o) for o in json.loads(question.options_json)]


# --- attempts ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Step:
    """What to show next: the attempt, and the question awaited (None: finished)."""

    attempt: QuizAttempt
    question: StudyQuestion | None
    count: int
    fresh: bool  # a new attempt (show the notice first)


def start(session: Session, person_id: int, campaign_id: int, platform: str,
          chat_id: str) -> Step:
    """Start (or resume) the person's attempt. InvalidInput: no quiz, not a participant,
    already passed, no attempts left, campaign not open."""
    campaign = session.get(StudyCampaign, campaign_id) if valid_id(campaign_id) else None
    if campaign is None:
        raise NotFound(texts.NOT_FOUND)
    found = questions(session, campaign_id)
    if not found or not campaign.pass_mark:
        raise InvalidInput(texts.QUIZ_NONE)
    if campaign.status != "open":
        raise InvalidInput(texts.NOT_OPEN)
    row = participant(session, campaign_id, person_id)
    if row is None:
        raise InvalidInput(texts.NOT_PARTICIPANT)
    if row.quiz_passed_at is not None:
        raise InvalidInput(texts.QUIZ_ALREADY_PASSED.format(
            id=campaign_id, score=row.best_score, count=len(found)))
    attempts = list(session.exec(select(QuizAttempt).where(
        QuizAttempt.campaign_id == campaign_id, QuizAttempt.person_id == person_id)
        .order_by(col(QuizAttempt.number))).all())
    if attempts and attempts[-1].finished_at is None:
        last = attempts[-1]
        last.platform, last.chat_id, last.poll_id = platform, chat_id, None
        session.add(last)
        return Step(last, found[last.next_position - 1], len(found), False)
    if len(attempts) >= campaign.max_attempts:
        raise InvalidInput(texts.QUIZ_NO_ATTEMPTS.format(attempts=campaign.max_attempts,
                                                         id=campaign_id))
    attempt = QuizAttempt(campaign_id=campaign_id, person_id=person_id,
                          number=len(attempts) + 1, platform=platform, chat_id=chat_id)
    session.add(attempt)
    session.flush()
    return Step(attempt, found[0], len(found), True)


def answer(session: Session, attempt: QuizAttempt, position: int, choice: int,
           now: datetime | None = None) -> tuple[bool, Step]:
    """Record the answer to the awaited question (InvalidInput QUIZ_STALE for any other
    position, a finished attempt, or a choice out of range). Returns whether it was right
    and the next step; the last answer scores the attempt and, when it passes, completes
    the person's study."""
    now = now or utcnow()
    found = questions(session, attempt.campaign_id)
    if attempt.finished_at is not None or position != attempt.next_position \
            or not 1 <= position <= len(found):
        raise InvalidInput(texts.QUIZ_STALE)
    question = found[position - 1]
    if not 0 <= choice < len(options_of(question)):
        raise InvalidInput(texts.QUIZ_STALE)
    right = choice == question.correct
    session.add(QuizAnswer(attempt_id=attempt.id or 0, position=position, choice=choice,
                           correct=right, answered_at=now))
    attempt.score += int(right)
    attempt.next_position += 1
    attempt.poll_id = None
    if attempt.next_position > len(found):
        _finish(session, attempt, len(found), now)
    session.add(attempt)
    session.flush()
    following = found[attempt.next_position - 1] if attempt.finished_at is None else None
    return right, Step(attempt, following, len(found), False)


def _finish(session: Session, attempt: QuizAttempt, count: int, now: datetime) -> None:
    campaign = session.get(StudyCampaign, attempt.campaign_id)
    assert campaign is not None
    attempt.finished_at = now
    attempt.passed = attempt.score >= campaign.pass_mark
    row = participant(session, attempt.campaign_id, attempt.person_id)
    if row is not None:
        row.best_score = max(row.best_score or 0, attempt.score)
        if attempt.passed and row.quiz_passed_at is None:
            row.quiz_passed_at = now
        session.add(row)
    logger.info("study campaign %s: person %s finished attempt %d: %d/%d%s", campaign.id,
                attempt.person_id, attempt.number, attempt.score, count,
                " (passed)" if attempt.passed else "")


def own_attempt(session: Session, person_id: int, attempt_id: int) -> QuizAttempt:
    attempt = session.get(QuizAttempt, attempt_id) if valid_id(attempt_id) else None
    if attempt is None or attempt.person_id != person_id:
        raise InvalidInput(texts.QUIZ_NOT_YOURS)
    return attempt


def attempt_for_poll(session: Session, platform: str, poll_id: str) -> QuizAttempt | None:
    return session.exec(select(QuizAttempt).where(
        QuizAttempt.platform == platform, QuizAttempt.poll_id == poll_id[:64])).first()


def wrong_answers(session: Session, attempt: QuizAttempt) -> list[tuple[StudyQuestion, int]]:
    """(question, chosen) of the attempt's wrong answers, in order."""
    found = {q.position: q for q in questions(session, attempt.campaign_id)}
    rows = session.exec(select(QuizAnswer).where(QuizAnswer.attempt_id == attempt.id,
                                                 col(QuizAnswer.correct).is_(False))
                        .order_by(col(QuizAnswer.position))).all()
    return [(found[a.position], a.choice) for a in rows if a.position in found]


def attempts_left(session: Session, attempt: QuizAttempt) -> int:
    campaign = session.get(StudyCampaign, attempt.campaign_id)
    return max((campaign.max_attempts if campaign else 0) - attempt.number, 0)


def participant_of(session: Session, attempt: QuizAttempt) -> StudyParticipant | None:
    return participant(session, attempt.campaign_id, attempt.person_id)


__all__ = ["QuestionDraft", "Step", "answer", "attempt_for_poll", "attempts_left",
           "default_pass_mark", "options_of", "own_attempt", "parse", "participant_of", "start",
           "store", "wrong_answers"]
