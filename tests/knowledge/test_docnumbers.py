from __future__ import annotations

from pathlib import Path

import pytest

from knowledge.docnumbers import (
    DOC_TYPES,
    NumberRef,
    canonical_number,
    find_numbers,
    parse_number,
    parse_number_refs,
    type_code,
    type_name,
)
from knowledge.text import normalize

SEEDS = Path(__file__).resolve().parents[2].parent / "shared" / "seeds"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("05-CT/TW", "05-CT/TW"),
        ("05 - CT/TW", "05-CT/TW"),
        ("05 – CT / TW", "05-CT/TW"),
        ("số 57-NQ/TW", "57-NQ/TW"),
        ("Số: 238-QĐ/TW", "238-QĐ/TW"),
        ("25-kh/btgtu", "25-KH/BTGTU"),
        ("04-đa/tu", "04-ĐA/TU"),
        ("15-ttr/tu", "15-TTr/TU"),
        ("91/2015/QH13", "91/2015/QH13"),
        ("01/VBHN-VPQH", "01/VBHN-VPQH"),
        ("30/2020/NĐ-CP", "30/2020/NĐ-CP"),
        ("15/2023/TT-BTTTT", "15/2023/TT-BTTTT"),
        ("123/QĐ-TTg", "123/QĐ-TTg"),
        ("Chỉ thị 05-CT/TW ngày 15/5/2016", "05-CT/TW"),
    ],
)
def test_canonical_number(raw: str, expected: str) -> None:
    assert canonical_number(raw) == expected


def test_canonical_number_of_nfd_input_keeps_the_composed_letter() -> None:
    import unicodedata

    assert canonical_number(unicodedata.normalize("NFD", "238-QĐ/TW")) == "238-QĐ/TW"


@pytest.mark.parametrize("raw", ["", "năm 2024", "ngày 10/1/2022", "Điều 5", "2020-2025", "90%", "chỉ thị 05"])
def test_canonical_number_rejects_what_is_not_a_number(raw: str) -> None:
    assert canonical_number(raw) is None


def test_doc_types_cover_the_usual_codes() -> None:
    for code in ("NQ", "CT", "KL", "QĐ", "HD", "KH", "ĐA", "TB", "CV", "BC", "TTr", "QC", "CTr", "NĐ", "TT"):
        assert code in DOC_TYPES
    assert DOC_TYPES["NQ"] == "Nghị quyết"
    assert DOC_TYPES["CT"] == "Chỉ thị"
    assert type_name("qd") == type_name("QĐ") == "Quyết định"
    assert type_code("Quy định") == type_code("quyet dinh") == "QD"
    assert type_code("Đề án") == "DA"
    assert type_code("Luật") == "L"
    assert type_code("Hội nghị") is None


def test_parse_number_structure() -> None:
    assert parse_number("05-CT/TW") == NumberRef("5", "CT", "TW")
    assert parse_number("238-QĐ/TW") == NumberRef("238", "QD", "TW")
    assert parse_number("30/2020/NĐ-CP") == NumberRef("30", "ND", "CP", "2020")
    assert parse_number("91/2015/QH13") == NumberRef("91", None, "QH13", "2015")
    assert parse_number("không phải số hiệu") is None


@pytest.mark.parametrize(
    ("query", "serial", "code", "issuer"),
    [
        ("chỉ thị 05 nói gì", "5", "CT", None),
        ("chi thi 05 noi gi", "5", "CT", None),
        ("CHỈ THỊ SỐ 05", "5", "CT", None),
        ("CT 05", "5", "CT", None),
        ("ct05", "5", "CT", None),
        ("05/CT-TW", "5", "CT", "TW"),
        ("NQ57", "57", "NQ", None),
        ("nghị quyết số 57-NQ/TW về khoa học", "57", "NQ", "TW"),
        ("nghi quyet so 57-nq/tw", "57", "NQ", "TW"),
        ("nghi quyet 57", "57", "NQ", None),
        ("57-NQ/TW", "57", "NQ", "TW"),
        ("57 NQ TW", "57", "NQ", "TW"),
        ("NQ 57/TW", "57", "NQ", "TW"),
        ("quy định 238", "238", "QD", None),
        ("quy dinh 238", "238", "QD", None),
        ("QĐ 238", "238", "QD", None),
        ("qd238", "238", "QD", None),
        ("kết luận 01", "1", "KL", None),
        ("ket luan so 01", "1", "KL", None),
        ("Nghị quyết 21", "21", "NQ", None),
        ("Đề án 04", "4", "DA", None),
        ("ĐA 04", "4", "DA", None),
        ("kế hoạch 25-KH/BTGTU", "25", "KH", "BTGTU"),
        ("Nghị quyết 57 năm 2024 có gì mới", "57", "NQ", None),
        ("NQ 57 từ năm 2024", "57", "NQ", None),
    ],
)
def test_loose_query_forms(query: str, serial: str, code: str, issuer: str | None) -> None:
    assert parse_number_refs(query) == [NumberRef(serial, code, issuer)]


def test_full_state_numbers_in_queries() -> None:
    assert parse_number_refs("91/2015/QH13") == [NumberRef("91", None, "QH13", "2015")]
    assert parse_number_refs("luật số 91/2015/QH13") == [NumberRef("91", "L", "QH13", "2015")]
    assert parse_number_refs("nghị định 30/2020/NĐ-CP") == [NumberRef("30", "ND", "CP", "2020")]
    assert parse_number_refs("01/VBHN-VPQH") == [NumberRef("1", "VBHN", "VPQH")]


def test_several_references_in_order_without_repeats() -> None:
    refs = parse_number_refs("So sánh nghị quyết 57 với chỉ thị 05-CT/TW và NQ57")
    assert refs == [NumberRef("57", "NQ", None), NumberRef("5", "CT", "TW")]


def test_nfd_query() -> None:
    import unicodedata

    assert parse_number_refs(unicodedata.normalize("NFD", "Quy định 238")) == [NumberRef("238", "QD", None)]


@pytest.mark.parametrize(
    "query",
    [
        "năm 2024",
        "ngày 15",
        "Điều 5",
        "khoản 2",
        "90%",
        "3 năm",
        "chi bộ có 15 đảng viên",
        "ngày 10/1/2022",
        "kế hoạch 5 năm",
        "hướng dẫn 2 lần",
        "đã 5 năm",
        "da 04",
        "Nghị quyết Trung ương 4 khóa XII",
        "tăng 15.5 triệu đồng",
        "có 5 chỉ thị mới",
        "",
    ],
)
def test_no_false_positives(query: str) -> None:
    assert parse_number_refs(query) == []


def test_matches() -> None:
    [ct] = parse_number_refs("chỉ thị 05")
    assert ct.matches("05-CT/TW", "Chỉ thị")
    assert ct.matches("05-CT/TU")  # no issuer given: any issuer
    assert not ct.matches("05-NQ/TW", "Nghị quyết")
    assert not ct.matches("50-CT/TW")
    assert not ct.matches(None)

    [full] = parse_number_refs("05/CT-TW")
    assert full.matches("05-CT/TW")
    assert not full.matches("05-CT/TU")

    [qd] = parse_number_refs("quy định 238")
    assert qd.matches("238-QĐ/TW", "Quy định")
    assert qd.matches("238-QD/TW")  # printed without the mark
    [qd_decision] = parse_number_refs("quyết định 238")
    assert qd_decision.matches("238-QĐ/TW", "Quy định")  # QĐ serves both

    [law] = parse_number_refs("luật 91")
    assert law.matches("91/2015/QH13", "Luật")  # the code comes from the type name
    assert not law.matches("91/2015/QH13", "Nghị định")
    assert law.matches("91/2015/QH13")  # type unknown: serial decides

    [decree] = parse_number_refs("30/2020/NĐ-CP")
    assert decree.matches("30/2020/NĐ-CP", "Nghị định")
    assert not decree.matches("30/2021/NĐ-CP", "Nghị định")


def test_find_numbers_in_text() -> None:
    text = normalize(
        "Thực hiện Chỉ thị số 05-CT/TW và Kết luận số 01-KL/TW, ngày 18-5-2021 của Bộ Chính trị; "
        "Nghị định 30/2020/NĐ-CP; lại nhắc Chỉ thị 05-CT/TW. Tỷ lệ 9/15 huyện, năm 2020-2025."
    )
    assert find_numbers(text) == ["05-CT/TW", "01-KL/TW", "30/2020/NĐ-CP"]


def test_find_numbers_in_seed_articles() -> None:
    if not SEEDS.is_dir():
        pytest.skip("shared seeds not present")
    seed = SEEDS / "004_bc16e9924bb31d45.txt"
    if not seed.exists():
        pytest.skip("seed article not present")
    found = find_numbers(seed.read_text(encoding="utf-8"))
    assert found[:3] == ["08-CT/TU", "489-QĐ/TU", "01-KL/TW"]
    assert "05-CT/TW" in found
    # every number the text prints is also something a query naming it would match
    for number in found:
        ref = parse_number(number)
        assert ref is not None and ref.matches(number)
