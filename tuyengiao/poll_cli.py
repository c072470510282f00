"""`tuyengiao poll ...`: quick polls from the server (the operator is trusted, like
`tuyengiao admin`).

    tuyengiao poll create --units 4 --question "Đồng chí đã học Chỉ thị 05 chưa?" \
                          --option "Đã học" --option "Chưa học" [--multiple] [--named] \
                          [--hours 24] [--roles member] [--no-groups]
    tuyengiao poll list
    tuyengiao poll results 2 [--chart ketqua.png]
    tuyengiao poll csv 2 [--out ketqua.csv]
    tuyengiao poll voters 2              # named polls: who chose what (TSV)
    tuyengiao poll close 2

A poll is addressed by its number (#2, what officers see in chat), given when it is opened.

Posting, stopping at the deadline and the final results are done by the poll runner inside
`tuyengiao run` (POLL_RUNNER=true). Printing is allowed here (CLI only).
"""

from __future__ import annotations

import argparse
import sys
from datetime import timedelta
from typing import Any

from tuyengiao import cli_common, cli_types
from tuyengiao.settings import Settings


# What officers and members see (#2 in lists, votes and results): given when a poll is
# opened, so a poll is addressed here by it too.
_NUMBER = "the poll's number (#2 in `poll list` and in chat)"


def add_poll_parser(subparsers: Any) -> argparse.ArgumentParser:
    parser = subparsers.add_parser("poll", help="quick polls: create, list, results, csv, close")
    parser.set_defaults(store=None)
    sub = parser.add_subparsers(dest="poll_command", required=True)
    create = sub.add_parser("create", help="create and open a poll (prints its number)")
    create.add_argument("--units", required=True, type=cli_types.row_ids,
                        help="comma-separated unit ids (with subtrees)")
    create.add_argument("--question", required=True)
    create.add_argument("--option", action="append", required=True, help="2 to 10 times")
    create.add_argument("--multiple", action="store_true", help="several options may be chosen")
    create.add_argument("--named", action="store_true", help="not anonymous: who chose what")
    create.add_argument("--hours", type=cli_types.hours(24 * 366), default=24.0,
                        help="open for this long")
    create.add_argument("--roles", default="member,officer", help="member, officer or both")
    create.add_argument("--no-groups", action="store_true", help="not to the units' groups")
    sub.add_parser("list", help="the latest polls")
    cli_common.add_table_commands(sub, "results", "totals and per unit",
                                  "results per unit and option as CSV", id_help=_NUMBER)
    sub.add_parser("close", help="close now (the runner stops it and sends the results)") \
        .add_argument("id", type=cli_types.row_id, help=_NUMBER)
    sub.add_parser("voters", help="named polls: unit, name, platform, options (TSV)") \
        .add_argument("id", type=cli_types.row_id, help=_NUMBER)
    return parser


def run_poll(args: argparse.Namespace, settings: Settings) -> int:
    import tuyengiao.tables  # noqa: F401  (every table registered)

    return cli_common.on_database(settings, lambda db: _poll(args, db))


def _poll(args: argparse.Namespace, db: Any) -> None:
    from bot.polls import chart, results, service
    from bot.polls.anonymity import POLL_TABLES
    from bot.storage import utcnow
    from bot.storage.bases import shown_number
    from bot.storage.models import to_local

    command = args.poll_command
    if command == "create":
        units = args.units
        poll = db.call(service.create, None, question=args.question, options=args.option,
                       multiple=args.multiple, anonymous=not args.named,
                       closes_at=utcnow() + timedelta(hours=args.hours), unit_ids=units,
                       roles=[r.strip() for r in args.roles.split(",")],
                       include_groups=not args.no_groups)
        poll_id = poll.id
        assert poll_id is not None
        chats = db.call(service.open_poll, None, poll_id)
        number = db.call(lambda s: service.get(s, None, poll_id).number)
        print(f"poll #{number} opened: {chats} chats; closes "
              f"{to_local(poll.closes_at).strftime('%H:%M %d/%m/%Y') if poll.closes_at else '—'}")
    elif command == "list":
        from bot.services import export

        sys.stdout.write(export.tsv(
            [shown_number(poll), poll.status, "anonymous" if poll.anonymous else "named", poll.question]
            for poll in db.call(service.recent, None, 50)))
    elif command in ("results", "csv"):
        def compute(session: Any) -> tuple[str, Any]:
            poll = service.numbered(session, None, args.id)
            found = results.compute(session, poll)
            return results.text(found, poll, results.named_votes(session, poll)), found

        table, found = db.call(compute)
        if command == "results":
            cli_common.print_table(table, args.chart, lambda: chart.png(found))
        else:
            cli_common.write_csv(args.out, results.to_csv(found))
    elif command == "voters":
        named = db.call(lambda s: results.named_votes(s, service.numbered(s, None, args.id)))
        sys.stdout.write(results.voters_tsv(named))
    elif command == "close":
        closed = db.call(lambda s: service.close(s, None, service.numbered(s, None, args.id).id))
        if closed:  # scrub an anonymous poll's deleted key and votes from the files now
            db.purge_deleted(POLL_TABLES)
        print(f"poll #{args.id} {'closed' if closed else 'was not open'}")
