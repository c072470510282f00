"""The lexicon files (bundled and officers' own) and what the expander makes of questions."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from knowledge.expansion import Expansion, QueryExpander, key_terms
from knowledge.lexicon_files import (
    BUNDLED_DIR, Condition, Lexicon, bundled_files, check_files, load_lexicon,
)
from knowledge.text import fold


@pytest.fixture(scope="module")
def bundled() -> Lexicon:
    lexicon, problems = check_files(bundled_files())
    assert problems == []
    return lexicon


@pytest.fixture(scope="module")
def expander(bundled: Lexicon) -> QueryExpander:
    return QueryExpander(bundled)


def alternatives(expansion: Expansion, kind: str | None = None) -> dict[str, tuple[str, ...]]:
    """Question words (folded, joined) -> the phrases found for them (of one kind)."""
    out: dict[str, tuple[str, ...]] = {}
    for alt in expansion.alternatives:
        if kind is not None and alt.kind != kind:
            continue
        key = " ".join(expansion.words[alt.start : alt.end])
        out[key] = out.get(key, ()) + (alt.text,)
    return out


def test_bundled_files_are_the_two_kinds_with_their_sources(bundled: Lexicon) -> None:
    assert [p.name for p in bundled_files()] == ["cach-noi.tsv", "viet-tat.tsv"]
    assert len(bundled.abbreviations) >= 150 and len(bundled.wordings) >= 500
    for path in bundled_files():
        head = path.read_text(encoding="utf-8")[:3000]
        assert "Nguồn" in head  # each file names where its entries come from
    assert "66-QĐ/TW" in (BUNDLED_DIR / "viet-tat.tsv").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("short", "full"),
    [
        ("NQ", "nghị quyết"), ("KL", "kết luận"), ("HD", "hướng dẫn"), ("KH", "kế hoạch"),
        ("TW", "Trung ương"), ("BCH", "Ban Chấp hành"), ("BTV", "Ban Thường vụ"),
        ("BBT", "Ban Bí thư"), ("BCT", "Bộ Chính trị"), ("BTG", "Ban Tuyên giáo"),
        ("UBND", "Ủy ban nhân dân"), ("HĐND", "Hội đồng nhân dân"), ("MTTQ", "Mặt trận Tổ quốc"),
        ("ĐTN", "Đoàn Thanh niên"), ("KT-XH", "kinh tế - xã hội"), ("CNXH", "chủ nghĩa xã hội"),
        ("TTHCM", "tư tưởng Hồ Chí Minh"),
    ],
)
def test_the_fields_abbreviations_expand_both_ways(
    expander: QueryExpander, short: str, full: str
) -> None:
    for question in (f"{short} là gì", fold(f"{short} là gì")):
        assert alternatives(expander.expand(question)) == {fold(short).replace("-", " "): (full,)}
    # and the full form, accented or not, also looks for the abbreviation
    for question in (f"{full} là gì", fold(f"{full} là gì")):
        found = alternatives(expander.expand(question))
        assert short in found[" ".join(fold(full).replace("-", " ").split())]


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("QĐ 294 nói gì", {"qd": ("quyết định", "quy định")}),
        ("CT 05 yêu cầu gì", {"ct": ("chỉ thị",)}),
        ("CT12 yêu cầu gì", {}),  # a glued number is a document number, read by docnumbers
        ("CT UBND xã có nhiệm vụ gì", {"ct": ("chủ tịch",), "ubnd": ("Ủy ban nhân dân",)}),
        ("ct hdnd huyen", {"ct": ("chủ tịch",), "hdnd": ("Hội đồng nhân dân",)}),
        ("CT về chuyển đổi số", {"chuyen doi so": ("CĐS",)}),  # CT alone: neither meaning
        ("TB 25 của huyện ủy", {"tb": ("thông báo",)}),
        ("TB của huyện ủy", {}),
        ("CV 150 đôn đốc gì", {"cv": ("công văn",)}),
        ("ĐU xã", {"du": ("Đảng ủy",)}),
        ("du lịch xã", {}),  # the syllable "du", not the capitals "ĐU"
        ("HU Bến Lức", {"hu": ("Huyện ủy",)}),
        ("TU chỉ đạo gì", {"tu": ("Tỉnh ủy", "Thành ủy")}),
        ("TƯ chỉ đạo gì", {"tu": ("Trung ương",)}),
        ("TU CHI DAO GI", {"tu": ("Trung ương", "Tỉnh ủy", "Thành ủy")}),  # no marks: either
        ("tu chi dao gi", {}),
    ],
)
def test_ambiguous_abbreviations_take_the_meaning_their_context_says(
    expander: QueryExpander, question: str, expected: dict[str, tuple[str, ...]]
) -> None:
    assert alternatives(expander.expand(question), "abbreviation") == expected


@pytest.mark.parametrize(
    ("question", "words", "official"),
    [
        ("họp chi bộ mấy lần một tháng", "hop chi bo", "sinh hoạt chi bộ"),
        ("hop chi bo may lan mot thang", "hop chi bo", "sinh hoạt chi bộ"),
        ("học nghị quyết thế nào", "hoc nghi quyet", "quán triệt nghị quyết"),
        ("bao giờ phải nộp báo cáo", "nop bao cao", "gửi báo cáo"),
        ("lấy chồng cần giấy tờ gì", "lay chong", "kết hôn"),
        ("ly di thi chia tai san the nao", "ly di", "ly hôn"),
        ("bị đuổi việc thì sao", "bi duoi viec", "bị sa thải"),
        ("bị đuổi việc thì sao", "bi duoi viec", "đơn phương chấm dứt hợp đồng lao động"),
        ("làm sổ đỏ ở đâu", "lam so do", "cấp giấy chứng nhận quyền sử dụng đất"),
    ],
)
def test_everyday_wording_finds_the_official_phrases(
    expander: QueryExpander, question: str, words: str, official: str
) -> None:
    assert official in alternatives(expander.expand(question))[words]


def test_the_longest_everyday_phrase_wins(expander: QueryExpander) -> None:
    found = alternatives(expander.expand("bị đuổi việc thì sao"))
    assert "duoi viec" not in found and "bi duoi viec" in found


def test_one_syllable_phrases_need_the_marks(expander: QueryExpander) -> None:
    assert alternatives(expander.expand("sếp bắt làm thêm"))["sep"] == ("người sử dụng lao động",)
    # without marks "sep" could be another syllable: not read as "sếp"
    assert "sep" not in alternatives(expander.expand("sep bat lam them"))


def test_phrases_that_fold_alike_are_not_expanded_without_marks(expander: QueryExpander) -> None:
    # "bảo hành" (warranty) and "bạo hành" (violence) are both in the lexicon
    assert "thời hạn bảo hành" in alternatives(expander.expand("bảo hành tủ lạnh"))["bao hanh"]
    assert "bạo lực gia đình" in alternatives(expander.expand("bạo hành trẻ em"))["bao hanh"]
    assert "bao hanh" not in alternatives(expander.expand("bao hanh tu lanh"))


def test_an_alternative_the_question_already_says_is_not_added(expander: QueryExpander) -> None:
    assert alternatives(expander.expand("làm thêm vào ngày lễ"))["lam them"] == ("làm thêm giờ",)
    # "làm thêm giờ" already holds every term of the alternative
    assert "lam them" not in alternatives(expander.expand("làm thêm giờ vào ngày lễ"))


def test_phrases_that_ask_only_count_for_the_threshold(expander: QueryExpander) -> None:
    expansion = expander.expand("bao giờ phải nộp báo cáo")
    kinds = {alt.text: alt.kind for alt in expansion.alternatives}
    assert kinds["thời hạn"] == "question" and kinds["gửi báo cáo"] == "wording"
    assert expansion.texts("wording") == ["gửi báo cáo", "báo cáo về"]
    assert ("thoi_han",) in expansion.coverage_alternatives()["gio"]


def test_key_terms_are_bigrams_of_a_phrase_or_its_one_syllable() -> None:
    assert key_terms("sa thải") == ("sa_thai",)
    assert key_terms("Ủy ban nhân dân") == ("uy_ban", "ban_nhan", "nhan_dan")
    assert key_terms("NQ") == ("nq",)


def test_coverage_alternatives_stand_for_each_word_of_the_phrase(expander: QueryExpander) -> None:
    expansion = expander.expand("đăng nghị quyết ở đâu")
    assert expansion.coverage_alternatives()["nghi"] == [("nq",)]
    assert expansion.coverage_alternatives()["quyet"] == [("nq",)]


def test_a_pasted_page_is_expanded_within_a_bound(expander: QueryExpander) -> None:
    page = " ".join(["họp chi bộ, nộp báo cáo, UBND, HĐND, bị đuổi việc, sổ đỏ"] * 40)
    assert len(expander.expand(page).alternatives) <= 32


OFFICERS_FILE = (
    "# Chữ viết tắt riêng của tỉnh (thử nghiệm)\n"
    "viết tắt\tdạng đầy đủ\tđiều kiện\tghi chú\n"
    "BCĐ35\tBan Chỉ đạo 35\n"
    "XYZ\t\n"  # no full form: skipped
    "ABC\tan bình cơ\tsau số\n"  # unknown condition: skipped
    "TTVH\ttrung tâm văn hóa\n"
)


def test_an_officers_file_extends_the_lexicon_and_bad_rows_are_skipped(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    extra = tmp_path / "viet-tat-tinh.tsv"
    extra.write_text(OFFICERS_FILE, encoding="utf-8")
    with caplog.at_level(logging.WARNING, logger="knowledge.lexicon_files"):
        lexicon = load_lexicon([*bundled_files(), extra])
    warnings = [r.getMessage() for r in caplog.records]
    assert any("viet-tat-tinh.tsv:4:" in w for w in warnings)
    assert any("viet-tat-tinh.tsv:5:" in w and "sau số" in w for w in warnings)
    expander = QueryExpander(lexicon)
    assert alternatives(expander.expand("TTVH xã ở đâu")) == {"ttvh": ("trung tâm văn hóa",)}
    assert "trung tam van hoa" in alternatives(expander.expand("trung tâm văn hóa xã"))
    # the bundled entries still work beside the officer's
    assert alternatives(expander.expand("NQ 57")) == {"nq": ("nghị quyết",)}


def test_wording_file_of_an_officer(tmp_path: Path) -> None:
    extra = tmp_path / "cach-noi-tinh.tsv"
    extra.write_text(
        "cách nói thường ngày\tcách nói trong văn bản\n"
        "đi họp tổ\tsinh hoạt tổ đảng; họp tổ đảng\n"
        "đóng quỹ\tđóng góp quỹ\n",
        encoding="utf-8",
    )
    expander = QueryExpander(load_lexicon([extra]))
    assert alternatives(expander.expand("di hop to luc nao")) == {
        "di hop to": ("sinh hoạt tổ đảng", "họp tổ đảng"),
    }


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        ("NQ\tnghị quyết\n", "header row must start with"),
        ("# chỉ chú thích\n", "no header row"),
        (b"\xff\xfe\x00bad".decode("latin-1"), "header row must start with"),
    ],
)
def test_unusable_files_are_reported_not_fatal(tmp_path: Path, content: str, problem: str) -> None:
    path = tmp_path / "x.tsv"
    path.write_text(content, encoding="utf-8")
    lexicon, problems = check_files([path, tmp_path / "missing.tsv"])
    assert lexicon == Lexicon()
    assert any(problem in p for p in problems)
    assert any("missing.tsv" in p and "cannot be read" in p for p in problems)


def test_condition_before_words_are_read_folded() -> None:
    from knowledge.lexicon_files import _condition

    assert _condition("trước: UBND, thị trấn") == Condition("before", (("ubnd",), ("thi", "tran")))
    assert _condition("Trước số") == Condition("number")
    assert _condition("VIẾT HOA") == Condition("capitals")
