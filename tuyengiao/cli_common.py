"""What the feature commands (`broadcast`, `poll`, `study`, `report`) share: running a command
on the database with a refusal printed as its message, the "results/report ID [--chart PNG]"
and "csv ID [--out CSV]" subcommands, and writing their output. Printing is allowed here (CLI
only). Bot modules are imported when a command runs, not when the parser is built (other
commands do not pay for loading SQLAlchemy)."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tuyengiao import cli_types
from tuyengiao.settings import Settings

if TYPE_CHECKING:
    from bot.storage import Database


def on_database(settings: Settings, command: Callable[[Database], int | None]) -> int:
    """Runs `command` with the database open and its schema brought up to date, and closes
    it. Returns the command's exit status (None: 0); a refusal of the services
    (bot.services.errors.ServiceError) prints its Vietnamese message on stderr and returns 1."""
    from bot.services.errors import ServiceError
    from bot.storage import Database, schema

    db = Database.open(settings.database_url)
    try:
        schema.upgrade(db)
        return command(db) or 0
    except ServiceError as exc:
        print(exc.message, file=sys.stderr)
        return 1
    finally:
        db.close()


def add_table_commands(sub: Any, name: str, help_text: str, csv_help: str,
                       id_help: str | None = None) -> None:
    """`<name> ID [--chart PNG]` (the table as text, the chart beside it) and
    `csv ID [--out CSV]` (the rows; standard output by default) under `sub`; `id_help`
    says what ID is (a poll's number, not its row)."""
    table = sub.add_parser(name, help=help_text)
    table.add_argument("id", type=cli_types.row_id, help=id_help)
    table.add_argument("--chart", type=Path, help="also write the bar chart (PNG) here")
    csv = sub.add_parser("csv", help=csv_help)
    csv.add_argument("id", type=cli_types.row_id, help=id_help)
    csv.add_argument("--out", type=Path, help="default: standard output")


def print_table(text: str, chart: Path | None, png: Callable[[], bytes]) -> None:
    """Prints the table, then the chart as `write_chart` does."""
    print(text)
    write_chart(chart, png)


def write_chart(chart: Path | None, png: Callable[[], bytes]) -> None:
    """With a `chart` path, renders `png()` (PNG bytes; drawn only when asked for) there and
    says where."""
    if chart:
        chart.write_bytes(png())
        print(f"chart: {chart}")


def write_csv(out: Path | None, data: str, encoding: str = "utf-8-sig") -> None:
    """CSV text to `out` (no newline translation: the exporter writes CRLF), or to standard
    output when `out` is None. utf-8-sig lets spreadsheet programs read the diacritics."""
    if out:
        out.write_text(data, encoding=encoding, newline="")
    else:
        sys.stdout.write(data)


__all__ = ["add_table_commands", "on_database", "print_table", "write_chart", "write_csv"]
