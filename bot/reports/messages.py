"""Every Vietnamese sentence of the reports feature (bot/reports); what the whole bot shares
is in bot/messages.py (the form fields' own in its "Guided forms" part)."""

from __future__ import annotations

MENU = {
    "nopbaocao": "Nộp báo cáo được giao (đơn vị hoặc cá nhân)",
    "baocaodlxh": "Cộng tác viên: gửi báo cáo dư luận xã hội",
    "baocaonhanh": "Cộng tác viên: báo cáo nhanh vụ việc nổi lên (khẩn)",
}
OFFICER_MENU = {
    "yeucaubaocao": "Cán bộ: yêu cầu các đơn vị báo cáo (có hạn nộp, nhắc hạn)",
    "yeucaudlxh": "Cán bộ: yêu cầu cộng tác viên báo cáo dư luận định kỳ",
    "dsbaocao": "Cán bộ: các yêu cầu báo cáo và mẫu báo cáo",
    "theodoibaocao": "Cán bộ: đơn vị nào đã nộp, nộp muộn, chưa nộp: /theodoibaocao <mã>",
    "tonghopbaocao": "Cán bộ: tổng hợp số liệu một kỳ: /tonghopbaocao <mã> [kỳ] [csv]",
    "baocaodonvi": "Cán bộ: danh sách chậm nộp và xếp hạng đúng hạn: /baocaodonvi [kỳ]",
    "congtacvien": "Cán bộ: giao/thu hồi vai trò cộng tác viên: /congtacvien <mã đơn vị>",
    "chude": "Cán bộ: chủ đề dư luận: /chude, /chude thêm <tên>, /chude bỏ <số>",
    "tonghopdlxh": "Cán bộ: tổng hợp dư luận theo chủ đề, đơn vị: /tonghopdlxh [kỳ] [csv]",
}

# /help's lines (bot.core.feature.MenuCommand.usage); kỳ: 5/2026, tháng 5, quý 2/2026.
USAGE = {
    "nopbaocao": "/nopbaocao — nộp báo cáo được giao cho đơn vị hoặc cho đồng chí.",
    "baocaodlxh": "/baocaodlxh — (cộng tác viên) gửi báo cáo dư luận xã hội.",
    "baocaonhanh": "/baocaonhanh — (cộng tác viên) báo cáo nhanh vụ việc nổi lên (khẩn).",
    "yeucaubaocao": (
        "/yeucaubaocao <tên báo cáo>, xuống dòng, mỗi dòng một mục (ví dụ «Số buổi sinh hoạt | "
        "số», «Đánh giá | chọn: Tốt; Khá; Trung bình», «Ảnh biên bản | tệp | không bắt buộc») — "
        "rồi chọn đơn vị nộp, lịch nộp và hạn; /yeucaubaocao mẫu <số> dùng lại một mẫu."
    ),
    "yeucaudlxh": "/yeucaudlxh — cộng tác viên báo cáo dư luận hằng tháng.",
    "dsbaocao": "/dsbaocao — các yêu cầu báo cáo và mẫu.",
    "theodoibaocao": "/theodoibaocao <mã> [kỳ] — tình hình nộp của từng đơn vị.",
    "tonghopbaocao": "/tonghopbaocao <mã> [kỳ] [csv] — tổng hợp số liệu, biểu đồ, bảng CSV.",
    "baocaodonvi": "/baocaodonvi [kỳ] — đơn vị chậm nộp và xếp hạng đúng hạn (kỳ: 5/2026, "
                   "quý 2/2026).",
    "congtacvien": "/congtacvien <mã đơn vị> — giao, thu hồi vai trò cộng tác viên.",
    "chude": "/chude — chủ đề dư luận: /chude thêm <tên>, /chude bỏ <số>.",
    "tonghopdlxh": "/tonghopdlxh [kỳ] [csv] — dư luận theo chủ đề và đơn vị.",
}

# --- periods (bot/reports/periods.py) ----------------------------------------------------------
PERIOD_MONTH = "tháng {month}/{year}"
PERIOD_QUARTER = "quý {quarter}/{year}"
PERIOD_ONCE = "đợt hạn {day}"
PERIOD_USAGE = "Không hiểu kỳ «{text}». Ví dụ: 5/2026, tháng 5, quý 2/2026."

# --- creating a request (bot/reports/compose.py) ------------------------------------------------
CREATE_USAGE = (
    "Cách tạo yêu cầu báo cáo: gõ /yeucaubaocao <tên báo cáo>, xuống dòng, rồi mỗi dòng một "
    "mục cần báo cáo, dạng «tên mục | kiểu». Kiểu: chữ, số, ngày, tệp (tệp hoặc ảnh), hoặc "
    "«chọn: A; B; C»; thêm «| không bắt buộc» nếu mục có thể bỏ trống. Ví dụ:\n"
    "/yeucaubaocao Báo cáo công tác tuyên giáo tháng\n"
    "Số buổi sinh hoạt chi bộ | số\n"
    "Nội dung nổi bật | chữ\n"
    "Đánh giá chung | chọn: Tốt; Khá; Trung bình\n"
    "Ảnh biên bản | tệp | không bắt buộc\n"
    "Hoặc dùng lại mẫu đã lưu: /yeucaubaocao mẫu <số mẫu> (xem /dsbaocao)."
)
CREATE_PRIVATE_ONLY = "Vui lòng tạo yêu cầu báo cáo trong tin nhắn riêng với trợ lý."
TITLE_EMPTY = "Tên báo cáo đang trống."
TITLE_TOO_LONG = "Tên báo cáo dài quá {limit} ký tự."
OPINION_TITLE = "Báo cáo dư luận xã hội"
TEMPLATE_NOT_FOUND = "Không tìm thấy mẫu báo cáo này (xem /dsbaocao)."
REQUEST_NOT_FOUND = "Không tìm thấy yêu cầu báo cáo này."
REQUEST_OTHER_UNIT = "Yêu cầu báo cáo này thuộc đơn vị ngoài phạm vi đồng chí phụ trách."
REQUEST_NOT_DRAFT = "Yêu cầu này đã được gửi rồi."
REQUEST_ID_USAGE = "Cách dùng: /{command} <mã yêu cầu> [kỳ], ví dụ /{command} 3 hoặc /{command} 3 5/2026."
USE_BUTTONS = "Vui lòng chọn một trong các lựa chọn ở trên."
ASK_UNIT = "Chọn đơn vị (hoặc gõ mã đơn vị, xem /donvi):"
ASK_WHO = "Ai nộp báo cáo này?"
WHO_CHILDREN = "Các đơn vị trực thuộc ({count})"
WHO_UNITS = "Chính đơn vị này"
WHO_PEOPLE = "Từng đảng viên"
WHO_COLLABORATORS = "Cộng tác viên dư luận"
WHO_NAMES = {
    "children": "các đơn vị trực thuộc {unit} (cán bộ từng đơn vị nộp)",
    "units": "{unit} (cán bộ đơn vị nộp)",
    "people": "từng đảng viên của {unit}",
    "collaborators": "các cộng tác viên dư luận của {unit}",
}
NO_CHILDREN = "{unit} chưa có đơn vị trực thuộc nào."
ASK_SCHEDULE = "Lịch nộp:"
SCHEDULE_ONCE = "Một lần"
SCHEDULE_MONTHLY = "Hằng tháng"
SCHEDULE_QUARTERLY = "Hằng quý"
ASK_ONCE_DATE = "Hạn nộp là hết ngày nào? Gõ ngày/tháng/năm, ví dụ {example}."
ASK_DUE_DAY = ("Hạn nộp là hết ngày thứ mấy của {what}? Gõ một số từ 1 đến 31, ví dụ 20 "
               "(tháng ít ngày hơn thì lấy ngày cuối tháng).")
DUE_DAY_MONTH = "mỗi tháng"
DUE_DAY_QUARTER = "tháng cuối mỗi quý"
DUE_DAY_INVALID = "Vui lòng gõ một số từ 1 đến 31, ví dụ 20."
DATE_PAST = "Hạn nộp phải từ hôm nay trở đi."
DATE_TOO_FAR = "Hạn nộp quá xa (tối đa một năm)."
UNIT_ID_INVALID = "Vui lòng chọn đơn vị ở trên hoặc gõ mã đơn vị (một số, xem /donvi)."
PREVIEW = (
    "XEM TRƯỚC YÊU CẦU BÁO CÁO\n"
    "«{title}»\n"
    "Các mục:\n{fields}\n"
    "Người nộp: {who}\n"
    "Lịch: {schedule}\n"
    "Kỳ đầu: {period} — hạn hết ngày {deadline}{opens}\n"
    "Nhắc hạn: {reminders}"
)
PREVIEW_OPENS = " (mở ngày {day})"
PREVIEW_RECIPIENTS = "Sẽ gửi tới {count} {what}."
PREVIEW_NO_OFFICER = "⚠️ Chưa có cán bộ phụ trách (không ai nhận được yêu cầu): {units}."
SCHEDULE_NAMES = {
    "once": "một lần",
    "monthly": "hằng tháng, hạn hết ngày {day}",
    "quarterly": "hằng quý, hạn hết ngày {day} tháng cuối quý",
}
REMINDERS_LINE = "{before}; khi quá hạn nhắc {overdue}; báo cán bộ cấp trên sau {escalate} ngày quá hạn"
REMINDERS_BEFORE = "trước hạn {days} ngày"
AND = " và "
REMINDERS_NONE = "không nhắc trước hạn"
OVERDUE_DAILY = "hằng ngày"
OVERDUE_EVERY = "{days} ngày một lần"
OVERDUE_NEVER = "không"
SEND_BUTTON = "📨 Gửi yêu cầu"
SAVE_TEMPLATE_BUTTON = "💾 Lưu làm mẫu"
TEMPLATE_SAVED = "Đã lưu mẫu #{id} «{name}». Lần sau: /yeucaubaocao mẫu {id}."
DROPPED = "Đã hủy bản nháp yêu cầu báo cáo."
CONFIRMED = "Đã gửi yêu cầu báo cáo #{id} «{title}»."
CONFIRMED_OPENED = ("Kỳ {period} (hạn hết ngày {deadline}): đã gửi tới {units} {what} "
                    "({messages} tin nhắn).")
# A recurring request made after this period's deadline (preview and confirmation).
PASSED_PERIOD = ("Hạn kỳ {passed} (hết ngày {deadline}) đã qua nên yêu cầu bắt đầu từ kỳ "
                 "{first}.")
CONFIRMED_LATER = "Kỳ đầu {period} sẽ mở ngày {day}; trợ lý tự gửi yêu cầu và nhắc hạn."
CONFIRMED_TRACK = "Theo dõi: /theodoibaocao {id}"
OPERATOR_SENDER = "Ban Tuyên giáo (quản trị máy chủ)"
NOBODY_TO_ANSWER = "Không có ai để nộp báo cáo này (đơn vị chưa có đơn vị trực thuộc hoặc chưa có người)."
WHAT_UNITS = "đơn vị"
WHAT_PEOPLE = "người"

# --- the request as recipients see it ----------------------------------------------------------
REQUEST_NOTICE = (
    "📋 YÊU CẦU BÁO CÁO: «{title}»\n"
    "Kỳ: {period} — hạn nộp: hết ngày {deadline}\n"
    "Từ: {sender}\n"
    "Các mục cần báo cáo:\n{fields}"
)
SUBMIT_BUTTON = "📝 Nộp báo cáo"
TYPED_SUBMIT = "Gõ /nopbaocao để nộp."
REMINDER_BEFORE = ("⏰ Nhắc hạn: báo cáo «{title}» kỳ {period} hạn hết ngày {deadline} "
                   "(còn {days} ngày) — {who} chưa nộp.")
REMINDER_TODAY = ("⏰ Nhắc hạn: báo cáo «{title}» kỳ {period} hạn hết hôm nay ({deadline}) — "
                  "{who} chưa nộp.")
REMINDER_OVERDUE = ("⏰ Quá hạn {days} ngày: báo cáo «{title}» kỳ {period} (hạn hết ngày "
                    "{deadline}) — {who} chưa nộp. Vẫn có thể nộp (ghi nhận nộp muộn).")
REMINDER_WHO_UNIT = "đơn vị của đồng chí"
REMINDER_WHO_PERSON = "đồng chí"
ESCALATION = ("⚠️ Báo cáo «{title}» kỳ {period} (hạn hết ngày {deadline}) đã quá hạn "
              "{days} ngày, còn {count} nơi chưa nộp thuộc {unit}:\n{lines}")
ESCALATION_LINE = "• {name}{note}"
ESCALATION_NO_OFFICER = " (chưa có cán bộ phụ trách)"
MORE_LINES = "… và {count} nơi khác."

# --- to the requester ----------------------------------------------------------------------
OPENED_TO_REQUESTER = "📋 Đã mở kỳ {period} của yêu cầu #{id} «{title}» (hạn hết ngày {deadline}): gửi tới {units} {what}."
OPENED_NO_OFFICER = "⚠️ {count} đơn vị chưa có cán bộ phụ trách nên chưa ai nhận yêu cầu: {units}."
OPENED_UNREACHABLE = ("⚠️ {count} nơi chưa nhận được tin vì cán bộ/người nộp chưa từng nhắn "
                      "cho trợ lý hoặc đã chặn trợ lý: {units}.")
UNIT_DELETED = ("⚠️ Đơn vị «{unit}» (mã {unit_id}) đã bị xóa: yêu cầu #{id} «{title}» kỳ "
                "{period} đã đóng với đơn vị này.")
SUMMARY_TITLE = "📊 Hết hạn kỳ {period} — yêu cầu #{id} «{title}»"
SUMMARY_MISSING = "Chưa nộp: {units}."
DIGEST_TITLE = "🗓 Tổng hợp dư luận {period} — yêu cầu #{id} «{title}»"
DIGEST_ANSWERED = "Cộng tác viên đã nộp báo cáo định kỳ: {submitted}/{total} ({late} nộp muộn)."
DIGEST_TYPED = "Xem lại hoặc tải bảng: /tonghopdlxh {month}/{year} csv"

# --- filling in (bot/reports/form.py) ------------------------------------------------------
NOTHING_TO_SUBMIT = "Hiện không có báo cáo nào đồng chí cần nộp."
CHOOSE_ASSIGNMENT = "Đồng chí có {count} báo cáo cần nộp; chọn một:"
ASSIGNMENT_LINE = "«{title}» {period} — {unit} (hạn {deadline}){state}"
STATE_SUBMITTED = ", đã nộp lần {version}"
STATE_LATE = ", quá hạn"
FORM_HEADER = "📝 «{title}» — {period} — {unit}"
FORM_RESUMED = "Tiếp tục bản nháp đang dở ({done}/{total} mục đã điền)."
FORM_QUESTION = "({index}/{total}) {label}"
FORM_NEEDS = "Kiểu: {kind}"
FORM_CHOOSE = "Chọn một:"
FORM_SEND_FILE = "Gửi tệp (PDF, Word, Excel) hoặc ảnh chụp, tối đa {limit} MB."
FORM_SEND_PHOTO = "Gửi ảnh chụp (JPG, PNG), tối đa {limit} MB."
FORM_TYPE_ANSWER = "Gõ câu trả lời."
FORM_OPTIONAL_HINT = "(không bắt buộc)"
FORM_CURRENT = "Đang có: {value}"
SKIP_BUTTON = "⏭ Bỏ qua"
KEEP_BUTTON = "↩ Giữ nguyên"
PAUSE_BUTTON = "⏸ Để sau"
SUBMIT_FINAL_BUTTON = "✅ Gửi báo cáo"
REDO_BUTTON = "✏️ Sửa lại"
SUMMARY_HEADER = "KIỂM TRA TRƯỚC KHI GỬI\n«{title}» — {period} — {unit}"
SUMMARY_LATE = "⚠️ Đã quá hạn (hết ngày {deadline}): báo cáo sẽ được ghi nhận nộp muộn."
SUMMARY_VERSION = "Đây là lần nộp thứ {version} (thay bản trước; bản trước vẫn được lưu)."
PAUSED = "Đã lưu bản nháp. Gõ /nopbaocao để điền tiếp khi nào tiện."
DRAFT_DROPPED = "Đã hủy bản nháp báo cáo."
REQUIRED_MISSING = "Còn mục bắt buộc chưa điền: {labels}."
SUBMITTED = "✅ Đã nhận báo cáo «{title}» {period} — {unit}, lần {version}, lúc {at}: {timing}."
ON_TIME = "đúng hạn"
LATE = "nộp muộn {days} ngày"
RESUBMIT_CLOSED = ("Đã quá hạn nộp (hết ngày {deadline}) nên không sửa được báo cáo đã nộp. "
                   "Cần điều chỉnh, đồng chí liên hệ cán bộ yêu cầu báo cáo.")
INSTANCE_CLOSED = "Kỳ báo cáo này đã đóng, không nhận thêm báo cáo."
NOT_YOUR_ASSIGNMENT = "Báo cáo này không giao cho đồng chí."
DRAFT_GONE = "Bản nháp này không còn; gõ /nopbaocao để bắt đầu lại."
PICK_FROM_LIST = "Vui lòng chọn theo danh sách ở trên."

# --- files (bot/reports/attachments.py) ------------------------------------------------------
FILE_TOO_LARGE = "Tệp lớn quá ({size} MB); giới hạn là {limit} MB. Vui lòng gửi tệp nhỏ hơn."
FILE_TYPE_REFUSED = ("Chưa nhận loại tệp này. Vui lòng gửi PDF, Word, Excel, PowerPoint, "
                     "văn bản, hoặc ảnh JPG/PNG.")
FILE_FETCH_FAILED = "Không tải được ảnh từ Zalo ({why}); vui lòng gửi lại."
FILE_WHY = {
    "scheme": "đường dẫn không hợp lệ",
    "address": "địa chỉ không được phép",
    "too_large": "ảnh lớn quá giới hạn {limit} MB",
    "type": "không phải ảnh JPG, PNG, GIF hoặc WEBP",
    "status": "máy chủ ảnh từ chối",
    "timeout": "quá thời gian chờ",
    "network": "lỗi kết nối",
    "redirects": "chuyển hướng quá nhiều lần",
}
FILE_NOT_EXPECTED = "Mục đang hỏi không cần tệp; {what}"
FILE_RECEIVED = "Đã nhận tệp «{name}»."

# --- tracking (bot/reports/tracker.py, punctuality.py) ---------------------------------------
TRACK_HEADER = "📋 #{id} «{title}» — {period}"
TRACK_DEADLINE_OPEN = "Hạn: hết ngày {deadline} (còn {days} ngày)"
TRACK_DEADLINE_TODAY = "Hạn: hết ngày {deadline} (hôm nay)"
TRACK_DEADLINE_PASSED = "Hạn: hết ngày {deadline} (đã quá {days} ngày)"
TRACK_CLOSED = "Kỳ đã đóng ngày {day}."
TRACK_COUNTS = "Đúng hạn {on_time} · Muộn {late} · Chưa nộp {missing} · Đã đóng {closed} (tổng {total})"
TRACK_ON_TIME = "✅ {name} — nộp {at}{versions}"
TRACK_LATE = "⏰ {name} — nộp muộn {days} ngày ({at}){versions}"
TRACK_MISSING = "❌ {name} — chưa nộp{notes}"
TRACK_CLOSED_LINE = "⛔ {name} — đã đóng ({reason})"
TRACK_VERSIONS = ", lần {count}"
TRACK_REMINDED = "; đã nhắc {count} lần"
TRACK_ESCALATED = "; đã báo cấp trên"
TRACK_NO_OFFICER = "; chưa có cán bộ phụ trách"
TRACK_PAGE = "Trang {page}/{pages}"
CLOSED_REASONS = {"unit_deleted": "đơn vị đã bị xóa", "stopped": "yêu cầu đã dừng"}
NEXT_PAGE_BUTTON = "▶ Trang sau"
ROLLUP_BUTTON = "📊 Tổng hợp"
CSV_BUTTON = "📄 CSV"
SEND_RESULTS_BUTTON = "📤 Gửi kết quả về đơn vị"
PREVIOUS_BUTTON = "◀ Kỳ trước"
STOP_BUTTON = "⏹ Dừng định kỳ"
TRACK_TYPED = "Gõ /tonghopbaocao {id} để xem tổng hợp, /tonghopbaocao {id} csv để tải bảng."
NO_INSTANCE = "Yêu cầu #{id} không có kỳ nào hết hạn trong {period}."
NO_INSTANCE_OPENED = "Yêu cầu #{id} chưa mở kỳ nào."
NO_PREVIOUS_INSTANCE = "Yêu cầu #{id} không có kỳ nào trước kỳ này."
REQUEST_STOPPED = "Đã dừng yêu cầu #{id}: không mở thêm kỳ mới (kỳ đang mở vẫn nhận báo cáo)."
RESULTS_SENT = "Đã gửi kết quả kỳ {period} về {count} đơn vị đã nộp."
RESULTS_NONE = "Chưa đơn vị nào nộp nên chưa có kết quả để gửi."
RESULTS_NOTICE_TITLE = "📊 Kết quả báo cáo «{title}» — {period} (do {sender} gửi)"
LIST_TITLE = "Các yêu cầu báo cáo:"
LIST_LINE = "#{id} «{title}» — {schedule} — {status}{current}"
LIST_CURRENT = " — kỳ {period}: {submitted}/{total} đã nộp"
LIST_NONE = "Chưa có yêu cầu báo cáo nào."
TEMPLATES_TITLE = "Mẫu báo cáo (dùng lại: /yeucaubaocao mẫu <số>):"
TEMPLATE_LINE = "Mẫu {id}: «{name}» ({fields} mục)"
STATUS_NAMES = {"draft": "đang soạn", "active": "đang chạy", "stopped": "đã dừng",
                "done": "đã xong", "cancelled": "đã hủy"}
PUNCTUALITY_TITLE = "🏅 Tình hình nộp báo cáo — {period} ({requests} yêu cầu, {units} nơi nộp)"
PUNCTUALITY_LATE = "Chậm hoặc chưa nộp:"
PUNCTUALITY_LATE_LINE = "• {name}: {items}"
PUNCTUALITY_LATE_ITEM = "«{title}» muộn {days} ngày"
PUNCTUALITY_MISSING_ITEM = "«{title}» chưa nộp"
PUNCTUALITY_NONE_LATE = "Không có nơi nào chậm nộp."
PUNCTUALITY_RANKING = "Xếp hạng đúng hạn:"
PUNCTUALITY_RANK_LINE = "{rank}. {name} — {on_time}/{total} đúng hạn{extra}"
PUNCTUALITY_EXTRA_LATE = ", {count} muộn (TB {avg} ngày)"
PUNCTUALITY_EXTRA_MISSING = ", {count} chưa nộp"
PUNCTUALITY_EMPTY = "Không có báo cáo nào hết hạn trong {period} thuộc phạm vi đồng chí."
PUNCTUALITY_NOT_YET = "Trong {period} chưa có báo cáo nào đến hạn thuộc phạm vi đồng chí."
PUNCTUALITY_NEXT = "Hạn gần nhất: «{title}» kỳ {period}, hạn hết ngày {deadline}."
PUNCTUALITY_NO_NEXT = "Chưa có yêu cầu báo cáo nào sắp đến hạn."
PUNCTUALITY_CSV_CAPTION = "Tình hình nộp báo cáo {period} theo đơn vị (CSV)"

# --- roll-ups (bot/reports/rollups.py, chart.py, exports.py) -----------------------------------
ROLLUP_TITLE = "📊 Tổng hợp «{title}» — {period} ({submitted}/{total} nơi đã nộp)"
ROLLUP_NUMBER = "{index}. {label} — tổng: {total}"
ROLLUP_NUMBER_UNIT = "   • {name}: {value}"
ROLLUP_CHOICE = "{index}. {label}: {counts}"
ROLLUP_TEXTS = "{index}. {label}:"
ROLLUP_TEXT_LINE = "   – {name}: {value}"
ROLLUP_FILES = "{index}. {label}: {count} tệp"
ROLLUP_NOTHING = "Chưa có báo cáo nào được nộp."
ROLLUP_CSV_CAPTION = "Tổng hợp «{title}» — {period} (CSV)"
ROLLUP_CHART_CAPTION = "Biểu đồ «{title}» — {period}"
CHART_STATUS_TITLE = "Tình hình nộp — {period}"
CHART_STATUS = {"on_time": "Đúng hạn", "late": "Muộn", "missing": "Chưa nộp"}
CHART_COUNT = "Số nơi"
CHART_VALUE = "Giá trị"
CSV_HEADER = ["Đơn vị cấp trên", "Đơn vị", "Người nộp", "Tình trạng", "Thời điểm nộp",
              "Số ngày muộn", "Lần nộp"]
CSV_STATUS = {"on_time": "đúng hạn", "late": "muộn", "missing": "chưa nộp", "closed": "đã đóng"}
PUNCTUALITY_CSV_HEADER = ["Đơn vị", "Đường dẫn đơn vị", "Số báo cáo", "Đúng hạn", "Muộn",
                          "Chưa nộp", "Số ngày muộn trung bình"]

# --- opinion collaborators (bot/reports/opinions.py) -------------------------------------------
MOOD_NAMES = {1: "Phấn khởi, tin tưởng", 2: "Ổn định", 3: "Băn khoăn, lo lắng", 4: "Bức xúc"}
OPINION_FIELD_TOPIC = "Chủ đề"
OPINION_FIELD_MOOD = "Tâm trạng của người dân"
OPINION_FIELD_TEXT = "Nội dung dư luận (ai nói gì, ở đâu, mức độ lan truyền)"
OPINION_FIELD_PHOTO = "Ảnh minh họa"
OPINION_FIELD_SHARE = "Cho cấp trên biết tên người báo cáo?"
OPINION_SHARE_YES = "Đồng ý"
OPINION_SHARE_NO = "Không, chỉ đơn vị được biết"
OPINION_OTHER_TOPIC = "Khác"
NOT_COLLABORATOR = ("Đồng chí chưa được giao vai trò cộng tác viên dư luận xã hội. Cán bộ "
                    "phụ trách đơn vị giao bằng lệnh /congtacvien.")
CHOOSE_COLLAB_UNIT = "Đồng chí là cộng tác viên của nhiều đơn vị; báo cáo cho đơn vị nào?"
FLASH_HEADER = "⚡ BÁO CÁO NHANH (khẩn) — {unit}"
OPINION_HEADER = "🗣 Báo cáo dư luận — {unit}"
OPINION_SAVED = "✅ Đã nhận báo cáo dư luận #{id} ({topic}, {mood}) lúc {at}."
FLASH_SAVED = "⚡ Đã nhận báo cáo nhanh #{id}; đã báo ngay cán bộ {unit} và cấp trên."
FLASH_NOTICE = ("⚡ BÁO CÁO NHANH (khẩn) #{id} — {unit}\n"
                "Chủ đề: {topic} · Tâm trạng: {mood}\n"
                "Người báo cáo: {reporter}\n"
                "{text}")
REPORTER_HIDDEN = "(ẩn tên — xem ở đơn vị {unit})"
REPORTER_HIDDEN_NO_OFFICER = "(ẩn tên theo ý người báo cáo)"
FLASH_UNIT_NO_OFFICER = ("⚠️ {unit} chưa có cán bộ phụ trách: chỉ cấp trên nhận được báo cáo "
                         "này; cần liên hệ người báo cáo thì giao cán bộ cho {unit} (/donvi).")
FLASH_SAVED_UNIT_ONLY = "⚡ Đã nhận báo cáo nhanh #{id}; đã báo ngay cán bộ {unit}."
FLASH_SAVED_PARENT_ONLY = ("⚡ Đã nhận báo cáo nhanh #{id}. {unit} chưa có cán bộ phụ trách nên "
                           "trợ lý đã báo ngay cán bộ {parent} (không kèm tên đồng chí nếu "
                           "đồng chí không đồng ý).")
FLASH_SAVED_NOBODY = ("⚡ Đã nhận báo cáo nhanh #{id} và lưu để tổng hợp, nhưng {unit} và cấp "
                      "trên chưa có cán bộ phụ trách nên chưa ai được báo ngay. Việc gấp, "
                      "đồng chí liên hệ trực tiếp cấp ủy.")
COLLAB_TITLE = "Cộng tác viên dư luận của {unit}:"
COLLAB_LINE_ON = "✅ {name}"
COLLAB_LINE_OFF = "◻️ {name}"
COLLAB_NONE = "{unit} chưa có thành viên nào; mời vào đơn vị bằng /taoma trước."
COLLAB_HINT = "Bấm tên (hoặc gõ số) để giao hoặc thu hồi vai trò cộng tác viên."
COLLAB_GRANTED = "Đã giao vai trò cộng tác viên dư luận của {unit} cho {name}."
COLLAB_REVOKED = "Đã thu hồi vai trò cộng tác viên dư luận của {name} ({unit})."
COLLAB_USAGE = "Cách dùng: /congtacvien <mã đơn vị> (xem mã bằng /donvi)."
COLLAB_NOT_MEMBER = "Người này không thuộc đơn vị {unit}."
TOPICS_TITLE = "Chủ đề dư luận dùng cho {unit} và các đơn vị trực thuộc:"
TOPIC_LINE = "{index}. {name}{owner}"
TOPIC_OWNER = " (của {unit})"
TOPICS_NONE = "Chưa có chủ đề nào. Thêm: /chude thêm <tên chủ đề>."
TOPICS_HINT = "Thêm: /chude thêm <tên>; bỏ: /chude bỏ <số>."
TOPIC_ADDED = "Đã thêm chủ đề «{name}»."
TOPIC_REMOVED = "Đã bỏ chủ đề «{name}» (các báo cáo cũ vẫn giữ)."
TOPIC_EXISTS = "Đã có chủ đề «{name}»."
TOPIC_INVALID = "Tên chủ đề trống hoặc dài quá {limit} ký tự."
TOPIC_USAGE = "Cách dùng: /chude, /chude thêm <tên chủ đề>, /chude bỏ <số thứ tự>."
TOPIC_NOT_OWN = "Chủ đề này do cấp trên đặt; chỉ cán bộ đơn vị đó bỏ được."
OPINION_ROLLUP_TITLE = "🗣 Dư luận xã hội — {period} — {unit} ({count} báo cáo, {urgent} khẩn)"
OPINION_ROLLUP_TOPIC = "• {topic}: {count} báo cáo{urgent} — {moods}"
OPINION_ROLLUP_URGENT = ", {count} khẩn"
OPINION_ROLLUP_UNITS = "Theo đơn vị:"
OPINION_ROLLUP_UNIT = "{indent}{name}: {count}{urgent}"
OPINION_ROLLUP_TEXTS = "Nội dung:"
OPINION_ROLLUP_TEXT = "{mark}[{topic}] {unit} — {mood}{reporter}: {text}"
OPINION_ROLLUP_REPORTER = " — {name}"
OPINION_ROLLUP_NONE = "Chưa có báo cáo dư luận nào trong {period}."
OPINION_CSV_CAPTION = "Dư luận xã hội {period} (CSV)"
OPINION_CHART_TITLE = "Dư luận theo chủ đề và tâm trạng — {period}"
OPINION_CSV_HEADER = ["Mã", "Thời điểm", "Đơn vị cấp trên", "Đơn vị", "Chủ đề", "Tâm trạng",
                      "Khẩn", "Nội dung", "Người báo cáo"]
YES = "có"
NO = ""

# Account linking refused (bot.services.person_merge): what both accounts did.
MERGE_BOTH_REPORTED = "đã nộp báo cáo cho cùng một kỳ của yêu cầu báo cáo #{id}"
