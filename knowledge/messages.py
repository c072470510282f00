"""Every Vietnamese sentence the assistant says, in one place.

Channels format these (HTML for Telegram, plain text for Zalo and the terminal); the wording
lives here so it stays consistent and can be reviewed by the people who use it.
"""

from __future__ import annotations

from datetime import date

NOT_FOUND = (
    "Tôi chưa tìm thấy nội dung này trong kho văn bản hiện có, nên không trả lời để tránh "
    "trích dẫn sai."
)
NOT_FOUND_HINTS = (
    "Bạn có thể hỏi lại:\n"
    "• nêu số hiệu hoặc tên văn bản (ví dụ: «Chỉ thị 05-CT/TW», «Nghị quyết 57»);\n"
    "• dùng từ ngữ của văn bản (ví dụ: «sinh hoạt chi bộ» thay cho «họp chi bộ», "
    "«học tập, quán triệt nghị quyết» thay cho «học nghị quyết»);\n"
    "• hỏi ngắn gọn, mỗi lần một ý."
)
EMPTY_QUESTION = "Bạn hãy gõ câu hỏi, ví dụ: «Chỉ thị 05 yêu cầu gì về học tập và làm theo?»"
STORE_EMPTY = "Kho văn bản chưa có tài liệu nào. Cán bộ quản trị cần nạp văn bản trước."
ANSWER_INTRO = "Theo văn bản trong kho, các đoạn liên quan nhất:"
SOURCES = "Nguồn trích dẫn"
OMITTED = "…"
MAYBE_RELATED = "Các đoạn dưới đây có thể liên quan:"  # after number_not_in_store, when quoting


def number_not_in_store(numbers: list[str]) -> str:
    joined = ", ".join(numbers)
    return f"Kho văn bản hiện chưa có văn bản «{joined}»."


def issued_on(day: date) -> str:
    return f"ngày {day.day:02d}/{day.month:02d}/{day.year}"


def section_label(section: str) -> str:
    return f"mục {section}"
