"""Every Vietnamese sentence of the polls feature (bot/polls); what the whole bot shares is
in bot/messages.py."""

from __future__ import annotations

MENU = {
    "khaosat": "Cán bộ: tạo khảo sát nhanh",
    "dskhaosat": "Các khảo sát đang mở gửi tới đồng chí, cách trả lời (cán bộ: cả các khảo sát "
                 "của đơn vị)",
    "ketqua": "Cán bộ: kết quả khảo sát: /ketqua <mã> (thêm csv để tải bảng)",
    "dongkhaosat": "Cán bộ: kết thúc khảo sát: /dongkhaosat <mã>",
}

# --- quick polls (bot/polls) -----------------------------------------------------------------
POLL_QUESTION_EMPTY = "Câu hỏi khảo sát đang trống."
POLL_QUESTION_TOO_LONG = "Câu hỏi khảo sát dài quá {limit} ký tự."
POLL_OPTIONS_COUNT = "Khảo sát cần từ {low} đến {high} phương án trả lời."
POLL_OPTION_TOO_LONG = "Mỗi phương án tối đa {limit} ký tự."
POLL_OPTIONS_REPEATED = "Có phương án bị trùng nhau."
POLL_CLOSES_IN_PAST = "Thời điểm kết thúc phải ở sau hiện tại."
POLL_NOT_FOUND = "Không tìm thấy khảo sát này."
POLL_OTHER_UNIT = "Khảo sát này thuộc đơn vị ngoài phạm vi đồng chí phụ trách."
POLL_MEMBER_NOT_OFFICER = (
    "Kết quả khảo sát chỉ gửi tới cán bộ phụ trách đơn vị; đảng viên không xem kết quả hay kết "
    "thúc khảo sát. Đồng chí trả lời khảo sát bằng cách chọn phương án (Telegram) hoặc gõ số "
    "phương án (Zalo)."
)
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
# Column headers of the results CSV (/ketqua <mã> csv, tuyengiao poll csv): Vietnamese, like
# the reports' and study campaigns' CSV files.
POLL_CSV_HEADER = ("Mã khảo sát", "Mã đơn vị", "Đơn vị", "Số thứ tự phương án", "Phương án",
                   "Số phiếu", "Số người trả lời")
POLL_CSV_CAPTION = "Kết quả khảo sát #{id} theo đơn vị (CSV) — {voters} người trả lời"
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
# Several polls open in one chat: a bare number answers the newest, so each poll's text (and
# /dskhaosat) says how to name it: its number as shown, then the choice.
POLL_TEXT_CODED_SINGLE = (
    "Trong cuộc trò chuyện này đang có nhiều khảo sát: trả lời khảo sát này bằng mã rồi một "
    "số, ví dụ: #{id} 1"
)
POLL_TEXT_CODED_MULTIPLE = (
    "Trong cuộc trò chuyện này đang có nhiều khảo sát: trả lời khảo sát này bằng mã rồi một "
    "hoặc nhiều số, ví dụ: #{id} 1,3"
)
POLL_TEXT_ANSWER_IN_PRIVATE_CODED = (
    "Khảo sát ẩn danh: để giữ kín lựa chọn, đồng chí nhắn mã và số cho trợ lý trong tin nhắn "
    "riêng, ví dụ: #{id} 1"
)
POLL_VOTE_RECORDED = "Đã ghi nhận lựa chọn của đồng chí: {choice} (khảo sát #{id})."
POLL_VOTE_CHANGED = "Đã cập nhật lựa chọn của đồng chí: {choice} (khảo sát #{id})."
POLL_VOTE_CLOSED = "Khảo sát #{id} đã kết thúc, không nhận thêm trả lời."
POLL_VOTE_UNKNOWN = "Khảo sát #{id} chỉ có các phương án từ 1 đến {count}."
POLL_VOTE_REPEATED = "Mỗi phương án chỉ ghi một lần, ví dụ: 1,3."
POLL_VOTE_TOO_MANY = "Khảo sát #{id} chỉ chọn một phương án."
POLL_VOTE_NO_SUCH_POLL = (
    "Không có khảo sát #{id} nào để trả lời ở đây. Gõ /dskhaosat để xem các khảo sát đang mở "
    "và mã của chúng."
)
POLL_VOTE_OTHERS_OPEN = (
    "Ở đây còn khảo sát {others} đang mở; để trả lời khảo sát khác, gõ mã rồi số, ví dụ: "
    "#{example} 1"
)
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
# /dskhaosat for a voter: the open polls addressed to them, each with how to answer it.
POLL_OPEN_TITLE = "Khảo sát đang mở gửi tới đồng chí:"
POLL_OPEN_ITEM = "#{id} — {question}"
POLL_NONE_OPEN = "Hiện không có khảo sát nào đang mở gửi tới đồng chí."
POLL_HOW_NATIVE = (
    "Trả lời: chọn phương án ngay trong khảo sát trợ lý đã gửi (tin nhắn riêng hoặc nhóm của "
    "đơn vị)."
)
POLL_HOW_TYPED_SINGLE = "Trả lời: gõ một số, ví dụ: 1"
POLL_HOW_TYPED_MULTIPLE = "Trả lời: gõ một hoặc nhiều số, ví dụ: 1,3"
POLL_HOW_CODED_SINGLE = "Trả lời: gõ mã rồi một số, ví dụ: #{id} 1"
POLL_HOW_CODED_MULTIPLE = "Trả lời: gõ mã rồi một hoặc nhiều số, ví dụ: #{id} 1,3"
POLL_HOW_WHERE_CHAT = " — trong cuộc trò chuyện đã nhận khảo sát."
POLL_HOW_WHERE_PRIVATE = " — nhắn riêng cho trợ lý (khảo sát ẩn danh: giữ kín lựa chọn)."
POLL_CLOSED_NOW = "Đã kết thúc khảo sát #{id}. Kết quả cuối cùng sẽ được gửi ngay."
POLL_ALREADY_CLOSED = "Khảo sát #{id} đã kết thúc rồi."
# /help's lines (bot.core.feature.MenuCommand.usage).
USAGE = {
    "khaosat": "/khaosat — soạn khảo sát nhanh (câu hỏi, các phương án), chọn đơn vị, gửi.",
    "dskhaosat": "/dskhaosat — các khảo sát đang mở gửi tới đồng chí, kèm mã và cách trả lời "
                 "(cán bộ: cả các khảo sát của đơn vị).",
    "ketqua": "/ketqua <mã> — kết quả khảo sát theo đơn vị kèm biểu đồ (thêm csv để tải bảng).",
    "dongkhaosat": "/dongkhaosat <mã> — kết thúc khảo sát ngay.",
}

# Account linking refused (bot.services.person_merge): what both accounts did.
MERGE_BOTH_VOTED = "đã bỏ phiếu trong khảo sát #{number}"
