"""The Vietnamese sentences of the services (errors, the question report). Kept apart from
knowledge/messages.py for now; to be merged into that one module of user-facing text."""

from __future__ import annotations

# --- errors -------------------------------------------------------------------------------
ERROR_GENERIC = "Không thực hiện được yêu cầu."
PERMISSION_DENIED = "Bạn không có quyền thực hiện thao tác này."
NOT_OFFICER = "Chỉ cán bộ phụ trách đơn vị mới thực hiện được thao tác này."
OUTSIDE_SCOPE = "Đơn vị này nằm ngoài phạm vi bạn phụ trách."
OFFICER_INVITE_OWN_UNIT = (
    "Bạn chỉ tạo được mã mời cán bộ cho các đơn vị cấp dưới, không tạo cho chính đơn vị mình."
)
NOT_FOUND = "Không tìm thấy."
UNIT_NOT_FOUND = "Không tìm thấy đơn vị này."
QUESTION_NOT_FOUND = "Không tìm thấy câu hỏi này."
INVALID_INPUT = "Thông tin chưa hợp lệ."
UNIT_NAME_EMPTY = "Tên đơn vị không được để trống."
UNIT_NAME_TOO_LONG = "Tên đơn vị dài quá 120 ký tự."
UNIT_NAME_TAKEN = "Đơn vị cấp trên đã có một đơn vị cùng tên."
UNIT_KIND_INVALID = "Loại đơn vị phải là: tỉnh, huyện, xã, chi bộ hoặc khác."
ROLE_INVALID = "Vai trò phải là «cán bộ» hoặc «đảng viên»."
MAX_USES_INVALID = "Số lượt dùng phải từ 1 trở lên."
EXPIRY_INVALID = "Thời hạn của mã mời phải lớn hơn 0."
FEEDBACK_INVALID = "Đánh giá chỉ nhận 👍 hoặc 👎."
DAYS_INVALID = "Số ngày phải từ 1 trở lên."

INVITE_UNKNOWN = "Mã mời không đúng. Bạn kiểm tra lại mã (8 ký tự, không phân biệt hoa thường)."
INVITE_REVOKED = "Mã mời này đã bị thu hồi."
INVITE_EXPIRED = "Mã mời này đã hết hạn. Bạn xin cán bộ phụ trách mã mới."
INVITE_USED_UP = "Mã mời này đã dùng hết số lượt."
LINK_SAME_PERSON = "Tài khoản này đã được liên kết rồi."
LINK_PLATFORM_TAKEN = "Bạn đã có một tài khoản khác trên nền tảng này được liên kết."

# --- unit kinds and roles, as shown to people -----------------------------------------------
UNIT_KIND_NAMES: dict[str, str] = {
    "province": "tỉnh",
    "district": "huyện",
    "commune": "xã",
    "cell": "chi bộ",
    "other": "khác",
}
ROLE_NAMES: dict[str, str] = {"officer": "cán bộ", "member": "đảng viên"}

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
