"""Every Vietnamese sentence of the broadcast feature (bot/broadcast); what the whole bot
shares (roles, refusals, the numbered hints) is in bot/messages.py."""

from __future__ import annotations

MENU = {
    "thongbao": "Cán bộ: soạn và gửi thông báo, hướng dẫn tới đơn vị",
    "dsthongbao": "Cán bộ: các thông báo đã gửi",
    "tiendo": "Cán bộ: báo cáo gửi thông báo: /tiendo <mã>",
    "chuadoc": "Cán bộ: ai chưa xác nhận đã đọc: /chuadoc <mã>",
    "nhacdoc": "Cán bộ: nhắc người chưa đọc: /nhacdoc <mã>",
    "dunggui": "Cán bộ: dừng gửi thông báo: /dunggui <mã>",
    "ganhom": "Cán bộ: gắn nhóm chat này với đơn vị: /ganhom <mã đơn vị>",
    "nhatky": "Quản trị: nhật ký gửi thông báo",
}
# The audit trail's details (/nhatky).
AUDIT_CONFIRMED = "{people} người, {messages} tin, đơn vị {units}, vai trò {roles}"
AUDIT_CANCELLED = "{cancelled} tin chưa gửi"
AUDIT_REMINDED = "{people} người chưa xác nhận"
COMPOSE_DEADLINE_OTHER = "{hours} giờ"  # a deadline not among COMPOSE_DEADLINE_HOURS
AUDIT_DRAFT = "bản nháp"  # a broadcast never sent, in the audit trail
BROADCAST_TYPED_READ = "«đã đọc»"  # the typed stand-in for the «Đã đọc» button

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
BROADCAST_REPORT_SENDING = (
    "⏳ Đang gửi: còn {waiting} tin chờ gửi; ai chưa nhận được sẽ rõ khi gửi xong."
)
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


COMPOSE_PREVIEW_CONFIRM = "Yêu cầu xác nhận đã đọc; hạn: {deadline}."
COMPOSE_SEND_BUTTON = "📤 Gửi ngay"
COMPOSE_SCHEDULE_BUTTON = "⏰ Hẹn giờ"
COMPOSE_SKIP_BUTTON = "Bỏ qua"
COMPOSE_DONE_BUTTON = "Xong ▶"
COMPOSE_SCHEDULED = "Đã hẹn gửi thông báo #{id} lúc {time}."
COMPOSE_SENDING_NO_LIVE = (
    "Đang gửi thông báo #{id} ({messages} tin). Khi gửi xong trợ lý sẽ gửi báo cáo; "
    "xem tiến độ bất cứ lúc nào bằng /tiendo {id}."
)
COMPOSE_NOT_UNDERSTOOD = "Chưa rõ lựa chọn của đồng chí. Gõ số thứ tự một lựa chọn dưới đây."
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
# /help's lines (bot.core.feature.MenuCommand.usage); a command without one shows its MENU line.
USAGE = {
    "thongbao": "/thongbao — soạn thông báo, hướng dẫn và gửi tới đơn vị (chọn bằng nút), xem "
                "trước số người nhận.",
    "dsthongbao": "/dsthongbao — các thông báo đã gửi, kèm mã.",
    "tiendo": "/tiendo <mã> — báo cáo gửi thông báo theo đơn vị.",
    "chuadoc": "/chuadoc <mã> — ai chưa xác nhận đã đọc.",
    "nhacdoc": "/nhacdoc <mã> — nhắc đúng những người chưa xác nhận đã đọc.",
    "dunggui": "/dunggui <mã> — dừng gửi thông báo.",
    "ganhom": "/ganhom <mã đơn vị> — (gõ trong nhóm) gắn nhóm chat với đơn vị.",
    "nhatky": "/nhatky — (quản trị viên) nhật ký gửi thông báo.",
}
