"""`tuyengiao admin ...` end to end, in-process, against a SQLite file in tmp_path."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.services.invites import join_with_code
from bot.services.people import identify
from bot.services.questions import log_question
from bot.storage import Database
from tuyengiao.cli import main


@pytest.fixture
def db_url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = f"sqlite:///{tmp_path / 'state' / 'bot.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    return url


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    rc = main(["admin", *argv])
    captured = capsys.readouterr()
    return rc, captured.out, captured.err


def test_admin_builds_a_tree_and_invites_an_officer(db_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    rc, out, _ = run(capsys, "unit", "add", "Tỉnh Minh Sơn", "--kind", "province")
    assert rc == 0 and out.split("\t")[:3] == ["1", "Tỉnh Minh Sơn", "province"]
    assert run(capsys, "unit", "add", "Huyện Đông Hà", "--kind", "district", "--parent", "1")[0] == 0
    assert run(capsys, "unit", "add", "Xã Hòa Bình", "--kind", "commune", "--parent", "2")[0] == 0
    assert run(capsys, "unit", "add", "Chi bộ Thôn 1", "--kind", "cell", "--parent", "3")[0] == 0

    rc, out, _ = run(capsys, "invite", "2", "--role", "officer", "--days", "3", "--max-uses", "1")
    assert rc == 0
    code = out.strip()
    assert re.fullmatch(r"[A-HJKMNP-Z2-9]{8}", code), out

    # The code works: whoever redeems it becomes the district's officer.
    db = Database.open(db_url)
    try:
        with db.session() as s:
            officer = identify(s, "telegram", "555", "Cán bộ", admin_ids=frozenset())
            joined = join_with_code(s, officer, code)
            assert joined.unit is not None and joined.unit.name == "Huyện Đông Hà"
            assert joined.role == "officer"
            log_question(s, joined.actor, "telegram", "555", "Nghị quyết 57 nói gì?",
                         latency_ms=20, answered=False)
    finally:
        db.close()

    rc, out, _ = run(capsys, "unit", "list")
    assert rc == 0
    assert out.splitlines() == [
        "[1] Tỉnh Minh Sơn (tỉnh) — 0 cán bộ, 0 đảng viên",
        "  [2] Huyện Đông Hà (huyện) — 1 cán bộ, 0 đảng viên",
        "    [3] Xã Hòa Bình (xã) — 0 cán bộ, 0 đảng viên",
        "      [4] Chi bộ Thôn 1 (chi bộ) — 0 cán bộ, 0 đảng viên",
    ]

    rc, out, _ = run(capsys, "report", "--days", "30", "--unit", "2")
    assert rc == 0
    assert "Phạm vi: Huyện Đông Hà" in out
    assert "Câu hỏi chưa trả lời được — cần bổ sung văn bản:\n1. «Nghị quyết 57 nói gì?» — 1 lần" in out


def test_admin_errors_are_short_and_in_vietnamese(db_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    rc, out, err = run(capsys, "invite", "42", "--role", "member")
    assert rc == 1 and out == ""
    assert "Không tìm thấy đơn vị này." in err and "Traceback" not in err
    rc, _, err = run(capsys, "unit", "add", "   ", "--kind", "cell")
    assert rc == 1 and "Tên đơn vị không được để trống." in err
    rc, out, _ = run(capsys, "unit", "list")
    assert rc == 0 and out.strip() == "Chưa có đơn vị nào."
    with pytest.raises(SystemExit):  # argparse: an unknown kind
        main(["admin", "unit", "add", "X", "--kind", "galaxy"])


@pytest.mark.parametrize("name", ["<b>Chi bộ 3</b>", "Chi bộ <i>Đông</i>", "Chi bộ\x1b[31m 3",
                                  "Chi bộ \u202eĐông", "Chi bộ\x85 3"])
def test_unit_names_with_markup_or_control_characters_are_refused(
    db_url: str, capsys: pytest.CaptureFixture[str], name: str
) -> None:
    rc, out, err = run(capsys, "unit", "add", name, "--kind", "cell")
    assert rc == 1 and out == ""
    assert err.strip() == ("Tên đơn vị không được chứa dấu < > (thẻ định dạng) hay ký tự điều "
                           "khiển. Hãy gõ tên bằng chữ thường, ví dụ: Chi bộ thôn Đông.")
    rc, out, _ = run(capsys, "unit", "list")
    assert rc == 0 and out.strip() == "Chưa có đơn vị nào."
    # A name with ordinary punctuation is fine.
    rc, out, _ = run(capsys, "unit", "add", "Chi bộ 3 (thôn Đông & Tây)", "--kind", "cell")
    assert rc == 0 and out.split("\t")[1] == "Chi bộ 3 (thôn Đông & Tây)"
