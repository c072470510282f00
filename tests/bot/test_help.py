"""/help lists each person the commands they may use, read from the features' declarations
(MenuCommand.audience): a member every feature's member commands, an officer also the
officers', an admin also the admins'; and the same text through the loopback Zalo server."""

from __future__ import annotations

import re

import pytest

from bot import messages
from bot.ask.official_feature import OfficialAnswersFeature
from bot.core.dispatcher import Dispatcher
from bot.core.knowledge_base import KnowledgeBase
from bot.core.types import Chat, IncomingText, Sender, TextReply
from bot.reports.config import ReportConfig
from bot.reports.feature import ReportsFeature
from bot.storage.database import Database
from bot.study.runner import StudyConfig
from tests.bot.broadcast.world import ADMIN_IDS, build_world
from tests.dispatchers import broadcast_feature, dispatcher

MEMBER, OFFICER, ADMIN = "1001", "901", "1"


@pytest.fixture
def core(db: Database, knowledge: KnowledgeBase, tmp_path) -> Dispatcher:  # type: ignore[no-untyped-def]
    """Every feature the application registers (their workers off)."""
    build_world(db)
    base = dispatcher(db, knowledge, ADMIN_IDS, polls=True, study=StudyConfig())
    reports = ReportsFeature(db, base.outbound, broadcast_feature(base).queue,
                             ReportConfig(files_dir=tmp_path / "files", worker=False))
    official = OfficialAnswersFeature(db, knowledge, None, notices=None)
    return Dispatcher(db, [*base.features, reports, official], base.settings, base.outbound)


async def help_of(core: Dispatcher, user_id: str) -> str:
    chat = Chat("telegram", user_id, "private")
    outcome = await core.handle(IncomingText("h" + user_id, Sender("telegram", user_id), chat,
                                             "/help", True))
    [reply] = outcome.replies
    assert isinstance(reply, TextReply)
    return reply.text


def listed(text: str) -> list[str]:
    """The commands /help's bullets start with, in order."""
    return re.findall(r"^• /(\w+)", text, flags=re.MULTILINE)


MEMBER_COMMANDS = ["hoi", "vanban", "moi", "dangky", "lienket", "dskhaosat", "hoctap", "comat",
                   "nopbaocao", "baocaodlxh", "baocaonhanh"]
OFFICER_COMMANDS = ["baocao", "donvi", "taodonvi", "taoma", "thongbao", "dsthongbao", "tiendo",
                    "chuadoc", "nhacdoc", "dunggui", "ganhom", "khaosat", "ketqua",
                    "dongkhaosat", "taohoctap", "diemdanh", "lichhoc", "miensh", "yeucaubaocao",
                    "yeucaudlxh", "dsbaocao", "theodoibaocao", "tonghopbaocao", "baocaodonvi",
                    "congtacvien", "chude", "tonghopdlxh", "traloi"]


async def test_a_member_sees_every_features_member_commands_and_no_officer_one(
        core: Dispatcher) -> None:
    text = await help_of(core, MEMBER)
    assert text.startswith(messages.HELP)
    assert listed(text) == MEMBER_COMMANDS
    assert messages.HELP_OFFICER_TITLE not in text
    assert "/dskhaosat — các khảo sát đang mở gửi tới đồng chí" in text


async def test_an_officer_also_sees_the_officers_commands_an_admin_also_the_admins(
        core: Dispatcher) -> None:
    officer = await help_of(core, OFFICER)
    assert listed(officer) == MEMBER_COMMANDS + OFFICER_COMMANDS
    member_part, officer_part = officer.split(messages.HELP_OFFICER_TITLE)
    assert listed(officer_part) == OFFICER_COMMANDS
    assert "/yeucaubaocao mẫu <số>" in officer_part  # a command's own usage line, not its menu's
    at = OFFICER_COMMANDS.index("ganhom") + 1  # the broadcast feature's admin command
    assert listed(await help_of(core, ADMIN)) == \
        MEMBER_COMMANDS + OFFICER_COMMANDS[:at] + ["nhatky"] + OFFICER_COMMANDS[at:]


def test_every_declared_command_has_a_help_line_of_its_own(core: Dispatcher) -> None:
    """A usage line starts with its own command (a menu line is the fallback, never needed)."""
    for feature in core.features:
        for command in feature.commands:
            assert command.usage.startswith(f"/{command.name}"), command.name
