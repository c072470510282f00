"""Hostile numbers (issue 11): ids beyond 64 bits, negative, zero, huge day counts, and
forged button data, typed and pressed through the real Telegram adapter at a core with every
feature; each gets its exact Vietnamese answer, nothing is logged as an error, no apology is
sent, and the bot keeps answering. Then the server commands with the same numbers."""

from __future__ import annotations

import logging
from datetime import timedelta
from pathlib import Path

import pytest

from bot.broadcast import service as broadcasts
from bot.core.dispatcher import Dispatcher
from bot.polls import service as polls
from bot.storage.database import Database
from bot.storage.models import utcnow
from bot import messages
from bot.broadcast import messages as broadcast_texts
from bot.polls import messages as poll_texts
from bot.core.knowledge_base import KnowledgeBase
from tests.dispatchers import dispatcher
from tests.bot.broadcast.world import ADMIN_IDS, build_world
from tests.bot.conftest import assistant, db, knowledge  # noqa: F401  (fixtures)
from tests.security.chats import both_platforms
from tuyengiao.cli import main

HUGE = "99999999999999999999"  # beyond 64 bits
BEYOND_ID = "2147483648"  # one past the largest id either database holds


@pytest.fixture
def core(knowledge: KnowledgeBase, db: Database) -> Dispatcher:
    """The core as `tuyengiao run` builds it: broadcasts and polls included."""
    return dispatcher(db, knowledge, ADMIN_IDS, broadcasts=True, polls=True)


async def test_numbers_in_commands(core: Dispatcher, db: Database,
                                   caplog: pytest.LogCaptureFixture) -> None:
    world = build_world(db)
    report_usage = messages.BAOCAO_USAGE.format(max_days=3650)
    taoma_usage = messages.TAOMA_USAGE.format(member_uses=50, max=1000)
    cases = {
        f"/baocao {HUGE}": report_usage, "/baocao -5": report_usage, "/baocao 0": report_usage,
        "/baocao 3651": report_usage, "/baocao ²": report_usage, "/baocao ３０": report_usage,
        f"/baocao 30 {HUGE}": report_usage, "/baocao 30 0": report_usage,
        f"/baocao 30 {BEYOND_ID}": report_usage,
        f"/taodonvi {HUGE} xa Xã mới": messages.TAODONVI_USAGE,
        f"/taodonvi {BEYOND_ID} xa Xã mới": messages.TAODONVI_USAGE,
        "/taodonvi -3 xa Xã mới": messages.TAODONVI_USAGE,
        "/taodonvi 2147483647 xa Xã mới": messages.UNIT_NOT_FOUND,
        f"/taoma {HUGE}": taoma_usage, "/taoma 0 dangvien": taoma_usage,
        f"/taoma {world.cell} dangvien {HUGE}": taoma_usage,
        f"/tiendo {HUGE}": broadcast_texts.BROADCAST_ID_USAGE.format(command="tiendo"),
        "/chuadoc -1": broadcast_texts.BROADCAST_ID_USAGE.format(command="chuadoc"),
        "/nhacdoc 0": broadcast_texts.BROADCAST_ID_USAGE.format(command="nhacdoc"),
        "/dunggui 2147483647": broadcast_texts.BROADCAST_NOT_FOUND,
        f"/ketqua {HUGE}": poll_texts.POLL_ID_USAGE.format(command="ketqua"),
        f"/ketqua {HUGE} csv": poll_texts.POLL_ID_USAGE.format(command="ketqua"),
        "/dongkhaosat 0": poll_texts.POLL_ID_USAGE.format(command="dongkhaosat"),
        "/ketqua 2147483647": poll_texts.POLL_NOT_FOUND,
    }
    async with both_platforms(core) as chats:
        for typed, expected in cases.items():
            assert await chats.telegram(901, 901, typed) == expected, typed
        group = int(world.groups[world.cell])
        assert await chats.telegram(group, 901, f"/ganhom {HUGE}", group=True) == broadcast_texts.GANHOM_USAGE
        # The widest report allowed works (no date overflow), and the bot still answers.
        assert (await chats.telegram(901, 901, "/baocao 3650")).startswith("Báo cáo câu hỏi 3650 ngày qua")
        answer = await chats.telegram(901, 901, "Mỗi thôn có tổ xung kích phòng, chống thiên tai không?")
        assert answer.startswith(messages.ANSWER_INTRO)
        assert messages.ERROR_GENERIC not in chats.telegram_texts(901)
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR] == []


async def test_forged_button_data(core: Dispatcher, db: Database,
                                  caplog: pytest.LogCaptureFixture) -> None:
    world = build_world(db)
    officer = world.actor(db, world.officer_id)
    draft = db.call(broadcasts.create, officer, text="Thông báo thử", unit_ids=[world.cell],
                    origin=("telegram", "901"), compose_step="deadline").id
    poll = db.call(polls.create, officer, question="Hỏi thử?", options=["Có", "Không"],
                   origin=("telegram", "901"), compose_step="dur",
                   closes_at=utcnow() + timedelta(hours=1)).id
    invalid = messages.ACTION_INVALID
    cases = {
        f"fb:{HUGE}:1": invalid, "fb:1:-5": invalid, "fb:1:0": invalid, "fb:-1:1": invalid,
        "fb:1:1:1": invalid, "fb:٣:1": invalid, "fb:2147483647:1": invalid,
        f"doc:{HUGE}": invalid, "doc:-1": invalid, "doc:0": invalid, "doc:": invalid,
        f"rd:{HUGE}": invalid, "rd:-7": invalid,
        f"bc:{HUGE}:send": invalid, "bc:2147483647:send": broadcast_texts.BROADCAST_NOT_FOUND,
        f"bc:{draft}:deadline:99999999999": invalid, f"bc:{draft}:deadline:5": invalid,
        f"bc:{draft}:deadline:-24": invalid, f"bc:{draft}:unit:{HUGE}": invalid,
        f"bc:{draft}:roles:boss": invalid,
        f"pl:{HUGE}:go": invalid, f"pl:{poll}:dur:99999999999999": poll_texts.POLL_USE_BUTTONS,
        f"pl:{poll}:dur:-1": poll_texts.POLL_USE_BUTTONS,
        f"lk:{HUGE}:y": invalid, "lk:1:z": invalid, "lk:7:y": messages.LINK_REQUEST_GONE,
        "x" * 64: invalid,
    }
    async with both_platforms(core) as chats:
        await chats.telegram(901, 901, "/start")
        for data, expected in cases.items():
            assert await chats.press(901, 901, data) == expected[:190], data
        # Nothing was changed by them: the draft still waits for its deadline choice.
        assert await chats.press(901, 901, f"bc:{draft}:deadline:24") == ""
        assert messages.ERROR_GENERIC not in chats.telegram_texts(901)
    with db.session() as s:
        from bot.broadcast.models import Broadcast
        from bot.polls.models import Poll

        kept = s.get(Broadcast, draft)
        assert kept is not None and kept.compose_step == "preview" and kept.deadline_at is not None
        assert (kept.deadline_at - utcnow()) > timedelta(hours=23)
        opened = s.get(Poll, poll)
        assert opened is not None and opened.status == "draft" and opened.compose_step == "dur"
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR] == []


@pytest.mark.parametrize("argv", [
    ["poll", "csv", HUGE], ["poll", "voters", "-1"], ["poll", "close", "0"],
    ["poll", "results", BEYOND_ID],
    ["poll", "create", "--units", f"1,{HUGE}", "--question", "Hỏi?", "--option", "A", "--option", "B"],
    ["poll", "create", "--units", "1", "--question", "Hỏi?", "--option", "A", "--option", "B",
     "--hours", "1e300"],
    ["poll", "create", "--units", "1", "--question", "Hỏi?", "--option", "A", "--option", "B",
     "--hours", "nan"],
    ["broadcast", "status", HUGE], ["broadcast", "deliveries", "-5"],
    ["broadcast", "create", "--text", "x", "--units", "1", "--deadline-hours", HUGE],
    ["admin", "report", "--days", HUGE], ["admin", "report", "--unit", "0"],
    ["admin", "invite", HUGE, "--role", "member"], ["admin", "unit", "add", "X", "--kind", "cell",
                                                    "--parent", HUGE],
])
def test_numbers_on_the_server_command_line(argv: list[str], tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'cli.db'}")
    with pytest.raises(SystemExit) as stopped:
        main(argv)
    assert stopped.value.code == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err and ("is not an id" in err or "is not a whole number" in err
                                       or "is not a number of hours" in err), err
