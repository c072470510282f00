"""The services study campaigns and unit reports share (bot.services.rollup, .reminders,
.charts): the cases one feature's tests reach only by accident — a view whose top units sit
at different levels, figures of a unit outside the view, both reminder schedules after
downtime — checked on the shared module itself."""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta, timezone

from bot.services import charts
from bot.services.reminders import ReminderPlan, ReminderSchedule
from bot.services.rollup import path_ids, percent, roots, subtree_totals, sum_rows, tree_rows
from bot.storage.models import Unit

VN = timezone(timedelta(hours=7))


def _unit(unit_id: int, path: str, kind: str = "cell") -> Unit:
    return Unit(id=unit_id, name=f"U{unit_id}", kind=kind, path=path)


def test_tree_rows_roll_up_by_path_with_tops_at_different_levels() -> None:
    # A district (2) with two cells (5, 6), and a cell (9) of another district (3) shown on
    # its own: both tops are depth 0, so the roots add up to the whole view once.
    units = [_unit(6, "/1/2/6/"), _unit(2, "/1/2/", "district"), _unit(9, "/1/3/9/"),
             _unit(5, "/1/2/5/")]
    own = {"/1/2/5/": Counter(done=3, due=4), "/1/2/6/": Counter(done=1, due=2),
           "/1/3/9/": Counter(done=2, due=2), "/1/2/": Counter(due=1),
           "/1/2/7/": Counter(done=5, due=5)}  # a cell not shown (deleted since) still counts
    rows = tree_rows(units, own)
    assert [(r.unit_id, r.depth, r.kind) for r in rows] == [
        (2, 0, "district"), (5, 1, "cell"), (6, 1, "cell"), (9, 0, "cell")]
    assert rows[0].own == Counter(due=1)
    assert rows[0].total == Counter(done=9, due=12)
    assert rows[3].total == Counter(done=2, due=2)
    assert [r.unit_id for r in roots(rows)] == [2, 9]
    assert sum_rows(roots(rows)) == Counter(done=11, due=14)
    assert percent(11, 14) == 78.6 and percent(3, 0) == 0.0


def test_subtree_totals_and_paths() -> None:
    assert path_ids("/1/4/9/") == (1, 4, 9) and path_ids("/1/x/9/") == (1, 9)
    totals = subtree_totals([1, 4, 8], {"/1/4/9/": Counter(n=2.5), "/1/8/": Counter(n=1)})
    assert totals == {1: Counter(n=3.5), 4: Counter(n=2.5), 8: Counter(n=1)}
    assert tree_rows([], {"/1/": Counter(n=1)}) == []


def test_hour_schedule_owes_one_reminder_after_downtime() -> None:
    schedule = ReminderSchedule.parse("24, 72;0.5")
    assert schedule.describe_hours() == [72.0, 24.0, 0.5]
    deadline = datetime(2026, 12, 20, 16, 59, tzinfo=timezone.utc)
    assert schedule.due(deadline, 0, deadline - timedelta(hours=80)) is None
    # Down from before the first offset until after the second: one reminder, count 2.
    assert schedule.due(deadline, 0, deadline - timedelta(hours=23)) == 2
    assert schedule.due(deadline, 2, deadline - timedelta(hours=23)) is None
    assert schedule.due(deadline, 2, deadline) is None  # the deadline has passed
    for bad in ("0", "-1", "9000", ",".join(str(h) for h in range(1, 12))):
        try:
            ReminderSchedule.parse(bad)
        except ValueError:
            continue
        raise AssertionError(f"{bad!r} was accepted")


def test_day_plan_steps_overdue_and_escalation() -> None:
    plan = ReminderPlan(before_days=ReminderPlan.parse_days("1 3"), overdue_every_days=2,
                        escalate_after_days=3, hour=8, tz=VN)
    deadline = datetime(2026, 5, 21, 0, 0, tzinfo=VN)  # "hết ngày 20": the 20th is its day
    assert plan.deadline_day(deadline).isoformat() == "2026-05-20"
    step = plan.due(deadline, None, datetime(2026, 5, 19, 9, 0, tzinfo=VN))
    assert step is not None and (step.kind, step.days) == ("before", 1)  # not 3 as well
    # Down for a week after the deadline: only the latest overdue step (every 2 days).
    step = plan.due(deadline, step.moment, datetime(2026, 5, 27, 9, 0, tzinfo=VN))
    assert step is not None and (step.kind, step.days) == ("overdue", 6)
    assert step.moment == datetime(2026, 5, 26, 8, 0, tzinfo=VN)
    assert plan.escalation_moment(deadline) == datetime(2026, 5, 23, 8, 0, tzinfo=VN)
    assert not plan.escalation_due(deadline, datetime(2026, 5, 23, 7, 59, tzinfo=VN))


def test_stacked_bars_stack_each_layer_on_the_one_before() -> None:
    fig = charts.new_figure(4, 3)
    ax = fig.add_subplot()
    ends = charts.stacked_bars(ax, ["a", "b"], [("x", "#000000", [1, 2]),
                                                ("y", "#ffffff", [3, 0.5])])
    assert ends == [4.0, 2.5]
    bars = ax.patches
    assert [(b.get_y(), b.get_height()) for b in bars] == [(0, 1), (0, 2), (1, 3), (2, 0.5)]
    assert [t.get_text() for t in ax.legend().get_texts()] == ["x", "y"]
    assert charts.png(fig).startswith(b"\x89PNG\r\n\x1a\n")
