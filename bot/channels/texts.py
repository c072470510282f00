"""Vietnamese text the channel adapters show by themselves (the core's sentences live in
knowledge/messages.py): the error apology and the labels of a document view."""

from __future__ import annotations

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
