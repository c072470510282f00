"""What the Q&A feature says about small talk, follow-ups and official answers
(bot/messages.py has the rest of the Q&A's sentences)."""

from __future__ import annotations

# --- follow-ups (bot/ask/followups.py, bot/ask/continuing.py) ------------------------------
FOLLOWUP_NO_PREVIOUS = (
    "Trợ lý chưa rõ đồng chí hỏi tiếp câu nào: trợ lý chỉ nhớ câu hỏi trước của đồng chí trong {minutes} phút. "
    "Đồng chí hãy gõ lại câu hỏi đầy đủ."
)
FOLLOWUP_NOTHING_SHOWN = (
    "Câu trả lời trước không trích đoạn văn bản nào. Đồng chí hãy hỏi lại cụ thể hơn, hoặc nêu số "
    "hiệu văn bản."
)
MORE_INTRO = "Các đoạn tiếp theo cho câu hỏi «{question}»:"
MORE_NONE = "Kho văn bản không còn đoạn nào khác đủ liên quan đến câu hỏi «{question}»."
READ_ON_INTRO = "Các phần tiếp theo của {document}:"
READ_ON_END = "Đã hết: {document} không còn phần nào sau phần vừa gửi."
READ_ON_PASSAGES = 3  # chunks per reply when a document is read on in order
DETAIL_INTRO = "Toàn văn phần đã trích cho câu hỏi «{question}»:"
SOURCE_LEAD = "Câu trả lời cho câu hỏi «{question}» trích từ:"
OTHER_DOCUMENT_INTRO = "Trả lời câu hỏi «{question}»:"
DETAIL_MAX_CHARS = 3000  # a section shown whole is cut here (a chat message is 2,000–4,096)
QUOTED_QUESTION_CHARS = 80

# --- Small talk (bot/ask/small_talk.py) ----------------------------------------------------
# A whole message made only of these words (compared without case and diacritics, with
# fillers such as "bạn", "ạ", "nhé") is a greeting, thanks or acknowledgement, not a question.
GREETING_WORDS = ("chào", "xin chào", "hello", "hi", "helo", "alo", "a lô", "hey")
THANKS_WORDS = ("cảm ơn", "cám ơn", "thanks", "thank", "thank you", "tks", "thx")
# Acknowledgements and reactions typed after a reply ("ok", "ừ", "đã rõ", "hay quá").
ACK_WORDS = (
    "ok", "oke", "okay", "okie", "okê", "ô kê", "ừ", "ừm", "ờ", "uh", "uhm", "um", "vâng", "dạ",
    "được", "được rồi", "rõ", "rõ rồi", "đã rõ", "hiểu rồi", "đã hiểu", "tốt", "tốt quá", "hay",
    "hay quá", "tuyệt", "tuyệt vời", "chuẩn", "đúng rồi", "good", "nice", "great", "yes", "like",
    "hihi", "haha", "hehe", "hì", "hì hì",
)
SMALL_TALK_FILLERS = (
    "bạn", "bot", "trợ lý", "anh", "chị", "em", "ạ", "à", "nhé", "nhe", "nha", "nhiều", "rất",
    "ơi", "đồng chí", "mọi người", "ad", "admin", "buổi sáng", "buổi trưa", "buổi chiều",
    "buổi tối", "ok", "oke", "okay", "vâng", "dạ", "you", "very", "much", "so", "thì", "đã",
    "rồi", "nhá", "nhỉ", "cả", "lắm", "cậu", "tôi", "mình", "giúp",
)
SMALL_TALK_GREETING = (
    "Xin chào đồng chí! Đây là trợ lý tuyên giáo, trả lời câu hỏi từ các văn bản trong kho, có trích "
    "dẫn nguồn. Đồng chí cứ gõ câu hỏi (có dấu hoặc không dấu); gõ /help để xem cách dùng."
)
SMALL_TALK_ACK = "Vâng. Cần gì thêm, đồng chí cứ gõ câu hỏi."
SMALL_TALK_THANKS = "Rất vui được giúp đồng chí! Cần gì thêm, đồng chí cứ hỏi; gõ /help để xem cách dùng."


# Not a question at all (bot/ask/noise.py): punctuation or symbols alone, a single letter,
# keyboard mashing. Not searched and not logged.
NOT_A_QUESTION = (
    "Trợ lý chưa hiểu tin nhắn này. Đồng chí hãy gõ một câu hỏi đầy đủ, ví dụ: «Chỉ thị 05 yêu "
    "cầu gì về học tập và làm theo?»; gõ /help để xem cách dùng."
)


# --- official answers (bot/ask/official.py, bot/ask/official_feature.py) -------------------
MENU_TRALOI = "Trả lời chính thức một câu hỏi chưa trả lời được (cán bộ)"
TRALOI_USAGE = (
    "Cách dùng: /traloi <mã câu hỏi> — mã ở cuối mỗi dòng «Câu hỏi chưa trả lời được» của "
    "/baocao."
)
TRALOI_HELP = (
    "/traloi <mã câu hỏi> — trả lời chính thức: /baocao ghi mã ở cuối mỗi câu hỏi chưa trả "
    "lời được; /traloi <mã> để soạn câu trả lời (nội dung, văn bản căn cứ, rồi công bố). Câu trả lời vào "
    "kho văn bản đứng tên đơn vị của đồng chí và được gửi tới những người đã hỏi câu tương tự."
)
TRALOI_SOURCE_EXAMPLE = "Hướng dẫn 36-HD/VPTW"
TRALOI_QUESTION = (
    "Câu hỏi «{question}»: {askers} người đã hỏi câu này hoặc câu tương tự (chưa trả lời được).\n"
    "Hãy gửi nội dung trả lời chính thức (tối đa {limit} ký tự), hoặc chọn «Hủy» để bỏ."
)
TRALOI_ASK_SOURCE = (
    "Câu trả lời dựa trên văn bản nào? Gửi số hiệu văn bản, có thể kèm điều, mục "
    "(ví dụ: «{example}, Điều 3»)."
)
TRALOI_SOURCE_INVALID = (
    "Chưa nhận ra số hiệu văn bản trong «{text}». Gửi số hiệu như «{example}» (có thể kèm "
    "điều, mục)."
)
TRALOI_SOURCE_NOT_STORED = "(văn bản «{source}» chưa có trong kho; câu trả lời ghi căn cứ như đồng chí viết)"
TRALOI_PREVIEW = (
    "Xem lại trước khi công bố:\n\n{notice}\n\n"
    "Câu trả lời sẽ được đưa vào kho văn bản (trích dẫn là trả lời chính thức của {unit}) và "
    "gửi tới {askers} người đã hỏi."
)
TRALOI_TEXT_EMPTY = "Nội dung trả lời đang trống. Hãy gửi nội dung trả lời."
TRALOI_TEXT_TOO_LONG = "Nội dung trả lời dài quá {limit} ký tự. Hãy rút gọn rồi gửi lại."
TRALOI_ACTION_PUBLISH = "Công bố"
TRALOI_ACTION_CANCEL = "Hủy"
TRALOI_CANCELLED = "Đã bỏ câu trả lời đang soạn."
TRALOI_NOT_FOUND = "Không có câu hỏi mã {id} trong nhật ký câu hỏi."
TRALOI_OUTSIDE = "Câu hỏi này không phải của đảng viên trong đơn vị đồng chí phụ trách."
TRALOI_NO_UNITS = "Chưa có đơn vị nào: tạo đơn vị trước (/taodonvi) để câu trả lời có đơn vị đứng tên."
TRALOI_ALREADY_ANSWERED = "Câu hỏi này đã được trả lời được, không cần trả lời chính thức."
TRALOI_DRAFT_GONE = "Câu trả lời này không còn ở bước chờ công bố (đã công bố hoặc đã hủy)."
TRALOI_PUBLISHED = "Đã công bố câu trả lời chính thức #{id}; đang gửi tới {askers} người đã hỏi."
TRALOI_IN_STORE = "Câu trả lời đã vào kho văn bản: câu hỏi tương tự từ nay được trả lời từ đó."
TRALOI_STORE_BUSY = (
    "Kho văn bản đang được cập nhật bởi một lần lập chỉ mục khác: câu trả lời sẽ vào kho ngay "
    "khi lần đó xong (tự động thử lại)."
)
TRALOI_STORE_LATER = (
    "Chưa đưa được câu trả lời vào kho lúc này; sẽ tự động thử lại. Người đã hỏi vẫn nhận được "
    "câu trả lời."
)
# What a member who asked is sent (and what the knowledge base quotes).
NOTICE = (
    "Câu hỏi của đồng chí «{question}» nay đã có trả lời chính thức của {unit} (ngày {date}):\n\n"
    "{text}\n\nCăn cứ: {source}."
)
OFFICIAL_ENTRY = "Hỏi: {question}\nTrả lời: {text}\nCăn cứ: {source}."
REPORT_CODE = " (mã {id})"
