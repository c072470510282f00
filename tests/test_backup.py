"""`tuyengiao admin backup` / `admin restore` (issue 16, item 5): a copy taken while the
database is open and written to, put back over later changes; refusals for a damaged or
foreign file, a file that exists, and a restore without --yes. SQLite, and PostgreSQL with
the real pg_dump / pg_restore."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import col, select

from bot.services import units
from bot.storage.models import Unit
from bot.storage.database import Database
from tuyengiao.cli import main


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    rc = main(list(argv))
    captured = capsys.readouterr()
    return rc, captured.out, captured.err


def unit_names(url: str) -> list[str]:
    with Database.open(url) as db:
        return db.call(lambda s: list(s.exec(select(Unit.name).order_by(col(Unit.id))).all()))


def test_sqlite_backup_while_open_and_restore(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    url = f"sqlite:///{tmp_path / 'live.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("BACKUP_DIR", str(tmp_path / "backups"))
    assert run(capsys, "admin", "unit", "add", "Tỉnh ủy Minh Sơn", "--kind", "province")[0] == 0
    with Database.open(url) as live:  # the running bot: its last write still in the -wal file
        live.call(units.admin_create_unit, "Huyện ủy Đông Sơn", "district", 1)
        rc, out, err = run(capsys, "admin", "backup")
        assert rc == 0, err
        copy = Path(out.strip())
        assert copy.parent == tmp_path / "backups" and copy.suffix == ".sqlite"
        assert (tmp_path / "live.db-wal").exists()  # a plain file copy would have missed it
        live.call(units.admin_create_unit, "Xã Tân Lập", "commune", 2)
    assert unit_names(url) == ["Tỉnh ủy Minh Sơn", "Huyện ủy Đông Sơn", "Xã Tân Lập"]
    with sqlite3.connect(copy) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)

    rc, _, err = run(capsys, "admin", "restore", str(copy))  # no --yes: nothing happens
    assert rc == 1 and "--yes" in err
    assert len(unit_names(url)) == 3
    rc, out, err = run(capsys, "admin", "restore", str(copy), "--yes")
    assert rc == 0, err
    assert out.strip() == f"restored from {copy}"
    assert unit_names(url) == ["Tỉnh ủy Minh Sơn", "Huyện ủy Đông Sơn"]

    rc, _, err = run(capsys, "admin", "backup", "--to", str(copy))
    assert rc == 1 and err.strip() == f"{copy} exists already; choose another file"


def test_restore_refuses_a_damaged_or_foreign_file(tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    url = f"sqlite:///{tmp_path / 'live.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    assert run(capsys, "admin", "unit", "add", "Tỉnh ủy Minh Sơn", "--kind", "province")[0] == 0
    garbage = tmp_path / "garbage.sqlite"
    garbage.write_bytes(b"not a database at all" * 100)
    foreign = tmp_path / "foreign.sqlite"
    with sqlite3.connect(foreign) as conn:
        conn.execute("CREATE TABLE t (x)")
    truncated = tmp_path / "truncated.sqlite"
    rc, out, _ = run(capsys, "admin", "backup", "--to", str(tmp_path / "whole.sqlite"))
    whole = (tmp_path / "whole.sqlite").read_bytes()
    truncated.write_bytes(whole[: len(whole) // 2])
    for bad, why in ((garbage, "is not a SQLite database"), (foreign, "is not a tuyengiao database"),
                     (truncated, ""), (tmp_path / "missing.sqlite", "no backup file at")):
        rc, _, err = run(capsys, "admin", "restore", str(bad), "--yes")
        assert rc == 1 and why in err and len(err.strip().splitlines()) == 1, (bad, err)
    assert unit_names(url) == ["Tỉnh ủy Minh Sơn"]  # untouched


def test_postgres_backup_and_restore(postgres: Any, tmp_path: Path,
                                     monkeypatch: pytest.MonkeyPatch,
                                     capsys: pytest.CaptureFixture[str]) -> None:
    if shutil.which("pg_dump") is None or shutil.which("pg_restore") is None:
        pytest.skip("pg_dump / pg_restore not installed (package postgresql-client)")
    url = postgres.create_database()
    monkeypatch.setenv("DATABASE_URL", url)
    assert run(capsys, "admin", "unit", "add", "Tỉnh ủy Minh Sơn", "--kind", "province")[0] == 0
    rc, out, err = run(capsys, "admin", "backup", "--to", str(tmp_path / "pg.dump"))
    assert rc == 0, err
    assert run(capsys, "admin", "unit", "add", "Huyện ủy Đông Sơn", "--kind", "district",
               "--parent", "1")[0] == 0
    assert len(unit_names(url)) == 2
    rc, out, err = run(capsys, "admin", "restore", str(tmp_path / "pg.dump"), "--yes")
    assert rc == 0, err
    assert unit_names(url) == ["Tỉnh ủy Minh Sơn"]
