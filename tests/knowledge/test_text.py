"""Vietnamese normalisation, folding and lexical terms."""

from __future__ import annotations

import unicodedata

import pytest

from knowledge.text import canonical, fold, has_diacritics, lexical_terms, normalize, spaced_breaks, syllables, unify_tones


def nfd(text: str) -> str:
    return unicodedata.normalize("NFD", text)


def test_nfd_input_becomes_nfc() -> None:
    text = "Nghị quyết về công tác tuyên giáo của Đảng"
    decomposed = nfd(text)
    assert decomposed != text
    assert normalize(decomposed) == text
    assert unicodedata.is_normalized("NFC", normalize(decomposed))


@pytest.mark.parametrize(
    ("written", "canonical_form"),
    [
        ("hoà", "hòa"),
        ("hòa", "hòa"),
        ("thuý", "thúy"),
        ("thúy", "thúy"),
        ("khoẻ", "khỏe"),
        ("khỏe", "khỏe"),
        ("uỷ", "ủy"),
        ("ủy", "ủy"),
        ("tuỳ", "tùy"),
        ("qúa", "quá"),  # a typo, not a style
        ("quá", "quá"),
        ("HOÀ BÌNH", "HÒA BÌNH"),
        ("Uỷ ban Kiểm tra", "Ủy ban Kiểm tra"),
        # syllables whose tone is already where it belongs stay as they are
        ("người", "người"),
        ("quỹ", "quỹ"),
        ("già", "già"),
        ("gìn giữ", "gìn giữ"),
        ("nghiêng", "nghiêng"),
        ("của", "của"),
        ("tiếng Việt", "tiếng Việt"),
    ],
)
def test_tone_marks_meet_on_one_placement(written: str, canonical_form: str) -> None:
    assert canonical(written) == canonical_form
    assert canonical(nfd(written)) == canonical_form
    assert unify_tones(unicodedata.normalize("NFC", written)) == canonical_form


def test_both_placements_meet_for_matching_and_stay_as_written_for_quoting() -> None:
    a = "Ủy ban nhân dân xã Hòa Bình chúc sức khỏe, thúy"
    b = "Uỷ ban nhân dân xã Hoà Bình chúc sức khoẻ, thuý"
    assert a != b
    assert canonical(a) == canonical(b) == a
    # the stored and quoted form keeps the document's own spelling, word for word
    assert normalize(b) == b
    assert normalize(nfd(b)) == b
    assert normalize("huỷ") == "huỷ" and canonical("huỷ") == "hủy"
    # lexical terms meet either way, folded or not
    assert lexical_terms(b, folded=False) == lexical_terms(a, folded=False)
    assert lexical_terms(b, folded=True) == lexical_terms(a, folded=True)


def test_foreign_and_odd_words_are_left_alone() -> None:
    for text in ("Zalo", "Facebook", "COVID-19", "café", "naïve", "x²"):
        assert normalize(text) == unicodedata.normalize("NFC", text)


def test_invisible_characters_and_odd_spaces() -> None:
    assert normalize("chi\u200b bộ") == "chi bộ"
    assert normalize("\ufeffNghị\u200c quyết\u200d\u2060") == "Nghị quyết"
    assert normalize("soft\u00adhyphen") == "softhyphen"
    assert normalize("chi\u00a0bộ") == "chi bộ"
    assert normalize("chi\u2003\u202fbộ\tđảng") == "chi bộ đảng"
    assert normalize("a    b") == "a b"
    # a zero-width character inside a syllable no longer blocks tone placement
    assert normalize("ho\u200bà") == "hoà"
    assert canonical("ho\u200bà") == "hòa"


def test_line_breaks_are_unified_and_controls_dropped() -> None:
    assert normalize("dòng 1\r\ndòng 2\rdòng 3\u2028dòng 4") == "dòng 1\ndòng 2\ndòng 3\ndòng 4"
    assert normalize("a\x00b\x07c\x7f") == "abc"
    assert normalize("") == ""


def test_normalize_is_idempotent() -> None:
    text = nfd("Thuý\u00a0khoẻ,\r\nqúa  hoà\u200b!")
    once = normalize(text)
    assert normalize(once) == once
    assert canonical(canonical(text)) == canonical(text) == canonical(once)


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("Đảng Cộng sản Việt Nam", "dang cong san viet nam"),
        ("ĐỒNG CHÍ", "dong chi"),
        ("nghị quyết số 57-NQ/TW", "nghi quyet so 57-nq/tw"),
        ("thuở ấy, người ươm", "thuo ay, nguoi uom"),
        ("đ Đ", "d d"),
    ],
)
def test_fold_strips_every_mark(text: str, folded: str) -> None:
    assert fold(text) == folded
    assert fold(nfd(text)) == folded
    assert not any(unicodedata.combining(c) for c in unicodedata.normalize("NFD", fold(text)))


def test_has_diacritics() -> None:
    assert has_diacritics("nghị quyết")
    assert has_diacritics("Đang")  # đ alone is a mark
    assert has_diacritics("NGHỊ")
    assert not has_diacritics("nghi quyet 57")
    assert not has_diacritics("NGHI QUYET")
    assert not has_diacritics("")


def test_lexical_terms_are_syllables_plus_bigrams() -> None:
    assert lexical_terms("Chuyển đổi số", folded=False) == [
        "chuyển", "đổi", "số", "chuyển_đổi", "đổi_số",
    ]
    assert lexical_terms("Chuyển đổi số", folded=True) == [
        "chuyen", "doi", "so", "chuyen_doi", "doi_so",
    ]
    assert lexical_terms("Nghị quyết 57-NQ/TW!", folded=True) == [
        "nghi", "quyet", "57", "nq", "tw", "nghi_quyet", "quyet_57", "57_nq", "nq_tw",
    ]
    assert lexical_terms("số", folded=True) == ["so"]
    assert lexical_terms("", folded=True) == []
    assert lexical_terms("?!…", folded=False) == []


@pytest.mark.parametrize(
    ("accented", "typed"),
    [
        ("Nghị quyết 57 nói gì về chuyển đổi số?", "nghi quyet 57 noi gi ve chuyen doi so"),
        ("Đảng viên vắng sinh hoạt chi bộ", "dang vien vang sinh hoat chi bo"),
        ("Uỷ ban kiểm tra, hoà giải", "UY BAN KIEM TRA HOA GIAI"),
    ],
)
def test_query_without_diacritics_gives_the_same_folded_terms(accented: str, typed: str) -> None:
    assert lexical_terms(normalize(typed), folded=True) == lexical_terms(normalize(accented), folded=True)
    assert lexical_terms(normalize(nfd(accented)), folded=True) == lexical_terms(typed, folded=True)
    # and the accented terms do differ: that is what the folded index is for
    assert lexical_terms(normalize(accented), folded=False) != lexical_terms(typed, folded=False)


def test_syllables_lowercase_and_keep_digits() -> None:
    assert syllables("Chỉ thị 05-CT/TW, năm 2016") == ["chỉ", "thị", "05", "ct", "tw", "năm", "2016"]


# --- look-alike characters ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "canonical"),
    [
        ("Số 15-TB/ÐU", "Số 15-TB/ĐU"),  # Ð U+00D0 (eth) for Đ U+0110
        ("ðảng ủy", "đảng ủy"),
        ("Chƣơng I. ĐOÀN VIÊN, ngƣời", "Chương I. ĐOÀN VIÊN, người"),  # ƣ U+01A3 for ư
        ("05-СТ/TW", "05-CT/TW"),  # Cyrillic С and Т
        ("Nghị quyết 57‑NQ∕TW", "Nghị quyết 57-NQ/TW"),  # non-breaking hyphen, division slash
        ("０５－ＣＴ／ＴＷ", "05-CT/TW"),  # fullwidth forms
        ("Москва và Hà Nội", "Москва và Hà Nội"),  # a word wholly in Cyrillic stays
    ],
)
def test_look_alikes_meet_on_the_vietnamese_form(written: str, canonical: str) -> None:
    assert normalize(written) == canonical


def test_document_with_eth_is_found_by_its_number_typed_either_way(tmp_path) -> None:
    """The look-alike-eth case indexed as it is; /vanban-style lookups with Đ and with Ð."""
    from pathlib import Path

    from indexer.build import build_store
    from knowledge.docnumbers import parse_number_refs
    from knowledge.embedder import HashingEmbedder
    from knowledge.store import load_current

    case = Path(__file__).resolve().parents[2].parent / "shared" / "cases" / "look-alike-eth"
    if not case.exists():
        pytest.skip("shared/cases missing")
    build_store([case], tmp_path / "store", HashingEmbedder(dimension=32))
    version = load_current(tmp_path / "store")
    assert version is not None
    (doc,) = version.documents.values()
    assert doc.number == "15-TB/ĐU"
    assert "Ð" not in "".join(chunk.text for chunk in version.chunks)
    for typed in ("15-TB/ĐU", "15-TB/ÐU", "thông báo 15-TB/ÐU", "15-TB/DU"):
        assert any(ref.matches(doc.number, doc.doc_type) for ref in parse_number_refs(typed)), typed


def test_zero_width_breaks_between_words_of_a_question_are_spaces() -> None:
    # UAX #29: a zero-width space is a word boundary; a word joiner and a BOM typed between
    # two words stand for one too.
    assert spaced_breaks("tổ\u200bxung\u200bkích") == "tổ xung kích"
    assert spaced_breaks("chi\u2060bộ đảng\ufeffviên") == "chi bộ đảng viên"
    # Inside one syllable (copied from a PDF or a web page) it is dropped, as before.
    assert normalize(spaced_breaks("th\u200bư vi\u200cện s\ufeffố")) == "thư viện số"
    assert normalize(spaced_breaks("ho\u200bà")) == "hoà"
    assert normalize(spaced_breaks(unicodedata.normalize("NFD", "nghị\u200bquyết"))) == "nghị quyết"
    # At an edge or by a digit: left for normalize to drop.
    assert normalize(spaced_breaks("\u200bNQ\u200b57\u200b")) == "NQ57"
    # Documents are normalised as before (their indexed text does not change).
    assert normalize("tổ\u200bxung\u200bkích") == "tổxungkích"
