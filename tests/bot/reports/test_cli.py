"""`tuyengiao report ...` end to end, in-process, against a SQLite file built with the unit
world: create a monthly request, list, status, rollup to CSV and PNG, late list, tick."""

from __future__ import annotations

import csv
import re
from datetime import date, timedelta
from pathlib import Path

import pytest

from bot.storage.database import Database
from tests.bot.broadcast.world import build_world
from tuyengiao.cli import main


@pytest.fixture
def db_url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = f"sqlite:///{tmp_path / 'bot.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("REPORT_FILES_DIR", str(tmp_path / "files"))
    import tuyengiao.tables  # noqa: F401
    db = Database.open(url)
    db.create_all()
    build_world(db)
    db.close()
    return url


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    rc = main(["report", *argv])
    captured = capsys.readouterr()
    return rc, captured.out, captured.err


def test_report_cli_creates_follows_and_exports(db_url: str, tmp_path: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    rc, out, err = run(capsys, "create", "--title", "Báo cáo tháng", "--field",
                       "Số buổi sinh hoạt | số", "--field", "Đánh giá | chọn: Tốt; Khá",
                       "--units", "2", "--schedule", f"once:{date.today() + timedelta(days=7)}")
    assert rc == 0, err
    found = re.match(r"report request (\d+)", out)
    assert found, out
    request_id = found[1]
    rc, out, _ = run(capsys, "list")
    assert "Báo cáo tháng" in out
    rc, out, _ = run(capsys, "status", request_id)
    assert rc == 0 and "Xã Hòa Bình" in out and "Xã Tân Lập" in out, out
    csv_path, chart = tmp_path / "r.csv", tmp_path / "r.png"
    rc, _, err = run(capsys, "rollup", request_id, "--csv", str(csv_path), "--chart", str(chart))
    assert rc == 0, err
    rows = list(csv.reader(csv_path.open(encoding="utf-8-sig")))
    assert sorted(row[1] for row in rows[1:]) == ["Xã Hòa Bình", "Xã Tân Lập"]
    assert chart.read_bytes().startswith(b"\x89PNG")
    rc, out, _ = run(capsys, "tick")
    assert rc == 0

    rc, _, err = run(capsys, "create", "--title", "X", "--field", "A | hình tam giác",
                     "--units", "2", "--schedule", "monthly:20")
    assert rc != 0 and "không hiểu kiểu «hình tam giác»" in err, err
    with pytest.raises(SystemExit):
        run(capsys, "create", "--title", "X", "--field", "A | số", "--units", "2",
            "--schedule", "monthly:40")
    rc, _, err = run(capsys, "status", "999")
    assert rc != 0 and "Không tìm thấy" in err, err
