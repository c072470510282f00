"""The quiz (written in chat or imported from CSV, attempts, scores, one retry), the
report's chart and CSV, dates officers type, and the document's validity."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime, timedelta, timezone

import pytest

from bot.core.types import DocumentReply
from bot.services.errors import InvalidInput
from bot.services.reminders import ReminderSchedule
from bot.storage.models import LOCAL_TZ
from bot.study import chart, completion, lifecycle, quiz, service
from bot.study import messages as texts
from bot.study.dates import END_OF_DAY, SESSION_START, parse_moment
from knowledge.passages import DocumentMeta
from knowledge.relations import DocLink, Validity
from tests.bot.study.conftest import QUIZ, Stage, open_campaign

CSV_QUIZ = (
    "Câu hỏi;Phương án 1;Phương án 2;Phương án 3;Đáp án;Trích dẫn\r\n"
    "Ai chủ trì hướng dẫn thực hiện Chỉ thị?;Ban Tuyên giáo Trung ương;Bộ Nội vụ;;1;"
    "III.1. Ban Tuyên giáo Trung ương chủ trì hướng dẫn\r\n"
    "\"Tuyên truyền phải sát với; từng địa bàn?\";Đúng;Sai;;1;I.2. Việc tuyên truyền phải kịp "
    "thời, sát với từng địa bàn\r\n"
    "Loa truyền thanh cơ sở dùng để làm gì?;Phát cảnh báo bão lũ;Quảng cáo;Hát karaoke;1;"
    "II.1.b) Phát huy hệ thống loa truyền thanh cơ sở\r\n"
)


def test_questions_from_chat_lines_and_from_csv() -> None:
    found = quiz.parse(QUIZ)
    assert [(len(q.options), q.correct) for q in found] == [(3, 1), (2, 0), (3, 0)]
    assert found[0].passage.startswith("II.1.a) Các chi bộ")
    rows = quiz.parse(CSV_QUIZ)  # a header row, semicolons, an empty option column, quotes
    assert [q.text for q in rows] == ["Ai chủ trì hướng dẫn thực hiện Chỉ thị?",
                                      "Tuyên truyền phải sát với; từng địa bàn?",
                                      "Loa truyền thanh cơ sở dùng để làm gì?"]
    assert rows[0].options == ("Ban Tuyên giáo Trung ương", "Bộ Nội vụ")
    assert quiz.default_pass_mark(3) == 3 and quiz.default_pass_mark(5) == 4
    assert quiz.default_pass_mark(10) == 8


@pytest.mark.parametrize("text, message", [
    ("Câu 1 | A | B | 3 | trích\nCâu 2 | A | B | 1 | t\nCâu 3 | A | B | 1 | t",
     "Dòng 1: đáp án đúng phải là số thứ tự của một phương án (1 đến 2)"),
    ("Câu 1 | A | B | 1 | t\nCâu 2 | A | A | 1 | t\nCâu 3 | A | B | 1 | t",
     "Dòng 2: có phương án bị trùng nhau"),
    ("Câu 1 | A | B | 1 | t\nCâu 2 | A | B | 1 | t\nCâu 3 | A | 1",
     "Dòng 3: cần câu hỏi, ít nhất 2 phương án"),
    ("Câu 1 | A | B | 1 | t\nCâu 2 | A | B | ² | t\nCâu 3 | A | B | 1 | t",
     "Dòng 2: đáp án đúng phải là số thứ tự"),
    ("Câu 1 | A | B | 1 | t\nCâu 2 | A | B | 1 | t", "Bài kiểm tra cần từ 3 đến 10 câu (đang có 2)."),
    ("\n".join(f"Câu {i} | A | B | 1 | t" for i in range(5000)),
     "Bài kiểm tra cần từ 3 đến 10 câu (đang có 5000)."),
    (f"{'x' * 301} | A | B | 1 | t\nCâu 2 | A | B | 1 | t\nCâu 3 | A | B | 1 | t",
     "Dòng 1: câu hỏi dài quá 300 ký tự"),
])
def test_bad_questions_name_the_line_and_the_fault(text: str, message: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        quiz.parse(text)
    assert str(refused.value).startswith(message)


def test_attempts_score_pass_and_allow_one_retry(stage: Stage) -> None:
    w = stage.world
    campaign_id = open_campaign(stage)  # 3 questions, pass at 2
    member = stage.actor(w.members[w.cell][2])
    db = stage.db

    def take(choices: list[int]) -> quiz.QuizAttempt:
        step = db.call(quiz.start, member.person_id, campaign_id, "telegram", member.platform_user_id)
        for position, choice in enumerate(choices, 1):
            attempt = db.call(quiz.own_attempt, member.person_id, step.attempt.id)
            right, step = db.call(quiz.answer, attempt, position, choice)
        return step.attempt

    first = take([0, 1, 0])  # 1 of 3
    assert (first.score, first.passed, first.number) == (1, False, 1)
    wrong = db.call(quiz.wrong_answers, first)
    assert [(q.position, chosen) for q, chosen in wrong] == [(1, 0), (2, 1)]
    second = take([1, 0, 0])  # the retry: 3 of 3
    assert (second.score, second.passed, second.number) == (3, True, 2)
    row = db.call(service.participant, campaign_id, member.person_id)
    assert row is not None and row.best_score == 3 and row.quiz_passed_at is not None
    with pytest.raises(InvalidInput, match="đã đạt bài kiểm tra"):
        db.call(quiz.start, member.person_id, campaign_id, "telegram", member.platform_user_id)
    other = stage.actor(w.members[w.cell][3])
    take_other = db.call(quiz.start, other.person_id, campaign_id, "telegram", "x")
    for bad in ((2, 0), (1, 7), (1, -1)):  # another question, an option that is not there
        with pytest.raises(InvalidInput, match=texts.QUIZ_STALE):
            db.call(quiz.answer, db.call(quiz.own_attempt, other.person_id, take_other.attempt.id),
                    *bad)
    with pytest.raises(InvalidInput, match=texts.QUIZ_NOT_YOURS):
        db.call(quiz.own_attempt, other.person_id, first.id)


def test_no_third_attempt(stage: Stage) -> None:
    campaign_id = open_campaign(stage)
    member = stage.actor(stage.world.members[stage.world.cell][0])
    for _ in range(2):
        step = stage.db.call(quiz.start, member.person_id, campaign_id, "telegram", "1")
        for position in (1, 2, 3):
            attempt = stage.db.call(quiz.own_attempt, member.person_id, step.attempt.id)
            stage.db.call(quiz.answer, attempt, position, 2 if position != 2 else 1)
    with pytest.raises(InvalidInput) as refused:
        stage.db.call(quiz.start, member.person_id, campaign_id, "telegram", "1")
    assert str(refused.value) == texts.QUIZ_NO_ATTEMPTS.format(attempts=2, id=campaign_id)


def test_chart_and_csv_of_a_report(stage: Stage) -> None:
    campaign_id = open_campaign(stage)
    report = stage.db.call(lambda s: completion.compute(s, service.find(s, campaign_id)))
    fig = chart.figure(report)
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_yticklabels()] == [
        "Huyện Đông Hà", "   Xã Hòa Bình", "   Xã Tân Lập"]  # the district, then its communes
    assert ax.get_title() == f"Đợt học tập #{campaign_id}: Học tập, quán triệt Chỉ thị 05-CT/TW"
    assert ax.get_xlabel() == texts.CHART_XLABEL
    assert [t.get_text() for t in ax.get_legend().get_texts()] == [
        texts.CHART_ATTENDED, texts.CHART_SELF, texts.CHART_NOT_YET]
    assert fig.get_size_inches().tolist() == [9.0, 1.6 + 0.45 * 3]
    png = chart.png(report)
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")
    assert (width, height) == (900, 295)
    rows = list(csv.reader(io.StringIO(completion.to_csv(report))))
    assert rows[0] == list(texts.CSV_HEADER)
    assert rows[1][1:] == ["Huyện Đông Hà", "huyện", "0", "15", "0", "15", "0", "0", "0", "0",
                           "15", "0.0"]
    assert [r[1] for r in rows[1:]] == ["Huyện Đông Hà", "Xã Hòa Bình", "Chi bộ thôn Đông",
                                        "Xã Tân Lập"]


def test_a_unit_name_that_looks_like_a_formula_is_text_in_the_csv(stage: Stage) -> None:
    from bot.services import units

    campaign_id = open_campaign(stage)
    stage.db.call(lambda s: setattr(units.get_unit(s, stage.world.commune2), "name",
                                    "=HYPERLINK(\"http://x\")"))
    report = stage.db.call(lambda s: completion.compute(s, service.find(s, campaign_id)))
    assert "'=HYPERLINK" in completion.to_csv(report)


def test_dates_officers_type() -> None:
    now = datetime(2026, 12, 1, 3, 0, tzinfo=timezone.utc)  # 10:00 in Vietnam
    local = LOCAL_TZ
    assert parse_moment("31/12/2026", END_OF_DAY, now) == datetime(2026, 12, 31, 23, 59, tzinfo=local)
    assert parse_moment("20/12 14:30", SESSION_START, now) == datetime(2026, 12, 20, 14, 30, tzinfo=local)
    assert parse_moment("14h 5-12-26", SESSION_START, now) == datetime(2026, 12, 5, 14, 0, tzinfo=local)
    assert parse_moment("1/11", SESSION_START, now) == datetime(2027, 11, 1, 8, 0, tzinfo=local)
    for bad in ("31/02/2026", "hôm nay", "12/12/1999", "25/13/2026", "9" * 5000):
        with pytest.raises(InvalidInput):
            parse_moment(bad, END_OF_DAY, now)


def test_reminder_offsets() -> None:
    schedule = ReminderSchedule.parse(" 24, 72 ,0.5")
    assert schedule.describe_hours() == [72.0, 24.0, 0.5]
    deadline = datetime(2026, 12, 10, tzinfo=timezone.utc)
    assert schedule.due(deadline, 0, deadline - timedelta(days=4)) is None
    assert schedule.due(deadline, 0, deadline - timedelta(hours=71)) == 1
    assert schedule.due(deadline, 0, deadline - timedelta(minutes=1)) == 3  # down for days: one
    assert schedule.due(deadline, 3, deadline - timedelta(minutes=1)) is None
    assert schedule.due(deadline, 0, deadline) is None
    for bad in ("-1", "0", "abc", ",".join(["1"] * 11), "9999999"):
        with pytest.raises(ValueError):
            ReminderSchedule.parse(bad)


def _reply(validity: Validity) -> DocumentReply:
    doc = DocumentMeta("ct05.txt", "Về tuyên truyền", "ct05.txt", "05-CT/TW", "Chỉ thị",
                       issued=date(2016, 5, 15), validity=validity)
    return DocumentReply(doc, (), "", ())


def test_the_documents_validity_as_the_campaign_shows_it() -> None:
    assert lifecycle.doc_state(None) == ("deleted", "")
    assert lifecycle.doc_state(_reply(Validity())) == ("ok", "")
    replaced = Validity(status="replaced",
                        replaced_by=(DocLink("Chỉ thị 11-CT/TW", "11-CT/TW", "ct11.txt"),))
    assert lifecycle.doc_state(_reply(replaced)) == (
        "replaced", "bị thay thế, thay thế bởi Chỉ thị 11-CT/TW")
    assert lifecycle.doc_state(_reply(Validity(status="amended"))) == ("ok", "")
