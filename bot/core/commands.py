"""Parsing commands out of text, and the command list channels register."""

from __future__ import annotations

import re
from dataclasses import dataclass

# (command, Vietnamese description) in the order menus show them.
MEMBER_COMMANDS: tuple[tuple[str, str], ...] = (
    ("hoi", "Hỏi về văn bản: /hoi <câu hỏi>"),
    ("vanban", "Xem văn bản theo số hiệu: /vanban 05-CT/TW"),
    ("moi", "Các văn bản mới nhất"),
    ("dangky", "Tham gia đơn vị bằng mã mời: /dangky <mã>"),
    ("lienket", "Liên kết tài khoản Zalo/Telegram: /lienket lấy mã, /lienket <mã> để dùng"),
    ("help", "Hướng dẫn sử dụng"),
    ("start", "Giới thiệu trợ lý"),
)
OFFICER_COMMANDS: tuple[tuple[str, str], ...] = (
    ("donvi", "Cán bộ: danh sách đơn vị phụ trách"),
    ("taodonvi", "Cán bộ: tạo đơn vị cấp dưới"),
    ("taoma", "Cán bộ: tạo mã mời vào đơn vị: /taoma <mã đơn vị> [dangvien|canbo] [số lượt]"),
    ("baocao", "Cán bộ: câu hỏi nhiều nhất và chưa trả lời được"),
)
ALL_COMMANDS = MEMBER_COMMANDS + OFFICER_COMMANDS

_COMMAND = re.compile(r"^/(?P<name>[A-Za-z_]{1,32})(?:@(?P<bot>\w+))?(?:\s+(?P<args>.*))?$", re.S)


@dataclass(frozen=True)
class Command:
    name: str  # lowercase, without "/" and "@bot"
    args: str  # the rest of the text, stripped


def parse_command(text: str) -> Command | None:
    """"/hoi@TuyenGiaoBot  nghị quyết 57" -> Command("hoi", "nghị quyết 57")."""
    m = _COMMAND.match(text.strip())
    if not m:
        return None
    return Command(m["name"].lower(), (m["args"] or "").strip())
