"""`tuyengiao broadcast ...`: broadcasts from the server (the operator is trusted, like
`tuyengiao admin`), and the delivery worker as a process of its own.

    tuyengiao broadcast create --units 2,5 --text "Đề nghị các chi bộ..." [--roles member]
                               [--no-groups] [--confirm [--deadline-hours 72]] [--doc 05-CT/TW]
    tuyengiao broadcast preview 12
    tuyengiao broadcast send 12 [--at "20:00 25/11"]
    tuyengiao broadcast status 12          # delivery report per unit
    tuyengiao broadcast unconfirmed 12     # confirmation rates and who has not confirmed
    tuyengiao broadcast remind 12
    tuyengiao broadcast cancel 12
    tuyengiao broadcast list
    tuyengiao broadcast deliveries 12      # to whom: every chat, its status and send time (TSV)
    tuyengiao broadcast work [--exit-when-idle]   # a worker process (several on PostgreSQL)

Sending happens in a worker: the one inside `tuyengiao run` (BROADCAST_WORKER=true) or a
`work` process. Printing is allowed here (CLI only).
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import signal
import sys
from contextlib import AsyncExitStack, suppress
from datetime import timedelta
from typing import Any

from tuyengiao import cli_common, cli_types
from tuyengiao.settings import Settings

logger = logging.getLogger(__name__)


def add_broadcast_parser(subparsers: Any) -> argparse.ArgumentParser:
    parser = subparsers.add_parser("broadcast", help="guidance broadcasts and the delivery worker")
    parser.set_defaults(store=None)
    sub = parser.add_subparsers(dest="broadcast_command", required=True)
    create = sub.add_parser("create", help="a draft broadcast (prints its id and the preview)")
    text = create.add_mutually_exclusive_group(required=True)
    text.add_argument("--text")
    text.add_argument("--text-file", type=argparse.FileType("r", encoding="utf-8"))
    create.add_argument("--units", required=True, type=cli_types.row_ids,
                        help="comma-separated unit ids (with subtrees)")
    create.add_argument("--roles", default="member,officer", help="member, officer or both")
    create.add_argument("--no-groups", action="store_true", help="not to the units' groups")
    create.add_argument("--confirm", action="store_true", help="ask for «Đã đọc»")
    create.add_argument("--deadline-hours", type=cli_types.whole(1, 24 * 366),
                        help="reading deadline, hours from now")
    create.add_argument("--doc", help="document number shown with the text (05-CT/TW)")
    for name, help_text in (("preview", "recipient counts"), ("status", "delivery report"),
                            ("unconfirmed", "who has not confirmed reading"),
                            ("remind", "remind those who have not confirmed"),
                            ("cancel", "stop a scheduled or running broadcast"),
                            ("deliveries", "every delivery as tab-separated lines (audit)")):
        # A sent broadcast's number (#3 in lists and reports); preview/send take a draft's id
        # (what `create` prints): a draft takes a number only when it is sent.
        sub.add_parser(name, help=help_text).add_argument(
            "id", type=cli_types.row_id, help="draft id" if name == "preview" else "number")
    send = sub.add_parser("send", help="confirm a draft: send now or at a time")
    send.add_argument("id", type=cli_types.row_id, help="draft id (printed by create)")
    send.add_argument("--at", help='Vietnam time, e.g. "20:00 25/11"')
    sub.add_parser("list", help="the latest broadcasts")
    work = sub.add_parser("work", help="run a delivery worker until SIGINT/SIGTERM")
    work.add_argument("--exit-when-idle", action="store_true",
                      help="stop once no delivery is open and no broadcast awaits its report")
    work.add_argument("--worker-id", help="default: host:pid:random")
    return parser


def run_broadcast(args: argparse.Namespace, settings: Settings) -> int:
    import tuyengiao.tables  # noqa: F401  (every table registered)

    if args.broadcast_command == "work":
        return asyncio.run(work(settings, exit_when_idle=args.exit_when_idle,
                                worker_id=args.worker_id))
    return cli_common.on_database(settings, lambda db: _broadcast(args, db))


def _broadcast(args: argparse.Namespace, db: Any) -> None:
    from bot.broadcast import compose, report, service
    from bot.storage import utcnow

    command = args.broadcast_command
    if command == "create":
        text = args.text if args.text is not None else args.text_file.read()
        deadline = (utcnow() + timedelta(hours=args.deadline_hours)
                    if args.deadline_hours else None)
        draft = db.call(
            service.create, None, text=text,
            unit_ids=args.units,
            roles=[r.strip() for r in args.roles.split(",") if r.strip()],
            include_groups=not args.no_groups, require_confirmation=args.confirm,
            deadline_at=deadline, doc_number=args.doc)
        print(draft.id)
        print(db.call(lambda s: compose.preview(s, draft).text), file=sys.stderr)
    elif command == "preview":
        print(db.call(lambda s: compose.preview(s, service.get(s, None, args.id)).text))
    elif command == "send":
        at = compose.parse_time(args.at) if args.at else None
        counts = db.call(service.confirm, None, args.id, at=at)
        number = db.call(lambda s: report.number_of(s, service.get(s, None, args.id)))
        print(f"broadcast #{number}: {counts.private_messages} private messages, "
              f"{counts.groups} groups, {counts.unreachable} people unreachable"
              + (f", at {at.isoformat()}" if at else ""))
    elif command == "list":
        for broadcast in db.call(service.recent, None, 30):
            print(compose.describe(broadcast))
    else:
        _by_number(db, command, db.call(lambda s: service.numbered(s, None, args.id).id))


def _by_number(db: Any, command: str, broadcast_id: int) -> None:
    """The commands on a sent broadcast (found by its number: `broadcast_id` is its row)."""
    from bot.broadcast import report, service

    if command == "status":
        print(db.call(lambda s: report.final_text(
            report.delivery_report(s, service.get(s, None, broadcast_id)))))
    elif command == "unconfirmed":
        print(db.call(lambda s: report.confirmation_text(s, service.get(s, None, broadcast_id))))
    elif command == "remind":
        counts = db.call(service.remind, None, broadcast_id)
        print(f"reminding {counts.reachable_people} people ({counts.private_messages} messages)")
    elif command == "deliveries":
        from bot.services import export

        sys.stdout.write(export.tsv(db.call(delivery_lines, broadcast_id)))
    elif command == "cancel":
        print(f"cancelled {db.call(service.cancel, None, broadcast_id)} unsent messages")


def delivery_lines(session: Any, broadcast_id: int) -> list[list[str]]:
    """Header + one line per delivery: who (unit, person or group), where, what happened."""
    from sqlmodel import col, select

    from bot.broadcast import service
    from bot.broadcast.models import Delivery
    from bot.storage import to_local
    from bot.storage.models import Person, Unit

    service.get(session, None, broadcast_id)
    rows = session.exec(
        select(Delivery, Unit.name, Person.display_name)
        .join(Unit, col(Unit.id) == col(Delivery.unit_id))
        .outerjoin(Person, col(Person.id) == col(Delivery.person_id))
        .where(Delivery.broadcast_id == broadcast_id).order_by(col(Delivery.id))
    ).all()
    lines = [["unit", "person", "platform", "chat_id", "kind", "status", "attempts", "sent_at",
              "last_error"]]
    for d, unit, person in rows:
        sent = to_local(d.sent_at).strftime("%Y-%m-%d %H:%M:%S") if d.sent_at else ""
        lines.append([unit, person or "", d.platform, d.chat_id, d.chat_kind, d.status,
                      str(d.attempts), sent, d.last_error or ""])
    return lines


async def work(settings: Settings, *, exit_when_idle: bool = False,
               worker_id: str | None = None) -> int:
    from bot.broadcast.worker import BroadcastWorker
    from bot.storage import Database, schema
    import tuyengiao.tables  # noqa: F401  (every table registered)
    from tuyengiao.ports import open_ports, worker_config

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with suppress(NotImplementedError, RuntimeError, ValueError):
            loop.add_signal_handler(sig, stop.set)
    async with AsyncExitStack() as stack:
        db = Database.open(settings.database_url)
        stack.callback(db.close)
        schema.upgrade(db)
        transports = await open_ports(settings, stack)
        if not transports:
            print("no platform configured (TELEGRAM_BOT_TOKEN and ZALO_BOT_TOKEN are empty)", file=sys.stderr)
            return 2
        worker = BroadcastWorker(db, transports, worker_config(settings), worker_id=worker_id)
        watcher = asyncio.create_task(_stop_when_idle(db, stop, settings.broadcast_poll_seconds)) \
            if exit_when_idle else None
        await worker.run(stop)
        if watcher is not None:
            watcher.cancel()
        print(f"worker {worker.worker_id}: " + ", ".join(
            f"{k} {v}" for k, v in sorted(worker.counts.items())), file=sys.stderr)
    return 0


async def _stop_when_idle(db: Any, stop: asyncio.Event, poll: float) -> None:
    from bot.broadcast import outbox, progress

    while not stop.is_set():
        await asyncio.sleep(poll)
        due = await db.run(outbox.next_due, ["telegram", "zalo"])
        active = await db.run(progress.active)
        if due is None and not active:
            stop.set()
