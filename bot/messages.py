"""Every Vietnamese sentence the bot says, in one place (core, services, features, channels).

Channels format these (HTML for Telegram, plain text for Zalo and the terminal); the wording
lives here so it stays consistent and can be reviewed by the people who use it.
"""

from __future__ import annotations

from datetime import date

# How answers read (the CLI's `ask` prints the same: knowledge/phrasing.py holds them).
from knowledge.phrasing import (  # noqa: E402
    ANSWER_INTRO,
    CLOSEST_DOCUMENTS,
    MAYBE_RELATED,
    NOT_FOUND,
    NOT_FOUND_HINTS_LEAD,
    NOT_IN_STORE_HINT,
    OMITTED,
    SOURCES,
    adds_title,
    cite_section,
    issued_on,
    not_found_hints,
    number_not_in_store,
    section_label,
)

# How a document's validity reads (knowledge/messages_validity.py: answers phrase it too).
from knowledge.messages_validity import (  # noqa: E402
    CITATION_NOT_IN_FORCE,
    status_text,
    validity_facts,
)

EMPTY_QUESTION = "Đồng chí hãy gõ câu hỏi, ví dụ: «Chỉ thị 05 yêu cầu gì về học tập và làm theo?»"
STORE_EMPTY = "Kho văn bản chưa có tài liệu nào. Cán bộ quản trị cần nạp văn bản trước."

# --- The command menu (what each command's line in the platform's menu says) ---------------
MENU = {
    "hoi": "Hỏi về văn bản: /hoi <câu hỏi>",
    "vanban": "Xem văn bản theo số hiệu: /vanban 05-CT/TW",
    "moi": "Các văn bản mới nhất",
    "dangky": "Tham gia đơn vị bằng mã mời: /dangky <mã>",
    "lienket": "Liên kết tài khoản Zalo/Telegram: /lienket lấy mã, /lienket <mã> để dùng",
    "help": "Hướng dẫn sử dụng",
    "start": "Giới thiệu trợ lý",
    "donvi": "Cán bộ: danh sách đơn vị phụ trách",
    "taodonvi": "Cán bộ: tạo đơn vị cấp dưới",
    "taoma": "Cán bộ: tạo mã mời vào đơn vị: /taoma <mã đơn vị> [dangvien|canbo] [số lượt]",
    "baocao": "Cán bộ: câu hỏi nhiều nhất và chưa trả lời được",
}
LOCAL_USER_NAME = "Người dùng cục bộ"  # the terminal's user, as the local channel names them

# --- The bot's conversation -------------------------------------------------------------
LOCAL_BANNER = "Trợ lý tuyên giáo — gõ câu hỏi rồi nhấn Enter; /help để xem lệnh; Ctrl-D để thoát."
LOCAL_LOG_AT = "(Nhật ký vận hành ghi vào {path}.)"
# A message the terminal user sent as someone else is printed under this line.
LOCAL_TO_PERSON = "→ {name}"
LOCAL_HELP = (
    "Trong cửa sổ dòng lệnh:\n"
    "• Tin nhắn nhiều dòng (ví dụ /khaosat và các phương án): kết thúc dòng bằng dấu \\ rồi "
    "gõ tiếp từng dòng; một dòng trống để gửi.\n"
    "• [Tên] ở đầu tin nhắn: nói thay một người khác để thử phần việc của đảng viên, ví dụ "
    "«[An] /dangky K7QX2M9P», «[An] đã đọc», «[An] 1». Tin trợ lý gửi cho người đó hiện "
    "dưới dòng «→ An».\n"
    "• Gõ số theo gợi ý «Gõ 1: …» để chọn; khi có nhiều khảo sát đang mở: mã rồi số, ví dụ "
    "«#12 2».\n"
    "• Ctrl-D để thoát."
)
# The terminal's admin on a database with no unit yet (a first run).
FIRST_RUN = (
    "Chưa có đơn vị nào. Đồng chí là quản trị viên; để bắt đầu:\n"
    "1. /taodonvi <cấp> <tên> — tạo đơn vị gốc, ví dụ: /taodonvi huyen Huyện Đông Hà "
    "(cấp: tinh, huyen, xa, chibo);\n"
    "2. /taoma <mã đơn vị> canbo — mã mời cán bộ (người nhận gõ /dangky <mã>);\n"
    "3. /help — các lệnh khác. Gõ câu hỏi bất kỳ để hỏi về văn bản trong kho."
)
WELCOME = (
    "Xin chào đồng chí! Đây là trợ lý tuyên giáo.\n"
    "Trợ lý trả lời câu hỏi dựa trên các văn bản trong kho (nghị quyết, chỉ thị, kết luận, "
    "quy định, hướng dẫn, kế hoạch…) và luôn trích dẫn nguồn: số hiệu, tên văn bản, mục, "
    "ngày ban hành. Nếu kho không có nội dung, trợ lý sẽ nói rõ là chưa tìm thấy.\n\n"
    "Đồng chí cứ gõ câu hỏi, có dấu hoặc không dấu. Gõ /help để xem các lệnh."
)
# /help: this prose, then one line per command the person may use (MenuCommand.usage, from
# the USAGE dicts beside each MENU), under these headings.
HELP = (
    "Cách dùng:\n"
    "• Gõ câu hỏi (trong nhóm: /hoi <câu hỏi> hoặc nhắc tên trợ lý; trên Telegram cũng có "
    "thể trả lời tin của trợ lý).\n"
    "Dưới mỗi câu trả lời: 👍/👎 để đánh giá, «Xem văn bản» để đọc văn bản gốc "
    "(trên Zalo: gõ số theo gợi ý, hoặc gõ 👍/👎)."
)
HELP_MEMBER_TITLE = "Các lệnh:"
HELP_OFFICER_TITLE = "Lệnh dành cho cán bộ:"
USAGE = {
    "hoi": "/hoi <câu hỏi> — hỏi về văn bản (trong nhóm).",
    "vanban": (
        "/vanban <số hiệu> — xem văn bản, ví dụ: /vanban 05-CT/TW, /vanban chỉ thị 05; chỉ gõ "
        "tên văn bản («chỉ thị 05», «qd 294») cũng được: số hiệu, hiệu lực, bố cục và phần đầu "
        "văn bản."
    ),
    "moi": "/moi — các văn bản mới nhất trong kho.",
    "dangky": "/dangky <mã> — tham gia đơn vị bằng mã mời do cán bộ cung cấp.",
    "lienket": (
        "/lienket — lấy mã liên kết (trong tin nhắn riêng); /lienket <mã> trên tài khoản còn "
        "lại để liên kết tài khoản Zalo và Telegram của đồng chí."
    ),
    "donvi": "/donvi — các đơn vị đồng chí phụ trách (kèm mã số đơn vị).",
    "taodonvi": (
        "/taodonvi <mã đơn vị cha> <cấp> <tên> — cấp: tinh, huyen, xa, chibo. "
        "Ví dụ: /taodonvi 3 chibo Chi bộ thôn Đông. Quản trị viên tạo đơn vị gốc: "
        "/taodonvi <cấp> <tên>."
    ),
    "taoma": (
        "/taoma <mã đơn vị> [dangvien|canbo] [số lượt] — tạo mã mời vào đơn vị (gửi trong tin "
        "nhắn riêng; mã cán bộ dùng một lần nếu không ghi số lượt)."
    ),
    "baocao": (
        "/baocao [số ngày] [mã đơn vị] — câu hỏi được hỏi nhiều nhất và câu hỏi chưa trả "
        "lời được, theo đơn vị."
    ),
}
UNKNOWN_COMMAND = "Lệnh không rõ. Gõ /help để xem các lệnh."
UNSUPPORTED_MESSAGE = "Trợ lý chỉ đọc được tin nhắn chữ. Đồng chí hãy gõ câu hỏi bằng chữ nhé."
QUESTION_TOO_LONG = (
    "Câu hỏi quá dài (tối đa {limit} ký tự). Đồng chí hãy hỏi ngắn gọn, mỗi lần một ý."
)
ASK_USAGE = "Đồng chí hãy gõ câu hỏi sau lệnh, ví dụ: /hoi chỉ thị 05 yêu cầu gì?"
VANBAN_USAGE = "Đồng chí hãy gõ số hiệu sau lệnh, ví dụ: /vanban 05-CT/TW hoặc /vanban chỉ thị 05."
DANGKY_USAGE = "Đồng chí hãy gõ mã mời sau lệnh, ví dụ: /dangky ABCD2345."
DOCUMENT_NOT_FOUND = "Không tìm thấy văn bản «{query}» trong kho."
DOCUMENTS_FOUND = "Có {count} văn bản khớp với «{query}»:"
LATEST_DOCUMENTS = "Các văn bản mới nhất trong kho:"
NO_DOCUMENTS = "Kho văn bản chưa có văn bản nào có ngày ban hành."
DOCUMENT_GONE = "Văn bản này không còn trong kho (kho đã được cập nhật). Đồng chí hãy hỏi lại."
ACTION_INVALID = "Nút này không còn dùng được. Đồng chí hãy hỏi lại."
FEEDBACK_THANKS = "Cảm ơn đồng chí đã đánh giá!"
FEEDBACK_NOT_YOURS = "Chỉ người đặt câu hỏi mới đánh giá được câu trả lời này."
DOCUMENT_BUTTON_NOT_YOURS = (
    "Nút này dành cho người đặt câu hỏi. Đồng chí gõ /vanban <số hiệu> để xem văn bản."
)
ACCOUNTS_LINKED = "Đã liên kết tài khoản này với tài khoản trên nền tảng kia của đồng chí."
JOINED_UNIT = "Đồng chí đã tham gia «{unit}» với vai trò {role}."
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
    "Ví dụ: /taodonvi 3 chibo Chi bộ thôn Đông. Đơn vị gốc (quản trị viên): "
    "/taodonvi <cấp> <tên>, ví dụ /taodonvi tinh Tỉnh ủy Minh Sơn."
)
TAOMA_USAGE = (
    "Cú pháp: /taoma <mã đơn vị> [dangvien|canbo] [số lượt]. Ví dụ: /taoma 7 dangvien, "
    "/taoma 9 canbo 2. Mã cán bộ mặc định dùng 1 lần, mã đảng viên {member_uses} lần "
    "(tối đa {max} lần)."
)
BAOCAO_USAGE = (
    "Cú pháp: /baocao [số ngày] [mã đơn vị], số ngày từ 1 đến {max_days}. Ví dụ: /baocao 30."
)
NO_UNITS = "Đồng chí chưa phụ trách đơn vị nào."
UNITS_HEADER = "Các đơn vị đồng chí phụ trách (mã số — tên — cấp):"
LINK_CODE = (
    "Mã liên kết của đồng chí: {code} (dùng một lần, hiệu lực 15 phút). Mã này để liên kết tài "
    "khoản của chính đồng chí: không đưa cho ai, kể cả khi được hỏi «mã mời».\n"
    "Trên tài khoản còn lại (Zalo hoặc Telegram), gõ /lienket {code}; trợ lý sẽ hỏi lại đồng chí "
    "ở đây trước khi liên kết."
)
ACTION_FEEDBACK_UP = "👍"
ACTION_FEEDBACK_DOWN = "👎"
ACTION_VIEW_DOCUMENT = "Xem văn bản"

# Text channels (Zalo, the terminal) offer actions as numbered hints instead of buttons:
# "Gõ 1: 👍 · 2: 👎 · 3: Xem văn bản".
ACTIONS_HINT = "Gõ {choices}"
ACTIONS_HINT_SEPARATOR = " · "
# Prompts are written for buttons ("rồi bấm «Xong»"); a text channel says what to type
# instead (bot/channels/plain_render.typed_wording): the number when the hint below offers
# that label ("rồi gõ 3 («Xong»)"), else the label itself, which still chooses it ("hoặc gõ
# «Hủy»": bot/channels/text_actions matches a typed label).
PRESS_VERBS = ("bấm", "Bấm")  # "bấm «Xong»" / "Bấm «Xong»"
TYPED_PRESS_NUMBER = "{verb} {number} («{label}»)"
TYPED_PRESS_LABEL = "{verb} «{label}»"
TYPED_VERB = {"bấm": "gõ", "Bấm": "Gõ"}
# Labels a prompt may name without offering them in the same message (the offer stays the
# one above): only these are reworded there, so a person's own text is never touched (nor a
# button on another platform's account: "Chủ tài khoản đó cần bấm «Đồng ý»").
PRESS_LABELS_ELSEWHERE = ("Hủy", "Xong", "Bỏ qua", "Đã đọc", "Đã học")
# Other button wording, reworded as a whole.
TYPED_PHRASES = (
    ("Bấm tên (hoặc gõ số)", "Gõ số"),
    ("Bấm tên", "Gõ số"),
    ("bấm để chọn hoặc bỏ chọn", "gõ số để chọn hoặc bỏ chọn"),
    ("chọn bằng các nút ở tin nhắn trên", "chọn bằng số ở tin nhắn trên"),
    ("(chọn bằng nút)", "(chọn bằng số)"),
)
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
PERMISSION_DENIED = "Đồng chí không có quyền thực hiện thao tác này."
NOT_OFFICER = "Chỉ cán bộ phụ trách đơn vị mới thực hiện được thao tác này."
OUTSIDE_SCOPE = "Đơn vị này nằm ngoài phạm vi đồng chí phụ trách."
OFFICER_INVITE_OWN_UNIT = (
    "Đồng chí chỉ tạo được mã mời cán bộ cho các đơn vị cấp dưới, không tạo cho chính đơn vị mình."
)
NOTHING_FOUND = "Không tìm thấy."
UNIT_NOT_FOUND = "Không tìm thấy đơn vị này."
QUESTION_NOT_FOUND = "Không tìm thấy câu hỏi này."
INVALID_INPUT = "Thông tin chưa hợp lệ."
UNIT_NAME_EMPTY = "Tên đơn vị không được để trống."
UNIT_NAME_TOO_LONG = "Tên đơn vị dài quá 120 ký tự."
UNIT_NAME_CHARACTERS = (
    "Tên đơn vị không được chứa dấu < > (thẻ định dạng) hay ký tự điều khiển. Hãy gõ tên bằng "
    "chữ thường, ví dụ: Chi bộ thôn Đông."
)
UNIT_NAME_TAKEN = "Đơn vị cấp trên đã có một đơn vị cùng tên."
UNIT_KIND_INVALID = "Loại đơn vị phải là: tỉnh, huyện, xã, chi bộ hoặc khác."
ROLE_INVALID = "Vai trò phải là «cán bộ» hoặc «đảng viên»."
MAX_USES_INVALID = "Số lượt dùng phải từ 1 đến {max}."
EXPIRY_INVALID = "Thời hạn của mã mời phải lớn hơn 0."
FEEDBACK_INVALID = "Đánh giá chỉ nhận 👍 hoặc 👎."
DAYS_INVALID = "Số ngày phải từ 1 đến {max}."

INVITE_UNKNOWN = "Mã mời không đúng. Đồng chí kiểm tra lại mã (8 ký tự, không phân biệt hoa thường)."
INVITE_REVOKED = "Mã mời này đã bị thu hồi."
INVITE_EXPIRED = "Mã mời này đã hết hạn. Đồng chí xin cán bộ phụ trách mã mới."
INVITE_USED_UP = "Mã mời này đã dùng hết số lượt."
LINK_CODE_UNKNOWN = (
    "Mã liên kết không đúng. Mã có dạng LK-XXXX-XXXX; đồng chí gõ /lienket trên tài khoản kia để "
    "lấy mã."
)
LINK_CODE_STALE = (
    "Mã liên kết này không còn dùng được (đã dùng, đã có mã mới hoặc quá 15 phút). Đồng chí gõ "
    "/lienket trên tài khoản kia để lấy mã mới."
)
LINK_SAME_PERSON = "Tài khoản này đã được liên kết rồi."
LINK_PLATFORM_TAKEN = "Đồng chí đã có một tài khoản khác trên nền tảng này được liên kết."

# --- Codes in chats: only in private, kinds kept apart, guessing slowed (bot/core/accounts) --
PLATFORM_NAMES = {"telegram": "Telegram", "zalo": "Zalo", "local": "máy chủ"}
CODES_PRIVATE_ONLY = (
    "Vì an toàn, trợ lý chỉ gửi mã trong tin nhắn riêng. Đồng chí nhắn riêng cho trợ lý (gõ /start) "
    "rồi gõ lại lệnh ở đó."
)
CODE_SENT_PRIVATELY = "Trợ lý đã gửi mã vào tin nhắn riêng cho đồng chí."
CODE_IS_LINK = (
    "Đây là mã liên kết tài khoản, không phải mã mời vào đơn vị. Mã liên kết gộp tài khoản của "
    "đồng chí với tài khoản của người tạo mã: chỉ dùng mã do chính đồng chí tạo, bằng lệnh /lienket <mã>."
)
CODE_IS_INVITE = "Đây là mã mời vào đơn vị, không phải mã liên kết. Gõ /dangky <mã> để tham gia đơn vị."
CODE_LOCKED_PERSON = "Đồng chí đã nhập sai mã quá nhiều lần. Hãy thử lại sau {minutes} phút."
CODE_LOCKED_CHAT = (
    "Cuộc trò chuyện này đã nhập sai mã quá nhiều lần. Đồng chí thử lại sau {minutes} phút."
)
LINK_REQUESTED = (
    "Đã gửi yêu cầu liên kết tới tài khoản {platform} «{name}». Chủ tài khoản đó cần bấm "
    "«Đồng ý» trong 15 phút. Khi đó hai tài khoản là một người, dùng chung đơn vị và vai trò.\n"
    "Nếu đó không phải tài khoản của chính đồng chí, bấm «Hủy»."
)
LINK_CONFIRM_ASK = (
    "Tài khoản {platform} «{name}» vừa nhập mã liên kết của đồng chí và xin gộp vào tài khoản này. "
    "Sau khi gộp, tài khoản đó có mọi đơn vị và vai trò của đồng chí, đồng chí có các đơn vị của nó.\n"
    "{roles}\n"
    "Nếu đó là tài khoản của chính đồng chí, bấm «Đồng ý» (trong 15 phút); nếu không, bấm «Từ chối»."
)
LINK_ROLES = "Tài khoản đó đang là: {roles}."
LINK_NO_ROLES = "Tài khoản đó chưa tham gia đơn vị nào."
LINK_ROLE_ITEM = "{role} «{unit}»"
LINK_ACCEPT_BUTTON = "✅ Đồng ý"
LINK_DECLINE_BUTTON = "✖ Từ chối"
LINK_CANCEL_BUTTON = "✖ Hủy"
LINK_DONE_OWNER = "Đã liên kết tài khoản {platform} «{name}» với tài khoản này."
LINK_DECLINED_OWNER = (
    "Đã từ chối: tài khoản {platform} «{name}» không được liên kết. Nếu đồng chí không đưa mã cho "
    "ai, có thể người khác đã thấy mã; mã đó không còn dùng được."
)
LINK_DECLINED_JOINER = "Chủ tài khoản {platform} «{name}» đã từ chối yêu cầu liên kết."
LINK_CANCELLED_JOINER = "Đã hủy yêu cầu liên kết."
LINK_CANCELLED_OWNER = "Tài khoản {platform} «{name}» đã hủy yêu cầu liên kết với tài khoản này."
LINK_UNDELIVERED = (
    "Chưa hỏi được chủ tài khoản kia nên chưa liên kết. Trên tài khoản đó, đồng chí nhắn riêng cho "
    "trợ lý, gõ /lienket lấy mã mới rồi thử lại."
)
LINK_REQUEST_GONE = "Yêu cầu liên kết này không còn hiệu lực (đã xử lý hoặc quá 15 phút)."
LINK_NOT_YOURS = "Chỉ chủ tài khoản nhận yêu cầu mới trả lời được."
LINK_MERGE_CONFLICT = ("Chưa liên kết được: cả hai tài khoản đều {what}; gộp lại sẽ làm sai "
                       "kết quả. Hai tài khoản vẫn để riêng như trước.")
LINK_MERGE_FAILED = "Chưa liên kết được hai tài khoản; hai tài khoản vẫn để riêng như trước."

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
REPORT_VARIANTS = ", {variants} cách hỏi tương tự"  # similar questions grouped in one line
REPORT_CODE = " (mã {id})"  # /traloi <mã>: an officer's official answer to it
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
ERROR_GENERIC = "Xin lỗi, đã có lỗi khi xử lý tin nhắn. Đồng chí vui lòng thử lại sau."

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
# A file in a chat that cannot take files (Zalo, the terminal), too long to show as text.
FILE_TOO_LONG_FOR_CHAT = (
    "Tệp quá dài để hiện trong tin nhắn; cán bộ lấy tệp bằng lệnh trên máy chủ "
    "(tuyengiao poll csv) hoặc trên Telegram."
)


# --- Shared by the features that address units (broadcasts, polls, ...) ---------------
COMPOSE_CANCEL_BUTTON = "✖ Hủy"
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


# --- Guided forms (bot/services/form_fields.py: any feature's fields) -----------------------
FORM_KIND_NAMES = {"text": "chữ", "number": "số", "choice": "chọn một", "date": "ngày",
                   "file": "tệp hoặc ảnh"}
FORM_REQUIRED = "bắt buộc"
FORM_OPTIONAL = "không bắt buộc"
FORM_EMPTY = "Mục này chưa có nội dung: vui lòng gõ câu trả lời."
FORM_TEXT_TOO_LONG = "Nội dung dài quá {limit} ký tự; vui lòng rút gọn."
FORM_NUMBER_INVALID = "«{value}» không phải là một số. Vui lòng gõ một số, ví dụ: 12 hoặc 2,5."
FORM_DATE_INVALID = ("«{value}» không phải là ngày hợp lệ. Vui lòng gõ theo dạng ngày/tháng/năm, "
                     "ví dụ: {example}.")
FORM_CHOICE_INVALID = "«{value}» không có trong các lựa chọn. Vui lòng chọn một trong: {options}."
FORM_FILE_EXPECTED = ("Mục này cần một tệp hoặc ảnh: vui lòng gửi tệp (PDF, Word, Excel) hoặc "
                      "ảnh chụp.")
FORM_FILE_UNNAMED = "(tệp đính kèm)"
FORM_DEF_NONE = "Mẫu báo cáo cần ít nhất một mục (mỗi dòng một mục)."
FORM_DEF_TOO_MANY = "Tối đa {limit} mục trong một mẫu báo cáo."
FORM_DEF_LABEL = "Dòng {line}: tên mục trống hoặc dài quá {limit} ký tự."
FORM_DEF_KIND = ("Dòng {line}: không hiểu kiểu «{kind}». Dùng: chữ, số, ngày, tệp, "
                 "hoặc «chọn: A; B; C»; thêm «không bắt buộc» nếu có thể bỏ trống.")
FORM_DEF_OPTIONS = ("Dòng {line}: mục chọn cần từ 2 đến {limit} lựa chọn khác nhau, mỗi lựa "
                    "chọn tối đa {length} ký tự.")
