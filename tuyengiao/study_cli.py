"""`tuyengiao study ...`: study campaigns from the server (the operator is trusted, like
`tuyengiao admin`; officers use /hoctap in chat).

    tuyengiao study list                         # id, status, deadline, done %, title (TSV)
    tuyengiao study report 5 [--chart hoctap.png]
    tuyengiao study csv 5 [--out hoctap.csv]     # formula-safe (bot.services.export)
    tuyengiao study cancel 5

Campaigns are created in chat (/taohoctap); deliveries, self-study, reminders and the final
report are done by the study runner inside `tuyengiao run` (STUDY_RUNNER=true). Printing is
allowed here (CLI only).
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from tuyengiao import cli_common, cli_types
from tuyengiao.settings import Settings


def add_study_parser(subparsers: Any) -> argparse.ArgumentParser:
    parser = subparsers.add_parser("study", help="study campaigns: list, report, csv, cancel")
    parser.set_defaults(store=None)
    sub = parser.add_subparsers(dest="study_command", required=True)
    sub.add_parser("list", help="the latest campaigns")
    cli_common.add_table_commands(sub, "report", "completion per unit (members, exempt, "
                                  "attended, self-studied, quiz passed, not yet)",
                                  "completion per unit as CSV")
    sub.add_parser("cancel", help="stop a campaign (no more reminders, no final report)") \
        .add_argument("id", type=cli_types.row_id)
    return parser


def run_study(args: argparse.Namespace, settings: Settings) -> int:
    import tuyengiao.tables  # noqa: F401  (every table registered)

    return cli_common.on_database(settings, lambda db: _study(args, db))


def _study(args: argparse.Namespace, db: Any) -> None:
    from bot.services import export
    from bot.study import chart, completion, service
    from bot.study.dates import shown

    command = args.study_command
    if command == "list":
        def rows(session: Any) -> list[list[object]]:
            found = []
            for campaign in service.recent(session, None, 50):
                total = completion.compute(session, campaign).total
                found.append([campaign.id, campaign.status, shown(campaign.deadline_at),
                              f"{total.pct(total.done):.1f}", campaign.title])
            return found

        sys.stdout.write(export.tsv(db.call(rows)))
    elif command in ("report", "csv"):
        def compute(session: Any) -> completion.Completion:
            campaign = service.get(session, None, args.id)
            return completion.compute(session, campaign)

        report = db.call(compute)
        if command == "report":
            cli_common.print_table(completion.text(report), args.chart,
                                   lambda: chart.png(report))
        else:
            cli_common.write_csv(args.out, completion.to_csv(report))
    elif command == "cancel":
        db.call(service.cancel, None, args.id)
        print(f"study campaign {args.id} cancelled")
