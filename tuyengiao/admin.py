"""`tuyengiao admin ...`: the server operator's commands (trusted: whoever can run this on the
server owns the database). Sets up the unit tree and the first officers' invite codes, which
officers then extend from the chat.

    tuyengiao admin unit add "Tỉnh Minh Sơn" --kind province
    tuyengiao admin unit add "Huyện Đông Hà" --kind district --parent 1
    tuyengiao admin unit list
    tuyengiao admin invite 2 --role officer --days 7 [--uses 1]
    tuyengiao admin report --days 30 [--unit 2]
    tuyengiao admin audit [--limit 30]          # who sent which broadcast, to whom, when
    tuyengiao admin backup [--to FILE]          # while the bot runs (tuyengiao/backup.py)
    tuyengiao admin restore FILE --yes          # with the bot stopped

Printing is allowed here (CLI only). The bot modules are imported when a command runs, so
other commands do not pay for loading SQLAlchemy.
"""

from __future__ import annotations

import argparse
import sys
from datetime import timedelta
from pathlib import Path
from typing import Any

from tuyengiao import cli_types
from tuyengiao.settings import Settings

KINDS = ("province", "district", "commune", "cell", "other")
ROLES = ("officer", "member")


def add_admin_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Add `admin` and its subcommands to the `tuyengiao` parser's subparsers."""
    admin = subparsers.add_parser("admin", help="server-side administration: units, invites, reports")
    admin.set_defaults(store=None)  # the CLI's shared `--store` default; unused here
    sub = admin.add_subparsers(dest="admin_command", required=True)

    unit = sub.add_parser("unit", help="the unit tree")
    unit_sub = unit.add_subparsers(dest="unit_command", required=True)
    add = unit_sub.add_parser("add", help="create a unit")
    add.add_argument("name")
    add.add_argument("--kind", choices=KINDS, required=True)
    add.add_argument("--parent", type=cli_types.row_id, help="id of the parent unit (none: a root)")
    unit_sub.add_parser("list", help="the tree with ids, kinds, officer and member counts")

    invite = sub.add_parser("invite", help="create an invite code for a unit")
    invite.add_argument("unit_id", type=cli_types.row_id)
    invite.add_argument("--role", choices=ROLES, required=True)
    invite.add_argument("--days", type=cli_types.whole(0, 3650), default=7,
                        help="valid this many days (0: no expiry)")
    # --max-uses: the option's earlier name, still accepted.
    invite.add_argument("--uses", "--max-uses", dest="uses", type=cli_types.whole(1, 1000),
                        help="how many people may use it (default: 1 for an officer invite, "
                             "INVITE_MEMBER_USES for a member invite)")

    report = sub.add_parser("report", help="most asked and unanswered questions")
    report.add_argument("--days", type=cli_types.whole(1, 3650), default=30)
    report.add_argument("--unit", type=cli_types.row_id, help="only this unit's subtree")
    report.add_argument("--limit", type=cli_types.whole(1, 1000), default=10)

    audit = sub.add_parser("audit", help="the broadcast audit trail, newest first")
    audit.add_argument("--limit", type=cli_types.whole(1, 1000), default=30)

    backup = sub.add_parser("backup", help="copy the database while the bot runs (SQLite "
                                           "online backup, pg_dump on PostgreSQL)")
    backup.add_argument("--to", type=Path, help="the new file (default: BACKUP_DIR/"
                                                "tuyengiao-<date>-<time>.sqlite or .dump)")
    restore = sub.add_parser("restore", help="replace the database with a backup (stop the "
                                             "bot first)")
    restore.add_argument("file", type=Path)
    restore.add_argument("--yes", action="store_true",
                         help="really replace the database (without it: say what would happen)")
    return admin


def run_backup(args: argparse.Namespace, settings: Settings) -> int:
    """`admin backup` and `admin restore`: one line on stdout (the file), or one on stderr."""
    from tuyengiao import backup

    try:
        if args.admin_command == "backup":
            target = args.to or backup.default_target(settings.database_url, settings.backup_dir)
            print(backup.backup(settings.database_url, target))
            return 0
        if not args.yes:
            print(f"would replace the database with {args.file}; stop the bot, then run again "
                  f"with --yes", file=sys.stderr)
            return 1
        backup.restore(settings.database_url, args.file)
        print(f"restored from {args.file}")
        return 0
    except backup.BackupError as exc:
        print(exc, file=sys.stderr)
        return 1


def run_admin(args: argparse.Namespace, settings: Settings) -> int:
    from bot.services import invites, questions, units
    from bot.services.errors import ServiceError
    from bot.storage import Database, schema, to_local
    import tuyengiao.tables  # noqa: F401  (every table registered)

    if args.admin_command in ("backup", "restore"):
        return run_backup(args, settings)  # no connection of ours open meanwhile
    db = Database.open(settings.database_url, sqlite_synchronous=settings.sqlite_synchronous)
    try:
        schema.upgrade(db)
        if args.admin_command == "unit" and args.unit_command == "add":
            unit = db.call(units.admin_create_unit, args.name, args.kind, args.parent)
            from bot.services import export

            sys.stdout.write(export.tsv([[unit.id, unit.name, unit.kind, unit.path]]))
        elif args.admin_command == "unit":
            print(db.call(units.unit_tree_text, None))
        elif args.admin_command == "invite":
            invite = db.call(
                invites.admin_create_invite, args.unit_id, args.role,
                expires_in=timedelta(days=args.days) if args.days else None,
                max_uses=args.uses or invites.default_uses(args.role, settings.invite_member_uses),
            )
            print(invite.code)
            expiry = (
                to_local(invite.expires_at).strftime("%d/%m/%Y %H:%M")
                if invite.expires_at else "never"
            )
            uses = invite.max_uses if invite.max_uses is not None else "unlimited"
            print(f"unit {invite.unit_id}, role {invite.role}, expires {expiry}, uses {uses}",
                  file=sys.stderr)
        elif args.admin_command == "audit":
            from bot.broadcast.report import audit_text

            print(db.call(audit_text, args.limit))
        else:
            report = db.call(
                questions.admin_question_report, days=args.days, unit_id=args.unit,
                limit=args.limit,
            )
            print(questions.format_report(report, per_unit_limit=args.limit))
        return 0
    except ServiceError as exc:
        print(exc.message, file=sys.stderr)
        return 1
    finally:
        db.close()
