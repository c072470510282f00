"""The question log, feedback, and the officers' report."""

from __future__ import annotations

import unicodedata
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlmodel import Session, select

from bot.services.errors import InvalidInput, NotFound, PermissionDenied
from bot.services.invites import join_with_code
from bot.services.people import Actor, identify
from bot.services.questions import (
    format_report,
    log_question,
    normalize_question,
    question_report,
    record_feedback,
    admin_question_report,
)
from bot.services.invites import admin_create_invite
from bot.services.units import admin_create_unit
from bot.storage import Database, Feedback, QuestionLog

NOW = datetime(2026, 11, 20, 3, 0, tzinfo=timezone.utc)
ADMINS = frozenset({"telegram:1"})



def actor(s: Session, user: str, unit_id: int | None = None, role: str = "member") -> Actor:
    a = identify(s, "telegram", user, f"Người {user}", admin_ids=ADMINS)
    if unit_id is not None:
        a = join_with_code(s, a, admin_create_invite(s, unit_id, role).code).actor
    return a


def ask(s: Session, who: Actor | None, text: str, *, answered: bool, days_ago: float = 1) -> int:
    return log_question(
        s, who, "telegram", "chat", text, latency_ms=12, answered=answered,
        top_doc_id="chi-thi-05" if answered else None, top_section="II.1" if answered else None,
        now=NOW - timedelta(days=days_ago),
    )


def test_normalize_question_groups_the_ways_of_typing_one_question() -> None:
    key = normalize_question("Nghị quyết 57 nói gì?")
    assert key == "nghi quyet 57 noi gi"
    assert normalize_question("nghi quyet 57 noi gi") == key
    assert normalize_question("  NGHỊ   QUYẾT 57\tnói gì ?? ") == key
    assert normalize_question(unicodedata.normalize("NFD", "Nghị quyết 57 nói gì?")) == key
    assert normalize_question("Nghị quyết 57-NQ/TW") == "nghi quyet 57-nq/tw"
    assert normalize_question("Thủ tục kết nạp Đảng") == "thu tuc ket nap dang"


def test_log_question_records_the_innermost_unit(db: Database) -> None:
    with db.session() as s:
        district = admin_create_unit(s, "Huyện A", "district", None)
        cell = admin_create_unit(s, "Chi bộ B", "cell", district.id)
        officer = actor(s, "2", district.id, "officer")  # type: ignore[arg-type]
        both = join_with_code(s, officer, admin_create_invite(s, cell.id, "member").code).actor  # type: ignore[arg-type]
        q1 = ask(s, both, "Chỉ thị 05 nói gì?", answered=True)
        q2 = ask(s, None, "Câu hỏi ẩn danh", answered=False)
        row = s.get(QuestionLog, q1)
        assert row is not None
        assert (row.unit_id, row.person_id, row.normalized_text) == (cell.id, both.person_id, "chi thi 05 noi gi")
        assert (row.latency_ms, row.answered, row.top_doc_id, row.top_section) == (12, True, "chi-thi-05", "II.1")
        assert row.created_at == NOW - timedelta(days=1)
        anon = s.get(QuestionLog, q2)
        assert anon is not None and anon.unit_id is None and anon.person_id is None


def test_feedback_replaces_an_earlier_vote(db: Database) -> None:
    with db.session() as s:
        a, b = actor(s, "2"), actor(s, "3")
        q = ask(s, a, "Hỏi", answered=True)
        record_feedback(s, a, q, 1)
        with pytest.raises(PermissionDenied):  # only the asker rates an answer (issue 11)
            record_feedback(s, b, q, 1)
        record_feedback(s, b, ask(s, b, "Hỏi lại", answered=True), 1)
        record_feedback(s, a, q, -1)
        votes = s.exec(select(Feedback.person_id, Feedback.value).order_by(Feedback.person_id)).all()
        assert votes == [(a.person_id, -1), (b.person_id, 1)]
        with pytest.raises(NotFound):
            record_feedback(s, a, q + 100, 1)
        with pytest.raises(InvalidInput):
            record_feedback(s, a, q, 0)


def build(s: Session) -> dict[str, int]:
    p = admin_create_unit(s, "Tỉnh Minh Sơn", "province", None)
    d = admin_create_unit(s, "Huyện Đông Hà", "district", p.id)
    d2 = admin_create_unit(s, "Huyện Tây Sơn", "district", p.id)
    c = admin_create_unit(s, "Xã Hòa Bình", "commune", d.id)
    k = admin_create_unit(s, "Chi bộ Thôn 1", "cell", c.id)
    return {"province": p.id, "district": d.id, "district2": d2.id, "commune": c.id, "cell": k.id}  # type: ignore[dict-item]


def seed_questions(s: Session, u: dict[str, int]) -> dict[str, Actor]:
    people = {
        "officer": actor(s, "10", u["district"], "officer"),
        "cell": actor(s, "11", u["cell"]),
        "cell2": actor(s, "12", u["cell"]),
        "commune": actor(s, "13", u["commune"]),
        "west": actor(s, "14", u["district2"]),
    }
    # The same question, accented and not, from two cell members and the commune.
    q = ask(s, people["cell"], "Nghị quyết 57 nói gì?", answered=True)
    twin = ask(s, people["cell2"], "nghi quyet 57 noi gi", answered=True, days_ago=2)
    ask(s, people["commune"], "Nghị quyết 57 nói gì", answered=False, days_ago=3)
    # Unanswered twice in the cell: a document the store lacks.
    ask(s, people["cell"], "Quy định về đảng phí năm 2026?", answered=False)
    ask(s, people["cell2"], "quy dinh ve dang phi nam 2026", answered=False, days_ago=4)
    meetings = ask(s, people["cell"], "Sinh hoạt chi bộ mấy lần một tháng?", answered=True, days_ago=5)
    # Too old for a 30-day report.
    ask(s, people["cell"], "Chỉ thị cũ", answered=False, days_ago=40)
    # Outside the officer's district, and from someone in no unit.
    ask(s, people["west"], "Câu hỏi của huyện khác", answered=False)
    ask(s, None, "Câu hỏi của khách", answered=False)
    # Each rates their own answer (only the asker may).
    record_feedback(s, people["cell"], q, 1)
    record_feedback(s, people["cell2"], twin, 1)
    record_feedback(s, people["cell"], meetings, -1)
    return people


def test_report_groups_counts_and_scopes(db: Database) -> None:
    with db.session() as s:
        u = build(s)
        people = seed_questions(s, u)
        report = question_report(s, people["officer"], days=30, now=NOW)
    assert report.scope == "Huyện Đông Hà"
    total = report.total
    assert (total.questions, total.answered, total.thumbs_up, total.thumbs_down) == (6, 3, 2, 1)
    top = total.top[0]
    assert (top.normalized_text, top.count, top.answered) == ("nghi quyet 57 noi gi", 3, 2)
    assert top.example in {"Nghị quyết 57 nói gì?", "nghi quyet 57 noi gi", "Nghị quyết 57 nói gì"}
    assert [g.normalized_text for g in total.unanswered] == [
        "quy dinh ve dang phi nam 2026", "nghi quyet 57 noi gi"
    ]
    assert [g.count for g in total.unanswered] == [2, 1]
    texts = {g.normalized_text for g in total.top}
    assert "chi thi cu" not in texts  # 40 days old
    assert "cau hoi cua huyen khac" not in texts and "cau hoi cua khach" not in texts
    # Per unit: the cell and the commune, in tree order.
    assert [(p.unit_id, p.questions) for p in report.units] == [(u["commune"], 1), (u["cell"], 5)]
    cell = report.units[1]
    # Votes count where the question was asked.
    assert (cell.top[0].count, cell.thumbs_up, cell.thumbs_down) == (2, 2, 1)
    assert (report.units[0].thumbs_up, report.units[0].thumbs_down) == (0, 0)
    # The example shown is a way it was typed with diacritics.
    assert top.example in {"Nghị quyết 57 nói gì?", "Nghị quyết 57 nói gì"}
    assert total.unanswered[0].example == "Quy định về đảng phí năm 2026?"


def test_report_window_and_limit(db: Database) -> None:
    with db.session() as s:
        u = build(s)
        people = seed_questions(s, u)
        longer = question_report(s, people["officer"], days=60, now=NOW)
        short = question_report(s, people["officer"], days=2, now=NOW, limit=1)
    assert "chi thi cu" in {g.normalized_text for g in longer.total.unanswered}
    assert longer.total.questions == 7
    # The last 2 days: the first question (1 day ago) and its unaccented twin (2 days ago, on
    # the edge: the window is [now - 2 days, now)), plus the fee question from the cell.
    assert short.total.questions == 3
    assert len(short.total.top) == 1 and short.total.top[0].count == 2


def test_report_permissions(db: Database) -> None:
    with db.session() as s:
        u = build(s)
        people = seed_questions(s, u)
        admin = actor(s, "1")
        with pytest.raises(PermissionDenied):
            question_report(s, people["cell"], days=30, now=NOW)
        with pytest.raises(PermissionDenied):
            question_report(s, people["officer"], days=30, unit_id=u["district2"], now=NOW)
        with pytest.raises(PermissionDenied):
            question_report(s, people["officer"], days=30, unit_id=u["province"], now=NOW)
        with pytest.raises(NotFound):
            question_report(s, people["officer"], days=30, unit_id=999, now=NOW)
        with pytest.raises(InvalidInput):
            question_report(s, people["officer"], days=0, now=NOW)
        cell_only = question_report(s, people["officer"], days=30, unit_id=u["cell"], now=NOW)
        everything = question_report(s, admin, days=30, now=NOW)
        west = admin_question_report(s, days=30, unit_id=u["district2"], now=NOW)
    assert cell_only.total.questions == 5 and cell_only.scope == "Chi bộ Thôn 1"
    assert everything.total.questions == 8
    assert everything.units[-1].unit_id is None and everything.units[-1].questions == 1
    # Tree order: Đông Hà's commune and cell, then Tây Sơn; people in no unit last.
    assert [p.unit_id for p in everything.units] == [u["commune"], u["cell"], u["district2"], None]
    assert west.total.questions == 1


def test_format_report(db: Database) -> None:
    with db.session() as s:
        u = build(s)
        people = seed_questions(s, u)
        text = format_report(question_report(s, people["officer"], days=30, now=NOW))
        empty = format_report(question_report(s, people["officer"], days=30, now=NOW + timedelta(days=90)))
    assert text.startswith("Báo cáo câu hỏi 30 ngày qua (21/10/2026 – 20/11/2026)")
    assert "Phạm vi: Huyện Đông Hà" in text
    assert "Câu hỏi được hỏi nhiều nhất" in text
    assert "Câu hỏi chưa trả lời được — cần bổ sung văn bản" in text
    assert "— 3 lần, trả lời được 67%" in text
    assert "«Quy định về đảng phí năm 2026?» — 2 lần" in text
    assert "6 câu hỏi, trả lời được 3 (50%). Đánh giá: 👍 2 · 👎 1" in text
    assert "Chi bộ Thôn 1 (chi bộ):" in text and "Xã Hòa Bình (xã):" in text
    assert "Chưa có câu hỏi nào" in empty
