"""Every Vietnamese sentence the bot says, in one place (core, services, features, channels).

Channels format these (HTML for Telegram, plain text for Zalo and the terminal); the wording
lives here so it stays consistent and can be reviewed by the people who use it.
"""

from __future__ import annotations

from datetime import date

# How answers read (the CLI's `ask` prints the same: knowledge/phrasing.py holds them).
from knowledge.phrasing import (  # noqa: E402
    ANSWER_INTRO,
    MAYBE_RELATED,
    NOT_FOUND,
    NOT_FOUND_HINTS,
    OMITTED,
    SOURCES,
    cite_section,
    issued_on,
    number_not_in_store,
    section_label,
)

# How a document's validity reads (knowledge/messages_validity.py: answers phrase it too).
from knowledge.messages_validity import (  # noqa: E402
    CITATION_NOT_IN_FORCE,
    status_text,
    validity_facts,
)

EMPTY_QUESTION = "Bạn hãy gõ câu hỏi, ví dụ: «Chỉ thị 05 yêu cầu gì về học tập và làm theo?»"
STORE_EMPTY = "Kho văn bản chưa có tài liệu nào. Cán bộ quản trị cần nạp văn bản trước."

# --- The bot's conversation -------------------------------------------------------------
LOCAL_BANNER = "Trợ lý tuyên giáo — gõ câu hỏi rồi nhấn Enter; /help để xem lệnh; Ctrl-D để thoát."
WELCOME = (
    "Xin chào! Tôi là trợ lý tuyên giáo.\n"
    "Tôi trả lời câu hỏi dựa trên các văn bản trong kho (nghị quyết, chỉ thị, kết luận, "
    "quy định, hướng dẫn, kế hoạch…) và luôn trích dẫn nguồn: số hiệu, tên văn bản, mục, "
    "ngày ban hành. Nếu kho không có nội dung, tôi sẽ nói rõ là chưa tìm thấy.\n\n"
    "Bạn cứ gõ câu hỏi, có dấu hoặc không dấu. Gõ /help để xem các lệnh."
)
HELP = (
    "Cách dùng:\n"
    "• Gõ câu hỏi (trong nhóm: /hoi <câu hỏi> hoặc nhắc tên tôi; trên Telegram cũng có thể "
    "trả lời tin của tôi).\n"
    "• /vanban <số hiệu> — xem văn bản, ví dụ: /vanban 05-CT/TW, /vanban chỉ thị 05; chỉ gõ "
    "tên văn bản («chỉ thị 05», «qd 294») cũng được: số hiệu, hiệu lực, bố cục và phần đầu "
    "văn bản.\n"
    "• /moi — các văn bản mới nhất trong kho.\n"
    "• /dangky <mã> — tham gia đơn vị bằng mã mời do cán bộ cung cấp.\n"
    "• /lienket — lấy mã liên kết (trong tin nhắn riêng); /lienket <mã> trên tài khoản còn "
    "lại để liên kết tài khoản Zalo và Telegram của bạn.\n"
    "Dưới mỗi câu trả lời: 👍/👎 để đánh giá, «Xem văn bản» để đọc văn bản gốc "
    "(trên Zalo: gõ số theo gợi ý, hoặc gõ 👍/👎)."
)
HELP_OFFICER = (
    "Lệnh dành cho cán bộ:\n"
    "• /donvi — các đơn vị bạn phụ trách (kèm mã số đơn vị).\n"
    "• /taodonvi <mã đơn vị cha> <cấp> <tên> — cấp: tinh, huyen, xa, chibo. "
    "Ví dụ: /taodonvi 3 chibo Chi bộ thôn Đông.\n"
    "• /taoma <mã đơn vị> [dangvien|canbo] [số lượt] — tạo mã mời vào đơn vị (gửi trong tin "
    "nhắn riêng; mã cán bộ dùng một lần nếu không ghi số lượt).\n"
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
DANGKY_USAGE = "Bạn hãy gõ mã mời sau lệnh, ví dụ: /dangky ABCD2345."
DOCUMENT_NOT_FOUND = "Không tìm thấy văn bản «{query}» trong kho."
DOCUMENTS_FOUND = "Có {count} văn bản khớp với «{query}»:"
LATEST_DOCUMENTS = "Các văn bản mới nhất trong kho:"
NO_DOCUMENTS = "Kho văn bản chưa có văn bản nào có ngày ban hành."
DOCUMENT_GONE = "Văn bản này không còn trong kho (kho đã được cập nhật). Bạn hãy hỏi lại."
ACTION_INVALID = "Nút này không còn dùng được. Bạn hãy hỏi lại."
FEEDBACK_THANKS = "Cảm ơn bạn đã đánh giá!"
FEEDBACK_NOT_YOURS = "Chỉ người đặt câu hỏi mới đánh giá được câu trả lời này."
DOCUMENT_BUTTON_NOT_YOURS = (
    "Nút này dành cho người đặt câu hỏi. Bạn gõ /vanban <số hiệu> để xem văn bản."
)
ACCOUNTS_LINKED = "Đã liên kết tài khoản này với tài khoản trên nền tảng kia của bạn."
JOINED_UNIT = "Bạn đã tham gia «{unit}» với vai trò {role}."
ROLE_NAMES = {"officer": "cán bộ", "member": "đảng viên"}
UNIT_KINDS = {"tinh": "province", "huyen": "district", "xa": "commune", "chibo": "cell"}
UNIT_KIND_NAMES = {"province": "tỉnh", "district": "huyện", "commune": "xã", "cell": "chi bộ",
                   "other": "khác"}
UNIT_CREATED = "Đã tạo đơn vị «{name}» (mã đơn vị {id}, cấp {kind})."
INVITE_CREATED = (
    "Mã mời vào «{unit}» ({role}): {code}\nDùng được {uses} lần, hiệu lực đến {expires}. "
    "Người nhận gõ /dangky {code}"
)
TAODONVI_USAGE = (
    "Cú pháp: /taodonvi <mã đơn vị cha> <cấp> <tên>, cấp là tinh, huyen, xa hoặc chibo. "
    "Ví dụ: /taodonvi 3 chibo Chi bộ thôn Đông."
)
TAOMA_USAGE = (
    "Cú pháp: /taoma <mã đơn vị> [dangvien|canbo] [số lượt]. Ví dụ: /taoma 7 dangvien, "
    "/taoma 9 canbo 2. Mã cán bộ mặc định dùng 1 lần, mã đảng viên {member_uses} lần "
    "(tối đa {max} lần)."
)
BAOCAO_USAGE = (
    "Cú pháp: /baocao [số ngày] [mã đơn vị], số ngày từ 1 đến {max_days}. Ví dụ: /baocao 30."
)
NO_UNITS = "Bạn chưa phụ trách đơn vị nào."
UNITS_HEADER = "Các đơn vị bạn phụ trách (mã số — tên — cấp):"
LINK_CODE = (
    "Mã liên kết của bạn: {code} (dùng một lần, hiệu lực 15 phút). Mã này để liên kết tài "
    "khoản của chính bạn: không đưa cho ai, kể cả khi được hỏi «mã mời».\n"
    "Trên tài khoản còn lại (Zalo hoặc Telegram), gõ /lienket {code}; trợ lý sẽ hỏi lại bạn "
    "ở đây trước khi liên kết."
)
ACTION_FEEDBACK_UP = "👍"
ACTION_FEEDBACK_DOWN = "👎"
ACTION_VIEW_DOCUMENT = "Xem văn bản"

# Text channels (Zalo, the terminal) offer actions as numbered hints instead of buttons:
# "Gõ 1: 👍 · 2: 👎 · 3: Xem văn bản".
ACTIONS_HINT = "Gõ {choices}"
ACTIONS_HINT_SEPARATOR = " · "
# A whole reply that means 👍 or 👎 after an answer, besides the number (compared without
# case and diacritics, so "dung roi" counts as "đúng rồi").
FEEDBACK_UP_WORDS = ("👍", "tốt", "hay", "đúng", "đúng rồi", "hữu ích", "có ích")
FEEDBACK_DOWN_WORDS = (
    "👎", "sai", "chưa đúng", "không đúng", "sai rồi", "không hữu ích", "chưa hữu ích",
    "không có ích",
)


# --- Services: refusals, invite codes, reports (bot/services) ---------------------------
# --- errors -------------------------------------------------------------------------------
SERVICE_ERROR = "Không thực hiện được yêu cầu."
PERMISSION_DENIED = "Bạn không có quyền thực hiện thao tác này."
NOT_OFFICER = "Chỉ cán bộ phụ trách đơn vị mới thực hiện được thao tác này."
OUTSIDE_SCOPE = "Đơn vị này nằm ngoài phạm vi bạn phụ trách."
OFFICER_INVITE_OWN_UNIT = (
    "Bạn chỉ tạo được mã mời cán bộ cho các đơn vị cấp dưới, không tạo cho chính đơn vị mình."
)
NOTHING_FOUND = "Không tìm thấy."
UNIT_NOT_FOUND = "Không tìm thấy đơn vị này."
QUESTION_NOT_FOUND = "Không tìm thấy câu hỏi này."
INVALID_INPUT = "Thông tin chưa hợp lệ."
UNIT_NAME_EMPTY = "Tên đơn vị không được để trống."
UNIT_NAME_TOO_LONG = "Tên đơn vị dài quá 120 ký tự."
UNIT_NAME_TAKEN = "Đơn vị cấp trên đã có một đơn vị cùng tên."
UNIT_KIND_INVALID = "Loại đơn vị phải là: tỉnh, huyện, xã, chi bộ hoặc khác."
ROLE_INVALID = "Vai trò phải là «cán bộ» hoặc «đảng viên»."
MAX_USES_INVALID = "Số lượt dùng phải từ 1 đến {max}."
EXPIRY_INVALID = "Thời hạn của mã mời phải lớn hơn 0."
FEEDBACK_INVALID = "Đánh giá chỉ nhận 👍 hoặc 👎."
DAYS_INVALID = "Số ngày phải từ 1 đến {max}."

INVITE_UNKNOWN = "Mã mời không đúng. Bạn kiểm tra lại mã (8 ký tự, không phân biệt hoa thường)."
INVITE_REVOKED = "Mã mời này đã bị thu hồi."
INVITE_EXPIRED = "Mã mời này đã hết hạn. Bạn xin cán bộ phụ trách mã mới."
INVITE_USED_UP = "Mã mời này đã dùng hết số lượt."
LINK_SAME_PERSON = "Tài khoản này đã được liên kết rồi."
LINK_PLATFORM_TAKEN = "Bạn đã có một tài khoản khác trên nền tảng này được liên kết."

# --- Codes in chats: only in private, kinds kept apart, guessing slowed (bot/core/accounts) --
PLATFORM_NAMES = {"telegram": "Telegram", "zalo": "Zalo", "local": "cửa sổ dòng lệnh"}
CODES_PRIVATE_ONLY = (
    "Vì an toàn, trợ lý chỉ gửi mã trong tin nhắn riêng. Bạn nhắn riêng cho trợ lý (gõ /start) "
    "rồi gõ lại lệnh ở đó."
)
CODE_SENT_PRIVATELY = "Trợ lý đã gửi mã vào tin nhắn riêng cho bạn."
CODE_IS_LINK = (
    "Đây là mã liên kết tài khoản, không phải mã mời vào đơn vị. Mã liên kết gộp tài khoản của "
    "bạn với tài khoản của người tạo mã: chỉ dùng mã do chính bạn tạo, bằng lệnh /lienket <mã>."
)
CODE_IS_INVITE = "Đây là mã mời vào đơn vị, không phải mã liên kết. Gõ /dangky <mã> để tham gia đơn vị."
CODE_LOCKED_PERSON = "Bạn đã nhập sai mã quá nhiều lần. Bạn thử lại sau {minutes} phút."
CODE_LOCKED_CHAT = (
    "Cuộc trò chuyện này đã nhập sai mã quá nhiều lần. Bạn thử lại sau {minutes} phút."
)
LINK_REQUESTED = (
    "Đã gửi yêu cầu liên kết tới tài khoản {platform} «{name}». Chủ tài khoản đó cần bấm "
    "«Đồng ý» trong 15 phút. Khi đó hai tài khoản là một người, dùng chung đơn vị và vai trò.\n"
    "Nếu đó không phải tài khoản của chính bạn, bấm «Hủy»."
)
LINK_CONFIRM_ASK = (
    "Tài khoản {platform} «{name}» vừa nhập mã liên kết của bạn và xin gộp vào tài khoản này. "
    "Sau khi gộp, tài khoản đó có mọi đơn vị và vai trò của bạn, bạn có các đơn vị của nó.\n"
    "{roles}\n"
    "Nếu đó là tài khoản của chính bạn, bấm «Đồng ý» (trong 15 phút); nếu không, bấm «Từ chối»."
)
LINK_ROLES = "Tài khoản đó đang là: {roles}."
LINK_NO_ROLES = "Tài khoản đó chưa tham gia đơn vị nào."
LINK_ROLE_ITEM = "{role} «{unit}»"
LINK_ACCEPT_BUTTON = "✅ Đồng ý"
LINK_DECLINE_BUTTON = "✖ Từ chối"
LINK_CANCEL_BUTTON = "✖ Hủy"
LINK_DONE_OWNER = "Đã liên kết tài khoản {platform} «{name}» với tài khoản này."
LINK_DECLINED_OWNER = (
    "Đã từ chối: tài khoản {platform} «{name}» không được liên kết. Nếu bạn không đưa mã cho "
    "ai, có thể người khác đã thấy mã; mã đó không còn dùng được."
)
LINK_DECLINED_JOINER = "Chủ tài khoản {platform} «{name}» đã từ chối yêu cầu liên kết."
LINK_CANCELLED_JOINER = "Đã hủy yêu cầu liên kết."
LINK_CANCELLED_OWNER = "Tài khoản {platform} «{name}» đã hủy yêu cầu liên kết với tài khoản này."
LINK_UNDELIVERED = (
    "Chưa hỏi được chủ tài khoản kia nên chưa liên kết. Trên tài khoản đó, bạn nhắn riêng cho "
    "trợ lý, gõ /lienket lấy mã mới rồi thử lại."
)
LINK_REQUEST_GONE = "Yêu cầu liên kết này không còn hiệu lực (đã xử lý hoặc quá 15 phút)."
LINK_NOT_YOURS = "Chỉ chủ tài khoản nhận yêu cầu mới trả lời được."

# --- unit kinds and roles, as shown to people -----------------------------------------------

# --- question report ----------------------------------------------------------------------
REPORT_TITLE = "Báo cáo câu hỏi {days} ngày qua ({start} – {end})"
REPORT_SCOPE = "Phạm vi: {scope}"
REPORT_SCOPE_ALL = "toàn bộ đơn vị"
REPORT_TOTAL = "TỔNG CỘNG"
REPORT_NO_UNIT = "Chưa thuộc đơn vị nào"
REPORT_SUMMARY = "{questions} câu hỏi, trả lời được {answered} ({share}). Đánh giá: 👍 {up} · 👎 {down}"
REPORT_TOP = "Câu hỏi được hỏi nhiều nhất:"
REPORT_UNANSWERED = "Câu hỏi chưa trả lời được — cần bổ sung văn bản:"
REPORT_TOP_ITEM = "{n}. «{text}» — {count} lần, trả lời được {share}"
REPORT_UNANSWERED_ITEM = "{n}. «{text}» — {count} lần"
REPORT_NONE = "Chưa có câu hỏi nào trong khoảng thời gian này."
REPORT_ALL_ANSWERED = "(không có)"

# --- unit tree ----------------------------------------------------------------------------
UNITS_NONE = "Chưa có đơn vị nào."
UNIT_LINE = "{indent}[{id}] {name} ({kind}) — {officers} cán bộ, {members} đảng viên"


# --- database faults (bot/storage/faults.py): a change that could not be saved ----------
NOT_SAVED = (
    "⚠️ Thay đổi chưa được lưu: cơ sở dữ liệu của trợ lý đang không ghi được ({reason}). "
    "Vui lòng thử lại sau ít phút; nếu vẫn không được, xin báo quản trị viên hệ thống."
)
NOT_SAVED_SHORT = "⚠️ Chưa lưu được: cơ sở dữ liệu đang không ghi được."
NOT_SAVED_REASONS = {
    "read-only": "tệp dữ liệu đang ở chế độ chỉ đọc",
    "full": "ổ đĩa của máy chủ đã đầy",
    "locked": "đang bị một tiến trình khác giữ khóa",
    "io": "lỗi đọc/ghi ổ đĩa",
    "unavailable": "không kết nối được tới cơ sở dữ liệu",
}


# --- Channel adapters: the apology and document-view labels ------------------------------
ERROR_GENERIC = "Xin lỗi, đã có lỗi khi xử lý tin nhắn. Bạn vui lòng thử lại sau."

# A document view ("Xem văn bản"): metadata labels, outline and section headings.
DOC_NUMBER = "Số hiệu"
DOC_TYPE = "Loại"
DOC_ISSUER = "Cơ quan ban hành"
DOC_ISSUED = "Ngày ban hành"
DOC_TITLE = "Tiêu đề"
DOC_SOURCE = "Nguồn"
DOC_OUTLINE = "Bố cục"
DOC_CONTENT = "Nội dung"  # followed by "mục II. ..." (messages.section_label)
DOC_OPENING = "Phần đầu văn bản"  # an overview's opening content (a document named alone)


# --- Guidance broadcasts (bot/broadcast) ------------------------------------------------
# What recipients see.
BROADCAST_HEADER = "📢 THÔNG BÁO — {sender}"
BROADCAST_REMINDER_HEADER = "🔔 NHẮC ĐỌC — {sender}\nĐồng chí chưa xác nhận đã đọc thông báo sau:"
BROADCAST_DOC_LINE = "Văn bản: {number}"
BROADCAST_CONFIRM_BY = "Đề nghị đồng chí bấm «Đã đọc» trước {deadline}."
BROADCAST_CONFIRM_PLEASE = "Đề nghị đồng chí bấm «Đã đọc» sau khi đọc."
BROADCAST_READ_BUTTON = "✅ Đã đọc"
BROADCAST_READ_THANKS = "Đã ghi nhận: đồng chí đã đọc thông báo. Cảm ơn!"
BROADCAST_READ_AGAIN = "Đồng chí đã xác nhận đọc thông báo này rồi."
BROADCAST_READ_NOT_FOR_YOU = "Thông báo này không gửi tới đồng chí nên không cần xác nhận."
# On platforms without buttons (Zalo) the member confirms by typing a reply.
BROADCAST_CONFIRM_BY_TYPED = "Đề nghị đồng chí trả lời «đã đọc» trước {deadline} để xác nhận."
BROADCAST_CONFIRM_PLEASE_TYPED = "Đọc xong, đồng chí trả lời «đã đọc» để xác nhận."
# Replies that confirm reading (compared folded: "da doc" counts too).
BROADCAST_READ_WORDS = (
    "đã đọc", "đọc rồi", "đã đọc rồi", "đã xem", "đã nhận", "đã quán triệt", "đã đọc và quán triệt",
    "xác nhận đã đọc", "xác nhận", "ok đã đọc", "đã đọc ạ", "em đã đọc", "tôi đã đọc",
)
BROADCAST_READ_NOTHING = "Hiện không có thông báo nào chờ đồng chí xác nhận đã đọc."
# Typed equivalents of the officer's buttons (Zalo): "Gõ /dunggui 5 để dừng gửi".
BROADCAST_TYPED_HINT = "Gõ {choices}"
BROADCAST_TYPED_STOP = "/dunggui {id} để dừng gửi"
BROADCAST_TYPED_LIST = "/chuadoc {id} để xem ai chưa đọc"
BROADCAST_TYPED_REMIND = "/nhacdoc {id} để nhắc người chưa đọc"
BROADCAST_TYPED_REPORT = "/tiendo {id} để xem báo cáo"
BROADCAST_OPERATOR = "Ban Tuyên giáo"  # the sender when the server's CLI sends
BROADCAST_SYSTEM = "hệ thống"  # who closed a broadcast in the audit trail (the worker)

# What the sending officer sees while it runs and after.
BROADCAST_PROGRESS = "📤 Thông báo #{id}: đã gửi {sent}/{total} · lỗi {failed} · đang chờ {waiting}"
BROADCAST_PROGRESS_CANCELLED = "⛔ Đã dừng gửi; {cancelled} tin chưa gửi đã hủy."
BROADCAST_PROGRESS_DONE = "✅ Đã gửi xong."
BROADCAST_STOP_BUTTON = "⛔ Dừng gửi"
BROADCAST_LIST_BUTTON = "Ai chưa đọc"
BROADCAST_REMIND_BUTTON = "🔔 Nhắc người chưa đọc"
BROADCAST_REPORT_TITLE = "📊 Báo cáo gửi thông báo #{id} «{excerpt}»"
BROADCAST_REPORT_TOTALS = "Tổng: gửi được {sent}/{total} tin; lỗi {failed}; đã hủy {cancelled}."
BROADCAST_REPORT_UNIT = (
    "• {unit}: {reached}/{people} người nhận được ({reached_share}); nhóm {groups_reached}/{groups};"
    " lỗi {failed}"
)
BROADCAST_REPORT_CONFIRMED = "   đã xác nhận đọc: {confirmed}/{people} ({share})"
BROADCAST_REPORT_UNREACHED = (
    "{count} người chưa nhận được tin riêng (chưa từng nhắn tin với trợ lý hoặc đã chặn trợ lý);"
    " họ chỉ đọc được qua nhóm của đơn vị."
)
BROADCAST_CONFIRM_TITLE = "Xác nhận đã đọc — thông báo #{id} «{excerpt}»"
BROADCAST_CONFIRM_UNIT = "• {unit}: đã đọc {confirmed}/{people} ({share}); nhận được {reached}"
BROADCAST_ALL_CONFIRMED = "Tất cả đã xác nhận đọc."
BROADCAST_DEADLINE = "Hạn xác nhận: {deadline}."
BROADCAST_DEADLINE_PASSED = "Hạn xác nhận: {deadline} (đã quá hạn)."
BROADCAST_NOT_CONFIRMED = "Chưa xác nhận ({count} người):"
BROADCAST_MORE = "… và {count} người khác."
BROADCAST_AUDIT_TITLE = "Nhật ký gửi thông báo (mới nhất trước):"
BROADCAST_AUDIT_EMPTY = "Chưa có thông báo nào được gửi."
BROADCAST_AUDIT_ACTIONS = {
    "created": "soạn", "confirmed": "gửi", "scheduled": "hẹn giờ gửi", "cancelled": "dừng/hủy",
    "reminded": "nhắc người chưa đọc", "finished": "gửi xong",
}
# Refusals and bad input.
BROADCAST_NOT_FOUND = "Không tìm thấy thông báo này."
BROADCAST_TEXT_EMPTY = "Nội dung thông báo không được để trống."
BROADCAST_TEXT_TOO_LONG = "Nội dung thông báo dài quá {limit} ký tự. Đồng chí hãy rút gọn hoặc chia thành nhiều thông báo."
BROADCAST_NOT_DRAFT = "Thông báo này đã được gửi hoặc đã hủy, không sửa được nữa."
BROADCAST_NO_TARGETS = "Đồng chí chưa chọn đơn vị nhận."
BROADCAST_TIME_PAST = "Thời điểm hẹn gửi phải ở tương lai."
BROADCAST_TIME_INVALID = "Không hiểu thời điểm. Gõ theo dạng «20:00 25/11» hoặc «25/11/2026 07:30»."
BROADCAST_NOBODY = (
    "Không có ai để gửi: các đơn vị đã chọn chưa có thành viên nào nhắn tin với trợ lý, "
    "cũng chưa có nhóm nào được gắn với đơn vị (/ganhom)."
)
BROADCAST_ALREADY_OVER = "Thông báo này đã gửi xong hoặc đã dừng."
BROADCAST_NO_CONFIRMATION = "Thông báo này không yêu cầu xác nhận đã đọc."
BROADCAST_NOT_SENT = "Thông báo này chưa được gửi."
BROADCAST_NOBODY_TO_REMIND = "Không còn ai cần nhắc: mọi người nhận được tin đều đã xác nhận đọc."
# Composing (the guided conversation) and managing.
COMPOSE_ASK_TEXT = "Đồng chí gửi nội dung thông báo, hướng dẫn (một tin nhắn, tối đa 3500 ký tự)."
COMPOSE_ASK_DOC = (
    "Thông báo này gắn với văn bản nào? Gõ số hiệu (ví dụ: 05-CT/TW, chỉ thị 05), "
    "gửi tệp đính kèm, hoặc bấm «Bỏ qua»."
)
COMPOSE_FILE_ATTACHED = "Đã đính kèm tệp «{name}» (gửi sau nội dung thông báo)."
COMPOSE_PREVIEW_FILE = "Tệp đính kèm: {name}"
COMPOSE_ASK_UNITS = (
    "Chọn đơn vị nhận (bấm để chọn hoặc bỏ chọn; mỗi đơn vị gồm cả các đơn vị cấp dưới), "
    "rồi bấm «Xong»."
)
COMPOSE_TOO_MANY_UNITS = "(Chỉ hiện {count} đơn vị đầu tiên; chọn đơn vị cấp trên để gửi cả cấp dưới.)"
COMPOSE_UNIT_ADDED = "Đã chọn «{unit}» ({count} đơn vị)."
COMPOSE_UNIT_REMOVED = "Đã bỏ «{unit}» ({count} đơn vị)."
COMPOSE_ASK_ROLES = "Gửi cho ai trong các đơn vị đã chọn?"
COMPOSE_ROLES_ALL = "Đảng viên và cán bộ"
COMPOSE_ROLES_MEMBER = "Chỉ đảng viên"
COMPOSE_ROLES_OFFICER = "Chỉ cán bộ"
COMPOSE_ASK_GROUPS = "Gửi cả vào các nhóm chat của đơn vị (nhóm đã gắn bằng /ganhom)?"
COMPOSE_ASK_CONFIRM = "Yêu cầu người nhận xác nhận «Đã đọc»?"
COMPOSE_YES = "Có"
COMPOSE_NO = "Không"
COMPOSE_ASK_DEADLINE = "Hạn xác nhận đã đọc?"
COMPOSE_DEADLINE_HOURS = {24: "Trong 24 giờ", 72: "Trong 3 ngày", 168: "Trong 7 ngày"}
COMPOSE_NO_DEADLINE = "Không đặt hạn"
COMPOSE_ASK_TIME = "Gõ thời điểm gửi, ví dụ: «20:00 25/11» hoặc «07:30 01/12/2026» (giờ Việt Nam)."
COMPOSE_PREVIEW_TITLE = "XEM TRƯỚC THÔNG BÁO"
COMPOSE_PREVIEW_TARGETS = "Đơn vị: {units}. Gửi cho: {roles}."
COMPOSE_PREVIEW_COUNTS = (
    "Người nhận: {people} người, {reachable} người nhận được tin riêng ({messages} tin nhắn); "
    "{groups} nhóm chat."
)
COMPOSE_PREVIEW_UNREACHABLE = (
    "{count} người chưa từng nhắn tin với trợ lý nên chưa nhận tin riêng được; họ đọc qua nhóm."
)
# Chats marked unreachable (bot.services.reachability): broadcast and poll previews, reports.
UNREACHABLE_PEOPLE = (
    "{count} người đã chặn trợ lý hoặc không còn tài khoản nên không nhận được tin riêng."
)
UNREACHABLE_GROUPS = (
    "{count} nhóm chat không còn gửi được (trợ lý đã bị xóa khỏi nhóm hoặc nhóm không còn); "
    "không gửi vào đó."
)


def unreachable_lines(people: int, groups: int) -> list[str]:
    """The lines a preview or a report adds for chats marked unreachable (none if none)."""
    return ([UNREACHABLE_PEOPLE.format(count=people)] if people else []) + (
        [UNREACHABLE_GROUPS.format(count=groups)] if groups else [])


COMPOSE_PREVIEW_CONFIRM = "Yêu cầu xác nhận đã đọc; hạn: {deadline}."
COMPOSE_SEND_BUTTON = "📤 Gửi ngay"
COMPOSE_SCHEDULE_BUTTON = "⏰ Hẹn giờ"
COMPOSE_CANCEL_BUTTON = "✖ Hủy"
COMPOSE_SKIP_BUTTON = "Bỏ qua"
COMPOSE_DONE_BUTTON = "Xong ▶"
COMPOSE_SCHEDULED = "Đã hẹn gửi thông báo #{id} lúc {time}."
COMPOSE_SENDING_NO_LIVE = (
    "Đang gửi thông báo #{id} ({messages} tin). Khi gửi xong trợ lý sẽ gửi báo cáo; "
    "xem tiến độ bất cứ lúc nào bằng /tiendo {id}."
)
COMPOSE_NOT_UNDERSTOOD = "Chưa rõ lựa chọn của đồng chí. Gõ số thứ tự một lựa chọn dưới đây."
PLATFORM_NAMES = {"telegram": "Telegram", "zalo": "Zalo", "local": "máy chủ"}
COMPOSE_PREVIEW_FILE_ELSEWHERE = (
    "Tệp đính kèm chỉ gửi được trên {platform}; {count} tin trên nền tảng khác chỉ có nội dung chữ."
)
COMPOSE_SENDING = "Đang gửi thông báo #{id} ({messages} tin). Tiến độ hiện ngay bên dưới."
COMPOSE_DROPPED = "Đã hủy bản soạn thông báo."
COMPOSE_USE_BUTTONS = "Đồng chí hãy chọn bằng các nút ở tin nhắn trên, hoặc bấm «Hủy»."
COMPOSE_PRIVATE_ONLY = "Soạn thông báo trong tin nhắn riêng với trợ lý, không soạn trong nhóm."
BROADCAST_STATUS_NAMES = {
    "draft": "đang soạn", "scheduled": "hẹn giờ", "sending": "đang gửi", "done": "đã gửi",
    "cancelled": "đã dừng",
}
BROADCAST_LIST_TITLE = "Các thông báo gần đây (mã — trạng thái — thời điểm — nội dung):"
BROADCAST_NONE_YET = "Chưa có thông báo nào."
BROADCAST_ID_USAGE = "Cú pháp: /{command} <mã thông báo>. Xem mã bằng /dsthongbao."
BROADCAST_REMINDING = "Đang nhắc {people} người chưa xác nhận đọc ({messages} tin)."
BROADCAST_STOPPED = "Đã dừng thông báo #{id}; {cancelled} tin chưa gửi đã hủy."
GANHOM_USAGE = "Cú pháp (gõ trong nhóm): /ganhom <mã đơn vị>. Xem mã đơn vị bằng /donvi."
GANHOM_GROUP_ONLY = "Lệnh /ganhom dùng trong nhóm chat của đơn vị."
GANHOM_DONE = "Đã gắn nhóm «{title}» với đơn vị «{unit}»: nhóm sẽ nhận thông báo gửi tới đơn vị."
HELP_BROADCAST = (
    "Thông báo, hướng dẫn:\n"
    "• /thongbao — soạn và gửi tới đơn vị (chọn bằng nút), xem trước số người nhận.\n"
    "• /dsthongbao — các thông báo đã gửi; /tiendo <mã> — báo cáo theo đơn vị.\n"
    "• /chuadoc <mã> — ai chưa xác nhận đã đọc; /nhacdoc <mã> — nhắc đúng những người đó.\n"
    "• /dunggui <mã> — dừng gửi; /ganhom <mã đơn vị> — (trong nhóm) gắn nhóm với đơn vị."
)

# --- quick polls (bot/polls) -----------------------------------------------------------------
POLL_QUESTION_EMPTY = "Câu hỏi khảo sát đang trống."
POLL_QUESTION_TOO_LONG = "Câu hỏi khảo sát dài quá {limit} ký tự."
POLL_OPTIONS_COUNT = "Khảo sát cần từ {low} đến {high} phương án trả lời."
POLL_OPTION_TOO_LONG = "Mỗi phương án tối đa {limit} ký tự."
POLL_OPTIONS_REPEATED = "Có phương án bị trùng nhau."
POLL_CLOSES_IN_PAST = "Thời điểm kết thúc phải ở sau hiện tại."
POLL_NOT_FOUND = "Không tìm thấy khảo sát này."
POLL_OTHER_UNIT = "Khảo sát này thuộc đơn vị ngoài phạm vi đồng chí phụ trách."
POLL_NOT_DRAFT = "Khảo sát này đã được gửi rồi."
POLL_NO_TARGETS = "Chưa chọn đơn vị nhận khảo sát."
POLL_STATUS_NAMES = {"draft": "đang soạn", "open": "đang mở", "closed": "đã kết thúc",
                     "cancelled": "đã hủy"}
POLL_RESULTS_HEADER = "📊 Kết quả khảo sát #{id} ({status})\n«{question}»"
POLL_CLOSES_AT = "Kết thúc: {at}"
POLL_VOTERS = "Số người trả lời: {count}"
POLL_VOTERS_SHORT = "{count} người trả lời"
POLL_BY_UNIT = "Theo đơn vị:"
POLL_UNREACHABLE = (
    "Không gửi được tới {count} cuộc trò chuyện: người nhận đã chặn trợ lý, trợ lý bị xóa "
    "khỏi nhóm hoặc cuộc trò chuyện không còn."
)
POLL_TOTAL = "Tổng"
POLL_WHO_CHOSE = "Ai chọn gì (khảo sát ghi danh):"
POLL_MORE_NAMES = "… và {count} người khác (xem đủ bằng lệnh tuyengiao poll voters trên máy chủ)."
POLL_CHART_YLABEL = "Số phiếu"
POLL_CHART_FOOTER = "Khảo sát #{id} — {voters} người trả lời"
POLL_CSV_CAPTION = "Kết quả khảo sát #{id} theo đơn vị (CSV) — {voters} người trả lời"
FILE_TOO_LONG_FOR_CHAT = (
    "Tệp quá dài để hiện trong tin nhắn; cán bộ lấy tệp bằng lệnh trên máy chủ "
    "(tuyengiao poll csv) hoặc trên Telegram."
)
POLL_FINAL_TITLE = "Khảo sát #{id} đã kết thúc. Kết quả cuối cùng:"
POLL_TEXT_HEADER = "📋 KHẢO SÁT #{id}{kind}"
POLL_KIND_ANONYMOUS = " (ẩn danh)"
POLL_KIND_NAMED = " (ghi danh)"
POLL_TEXT_SINGLE = "Trả lời bằng một số, ví dụ: 1"
POLL_TEXT_MULTIPLE = "Có thể chọn nhiều phương án, ví dụ: 1,3"
POLL_TEXT_DEADLINE = "Hạn trả lời: {at}"
POLL_TEXT_ANSWER_IN_PRIVATE = (
    "Khảo sát ẩn danh: để giữ kín lựa chọn, đồng chí nhắn số cho trợ lý trong tin nhắn riêng."
)
POLL_VOTE_RECORDED = "Đã ghi nhận lựa chọn của đồng chí: {choice} (khảo sát #{id})."
POLL_VOTE_CHANGED = "Đã cập nhật lựa chọn của đồng chí: {choice} (khảo sát #{id})."
POLL_VOTE_CLOSED = "Khảo sát #{id} đã kết thúc, không nhận thêm trả lời."
POLL_VOTE_UNKNOWN = "Khảo sát #{id} chỉ có các phương án từ 1 đến {count}."
POLL_VOTE_REPEATED = "Mỗi phương án chỉ ghi một lần, ví dụ: 1,3."
POLL_VOTE_TOO_MANY = "Khảo sát #{id} chỉ chọn một phương án."
POLL_CREATE_USAGE = (
    "Soạn khảo sát: /khaosat rồi xuống dòng, dòng đầu là câu hỏi, mỗi dòng sau là một phương án "
    "(2–10 phương án). Ví dụ:\n/khaosat Đồng chí đã học Chỉ thị 05 chưa?\nĐã học\nChưa học"
)
POLL_ASK_KIND = "Mỗi người được chọn mấy phương án?"
POLL_SINGLE_BUTTON = "Một phương án"
POLL_MULTIPLE_BUTTON = "Nhiều phương án"
POLL_ASK_ANONYMOUS = "Khảo sát ẩn danh hay ghi danh?"
POLL_ANONYMOUS_BUTTON = "Ẩn danh"
POLL_NAMED_BUTTON = "Ghi danh"
POLL_ASK_DURATION = "Khảo sát mở trong bao lâu?"
POLL_DURATIONS = (("1", "1 giờ"), ("24", "24 giờ"), ("72", "3 ngày"), ("168", "7 ngày"))
POLL_ASK_UNITS = "Gửi khảo sát tới đơn vị nào (gồm cả các đơn vị cấp dưới)?"
POLL_PREVIEW = (
    "XEM TRƯỚC KHẢO SÁT\n\n«{question}»\n{options}\n\n{kind}; {anonymity}; kết thúc {at}.\n"
    "Đơn vị: {unit}. Gửi tới {messages} cuộc trò chuyện ({groups} nhóm)."
)
POLL_SEND_BUTTON = "📤 Gửi khảo sát"
POLL_OPENED = "Đã gửi khảo sát #{id} tới {messages} cuộc trò chuyện. Xem kết quả: /ketqua {id}"
POLL_DROPPED = "Đã hủy bản soạn khảo sát."
POLL_PRIVATE_ONLY = "Soạn khảo sát trong tin nhắn riêng với trợ lý, không soạn trong nhóm."
POLL_USE_BUTTONS = "Đồng chí hãy chọn ở tin nhắn trên, hoặc bấm «Hủy»."
POLL_ID_USAGE = "Cú pháp: /{command} <mã khảo sát>. Xem mã bằng /dskhaosat."
POLL_LIST_TITLE = "Các khảo sát gần đây (mã — trạng thái — câu hỏi):"
POLL_NONE_YET = "Chưa có khảo sát nào."
POLL_CLOSED_NOW = "Đã kết thúc khảo sát #{id}. Kết quả cuối cùng sẽ được gửi ngay."
POLL_ALREADY_CLOSED = "Khảo sát #{id} đã kết thúc rồi."
HELP_POLL = (
    "Khảo sát nhanh:\n"
    "• /khaosat — soạn khảo sát (câu hỏi, các phương án), chọn đơn vị, gửi.\n"
    "• /dskhaosat — các khảo sát; /ketqua <mã> — kết quả theo đơn vị kèm biểu đồ.\n"
    "• /dongkhaosat <mã> — kết thúc khảo sát ngay."
)
