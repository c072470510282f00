"""What officers and members see in chat: the roll call (one page of members with their
status, a member's choices), the member's view of a campaign, the exemption list, the quiz
questions and results. Plain text with actions: buttons where the chat has them, numbered
hints on the others (the channel numbers them; a typed number presses one).

Action data (≤ 64 bytes, read back by bot.study.feature, every id checked):
  sh:v:<session>:<page>            a roll call page        sh:m:<session>:<person>  a member
  sh:s:<session>:<person>:<p|a|e|c|n>  present / absent / exempt / cleared / absent, no reason
  sh:all:<session>                 the rest present        sh:close:<session>       close it
  sh:doc|done|q:<campaign>         open the document / «đã học» / take the quiz
  sh:a:<attempt>:<position>:<choice>   a quiz answer (chats without native quizzes)
  sh:x:<unit>:<page>, sh:xt:<unit>:<person>   exemptions: a unit's list, flip one member
  sh:csv:<campaign>                the report as CSV        sh:c:<campaign>:<op>[:<arg>]  compose
"""

from __future__ import annotations

from bot.core.outbound import PollSpec
from bot.core.types import Action, TextReply
from bot.storage.models import Unit
from bot.study import messages as texts
from bot.study.announce import document_name
from bot.study.dates import shown
from bot.study.models import (
    QuizAttempt,
    StudyCampaign,
    StudyParticipant,
    StudyQuestion,
    StudySession,
)
from bot.study.quiz import options_of
from knowledge.text import shorten

PAGE = 20  # members per roll call page: Telegram shows at most 100 buttons a message
MAX_LABEL = 40
MAX_POLL_QUESTION = 300  # Telegram's sendPoll


def _label(text: str) -> str:
    return shorten(text, MAX_LABEL)


def _status(row: StudyParticipant, flagged: bool) -> str:
    status = "exempt" if flagged and row.attendance is None else row.attendance
    line = texts.ATTENDANCE_NAMES[status]
    if row.attendance == "absent" and row.absence_reason:
        line += texts.ROLL_REASON.format(reason=row.absence_reason)
    if row.attendance_via == "code":
        line += texts.ROLL_VIA_CODE
    return line


def roll(campaign: StudyCampaign, sess: StudySession, unit: Unit,
         rows: list[tuple[StudyParticipant, str, bool]], page: int = 0) -> TextReply:
    """One page of the roll call; closed rolls are shown without actions."""
    sid = sess.id
    pages = max((len(rows) + PAGE - 1) // PAGE, 1)
    page = min(max(page, 0), pages - 1)
    if sess.roll_closed_at is not None:
        lines = [texts.ROLL_HEADER_CLOSED.format(id=campaign.id, unit=unit.name,
                                                 closed=shown(sess.roll_closed_at))]
    else:
        lines = [texts.ROLL_HEADER.format(id=campaign.id, unit=unit.name, code=sess.code,
                                          session=shown(sess.session_at or campaign.session_at))]
    lines.append("")
    shown_rows = rows[page * PAGE:(page + 1) * PAGE]
    for n, (row, name, flagged) in enumerate(shown_rows, page * PAGE + 1):
        lines.append(texts.ROLL_LINE.format(n=n, name=name, status=_status(row, flagged)))
    counts = {"present": 0, "absent": 0, "exempt": 0, None: 0}
    for row, _name, flagged in rows:
        counts["exempt" if flagged and row.attendance is None else row.attendance] += 1
    lines += ["", texts.ROLL_COUNTS.format(present=counts["present"], absent=counts["absent"],
                                           exempt=counts["exempt"], unset=counts[None])]
    if pages > 1:
        lines.append(texts.ROLL_PAGE.format(page=page + 1, pages=pages))
    if sess.roll_closed_at is not None:
        return TextReply("\n".join(lines))
    lines.append(texts.ROLL_HINT)
    actions = [Action(_label(f"{n}. {name}"), f"sh:m:{sid}:{row.person_id}")
               for n, (row, name, _f) in enumerate(shown_rows, page * PAGE + 1)]
    if page > 0:
        actions.append(Action(texts.ROLL_PREV_BUTTON, f"sh:v:{sid}:{page - 1}"))
    if page + 1 < pages:
        actions.append(Action(texts.ROLL_NEXT_BUTTON, f"sh:v:{sid}:{page + 1}"))
    actions += [Action(texts.ROLL_REST_PRESENT_BUTTON, f"sh:all:{sid}"),
                Action(texts.ROLL_CLOSE_BUTTON, f"sh:close:{sid}")]
    return TextReply("\n".join(lines), tuple(actions))


def roll_member(sess: StudySession, row: StudyParticipant, name: str, flagged: bool) -> TextReply:
    sid, pid = sess.id, row.person_id
    return TextReply(texts.ROLL_MEMBER.format(name=name, status=_status(row, flagged)), (
        Action(texts.ROLL_PRESENT_BUTTON, f"sh:s:{sid}:{pid}:p"),
        Action(texts.ROLL_ABSENT_BUTTON, f"sh:s:{sid}:{pid}:a"),
        Action(texts.ROLL_EXEMPT_BUTTON, f"sh:s:{sid}:{pid}:e"),
        Action(texts.ROLL_CLEAR_BUTTON, f"sh:s:{sid}:{pid}:c"),
        Action(texts.ROLL_BACK_BUTTON, f"sh:v:{sid}:0")))


def ask_reason(sess: StudySession, person_id: int, name: str) -> TextReply:
    return TextReply(texts.ROLL_ASK_REASON.format(name=name), (
        Action(texts.ROLL_NO_REASON_BUTTON, f"sh:s:{sess.id}:{person_id}:n"),))


def pick_session(campaign: StudyCampaign, choices: list[tuple[StudySession, str]]) -> TextReply:
    return TextReply(texts.ROLL_PICK_UNIT.format(id=campaign.id), tuple(
        Action(_label(name), f"sh:v:{s.id}:0") for s, name in choices))


# --- members ------------------------------------------------------------------------------


def member_state(row: StudyParticipant, exempt: bool, count: int) -> str:
    if exempt:
        return texts.VIEW_STATE_EXEMPT
    if row.attendance == "present":
        return texts.VIEW_STATE_PRESENT
    if row.quiz_passed_at is not None:
        return texts.VIEW_STATE_PASSED.format(score=row.best_score, count=count)
    if row.self_studied_at is not None:
        return texts.VIEW_STATE_SELF
    return texts.VIEW_STATE_TODO


def member_view(campaign: StudyCampaign, row: StudyParticipant, exempt: bool,
                quiz_count: int) -> TextReply:
    cid = campaign.id
    text = texts.VIEW_HEADER.format(id=cid, title=campaign.title, document=document_name(campaign),
                                    deadline=shown(campaign.deadline_at),
                                    state=member_state(row, exempt, quiz_count))
    actions = [Action(texts.VIEW_BUTTON, f"sh:doc:{cid}")]
    done = row.attendance == "present" or row.self_studied_at or row.quiz_passed_at
    if campaign.status == "open" and not done:
        actions.append(Action(texts.DONE_BUTTON, f"sh:done:{cid}"))
    if campaign.status == "open" and quiz_count and row.quiz_passed_at is None:
        actions.append(Action(texts.QUIZ_BUTTON, f"sh:q:{cid}"))
    return TextReply(text, tuple(actions))


def my_studies(found: list[tuple[StudyCampaign, StudyParticipant, bool]]) -> TextReply:
    if not found:
        return TextReply(texts.MY_NONE)
    lines = [texts.MY_TITLE]
    for campaign, row, exempt in found:
        done = row.attendance == "present" or row.self_studied_at or row.quiz_passed_at
        state = (texts.MY_STATE_EXEMPT if exempt else
                 texts.MY_STATE_DONE if done else texts.MY_STATE_TODO)
        lines.append(texts.MY_LINE.format(id=campaign.id, title=campaign.title,
                                          deadline=shown(campaign.deadline_at), state=state))
    lines.append(texts.MY_HINT)
    return TextReply("\n".join(lines))


# --- exemptions -----------------------------------------------------------------------------


def exempt_units(units: list[Unit]) -> TextReply:
    return TextReply(texts.EXEMPT_PICK_UNIT, tuple(
        Action(_label(u.name), f"sh:x:{u.id}:0") for u in units[:PAGE]))


def exempt_list(unit: Unit, members: list[tuple[int, str, str, bool]], page: int = 0) -> TextReply:
    if not members:
        return TextReply(texts.EXEMPT_NO_MEMBERS)
    pages = max((len(members) + PAGE - 1) // PAGE, 1)
    page = min(max(page, 0), pages - 1)
    chunk = members[page * PAGE:(page + 1) * PAGE]
    lines = [texts.EXEMPT_HEADER.format(unit=unit.name), ""]
    lines += [texts.EXEMPT_LINE.format(n=n, name=name, flag=texts.EXEMPT_FLAG if flag else "")
              for n, (_p, name, _r, flag) in enumerate(chunk, page * PAGE + 1)]
    if pages > 1:
        lines.append(texts.ROLL_PAGE.format(page=page + 1, pages=pages))
    actions = [Action(_label(f"{n}. {name}"), f"sh:xt:{unit.id}:{p}")
               for n, (p, name, _r, _f) in enumerate(chunk, page * PAGE + 1)]
    if page > 0:
        actions.append(Action(texts.ROLL_PREV_BUTTON, f"sh:x:{unit.id}:{page - 1}"))
    if page + 1 < pages:
        actions.append(Action(texts.ROLL_NEXT_BUTTON, f"sh:x:{unit.id}:{page + 1}"))
    return TextReply("\n".join(lines), tuple(actions))


# --- the quiz -------------------------------------------------------------------------------


def quiz_notice(campaign: StudyCampaign, attempt: QuizAttempt, count: int) -> str:
    return texts.QUIZ_NAMED_NOTICE.format(id=campaign.id, count=count, mark=campaign.pass_mark,
                                          number=attempt.number, attempts=campaign.max_attempts)


def question_text(question: StudyQuestion, count: int) -> str:
    return texts.QUIZ_QUESTION.format(n=question.position, count=count, text=question.text)


def question_reply(attempt: QuizAttempt, question: StudyQuestion, count: int,
                   before: str = "") -> TextReply:
    """A question as text with one action per option (buttons, or numbers typed back)."""
    options = options_of(question)
    lines = ([before, ""] if before else []) + [question_text(question, count)]
    lines += [f"{i}. {option}" for i, option in enumerate(options, 1)]
    lines.append(texts.QUIZ_TYPED_HINT)
    return TextReply("\n".join(lines), tuple(
        Action(_label(option), f"sh:a:{attempt.id}:{question.position}:{i}")
        for i, option in enumerate(options)))


def question_poll(question: StudyQuestion, count: int) -> PollSpec:
    """A native quiz: named (the answer must reach the bot), the right option marked, the
    passage as its explanation (Telegram shows it once answered)."""
    options = tuple(options_of(question))
    return PollSpec(shorten(question_text(question, count), MAX_POLL_QUESTION, keep_lines=True), options, anonymous=False,
                    correct_option=question.correct, explanation=shorten(question.passage, 200))


def feedback(question: StudyQuestion, right: bool) -> str:
    if right:
        return texts.QUIZ_RIGHT
    return texts.QUIZ_WRONG.format(answer=options_of(question)[question.correct],
                                   passage=question.passage)


def result(campaign: StudyCampaign, attempt: QuizAttempt, count: int,
           wrong: list[tuple[StudyQuestion, int]], left: int) -> TextReply:
    """The attempt's score; the right answers and their passages for the wrong ones; a
    retry while attempts are left."""
    if attempt.passed:
        lines = [texts.QUIZ_RESULT_PASSED.format(score=attempt.score, count=count,
                                                 mark=campaign.pass_mark)]
    else:
        lines = [texts.QUIZ_RESULT_FAILED.format(score=attempt.score, count=count,
                                                 mark=campaign.pass_mark)]
    if wrong:
        lines += ["", texts.QUIZ_WRONG_LIST]
        lines += [texts.QUIZ_WRONG_ITEM.format(n=q.position, answer=options_of(q)[q.correct],
                                               passage=q.passage) for q, _choice in wrong]
    actions: tuple[Action, ...] = ()
    if not attempt.passed:
        lines += ["", texts.QUIZ_RESULT_RETRY.format(left=left) if left
                  else texts.QUIZ_RESULT_NO_RETRY]
        if left:
            actions = (Action(texts.RETRY_BUTTON, f"sh:q:{campaign.id}"),)
    return TextReply("\n".join(lines), actions)


__all__ = ["PAGE", "ask_reason", "exempt_list", "exempt_units", "feedback", "member_state",
           "member_view", "my_studies", "pick_session", "question_poll", "question_reply",
           "question_text", "quiz_notice", "result", "roll", "roll_member"]
