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


# --- The bot's conversation -------------------------------------------------------------
WELCOME = (
    "Xin chào! Tôi là trợ lý tuyên giáo.\n"
    "Tôi trả lời câu hỏi dựa trên các văn bản trong kho (nghị quyết, chỉ thị, kết luận, "
    "quy định, hướng dẫn, kế hoạch…) và luôn trích dẫn nguồn: số hiệu, tên văn bản, mục, "
    "ngày ban hành. Nếu kho không có nội dung, tôi sẽ nói rõ là chưa tìm thấy.\n\n"
    "Bạn cứ gõ câu hỏi, có dấu hoặc không dấu. Gõ /help để xem các lệnh."
)
HELP = (
    "Cách dùng:\n"
    "• Gõ câu hỏi (trong nhóm: /hoi <câu hỏi>, hoặc nhắc tên tôi, hoặc trả lời tin của tôi).\n"
    "• /vanban <số hiệu> — xem văn bản, ví dụ: /vanban 05-CT/TW, /vanban chỉ thị 05.\n"
    "• /moi — các văn bản mới nhất trong kho.\n"
    "• /dangky <mã> — tham gia đơn vị bằng mã mời do cán bộ cung cấp.\n"
    "• /lienket — lấy mã để liên kết tài khoản Zalo và Telegram của bạn.\n"
    "Dưới mỗi câu trả lời: 👍/👎 để đánh giá, «Xem văn bản» để đọc văn bản gốc."
)
HELP_OFFICER = (
    "Lệnh dành cho cán bộ:\n"
    "• /donvi — các đơn vị bạn phụ trách (kèm mã số đơn vị).\n"
    "• /taodonvi <mã đơn vị cha> <cấp> <tên> — cấp: tinh, huyen, xa, chibo. "
    "Ví dụ: /taodonvi 3 chibo Chi bộ thôn Đông.\n"
    "• /taoma <mã đơn vị> [dangvien|canbo] — tạo mã mời vào đơn vị.\n"
    "• /baocao [số ngày] [mã đơn vị] — câu hỏi được hỏi nhiều nhất và câu hỏi chưa trả "
    "lời được, theo đơn vị."
)
UNKNOWN_COMMAND = "Lệnh không rõ. Gõ /help để xem các lệnh."
UNSUPPORTED_MESSAGE = "Tôi chỉ đọc được tin nhắn chữ. Bạn hãy gõ câu hỏi bằng chữ nhé."
QUESTION_TOO_LONG = (
    "Câu hỏi quá dài (tối đa {limit} ký tự). Bạn hãy hỏi ngắn gọn, mỗi lần một ý."
)
ASK_USAGE = "Bạn hãy gõ câu hỏi sau lệnh, ví dụ: /hoi chỉ thị 05 yêu cầu gì?"
VANBAN_USAGE = "Bạn hãy gõ số hiệu sau lệnh, ví dụ: /vanban 05-CT/TW hoặc /vanban chỉ thị 05."
DANGKY_USAGE = "Bạn hãy gõ mã mời sau lệnh, ví dụ: /dangky ABC123."
DOCUMENT_NOT_FOUND = "Không tìm thấy văn bản «{query}» trong kho."
DOCUMENTS_FOUND = "Có {count} văn bản khớp với «{query}»:"
LATEST_DOCUMENTS = "Các văn bản mới nhất trong kho:"
NO_DOCUMENTS = "Kho văn bản chưa có văn bản nào có ngày ban hành."
DOCUMENT_GONE = "Văn bản này không còn trong kho (kho đã được cập nhật). Bạn hãy hỏi lại."
ACTION_INVALID = "Nút này không còn dùng được. Bạn hãy hỏi lại."
FEEDBACK_THANKS = "Cảm ơn bạn đã đánh giá!"
ACCOUNTS_LINKED = "Đã liên kết tài khoản này với tài khoản trên nền tảng kia của bạn."
JOINED_UNIT = "Bạn đã tham gia «{unit}» với vai trò {role}."
ROLE_NAMES = {"officer": "cán bộ", "member": "đảng viên"}
UNIT_KINDS = {"tinh": "province", "huyen": "district", "xa": "commune", "chibo": "cell"}
UNIT_KIND_NAMES = {"province": "tỉnh", "district": "huyện", "commune": "xã", "cell": "chi bộ",
                   "other": "khác"}
UNIT_CREATED = "Đã tạo đơn vị «{name}» (mã đơn vị {id}, cấp {kind})."
INVITE_CREATED = (
    "Mã mời vào «{unit}» ({role}): {code}\nHiệu lực đến {expires}. Người nhận gõ /dangky {code}"
)
TAODONVI_USAGE = (
    "Cú pháp: /taodonvi <mã đơn vị cha> <cấp> <tên>, cấp là tinh, huyen, xa hoặc chibo. "
    "Ví dụ: /taodonvi 3 chibo Chi bộ thôn Đông."
)
TAOMA_USAGE = "Cú pháp: /taoma <mã đơn vị> [dangvien|canbo]. Ví dụ: /taoma 7 dangvien."
BAOCAO_USAGE = "Cú pháp: /baocao [số ngày] [mã đơn vị]. Ví dụ: /baocao 30."
NO_UNITS = "Bạn chưa phụ trách đơn vị nào."
UNITS_HEADER = "Các đơn vị bạn phụ trách (mã số — tên — cấp):"
LINK_CODE = (
    "Mã liên kết của bạn: {code} (dùng một lần, hiệu lực 15 phút).\n"
    "Trên nền tảng còn lại (Zalo hoặc Telegram), gõ /dangky {code} để gộp hai tài khoản."
)
ACTION_FEEDBACK_UP = "👍"
ACTION_FEEDBACK_DOWN = "👎"
ACTION_VIEW_DOCUMENT = "Xem văn bản"
