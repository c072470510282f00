"""`tuyengiao report ...`: report requests from the server (the operator is trusted, like
`tuyengiao admin`): create, list, follow, roll up, punctuality, opinion roll-ups, the
collaborator role and topics, and one pass of the tracker.

    tuyengiao report create --title "Báo cáo tháng" --field "Số buổi sinh hoạt | số" \\
        --field "Đánh giá | chọn: Tốt; Khá" --units 4 [--answer children|units|people] \\
        --schedule monthly:20 | quarterly:15 | once:2026-06-30 [--label "Đợt 1"] \\
        [--reminders 3,1] [--overdue-every 1] [--escalate-after 3]
    tuyengiao report create --opinion --units 4 --schedule monthly:20
    tuyengiao report list
    tuyengiao report status 3 [--period 5/2026] [--page 2]
    tuyengiao report rollup 3 [--period 5/2026] [--csv out.csv] [--chart out.png]
    tuyengiao report late [--period 5/2026] [--csv out.csv]
    tuyengiao report opinions [--period 5/2026] [--unit 4] [--csv out.csv] [--chart out.png]
    tuyengiao report collaborator --unit 9 --person 12     # give, or take back, the role
    tuyengiao report topic --unit 4 --name "Giá cả, thị trường"
    tuyengiao report stop 3
    tuyengiao report tick                                  # the tracker's steps, once, now

Messages (requests, reminders) go out through the broadcast outbox: a running `tuyengiao
run` (or `tuyengiao broadcast work`) delivers them. Periods: "5/2026", "quý 2/2026",
"2026-05". Printing is allowed here (CLI only).
"""

from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path
from typing import Any

from tuyengiao import cli_common, cli_types
from tuyengiao.settings import Settings


def add_report_parser(subparsers: Any) -> argparse.ArgumentParser:
    parser = subparsers.add_parser("report", help="report requests, tracking, roll-ups, opinion")
    parser.set_defaults(store=None)
    sub = parser.add_subparsers(dest="report_command", required=True)
    create = sub.add_parser("create", help="create and start a request (prints its id)")
    create.add_argument("--title", default="")
    create.add_argument("--field", action="append", default=[],
                        help='"label | kind [| không bắt buộc]"; kinds: chữ, số, ngày, tệp, '
                             '"chọn: A; B"')
    create.add_argument("--opinion", action="store_true",
                        help="an opinion report from the units' collaborators")
    create.add_argument("--units", required=True, type=cli_types.row_ids)
    create.add_argument("--answer", choices=["children", "units", "people"], default="children")
    create.add_argument("--roles", default="member", help="people requests: member, officer")
    create.add_argument("--schedule", required=True,
                        help="once:YYYY-MM-DD, monthly:DAY or quarterly:DAY")
    create.add_argument("--label", default="", help="a once request's period name")
    create.add_argument("--reminders", help="days before the deadline, e.g. 3,1")
    create.add_argument("--overdue-every", type=cli_types.whole(0, 60))
    create.add_argument("--escalate-after", type=cli_types.whole(0, 60))
    sub.add_parser("list", help="the latest requests (TSV)")
    status = sub.add_parser("status", help="who submitted, late, missing")
    status.add_argument("id", type=cli_types.row_id)
    status.add_argument("--period")
    status.add_argument("--page", type=cli_types.whole(1, 100_000), default=1)
    rollup = sub.add_parser("rollup", help="a period's answers added up")
    rollup.add_argument("id", type=cli_types.row_id)
    rollup.add_argument("--period")
    rollup.add_argument("--csv", type=Path, help="write the rows as CSV ('-': standard output)")
    rollup.add_argument("--chart", type=Path, help="write the chart (PNG)")
    late = sub.add_parser("late", help="late and missing, and the punctuality ranking")
    late.add_argument("--period")
    late.add_argument("--csv", type=Path)
    opinions = sub.add_parser("opinions", help="opinion reports by topic and unit")
    opinions.add_argument("--period")
    opinions.add_argument("--unit", type=cli_types.row_id)
    opinions.add_argument("--csv", type=Path)
    opinions.add_argument("--chart", type=Path)
    collaborator = sub.add_parser("collaborator", help="give or take back the collaborator role")
    collaborator.add_argument("--unit", required=True, type=cli_types.row_id)
    collaborator.add_argument("--person", required=True, type=cli_types.row_id)
    topic = sub.add_parser("topic", help="add an opinion topic for a unit's subtree")
    topic.add_argument("--unit", required=True, type=cli_types.row_id)
    topic.add_argument("--name", required=True)
    sub.add_parser("stop", help="open no more periods").add_argument("id", type=cli_types.row_id)
    sub.add_parser("tick", help="open, remind, escalate, summarise and close now (once)")
    return parser


def _schedule(text: str) -> tuple[str, int, date | None]:
    kind, _, value = text.partition(":")
    try:
        if kind == "once":
            return kind, 0, date.fromisoformat(value)
        if kind in ("monthly", "quarterly") and value.isdigit() and 1 <= int(value) <= 31:
            return kind, int(value), None
    except ValueError:
        pass
    raise SystemExit(f"--schedule {text!r}: use once:YYYY-MM-DD, monthly:DAY or quarterly:DAY")


def run_report(args: argparse.Namespace, settings: Settings) -> int:
    import tuyengiao.tables  # noqa: F401  (every table registered)
    from tuyengiao.features import report_config

    config = report_config(settings)
    return cli_common.on_database(settings, lambda db: _report(args, db, config))


def _report(args: argparse.Namespace, db: Any, config: Any) -> None:
    from bot.broadcast.queue import OutboxQueue
    from bot.reports import (
        chart,
        instances,
        opinion_rollup,
        opinions,
        periods,
        punctuality,
        requests,
        rollups,
        tracker,
    )
    from bot.reports.worker import tick_once
    from bot.services import export, form_fields
    from bot.services.reminders import ReminderPlan
    from bot.storage import utcnow
    from bot.storage.models import Unit

    notices = OutboxQueue()
    now = utcnow()

    def span(text: str | None) -> Any:
        found = periods.parse_period(text or "", now)
        if found is None:
            raise SystemExit(f"--period {text!r}: use 5/2026, quý 2/2026 or 2026-05")
        return found

    def out(path: Path | None, data: str) -> None:
        if path is None or str(path) == "-":
            sys.stdout.write(data)
        else:
            path.write_text(data, encoding="utf-8-sig", newline="")
            print(f"written: {path}")

    command = args.report_command
    if command == "create":
        kind, due_day, day = _schedule(args.schedule)
        if args.reminders is not None:
            config = config.__class__(**{**config.__dict__, "reminder_days":
                                         ReminderPlan.parse_days(args.reminders)})
        overrides = {k: v for k, v in (("overdue_every_days", args.overdue_every),
                                        ("escalate_after_days", args.escalate_after))
                     if v is not None}
        if overrides:
            config = config.__class__(**{**config.__dict__, **overrides})

        def create(session: Any) -> tuple[int, str]:
            request = requests.create(
                session, None, title=args.title, kind="opinion" if args.opinion else "unit",
                fields=form_fields.parse_definition(args.field) if not args.opinion else (),
                unit_ids=args.units, answered_by=args.answer,
                roles=[r.strip() for r in args.roles.split(",") if r.strip()],
                schedule=kind, due_day=due_day,
                once_deadline_at=periods.end_of_day(day) if day else None,
                once_label=args.label, config=config)
            done = instances.confirm(session, None, request.id or 0, now, config, notices)
            return request.id or 0, _confirmed_line(done)

        request_id, line = db.call(create)
        print(f"report request {request_id}: {line}")
    elif command == "list":
        rows = [[r.id, r.status, r.schedule, r.due_day or "", r.kind, r.title]
                for r in db.call(requests.recent, None, 100)]
        sys.stdout.write(export.tsv([["id", "status", "schedule", "day", "kind", "title"],
                                     *rows]))
    elif command == "status":
        def status(session: Any) -> str:
            request = requests.get(session, None, args.id)
            instance = tracker.instance_for(session, request, span(args.period)
                                            if args.period else None)
            found = tracker.page(session, request, instance, args.page)
            return tracker.render(found, now, {}).text

        print(db.call(status))
    elif command == "rollup":
        def compute(session: Any) -> tuple[Any, Any]:
            request = requests.get(session, None, args.id)
            instance = tracker.instance_for(session, request, span(args.period)
                                            if args.period else None)
            if request.kind == "opinion":
                return None, opinion_rollup.for_instance(session, request, instance)
            return rollups.compute(session, request, instance), None

        unit_rollup, opinion = db.call(compute)
        if unit_rollup is not None:
            print(rollups.text(unit_rollup))
            if args.csv:
                out(args.csv, rollups.to_csv(unit_rollup, now))
            cli_common.write_chart(args.chart, lambda: chart.png(chart.status_figure(unit_rollup)))
        else:
            print(opinion_rollup.text(opinion))
            if args.csv:
                out(args.csv, db.call(opinion_rollup.to_csv, opinion))
    elif command == "late":
        found = db.call(punctuality.compute, None, span(args.period), now)
        print(punctuality.text(found))
        if args.csv:
            out(args.csv, punctuality.to_csv(found))
    elif command == "opinions":
        found = db.call(opinion_rollup.compute, None, span(args.period), args.unit)
        print(opinion_rollup.text(found))
        if args.csv:
            out(args.csv, db.call(opinion_rollup.to_csv, found))
        cli_common.write_chart(args.chart, lambda: chart.png(chart.opinion_figure(found)))
    elif command == "collaborator":
        granted, person, unit = db.call(opinions.toggle, None, args.unit, args.person, now)
        print(f"{person}: collaborator of {unit} {'given' if granted else 'taken back'}")
    elif command == "topic":
        def add(session: Any) -> str:
            unit = session.get(Unit, args.unit)
            if unit is None:
                raise SystemExit(f"no unit {args.unit}")
            return opinions.add_topic(session, None, unit, args.name).name

        print(f"topic added: {db.call(add)}")
    elif command == "stop":
        request = db.call(requests.stop, None, args.id, now)
        print(f"report request {request.id}: {request.status}")
    elif command == "tick":
        result = db.call(tick_once, now, config, notices)
        print(f"opened {result.opened}, reminders {result.reminders} chats, escalations "
              f"{result.escalations} chats, summaries {result.summaries}, closed "
              f"{result.closed}, deleted units' assignments closed {result.units_closed}")


def _confirmed_line(done: Any) -> str:
    if done.opened is None:
        return f"first period {done.first.key} opens {done.first.opens_at:%Y-%m-%d}"
    opened = done.opened
    line = (f"period {opened.instance.period_key} opened for {opened.recipients} recipients "
            f"({opened.messages} chats)")
    if opened.no_officer:
        line += f"; without an officer: {', '.join(opened.no_officer)}"
    if opened.unreachable:
        line += f"; not reachable in chat: {', '.join(opened.unreachable)}"
    return line


__all__ = ["add_report_parser", "run_report"]
