"""Every Vietnamese sentence of the study campaigns feature (bot/study); what the whole bot
shares is in bot/messages.py."""

from __future__ import annotations

MENU_MEMBER = {
    "hoctap": "Học tập nghị quyết: các đợt cần học; /hoctap <mã> để xem",
    "comat": "Điểm danh buổi học tập bằng mã: /comat <mã>",
}
MENU_OFFICER = {
    "taohoctap": "Cán bộ: tạo đợt học tập, quán triệt văn bản",
    "diemdanh": "Cán bộ: điểm danh buổi học tập: /diemdanh <mã đợt>",
    "lichhoc": "Cán bộ: ngày sinh hoạt học tập: /lichhoc <mã đợt> <ngày giờ>",
    "miensh": "Cán bộ: đảng viên miễn sinh hoạt: /miensh",
}

# /help's lines (bot.core.feature.MenuCommand.usage).
USAGE = {
    "hoctap": "/hoctap — các đợt học tập nghị quyết của đồng chí; /hoctap <mã> để học, làm "
              "bài kiểm tra (cán bộ: kết quả theo đơn vị, thêm csv để tải bảng).",
    "comat": "/comat <mã> — điểm danh buổi học tập bằng mã chi bộ đọc tại buổi sinh hoạt.",
    "taohoctap": "/taohoctap — tạo đợt học tập (văn bản, đơn vị, hạn, bài kiểm tra).",
    "diemdanh": "/diemdanh <mã đợt> — điểm danh buổi sinh hoạt của chi bộ, xem mã điểm danh.",
    "lichhoc": "/lichhoc <mã đợt> <ngày giờ> — đặt ngày sinh hoạt học tập của đơn vị.",
    "miensh": "/miensh — đảng viên miễn sinh hoạt (không tính vào tỷ lệ).",
}

# --- statuses and shared words ----------------------------------------------------------------
STATUS_NAMES = {"draft": "đang soạn", "open": "đang học", "closed": "đã kết thúc",
                "cancelled": "đã hủy"}
ATTENDANCE_NAMES = {None: "chưa điểm danh", "present": "có mặt", "absent": "vắng",
                    "exempt": "miễn sinh hoạt"}
NO_DATE = "chưa đặt"
DATE_FORMAT = "%H:%M %d/%m/%Y"
DAY_FORMAT = "%d/%m/%Y"

# --- errors -------------------------------------------------------------------------------------
NOT_FOUND = "Không tìm thấy đợt học tập này."
NOT_DRAFT = "Đợt học tập này đã bắt đầu rồi."
NOT_OPEN = "Đợt học tập này không còn mở."
NO_TARGETS = "Chưa chọn đơn vị học tập."
NO_DOCUMENT = "Chưa chọn văn bản để học tập."
NO_DEADLINE = "Chưa đặt hạn hoàn thành."
NOBODY = "Các đơn vị đã chọn chưa có đảng viên nào."
TITLE_EMPTY = "Tên đợt học tập đang trống."
TITLE_TOO_LONG = "Tên đợt học tập dài quá {limit} ký tự."
DATE_INVALID = ("Không đọc được ngày. Đồng chí gõ theo mẫu 25/12/2026 hoặc «25/12/2026 14:00» "
                "(giờ Việt Nam).")
DEADLINE_PAST = "Hạn hoàn thành phải ở sau hiện tại."
SESSION_AFTER_DEADLINE = "Ngày sinh hoạt phải trước hạn hoàn thành ({deadline})."
SESSION_PAST = "Ngày sinh hoạt phải ở sau hiện tại."
USE_BUTTONS = "Đồng chí chọn một trong các lựa chọn ở trên."
PRIVATE_ONLY = "Đồng chí dùng lệnh này trong tin nhắn riêng với trợ lý."
ID_USAGE = "Đồng chí gõ kèm mã đợt học tập, ví dụ: /{command} 5"
LICHHOC_USAGE = ("Đồng chí gõ: /lichhoc <mã đợt> <ngày giờ> [mã đơn vị], ví dụ: "
                 "/lichhoc 5 20/12/2026 14:00")
NOT_PARTICIPANT = "Đồng chí không thuộc đối tượng của đợt học tập này."
NO_SESSION_HERE = "Đợt học tập này không có buổi sinh hoạt nào của đơn vị đồng chí phụ trách."

# --- composing (/taohoctap) ------------------------------------------------------------------
ASK_DOCUMENT = ("📚 Tạo đợt học tập, quán triệt.\n"
                "Bước 1: gõ số hiệu văn bản trong kho (ví dụ: 05-CT/TW, «nghị quyết 57») "
                "hoặc gửi tệp văn bản.")
DOC_NOT_FOUND = ("Không tìm thấy văn bản «{text}» trong kho. Đồng chí gõ lại số hiệu (ví dụ "
                 "05-CT/TW) hoặc gửi tệp văn bản.")
DOC_SEVERAL = "Có {count} văn bản khớp «{text}»: {labels}. Đồng chí gõ số hiệu đầy đủ hơn."
ASK_TITLE = "Bước 2: gõ tên đợt học tập, hoặc chọn tên gợi ý:\n«{suggested}»"
TITLE_SUGGESTED_BUTTON = "Dùng tên gợi ý"
TITLE_SUGGESTED = "Học tập, quán triệt {label}"
ASK_UNITS = ("Bước 3: chọn đơn vị học tập (mỗi đơn vị gồm cả cấp dưới); chọn xong bấm «Xong».\n"
             "Đã chọn: {chosen}")
UNITS_DONE_BUTTON = "Xong ›"
NONE_CHOSEN = "chưa có"
ASK_DEADLINE = "Bước 4: hạn hoàn thành học tập? Chọn, hoặc gõ ngày (ví dụ 31/12/2026)."
DEADLINE_CHOICES = ((7, "1 tuần"), (14, "2 tuần"), (30, "1 tháng"))
ASK_SESSION = ("Bước 5: ngày sinh hoạt học tập chung của các chi bộ? Gõ ngày giờ (ví dụ "
               "20/12/2026 14:00), hoặc bỏ qua để từng chi bộ tự đặt (/lichhoc).")
SESSION_SKIP_BUTTON = "Bỏ qua"
ASK_QUIZ = (
    "Bước 6: bài kiểm tra (không bắt buộc), {low}–{high} câu. Gửi mỗi dòng một câu theo mẫu:\n"
    "Câu hỏi | phương án 1 | phương án 2 | phương án 3 | số thứ tự đáp án đúng | đoạn trích "
    "làm căn cứ\n"
    "hoặc gửi tệp CSV cùng các cột đó, dòng đầu có thể là tiêu đề (trên Zalo: dán nội dung "
    "tệp)."
)
QUIZ_SKIP_BUTTON = "Không có bài kiểm tra"
QUIZ_FILE_NOT_READ = ("Trợ lý chưa đọc được tệp «{name}» gửi qua kênh này. Đồng chí mở tệp CSV, "
                      "sao chép toàn bộ nội dung và dán vào tin nhắn (mỗi dòng một câu).")
QUIZ_FILE_NOT_READ_ANY = ("Trợ lý chưa đọc được tệp gửi qua kênh này. Đồng chí mở tệp CSV, sao chép "
                          "toàn bộ nội dung và dán vào tin nhắn (mỗi dòng một câu).")
QUIZ_FILE_TYPE = ("Tệp «{name}» không phải tệp CSV. Đồng chí gửi tệp .csv (hoặc .txt) theo mẫu ở "
                  "Bước 6, hoặc dán nội dung vào tin nhắn.")
QUIZ_FILE_SPREADSHEET = ("Tệp «{name}» là bảng tính, trợ lý chỉ đọc tệp CSV. Trong Excel chọn "
                         "Tệp → Lưu thành → «CSV UTF-8 (Comma delimited)» rồi gửi lại tệp .csv.")
QUIZ_FILE_TOO_LARGE = ("Tệp «{name}» quá lớn ({size} KB, tối đa {limit} KB). Bài kiểm tra chỉ "
                       "cần vài dòng: đồng chí kiểm tra lại tệp.")
QUIZ_FILE_NOT_TEXT = ("Tệp «{name}» không đọc được thành chữ (không phải văn bản CSV). Trong "
                      "Excel chọn Lưu thành → «CSV UTF-8 (Comma delimited)» rồi gửi lại.")
QUIZ_FILE_NOT_DOWNLOADED = ("Chưa tải được tệp «{name}» từ máy chủ nhắn tin. Đồng chí gửi lại tệp "
                            "sau ít phút, hoặc dán nội dung vào tin nhắn.")
QUIZ_FILE_ERROR = "Tệp «{name}» chưa dùng được. {reason}\nĐồng chí sửa tệp rồi gửi lại."
ASK_PASS = "Bài kiểm tra có {count} câu. Bao nhiêu câu đúng thì đạt?"
PASS_BUTTON = "Đúng {mark}/{count} câu"
PREVIEW = (
    "📚 Xem lại đợt học tập:\n"
    "Tên: {title}\n"
    "Văn bản: {document}\n"
    "Đơn vị: {units}\n"
    "Hạn hoàn thành: {deadline}\n"
    "Ngày sinh hoạt: {session}\n"
    "Bài kiểm tra: {quiz}\n"
    "Đối tượng: {people} đảng viên ({exempt} miễn sinh hoạt); {reachable} người nhận được tin "
    "riêng, {groups} nhóm."
)
PREVIEW_QUIZ = "{count} câu, đạt từ {mark} câu, được làm lại {retries} lần"
PREVIEW_NO_QUIZ = "không có"
START_BUTTON = "▶ Bắt đầu đợt học tập"
DROPPED = "Đã hủy đợt học tập đang soạn."
STARTED = ("✅ Đã bắt đầu đợt học tập #{id}: gửi tới {people} đảng viên ({messages} tin riêng, "
           "{groups} nhóm). Xem kết quả: /hoctap {id}; điểm danh: /diemdanh {id}.")
FILE_ATTACHED = "Đã nhận tệp «{name}»."

# --- what members get ----------------------------------------------------------------------
ANNOUNCE_HEADER = "📚 Đợt học tập #{id}: {title}"
ANNOUNCE_FROM = "Từ: {sender}"
ANNOUNCE_DOCUMENT = "Văn bản: {document}"
ANNOUNCE_DEADLINE = "Hạn hoàn thành: {deadline}"
ANNOUNCE_SESSION = "Buổi sinh hoạt học tập: {session}"
ANNOUNCE_SESSION_UNSET = "Buổi sinh hoạt học tập: chi bộ sẽ thông báo."
ANNOUNCE_OVERVIEW = "Tóm tắt văn bản:"
ANNOUNCE_OUTLINE = "Bố cục: {outline}"
ANNOUNCE_FILE = "Văn bản gửi kèm: {name}"
ANNOUNCE_CHECKIN = "Tại buổi sinh hoạt, đồng chí điểm danh bằng mã chi bộ đọc: /comat <mã>."
ANNOUNCE_TYPED = "Gõ /hoctap {id} để xem văn bản."
ANNOUNCE_GROUP = ("📚 Đợt học tập #{id}: {title}\nVăn bản: {document}\nHạn hoàn thành: "
                  "{deadline}\n{session}\nĐảng viên nhắn riêng cho trợ lý /hoctap {id} để xem "
                  "văn bản; điểm danh tại buổi sinh hoạt: /comat <mã>.")
SELF_STUDY_HEADER = "📖 Tự học: đợt học tập #{id}: {title}"
SELF_STUDY_BODY = ("Đồng chí chưa dự buổi sinh hoạt học tập {document}. Đề nghị đồng chí tự "
                   "nghiên cứu văn bản và xác nhận trước {deadline}.")
SELF_STUDY_QUIZ = "Đồng chí có thể làm bài kiểm tra {count} câu (đạt từ {mark} câu)."
SELF_STUDY_BUTTONS_HINT = "Học xong, đồng chí bấm «Đã học» hoặc làm bài kiểm tra."
SELF_STUDY_TYPED = "Gõ /hoctap {id} để xem văn bản{quiz}; học xong gõ «đã học»."
SELF_STUDY_TYPED_QUIZ = " và làm bài kiểm tra"
REMINDER_HEADER = "⏰ Nhắc tự học: đợt học tập #{id}: {title}"
REMINDER_BODY = "Còn {left} đến hạn hoàn thành ({deadline}); đồng chí chưa xác nhận đã học."
LEFT_DAYS = "{days} ngày"
LEFT_HOURS = "{hours} giờ"
VIEW_BUTTON = "📖 Xem văn bản"
DONE_BUTTON = "✅ Đã học"
QUIZ_BUTTON = "📝 Làm bài kiểm tra"
RETRY_BUTTON = "📝 Làm lại bài kiểm tra"

# --- /hoctap for members ---------------------------------------------------------------------
MY_NONE = "Đồng chí không có đợt học tập nào đang chờ."
MY_TITLE = "📚 Các đợt học tập của đồng chí:"
MY_LINE = "#{id} {title} — hạn {deadline} — {state}"
MY_STATE_TODO = "chưa học"
MY_STATE_DONE = "đã hoàn thành"
MY_STATE_EXEMPT = "miễn sinh hoạt"
MY_HINT = "Gõ /hoctap <mã> để xem văn bản."
VIEW_HEADER = "📚 Đợt học tập #{id}: {title}\nVăn bản: {document}\nHạn: {deadline}\n{state}"
VIEW_STATE_PRESENT = "Đồng chí đã dự buổi sinh hoạt."
VIEW_STATE_SELF = "Đồng chí đã xác nhận tự học."
VIEW_STATE_PASSED = "Đồng chí đã đạt bài kiểm tra ({score}/{count})."
VIEW_STATE_TODO = "Đồng chí chưa hoàn thành."
VIEW_STATE_EXEMPT = "Đồng chí được miễn sinh hoạt: không bắt buộc."
DOC_FILE_ONLY = "Văn bản của đợt này là tệp «{name}», gửi kèm tin thông báo."
DOC_GONE = "Văn bản này không còn trong kho."

# --- «đã học» -----------------------------------------------------------------------------
DONE_WORDS = ("đã học", "da hoc", "đã học xong", "da hoc xong", "học xong", "hoc xong",
              "đã tự học", "da tu hoc", "đã nghiên cứu", "da nghien cuu")
DONE_THANKS = "✅ Đã ghi nhận đồng chí tự học đợt #{id}: {title}."
DONE_AGAIN = "Đồng chí đã hoàn thành đợt học tập #{id} rồi."
DONE_PRESENT = "Đồng chí đã dự buổi sinh hoạt đợt #{id}: không cần xác nhận thêm."
DONE_NOTHING = "Không có đợt học tập nào chờ đồng chí xác nhận."

# --- check-in codes -----------------------------------------------------------------------
COMAT_USAGE = "Đồng chí gõ mã điểm danh chi bộ đọc tại buổi sinh hoạt, ví dụ: /comat K7PQ2X"
CODE_UNKNOWN = "Mã điểm danh không đúng. Đồng chí kiểm tra lại mã chi bộ đọc tại buổi sinh hoạt."
CODE_OTHER_SESSION = ("Mã này là của buổi sinh hoạt khác, không phải buổi của chi bộ đồng chí "
                      "trong đợt học tập này.")
CODE_LATE = ("Buổi sinh hoạt này đã kết thúc điểm danh lúc {closed}: mã không còn dùng được. "
             "Đồng chí tự học và gõ «đã học» (xem /hoctap {id}).")
CODE_EARLY = "Chưa đến giờ sinh hoạt ({session}): mã dùng được từ {opens}."
CHECKED_IN = "✅ Đã điểm danh: đồng chí có mặt tại buổi sinh hoạt học tập đợt #{id}: {title}."
CHECKED_IN_AGAIN = "Đồng chí đã điểm danh buổi này rồi."

# --- roll call -------------------------------------------------------------------------------
ROLL_PICK_UNIT = "Đợt #{id}: chọn buổi sinh hoạt của đơn vị để điểm danh:"
ROLL_HEADER = ("📋 Điểm danh đợt #{id} — {unit}\nBuổi sinh hoạt: {session}\n"
               "Mã điểm danh: {code} (đảng viên gõ /comat {code})")
ROLL_HEADER_CLOSED = "📋 Điểm danh đợt #{id} — {unit} (đã kết thúc lúc {closed})"
ROLL_LINE = "{n}. {name} — {status}"
ROLL_REASON = " ({reason})"
ROLL_VIA_CODE = " (tự điểm danh)"
ROLL_COUNTS = "Có mặt {present} · vắng {absent} · miễn {exempt} · chưa điểm danh {unset}"
ROLL_HINT = "Chọn một đảng viên để ghi có mặt, vắng hoặc miễn sinh hoạt."
ROLL_PAGE = "Trang {page}/{pages}"
ROLL_NEXT_BUTTON = "Trang sau ›"
ROLL_PREV_BUTTON = "‹ Trang trước"
ROLL_REST_PRESENT_BUTTON = "✅ Những người còn lại có mặt"
ROLL_CLOSE_BUTTON = "🔒 Kết thúc điểm danh"
ROLL_MEMBER = "{name}: {status}. Ghi lại:"
ROLL_PRESENT_BUTTON = "✅ Có mặt"
ROLL_ABSENT_BUTTON = "❌ Vắng"
ROLL_EXEMPT_BUTTON = "➖ Miễn sinh hoạt"
ROLL_CLEAR_BUTTON = "↺ Bỏ ghi"
ROLL_BACK_BUTTON = "‹ Danh sách"
ROLL_ASK_REASON = "Lý do vắng của {name}? Gõ lý do, hoặc chọn «Không rõ lý do»."
ROLL_NO_REASON_BUTTON = "Không rõ lý do"
ROLL_REASON_TOO_LONG = "Lý do dài quá {limit} ký tự."
ROLL_CLOSED_DONE = ("🔒 Đã kết thúc điểm danh {unit}: có mặt {present}, vắng {absent}, miễn "
                    "{exempt}. {absent} người vắng sẽ nhận văn bản để tự học.")
ROLL_ALREADY_CLOSED = "Buổi sinh hoạt này đã kết thúc điểm danh."
ROLL_NOT_MEMBER = "Người này không thuộc buổi sinh hoạt này."
SESSION_SET = "Đã đặt ngày sinh hoạt đợt #{id} cho {units}: {session}."
SESSION_LOCKED = "Buổi sinh hoạt của {unit} đã kết thúc điểm danh: không đổi ngày được nữa."

# --- exemptions (/miensh) -----------------------------------------------------------------
EXEMPT_PICK_UNIT = "Chọn đơn vị để xem đảng viên miễn sinh hoạt:"
EXEMPT_HEADER = ("➖ Miễn sinh hoạt — {unit}\nBấm tên để đặt hoặc bỏ miễn sinh hoạt "
                 "(không tính vào tỷ lệ học tập).")
EXEMPT_LINE = "{n}. {name}{flag}"
EXEMPT_FLAG = " — miễn sinh hoạt"
EXEMPT_SET = "Đã ghi {name} miễn sinh hoạt."
EXEMPT_CLEARED = "Đã bỏ miễn sinh hoạt cho {name}."
EXEMPT_NO_MEMBERS = "Đơn vị này chưa có đảng viên."

# --- quiz -----------------------------------------------------------------------------------
QUIZ_LINE_ERROR = "Dòng {line}: {problem}"
QUIZ_TOO_FEW_FIELDS = ("cần câu hỏi, ít nhất 2 phương án, số thứ tự đáp án đúng và đoạn trích, "
                       "ngăn cách bằng «|» hoặc dấu phẩy")
QUIZ_BAD_CORRECT = "đáp án đúng phải là số thứ tự của một phương án (1 đến {count})"
QUIZ_QUESTION_LONG = "câu hỏi dài quá {limit} ký tự"
QUIZ_OPTION_LONG = "mỗi phương án tối đa {limit} ký tự"
QUIZ_TOO_MANY_OPTIONS = "tối đa {limit} phương án"
QUIZ_OPTIONS_REPEATED = "có phương án bị trùng nhau"
QUIZ_NO_PASSAGE = "thiếu đoạn trích làm căn cứ"
QUIZ_PASSAGE_LONG = "đoạn trích dài quá {limit} ký tự"
QUIZ_FORMAT_UNKNOWN = (
    "Trợ lý chưa nhận ra bài kiểm tra. Gửi mỗi dòng một câu: «Câu hỏi | phương án 1 | "
    "phương án 2 | số thứ tự đáp án đúng | đoạn trích làm căn cứ» (câu hỏi có dấu «|» thì "
    "đặt trong ngoặc kép), hoặc nội dung tệp CSV có các cột đó theo thứ tự (ngăn cách bằng "
    "dấu «;», dấu phẩy hoặc tab).")
QUIZ_COUNT = "Bài kiểm tra cần từ {low} đến {high} câu (đang có {count})."
QUIZ_NONE = "Đợt học tập này không có bài kiểm tra."
QUIZ_NAMED_NOTICE = ("📝 Bài kiểm tra đợt #{id}: {count} câu, đạt từ {mark} câu; lần làm thứ "
                     "{number}/{attempts}.\nLưu ý: câu trả lời được ghi tên đồng chí (đây là "
                     "kiểm tra học tập, không phải thăm dò ý kiến); cán bộ phụ trách xem được "
                     "kết quả.")
QUIZ_QUESTION = "Câu {n}/{count}: {text}"
QUIZ_TYPED_HINT = "Trả lời bằng số thứ tự phương án."
QUIZ_ALREADY_PASSED = "Đồng chí đã đạt bài kiểm tra đợt #{id} ({score}/{count})."
QUIZ_NO_ATTEMPTS = "Đồng chí đã làm hết {attempts} lần của bài kiểm tra đợt #{id}."
QUIZ_STALE = "Câu này đã được trả lời."
QUIZ_NOT_YOURS = "Bài kiểm tra này không phải của đồng chí."
QUIZ_RIGHT = "✔ Đúng."
QUIZ_WRONG = "✘ Chưa đúng: đáp án là «{answer}».\nCăn cứ: {passage}"
QUIZ_RESULT_PASSED = "🎉 Kết quả: {score}/{count} câu đúng — ĐẠT (cần {mark}). Đã ghi nhận đồng chí hoàn thành học tập."
QUIZ_RESULT_FAILED = "Kết quả: {score}/{count} câu đúng — chưa đạt (cần {mark})."
QUIZ_RESULT_RETRY = "Đồng chí còn {left} lần làm lại."
QUIZ_RESULT_NO_RETRY = "Đồng chí đã hết lượt làm bài; đồng chí vẫn có thể tự học và gõ «đã học»."
QUIZ_WRONG_LIST = "Các câu chưa đúng:"
QUIZ_WRONG_ITEM = "Câu {n}: đáp án «{answer}». Căn cứ: {passage}"
QUIZ_PRIVATE_ONLY = "Bài kiểm tra làm trong tin nhắn riêng với trợ lý."
QUIZ_SENT_PRIVATELY = "Đã gửi câu hỏi trong tin nhắn riêng."

# --- completion report (/hoctap for officers) -------------------------------------------------
REPORT_HEADER = "📊 Đợt học tập #{id}: {title} ({status})\nVăn bản: {document}\nHạn: {deadline}"
REPORT_TOTAL = ("Toàn bộ: {members} đảng viên, {exempt} miễn sinh hoạt; dự học {attended} "
                "({attended_pct}%), tự học {self_studied} ({self_pct}%), đạt kiểm tra {passed} "
                "({passed_pct}%), hoàn thành {done} ({done_pct}%), chưa học {not_yet} "
                "({not_yet_pct}%).")
REPORT_BY_UNIT = "Theo đơn vị (hoàn thành / phải học, không tính miễn sinh hoạt):"
REPORT_UNIT_LINE = ("{indent}{name}: {done}/{due} ({done_pct}%) — dự {attended}, tự học "
                    "{self_studied}, đạt KT {passed}, chưa {not_yet}, miễn {exempt}")
REPORT_MORE_UNITS = "… và {count} đơn vị nữa (xem đủ trong tệp CSV: /hoctap {id} csv)."
REPORT_DOC_REPLACED = "⚠ Văn bản {document} đã hết hiệu lực: {note}"
REPORT_DOC_DELETED = "⚠ Văn bản {document} không còn trong kho văn bản."
REPORT_PARTIAL = "(Chỉ các đơn vị đồng chí phụ trách.)"
REPORT_FINAL = "📌 Báo cáo cuối đợt học tập #{id} (hết hạn {deadline})."
REPORT_CSV_CAPTION = "Kết quả đợt học tập #{id} theo đơn vị (CSV)"
REPORT_LIST_TITLE = "📚 Các đợt học tập:"
REPORT_LIST_LINE = "#{id} [{status}] {title} — hạn {deadline} — hoàn thành {done_pct}%"
REPORT_NONE = "Chưa có đợt học tập nào."
CSV_HEADER = ("Mã đơn vị", "Đơn vị", "Loại", "Cấp (0: trên cùng)", "Đảng viên",
              "Miễn sinh hoạt", "Phải học", "Dự học", "Tự học", "Đạt kiểm tra", "Hoàn thành",
              "Chưa học", "% hoàn thành")
CHART_TITLE = "Đợt học tập #{id}: {title}"
CHART_XLABEL = "% đảng viên phải học (không tính miễn sinh hoạt)"
CHART_ATTENDED = "Dự học"
CHART_SELF = "Tự học / đạt kiểm tra"
CHART_NOT_YET = "Chưa học"
CHART_FOOTER = "{members} đảng viên, {exempt} miễn sinh hoạt — hoàn thành {done_pct}%"
VALIDITY_NOTICE = ("⚠ Đợt học tập #{id}: văn bản {document} {state}. Đồng chí xem xét có cần "
                   "thay văn bản khác không.")
VALIDITY_REPLACED = "đã hết hiệu lực ({note})"
VALIDITY_DELETED = "không còn trong kho văn bản"
REPLACED_BY = "thay thế bởi {labels}"
DOC_STATUS_NAMES = {"replaced": "bị thay thế", "repealed": "bị bãi bỏ", "expired": "hết hạn"}
