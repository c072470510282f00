"""`tuyengiao study ...` over the same SQLite file the bot writes: list, report (with the
chart), CSV, cancel, and a bad id."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from bot.study import messages as texts
from tests.bot.study.conftest import Stage, open_campaign
from tuyengiao.cli import main


def test_list_report_csv_cancel(stage: Stage, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'bot.db'}")  # the stage's file
    campaign_id = open_campaign(stage)
    assert main(["study", "list"]) == 0
    line = capsys.readouterr().out.splitlines()[0].split("\t")
    assert line[0] == str(campaign_id) and line[1] == "open" and line[3:] == [
        "0.0", "Học tập, quán triệt Chỉ thị 05-CT/TW"]
    assert main(["study", "report", str(campaign_id), "--chart", str(tmp_path / "c.png")]) == 0
    out = capsys.readouterr().out
    assert "Toàn bộ: 15 đảng viên, 0 miễn sinh hoạt" in out and "Xã Tân Lập: 0/5" in out
    assert (tmp_path / "c.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert main(["study", "csv", str(campaign_id), "--out", str(tmp_path / "r.csv")]) == 0
    rows = list(csv.reader(io.StringIO((tmp_path / "r.csv").read_text(encoding="utf-8-sig"))))
    assert rows[0] == list(texts.CSV_HEADER) and len(rows) == 5
    assert main(["study", "cancel", str(campaign_id)]) == 0
    assert stage.campaign(campaign_id).status == "cancelled"
    capsys.readouterr()
    assert main(["study", "cancel", str(campaign_id)]) == 1
    assert capsys.readouterr().err.strip() == texts.NOT_OPEN
    assert main(["study", "report", "999"]) == 1
    assert capsys.readouterr().err.strip() == texts.NOT_FOUND
    with pytest.raises(SystemExit):
        main(["study", "report", "abc"])
