"""`tuyengiao broadcast ...` and `tuyengiao admin audit`: the commands in-process against a
SQLite file, and `broadcast work` as a real process sending to the loopback Bot API."""

from __future__ import annotations

import asyncio
import os
import sys
from collections import Counter
from pathlib import Path

import pytest

from bot.storage.database import Database
from tests.bot.broadcast.conftest import WAIT
from tests.bot.broadcast.world import World, build_world
from tests.fakes.telegram_api import TelegramApiServer
from tuyengiao.cli import main

REPO = Path(__file__).resolve().parents[3]


@pytest.fixture
def cli_world(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[str, World]:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    with Database.open(url) as db:
        db.create_all()
        return url, build_world(db)


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    rc = main(list(argv))
    captured = capsys.readouterr()
    return rc, captured.out, captured.err


async def test_create_preview_send_work_status(cli_world: tuple[str, World],
                                              capsys: pytest.CaptureFixture[str]) -> None:
    url, world = cli_world
    rc, out, err = run(capsys, "broadcast", "create", "--units", str(world.district),
                       "--roles", "member", "--confirm", "--deadline-hours", "48",
                       "--text", "Triển khai Kế hoạch 35-KH/BTGHU.", "--doc", "35-KH/BTGHU")
    assert rc == 0, err
    broadcast_id = out.strip()
    assert "Người nhận: 8 người, 7 người nhận được tin riêng (7 tin nhắn); 2 nhóm chat." in err
    assert run(capsys, "broadcast", "create", "--units", "999", "--text", "x")[0] == 1
    rc, out, _ = run(capsys, "broadcast", "send", broadcast_id)
    assert rc == 0 and out.strip() == (
        f"broadcast #{broadcast_id}: 7 private messages, 2 groups, 1 people unreachable")
    assert run(capsys, "broadcast", "send", broadcast_id)[0] == 1  # not a draft any more

    async with TelegramApiServer() as api:
        env = {**os.environ, "DATABASE_URL": url, "TELEGRAM_BOT_TOKEN": api.token,
               "TELEGRAM_API_BASE_URL": api.base_url, "BROADCAST_POLL_SECONDS": "0.05",
               "TELEGRAM_RATE_PER_SECOND": "200", "TELEGRAM_RATE_PER_CHAT_PER_SECOND": "0",
               "LOG_LEVEL": "WARNING"}
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "tuyengiao.cli", "broadcast", "work", "--exit-when-idle",
            cwd=REPO, env=env, stderr=asyncio.subprocess.PIPE)
        _, stderr = await asyncio.wait_for(process.communicate(), WAIT * 3)
        assert process.returncode == 0, stderr.decode()
        assert "sent 9" in stderr.decode()
        received = Counter(str(p["chat_id"]) for p in api.calls_of("sendMessage"))
    assert received == Counter({**{m: 1 for m in world.all_members()}, "-5001": 1, "-5002": 1})

    rc, out, _ = run(capsys, "broadcast", "status", broadcast_id)
    assert rc == 0 and "Tổng: gửi được 9/9 tin; lỗi 0; đã hủy 0." in out
    rc, out, _ = run(capsys, "broadcast", "deliveries", broadcast_id)
    lines = [line.split("\t") for line in out.splitlines()]
    assert lines[0][:6] == ["unit", "person", "platform", "chat_id", "kind", "status"]
    assert len(lines) == 10 and {line[5] for line in lines[1:]} == {"sent"}
    assert ["Xã Tân Lập", "", "telegram", "-5002", "group", "sent", "1"] == lines[-1][:7]
    rc, out, _ = run(capsys, "broadcast", "unconfirmed", broadcast_id)
    assert "Chưa xác nhận (8 người):" in out
    rc, out, _ = run(capsys, "broadcast", "list")
    assert out.startswith(f"#{broadcast_id} [đã gửi]")
    rc, out, _ = run(capsys, "broadcast", "remind", broadcast_id)
    assert rc == 0 and out.strip() == "reminding 7 people (7 messages)"
    rc, out, _ = run(capsys, "broadcast", "cancel", broadcast_id)  # stops its reminder
    assert rc == 0 and out.strip() == "cancelled 7 unsent messages"
    rc, out, _ = run(capsys, "admin", "audit")
    lines = out.splitlines()
    assert "Ban Tuyên giáo — dừng/hủy" in lines[1]
    assert any(f"gửi #{broadcast_id}: 8 người, 9 tin" in line for line in lines)


async def test_a_draft_takes_no_number_until_it_is_sent(cli_world: tuple[str, World],
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    """Issue 16: an abandoned draft must not become broadcast #1."""
    _, world = cli_world
    drafts = []
    for text in ("Bản nháp bỏ dở.", "Thông báo gửi thật."):
        rc, out, err = run(capsys, "broadcast", "create", "--units", str(world.district),
                           "--roles", "member", "--text", text)
        assert rc == 0, err
        drafts.append(out.strip())
    assert drafts == ["1", "2"]  # draft ids, as `create` prints them
    rc, out, _ = run(capsys, "broadcast", "send", drafts[1])
    assert rc == 0 and out.startswith("broadcast #1: ")
    rc, out, _ = run(capsys, "broadcast", "status", "1")
    assert rc == 0 and "«Thông báo gửi thật.»" in out and "#1" in out
    rc, _, err = run(capsys, "broadcast", "status", "2")
    assert rc == 1 and err.strip() == "Không tìm thấy thông báo này."
    rc, out, _ = run(capsys, "broadcast", "list")
    assert out.splitlines()[0].startswith("#1 [")
    rc, out, _ = run(capsys, "broadcast", "send", drafts[0])
    assert rc == 0 and out.startswith("broadcast #2: ")
