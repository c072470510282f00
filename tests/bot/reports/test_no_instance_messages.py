"""What an officer is told when a report request has no period to show: one plain sentence
for each case (none opened yet, none in the month asked about), no double negative."""

from __future__ import annotations

import pytest

from bot.reports import messages as texts
from bot.reports import tracker
from bot.reports.models import ReportRequest
from bot.reports.periods import month_span
from bot.services.errors import NotFound
from bot.storage.database import Database


def test_a_request_without_any_opened_period_says_so(db: Database) -> None:
    def run(session):  # type: ignore[no-untyped-def]
        request = ReportRequest(title="Báo cáo tháng", schedule="monthly", due_day=20,
                                status="active")
        session.add(request)
        session.flush()
        with pytest.raises(NotFound) as none_opened:
            tracker.instance_for(session, request, None)
        with pytest.raises(NotFound) as none_in_month:
            tracker.instance_for(session, request, month_span(2026, 12))
        return request.id, str(none_opened.value), str(none_in_month.value)

    request_id, none_opened, none_in_month = db.call(run)
    assert none_opened == f"Yêu cầu #{request_id} chưa mở kỳ nào."
    assert none_in_month == texts.NO_INSTANCE.format(id=request_id, period="tháng 12/2026")
    assert "chưa có kỳ nào chưa" not in none_opened + none_in_month
