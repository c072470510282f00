"""How an answer reads in Vietnamese: what knowledge/answers.py phrases itself (the notice
for a document number not in the store, the "…" of an excerpt, `Answer.text` for the CLI's
`ask`) and what every renderer of an answer shares (bot/messages.py re-exports these, so the
bot's text stays in one place and an answer reads the same in the terminal and the chats).
"""

from __future__ import annotations

from datetime import date

NOT_FOUND = (
    "Trợ lý chưa tìm thấy nội dung này trong kho văn bản hiện có, nên không trả lời để tránh "
    "trích dẫn sai."
)
NOT_FOUND_HINTS_LEAD = "Đồng chí có thể hỏi lại:"


def not_found_hints(examples: tuple[str, ...] | list[str] = ()) -> str:
    """How to ask again; `examples` are labels of documents in the store ("Chỉ thị 12-CT/TU",
    "Kế hoạch 35"), never documents the store does not have."""
    named = "• nêu số hiệu hoặc tên văn bản"
    if examples:
        named += " (ví dụ: " + ", ".join(f"«{e}»" for e in examples) + ")"
    return (
        f"{NOT_FOUND_HINTS_LEAD}\n{named};\n"
        "• có thể viết tắt như trong văn bản (NQ, CT, UBND…) hoặc dùng từ ngữ của văn bản "
        "(ví dụ: «sinh hoạt chi bộ» thay cho «họp chi bộ», «học tập, quán triệt nghị quyết» "
        "thay cho «học nghị quyết»);\n"
        "• hỏi ngắn gọn, mỗi lần một ý."
    )


ANSWER_INTRO = "Theo văn bản trong kho, các đoạn liên quan nhất:"
SOURCES = "Nguồn trích dẫn"
OMITTED = "…"
MAYBE_RELATED = "Các đoạn dưới đây có thể liên quan:"  # after a notice, when quoting
CLOSEST_DOCUMENTS = "Các văn bản gần nhất đang có trong kho:"
NOT_IN_STORE_HINT = "Gõ /moi để xem các văn bản mới nhất trong kho, hoặc hỏi về văn bản đang có."


def number_not_in_store(numbers: list[str]) -> str:
    joined = "», «".join(numbers)
    return (
        f"Kho văn bản hiện chưa có văn bản «{joined}», nên trợ lý không trả lời từ các văn bản "
        "khác để tránh trích dẫn sai."
    )


def issued_on(day: date) -> str:
    return f"ngày {day.day:02d}/{day.month:02d}/{day.year}"


def adds_title(label: str, title: str | None) -> bool:
    """Whether a citation names «title» after the document's label: not when the label is the
    title, nor when it already holds it ("Hiến pháp «Nước Cộng hòa…»", DocumentMeta.label)."""
    return bool(title) and title != label and f"«{title}»" not in label


def section_label(section: str) -> str:
    return f"mục {section}"


_TRAILING_SEPARATORS = " ,;:–-"


def cite_section(section: str) -> str:
    """Where a quoted passage sits, as the document's own structure names it: "Điều 5,
    khoản 2, điểm a" in a law or charter (an article's number is unique, so its chapter is
    left out), "mục II, 1.2, điểm a" in a Party document, "mục II. NHIỆM VỤ" for one level."""
    from knowledge.passages import section_levels

    levels = section_levels(section)
    if not levels:
        return ""
    # A heading cut where its printed line wrapped ("CHƯƠNG II. QUYỀN CON NGƯỜI,") must not
    # put a second comma into the citation line, whose parts are joined by ", ".
    section = section.rstrip(_TRAILING_SEPARATORS)
    if len(levels) == 1 and levels[0][0] in ("chuong", "phan", "muc"):
        return section  # "Chương I. CHẾ ĐỘ CHÍNH TRỊ"
    if len(levels) == 1 and levels[0][0] != "dieu":
        return section_label(section)
    kinds = [kind for kind, _ in levels]
    if "dieu" in kinds:
        levels = levels[kinds.index("dieu") :]
        words = {"dieu": "Điều {}", "num": "khoản {}", "letter": "điểm {}", "text": "{}"}
    else:
        words = {"phan": "Phần {}", "chuong": "Chương {}", "muc": "Mục {}", "letter": "điểm {}",
                 "thu": "{}", "roman": "{}", "alpha": "{}", "num": "{}", "text": "{}"}
    parts: list[str] = []
    named = False  # "mục" goes before the first numbered part of a Party document
    for i, (kind, label) in enumerate(levels):
        following = levels[i + 1] if i + 1 < len(levels) else None
        if kind == "num" and following and following[0] == "num" and following[1].startswith(label + "."):
            continue  # "1.2" already says it is in 1
        part = words.get(kind, "{}").format(label.lower() if kind == "phan" else label)
        if "dieu" not in kinds and not named and kind in ("roman", "alpha", "num", "thu", "letter", "text"):
            part, named = f"mục {part}", True
        parts.append(part.rstrip(_TRAILING_SEPARATORS))
    return ", ".join(parts)
