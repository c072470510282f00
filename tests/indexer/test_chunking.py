from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from indexer.chunking import chunk_document
from knowledge.outline import document_outline
from knowledge.passages import Chunk
from knowledge.text import normalize

SEEDS = Path(__file__).resolve().parents[2].parent / "shared" / "seeds"


def words(text: str) -> int:
    return len(text.split())


def chunk(text: str, max_tokens: int = 200) -> list[Chunk]:
    return chunk_document("doc.txt", text, max_tokens=max_tokens, count_tokens=words)


def heading_of(chunks: list[Chunk], needle: str) -> tuple[str, ...]:
    [found] = [c for c in chunks if needle in c.text]
    return found.headings


def check_invariants(chunks: list[Chunk], text: str, max_tokens: int) -> None:
    assert [c.ordinal for c in chunks] == list(range(len(chunks)))
    assert all(c.doc_id == "doc.txt" for c in chunks)
    assert all(c.text.strip() for c in chunks)
    assert all(words(c.text) <= max_tokens for c in chunks)
    # no text lost, none repeated: the chunks' words are the document's words, in order
    assert " ".join(c.text for c in chunks).split() == text.split()


PLAN = """BAN TUYÊN GIÁO TỈNH ỦY
Số 25-KH/BTGTU
KẾ HOẠCH
tuyên truyền năm 2022
I. MỤC ĐÍCH, YÊU CẦU
1. Nâng cao nhận thức của cán bộ, đảng viên.
2. Bảo đảm thiết thực, hiệu quả.
II. NHIỆM VỤ
1. Tổ chức học tập
a) Ở cấp tỉnh: tổ chức hội nghị trực tuyến.
b) Ở cấp huyện: tổ chức lớp học tập trung.
2. Đổi mới nội dung, phương thức tuyên truyền, bảo đảm phù hợp với từng đối tượng và địa bàn
Thứ nhất, tập trung kiện toàn tổ chức bộ máy.
Thứ hai, đầu tư cơ sở vật chất, trang thiết bị hiện đại.
Doanh thu từ dịch vụ đạt
15.5 triệu đồng trong năm 2024. Kết quả tốt.
III. TỔ CHỨC THỰC HIỆN
Ban Tuyên giáo Tỉnh ủy chủ trì, theo dõi, đôn đốc.
"""


def test_heading_paths_roman_numbered_lettered_and_thu() -> None:
    chunks = chunk(PLAN, max_tokens=12)
    check_invariants(chunks, PLAN, 12)
    assert chunks[0].headings == ()
    assert chunks[0].text.startswith("BAN TUYÊN GIÁO TỈNH ỦY\nSố 25-KH/BTGTU")
    point_a = "a) Ở cấp tỉnh: tổ chức hội nghị trực tuyến."
    assert heading_of(chunks, "Ở cấp tỉnh") == ("II. NHIỆM VỤ", "1. Tổ chức học tập", point_a)
    assert heading_of(chunks, "Ở cấp huyện")[:2] == ("II. NHIỆM VỤ", "1. Tổ chức học tập")
    long_item = "2. Đổi mới nội dung, phương thức tuyên truyền, bảo đảm phù…"
    assert len(long_item) <= 61
    assert heading_of(chunks, "kiện toàn") == ("II. NHIỆM VỤ", long_item, "Thứ nhất")
    assert heading_of(chunks, "cơ sở vật chất") == ("II. NHIỆM VỤ", long_item, "Thứ hai")
    # "15.5 triệu" and "2024." inside a line are text, not items: they stay under "Thứ hai"
    assert heading_of(chunks, "15.5 triệu") == ("II. NHIỆM VỤ", long_item, "Thứ hai")
    assert heading_of(chunks, "chủ trì") == ("III. TỔ CHỨC THỰC HIỆN",)


def test_heading_line_stays_in_the_text() -> None:
    chunks = chunk(PLAN, max_tokens=12)
    assert any(c.text.split("\n")[0] == "III. TỔ CHỨC THỰC HIỆN" for c in chunks)
    assert any(c.text.startswith("Thứ nhất, tập trung") for c in chunks)


def test_small_sections_are_packed_under_their_common_parent() -> None:
    chunks = chunk(PLAN, max_tokens=200)
    check_invariants(chunks, PLAN, 200)
    # header block alone; then each top-level section whole, its parts packed together
    assert [c.headings for c in chunks] == [
        (),
        ("I. MỤC ĐÍCH, YÊU CẦU",),
        ("II. NHIỆM VỤ",),
        ("III. TỔ CHỨC THỰC HIỆN",),
    ]
    assert "1. Nâng cao nhận thức" in chunks[1].text and "2. Bảo đảm thiết thực" in chunks[1].text
    # the header block never merges with the first section
    assert "I. MỤC ĐÍCH" not in chunks[0].text


def test_packing_keeps_the_deepest_common_path() -> None:
    text = (
        "II. NHIỆM VỤ\n"
        "Các cấp ủy tập trung lãnh đạo, chỉ đạo thực hiện tốt các nhiệm vụ sau đây trong năm.\n"
        "1. Tổ chức học tập\n"
        "a) Ở cấp tỉnh: tổ chức hội nghị trực tuyến.\n"
        "b) Ở cấp huyện: tổ chức lớp học.\n"
    )
    chunks = chunk(text, max_tokens=24)
    check_invariants(chunks, text, 24)
    assert [c.headings for c in chunks] == [("II. NHIỆM VỤ",), ("II. NHIỆM VỤ", "1. Tổ chức học tập")]
    # the heading "1." went with its points rather than alone at the end of the first chunk
    assert chunks[1].text.startswith("1. Tổ chức học tập\na) Ở cấp tỉnh")
    assert "Ở cấp huyện" in chunks[1].text


LAW = """QUY ĐỊNH
về những điều đảng viên không được làm
Chương I
QUY ĐỊNH CHUNG
Điều 1. Phạm vi điều chỉnh
Quy định này quy định những điều đảng viên không được làm.
Điều 2. Đối tượng áp dụng
Đảng viên trong toàn Đảng.
Chương II
QUYỀN VÀ NGHĨA VỤ
Mục 1
QUYỀN CỦA ĐẢNG VIÊN
Điều 5. Quyền của đảng viên
1. Được thông tin và thảo luận các vấn đề về Cương lĩnh chính trị.
2. Ứng cử, đề cử và bầu cử cơ quan lãnh đạo các cấp của Đảng.
Điều 6. Nghĩa vụ của đảng viên
Tuyệt đối trung thành với mục đích lý tưởng cách mạng của Đảng.
"""


def test_chuong_muc_dieu_paths() -> None:
    chunks = chunk(LAW, max_tokens=10)
    check_invariants(chunks, LAW, 10)
    assert heading_of(chunks, "Phạm vi điều chỉnh") == ("Chương I. QUY ĐỊNH CHUNG", "Điều 1. Phạm vi điều chỉnh")
    assert heading_of(chunks, "Được thông tin") == (
        "Chương II. QUYỀN VÀ NGHĨA VỤ",
        "Mục 1. QUYỀN CỦA ĐẢNG VIÊN",
        "Điều 5. Quyền của đảng viên",
        "1. Được thông tin và thảo luận các vấn đề về Cương lĩnh…",
    )
    # a new Điều closes the numbered items of the previous one
    assert heading_of(chunks, "Tuyệt đối trung thành") == (
        "Chương II. QUYỀN VÀ NGHĨA VỤ",
        "Mục 1. QUYỀN CỦA ĐẢNG VIÊN",
        "Điều 6. Nghĩa vụ của đảng viên",
    )
    assert any(c.text.startswith("Điều 5. Quyền của đảng viên") for c in chunks)


def test_long_section_split_at_sentences_each_part_keeps_the_path() -> None:
    sentence = "Cấp ủy các cấp tăng cường lãnh đạo công tác tuyên truyền miệng ở cơ sở."
    text = "I. NHIỆM VỤ\n1. Tuyên truyền miệng\n" + " ".join([sentence] * 30)
    text += "\nII. KHEN THƯỞNG\nBiểu dương kịp thời."
    chunks = chunk(text, max_tokens=50)
    check_invariants(chunks, text, 50)
    parts = [c for c in chunks if "tuyên truyền miệng ở cơ sở" in c.text]
    assert len(parts) >= 6
    assert all(c.headings == ("I. NHIỆM VỤ", "1. Tuyên truyền miệng") for c in parts[1:])
    # cut at sentence ends while sentences fit
    assert all(c.text.rstrip().endswith(".") for c in parts)
    assert chunks[-1].headings == ("II. KHEN THƯỞNG",)


def test_monster_sentence_split_at_words() -> None:
    text = "Thứ nhất, " + " ".join(f"từ{i}" for i in range(500))
    chunks = chunk(text, max_tokens=37)
    check_invariants(chunks, text, 37)
    assert all(c.headings == ("Thứ nhất",) for c in chunks)
    assert sum(words(c.text) == 37 for c in chunks) >= len(chunks) - 1  # filled to the limit


def test_token_counter_is_called_sparingly() -> None:
    calls = 0

    def counting(text: str) -> int:
        nonlocal calls
        calls += 1
        return words(text)

    body = "\n".join(f"{n}. Nội dung số {n} của kế hoạch tuyên truyền." for n in range(1, 201))
    text = "I. NHIỆM VỤ\n" + body
    chunks = chunk_document("doc.txt", text, max_tokens=100, count_tokens=counting)
    check_invariants(chunks, text, 100)
    # about one count per section plus one confirmation per packed chunk
    assert calls <= 201 + len(chunks) + 5


def test_weekday_and_plain_numbers_are_not_headings() -> None:
    text = "Thứ Tư, 10/8/2022 6:00\n3 năm qua, chi bộ có 15 đảng viên.\n2024. Năm bản lề.\nC. Mác đã viết."
    chunks = chunk(text)
    assert [c.headings for c in chunks] == [()]


def test_empty_document_has_no_chunks() -> None:
    assert chunk("") == []
    assert chunk("\n \n") == []


def test_seeds_chunk_without_losing_text() -> None:
    if not SEEDS.is_dir():
        pytest.skip("shared seeds not present")
    paths = sorted(SEEDS.glob("*.txt"))
    if not paths:
        pytest.skip("no seed articles")
    for path in paths:
        text = normalize(path.read_text(encoding="utf-8"))
        for limit in (40, 120, 400):
            chunks = chunk_document(path.name, text, max_tokens=limit, count_tokens=words)
            assert chunks, path.name
            assert [c.ordinal for c in chunks] == list(range(len(chunks)))
            assert all(c.text.strip() and words(c.text) <= limit for c in chunks)
            assert Counter(" ".join(c.text for c in chunks).split()) == Counter(text.split()), path.name
    # "Thứ nhất, ..." paragraphs of the Đắk Lắk article become citable sections
    dak_lak = SEEDS / "000_0dfad15aa9fa3ad3.txt"
    if dak_lak.exists():
        text = normalize(dak_lak.read_text(encoding="utf-8"))
        chunks = chunk_document(dak_lak.name, text, max_tokens=120, count_tokens=words)
        paths = list(dict.fromkeys(c.headings for c in chunks))
        assert paths[:4] == [(), ("Thứ nhất",), ("Thứ hai",), ("Thứ ba",)]
        # With room to spare, root-level list items pack together and cite their range.
        chunks = chunk_document(dak_lak.name, text, max_tokens=400, count_tokens=words)
        assert chunks[0].headings == ("Thứ nhất–Thứ hai",)


def test_root_level_items_pack_but_divisions_stay_apart() -> None:
    article = "\n".join([
        "Phạm vi điều chỉnh",
        "1. Bộ luật này quy định địa vị pháp lý của cá nhân.",
        "2. Quan hệ dân sự được xác lập trên cơ sở bình đẳng.",
        "3. Các bên tự do thỏa thuận.",
    ])
    chunks = chunk_document("a", article, max_tokens=200, count_tokens=words)
    assert len(chunks) == 1
    assert chunks[0].headings == ("1.–3.",)
    assert chunks[0].text.startswith("Phạm vi điều chỉnh\n1. Bộ luật")

    divided = "\n".join([
        "I. MỤC ĐÍCH, YÊU CẦU",
        "Nâng cao nhận thức của cán bộ.",
        "II. NHIỆM VỤ",
        "Tổ chức học tập nghị quyết.",
    ])
    chunks = chunk_document("b", divided, max_tokens=200, count_tokens=words)
    assert [c.headings for c in chunks] == [("I. MỤC ĐÍCH, YÊU CẦU",), ("II. NHIỆM VỤ",)]


def test_document_outline_lists_divisions_and_items_even_when_packed_together() -> None:
    text = (
        "CHỈ THỊ\nVề công tác tuyên truyền\n"
        "I. MỤC ĐÍCH, YÊU CẦU\n1. Nâng cao nhận thức.\n2. Bám sát thực tiễn.\n"
        "II. NHIỆM VỤ\n1. Đổi mới nội dung\na) Tuyên truyền sâu rộng.\nb) Phát huy các nhóm Zalo.\n"
        "2. Sinh hoạt chi bộ\nMỗi chi bộ dành một kỳ sinh hoạt.\n"
    )
    assert document_outline(text) == (
        "I. MỤC ĐÍCH, YÊU CẦU",
        "I. MỤC ĐÍCH, YÊU CẦU › 1. Nâng cao nhận thức.",
        "I. MỤC ĐÍCH, YÊU CẦU › 2. Bám sát thực tiễn.",
        "II. NHIỆM VỤ",
        "II. NHIỆM VỤ › 1. Đổi mới nội dung",
        "II. NHIỆM VỤ › 2. Sinh hoạt chi bộ",
    )
    assert "II. NHIỆM VỤ › 1. Đổi mới nội dung › a) Tuyên truyền sâu rộng." in document_outline(
        text, max_depth=3)
    chunks = chunk_document("doc", text, max_tokens=200, count_tokens=lambda t: len(t.split()))
    assert len(chunks) < 6  # items were packed, yet the outline from the chunks is whole
    assert document_outline("\n".join(c.text for c in chunks)) == document_outline(text)


FORM = """I. HỒ SƠ NGƯỜI VÀO ĐẢNG
1. Lý lịch của người vào Đảng
Lý lịch ghi đủ các mục sau:
1. Họ và tên đang dùng
2. Ngày tháng năm sinh
10. Thành phần gia đình
Ghi theo thành phần của bố mẹ đẻ.
2. Đơn xin vào Đảng
Người vào Đảng tự viết đơn.
II. THỦ TỤC XEM XÉT
Chi bộ họp xét và biểu quyết.
a) Chi ủy báo cáo.
b) Đảng viên thảo luận.
c) Chi bộ ra nghị quyết.
"""


def test_levels_follow_the_numbering_scheme() -> None:
    chunks = chunk(FORM, max_tokens=8)
    check_invariants(chunks, FORM, 8)
    # a form's own item list nests in the item that describes it ...
    assert heading_of(chunks, "bố mẹ đẻ") == (
        "I. HỒ SƠ NGƯỜI VÀO ĐẢNG", "1. Lý lịch của người vào Đảng", "10. Thành phần gia đình"
    )
    # ... and the next item of the outer list closes it
    assert heading_of(chunks, "tự viết đơn") == ("I. HỒ SƠ NGƯỜI VÀO ĐẢNG", "2. Đơn xin vào Đảng")
    # "10." never holds the next Roman part
    assert heading_of(chunks, "biểu quyết") == ("II. THỦ TỤC XEM XÉT",)
    assert heading_of(chunks, "ra nghị quyết") == ("II. THỦ TỤC XEM XÉT", "c) Chi bộ ra nghị quyết.")
